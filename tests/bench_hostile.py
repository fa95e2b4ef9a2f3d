"""Time every command on the hostile inputs of issue 11 (pathological regex and
parse cases): `python -m tests.bench_hostile`. A measurement, not a test: each case
prints its wall time, its CPU time (what counts on a shared machine) and exit code;
none should take more than a few seconds.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.support import run_cli

BASE = Path(__file__).resolve().parent / "bad_input" / "_base"
CATALOG = "locales/de/LC_MESSAGES/article.po"


def _project(tmp: Path, name: str) -> Path:
    root = tmp / name
    shutil.copytree(BASE, root)
    for command in ("update", "build"):
        run_cli(root, command)
    return root


def _append(root: Path, rel: str, text: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as handle:
        handle.write(text)


def _translate_first(root: Path, msgstr: str) -> None:
    """Give the catalog's first translated entry the msgstr `msgstr` (PO-escaped)."""
    path = root / CATALOG
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith('msgstr "') and i > 3 and lines[i - 1].startswith("msgid") and lines[i - 1] != 'msgid ""':
            lines[i] = f'msgstr "{msgstr}"'
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def unterminated_escapes(root: Path) -> None:
    _append(root, CATALOG, '\nmsgid "x"\nmsgstr "' + "\\xa" + "a" * 125 + "\n")


def continuation_lines(root: Path) -> None:
    _append(root, CATALOG, '\nmsgid "x"\nmsgstr ""\n' + '"abcdefghij abcdefghij abcdefghij abcdefghij"\n' * 100_000)


def tag_and_spaces(root: Path) -> None:
    _translate_first(root, "<a" + " " * 60_000)


def obsolete_entries(root: Path) -> None:
    _append(root, CATALOG, "".join(f'\n#~ msgid "old {i}"\n#~ msgstr "alt {i}"\n' for i in range(100_000)))


def front_matter_keys(root: Path) -> None:
    keys = "".join(f"k{i}: v\n" for i in range(50_000))
    (root / "source/article.md").write_text(f"---\ntitle: T\n{keys}---\n\nBody.\n", encoding="utf-8")


def spaces_in_paragraph(root: Path) -> None:
    (root / "source/article.md").write_text("---\ntitle: T\n---\n\nA" + " " * 40_000 + "b.\n", encoding="utf-8")


def stars(root: Path) -> None:
    body = "*" * 5_000 + "x" + "*" * 5_000
    (root / "source/article.md").write_text("---\ntitle: T\n---\n\n" + body + "\n", encoding="utf-8")


def list_markers(root: Path) -> None:
    (root / "source/article.md").write_text("---\ntitle: T\n---\n\n" + "* " * 5_000 + "x\n", encoding="utf-8")


def links_in_a_translation(root: Path) -> None:
    _translate_first(root, "[x](a)" * 20_000)


def unclosed_scripts(root: Path) -> None:
    _translate_first(root, "<script>" * 20_000)


def nested_list(root: Path) -> None:
    body = "".join("    " * i + "- x\n" for i in range(300))
    (root / "source/article.md").write_text("---\ntitle: T\n---\n\n" + body, encoding="utf-8")


def interleaved_spans(root: Path) -> None:
    # every kind of protected span, interleaved: each scan's matches land between the last one's
    _translate_first(root, "`c` [a](http://x.y/z) &amp; www.ex.org mail@ex.org <b>x</b> {#id} " * 30_000)


CASES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "PO string, 128 chars of hex escapes, unterminated": (unterminated_escapes, ("update", "build", "check", "stats")),
    "PO msgstr of 100,000 continuation lines": (continuation_lines, ("check", "stats")),
    "msgstr '<a' + 60,000 spaces": (tag_and_spaces, ("check", "build")),
    "100,000 obsolete entries": (obsolete_entries, ("check", "stats", "build")),
    "50,000 front-matter keys": (front_matter_keys, ("extract", "update")),
    "40,000 spaces in a paragraph": (spaces_in_paragraph, ("extract", "update", "build")),
    "5,000 '*' either side of a word": (stars, ("update", "build", "check")),
    "5,000 list markers on a line": (list_markers, ("update", "build")),
    "300-deep nested list": (nested_list, ("update", "build")),
    "20,000 links in a msgstr": (links_in_a_translation, ("check", "build")),
    "20,000 unclosed <script> in a msgstr": (unclosed_scripts, ("check", "build")),
    "240,000 interleaved spans of 8 kinds in a msgstr (2 MB)": (interleaved_spans, ("check", "build")),
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    slowest = (0.0, "")
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, (make, commands)) in enumerate(CASES.items()):
            root = _project(Path(tmp), f"case{number}")
            make(root)
            for command in commands:
                started, cpu = time.perf_counter(), _children_cpu()
                result = run_cli(root, command, timeout=600)
                seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
                slowest = max(slowest, (cpu, f"{name}: {command}"))
                last = (result.stderr.strip().splitlines() or [""])[-1][:90]
                print(f"{seconds:7.2f} s ({cpu:6.2f} s CPU)  exit {result.returncode}  {name}: {command}  {last}")
    print(f"slowest: {slowest[1]} ({slowest[0]:.2f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
