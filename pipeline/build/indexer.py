"""Pagefind's indexer: one run of its command line over a set of pages, and the
entry files its runs write.

A run holds the index of every page it reads in memory (about 0.3 MB a page) until
it has written its bundle, so `search` never gives one run more than a bounded
number of pages: each run reads a scratch site of its own, hard links to just
those pages at their paths in the site (`scratch_site`), so the addresses in the
bundle are the site's.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pipeline.base.errors import PipelineError

INDEX_DIR = "pagefind"
ENTRY_NAME = "pagefind-entry.json"
# What on an article page is not its text: byline, dates, notices, the printed address.
EXCLUDE = (".byline", ".facts", ".notice", ".print-only")
# Set, besides `lang`, on an edition's text in another language than the page's (a
# section kept in the source language, `<!-- i18n: skip -->`, or the source shown
# where a translation is missing, refused or kept): an edition's index holds the
# words of its own language. Pagefind stems every word of a page by the page's
# language, and a reader searches an edition in its language.
OTHER_LANGUAGE = {"data-pagefind-ignore": ""}
INDEX_TIMEOUT = 600  # seconds: minutes for thousands of pages, never for ever
WHERE = "output/" + INDEX_DIR  # what an error names


def scratch_site(site: Path, pages: Iterable[str], folder: Path) -> Path:
    """`folder` made a site of the `pages` of `site` (paths relative to it): hard
    links, copies where the file system has none. Returns `folder`."""
    for rel in pages:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / rel, target)
        except OSError:
            shutil.copyfile(site / rel, target)
    return folder


def run(site: Path, out: Path, glob: str, one_core: bool = False) -> None:
    """Run Pagefind's command line over the pages of `site` that `glob` matches,
    writing its bundle to `out`; with `one_core`, on one core (its thread pool is
    rayon's: `RAYON_NUM_THREADS`), for a run beside the rendering, which has the other.

    Its command line, not its Python service: the service acknowledges
    `WriteFiles` while its last writes may still be in flight, and closing it then
    (it is terminated on close) leaves a truncated file — seen under load as an
    empty `pagefind-entry.json` (fixed upstream after 1.5.2, pagefind#1272). The
    command line waits for every write before it exits."""
    argv = [*_command(), "--site", str(site), "--output-path", str(out), "--glob", glob]
    for selector in EXCLUDE:
        argv += ["--exclude-selectors", selector]
    try:
        env = {**os.environ, "RAYON_NUM_THREADS": "1"} if one_core else None
        done = subprocess.run([*argv, "--silent"], capture_output=True, text=True, timeout=INDEX_TIMEOUT, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PipelineError(f"the search index could not be built: {exc}", WHERE) from None
    if done.returncode != 0:
        if "No module named pagefind" in done.stderr:
            raise PipelineError("pagefind is not installed (pip install 'pagefind[bin]')", WHERE)
        said = (done.stderr or done.stdout).strip()
        if "Traceback (most recent call last)" in said:  # the wrapper's: its last line says what failed
            said = said.splitlines()[-1]
        why = " ".join(said.split())[-300:] or f"exit code {done.returncode}"
        raise PipelineError(f"the search index could not be built: {why}", WHERE)
    if not (out / ENTRY_NAME).is_file():
        raise PipelineError("the search index could not be built: no entry file", WHERE)


WRAPPER = (sys.executable, "-m", "pagefind")


@lru_cache(maxsize=1)
def _command() -> tuple[str, ...]:
    """Pagefind's binary from `pagefind[bin]` (or `pagefind[extended]`), started
    directly: the `python -m pagefind` wrapper only finds it and execs it, after an
    interpreter's start (50 ms a run; its own finder imports asyncio, as long
    again). The wrapper where `PAGEFIND_BINARY_PATH` chooses another binary, or
    where there is none of these (its error then says what is missing)."""
    if os.environ.get("PAGEFIND_BINARY_PATH") is None:
        for package in ("pagefind_bin_extended", "pagefind_bin"):  # the wrapper's order
            try:
                return (str(importlib.import_module(package).get_executable()),)
            except (ImportError, OSError):
                continue
    return WRAPPER


def read_entry(data: bytes) -> dict:
    """One run's `pagefind-entry.json`, read."""
    try:
        entry = json.loads(data)
        if isinstance(entry, dict) and isinstance(entry.get("languages"), dict):
            return entry
    except ValueError:
        pass
    raise PipelineError("the search index could not be built: an unreadable entry file", WHERE)


def merged(entries: list[dict]) -> dict:
    """The runs' entry files as one: every run's languages, sorted (Pagefind lists
    them in no fixed order; the same site gives the same bytes)."""
    whole = dict(entries[0])
    languages: dict = {}
    for entry in entries:
        same_version(whole, entry)
        if languages.keys() & entry["languages"].keys():
            raise PipelineError("the search index could not be built: two runs indexed one language", WHERE)
        languages.update(entry["languages"])
    whole["languages"] = dict(sorted(languages.items()))
    return whole


def same_version(entry: dict, other: dict) -> None:
    """Two runs' entry files must be of one Pagefind version and its settings."""
    if meta(entry) != meta(other):
        raise PipelineError("the search index could not be built: the runs disagree on its version", WHERE)


def meta(entry: dict) -> dict:
    """An entry file but its languages: the Pagefind version and settings it is of."""
    return {k: v for k, v in entry.items() if k != "languages"}
