"""An undone source edit is undone: the catalogs and pages come back byte for byte.

A reviewed translation that a source edit made fuzzy carries the comment
`# reviewed before the source changed: DIGEST`; when the source returns to that
text and the translation is still the one reviewed, `update` gives the entry its
state back (and its sign-off, which verifies again). A translation edited meanwhile,
a machine draft, or an entry a translator marked fuzzy stays fuzzy.
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from pipeline.catalog.merge import WAS_REVIEWED
from pipeline.catalog.model import state
from pipeline.catalog.pofile import read_po, serialize
from tests.support import approve_args, copy_repo, run_cli

SOURCE = "source/als-stem-cell-therapy.md"
CATALOG = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
BEFORE = "The neurologist is responsible for the diagnosis."
AFTER = "The neurologist is responsible for the diagnosis!"
ENV = {"LANG": "C.UTF-8"}


def cli(root: Path, *args: str) -> None:
    done = run_cli(None, *args, cwd=root, env=ENV)
    assert done.returncode == 0, done.stderr


def snapshot(root: Path) -> dict[str, bytes]:
    """Every catalog and every page of the project, by path."""
    files = [*(root / "locales").rglob("*.po"), *(root / "output").rglob("*.html")]
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def edit(root: Path, old: str, new: str) -> None:
    path = root / SOURCE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def entry(root: Path, start: str) -> polib.POEntry:
    return next(e for e in read_po(root / CATALOG) if e.msgid.startswith(start))


@pytest.fixture
def project(tmp_path) -> Path:
    root = copy_repo(tmp_path / "p")
    cli(root, *approve_args(root, "Dr. A. Example"))  # the entry is approved, not only reviewed
    cli(root, "publish")
    assert state(entry(root, BEFORE)) == "approved"
    return root


def test_change_and_revert_gives_the_same_catalogs_and_pages(project):
    before = snapshot(project)
    edit(project, BEFORE, AFTER)
    cli(project, "publish")
    changed = entry(project, AFTER)
    assert changed.fuzzy and changed.previous_msgid.startswith(BEFORE)
    assert WAS_REVIEWED in changed.tcomment
    german = (project / "output/de/stammzelltherapie-als.html").read_text(encoding="utf-8")
    assert "Im Original aktualisiert" in german  # the changed paragraph is labelled meanwhile
    edit(project, AFTER, BEFORE)
    cli(project, "publish")
    assert state(entry(project, BEFORE)) == "approved"
    assert snapshot(project) == before


def test_a_translation_edited_meanwhile_stays_fuzzy(project):
    edit(project, BEFORE, AFTER)
    cli(project, "update")
    po = read_po(project / CATALOG)
    fuzzy = next(e for e in po if e.msgid.startswith(AFTER))
    fuzzy.msgstr = fuzzy.msgstr.replace("Diagnose", "Diagnose (neu)", 1)
    (project / CATALOG).write_text(serialize(po), encoding="utf-8")
    edit(project, AFTER, BEFORE)
    cli(project, "update")
    assert state(entry(project, BEFORE)) == "fuzzy"


def test_an_entry_a_translator_marked_fuzzy_stays_fuzzy(project):
    po = read_po(project / CATALOG)
    marked = next(e for e in po if e.msgid.startswith(BEFORE))
    marked.flags.append("fuzzy")  # "needs review", as Poedit marks it
    (project / CATALOG).write_text(serialize(po), encoding="utf-8")
    edit(project, BEFORE, AFTER)
    cli(project, "update")
    edit(project, AFTER, BEFORE)
    cli(project, "update")
    assert entry(project, BEFORE).fuzzy


def test_the_marker_goes_once_a_reviewer_accepts_the_new_translation(project):
    edit(project, BEFORE, AFTER)
    cli(project, "update")
    po = read_po(project / CATALOG)
    next(e for e in po if e.msgid.startswith(AFTER)).flags.remove("fuzzy")  # the reviewer's edit
    (project / CATALOG).write_text(serialize(po), encoding="utf-8")
    edit(project, "Various imaging examinations", "Several imaging examinations")  # so the file is merged again
    cli(project, "update")
    accepted = entry(project, AFTER)
    assert not accepted.fuzzy and WAS_REVIEWED not in (accepted.tcomment or "")
