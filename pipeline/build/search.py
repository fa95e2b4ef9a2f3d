"""Static search: a Pagefind index of the built site, per language, in bundles of a
bounded number of pages.

Pagefind (PyPI `pagefind[bin]`, its command line; no Node, see `indexer`) reads the
staged `output/` at the end of a build that changed pages; `assets/search.js` on
each edition's search page asks it. The language of a page is its `<html lang>`,
so each edition has its own index (German words stemmed as German) and a search on
the English site never finds a German page.

Memory is bounded whatever the size of the site: a Pagefind run holds the index of
every page it reads (about 0.3 MB a page), so no run gets more than
`PAGES_PER_BUNDLE` pages, cut as `bundles.plan` says. Each chunk is one run and one
Pagefind bundle: the first chunk of every edition goes to `output/pagefind/`, merged as
before (one entry file, one `pagefind.js`); chunk n > 1 of edition `<lang>` to
`output/pagefind/more/<lang>/<n>/`, without Pagefind's scripts and WebAssembly (a
merged bundle uses the first bundle's). `output/pagefind/bundles.json` lists the
further bundles by Pagefind's language key; the search page merges them into its
search with Pagefind's `mergeIndex` (its multisite API), so the results of all
chunks come as one list ranked by score. Runs go side by side, up to `jobs` at a
time: memory is then `jobs` runs of at most `PAGES_PER_BUNDLE` pages.

What that costs in ranking (measured, README "Search"): a merged search finds the
pages one index would, but each bundle weighs a word by its own pages, so pages of
about equal score may swap places; and a bundle without a word that starts with
the searched one falls back to the longest prefix of it that it has (Pagefind's
rule, per bundle), so a trial ID would find its page first and then others with
any trial ID: the search page (`templates/search.js`) sets aside a result none of
whose found words stands for a word of the query.

Only article pages are indexed: they mark their `<article>` with
`data-pagefind-body`, and only those pages are given to a run — home pages, search
and 404 pages, the language chooser, review, notice and redirect pages are not.
Byline, dates, notices and the printed address are left out (`indexer.EXCLUDE`),
and so is text a page shows in another language than its own (`indexer.OTHER_LANGUAGE`).

The index goes through the staged `Output` like every other file: files whose
bytes did not change are not rewritten, stale ones are removed, and a failed
build leaves the published index as it was. An edition whose pages did not change
keeps its bundles (`carried`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pipeline.base.errors import PipelineError
from pipeline.base.jobs import default_jobs
from pipeline.build import bundles
from pipeline.build.bundles import MORE, Chunk, plan
from pipeline.build.indexer import ENTRY_NAME, INDEX_DIR, merged, meta, read_entry, run, same_version
from pipeline.build.indexer import scratch_site as _scratch_site
from pipeline.build.kept import LISTING_NAME, Kept, kept_index, read_record, remember
from pipeline.build.staging import Output

ENTRY = f"{INDEX_DIR}/{ENTRY_NAME}"
LISTING = f"{INDEX_DIR}/{LISTING_NAME}"
# Pagefind's ready-made search interfaces: the search page has its own (assets/search.js).
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
# What only the first bundle needs: its script, worker and WebAssembly search merged bundles too.
FIRST_ONLY = ("pagefind.js", "pagefind-worker.js", "wasm.")


def changed_editions(changed: Iterable[str]) -> set[str]:
    """The folders (editions) in which a page was written or removed, of the paths
    `changed` (relative to `output/`)."""
    return {rel.split("/", 1)[0] for rel in changed if rel.endswith(".html") and "/" in rel}


def needs_index(output: Output, has_articles: bool, changed: set[str]) -> bool:
    """Whether this build must (re)index: a page changed (`changed`, the editions with
    a page written or removed), or the index is missing."""
    if not has_articles:
        return (output.live / INDEX_DIR).exists()
    return bool(changed) or not all((output.live / rel).is_file() for rel in (ENTRY, LISTING))


def index_site(
    output: Output,
    langs: Iterable[str] = (),
    jobs: int | None = None,
    changed: set[str] | None = None,
    *,
    pages_per_bundle: int | None = None,
    order: Sequence[Mapping[str, str]] | None = None,
    early: EarlyRuns | None = None,
    written: Iterable[str] | None = None,
    record: Path | None = None,
) -> int:
    """Index the staged site and stage the index: returns the number of pages indexed.
    `langs` are the editions with article pages (none: no index at all); each is cut
    into bundles of at most `pages_per_bundle` pages (None: `bundles.PAGES_PER_BUNDLE`, read
    at the call, so that a test may set it for a whole build), one Pagefind run each, up to
    `jobs` runs at a time; `order` and `early` are a build's (see `plan`, and
    `early.EarlyIndex`: the bundles it already indexed are taken from it). An edition
    not among `changed` (None: all changed) keeps its bundles of the published index,
    when they are all there (`carried`). With `written` (the pages this build wrote or
    removed) and `record` (where the build keeps which pages each bundle holds,
    `kept.read_record`), a bundle of a changed edition whose pages are the same and
    none written keeps its bundle too (`kept.kept_index`): one article changed, one
    bundle per edition indexed again."""
    stage = output.ensure_stage()
    langs = sorted(set(langs))
    size = pages_per_bundle or bundles.PAGES_PER_BUNDLE
    staged: set[str] = set()
    keep: frozenset[str] = frozenset()
    pages = 0
    if langs:
        since = Since(changed, frozenset(written) if written is not None else None, record)
        scratch = stage.parent / f".{output.live.name}.search-{os.getpid()}"  # clean_leftovers knows the pattern
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            pages, staged, keep = _index(output, scratch, langs, jobs, since, size, order, early)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    old = output.live / INDEX_DIR
    for path in sorted(old.rglob("*")) if old.is_dir() else []:
        rel = path.relative_to(output.live).as_posix()
        if path.is_file() and rel not in staged and rel not in keep:
            output.remove(rel)
    more = stage / INDEX_DIR / MORE
    for folder in sorted([more, *more.rglob("*")], reverse=True):  # a bundle gone: its folders too
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
    return pages


@dataclass(frozen=True)
class Since:
    """What a build knows of the published index: the editions with a page changed
    (None: all), the pages written or removed (None: not known), and its record of
    the bundles' pages (None: none kept)."""

    changed: set[str] | None = None
    written: frozenset[str] | None = None
    record: Path | None = None

    def known(self, size: int) -> dict[str, list[dict]]:
        """The record of the bundles' pages (`kept.read_record`), when a bundle may be kept by it."""
        return read_record(self.record, size) if self.record is not None and self.written is not None else {}

    def kept(self, live: Path, langs: list[str], chunks: list[Chunk], size: int, known: dict) -> Kept | None:
        """What of the published index `live` this build keeps (`kept.kept_index`): the
        editions `langs` not changed whole, and those of `chunks` that `known` holds."""
        if self.changed is None:
            return None
        stale = [x for x in langs if x not in self.changed]
        return kept_index(live, stale, chunks, known, self.written or frozenset(), size)


@dataclass
class Staged:
    """What the runs staged so far."""

    files: set[str] = field(default_factory=set)  # paths in the site: written, or the same bytes as live
    firsts: list[dict] = field(default_factory=list)  # the entry files of the first chunks
    bundles: dict[str, list[str]] = field(default_factory=dict)  # language key → further bundles
    pages: int = 0
    digests: dict[str, bytes] = field(default_factory=dict)  # the first chunks' files: one content each
    hashes: dict[tuple[str, int], str] = field(default_factory=dict)  # (edition, number) → the bundle's content hash
    seen: dict | None = None  # an entry file of this build's runs (the Pagefind version)


def _index(
    output: Output,
    scratch: Path,
    langs: list[str],
    jobs: int | None,
    since: Since,
    size: int,
    order: Sequence[Mapping[str, str]] | None = None,
    early: EarlyRuns | None = None,
) -> tuple[int, set[str], frozenset[str]]:
    """Index the editions `langs` but what `since` keeps, staging each run's bundle as
    it is read (the pipeline never holds the whole index): the page count, the files
    staged, and those kept from the published index (by path in the site)."""
    site = output.ensure_stage()
    done = Staged()
    fresh = [x for x in langs if since.changed is None or x in since.changed]
    chunks = plan(site, fresh, size, order)
    known = since.known(size)
    kept = since.kept(output.live / INDEX_DIR, langs, chunks, size, known)
    chunks += plan(site, [x for x in langs if x not in fresh and (kept is None or x not in kept.langs)], size, order)
    todo = [c for c in chunks if kept is None or (c.lang, c.number) not in kept.chunks]
    _stage(output, todo, _runs(site, scratch, todo, jobs, early), done)
    if kept is not None and done.seen is not None and meta(kept.entry) != meta(done.seen):  # Pagefind upgraded
        redo = [c for c in plan(site, langs, size, order) if c not in todo]
        _stage(output, redo, _runs(site, scratch, redo, jobs), done)
        chunks, kept = todo + redo, None
    entries = done.firsts + ([kept.entry] if kept is not None and kept.entry["languages"] else [])
    if not entries:
        return 0, done.files, frozenset()
    entry = merged(entries)
    further: dict[str, list[str]] = {}
    for found in (kept.bundles if kept is not None else {}, done.bundles):
        for key, paths in found.items():
            further.setdefault(key, []).extend(paths)
    listing = {
        "pages_per_bundle": size,
        "bundles": {key: sorted(further.get(key, []), key=_number) for key in sorted({*entry["languages"], *further})},
    }
    for rel, data in ((ENTRY, entry), (LISTING, listing)):
        output.write(rel, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        done.files.add(rel)
    if since.record is not None:
        remember(since.record, size, chunks, done.hashes, kept, known)
    pages = done.pages + (kept.pages if kept is not None else 0)
    return pages, done.files, kept.files if kept is not None else frozenset()


def _number(path: str) -> int:
    """The number of a further bundle's folder (`more/de/12/`): bundles listed in order."""
    return int(path.rstrip("/").rsplit("/", 1)[-1])


def _runs(
    site: Path, scratch: Path, chunks: list[Chunk], jobs: int | None, early: EarlyRuns | None = None
) -> list[Path]:
    """One Pagefind run per chunk, up to `jobs` at a time, each over a scratch site
    of its pages only (but those `early` already indexed): where each wrote its
    bundle. (`tests/bench.py` times the index by this function: every run at the end
    of a build goes through it.)"""

    def one(chunk: Chunk) -> Path:
        name = f"{chunk.lang}-{chunk.number}"
        pages = _scratch_site(site, chunk.pages, scratch / "site" / name)
        run(pages, scratch / "out" / name, f"{chunk.lang}/*.html")
        shutil.rmtree(pages, ignore_errors=True)
        return scratch / "out" / name

    done = {chunk: early.take(chunk) for chunk in chunks} if early is not None else {}
    todo = [chunk for chunk in chunks if done.get(chunk) is None]
    if todo:
        with ThreadPoolExecutor(max(1, min(jobs or default_jobs(), len(todo)))) as pool:
            done.update(zip(todo, pool.map(one, todo), strict=True))
    return [done[chunk] for chunk in chunks]  # type: ignore[misc]


class EarlyRuns(Protocol):
    """Bundles indexed before the end of the build (`early.EarlyIndex`)."""

    def take(self, chunk: Chunk) -> Path | None: ...


def _stage(output: Output, chunks: list[Chunk], outs: list[Path], done: Staged) -> None:
    """Stage the runs' bundles (`outs`, of `chunks`), moved, not written again."""
    for chunk, out in zip(chunks, outs, strict=True):
        entry = read_entry((out / ENTRY_NAME).read_bytes())
        if done.seen is not None:
            same_version(done.seen, entry)
        done.seen = done.seen or entry
        if len(entry["languages"]) == 1:
            done.hashes[chunk.lang, chunk.number] = str(next(iter(entry["languages"].values())).get("hash", ""))
        done.pages += sum(int(record.get("page_count", 0)) for record in entry["languages"].values())
        if chunk.number == 1:
            done.firsts.append(entry)
        else:
            for key in entry["languages"]:
                done.bundles.setdefault(key, []).append(f"{chunk.folder.removeprefix(INDEX_DIR + '/')}/")
            files = _bundle_files(out)
            if files is not None and output.move_folder(chunk.folder, out, files):
                done.files.update(f"{chunk.folder}/{rel}" for rel in files)
                continue
        for path in sorted(out.rglob("*")):
            rel = path.relative_to(out).as_posix()
            if not path.is_file() or path.name.startswith(UNUSED):
                continue
            if chunk.number == 1 and rel == ENTRY_NAME:  # merged with the other editions'
                continue
            if chunk.number > 1 and "/" not in rel and rel.startswith(FIRST_ONLY):
                continue
            where, data = f"{chunk.folder}/{rel}", path.read_bytes()
            if chunk.number == 1:  # every run writes Pagefind's script: the same bytes, or a fault
                digest = hashlib.sha256(data).digest()
                if done.digests.setdefault(where, digest) != digest:
                    why = f"the search index could not be built: the {chunk.lang} run wrote another {where}"
                    raise PipelineError(why, where)
                if where in done.files:
                    continue
            output.write(where, data, path)
            done.files.add(where)


def _bundle_files(out: Path) -> list[str] | None:
    """The files of a further bundle's run (`out`) that the site keeps, as paths in
    it, with the others deleted from it (what `_stage` skips file by file: Pagefind's
    ready-made interfaces, and the script and WebAssembly of the first bundle); so
    the folder is the bundle, to be staged whole. None, and nothing deleted, when it
    holds anything but folders and regular files (a link): each file is then staged
    on its own, as before."""
    keep: list[str] = []
    drop: list[str] = []
    todo = [("", out)]
    while todo:
        prefix, folder = todo.pop()
        with os.scandir(folder) as items:
            for item in items:
                rel = prefix + item.name
                if item.is_dir(follow_symlinks=False):
                    todo.append((rel + "/", Path(item.path)))
                elif not item.is_file(follow_symlinks=False):
                    return None
                elif item.name.startswith(UNUSED) or (not prefix and item.name.startswith(FIRST_ONLY)):
                    drop.append(rel)
                else:
                    keep.append(rel)
    for rel in drop:
        os.unlink(out / rel)
    return sorted(keep)
