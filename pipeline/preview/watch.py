"""Which project files changed: polling with `stat`, for the live preview.

Polling is portable (Linux, macOS, Windows, network folders, editors that save by
renaming a temporary file over the original) and needs no dependency; a poll of a
thousand articles and their catalogs is a few thousand `stat` calls, a few
milliseconds every `interval`. A file is identified by its size, modification
time and inode, so a save that keeps the size (one letter replaced) and an atomic
rename are both seen.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

Stamp = tuple[int, int, int]  # (mtime_ns, size, inode)


@dataclass(frozen=True)
class Changes:
    """Files added, modified or deleted between two polls (absolute paths)."""

    changed: frozenset[Path]
    deleted: frozenset[Path]

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted)


def scan(roots: Iterable[tuple[Path, str]], files: Iterable[Path] = ()) -> dict[Path, Stamp]:
    """`(folder, suffix)` pairs: every file with that suffix under the folder (links
    are not followed), plus the single `files`; their stamps."""
    found: dict[Path, Stamp] = {}
    for folder, suffix in roots:
        _walk(str(folder), suffix, found)
    for path in files:
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            continue
        found[Path(path)] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return found


def _walk(folder: str, suffix: str, found: dict[Path, Stamp]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # deleted while we looked, or not there yet
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith("."):
                    _walk(entry.path, suffix, found)
            elif entry.name.endswith(suffix) and not entry.name.startswith("."):
                st = entry.stat(follow_symlinks=False)
                found[Path(entry.path)] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            continue


def diff(old: dict[Path, Stamp], new: dict[Path, Stamp]) -> Changes:
    """What changed from one scan to the next."""
    changed = frozenset(p for p, s in new.items() if old.get(p) != s)
    deleted = frozenset(p for p in old if p not in new)
    return Changes(changed, deleted)


class Watcher:
    """Polls a fixed set of folders and files; `poll()` returns what changed since
    the previous call."""

    def __init__(self, roots: list[tuple[Path, str]], files: list[Path]) -> None:
        self.roots = roots
        self.files = files
        self.state = scan(roots, files)

    def poll(self) -> Changes:
        new = scan(self.roots, self.files)
        changes = diff(self.state, new)
        self.state = new
        return changes
