"""`import` has ceilings: only regular files, bytes, elements, nesting depth,
segment length; and a delivery that says one thing twice is refused.

Every hostile file is made here, streamed to disk (nothing big is committed),
and imported by the command line in a subprocess: exit 1, one line naming the
file (and both places, for a duplicate), `locales/` byte for byte as it was, in
little time and memory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.exchange.xmlio import MAX_BYTES, MAX_DEPTH, MAX_ELEMENTS, MAX_SEGMENT
from tests.support import measured_cli, run, run_cli, snapshot
from tests.test_pretranslate import make

MB = 1024 * 1024
NS = "urn:oasis:names:tc:xliff:document:1.2"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{NS}">\n'
TMX_HEAD = '<tmx version="1.4"><header srclang="en" segtype="paragraph" o-tmf="x" adminlang="en" datatype="x"/>\n'


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make(tmp_path_factory.mktemp("bounds") / "p", guide=False)
    assert run(root, "export", "--lang", "de", "-o", str(root / "de.xlf")).code == 0
    return root


def refused(project: Path, path: Path, pattern: str, seconds: float = 20, memory: int = 200 * MB, code: int = 1) -> str:
    """Import `path`: exit `code` (1, content; 2, a folder named as the file), one line
    naming it and matching `pattern`, nothing written, within `seconds` and `memory`
    (peak RSS of the command)."""
    before = snapshot(project / "locales")
    result, peak, elapsed = measured_cli(project, "import", str(path), timeout=120)
    line = result.stderr.strip()
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and len(line.splitlines()) == 1, result.stderr
    assert line.startswith(f"{path.name}:") or line.startswith(f"{path}:"), line
    assert re.search(pattern, line), line
    assert snapshot(project / "locales") == before
    assert elapsed < seconds, f"{elapsed:.1f} s"
    assert peak < memory, f"peak RSS {peak / MB:.0f} MB"
    return line


def stream(path: Path, head: str, piece: str, size: int, tail: str = "") -> Path:
    """`head`, then `piece` repeated until the file has `size` bytes, then `tail`."""
    block = piece.encode() * max(1, (1 << 20) // len(piece.encode()))
    with path.open("wb") as out:
        out.write(head.encode())
        written = len(head.encode())
        while written < size:
            out.write(block)
            written += len(block)
        out.write(tail.encode())
    return path


def test_a_file_over_the_byte_ceiling_is_refused_unread(project, tmp_path):
    path = stream(tmp_path / "big.xlf", HEAD, "<x/>", MAX_BYTES + 1, "</xliff>\n")
    refused(project, path, r"is [\d,]+ bytes; the limit for an exchange file is 52,428,800 bytes \(50 MB\)", 5)


def test_a_file_of_empty_elements_under_the_byte_ceiling_stops_at_the_element_ceiling(project, tmp_path):
    path = stream(tmp_path / "many.xlf", HEAD, "<x/>", MAX_BYTES - MB, "</xliff>\n")
    refused(project, path, rf"has more than {MAX_ELEMENTS:,} elements, the limit for an exchange file")


def test_deep_nesting_is_one_line_not_a_recursion_error(project, tmp_path):
    unit = (project / "de.xlf").read_text(encoding="utf-8")
    deep = "<mrk mtype='seg'>" * 1200 + "x" + "</mrk>" * 1200
    path = tmp_path / "deep.xlf"
    path.write_text(re.sub(r"(<target[^>]*>)", lambda m: m.group(1) + deep, unit, count=1), encoding="utf-8")
    refused(project, path, rf"nests elements more than {MAX_DEPTH} deep")


def test_a_29_mb_tmx_segment_is_refused_by_the_segment_ceiling(project, tmp_path):
    head = TMX_HEAD + '<body><tu><tuv xml:lang="en"><seg>'
    path = stream(tmp_path / "long.tmx", head, "a", 29 * MB, "</seg></tuv></tu></body></tmx>\n")
    refused(project, path, rf"has a segment of more than {MAX_SEGMENT:,} characters", 10)


def test_duplicate_unit_ids_in_a_file_are_refused_naming_both_lines(project, tmp_path):
    text = (project / "de.xlf").read_text(encoding="utf-8")
    unit = re.search(r"<trans-unit .*?</trans-unit>", text, re.S)
    path = project / "twice.xlf"
    path.write_text(text[: unit.end()] + "\n" + unit.group(0) + text[unit.end() :], encoding="utf-8")
    first = text[: unit.start()].count("\n") + 1
    second = first + unit.group(0).count("\n") + 1
    line = refused(project, path, r"<trans-unit id='[0-9a-f]+'> repeats the unit at ")
    assert line.startswith(f"twice.xlf:{second}: ") and line.endswith(f"at twice.xlf:{first}"), line


def test_a_repeated_file_element_is_refused_naming_both_lines(project, tmp_path):
    text = (project / "de.xlf").read_text(encoding="utf-8")
    block = re.search(r"<file .*?</file>", text, re.S)
    path = project / "files.xlf"
    path.write_text(text[: block.end()] + "\n" + block.group(0) + text[block.end() :], encoding="utf-8")
    first = text[: block.start()].count("\n") + 1
    second = first + block.group(0).count("\n") + 1
    line = refused(project, path, r"<file original='locales/de/LC_MESSAGES/[^']+'> repeats the <file> at ")
    assert line.startswith(f"files.xlf:{second}: ") and line.endswith(f"at files.xlf:{first}"), line


def test_duplicate_tmx_units_for_one_source_and_language_are_refused(project, tmp_path):
    tu = '<tu><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="de"><seg>{}</seg></tuv></tu>\n'
    path = project / "twice.tmx"
    path.write_text(TMX_HEAD + "<body>\n" + tu.format("Hallo") + tu.format("Servus") + "</body></tmx>\n", "utf-8")
    line = refused(project, path, r"<tu> translates a source into 'de' that the <tu> at twice.tmx:3 translates too")
    assert line.startswith("twice.tmx:4: "), line


def test_a_fifo_is_refused_at_once_and_holds_no_lock(project, tmp_path):
    fifo = tmp_path / "pipe.xlf"
    os.mkfifo(fifo)
    # Nobody ever writes to it: a read would wait for ever, under the lock.
    line = refused(project, fifo, r"is not a regular file \(a named pipe\); refusing to read it", 10)
    assert line.startswith(f"{fifo}: ") or line.startswith("pipe.xlf: "), line
    # The project is not locked: a writer command runs at once.
    before = snapshot(project / "locales")
    result = run_cli(project, "import", str(project / "de.xlf"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert snapshot(project / "locales") == before  # (an export imported unedited changes nothing)


@pytest.mark.parametrize(
    ("path", "pattern", "code"),
    [("/dev/zero", r"is not a regular file \(a device or socket\)", 1), ("/tmp", r"is a folder, not a file", 2)],
)
def test_devices_and_folders_are_refused_unread(project, path, pattern, code):
    refused(project, Path(path), pattern, 10, code=code)
