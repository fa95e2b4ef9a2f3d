"""Every built page is valid HTML (W3C Nu HTML Checker) and has the accessibility basics.

Two sites are built in temporary folders: the repository's own, and a variety site
that goes through every template path — an index of several articles, a page with
the machine-translation notice, an untranslated page, bylines with and without date
or author, an article written in German, and a body with footnotes, tables, an
image, a definition list, admonitions, code and abbreviations.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from tests import vnu
from tests.support import ROOT, copy_repo, fragment, fragments, make_project, png, run

PUBLISH = """\
[tool.pipeline]
project_name = "Variety Clinic"
source_lang = "en"
languages = ["en", "de"]
extensions = ["extra", "toc", "sane_lists", "admonition"]

[tool.pipeline.site]
base_url = "https://variety.example/"
logo = "logo.svg"
accent = "#7a2e8c"
phone = "+00 000 000 000"
email = "contact@variety.example"
address = ["Example Street 1", "00000 Example Town"]
nav = ["notes"]
footer_pages = ["notes"]

[tool.pipeline.publish]
min_reviewed = 0
unreviewed = "label"
"""

KITCHEN_SINK = """\
---
title: Everything Markdown Can Do
date: 2024-03-05
updated: 2024-03-20
reviewed: 2024-04-01
reviewed_by: Grace Hopper
author: Ada Lovelace
slug: kitchen-sink
description: A page with every construct the templates and the renderer produce.
---

The clinic treats patients with MSC therapy[^1] and publishes every trial.

*[MSC]: mesenchymal stem cell

## Tables

| Trial | Phase | Patients |
|:------|:-----:|---------:|
| Alpha | I     | 12       |
| Beta  | II    | 48       |

| Name | Status |
|------|--------|
| Gamma | active |

## Images

![A microscope image of stem cells](cells.png "Stem cells")

## Definitions

Secretome
:   The set of proteins a cell secretes.

Apoptosis
:   Programmed cell death.

## Notes

!!! note "Please note"
    Stem cell therapy is not a cure.

!!! warning
    Ask your doctor first.

## Code

Run `make publish` to build the site:

```python
print("<hello>")
```

    indented code

> A quotation from a patient.

1. First step
2. Second step

- One item
- Another item

Line with a [link](https://example.org/) and **bold** and _emphasis_.

---

[^1]: Mesenchymal stem cells, see the [review](https://example.org/review).
"""

UNTRANSLATED = """\
---
title: A Page Nobody Translated
slug: untranslated
---

This article has no translation yet, so every reader sees the English text.

## Background

It is published because the policy allows it.
"""

NOTES = """\
---
title: Short Notes
date: 2023-01-10
---

A dated note without an author.
"""

GERMAN = """\
---
title: Ein deutscher Artikel
author: Karl Müller
slug: deutscher-artikel
description: Dieser Artikel wurde auf Deutsch geschrieben.
lang: de
---

Dieser Artikel wurde auf Deutsch verfasst und ins Englische übersetzt.

## Hintergrund

Die WHO empfiehlt Vorsicht.

*[WHO]: Weltgesundheitsorganisation
"""

MACHINE = "pretranslated: libre 2026-11-27"
# catalog → {msgid: msgstr, or (msgstr, translator comment) for a fuzzy machine draft};
# what is not listed stays untranslated and shows the source text, marked with its language
TRANSLATIONS = {
    "de/kitchen-sink": {
        "Everything Markdown Can Do": "Alles, was Markdown kann",
        "kitchen-sink": "alles-markdown",
        "The clinic treats patients with MSC therapy[^1] and publishes every trial.": "Die Klinik behandelt Patienten mit MSC-Therapie[^1] und veröffentlicht jede Studie.",
        "Tables": "Tabellen",
        "Trial": "Studie",
        "Phase": "Phase",
        "Patients": "Patienten",
        "active": ("aktiv", MACHINE),
        '![A microscope image of stem cells](cells.png "Stem cells")': '![Ein Mikroskopbild von Stammzellen](cells.png "Stammzellen")',
        "Images": "Bilder",
        "Definitions": "Begriffe",
        "Secretome": "Sekretom",
        "The set of proteins a cell secretes.": "Die Gesamtheit der Proteine, die eine Zelle absondert.",
        "Notes": "Hinweise",
        "Please note": "Bitte beachten",
        "Stem cell therapy is not a cure.": "Eine Stammzelltherapie ist keine Heilung.",
        "Ask your doctor first.": ("Fragen Sie zuerst Ihren Arzt.", MACHINE),
        "Code": "Code",
        "Run `make publish` to build the site:": "Mit `make publish` wird die Website gebaut:",
        "First step": "Erster Schritt",
        "Line with a [link](https://example.org/) and **bold** and _emphasis_.": "Eine Zeile mit einem [Link](https://example.org/) sowie **fett** und _kursiv_.",
        "mesenchymal stem cell": "mesenchymale Stammzelle",
    },
    "de/notes": {"Short Notes": "Kurze Notizen"},
    "de/untranslated": {},
    "en/deutsch": {
        "Ein deutscher Artikel": "A German Article",
        "deutscher-artikel": "german-article",
        "Dieser Artikel wurde auf Deutsch verfasst und ins Englische übersetzt.": "This article was written in German and translated into English.",
        "Hintergrund": "Background",
    },
}


def build(root: Path) -> Path:
    assert run(root, "update").code == 0
    result = run(root, "build")
    assert result.code == 0, result.err
    assert "withheld" not in result.out, result.out
    return root / "output"


def translate(root: Path) -> None:
    for key, translations in TRANSLATIONS.items():
        lang, name = key.split("/")
        path = root / "locales" / lang / "LC_MESSAGES" / f"{name}.po"
        po = polib.pofile(str(path))
        left = dict(translations)
        for e in po:
            if e.msgid not in left:
                continue
            value = left.pop(e.msgid)
            if isinstance(value, tuple):
                e.msgstr, e.tcomment = value
                e.flags.append("fuzzy")
            else:
                e.msgstr = value
        assert not left, f"not in {path.name}: {list(left)}"
        po.save(str(path))


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    repo = build(copy_repo(tmp_path_factory.mktemp("repo-site")))
    articles = {"kitchen-sink": KITCHEN_SINK, "untranslated": UNTRANSLATED, "notes": NOTES, "deutsch": GERMAN}
    folder = tmp_path_factory.mktemp("variety") / "site"
    (folder / "source").mkdir(parents=True)
    (folder / "source/logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"/>\n', "utf-8")
    root = make_project(folder, articles, PUBLISH, {"cells.png": png(12, 8)})
    # the page chrome in German, as translated in the repository
    site_po = root / "locales/de/LC_MESSAGES/site.po"
    site_po.parent.mkdir(parents=True)
    shutil.copy(ROOT / "locales/de/LC_MESSAGES/site.po", site_po)
    assert run(root, "update").code == 0
    translate(root)
    return {"repo": repo, "variety": build(root)}


def pages(sites: dict[str, Path]) -> list[Path]:
    return sorted(p for out in sites.values() for p in out.rglob("*.html"))


def test_sites_cover_every_template_path(sites):
    out = sites["variety"]
    names = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert names == {
        "index.html",
        "404.html",
        "en/index.html",
        "de/index.html",
        "en/search.html",
        "de/search.html",
        "en/404.html",
        "de/404.html",
        "en/kitchen-sink.html",
        "de/alles-markdown.html",
        "en/untranslated.html",
        "de/untranslated.html",
        "en/notes.html",
        "de/notes.html",
        "de/deutscher-artikel.html",
        "en/german-article.html",
    }
    read = {name: (out / name).read_text(encoding="utf-8") for name in names}
    sink = read["de/alles-markdown.html"]
    assert '<p class="notice" role="note">Teile dieser Seite wurden maschinell übersetzt' in sink
    assert (
        '<td data-label="Status">aktiv</td>' in sink and "<p>Fragen Sie zuerst Ihren Arzt.</p>" in sink
    )  # the drafts shown
    for construct in ('class="footnote"', "<table>", "<img ", "<dl>", 'class="admonition', "<pre><code", "<abbr "):
        assert construct in sink, construct
    mark = '<span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> '
    # untranslated parts marked
    assert (
        f'<td data-label="Studie" data-pagefind-ignore="" lang="en" style="text-align: left;">{mark}Alpha</td>'
        in fragments(sink, "td")
    )
    assert 'class="notice"' not in read["de/untranslated.html"]
    assert fragment(read["de/untranslated.html"], "h1") == '<h1 lang="en">A Page Nobody Translated</h1>'
    assert (
        f'<p data-pagefind-ignore="" lang="en">{mark}This article has no translation yet'
        in read["de/untranslated.html"]
    )
    assert '<html lang="en"' in read["en/german-article.html"]
    english_mark = '<span class="i18n-mark i18n-untranslated" lang="en">Not yet translated</span> '
    assert f'<p data-pagefind-ignore="" lang="de">{english_mark}Die WHO empfiehlt Vorsicht.</p>' in read[
        "en/german-article.html"
    ].replace('<abbr title="Weltgesundheitsorganisation">WHO</abbr>', "WHO")
    # bylines: date and author, date only, author only, neither
    assert "Published on <time" in read["en/kitchen-sink.html"] and " by Ada Lovelace" in read["en/kitchen-sink.html"]
    assert re.search(r"Veröffentlicht am <time[^>]*>[^<]*</time>\s*</p>", read["de/notes.html"])
    assert "Von Karl Müller" in read["de/deutscher-artikel.html"]
    assert 'class="byline"' not in read["de/untranslated.html"]
    # every article as a card, but "notes", which the frame links (nav, footer_pages)
    assert read["de/index.html"].count('<li class="card">\n<h3><a href="') == 3


def test_every_page_passes_the_nu_html_checker(sites):
    files = pages(sites)
    assert len(files) >= 28  # the repository's 12 pages, the variety site's 16
    try:
        problems = vnu.check(files, base=Path(os.path.commonpath(files)))
    except vnu.VnuUnavailable as exc:
        pytest.fail(f"the W3C Nu HTML Checker cannot run: {exc}")
    assert not problems, "\n".join(map(str, problems))


def test_checker_reports_errors(tmp_path):
    """The check itself works: a broken page is not silently passed."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html>\n<html lang="en"><title>x</title>\n<img src="a.png"><th scope="x">', "utf-8")
    problems = vnu.check([page], base=tmp_path)
    assert problems and all(p.file == "broken.html" for p in problems)
    assert any("alt" in p.message and p.line == 3 for p in problems), problems


def test_makefile_installs_the_same_checker_version():
    assert f"VNU_VERSION := {vnu.VERSION}\n" in (ROOT / "Makefile").read_text(encoding="utf-8")


class Elements(HTMLParser):
    """(tag, attributes) of every start tag, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for t, attrs in self.elements if t == tag]


def test_accessibility_basics(sites):
    langs = {"en", "de"}
    for path in pages(sites):
        name = path.relative_to(path.parents[1]).as_posix()
        doc = Elements(path.read_text(encoding="utf-8"))
        [html] = doc.all("html")
        assert html.get("lang") in langs, name
        for img in doc.all("img"):
            assert "alt" in img, f"{name}: <img> without alt text: {img}"
            # only the logo is decorative: it stands beside the site's name
            assert img["alt"].strip() or img["src"].endswith("assets/logo.svg"), f"{name}: empty alt: {img}"
        assert [m.get("id") for m in doc.all("main")] == ["main"], name
        links = doc.all("a")
        tags = [t for t, _ in doc.elements]
        if "header" in tags:
            # pages with a header before the content: the first link skips it
            assert links[0].get("href") == "#main" and links[0].get("class") == "skip-link", name
        else:
            # the language chooser: nothing before the content to skip
            assert tags[tags.index("body") + 1] == "main", name
        for element in doc.elements:
            if "lang" in element[1]:
                assert element[1]["lang"] in langs, f"{name}: {element}"
        # the language switcher and chooser name each language in that language
        # (the "translated from" line names the original's language in the page's)
        for link in links:
            if "hreflang" in link and link.get("class") != "original":
                assert link.get("lang") == link["hreflang"], f"{name}: {link}"


@pytest.mark.parametrize("site", ["repo", "variety"])
def test_every_table_header_has_scope(sites, site):
    missing = []
    for path in sorted(sites[site].rglob("*.html")):
        headers = Elements(path.read_text(encoding="utf-8")).all("th")
        missing += [
            f"{path.name}: {th}" for th in headers if th.get("scope") not in ("col", "row", "colgroup", "rowgroup")
        ]
    assert not missing, "<th> without scope:\n" + "\n".join(missing)


def test_chrome_is_in_the_page_language(sites):
    german = (sites["variety"] / "de/alles-markdown.html").read_text(encoding="utf-8")
    assert 'aria-label="Sprachen"' in german and ">Zum Inhalt springen</a>" in german
    english = (sites["variety"] / "en/kitchen-sink.html").read_text(encoding="utf-8")
    assert 'aria-label="Languages"' in english and ">Skip to content</a>" in english
