"""A one-word change of an English paragraph, seen in Chromium on the German page:
the notice at the top and the label on the block are visible text, in German, under
both `changed` modes (headless Chromium through Selenium, as in test_browser)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from pipeline.preview.server import make_server
from tests.support import copy_repo, run
from tests.test_browser import browser  # noqa: F401  (the shared Chromium fixture)

GERMAN = "/de/stammzelltherapie-als.html"


def changed_site(root: Path, mode: str) -> Path:
    copy_repo(root)
    source = root / "source/als-stem-cell-therapy.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("is a very serious disease", "is a very grave disease", 1), encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[tool.pipeline.publish]\nchanged = "{mode}"\n')
    result = run(root, "publish")
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    urls, httpds = {}, []
    for mode in ("source", "previous"):
        root = changed_site(tmp_path_factory.mktemp(mode), mode)
        httpd = make_server(root / "output", 0)
        threading.Thread(target=httpd.serve_forever, name=f"preview-{mode}", daemon=True).start()
        httpds.append(httpd)
        urls[mode] = "http://{}:{}".format(*httpd.server_address[:2])
    yield urls
    for httpd in httpds:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("mode", "notice", "label", "block"),
    [
        ("source", "Bis ihre Übersetzung geprüft ist", "Im Original aktualisiert", "is a very grave disease"),
        ("previous", "Ihre Übersetzung wurde noch nicht angepasst", "Noch nicht aktualisiert", "ist eine sehr schwere"),
    ],
)
def test_notice_and_marker_are_visible_text(browser, servers, tmp_path, mode, notice, label, block):  # noqa: F811
    browser.get(servers[mode] + GERMAN)
    found = browser.find_element(By.CSS_SELECTOR, "p.i18n-notice")
    assert found.is_displayed() and notice in found.text
    # above the heading: the first thing a reader sees
    assert found.location["y"] < browser.find_element(By.TAG_NAME, "h1").location["y"]
    marks = browser.find_elements(By.CSS_SELECTOR, ".i18n-mark")
    assert len(marks) == 1 and marks[0].is_displayed() and marks[0].text == label
    assert marks[0].size["width"] > 20 and marks[0].get_attribute("lang") == "de"
    paragraph = marks[0].find_element(By.XPATH, "..")
    assert paragraph.text.startswith(label) and block in paragraph.text
    assert paragraph.get_attribute("lang") == ("en" if mode == "source" else "")
    browser.save_screenshot(str(tmp_path / f"{mode}.png"))
