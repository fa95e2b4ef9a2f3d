"""`update` on real files: GNU msgmerge's semantics, checked against GNU's own tools."""

from __future__ import annotations

import os

import polib
import pytest

from pipeline.catalog.pofile import read_po
from tests.support import gnu, make_project, msgfmt_check, run

ARTICLE = """\
---
title: Stem cells
description: A short article.
---

## Introduction

The first paragraph explains the disease in some detail.

The second paragraph describes the symptoms of the disease.

The third paragraph will be removed in the next version of the text.

- A list item
- Another list item
"""

GERMAN = {
    "Stem cells": "Stammzellen",
    "A short article.": "Ein kurzer Artikel.",
    "Introduction": "Einleitung",
    "The first paragraph explains the disease in some detail.": "Der erste Absatz erklärt die Krankheit ausführlich.",
    "The second paragraph describes the symptoms of the disease.": "Der zweite Absatz beschreibt die Symptome.",
    "The third paragraph will be removed in the next version of the text.": "Der dritte Absatz wird entfernt.",
    "A list item": "Ein Listenpunkt",
    "Another list item": "Noch ein Listenpunkt",
}


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path / "p", {"article": ARTICLE})
    assert run(root, "update").code == 0
    return root


def po_path(root):
    return root / "locales" / "de" / "LC_MESSAGES" / "article.po"


def translate_all(root, mapping=GERMAN):
    path = po_path(root)
    po = polib.pofile(str(path))
    for e in po:
        if e.msgid in mapping:
            e.msgstr = mapping[e.msgid]
    po.save(str(path))


def edit_source(root, old, new):
    path = root / "source" / "article.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def entries(path):
    return {(e.msgctxt, e.msgid): e for e in read_po(path)}


def test_new_catalog_has_a_complete_header_and_passes_msgfmt(project):
    path = po_path(project)
    check = msgfmt_check(path)
    assert check.returncode == 0 and check.stderr == "", check.stderr
    po = read_po(path)
    assert po.metadata["Language"] == "de"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert "POT-Creation-Date" not in po.metadata  # no date churn
    assert (project / "locales" / "templates" / "article.pot").exists()
    assert entries(path)[(None, "Introduction")].occurrences == [("source/article.md", "6")]


def test_changed_paragraph_becomes_fuzzy_with_previous_msgid_and_removed_becomes_obsolete(project):
    translate_all(project)
    edit_source(project, "describes the symptoms of", "describes the main symptoms of")
    edit_source(project, "The third paragraph will be removed in the next version of the text.\n\n", "")
    result = run(project, "update")
    assert result.code == 0, result.err
    path = po_path(project)
    assert msgfmt_check(path).returncode == 0
    got = entries(path)
    changed = got[(None, "The second paragraph describes the main symptoms of the disease.")]
    assert changed.fuzzy
    assert changed.previous_msgid == "The second paragraph describes the symptoms of the disease."
    assert changed.msgstr == "Der zweite Absatz beschreibt die Symptome."
    removed = got[(None, "The third paragraph will be removed in the next version of the text.")]
    assert removed.obsolete and removed.msgstr == "Der dritte Absatz wird entfernt."
    untouched = got[(None, "The first paragraph explains the disease in some detail.")]
    assert not untouched.fuzzy and untouched.msgstr.startswith("Der erste Absatz")
    assert "#| msgid" in path.read_text(encoding="utf-8")
    assert "#~ msgid" in path.read_text(encoding="utf-8")


def test_agrees_with_gnu_msgmerge(project, tmp_path):
    """Same old catalog + same new template: our merge and `msgmerge --previous`
    agree on every entry's translation, fuzziness, previous msgid and obsolescence."""
    translate_all(project)
    # one reworded, one removed, one added, one untranslated-and-removed
    po = polib.pofile(str(po_path(project)))
    po.find("Another list item").msgstr = ""
    po.save(str(po_path(project)))
    old = tmp_path / "old.po"
    old.write_bytes(po_path(project).read_bytes())
    edit_source(project, "explains the disease in some detail", "explains the disease in great detail")
    edit_source(
        project, "The third paragraph will be removed in the next version of the text.\n\n", "A new paragraph.\n\n"
    )
    edit_source(project, "- Another list item\n", "")
    assert run(project, "update").code == 0
    gnu_po = tmp_path / "gnu.po"
    gnu(
        "msgmerge", "--previous", "--quiet", str(old), str(project / "locales/templates/article.pot"), "-o", str(gnu_po)
    )

    def summary(path):
        return sorted(
            (e.msgctxt or "", e.msgid, e.msgstr, e.fuzzy, e.previous_msgid or "", bool(e.obsolete))
            for e in polib.pofile(str(path))
        )

    assert summary(po_path(project)) == summary(gnu_po)


def test_still_fuzzy_entry_keeps_its_previous_msgid_on_the_next_run(project):
    translate_all(project)
    edit_source(project, "describes the symptoms of", "describes the main symptoms of")
    assert run(project, "update").code == 0
    edit_source(project, "## Introduction", "## Overview")  # an unrelated change
    assert run(project, "update").code == 0
    changed = entries(po_path(project))[(None, "The second paragraph describes the main symptoms of the disease.")]
    assert changed.fuzzy
    assert changed.previous_msgid == "The second paragraph describes the symptoms of the disease."


def test_rerun_with_nothing_changed_leaves_every_file_byte_identical(project):
    translate_all(project)
    assert run(project, "update").code == 0
    files = sorted((project / "locales").rglob("*.po*"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    result = run(project, "update")
    assert result.code == 0 and "0 written" in result.out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before


@pytest.mark.parametrize("width", ["--width=79", "--width=60", "--no-wrap"])
def test_catalog_rewrapped_by_a_translators_tool_is_not_rewritten(project, width):
    translate_all(project)
    path = po_path(project)
    gnu("msgcat", width, "-o", str(path), str(path))
    rewrapped = path.read_bytes()
    result = run(project, "update")
    assert result.code == 0 and "0 written" in result.out, result.out
    assert path.read_bytes() == rewrapped
    assert entries(path)[(None, "Introduction")].msgstr == "Einleitung"


def test_translator_comments_survive_msgcat_and_a_rewrapped_change_is_merged(project):
    translate_all(project)
    path = po_path(project)
    po = polib.pofile(str(path))
    po.find("A list item").tcomment = "keep-source"
    po.save(str(path))
    gnu("msgcat", "--width=79", "-o", str(path), str(path))
    assert "# keep-source" in path.read_text(encoding="utf-8")
    edit_source(project, "## Introduction", "## Overview")
    assert run(project, "update").code == 0
    got = entries(path)
    assert got[(None, "A list item")].tcomment == "keep-source"
    assert msgfmt_check(path).returncode == 0


def test_revived_obsolete_entry_keeps_its_translation(project):
    translate_all(project)
    edit_source(project, "- A list item\n", "")
    assert run(project, "update").code == 0
    assert entries(po_path(project))[(None, "A list item")].obsolete
    edit_source(project, "- Another list item\n", "- A list item\n- Another list item\n")
    assert run(project, "update").code == 0
    revived = entries(po_path(project))[(None, "A list item")]
    assert not revived.obsolete and not revived.fuzzy and revived.msgstr == "Ein Listenpunkt"


def test_update_only_one_language_and_a_german_authored_article(tmp_path):
    root = make_project(
        tmp_path / "p",
        {"en-article": "English text.\n", "de-artikel": "---\nlang: de\n---\n\nDeutscher Text.\n"},
        '[tool.pipeline]\nlanguages = ["en", "de", "fr"]\n',
    )
    assert run(root, "update", "--lang", "fr").code == 0
    assert (root / "locales/fr/LC_MESSAGES/en-article.po").exists()
    assert (root / "locales/fr/LC_MESSAGES/de-artikel.po").exists()
    assert not (root / "locales/de").exists()
    assert run(root, "update").code == 0
    assert (root / "locales/en/LC_MESSAGES/de-artikel.po").exists()  # German → English
    assert not (root / "locales/en/LC_MESSAGES/en-article.po").exists()
    assert not (root / "locales/de/LC_MESSAGES/de-artikel.po").exists()
    assert "Deutscher Text." in (root / "locales/en/LC_MESSAGES/de-artikel.po").read_text(encoding="utf-8")
    for po in (root / "locales").rglob("*.po"):
        assert msgfmt_check(po).returncode == 0, po


def test_articles_in_subfolders_keep_their_path(tmp_path):
    root = make_project(tmp_path / "p", {"news/flu": "Flu season.\n"})
    assert run(root, "update").code == 0
    assert (root / "locales/de/LC_MESSAGES/news/flu.po").exists()
    assert (root / "locales/templates/news/flu.pot").exists()


def test_catalog_files_are_written_atomically(project, monkeypatch):
    """A crash while writing leaves the old catalog whole (no temp files left behind)."""
    translate_all(project)
    path = po_path(project)
    before = path.read_bytes()
    edit_source(project, "## Introduction", "## Overview")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    result = run(project, "update")
    assert result.code == 1
    assert "no space left on the device" in result.err
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".*.tmp"))
