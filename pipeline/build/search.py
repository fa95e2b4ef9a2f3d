"""Static search: a Pagefind index of the built site, one index per language.

Pagefind (PyPI `pagefind[bin]`, its command line; no Node) reads the staged
`output/` at the end of a build that changed pages and writes `output/pagefind/`;
`assets/search.js` on each edition's search page asks it. The language of a page
is its `<html lang>`, so each edition has its own index (German words stemmed as
German) and a search on the English site never finds a German page. Each edition
is indexed by its own run, side by side (`_index`).

Only article pages are indexed: they mark their `<article>` with
`data-pagefind-body`, and once any page does, Pagefind skips every page that
does not — home pages, search and 404 pages, the language chooser, the review
pages, notice pages. Byline, dates, notices and the printed address are left out (`EXCLUDE`).

The index goes through the staged `Output` like every other file: files whose
bytes did not change are not rewritten, stale ones are removed, and a failed
build leaves the published index as it was.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.jobs import default_jobs
from pipeline.build.staging import Output
from pipeline.config.load import html_lang

INDEX_DIR = "pagefind"
ENTRY = f"{INDEX_DIR}/pagefind-entry.json"
# Only pages inside a language folder can be articles (review/ has no article).
GLOB = "*/*.html"
# What on an article page is not its text: byline, dates, notices, the printed address.
EXCLUDE = (".byline", ".facts", ".notice", ".print-only")
# Pagefind's ready-made search interfaces: the search page has its own (assets/search.js).
INDEX_TIMEOUT = 600  # seconds: minutes for thousands of pages, never for ever
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def changed_editions(changed: Iterable[str]) -> set[str]:
    """The folders (editions) in which a page was written or removed, of the paths
    `changed` (relative to `output/`)."""
    return {rel.split("/", 1)[0] for rel in changed if rel.endswith(".html") and "/" in rel}


def needs_index(output: Output, has_articles: bool, changed: set[str]) -> bool:
    """Whether this build must (re)index: a page changed (`changed`, the editions with
    a page written or removed), or the index is missing."""
    if not has_articles:
        return (output.live / INDEX_DIR).exists()
    return bool(changed) or not (output.live / ENTRY).is_file()


def index_site(
    output: Output, langs: Iterable[str] = (), jobs: int | None = None, changed: set[str] | None = None
) -> int:
    """Index the staged site and stage the index: returns the number of pages indexed.
    `langs` are the editions with article pages (none: no index at all); each is
    indexed by its own Pagefind run, up to `jobs` at a time (see `_index`). An
    edition not among `changed` (None: all changed) keeps its part of the published
    index, when that part is all there (`carried`)."""
    stage = output.ensure_stage()
    langs = sorted(set(langs))
    fresh: dict[str, bytes] = {}
    keep: frozenset[str] = frozenset()
    pages = 0
    if langs:
        kept = None if changed is None else carried(output.live / INDEX_DIR, [x for x in langs if x not in changed])
        scratch = stage.parent / f".{output.live.name}.search-{os.getpid()}"  # clean_leftovers knows the pattern
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            pages, fresh, keep, where = _index(stage, scratch, langs, jobs, kept)
            for rel, data in fresh.items():  # the runs' files are moved into the stage, not written again
                output.write(rel, data, where.get(rel))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    old = output.live / INDEX_DIR
    for path in sorted(old.rglob("*")) if old.is_dir() else []:
        rel = path.relative_to(output.live).as_posix()
        if path.is_file() and rel not in fresh and rel not in keep:
            output.remove(rel)
    return pages


@dataclass(frozen=True)
class Kept:
    """The part of the published index that editions whose pages did not change keep:
    the stage already holds its files (a hard-linked copy of `output/`)."""

    langs: frozenset[str]
    entry: dict  # the published entry file, its languages cut to the kept editions'
    files: frozenset[str]  # their files and those no language owns, by path in the site


def carried(index: Path, langs: Iterable[str]) -> Kept | None:
    """What of the published index (`index`: `output/pagefind`) the editions `langs`
    keep, or None. Pagefind names every file of a language after it
    (`fragment/de_…`, `index/de_…`, `pagefind.de_….pf_meta`, `wasm.de.pagefind`);
    an edition whose part cannot be found whole is left out (it is indexed again)."""
    try:
        entry = _entry((index / "pagefind-entry.json").read_bytes())
        names = [p.relative_to(index).as_posix() for p in index.rglob("*") if p.is_file() and not p.is_symlink()]
    except (OSError, PipelineError):
        return None
    owned: dict[str, str] = {}  # file → language key
    records = entry["languages"]
    for key, record in records.items():
        prefix = str(record.get("hash", "")).rsplit("_", 1)[0]
        mine = (f"fragment/{prefix}_", f"index/{prefix}_", f"pagefind.{prefix}_", f"wasm.{record.get('wasm')}.")
        owned.update((rel, key) for rel in names if rel.startswith(mine))
    kept, keys = set(), {}
    for lang in langs:
        key = next((k for k in records if k.lower() == html_lang(lang).lower()), None)
        record = records.get(key, {}) if key is not None else {}
        whole = {f"pagefind.{record.get('hash')}.pf_meta", f"wasm.{record.get('wasm')}.pagefind"}
        if record and whole <= {rel for rel, owner in owned.items() if owner == key}:
            kept.add(lang)
            keys[key] = record
    if not kept:
        return None
    files = [rel for rel in names if owned.get(rel) in keys or (rel not in owned and rel != "pagefind-entry.json")]
    return Kept(frozenset(kept), {**entry, "languages": keys}, frozenset(f"{INDEX_DIR}/{rel}" for rel in files))


def _index(
    site: Path, scratch: Path, langs: list[str], jobs: int | None, kept: Kept | None
) -> tuple[int, dict[str, bytes], frozenset[str], dict[str, Path]]:
    """Pagefind's index of `site`: the page count, the files the runs wrote (by path
    in the site), those kept from the published index, and where in `scratch` each
    file a run wrote is.

    One run per edition, merged. Pagefind keeps one index per language anyway, and
    a run over one edition's folder writes exactly that language's files of a run
    over the whole site (its other files are the same bytes in every run): so the
    editions are indexed side by side on as many cores as `jobs` allows, each run
    holds one edition's index in memory, not the whole site's, and an edition in
    `kept` keeps its part of the published index. Each folder holds article pages
    (`langs`), so each run skips the pages without `data-pagefind-body` as one run
    over the site does; folders without articles have nothing to index."""
    files, entries, where = _runs(site, scratch, [x for x in langs if kept is None or x not in kept.langs], jobs)
    if kept is not None and entries and _meta(kept.entry) != _meta(entries[0]):  # Pagefind upgraded: redo all
        more_files, more, more_where = _runs(site, scratch, sorted(kept.langs), jobs)
        files, entries, where, kept = {**files, **more_files}, entries + more, {**where, **more_where}, None
    entry = _merged(entries + ([kept.entry] if kept is not None else []))
    files[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    pages = sum(int(lang.get("page_count", 0)) for lang in entry["languages"].values())
    return pages, dict(sorted(files.items())), kept.files if kept is not None else frozenset(), where


def _runs(
    site: Path, scratch: Path, langs: list[str], jobs: int | None
) -> tuple[dict[str, bytes], list[dict], dict[str, Path]]:
    """One Pagefind run per edition in `langs`, up to `jobs` at a time: their files
    by path in the site (the same path twice must be the same bytes), their entries,
    and where each file is in `scratch`."""
    parts = {lang: scratch / lang for lang in langs}
    if parts:
        with ThreadPoolExecutor(max(1, min(jobs or default_jobs(), len(parts)))) as pool:
            list(pool.map(lambda lang: _run(site, parts[lang], f"{lang}/*.html"), parts))
    files: dict[str, bytes] = {}
    where: dict[str, Path] = {}
    entries = []
    for lang, part in parts.items():
        for path in sorted(part.rglob("*")):
            if not path.is_file() or path.name.startswith(UNUSED):
                continue
            rel = f"{INDEX_DIR}/{path.relative_to(part).as_posix()}"
            data = path.read_bytes()
            if rel == ENTRY:
                entries.append(_entry(data))
            elif files.setdefault(rel, data) != data:
                raise PipelineError(f"the search index could not be built: the {lang} run wrote another {rel}", rel)
            else:
                where.setdefault(rel, path)
    return files, entries, where


def _run(site: Path, out: Path, glob: str) -> None:
    """Run Pagefind's command line over the pages of `site` that `glob` matches.

    Its command line, not its Python service: the service acknowledges
    `WriteFiles` while its last writes may still be in flight, and closing it then
    (it is terminated on close) leaves a truncated file — seen under load as an
    empty `pagefind-entry.json` (fixed upstream after 1.5.2, pagefind#1272). The
    command line waits for every write before it exits."""
    argv = [*_command(), "--site", str(site), "--output-path", str(out), "--glob", glob]
    for selector in EXCLUDE:
        argv += ["--exclude-selectors", selector]
    try:
        done = subprocess.run([*argv, "--silent"], capture_output=True, text=True, timeout=INDEX_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PipelineError(f"the search index could not be built: {exc}", "output/" + INDEX_DIR) from None
    if done.returncode != 0:
        if "No module named pagefind" in done.stderr:
            raise PipelineError("pagefind is not installed (pip install 'pagefind[bin]')", "output/" + INDEX_DIR)
        said = (done.stderr or done.stdout).strip()
        if "Traceback (most recent call last)" in said:  # the wrapper's: its last line says what failed
            said = said.splitlines()[-1]
        why = " ".join(said.split())[-300:] or f"exit code {done.returncode}"
        raise PipelineError(f"the search index could not be built: {why}", "output/" + INDEX_DIR)
    if not (out / "pagefind-entry.json").is_file():
        raise PipelineError("the search index could not be built: no entry file", "output/" + INDEX_DIR)


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


def _entry(data: bytes) -> dict:
    """One run's `pagefind-entry.json`, read."""
    try:
        entry = json.loads(data)
        if isinstance(entry, dict) and isinstance(entry.get("languages"), dict):
            return entry
    except ValueError:
        pass
    raise PipelineError("the search index could not be built: an unreadable entry file", "output/" + ENTRY)


def _merged(entries: list[dict]) -> dict:
    """The runs' entry files as one: every run's languages, sorted (Pagefind lists
    them in no fixed order; the same site gives the same bytes)."""
    merged = dict(entries[0])
    languages: dict = {}
    for entry in entries:
        if _meta(entry) != _meta(merged):
            raise PipelineError("the search index could not be built: the runs disagree on its version", ENTRY)
        if languages.keys() & entry["languages"].keys():
            raise PipelineError("the search index could not be built: two runs indexed one language", ENTRY)
        languages.update(entry["languages"])
    merged["languages"] = dict(sorted(languages.items()))
    return merged


def _meta(entry: dict) -> dict:
    """An entry file but its languages: the Pagefind version and settings it is of."""
    return {k: v for k, v in entry.items() if k != "languages"}
