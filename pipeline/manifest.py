"""Content hashes of what each step read, so a rerun can skip what did not change.

Two manifests, each next to what it describes:

* `.cache/pipeline/update.json` — per article, the hash of its source, template
  and catalogs as `update` left them (the cache folder is not committed; without it
  everything is simply processed again);
* `output/.manifest.json` — per article, the hash of every input of its pages and
  what those pages were (files, index entries). It lives inside `output/`, so it is
  swapped in together with the pages it describes and can never disagree with them.

Every hash includes the pipeline's version and the configuration, so upgrading the
pipeline or changing a setting rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.fsutil import atomic_write

FORMAT = 1


def digest(*parts: bytes | str | None) -> str:
    """A hash of `parts`, each length-prefixed so that no two sequences collide."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = b"\xff" if part is None else part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_bytes(path: Path, limit: int = 64 * 1024 * 1024) -> bytes | None:
    """The file's bytes, or None when there is no readable regular file of at most
    `limit` bytes: a hash only has to change when the content may have; reading
    (and reporting) a folder, a device or a link loop is the reader's job."""
    try:
        if not path.is_file() or path.stat().st_size > limit:
            return None
        return path.read_bytes()
    except OSError:
        return None


def folder_digest(folder: Path) -> str:
    """A hash of every file under `folder` (names and bytes)."""
    parts: list[bytes | str | None] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def load(path: Path, stamp: str) -> dict[str, Any]:
    """A manifest's entries, or {} if it is missing, unreadable or from another
    version or configuration (`stamp`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("stamp") != stamp:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def save(path: Path, stamp: str, entries: dict[str, Any]) -> None:
    """Write a manifest atomically. Entries keep their order (callers sort them):
    inside an entry, order carries meaning (a page's editions are in site order)."""
    text = json.dumps({"format": FORMAT, "stamp": stamp, "entries": entries}, indent=0, ensure_ascii=False)
    atomic_write(path, text + "\n")


def stamp(*parts: bytes | str | None) -> str:
    """What invalidates a whole manifest: the pipeline version plus `parts`."""
    return digest(__version__, str(FORMAT), *parts)
