"""The built site in a real browser: headless Chromium driven by Selenium.

The repository's site is built in a temporary folder and served by the preview
server on 127.0.0.1 (tests/chromium.py: Debian's `chromium` and `chromium-driver`,
which `.ci/run` installs; when they are missing the test fails, it is not skipped).
One site and one browser session for the module; pages are looked at as on a
desktop (1280 px) and on a phone (390 px).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.wait import WebDriverWait

from tests.chromium import chromium, serve, viewport
from tests.support import build_repo

GERMAN, ENGLISH = "/de/stammzelltherapie-als.html", "/en/als-stem-cell-therapy.html"
# one page of every kind, in both languages
PAGES = (
    GERMAN,
    ENGLISH,
    "/de/ueber-unsere-informationen.html",
    "/en/about-our-information.html",
    "/de/index.html",
    "/en/index.html",
    "/index.html",
    "/de/search.html?q=Stammzellen",
    "/en/search.html?q=stem",
    "/de/404.html",
    "/en/404.html",
    "/404.html",
)
WIDTHS = (1280, 390)


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
    with serve(site / "output") as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture
def desktop(browser) -> Iterator[webdriver.Chrome]:
    viewport(browser, 1280)
    yield browser


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


def test_switcher_round_trip(desktop, server, tmp_path):
    browser = desktop
    browser.get(server + GERMAN)
    assert lang(browser) == "de"
    assert browser.title == "Wirkt eine Stammzelltherapie bei Amyotropher Lateralsklerose?"
    current = browser.find_element(By.CSS_SELECTOR, "nav.languages [aria-current=page]")
    assert current.text == "Deutsch" and current.get_attribute("lang") == "de"
    browser.save_screenshot(str(tmp_path / "de.png"))
    # the stylesheet is loaded (the skip link is clipped until focused) ...
    skip = browser.find_element(By.CSS_SELECTOR, "a.skip-link")
    # hidden by clipping (a box moved off-screen would be scrollable-to in a right-to-left page)
    assert skip.value_of_css_property("position") == "absolute" and skip.size["width"] <= 1
    # ... and it is the first stop of the keyboard, shown when focused, pointing at the content
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element == skip and skip.location["x"] >= 0 and skip.size["width"] > 1
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
    # nothing failed to load (a stylesheet, the logo, a link)
    log = browser.get_log("browser")
    errors = [e for e in log if e["level"] == "SEVERE"]
    assert not errors, errors


def test_hreflang_pairs_are_reciprocal(desktop, server, base_url):
    browser = desktop
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


def test_heading_anchors_are_the_same_in_both_editions(desktop, server):
    browser = desktop
    browser.get(server + GERMAN)
    german = heading_ids(browser)
    browser.get(server + ENGLISH)
    english = heading_ids(browser)
    assert german == english
    assert len(german) >= 5 and all(german) and len(set(german)) == len(german)
    # a link to a section works in either language
    browser.get(f"{server}{GERMAN}#{german[0]}")
    assert browser.execute_script("return document.querySelector(':target').id") == german[0]


def search_results(driver, path: str) -> list[str]:
    """The result links' paths of a search page, once the script has shown them."""
    driver.get(path)
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results .search-summary"))
    return [urlsplit(a.get_attribute("href")).path for a in driver.find_elements(By.CSS_SELECTOR, ".search-results a")]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(browser, server, width):
    viewport(browser, width)
    wide = {}
    for path in PAGES:
        browser.get(server + path)
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    assert not wide, f"wider than {width} px: {wide}"


def test_trials_table_fits_a_phone_as_labelled_cards(browser, server):
    viewport(browser, 390)
    browser.get(server + GERMAN)
    cells = browser.execute_script(
        """
        const table = [...document.querySelectorAll("main table")].find((t) => t.rows[0].cells.length === 4);
        return [...table.querySelectorAll("td")].map((td) => {
          const box = td.getBoundingClientRect();
          return {left: box.left, right: box.right, width: box.width, height: box.height,
                  label: getComputedStyle(td, "::before").content, text: td.textContent};
        });"""
    )
    assert len(cells) == 36  # 9 trials × 4 columns
    hidden = [c for c in cells if c["left"] < 0 or c["right"] > 390 or c["width"] == 0 or c["height"] == 0]
    assert not hidden, hidden
    labels = [c["label"] for c in cells[:4]]
    assert labels == ['"Studientitel"', '"Intervention und Anwendung"', '"Status"', '"ID und Link"']
    assert "1 × 10⁸" in cells[-3]["text"]  # the notation of the source, in German too
    # on a desktop it is a table again, as wide as the text column
    viewport(browser, 1280)
    browser.get(server + GERMAN)
    widths = browser.execute_script(
        "const t = [...document.querySelectorAll('main table')].find((t) => t.rows[0].cells.length === 4);"
        "return [t.getBoundingClientRect().width, document.querySelector('main h1').getBoundingClientRect().width,"
        " getComputedStyle(t).display]"
    )
    assert widths[2] == "table" and abs(widths[0] - widths[1]) < 1


@pytest.mark.parametrize("width", WIDTHS)
def test_header_and_footer_line_up_with_the_content(browser, server, width):
    viewport(browser, width)
    for path in (GERMAN, "/en/index.html", "/de/404.html"):
        browser.get(server + path)
        edges = browser.execute_script(
            """
            const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.right]; };
            const inner = (s) => { const e = document.querySelector(s), r = e.getBoundingClientRect(), c = getComputedStyle(e);
              return [r.left + parseFloat(c.paddingLeft), r.right - parseFloat(c.paddingRight)]; };
            return {content: box("main h1"), footer: inner("footer .footer-grid"), header: inner("header .site-bar"),
                    footerText: box("footer .footer-name")};"""
        )
        for part in ("footer", "header"):
            assert abs(edges[part][0] - edges["content"][0]) < 1, (path, edges)
            assert abs(edges[part][1] - edges["content"][1]) < 1, (path, edges)
        assert abs(edges["footerText"][0] - edges["content"][0]) < 1, (path, edges)


def test_german_search_finds_the_german_article(desktop, server):
    assert GERMAN in search_results(desktop, server + "/de/search.html?q=Stammzellen")
    # the header's search box leads there too
    desktop.get(server + GERMAN)
    box = desktop.find_element(By.ID, "site-search")
    box.send_keys("Stammzellen", Keys.ENTER)
    WebDriverWait(desktop, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".search-results a"))
    assert urlsplit(desktop.current_url).path == "/de/search.html"
    assert desktop.find_element(By.ID, "search-query").get_attribute("value") == "Stammzellen"
    links = desktop.find_elements(By.CSS_SELECTOR, ".search-results a")
    assert urlsplit(links[0].get_attribute("href")).path == GERMAN
    assert "Stammzell" in desktop.find_element(By.CSS_SELECTOR, ".search-results mark").text


def test_english_search_never_returns_a_german_page(desktop, server):
    for query in ("Stammzellen", "stem cells", "Informationen", "ALS"):
        found = search_results(desktop, server + "/en/search.html?q=" + query)
        assert not [p for p in found if not p.startswith("/en/")], (query, found)
    assert ENGLISH in search_results(desktop, server + "/en/search.html?q=stem%20cells")


def test_text_is_hyphenated_in_the_page_language(desktop, server):
    desktop.get(server + GERMAN)
    style = desktop.execute_script(
        "const p = document.querySelector('main p:not([class])');"
        "return [getComputedStyle(p).hyphens, p.closest('[lang]').lang]"
    )
    assert style == ["auto", "de"]


def test_printed_page(desktop, server):
    """As printed (CSS print media): no navigation or search, link targets after the
    link text, the review facts and the page's address shown."""
    desktop.get(server + GERMAN)
    desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = desktop.execute_script(
            """
            const display = (s) => getComputedStyle(document.querySelector(s)).display;
            const link = document.querySelector("main td a[href^='https:']");
            return {nav: display(".site-nav"), search: display(".site-search"), languages: display("nav.languages"),
                    address: display(".print-only"), facts: display(".facts"),
                    after: getComputedStyle(link, "::after").content, href: link.href,
                    text: document.querySelector(".print-only").textContent};"""
        )
    finally:
        desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert (shown["nav"], shown["search"], shown["languages"]) == ("none", "none", "none")
    assert shown["address"] == "block" and shown["facts"] == "block"
    assert shown["after"] == f'" ({shown["href"]})"'  # the link's target, after its text
    assert shown["text"] == "Adresse dieser Seite: https://clinic.example/de/stammzelltherapie-als.html"
