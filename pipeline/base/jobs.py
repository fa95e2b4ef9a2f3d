"""Worker processes for the commands that work article by article (`--jobs`)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from pipeline.base.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")


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
