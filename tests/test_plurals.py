"""Plural-Forms as translators' tools write them: a new catalog's header is the one
GNU `msginit -l LANG` writes (Poedit and Weblate follow it), CLDR's only where
msginit has none (Arabic); a catalog that has a header keeps it; `msgfmt -c`
accepts every new catalog."""

from __future__ import annotations

import re
import subprocess

import polib
import pytest

from pipeline.catalog.plurals import GNU_PLURAL_FORMS, plural_forms
from tests.support import gnu, make_project, msgfmt_check, run

LANGS = ["ar", "ru", "tr", "pl", "fr"]
ARTICLE = """\
---
title: Pain relief
---
Take 5 mg twice a day.
"""


def msginit_plural_forms(lang: str, tmp_path) -> str | None:
    """What GNU msginit writes as Plural-Forms for `lang` (None: no such line)."""
    pot = tmp_path / "x.pot"
    pot.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr ""\n')
    out = gnu("msginit", "-l", lang, "--no-translator", "-i", str(pot), "-o", "-").stdout
    joined = subprocess.run(["msgcat", "--no-wrap", "-"], input=out, capture_output=True, text=True, check=True)
    found = re.search(r'^"Plural-Forms: (.*?)\\n"$', joined.stdout, re.M)
    return found.group(1) if found else None


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(
        tmp_path_factory.mktemp("plurals"), {"pain": ARTICLE}, f"[tool.pipeline]\nlanguages = {['en', *LANGS]!r}\n"
    )
    result = run(root, "update")
    assert result.code == 0, result.err
    return root


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_catalog_has_msginits_plural_forms(project, lang, tmp_path):
    expected = msginit_plural_forms(lang, tmp_path)
    for name in ("site", "pain"):
        path = project / "locales" / lang / "LC_MESSAGES" / f"{name}.po"
        header = polib.pofile(str(path)).metadata["Plural-Forms"]
        if expected is None:  # msginit 0.21 has none for Arabic: CLDR's six forms
            assert lang == "ar" and header.startswith("nplurals=6;"), header
        else:
            assert header == expected
        check = msgfmt_check(path)
        assert check.returncode == 0, check.stderr


def test_french_is_two_forms_as_gettext_not_cldrs_three(project):
    header = polib.pofile(str(project / "locales/fr/LC_MESSAGES/site.po")).metadata["Plural-Forms"]
    assert header == "nplurals=2; plural=(n > 1);"


def test_the_table_is_what_msginit_writes(tmp_path):
    """Every recorded row still matches this machine's msginit."""
    for lang, forms in GNU_PLURAL_FORMS.items():
        assert msginit_plural_forms(lang, tmp_path) == forms, lang
    assert plural_forms("fr_CA") == GNU_PLURAL_FORMS["fr"]


def test_a_catalog_with_a_header_keeps_it(project):
    path = project / "locales/fr/LC_MESSAGES/pain.po"
    po = polib.pofile(str(path))
    cldr = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
    po.metadata["Plural-Forms"] = cldr
    po.save(str(path))
    (project / "source/pain.md").write_text(ARTICLE + "\nA new paragraph.\n", encoding="utf-8")
    assert run(project, "update").code == 0
    assert polib.pofile(str(path)).metadata["Plural-Forms"] == cldr
