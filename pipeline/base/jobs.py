"""How the commands that work article by article use the machine: worker processes
(`--jobs`) and the pace of Python's cycle collector (`batch_pace`)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from pipeline.base.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

# Container objects allocated (net) between two young-generation collections during a
# batch; Python's default is 700. See `batch_pace`.
BATCH_YOUNG = 20_000


def check_jobs(jobs: int | None) -> int | None:
    """`--jobs` must be a positive number (None: the default)."""
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {jobs}")
    return jobs


def default_jobs() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parallel_map(function: Callable[[T], R], tasks: Iterable[T], jobs: int | None = None) -> Iterator[R]:
    """`map(function, tasks)` in forked worker processes, results in task order; in
    this process when one worker will do or the system cannot fork. What `function`
    needs besides its task must be in place before the call (the workers inherit it)."""
    tasks = list(tasks)
    jobs = min(jobs or default_jobs(), len(tasks))
    if jobs <= 1 or os.name != "posix":
        yield from map(function, tasks)
        return
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        yield from pool.map(function, tasks, chunksize=max(1, min(16, len(tasks) // (jobs * 4))))


@contextlib.contextmanager
def batch_pace(young: int | None = None) -> Iterator[tuple[int, int, int]]:
    """Run a batch (a pass of extract, update, build or publish; a check; the review
    pages) with the cycle collector at a slower pace: a young-generation pass every
    `young` (default `BATCH_YOUNG`) net allocations of container objects instead of
    every 700 (the older passes, which count young ones, come as much rarer).
    Yields the thresholds in force; the caller's are back afterwards, also on an
    error. Worker processes forked inside inherit it. A caller's own slower pace is
    kept. The thresholds are the process's: for one batch at a time (a command), not
    for threads running batches side by side.

    Why: a build allocates millions of container objects (trees, entries, tokens)
    and few of them end in cycles, yet at Python's pace the collector ran about 1,000
    times in a cold publish of 1,000 articles, its full passes walking every live
    object (Markdown's and Babel's data included): 1.0-1.2 s, 4 % of the publish. At
    20,000 it runs about a dozen times in the pass, 0.3 s in all. The cyclic garbage
    (about 110 objects an article) waits longer: the peak grew by 1 MB of 80
    (README, "Design notes"). The review pages of 1,000 articles, whose full passes
    walk a heap of 340 MB: 3.2 s of collection, now 1.4 s. (`stats` makes two
    collections in all: not worth a change.)"""
    old = gc.get_threshold()
    young = BATCH_YOUNG if young is None else young
    if young > old[0]:
        gc.set_threshold(young, *old[1:])
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*old)
