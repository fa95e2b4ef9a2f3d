"""Content hashes of what each step read, so a rerun can skip what did not change.

Two manifests, each next to what it describes:

* `.cache/pipeline/update.json` — per article, the hash of its source, template
  and catalogs as `update` left them (the cache folder is not committed; without it
  everything is simply processed again);
* `output/.manifest.json` — per article, the hash of every input of its pages and
  what those pages were (files, index entries). It lives inside `output/`, so it is
  swapped in together with the pages it describes and can never disagree with them.

`Memo` is the same idea for what the read-only commands compute (`check`'s findings,
`stats`' counts, which article a source file is): a value kept under a key for as
long as the digest of its inputs is the same (`.cache/pipeline/<name>.json`). All
of them share one `FileHashes` table (`.cache/pipeline/files.json`), so the first
command after an edit hashes the edited file and every later one only stats it.

Every hash includes the pipeline's version and the configuration, so upgrading the
pipeline or changing a setting rebuilds everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.base.errors import PipelineError
from pipeline.base.files import atomic_write, read_regular

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


class FileHashes:
    """Content hashes of files, remembered with their size and mtime.

    A file whose size and modification time are what they were when it was hashed
    is not read again (what make and git do), so checking a thousand unchanged
    articles costs a thousand `stat` calls. The table is kept beside the update
    manifest; without it every file is simply read once.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.table: dict[str, list] = {}
        if path is not None:
            try:
                data = json.loads(_read(path))
                if isinstance(data, dict) and data.get("format") == FORMAT:
                    self.table = data.get("files", {})
            except (OSError, ValueError, PipelineError):
                pass
        self.changed = False

    def __call__(self, file: Path | str) -> str | None:
        """The file's content hash, or None if it is not a readable regular file."""
        key = str(file)
        try:
            st = os.stat(key)
        except OSError:
            return None
        known = self.table.get(key)
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        data = file_bytes(Path(key))
        if data is None:
            return None
        value = digest(data)
        self.table[key] = [st.st_size, st.st_mtime_ns, value]
        self.changed = True
        return value

    def learn(self, table: dict[str, list]) -> None:
        """Take in what another table hashed (a worker's, for one article): entries
        keyed by size and modification time, as this table's own."""
        if table:
            self.table.update(table)
            self.changed = True

    def save(self) -> None:
        if self.path is not None and self.changed:
            text = json.dumps({"format": FORMAT, "files": self.table}, separators=(",", ":"))
            atomic_write(self.path, text + "\n", durable=False)


def recorded(path: Path) -> tuple[str | None, dict[str, Any]]:
    """A manifest's stamp and entries, whatever the stamp; (None, {}) if it is
    missing, unreadable, not a regular file (a FIFO would block the reader) or of
    another format. The one reader of every manifest."""
    try:
        data = json.loads(_read(path))
    except (OSError, ValueError, PipelineError):
        return None, {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None, {}
    entries = data.get("entries")
    found = data.get("stamp")
    return (found if isinstance(found, str) else None), (entries if isinstance(entries, dict) else {})


def load(path: Path, stamp: str) -> dict[str, Any]:
    """A manifest's entries, or {} if it is missing, unreadable or from another
    version or configuration (`stamp`)."""
    found, entries = recorded(path)
    return entries if found == stamp else {}


def save(path: Path, stamp: str, entries: dict[str, Any]) -> None:
    """Write a manifest atomically. Entries keep their order (callers sort them):
    inside an entry, order carries meaning (a page's editions are in site order)."""
    # Compact separators keep json on its C encoder: this file has an entry per article.
    text = json.dumps({"format": FORMAT, "stamp": stamp, "entries": entries}, separators=(",", ":"), ensure_ascii=False)
    atomic_write(path, text + "\n", durable=False)  # a cache: a crash only costs a rebuild


def manifest_chunks(stamp: str, entries: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    """The bytes `save` writes for `entries` (name, entry; in order), a piece per
    entry: the build manifest of a thousand articles (3 MB of text, and its bytes)
    is never whole in memory, and each entry is made only when its turn comes."""
    head = {"format": FORMAT, "stamp": stamp, "entries": {}}
    text = json.dumps(head, separators=(",", ":"), ensure_ascii=False)
    yield text[:-2].encode("utf-8")  # up to the entries' opening brace
    sep = ""
    for name, entry in entries:
        key = json.dumps(name, ensure_ascii=False)
        yield f"{sep}{key}:{json.dumps(entry, separators=(',', ':'), ensure_ascii=False)}".encode()
        sep = ","
    yield b"}}\n"


def stamp(*parts: bytes | str | None) -> str:
    """What invalidates a whole manifest: the pipeline version plus `parts`."""
    return digest(__version__, str(FORMAT), *parts)


CACHE = Path(".cache") / "pipeline"
_MISSING = object()


def cache_dir(root: Path) -> Path:
    """The project's cache folder, `.cache/pipeline/` (not committed)."""
    return root / CACHE


def project_hashes(root: Path) -> FileHashes:
    """The project's shared table of file hashes."""
    return FileHashes(cache_dir(root) / "files.json")


class Memo:
    """Values by key, each valid while the digest of what it was computed from is
    unchanged; `save` writes the file only when something was added."""

    def __init__(self, path: Path, stamp: str) -> None:
        self.path = path
        self.stamp = stamp
        self.entries: dict[str, Any] = load(path, stamp)
        self.changed = False

    def get(self, key: str, digest: str, default: Any = None) -> Any:
        """The value stored under `key` for `digest`, else `default`."""
        known = self.entries.get(key, _MISSING)
        if isinstance(known, list) and len(known) == 2 and known[0] == digest:
            return known[1]
        return default

    def put(self, key: str, digest: str, value: Any) -> None:
        """Remember `value` (JSON-serializable) under `key` for `digest`."""
        self.entries[key] = [digest, value]
        self.changed = True

    def forget(self, key: str) -> None:
        """Drop what is stored under `key` (a result that must not be trusted again)."""
        if self.entries.pop(key, None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the memo if it changed; a failed write (a full disk, a read-only
        project) only costs the next run the work again."""
        if self.changed:
            save(self.path, self.stamp, dict(sorted(self.entries.items())))
            self.changed = False


def save_quietly(*caches: FileHashes | Memo) -> None:
    """Save caches for a command that only reads the project (`check`, `stats`): a
    full disk or a read-only project makes the next run slower, not this one fail."""
    for item in caches:
        with contextlib.suppress(PipelineError):
            item.save()


# The package's root folder (this module lives in `pipeline/base/`): its code, every
# subpackage included, is what `code_digest` hashes.
CODE_ROOT = Path(__file__).resolve().parent.parent


def code_digest(hashes: FileHashes) -> str:
    """The pipeline's own source files: a cache of what its checks found must not
    outlive a change to the checks, released or not; nor to their data tables (the
    units and negation words under `review/data/`)."""
    files = [*CODE_ROOT.rglob("*.py"), *CODE_ROOT.glob("*/data/*")]
    return digest(*(hashes(path) for path in sorted(files)))


def _read(path: Path) -> str:
    """A manifest's text; a link, a FIFO or a device is refused, never followed."""
    return read_regular(path, str(path), "a manifest", 256 * 1024 * 1024).decode("utf-8")


# -- lost work ----------------------------------------------------------------------

TRANSLATIONS = "translations.json"  # beside update.json: catalog → translations it held


def load_counts(path: Path) -> dict[str, int]:
    """Per catalog (as the user names it), the live translations it held after the
    last successful `update`; {} when nothing was recorded. Kept apart from the
    update manifest, whose stamp changes with the settings: the guard must not
    forget what a catalog held because a setting changed."""
    try:
        data = json.loads(_read(path))
    except (OSError, ValueError, PipelineError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("catalogs"), dict):
        return {}
    return {k: v for k, v in data["catalogs"].items() if isinstance(v, int) and not isinstance(v, bool)}


def save_counts(path: Path, counts: dict[str, int]) -> None:
    """Record the translation counts (atomically; a cache like the manifests)."""
    text = json.dumps({"format": FORMAT, "catalogs": dict(sorted(counts.items()))}, ensure_ascii=False)
    atomic_write(path, text + "\n", durable=False)


def lost_work(before: int | None, now: int) -> bool:
    """Whether a catalog lost far more translations than work ever loses by itself:
    more than a quarter of what it held, and at least 5 (a catalog overwritten by
    mistake with an old copy or a fragment of itself)."""
    if before is None:
        return False
    lost = before - now
    return lost >= 5 and lost * 4 > before
