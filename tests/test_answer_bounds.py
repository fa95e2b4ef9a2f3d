"""An engine's answer has ceilings: bytes on the wire, bytes decompressed, time.

A real HTTP server on 127.0.0.1 (`tests.libre_server`, knob `hostile`) answers with
a gzip bomb, an endless body or a body that drips; deep-translator's own
`LibreTranslator` asks it, through `pretranslate` in a subprocess. Each run must
stop with one line naming the engine and the limit, exit 1, leave the catalogs
and the cache as they were, and stay small: the child's peak memory is measured.
"""

from __future__ import annotations

import re
import resource
import sqlite3
import subprocess
from pathlib import Path

import pytest

from pipeline.pretranslate.answers import ANSWER_CAP, answer_limit
from tests.libre_server import LibreServer
from tests.support import measured_cli, run, snapshot
from tests.test_pretranslate import make

MB = 1024 * 1024
PEAK_RSS = 400 * MB
MT = """
[tool.pipeline.mt]
engine = "libre"
workers = 2
retries = 0
answer_seconds = 3
"""


def pretranslate_child(root: Path, url: str) -> tuple[subprocess.CompletedProcess, int, float]:
    """`pretranslate` in a child process: its result, peak RSS (bytes), wall time."""
    return measured_cli(root, "pretranslate", "--lang", "fr", "--engine-url", url, timeout=120)


def cached_answers(root: Path) -> int:
    path = root / ".cache" / "pretranslate" / "cache.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM translations").fetchone()[0]
    finally:
        db.close()


@pytest.mark.parametrize(
    ("hostile", "reason"),
    [
        ("gzip-bomb", r"answer refused: more than [\d,]+ bytes decompressed \(the limit for this text\)"),
        ("endless", r"answer refused: more than [\d,]+ bytes \(the limit for this text\)"),
        ("drip", r"answer refused: not complete within 3 s \(answer_seconds\)"),
    ],
)
def test_a_hostile_answer_is_one_line_nothing_written_and_memory_stays_small(tmp_path, hostile, reason):
    root = make(tmp_path / "p", mt=MT, guide=False)
    # What needs no engine (copies of link-only cells) is written first; then
    # every text left goes to the engine.
    assert run(root, "pretranslate", "--lang", "fr", "--engine-url", "http://127.0.0.1:9/", "--limit", "0").code == 0
    before = snapshot(root / "locales")
    with LibreServer(hostile=hostile) as server:
        result, peak, elapsed = pretranslate_child(root, server.url)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"python -m pipeline: libre at {server.url}: "), lines[0]
    assert re.search(reason, lines[0]), lines[0]
    assert snapshot(root / "locales") == before
    assert cached_answers(root) == 0
    assert peak < PEAK_RSS, f"peak RSS {peak / MB:.0f} MB"
    # Bounded by the answer's time limit (3 s), not by the size of the attack.
    assert elapsed < 30, elapsed


def test_the_ceiling_follows_what_was_sent():
    assert answer_limit("") == answer_limit(None) == 256 * 1024
    assert answer_limit("a" * 1000) == 256 * 1024 + 16_000
    assert answer_limit("ü" * 30_000) == ANSWER_CAP  # DeepL's longest text: the absolute cap
    assert resource.RUSAGE_CHILDREN  # (the measurement above relies on it)
