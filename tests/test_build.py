"""`build`: pages, their metadata, language marking, and same input → same bytes."""

from __future__ import annotations

import re
import shutil

import polib
import pytest

from tests.support import make_project, run

ARTICLE = """\
---
title: Stem cells
date: 2020-08-28
author: Nina Klein
description: What stem cells can do.
---

## Overview

Translated paragraph.

Untranslated paragraph.

Fuzzy paragraph.
"""


@pytest.fixture
def project(tmp_path):
    # publish whatever is reviewed: this module tests pages, test_publish the policy
    root = make_project(
        tmp_path / "p",
        {"stem-cells": ARTICLE},
        '[tool.pipeline]\nproject_name = "Clinic"\n[tool.pipeline.publish]\nmin_reviewed = 0\n',
    )
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/stem-cells.po"
    po = polib.pofile(str(path))
    for e in po:
        e.msgstr = {
            "Stem cells": "Stammzellen",
            "What stem cells can do.": "Was Stammzellen können.",
            "Overview": "Überblick",
            "Translated paragraph.": "Übersetzter Absatz.",
            "Fuzzy paragraph.": "Unscharfer Absatz.",
        }.get(e.msgid, "")
        if e.msgid == "Fuzzy paragraph.":
            e.flags.append("fuzzy")
    po.save(str(path))
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def page(root, lang, slug="stem-cells"):
    return (root / "output" / lang / f"{slug}.html").read_text(encoding="utf-8")


def test_english_page(project):
    html = page(project, "en")
    assert '<html lang="en" dir="ltr">' in html
    assert "<title>Stem cells</title>" in html
    assert '<time datetime="2020-08-28">Friday, 28 August 2020</time>' in html
    assert "Nina Klein" in html
    assert '<meta name="description" content="What stem cells can do.">' in html
    assert '<h2 id="overview">Overview</h2>' in html
    assert 'lang="en"' not in html.split("<main", 1)[1]  # nothing marked in the source edition


def test_german_page(project):
    html = page(project, "de")
    assert '<html lang="de" dir="ltr">' in html
    assert "<title>Stammzellen</title>" in html
    assert '<time datetime="2020-08-28">Freitag, 28. August 2020</time>' in html
    assert '<h2 id="overview">Überblick</h2>' in html
    assert "<p>Übersetzter Absatz.</p>" in html
    assert (
        '<p lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Not yet translated</span> Untranslated paragraph.</p>'
        in html
    )
    assert (
        '<p lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Not yet translated</span> Fuzzy paragraph.</p>'
        in html
    )  # a draft never passes as reviewed
    assert "Unscharfer" not in html


def test_hreflang_alternates_both_ways_and_switcher(project):
    for lang in ("en", "de"):
        html = page(project, lang)
        links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
        assert links == [
            ("en", "http://127.0.0.1:8000/en/stem-cells.html"),
            ("de", "http://127.0.0.1:8000/de/stem-cells.html"),
            ("x-default", "http://127.0.0.1:8000/en/stem-cells.html"),
        ]
        other = "de" if lang == "en" else "en"
        assert f'<a href="../{other}/stem-cells.html" hreflang="{other}" lang="{other}" rel="alternate">' in html
        assert f'<span aria-current="page" lang="{lang}">' in html


def test_switcher_lists_only_editions_that_exist(tmp_path):
    root = make_project(
        tmp_path / "p",
        {"a": "Text.\n"},
        '[tool.pipeline]\nlanguages = ["en", "de", "fr"]\n[tool.pipeline.publish]\nmin_reviewed = 0\n',
    )
    assert run(root, "update", "--lang", "de").code == 0
    assert run(root, "build").code == 0
    html = page(root, "en", "a")
    assert "../de/a.html" in html and "fr" not in re.sub(r"<p>.*?</p>", "", html)
    assert not (root / "output/fr").exists()


def test_localized_slug_moves_the_page_and_its_links(project):
    path = project / "locales/de/LC_MESSAGES/stem-cells.po"
    po = polib.pofile(str(path))
    next(e for e in po if e.msgctxt == "slug").msgstr = "stammzellen"
    po.save(str(path))
    result = run(project, "build")
    assert result.code == 0
    assert "output/de/stem-cells.html: removed" in result.out
    assert not (project / "output/de/stem-cells.html").exists()
    assert '<a href="../de/stammzellen.html" hreflang="de"' in page(project, "en")
    assert 'hreflang="de" href="http://127.0.0.1:8000/de/stammzellen.html"' in page(project, "en")
    assert '<a href="../en/stem-cells.html" hreflang="en"' in page(project, "de", "stammzellen")


def test_same_input_same_bytes(project, tmp_path):
    first = {p.name: p.read_bytes() for p in (project / "output").rglob("*.html")}
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output"))
    assert run(copy, "build").code == 0
    second = {p.name: p.read_bytes() for p in (copy / "output").rglob("*.html")}
    assert first == second
    rerun = run(project, "build")
    assert "0 file(s) written" in rerun.out


def test_render_prints_the_body_fragment_only(project):
    result = run(project, "render", "source/stem-cells.md", "--lang", "de")
    assert result.code == 0
    assert result.out.startswith('<h2 id="overview">Überblick</h2>')
    assert "<html" not in result.out


def test_an_article_named_like_the_chrome_catalog_is_refused(tmp_path):
    """`source/site.md` and the page chrome would share `locales/<lang>/LC_MESSAGES/site.po`:
    build, publish and render refuse it in one line, and nothing is published."""
    root = make_project(tmp_path / "p", {"site": ARTICLE})
    line = (
        "source/site.md: the article name 'site' is reserved for the page chrome's catalog "
        "(locales/<lang>/LC_MESSAGES/site.po); rename the file"
    )
    for args in (("build",), ("publish",), ("render", "source/site.md", "--lang", "de")):
        result = run(root, *args)
        assert result.code == 1 and line in result.err.splitlines(), (args, result.err)
    assert not (root / "output" / "en" / "site.html").exists()
