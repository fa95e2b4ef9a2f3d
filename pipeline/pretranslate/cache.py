"""The persistent cache: `.cache/pretranslate/cache.sqlite3` in the project.

Keyed by (engine, source language, target language, the exact text sent — tokens
and glossary terms included), valued by the engine's raw answer. A re-run, or a run
after a crash, finds there everything an engine already answered and sends none of
it. The server URL is not part of the key: moving a LibreTranslate server keeps the
cache. Only answers that restored cleanly are stored, so a mangled answer is asked
again next time rather than reported for ever.

SQLite in WAL mode: answers are committed together with each save of the
catalogs, so a killed run loses at most the answers of its last batch, exactly like
its drafts (a commit per answer cost a millisecond each, on the thread that also
hands out work). The connection belongs to the thread that opened it — the run's
main thread; workers never touch it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.files import refuse_links

CACHE_DIR = Path(".cache") / "pretranslate"
CACHE_FILE = "cache.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")  # what sqlite writes beside the database
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    engine TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (engine, source, target, text)
)
"""


class Cache:
    """Engine answers by (engine, source, target, text); `None` path = no cache."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._open_transaction = False
        if path is None:
            return
        # sqlite would follow a link and write wherever it points — also at the
        # files it keeps beside the database (WAL, shared memory, rollback journal).
        for name in (path.name, *(path.name + suffix for suffix in SIDE_FILES)):
            refuse_links(path.with_name(name), path.with_name(name), "open")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            # A damaged cache is only lost time, never lost work: start a new one.
            with contextlib.suppress(OSError):
                path.unlink()
            self._db = self._open(path)
        except OSError as exc:
            raise PipelineError(f"cannot create the cache: {exc.strerror}", path) from None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(_SCHEMA)
        return db

    def get(self, engine: str, source: str, target: str, text: str) -> str | None:
        """The stored answer, or None."""
        if self._db is None:
            return None
        row = self._db.execute(
            "SELECT translation FROM translations WHERE engine=? AND source=? AND target=? AND text=?",
            (engine, source, target, text),
        ).fetchone()
        return row[0] if row else None

    def put(self, engine: str, source: str, target: str, text: str, translation: str) -> None:
        """Store an answer (durable at the next `commit`)."""
        if self._db is None:
            return
        if not self._open_transaction:
            self._db.execute("BEGIN")
            self._open_transaction = True
        self._db.execute(
            "INSERT OR REPLACE INTO translations (engine, source, target, text, translation) VALUES (?, ?, ?, ?, ?)",
            (engine, source, target, text, translation),
        )

    def forget(self, engine: str) -> int:
        """Drop every answer of `engine` (`pretranslate --refresh`): a server that
        answered wrongly once is asked again. The number dropped."""
        if self._db is None:
            return 0
        self.commit()
        return self._db.execute("DELETE FROM translations WHERE engine=?", (engine,)).rowcount

    def commit(self) -> None:
        """Make the answers stored so far durable."""
        if self._db is not None and self._open_transaction:
            self._db.execute("COMMIT")
            self._open_transaction = False

    def close(self) -> None:
        """Commit and close."""
        if self._db is not None:
            self.commit()
            self._db.close()
            self._db = None
