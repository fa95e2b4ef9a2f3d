"""Hostile translations never reach a page, a feed or the sitemap, and `check` names each."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import polib
import pytest

from pipeline.sanitize import unsafe_url
from tests.support import make_project, run

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
    root = make_project(
        tmp_path_factory.mktemp("inject"), {"safe": article}, "[tool.pipeline.publish]\nmin_reviewed = 0\n"
    )
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/safe.po"
    po = polib.pofile(str(path))
    by_source = {text: HOSTILE[key] for key, text in SOURCE.items()}
    for entry in po:
        entry.msgstr = by_source.get(entry.msgid, entry.msgstr)
        if entry.msgid == "Safe title":
            entry.msgstr = TITLE_HOSTILE
        elif entry.msgid == "Safe description.":
            entry.msgstr = DESCRIPTION_HOSTILE
        elif entry.msgctxt == "slug":
            entry.msgstr = "sicher"
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
    assert '<h1 lang="en">Safe title</h1>' in page and "<title>Safe title</title>" in page
    # a quote-and-handler description is refused by the enforced `html` check: the source shows
    assert '<meta name="description" content="Safe description.">' in page


def test_check_reports_each_hostile_translation(site):
    root, _result = site
    result = run(root, "check", "--lang", "de", "--json")
    assert result.code == 1
    findings = [f for f in json.loads(result.out) if f["severity"] == "error"]
    flagged = {f["msgid"] for f in findings}
    missing = [key for key, text in SOURCE.items() if text not in flagged]
    assert missing == []
    assert {"Safe title", "Safe description."} <= flagged
