"""The reviewer's page runs nothing a catalog brings: everything on it passes the site's gate.

Hostile entries are planted in the German ALS catalog — a msgid no source has (in
msgid and msgstr), an obsolete entry, a msgctxt, translator and extracted comments,
a `#|` previous msgid, a translation of a real paragraph — with every kind of
payload the gate knows (`<img onerror>`, `<svg onload>`, `<x:y onmouseover>`,
`java&#x09;script:`, `<script>`). Then `review --lang de`, and `review/de.html` is
read as a browser would: by an HTML parser (no event-handler attribute, no unsafe
URL as the WHATWG parser reads it, no script, no embedding element), as the
preview's `/review/` serves it (the same bytes), and in Chromium (no handler ran).
"""

from __future__ import annotations

import http.client
import threading
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from pipeline.markup.danger import unsafe_url
from pipeline.preview.server import make_server
from tests.support import copy_repo, run
from tests.test_browser import browser  # noqa: F401  (the shared Chromium fixture)

CATALOG = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
RUN = "window.pwned=1;document.title='PWNED'"
PAYLOADS = [
    f'<img src=x onerror="{RUN}">',
    f'<svg onload="{RUN}"></svg>',
    f'<x:y onmouseover="{RUN}">hover</x:y>',
    '<a href="java&#x09;script:window.pwned=1">click</a>',
    f"<script>{RUN}</script>",
    f'<iframe src="javascript:parent.{RUN}"></iframe>',
    "[click](java&#x09;script:window.pwned=1)",
]
EMBEDDING = {"script", "iframe", "object", "embed", "svg", "math", "frame", "frameset", "base", "form"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "background", "cite", "xlink:href"}


def plant(root: Path) -> None:
    """Every place of a catalog a hostile text can stand in."""
    path = root / CATALOG
    po = polib.pofile(str(path), wrapwidth=79)
    real = next(e for e in po if e.msgid.startswith("Amyotrophic lateral sclerosis (ALS) is a fatal"))
    real.msgstr += " " + " ".join(PAYLOADS)  # a translation of a real paragraph: the gate refuses it
    real.tcomment = "\n".join(PAYLOADS)  # translator comments
    real.comment = PAYLOADS[0]  # an extracted comment, as if `extract` had written it
    changed = next(e for e in po if e.msgid and e is not real and e.msgctxt is None and not e.obsolete)
    changed.flags = ["fuzzy"]
    changed.previous_msgid = " ".join(PAYLOADS)  # `#|`: shown as a word diff
    for i, payload in enumerate(PAYLOADS):
        po.append(polib.POEntry(msgid=payload, msgstr=payload))  # no source has it
        po.append(polib.POEntry(msgid=f"ctx {i}", msgstr="x", msgctxt=payload))
        po.append(polib.POEntry(msgid=f"{payload} (old)", msgstr=payload, obsolete=True))
    po.save(str(path))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = copy_repo(tmp_path_factory.mktemp("hostile"))
    assert run(root, "update").code == 0
    plant(root)
    result = run(root, "review", "--lang", "de")
    assert result.code == 0, result.err
    return root


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def dangers(html: str) -> list[str]:
    """Whatever in `html` a browser could run or embed."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.found:
        if tag in EMBEDDING or ":" in tag:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value is not None and unsafe_url(value):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def test_nothing_on_the_page_can_run(hostile):
    html = (hostile / "review" / "de.html").read_text(encoding="utf-8")
    assert dangers(html) == []
    assert "<script" not in html.lower()  # the page has no JavaScript at all
    assert html.lower().count("<style") == 1  # and one style sheet: the page's own


def test_an_entry_no_source_has_is_listed_as_text(hostile):
    html = (hostile / "review" / "de.html").read_text(encoding="utf-8")
    assert html.count("not in the source: shown as text") == len(PAYLOADS) * 2  # msgid, msgctxt
    assert "&lt;img src=x onerror=" in html  # shown, as text, for the reviewer to see and remove


def test_the_model_counts_as_dangerous_what_the_old_page_showed():
    """The checker itself finds each payload when it is live HTML."""
    for payload in PAYLOADS[:-1]:
        assert dangers(f"<p>{payload}</p>"), payload


@pytest.fixture(scope="module")
def preview(hostile):
    httpd = make_server(hostile / "output", 0, review=hostile / "review") if (hostile / "output").is_dir() else None
    if httpd is None:
        (hostile / "output").mkdir()
        httpd = make_server(hostile / "output", 0, review=hostile / "review")
    threading.Thread(target=httpd.serve_forever, name="preview-review", daemon=True).start()
    yield "{}:{}".format(*httpd.server_address[:2])
    httpd.shutdown()
    httpd.server_close()


def test_the_preview_serves_the_same_page(hostile, preview):
    host, port = preview.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/review/de.html", headers={"Host": preview})
    answer = connection.getresponse()
    assert answer.status == 200
    assert answer.read() == (hostile / "review" / "de.html").read_bytes()


def test_no_handler_runs_in_chromium(browser, preview):  # noqa: F811
    browser.get(f"http://{preview}/review/de.html")
    title = browser.title
    for element in browser.find_elements("css selector", "article.entry"):
        browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", element)
    assert browser.execute_script("return window.pwned === undefined && document.title") == title
    assert title != "PWNED" and "review" in title.lower()
