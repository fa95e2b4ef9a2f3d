"""No lost update: a person's save while a command rewrites the same catalog survives.

Each test runs the command as a user does (a subprocess) and saves the catalog it
is about to replace, at exactly that moment: the environment variable
`PIPELINE_TEST_PAUSE_BEFORE_WRITE` (`pipeline.base.files.PAUSE_ENV`) makes every
write that checks what it read stop just before that check and wait, so the race
is deterministic. The person saves as Poedit does (a temporary file renamed over
the catalog) or as an editor that writes in place. `approve` and `import` carry a
person's decision on the file they read: they stop, exit 1, one line, and the save
is on disk byte for byte. `update` and `pretranslate` can redo their work: they
start over from the saved file, and the person's entry is there, as saved, with
the command's work around it.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from translate.storage.xliff import xlifffile

from pipeline.base.files import PAUSE_ENV
from pipeline.catalog.pofile import read_po
from tests.libre_server import LibreServer
from tests.support import approve_args, copy_repo, run, start_cli
from tests.test_pretranslate import make, reviewed_ui

ALS = "als-stem-cell-therapy"
DE = f"locales/de/LC_MESSAGES/{ALS}.po"
PERSON = "Von einer Person gespeichert, während der Befehl lief."
_MSGSTR_RE = re.compile(r'^msgstr "(.+)"$', re.M)  # a one-line, non-empty msgstr (not the header's)
_EMPTY_RE = re.compile(r'^(msgid "([^"\n]{20,})"\nmsgstr )""$', re.M)  # a one-line msgid, untranslated


def _poedit(path: Path, data: bytes) -> None:
    """Poedit's save: a new file beside it, renamed over the catalog."""
    tmp = path.with_name(path.name + "~poedit")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _in_place(path: Path, data: bytes) -> None:
    """A text editor's save: the same file truncated and written."""
    with path.open("r+b") as handle:
        handle.truncate(0)
        handle.write(data)


SAVES = {"poedit": _poedit, "in-place": _in_place}


def edit_translation(text: str) -> str:
    """A person's edit of a reviewed catalog: one translation rewritten."""
    return _MSGSTR_RE.sub(f'msgstr "{PERSON}"', text, count=1)


def fill_translation(text: str) -> str:
    """A person's edit of an untranslated catalog: one entry translated."""
    return _EMPTY_RE.sub(rf'\1"{PERSON}"', text, count=1)


def _read(path: Path) -> str:
    """The file's text, or "" if it is not there."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def race(root: Path, hook: Path, args: list[str], edit: Callable[[str], str], save) -> tuple[object, Path, bytes]:
    """Run the command; at its first checked write, save that file as a person
    would (`edit` of its text); let every later write go. Returns the finished
    process (with `out`, `err`), the file saved and the bytes saved."""
    hook.mkdir()
    proc = start_cli(root, *args, env={PAUSE_ENV: str(hook)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waiting, go = hook / "waiting", hook / "go"
    saved: tuple[Path, bytes] | None = None
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        # `go` first: the command removes `waiting`, then `go`, once it has gone on; so with no
        # `go`, a `waiting` there is a pause (or gone, read as none: never two looks at it).
        named = "" if go.exists() else _read(waiting)
        if named:
            if saved is None:
                path = Path(named)
                data = edit(path.read_text(encoding="utf-8")).encode("utf-8")
                assert data != path.read_bytes()
                save(path, data)
                saved = (path, data)
            go.touch()
        time.sleep(0.005)
    out, err = proc.communicate(timeout=60)
    assert saved is not None, f"the command wrote no checked file: {out}{err}"
    proc.out, proc.err = out, err
    return proc, *saved


@pytest.fixture
def repo(tmp_path) -> Path:
    root = copy_repo(tmp_path / "p")
    assert run(root, "update").code == 0
    return root


@pytest.mark.parametrize("style", SAVES)
def test_approve_stops_and_the_save_survives(repo, tmp_path, style):
    proc, path, data = race(
        repo, tmp_path / "hook", [*approve_args(repo, "Dr. A"), ALS], edit_translation, SAVES[style]
    )
    assert proc.returncode == 1, proc.err
    lines = proc.err.strip().splitlines()
    assert lines == [f"{DE}: changed on disk while this command ran (a person saved it meanwhile); left as saved"]
    assert path == repo / DE and path.read_bytes() == data
    assert not list(path.parent.glob(".*.tmp"))  # nothing of the command's left behind


@pytest.mark.parametrize("style", SAVES)
def test_import_stops_and_the_save_survives(repo, tmp_path, style):
    assert run(repo, "export", "--lang", "de", ALS, "-o", str(tmp_path / "de.xlf")).code == 0
    store = xlifffile.parsefile(str(tmp_path / "de.xlf"))
    # The last plain unit: the person edits the first translation, another entry.
    unit = [u for u in store.units if u.source and "[" not in u.source and "`" not in u.source][-1]
    unit.target = "Die Agentur hat das neu übersetzt."
    (tmp_path / "agency.xlf").write_bytes(bytes(store))
    proc, path, data = race(
        repo, tmp_path / "hook", ["import", str(tmp_path / "agency.xlf")], edit_translation, SAVES[style]
    )
    assert proc.returncode == 1, proc.err
    assert proc.err.strip().splitlines() == [
        f"{DE}: changed on disk while this command ran (a person saved it meanwhile); left as saved"
    ]
    assert path.read_bytes() == data
    # Run again: the delivery goes in, into the file as the person left it.
    again = run(repo, "import", str(tmp_path / "agency.xlf"))
    assert again.code == 0, again.err
    assert "Die Agentur hat das neu übersetzt." in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("style", SAVES)
def test_update_starts_over_from_the_save(repo, tmp_path, style):
    md = repo / "source" / f"{ALS}.md"
    text = md.read_text(encoding="utf-8")
    paragraph = re.search(r"^Currently, there is no known cure.*$", text, re.M).group(0)
    md.write_text(text.replace(paragraph, paragraph + " An added sentence."), encoding="utf-8")
    proc, path, data = race(repo, tmp_path / "hook", ["update"], edit_translation, SAVES[style])
    assert proc.returncode == 0, proc.err
    assert path == repo / DE
    final = path.read_text(encoding="utf-8")
    person = next(b for b in data.decode("utf-8").split("\n\n") if PERSON in b)
    assert person in final.split("\n\n")  # the person's entry, as they saved it
    assert "An added sentence." in final  # and the merge, done again on their file


@pytest.mark.parametrize("style", SAVES)
def test_pretranslate_starts_over_from_the_save(tmp_path, style):
    root = make(tmp_path / "p")
    reviewed_ui(root, "fr")
    with LibreServer() as server:
        args = ["pretranslate", "--lang", "fr", "--engine-url", server.url]
        proc, path, data = race(root, tmp_path / "hook", args, fill_translation, SAVES[style])
    assert proc.returncode == 0, proc.err
    person = next(e for e in read_po(Path(path)) if e.msgstr == PERSON)  # their translation stays theirs
    assert not person.fuzzy and "pretranslated" not in person.tcomment
    saved = next(b for b in data.decode("utf-8").split("\n\n") if PERSON in b)
    assert saved in path.read_text(encoding="utf-8").split("\n\n")
    assert any("pretranslated: " in e.tcomment for e in read_po(Path(path)))  # and the drafts around it


def test_atomic_write_checks_what_was_read_just_before_the_rename(tmp_path):
    from pipeline.base.files import ABSENT, Changed, atomic_write, fingerprint

    path = tmp_path / "a.po"
    path.write_bytes(b"read")
    seen = fingerprint(b"read")
    path.write_bytes(b"saved by a person")
    with pytest.raises(Changed, match="a person saved it meanwhile"):
        atomic_write(path, "ours", expect=seen)
    assert path.read_bytes() == b"saved by a person" and os.listdir(tmp_path) == ["a.po"]
    atomic_write(path, "ours", expect=fingerprint(b"saved by a person"))
    assert path.read_bytes() == b"ours"
    new = tmp_path / "new.po"  # read as absent: a file that appeared since is a person's
    new.write_bytes(b"theirs")
    with pytest.raises(Changed):
        atomic_write(new, "ours", expect=ABSENT)
    assert new.read_bytes() == b"theirs"


def test_build_stops_before_its_swap_on_an_edit_of_the_address_history(repo, tmp_path):
    """`locales/addresses.csv` is a person's file too (a line deleted retires an
    address for good): a build that would write it over their edit stops, one line,
    before its swap; their edit stays and `output/` is as it was."""
    assert run(repo, "build").code == 0
    history = repo / "locales" / "addresses.csv"
    site = {p: p.read_bytes() for p in (repo / "output").rglob("*") if p.is_file()}
    po = repo / DE
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "stammzelltherapie-als"', 'msgstr "neu-als"', 1))
    proc, path, data = race(
        repo, tmp_path / "hook", ["build"], lambda text: text + "x,de,an-old-address,2026-01-01\n", _poedit
    )
    assert path == history and history.read_bytes() == data
    assert proc.returncode == 1, proc.err
    assert proc.err.strip().splitlines() == [
        "locales/addresses.csv: changed on disk while this command ran (a person saved it meanwhile); left as saved"
    ]
    assert {p: p.read_bytes() for p in (repo / "output").rglob("*") if p.is_file()} == site
