"""Hostile translations never reach a page, a feed or the sitemap, and `check` names each."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import polib
import pytest

from pipeline.markup.gate import unsafe_url
from tests.support import fragment, make_project, png, run

SOURCE = {
    "para-01": "Plain paragraph one.",
    "para-02": "Plain paragraph two.",
    "para-03": "Plain paragraph three.",
    "para-04": "A [link](https://example.org/a) here.",
    "para-05": "A [second link](https://example.org/b) here.",
    "para-06": "A [third link](https://example.org/c) here.",
    "para-07": "A [fourth link](https://example.org/d) here.",
    "para-08": "An ![image](chart.png) here.",
    "para-09": "Plain paragraph nine.",
    "para-10": "Plain paragraph ten.",
    "para-11": "Plain paragraph eleven.",
    "para-12": "Plain paragraph twelve.",
    "para-13": "Plain paragraph thirteen.",
    "para-14": "A [fifth link](https://example.org/e) here.",
    "para-15": "Plain paragraph fifteen.",
    "para-16": "A [sixth link](https://example.org/f) here.",
    "para-17": "Mail <https://example.org/g> here.",
    "para-18": "A [seventh link](https://example.org/h) here.",
    "para-19": "Plain paragraph nineteen.",
    "para-20": "Plain paragraph twenty.",
    "para-21": "Plain paragraph twenty-one.",
}
HOSTILE = {
    "para-01": "Absatz <script>alert(1)</script>",
    "para-02": "<ScRiPt>alert(1)</sCrIpT> Absatz",
    "para-03": 'Bild <img src="x" onerror="alert(1)">',
    "para-04": "Ein [Link](javascript:alert(1)) hier.",
    "para-05": "Ein [zweiter Link](JaVaScRiPt:alert(1)) hier.",
    "para-06": "Ein [dritter Link](&#106;avascript:alert(1)) hier.",
    "para-07": "Ein [vierter Link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) hier.",
    "para-08": "Ein ![Bild](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) hier.",
    "para-09": '<iframe src="https://evil.example/"></iframe> Absatz neun.',
    "para-10": '<base href="https://evil.example/"> Absatz zehn.',
    "para-11": '<meta http-equiv="refresh" content="0;url=https://evil.example/"> Absatz elf.',
    "para-12": '<form action="https://evil.example/"><input name="q"></form> Absatz zwölf.',
    "para-13": '<a href="javascript:alert(1)">Absatz</a> dreizehn.',
    "para-14": 'Ein [fünfter Link](https://example.org/e){: onclick="alert(1)" } hier.',
    "para-15": '<svg onload="alert(1)"></svg> Absatz fünfzehn.',
    "para-16": "Ein [sechster Link](vbscript:msgbox(1)) hier.",
    "para-17": "Mail <javascript:alert(1)> hier.",
    "para-18": "Ein [siebter Link](java&#x09;script:alert(1)) hier.",
    "para-19": '<div style="background:url(javascript:alert(1))">Absatz</div> neunzehn.',
    "para-20": '<a href="https://example.org/" onmouseover="alert(1)">Absatz</a> zwanzig.',
    "para-21": '<object data="evil.swf"></object><link rel="stylesheet" href="https://evil.example/x.css"> 21.',
}
TITLE_HOSTILE = '"><script>alert(1)</script>'
DESCRIPTION_HOSTILE = '" onmouseover="alert(1)'
FORBIDDEN_TAGS = {"script", "iframe", "base", "meta", "form", "input", "svg", "object", "embed", "link"}


def test_there_are_at_least_twenty_hostile_translations():
    assert len(HOSTILE) + 2 >= 20


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    body = "\n\n".join(SOURCE.values()) + "\n"
    article = f"---\ntitle: Safe title\ndate: 2024-01-02\ndescription: Safe description.\n---\n\n{body}"
    fixed = {"Safe title": TITLE_HOSTILE, "Safe description.": DESCRIPTION_HOSTILE}
    by_source = {text: HOSTILE[key] for key, text in SOURCE.items()}
    return hostile_build(tmp_path_factory.mktemp("inject"), article, by_source | fixed)


def hostile_build(folder, article: str, translations: dict[str, str]):
    """A project with the one article `safe`, its German catalog translated by
    `translations` (msgid → msgstr; the slug is "sicher"), built."""
    images = {"chart.png": png(4, 3), "chart-8.png": png(8, 8)}  # what the article shows
    root = make_project(folder, {"safe": article}, "[tool.pipeline.publish]\nmin_reviewed = 0\n", images)
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/safe.po"
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = "sicher" if entry.msgctxt == "slug" else translations.get(entry.msgid, entry.msgstr)
    po.save(str(path))
    result = run(root, "build")
    assert result.code == 0, result.err
    return root, result


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _chrome(tag: str, attrs: dict[str, str | None]) -> bool:
    """The page frame's own elements of these kinds (templates, not translations): the
    search form, the JSON-LD block and the search page's script, Open Graph tags, the icon."""
    if tag == "form":
        return (attrs.get("action") or "").endswith("search.html") and attrs.keys() <= {
            "class",
            "role",
            "action",
            "method",
        }
    if tag == "input":
        return attrs.get("type") == "search"
    if tag == "script":
        return attrs == {"type": "application/ld+json"} or (
            attrs.get("type") == "module" and (attrs.get("src") or "").endswith("assets/search.js")
        )
    if tag == "meta":
        return (attrs.get("property") or "").startswith(("og:", "article:")) and attrs.keys() == {"property", "content"}
    if tag == "link":
        return attrs.get("rel") == "icon" and (attrs.get("href") or "").endswith("assets/logo.svg")
    return False


def _html_problems(text: str, name: str) -> list[str]:
    parser = _Collector()
    parser.feed(text)
    problems = []
    for tag, attrs in parser.tags:
        if (
            tag in FORBIDDEN_TAGS
            and not _chrome(tag, dict(attrs))
            and not (tag == "meta" and dict(attrs).keys() <= {"charset", "name", "content"})
            and not (
                tag == "link"
                and dict(attrs).get("rel") in ("stylesheet", "alternate", "canonical")
                and not (dict(attrs).get("href") or "").startswith("https://evil")
            )
        ):
            problems.append(f"{name}: <{tag} {attrs}>")
        for attr, value in attrs:
            if attr.startswith("on"):
                problems.append(f"{name}: event handler {attr}={value!r} on <{tag}>")
            if attr in ("href", "src", "action", "data", "formaction") and value and unsafe_url(value):
                problems.append(f"{name}: unsafe {attr}={value!r} on <{tag}>")
            if attr == "style" and value and "javascript" in value.lower():
                problems.append(f"{name}: script in style on <{tag}>")
    return problems


def test_nothing_hostile_in_any_page(site):
    root, _result = site
    problems = []
    pages = sorted((root / "output").rglob("*.html"))
    assert any(p.name == "sicher.html" for p in pages)
    for page in pages:
        problems += _html_problems(page.read_text(encoding="utf-8"), page.name)
    assert problems == []


def test_nothing_hostile_in_feeds_and_sitemap(site):
    root, _result = site
    for path in [*root.glob("output/*/feed.xml"), root / "output/sitemap.xml"]:
        tree = ET.parse(path)  # well-formed: nothing broke out of its element
        for element in tree.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in FORBIDDEN_TAGS - {"link"}, (path, tag)  # Atom's own <link> is fine
            for attr, value in element.attrib.items():
                assert not attr.startswith("on") and not unsafe_url(value), (path, attr, value)


def test_refused_translations_show_the_source_and_are_reported(site):
    root, result = site
    page = (root / "output/de/sicher.html").read_text(encoding="utf-8")
    for key, text in SOURCE.items():
        if "<https" in text or "[" in text:
            continue
        assert text in page, key  # the source is shown instead
    assert result.err.count("— source shown") >= 19
    # the hostile title and description are refused too: the source shows, marked
    assert fragment(page, "h1") == '<h1 lang="en">Safe title</h1>'
    assert fragment(page, "title") == "<title>Safe title</title>"
    # a quote-and-handler description is refused by the enforced `html` check: the source shows
    assert fragment(page, 'meta[name="description"]') == '<meta name="description" content="Safe description.">'


def test_check_reports_each_hostile_translation(site):
    root, _result = site
    result = run(root, "check", "--lang", "de", "--json")
    assert result.code == 1
    findings = [f for f in json.loads(result.out) if f["severity"] == "error"]
    flagged = {f["msgid"] for f in findings}
    missing = [key for key, text in SOURCE.items() if text not in flagged]
    assert missing == []
    assert {"Safe title", "Safe description."} <= flagged


# -- issue 11: what a browser reads that the old gate did not -----------------------

SOURCE_11 = {
    "tab": "First [paragraph](https://example.org/1).",
    "newline": "Second [paragraph](https://example.org/2).",
    "cr": "Third [paragraph](https://example.org/3).",
    "c0": "Fourth [paragraph](https://example.org/4).",
    "lead": "Fifth [paragraph](https://example.org/5).",
    "entity-tab": "Sixth [paragraph](https://example.org/6).",
    "colon-entity": "Seventh [paragraph](https://example.org/7).",
    "image-tab": "An ![image](chart-8.png) here.",
    "xy-hover": "Paragraph nine.",
    "xy-focus": "Paragraph ten.",
    "dotted": "Paragraph eleven.",
    "underscore": "Paragraph twelve.",
    "slash": "Paragraph thirteen.",
    "stash": "Paragraph fourteen.",
    "token": "Paragraph fifteen.",
    "raw-href-tab": "Paragraph sixteen.",
}
HOSTILE_11 = {
    "tab": "Erster [Absatz](java\tscript:alert(document.domain)).",
    "newline": "Zweiter [Absatz](jav\nascript:alert(document.domain)).",
    "cr": "Dritter [Absatz](java\rscript:alert(document.domain)).",
    "c0": "Vierter [Absatz](\x01javascript:alert(document.domain)).",
    "lead": 'Fünfter [Absatz]( javascript:alert(document.domain) "t").',
    "entity-tab": "Sechster [Absatz](java&#x09;script:alert(document.domain)).",
    "colon-entity": "Siebter [Absatz](javascript&colon;alert(document.domain)).",
    "image-tab": "Ein ![Bild](java\tscript:alert(1)) hier.",
    "xy-hover": "<x:y onmouseover=alert(document.domain)>Absatz</x:y> neun.",
    "xy-focus": "<x:y autofocus tabindex=0 onfocus=alert(document.domain)>Absatz</x:y> zehn.",
    "dotted": "<a.b onclick=alert(document.domain)>Absatz</a.b> elf.",
    "underscore": "<foo_bar onclick=alert(document.domain)>Absatz</foo_bar> zwölf.",
    "slash": "<x:y/onmouseover=alert(document.domain)>Absatz</x:y> dreizehn.",
    "stash": "Absatz \x02wzxhzdk:0\x03 vierzehn.",
    "token": "Absatz ⟦1⟧ fünfzehn.",
    "raw-href-tab": '<a href="java&#x09;script:alert(1)">Absatz</a> sechzehn.',
}
# The article's own raw HTML block: what a stash placeholder in a translation pulls in.
IFRAME = '<iframe src="https://video.example/embed" allow="camera; microphone" title="Video"></iframe>'


@pytest.fixture(scope="module")
def site_11(tmp_path_factory):
    body = "\n\n".join(SOURCE_11.values())
    article = f"---\ntitle: Safe title\ndate: 2024-01-02\n---\n\n{IFRAME}\n\n{body}\n"
    by_source = {text: HOSTILE_11[key] for key, text in SOURCE_11.items()}
    return hostile_build(tmp_path_factory.mktemp("inject11"), article, by_source)


def test_issue_11_payloads_never_reach_the_page(site_11):
    root, result = site_11
    page = (root / "output/de/sicher.html").read_text(encoding="utf-8")
    # the article's own iframe aside (counted below), nothing forbidden, no handler, no unsafe URL
    assert [p for p in _html_problems(page, "sicher.html") if "<iframe [('src', 'https://video" not in p] == []
    assert "\x02" not in page and "\x03" not in page and "⟦" not in page
    assert page.count("<iframe") == 1  # the article's own, not a copy pulled into a paragraph
    for key, text in SOURCE_11.items():
        if "[" not in text:
            assert text in page, key  # the source is shown instead
    refused = [line for line in result.err.splitlines() if line.endswith("— source shown")]
    assert len(refused) == len(HOSTILE_11), result.err


def test_check_reports_each_issue_11_payload(site_11):
    root, _result = site_11
    result = run(root, "check", "--lang", "de", "--json")
    assert result.code == 1
    flagged = {f["msgid"] for f in json.loads(result.out) if f["severity"] == "error"}
    assert [key for key, text in SOURCE_11.items() if text not in flagged] == []


@pytest.mark.parametrize(
    "url",
    [
        "java\tscript:x",
        "jav\nascript:x",
        "java\rscript:x",
        "\x01javascript:x",
        " javascript:x",
        "javascript:x\x00",
        "&#x6A;avascript:x",
        "&amp;#106;avascript:x",
        "javascript&colon;x",
        "JaVaScRiPt:x",
        "vbscript:x",
        "data:text/html,x",
        "java&Tab;script:x",
    ],
)
def test_unsafe_urls_as_a_browser_reads_them(url):
    assert unsafe_url(url)


@pytest.mark.parametrize("url", ["https://example.org/a b", "mailto:a@b.org", "chart.png", "#note", "page.html"])
def test_safe_urls_stay_safe(url):
    assert not unsafe_url(url)


def test_the_tag_model_is_python_markdowns_own():
    from markdown import inlinepatterns

    from pipeline.markup.danger import HTML_RE, tags

    assert HTML_RE.pattern == inlinepatterns.HTML_RE
    found = tags("<x:y onmouseover=1>a</x:y> <a.b onclick=2> <https://example.org/> <a@b.org> <x:y/onfocus=3>")
    assert [(t.name, t.handlers) for t in found] == [
        ("x:y", ["onmouseover"]),
        ("x:y", []),
        ("a.b", ["onclick"]),
        ("x:y", ["onfocus"]),
    ]


# -- hostile engine answers never become drafts ----------------------------------------

ENGINE_PAYLOADS = [
    " <x:y autofocus tabindex=0 onfocus=alert(document.domain)>x</x:y>",
    " [x](java\tscript:alert(document.domain))",
    " \x02wzxhzdk:0\x03",
    " <img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", ENGINE_PAYLOADS, ids=["xy-tag", "tab-scheme", "stash", "img"])
def test_a_hostile_engine_answer_is_refused_and_reported(tmp_path, payload):
    from tests.libre_server import LibreServer

    article = "---\ntitle: Safe title\n---\n\nPlain paragraph one.\n\nA [link](https://example.org/a) here.\n"
    root = make_project(tmp_path / "p", {"safe": article}, '[tool.pipeline.mt]\nengine = "libre"\nbackoff = 0.05\n')
    assert run(root, "update").code == 0
    with LibreServer(append=payload) as server:
        result = run(root, "pretranslate", "--lang", "de", "--engine-url", server.url)
    assert result.code == 0, result.err
    assert "left untranslated" in result.err and "Traceback" not in result.err
    if "<" not in payload:  # not protected markup: the page's own gate refuses it
        assert "the engine's answer is refused" in result.err, result.err
    for path in (root / "locales/de/LC_MESSAGES").glob("*.po"):
        for entry in polib.pofile(str(path)):
            assert payload.strip() not in entry.msgstr, (path.name, entry.msgstr)
            assert "onfocus" not in entry.msgstr and "\x02" not in entry.msgstr


# -- in a real browser -----------------------------------------------------------------

# The Selenium set-up of the browser tests (Debian's chromium and chromedriver).
from tests.test_browser import browser  # noqa: E402, F401


def test_chromium_finds_no_handler_and_no_javascript_url(site_11, browser):  # noqa: F811
    root, _result = site_11
    import threading

    from pipeline.preview.server import make_server

    httpd = make_server(root / "output", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        browser.get(f"http://{host}:{port}/de/sicher.html")
        found = browser.execute_script(
            """
            const handlers = [], urls = [];
            for (const el of document.querySelectorAll('*')) {
              for (const attr of el.attributes) {
                if (attr.name.startsWith('on')) handlers.push(el.tagName + ' ' + attr.name);
                if (['href', 'src', 'action', 'formaction'].includes(attr.name)) {
                  const url = new URL(attr.value, document.baseURI);
                  if (['javascript:', 'vbscript:', 'data:'].includes(url.protocol)) urls.push(attr.value);
                }
              }
            }
            const protocols = Array.from(document.links, a => a.protocol);
            return {handlers, urls, protocols, active: document.activeElement.tagName, title: document.title};
            """
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert found["handlers"] == [] and found["urls"] == []
    assert found["protocols"] and "javascript:" not in found["protocols"]
    assert found["active"] == "BODY"  # nothing took the focus (an autofocus element would)
    assert found["title"]  # no alert() dialog is open: the page answered


# -- feeds and sitemap stay well-formed XML ---------------------------------------------


def test_xml_illegal_characters_never_reach_feeds_and_dates_are_rfc_3339(tmp_path):
    article = (
        '---\ntitle: "Title \\x01 with \\x1b control"\nauthor: "Nina \\x08 Klein"\n'
        'description: "A \\x0b description."\ndate: 2020-08-28 10:30:00\n---\n\nFirst paragraph.\n'
    )
    root = make_project(tmp_path / "p", {"doc": article}, "[tool.pipeline.publish]\nmin_reviewed = 0\n")
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/doc.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid.startswith("Title"):
            entry.msgstr = "Titel \x0e mit \x1f Steuerzeichen"
        elif entry.msgid == "First paragraph.":
            entry.msgstr = "Erster Absatz."
    po.save(str(path))
    result = run(root, "build")
    assert result.code == 0, result.err
    for feed in [root / "output/en/feed.xml", root / "output/de/feed.xml", root / "output/sitemap.xml"]:
        text = feed.read_text(encoding="utf-8")
        ET.fromstring(text)  # well-formed
        assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in text), feed
    assert "Titel  mit  Steuerzeichen" in (root / "output/de/feed.xml").read_text(encoding="utf-8")
    english = (root / "output/en/feed.xml").read_text(encoding="utf-8")
    # full RFC 3339, not 2020-08-28T10:30:00T00:00:00Z
    for stamp in re.findall(r"<updated>([^<]*)</updated>", english):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)", stamp), stamp
    assert "<updated>2020-08-28T" in english
    sitemap = (root / "output/sitemap.xml").read_text(encoding="utf-8")
    for stamp in re.findall(r"<lastmod>([^<]*)</lastmod>", sitemap):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d))?", stamp), stamp
