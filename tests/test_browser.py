"""The built site in a real browser: headless Chromium driven by Selenium.

The repository's site is built in a temporary folder and served by `make_server`
on 127.0.0.1. Chromium and its driver are Debian's (`chromium`, `chromium-driver`;
`.ci/run` installs them): when they are missing or do not start, the test fails,
it is not skipped. Selenium Manager is never asked for anything (it would try to
download a browser or driver): the driver's path is given and SE_OFFLINE is set.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.wait import WebDriverWait

from pipeline.preview import make_server
from tests.support import build_repo

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
GERMAN, ENGLISH = "/de/stammzelltherapie-als.html", "/en/als-stem-cell-therapy.html"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # the machine is offline: no update checks, component downloads or sync
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_repo(tmp_path_factory.mktemp("browser-site"))


@pytest.fixture(scope="module")
def base_url(site) -> str:
    """The public address the pages' hreflang links use."""
    with (site / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["pipeline"]["site"]["base_url"]


@pytest.fixture(scope="module")
def server(site) -> Iterator[str]:
    httpd = make_server(site / "output", 0)
    thread = threading.Thread(target=httpd.serve_forever, name="preview", daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")  # Selenium Manager, if ever reached, must not download
        try:
            driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        except (WebDriverException, OSError) as exc:
            pytest.fail(
                f"headless Chromium did not start ({CHROMIUM}, {CHROMEDRIVER}): {getattr(exc, 'msg', None) or exc}"
            )
    driver.set_page_load_timeout(15)
    try:
        yield driver
    finally:
        driver.quit()


def lang(driver) -> str:
    return driver.execute_script("return document.documentElement.lang")


def alternates(driver) -> dict[str, str]:
    """hreflang → href of the page's `<link rel="alternate" hreflang>`s."""
    links = driver.find_elements(By.CSS_SELECTOR, "link[rel=alternate][hreflang]")
    result = {link.get_attribute("hreflang"): link.get_attribute("href") for link in links}
    assert len(result) == len(links), "an hreflang listed twice"
    return result


def heading_ids(driver) -> list[str]:
    return [h.get_attribute("id") for h in driver.find_elements(By.CSS_SELECTOR, "main h2")]


def switch_to(driver, name: str, path: str) -> None:
    """Click the language switcher's link `name` and wait for `path` to load."""
    here = urlsplit(driver.current_url)
    driver.find_element(By.CSS_SELECTOR, "nav.languages").find_element(By.LINK_TEXT, name).click()
    WebDriverWait(driver, 10).until(EC.url_to_be(f"{here.scheme}://{here.netloc}{path}"))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_switcher_round_trip(browser, server, tmp_path):
    browser.get(server + GERMAN)
    assert lang(browser) == "de"
    assert browser.title == "Wirkt eine Stammzelltherapie bei Amyotropher Lateralsklerose?"
    current = browser.find_element(By.CSS_SELECTOR, "nav.languages [aria-current=page]")
    assert current.text == "Deutsch" and current.get_attribute("lang") == "de"
    browser.save_screenshot(str(tmp_path / "de.png"))
    # the stylesheet is loaded (the skip link sits off-screen until focused) ...
    skip = browser.find_element(By.CSS_SELECTOR, "a.skip-link")
    assert skip.value_of_css_property("position") == "absolute" and skip.location["x"] < 0
    # ... and it is the first stop of the keyboard, shown when focused, pointing at the content
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element == skip and skip.location["x"] >= 0
    assert urlsplit(skip.get_attribute("href")).fragment == "main"

    switch_to(browser, "English", ENGLISH)
    assert browser.current_url.endswith(ENGLISH)
    assert lang(browser) == "en"
    assert (
        browser.find_element(By.TAG_NAME, "h1").text == "Does Stem Cell Therapy for Amyotrophic Lateral Sclerosis Work?"
    )
    browser.save_screenshot(str(tmp_path / "en.png"))

    switch_to(browser, "Deutsch", GERMAN)
    assert browser.current_url.endswith(GERMAN)
    assert lang(browser) == "de"
    assert (tmp_path / "de.png").stat().st_size > 10_000 and (tmp_path / "en.png").stat().st_size > 10_000
    # nothing failed to load (a stylesheet, a link); the site has no favicon, which browsers ask for anyway
    log = browser.get_log("browser")
    errors = [e for e in log if e["level"] == "SEVERE" and "/favicon.ico " not in e["message"]]
    assert not errors, errors


def test_hreflang_pairs_are_reciprocal(browser, server, base_url):
    pages = {}
    for path in (GERMAN, ENGLISH):
        browser.get(server + path)
        pages[path] = alternates(browser)
        # each page lists itself under its own language, at its public address
        assert pages[path][lang(browser)] == base_url + path.lstrip("/")
        # the switcher links to the same pages as the hreflang links
        for link in browser.find_elements(By.CSS_SELECTOR, "nav.languages a[hreflang]"):
            public = pages[path][link.get_attribute("hreflang")]
            assert urlsplit(link.get_attribute("href")).path == urlsplit(public).path
    de, en = pages[GERMAN], pages[ENGLISH]
    assert de == en  # the same set on both: de, en and x-default
    assert set(de) == {"de", "en", "x-default"}
    assert de["de"] == base_url + GERMAN.lstrip("/") and en["en"] == base_url + ENGLISH.lstrip("/")
    assert de["x-default"] == en["x-default"] == base_url + ENGLISH.lstrip("/")  # the source edition


def test_heading_anchors_are_the_same_in_both_editions(browser, server):
    browser.get(server + GERMAN)
    german = heading_ids(browser)
    browser.get(server + ENGLISH)
    english = heading_ids(browser)
    assert german == english
    assert len(german) >= 5 and all(german) and len(set(german)) == len(german)
    # a link to a section works in either language
    browser.get(f"{server}{GERMAN}#{german[0]}")
    assert browser.execute_script("return document.querySelector(':target').id") == german[0]
