"""Benchmark: pretranslation throughput against a local LibreTranslate-compatible server.

    python -m tests.bench_mt [--segments 2000] [--latency 0.05]

Builds a throw-away project with SEGMENTS unique paragraphs (links, code, trial IDs
in each, so protection is exercised), starts `tests.libre_server.LibreServer` with
LATENCY seconds per request, and runs `python -m pipeline pretranslate` twice on
fresh copies (no cache): with `--workers 1` and with the default. Prints both
times — the whole command (process start, reading 20 catalogs, saving) and the
sending phase the run reports — and the ratios. Not a test: timings depend on the
machine.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.catalog.pofile import read_po
from tests.libre_server import LibreServer
from tests.support import run_cli

ROOT = Path(__file__).resolve().parent.parent
PER_ARTICLE = 100
# fmt: off
WORDS = [
    "patients", "stem", "cell", "therapy", "study", "disease", "motor", "neuron", "spinal", "cord",
    "treatment", "clinic", "doctor", "results", "trial", "safety", "dose", "infusion", "weeks", "months",
    "improvement", "symptoms", "muscle", "strength", "breathing", "speech", "quality", "life", "family",
    "care", "team", "follow-up", "visit", "report", "data", "analysis", "group", "control", "placebo",
]
# fmt: on


def paragraph(rng: random.Random, number: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
    words[0] = words[0].capitalize()
    link = f'[{rng.choice(WORDS)} {number}](https://example.org/trials/{number} "Trial {number}")'
    code = f"`dose-{number}`"
    trial = f"NCT{10000000 + number:08d}"
    cut = len(words) // 2
    return f"{' '.join(words[:cut])} {link} with {code} in {trial}, {' '.join(words[cut:])}."


def build(root: Path, segments: int) -> None:
    rng = random.Random(20261127)
    (root / "source").mkdir(parents=True)
    (root / "locales").mkdir()
    (root / "pyproject.toml").write_text('[tool.pipeline]\nlanguages = ["en", "de"]\n', encoding="utf-8")
    number = 0
    for article in range(0, segments, PER_ARTICLE):
        count = min(PER_ARTICLE, segments - article)
        body = "\n\n".join(paragraph(rng, number + i) for i in range(count))
        number += count
        (root / "source" / f"article-{article // PER_ARTICLE:03d}.md").write_text(body + "\n", encoding="utf-8")
    pipeline(root, "update", "--lang", "de")
    # The page chrome counts as reviewed, so exactly `segments` texts need the engine.
    site = root / "locales" / "de" / "LC_MESSAGES" / "site.po"
    if site.exists():
        po = read_po(site)
        for entry in po:
            entry.msgstr = entry.msgid
        po.save(str(site))


def pipeline(root: Path, *args: str) -> subprocess.CompletedProcess:
    done = run_cli(root, *args, timeout=3600)
    done.check_returncode()
    return done


def timed_run(template: Path, work: Path, server: LibreServer, *args: str) -> tuple[float, float, int, int]:
    """(wall seconds, seconds sending, drafts written, requests the server saw) for one fresh run."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    server.reset()
    start = time.perf_counter()
    done = pipeline(work, "pretranslate", "--lang", "de", "--engine", "libre", "--engine-url", server.url, *args)
    elapsed = time.perf_counter() - start
    sending = float(re.search(r"request\(s\) in ([\d.]+) s", done.stdout).group(1))
    drafts = sum(
        1 for p in (work / "locales" / "de").rglob("*.po") for e in read_po(p) if "pretranslated: libre" in e.tcomment
    )
    return elapsed, sending, drafts, server.requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_mt", description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request (default 0.05)")
    parser.add_argument("--also", type=int, action="append", default=[], metavar="N", help="also run with N workers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-mt-") as tmp:
        template = Path(tmp) / "template"
        build(template, args.segments)
        print(
            f"{args.segments} unique segments, {args.latency * 1000:.0f} ms per request, LibreTranslate API on 127.0.0.1"
        )
        results: dict[str, tuple[float, float]] = {}
        with LibreServer(latency=args.latency) as server:
            runs = [("1 worker", ("--workers", "1")), ("default (8 workers)", ())]
            runs += [(f"{n} workers", ("--workers", str(n))) for n in args.also]
            print(f"{'':20} {'wall':>9} {'sending':>9} {'segments/s':>11}")
            for label, extra in runs:
                wall, sending, drafts, requests = timed_run(template, Path(tmp) / "work", server, *extra)
                if drafts != args.segments or requests != args.segments:
                    print(f"{label}: expected {args.segments} drafts and requests, got {drafts} and {requests}")
                    return 1
                results[label] = (wall, sending)
                rate = args.segments / wall
                print(f"{label:20} {wall:7.2f} s {sending:7.2f} s {rate:11.1f}  (max in flight: {server.max_inflight})")
    (one_wall, one_sending), *others = results.values()
    for label, (wall, sending) in zip(list(results)[1:], others, strict=True):
        print(f"speed-up, {label} vs 1 worker: {one_wall / wall:.2f}x wall, {one_sending / sending:.2f}x sending")
    return 0


if __name__ == "__main__":
    sys.exit(main())
