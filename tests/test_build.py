"""`build`: pages, their metadata, language marking, and same input → same bytes."""

from __future__ import annotations

import re
import shutil

import polib
import pytest

from tests.support import ROOT, assert_fragment, copy_repo, fragment, make_project, run, run_cli

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
    # publish whatever is reviewed: this module tests pages, test_policy the policy;
    # the page chrome is the repository's German one, so a German page is German throughout
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
    shutil.copy(ROOT / "locales/de/LC_MESSAGES/site.po", root / "locales/de/LC_MESSAGES/site.po")
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def page(root, lang, slug="stem-cells"):
    return (root / "output" / lang / f"{slug}.html").read_text(encoding="utf-8")


def test_english_page(project):
    html = page(project, "en")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en" dir="ltr">\n')
    assert fragment(html, "title") == "<title>Stem cells</title>"
    assert fragment(html, 'meta[name="description"]') == '<meta name="description" content="What stem cells can do.">'
    # nothing marked in the source edition: no notice, no label, no lang
    assert_fragment(
        html,
        "article",
        """
        <article data-pagefind-body>


        <h1>Stem cells</h1>
        <p class="byline">Published on <time datetime="2020-08-28">Friday, 28 August 2020</time> by Nina Klein</p>
        <div class="facts">
        <p class="disclaimer">This information does not replace a consultation with a doctor.</p>
        </div>
        <h2 id="overview">Overview</h2>
        <p>Translated paragraph.</p>
        <p>Untranslated paragraph.</p>
        <p>Fuzzy paragraph.</p>
        <p class="print-only">Page address: <span class="url">http://127.0.0.1:8000/en/stem-cells.html</span></p>
        </article>
        """,
    )


def test_german_page(project):
    html = page(project, "de")
    assert html.startswith('<!DOCTYPE html>\n<html lang="de" dir="ltr">\n')
    assert fragment(html, "title") == "<title>Stammzellen</title>"
    assert fragment(html, 'meta[name="description"]') == '<meta name="description" content="Was Stammzellen können.">'
    # The untranslated and the fuzzy paragraph (a draft never passes as reviewed) are
    # shown in English, marked as English, each with a German label; one notice on top.
    assert_fragment(
        html,
        "article",
        """
        <article data-pagefind-body>

        <p class="notice i18n-notice" role="note">Teile dieser Seite sind noch nicht übersetzt. Sie werden in der Originalsprache angezeigt und sind gekennzeichnet.</p>

        <h1>Stammzellen</h1>
        <p class="byline">Veröffentlicht am <time datetime="2020-08-28">Freitag, 28. August 2020</time> von Nina Klein</p>
        <div class="facts">
        <p>Übersetzt aus dem Original auf <a class="original" href="../en/stem-cells.html" hreflang="en">Englisch</a>.</p>
        <p class="disclaimer">Diese Informationen ersetzen nicht das Gespräch mit einer Ärztin oder einem Arzt.</p>
        </div>
        <h2 id="overview">Überblick</h2>
        <p>Übersetzter Absatz.</p>
        <p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> Untranslated paragraph.</p>
        <p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> Fuzzy paragraph.</p>
        <p class="print-only">Adresse dieser Seite: <span class="url">http://127.0.0.1:8000/de/stem-cells.html</span></p>
        </article>
        """,
    )
    assert "Unscharfer" not in html  # the fuzzy draft appears nowhere, not even in the head


def test_hreflang_alternates_both_ways_and_switcher(project):
    for lang in ("en", "de"):
        html = page(project, lang)
        links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
        assert links == [
            ("en", "http://127.0.0.1:8000/en/stem-cells.html"),
            ("de", "http://127.0.0.1:8000/de/stem-cells.html"),
            ("x-default", "http://127.0.0.1:8000/en/stem-cells.html"),
        ]
    # the switcher: each language in its own name, the current one not a link
    assert_fragment(
        page(project, "en"),
        "nav.languages",
        """
        <nav class="languages" aria-label="Languages">
        <ul>
        <li><span aria-current="page" lang="en">English</span></li>
        <li><a href="../de/stem-cells.html" hreflang="de" lang="de" rel="alternate">Deutsch</a></li>
        </ul>
        </nav>
        """,
    )
    assert_fragment(
        page(project, "de"),
        "nav.languages",
        """
        <nav class="languages" aria-label="Sprachen">
        <ul>
        <li><a href="../en/stem-cells.html" hreflang="en" lang="en" rel="alternate">English</a></li>
        <li><span aria-current="page" lang="de">Deutsch</span></li>
        </ul>
        </nav>
        """,
    )


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
    # The old address answers with a redirect (tests/test_addresses.py has the rest).
    assert "output/de/stem-cells.html: address retired; it redirects to de/stammzellen.html" in result.out
    assert 'url=../de/stammzellen.html"' in (project / "output/de/stem-cells.html").read_text(encoding="utf-8")
    assert '<a href="../de/stammzellen.html" hreflang="de"' in page(project, "en")
    assert 'hreflang="de" href="http://127.0.0.1:8000/de/stammzellen.html"' in page(project, "en")
    assert '<a href="../en/stem-cells.html" hreflang="en"' in page(project, "de", "stammzellen")


def test_one_slug_rule_for_check_and_build(project):
    """A translated slug `check` refuses is not published either: the page keeps the source's address."""
    path = project / "locales/de/LC_MESSAGES/stem-cells.po"
    po = polib.pofile(str(path))
    next(e for e in po if e.msgctxt == "slug").msgstr = "stamm__zellen..x"
    po.save(str(path))
    assert run(project, "build").code == 0
    assert not (project / "output/de/stamm__zellen..x.html").exists()
    assert '<a href="../de/stem-cells.html" hreflang="de"' in page(project, "en")
    result = run(project, "check", "--lang", "de")
    assert result.code == 1
    assert "stem-cells.po" in result.out and "slug: slug 'stamm__zellen..x' is not a valid page address" in result.out


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


def test_publish_prints_what_a_person_reads_and_every_file_with_v(tmp_path):
    """The first publish: the pages written and the summary, not the search index's
    fragments; `-v` lists every file."""
    root = copy_repo(tmp_path / "p")
    quiet = run_cli(None, "publish", cwd=root, env={"LANG": "C.UTF-8"})
    assert quiet.returncode == 0, quiet.stderr
    lines = quiet.stdout.splitlines()
    assert len(lines) <= 10, lines
    assert not [line for line in lines if "pagefind" in line or ".pot" in line or "assets/" in line]
    assert "output/de/stammzelltherapie-als.html: written" in lines
    assert lines[-2].startswith("edition en: ") and lines[-1].startswith("edition de: ")
    shutil.rmtree(root / "output")
    shutil.rmtree(root / ".cache")
    loud = run_cli(None, "publish", "-v", cwd=root, env={"LANG": "C.UTF-8"})
    assert [line for line in loud.stdout.splitlines() if "output/pagefind/" in line]
    assert set(lines) - set(loud.stdout.splitlines()) <= {line for line in lines if "file(s) written" in line}
