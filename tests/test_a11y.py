"""Accessibility measured by axe-core (tests/axe.py) in headless Chromium: 0 violations
of WCAG 2.2 A/AA rules on every kind of page, in both languages, on a desktop and a
phone — also the notice page a withdrawn edition leaves at its address.

The site is a copy of the repository's with what the repository leaves unset, so
every part of the page frame is on the pages: placeholder contact details, review
and update dates on the ALS article, and one machine draft shown under the `label`
policy (the notice at the top of the German page).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests import axe
from tests.chromium import chromium, serve, viewport
from tests.support import copy_repo, run

PAGES = {
    "article (de)": "/de/stammzelltherapie-als.html",
    "article (en)": "/en/als-stem-cell-therapy.html",
    "German-authored page (de)": "/de/ueber-unsere-informationen.html",
    "German-authored page (en)": "/en/about-our-information.html",
    "home (de)": "/de/index.html",
    "home (en)": "/en/index.html",
    "language chooser": "/index.html",
    "search with results (de)": "/de/search.html?q=Stammzellen",
    "search with results (en)": "/en/search.html?q=stem",
    "404 (de)": "/de/404.html",
    "404 (en)": "/en/404.html",
    "404 (root)": "/404.html",
}
CONTACT = """\
phone = "+00 000 000 000"
email = "contact@clinic.example"
address = ["Example Street 1", "00000 Example Town"]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_repo(tmp_path_factory.mktemp("a11y-site"))
    settings = (root / "pyproject.toml").read_text(encoding="utf-8")
    settings = settings.replace("[tool.pipeline.site]\n", "[tool.pipeline.site]\n" + CONTACT, 1)
    settings += '\n[tool.pipeline.publish.de]\nunreviewed = "label"\n'
    (root / "pyproject.toml").write_text(settings, encoding="utf-8")
    article = root / "source/als-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8").replace(
        "date: 2020-08-28\n", "date: 2020-08-28\nupdated: 2026-11-02\nreviewed: 2026-11-30\n", 1
    )
    article.write_text(text, encoding="utf-8")
    catalog = root / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
    po = polib.pofile(str(catalog))
    draft = next(e for e in po if e.msgid.startswith("Currently, there is no known cure"))
    draft.flags.append("fuzzy")
    draft.tcomment = "pretranslated: libre 2026-12-01"
    po.save(str(catalog))
    assert run(root, "update").code == 0
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def server(site) -> Iterator[str]:
    with serve(site / "output") as url:
        yield url


NOTICE_PAGE = "/en/about-our-information.html"


@pytest.fixture(scope="module")
def notice_server(tmp_path_factory) -> Iterator[str]:
    """A site where a published edition fell below the policy: the English edition of
    the German-authored page, whose every entry now waits for review, is a notice page."""
    root = copy_repo(tmp_path_factory.mktemp("a11y-notice"))
    assert run(root, "publish").code == 0
    catalog = root / "locales/en/LC_MESSAGES/ueber-unsere-informationen.po"
    po = polib.pofile(str(catalog))
    for entry in po:
        if entry.msgstr and "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
    po.save(str(catalog))
    result = run(root, "publish")
    assert result.code == 0 and "was published and is now withheld" in result.err, result.err
    page = (root / "output" / NOTICE_PAGE.lstrip("/")).read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in page
    with serve(root / "output") as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def engine() -> str:
    try:
        return axe.script()
    except axe.AxeUnavailable as exc:
        pytest.fail(f"axe-core cannot be installed: {exc}")


def test_the_site_has_every_part_of_the_frame(site):
    german = (site / "output/de/stammzelltherapie-als.html").read_text(encoding="utf-8")
    for part in (
        'class="notice"',
        "Medizinisch geprüft am",
        "Aktualisiert am",
        "Übersetzt aus dem Original",
        "<address>",
    ):
        assert part in german, part


@pytest.mark.parametrize("width", [1280, 390])
def test_no_axe_violations_on_any_page_kind(browser, server, engine, width):
    viewport(browser, width)
    found = {}
    for kind, path in PAGES.items():
        browser.get(server + path)
        if "search" in kind:  # the results are the script's: wait for them
            WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".search-results li"))
        version, problems = axe.violations(browser, engine)
        if problems:
            found[kind] = problems
    assert version.startswith("4.")
    assert not found, "\n".join(f"{kind}: {line}" for kind, lines in found.items() for line in lines)


@pytest.mark.parametrize("width", [1280, 390])
def test_no_axe_violations_on_the_notice_page_of_a_withdrawn_edition(browser, notice_server, engine, width):
    viewport(browser, width)
    browser.get(notice_server + NOTICE_PAGE)
    version, problems = axe.violations(browser, engine)
    assert version.startswith("4.") and problems == [], problems
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, scroll


def test_axe_finds_violations(browser, server, engine, tmp_path):
    """The check itself works: a page with known problems is not passed."""
    viewport(browser, 1280)
    browser.get(server + "/en/index.html")
    browser.execute_script(
        "document.documentElement.removeAttribute('lang');"
        "const img = document.createElement('img'); img.src = 'x.png'; document.body.append(img);"
        "document.querySelector('main').style.color = '#eee';"
    )
    _version, problems = axe.violations(browser, engine)
    ids = {line.split(" ", 1)[0] for line in problems}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= ids, problems


def test_makefile_installs_the_same_axe_version():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    assert f"AXE_VERSION := {axe.VERSION}\n" in makefile
