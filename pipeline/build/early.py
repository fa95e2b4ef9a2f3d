"""The search index made beside the rendering: bundles indexed while later articles render.

A cold build indexes every edition (there is no published index to keep), and
Pagefind costs about half as much CPU as rendering the pages does. Done after the
last page, it is a wait at the end of every first publish; started as soon as a
bundle's pages are final, it runs on a core the rendering leaves free (a one-job
build) or between the workers, and the end of the build waits only for the last
bundles.

The bundles are the ones `bundles.plan` cuts, in the site's order of articles: the
n articles are cut into as few runs of at most `PAGES_PER_BUNDLE` articles as will
do (so a bundle never has more pages of one language than that), and a run of
articles, once all are built or kept, is indexed for each language it has pages in
(one Pagefind run each, in a thread). While articles render, one run at a time: the
rendering has the other cores. Once the last run of articles is given, nothing
renders any more, and the runs still to do (that run's, and any left behind) go
side by side, as many as the build used cores (its jobs and this thread), at most
one a core. At the end `search.index_site`
takes a bundle from here only if the final plan has the same pages and none of
them was written again since (`settle` rebuilds an article whose address collides);
anything else is indexed then, as without this module. An incremental build does
not start any: it keeps the editions whose pages did not change, and which those
are is known only at the end.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.jobs import default_jobs
from pipeline.build import bundles
from pipeline.build.bundles import Chunk, article_page, cuts, site_order
from pipeline.build.indexer import WHERE, run, scratch_site
from pipeline.build.search import ENTRY
from pipeline.build.staging import Output


class EarlyIndex:
    """Bundles indexed while the build renders: `add` each article's pages as they
    become final (in any order); `take` a bundle's output at the end; `close`."""

    def __init__(
        self,
        site: Path,
        scratch: Path,
        names: list[str],
        size: int,
        kept: Mapping[str, Mapping[str, str]] | None = None,
        lanes: int = 1,
    ) -> None:
        self.site, self.scratch = site, scratch
        # The kept articles' pages are final already, but are given with the first
        # article built: no run starts before the build's workers are forked (a
        # process forked while a thread waits on a child is not one to trust).
        self.kept = dict(kept or {})
        self.position = {name: i for i, name in enumerate(names)}
        self.bounds = cuts(len(names), size)
        self.slots: list[dict[str, str] | None] = [None] * len(names)
        self.next = 0  # the first run of articles not yet started
        # One run at a time while the build's workers have the other cores; `lanes`
        # once the last run of articles is given (`_widen`).
        self.pool = ThreadPoolExecutor(max(1, lanes), thread_name_prefix="early-index")
        self.turns = threading.Semaphore(1)
        self.more = max(1, lanes) - 1
        self.stopped = False
        self.runs: dict[tuple[str, tuple[str, ...]], tuple[Future[Path], dict[str, tuple[int, int, int]]]] = {}

    def add(self, name: str, slugs: Mapping[str, str]) -> None:
        """The article `name`'s pages (its editions' `slugs`) are final in the stage."""
        kept, self.kept = self.kept, {}
        for other, pages in kept.items():
            self.add(other, pages)
        i = self.position.get(name)
        if i is None:
            return
        self.slots[i] = site_order([slugs])[0]
        while self.next < len(self.bounds) - 1:
            start, end = self.bounds[self.next], self.bounds[self.next + 1]
            if any(slot is None for slot in self.slots[start:end]):
                return
            self._start(self.next, [slot for slot in self.slots[start:end] if slot is not None])
            self.next += 1
        if self.next == len(self.bounds) - 1:
            self._widen()

    def _widen(self) -> None:
        """Every run is started: let the waiting ones go side by side (once)."""
        more, self.more = self.more, 0
        for _ in range(more):
            self.turns.release()

    def _start(self, number: int, slots: list[dict[str, str]]) -> None:
        for lang in sorted({lang for slot in slots for lang in slot}):
            pages = tuple(slot[lang] for slot in slots if lang in slot and article_page(self.site / slot[lang]))
            if not pages:
                continue
            identity = {rel: _identity(self.site / rel) for rel in pages}
            name = f"{lang}-{number}"
            future = self.pool.submit(self._index, pages, lang, name)
            self.runs[lang, pages] = (future, identity)

    def _index(self, pages: tuple[str, ...], lang: str, name: str) -> Path:
        with self.turns:
            if self.stopped:  # waited for its turn while the build stopped
                raise PipelineError("the build stopped before this bundle was indexed", WHERE)
            return _index(self.site, pages, lang, self.scratch, name)

    def take(self, chunk: Chunk) -> Path | None:
        """Where the bundle of `chunk` was written, if it was indexed here from the
        very files the stage holds now; None: index it now."""
        found = self.runs.pop((chunk.lang, chunk.pages), None)
        if found is None:
            return None
        future, identity = found
        try:
            out = future.result()
        except PipelineError:
            return None  # indexed again at the end, which says what fails
        if any(_identity(self.site / rel) != identity[rel] for rel in chunk.pages):
            return None
        return out

    def close(self) -> None:
        """Stop (a run under way is finished first) and remove the scratch folder."""
        self.stopped = True
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.scratch, ignore_errors=True)


def start_early(
    output: Output, names: list[str], kept: Mapping[str, Mapping[str, str]], jobs: int | None = None
) -> EarlyIndex | None:
    """An `EarlyIndex` for a build that indexes every edition (none is published and
    its stage is made), or None; `names`: the articles in site order; `kept`: the
    editions' slugs of the articles whose pages stay; `jobs`: the build's workers."""
    if (output.live / ENTRY).is_file() or output.stage is None:
        return None
    scratch = output.stage.parent / f".{output.live.name}.early-{os.getpid()}"  # clean_leftovers' pattern
    cores = default_jobs()
    lanes = min(cores, (jobs or cores) + 1)  # the rendering's cores and this thread's
    return EarlyIndex(output.stage, scratch, names, bundles.PAGES_PER_BUNDLE, kept, lanes)


def _index(site: Path, pages: Iterable[str], lang: str, scratch: Path, name: str) -> Path:
    folder = scratch_site(site, pages, scratch / "site" / name)
    out = scratch / "out" / name
    run(folder, out, f"{lang}/*.html", one_core=True)
    shutil.rmtree(folder, ignore_errors=True)
    return out


def _identity(path: Path) -> tuple[int, int, int]:
    """Which file a page is: a page written again is a new file (`staging.Output`)."""
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (st.st_ino, st.st_size, st.st_mtime_ns)
