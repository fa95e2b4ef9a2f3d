"""Worker threads for engine requests: daemon threads and a result queue.

Not `concurrent.futures.ThreadPoolExecutor`: its threads are joined at interpreter
exit, so one request stuck on a dead server would keep Ctrl-C (or the end of a
failed run) waiting. These threads are daemons: when the run is over, whatever
they are still waiting for is abandoned. Only the caller's thread (the run's main
loop) touches catalogs and the cache; workers only call `work(item)`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """One finished item: its result, or the exception `work` raised."""

    item: Any
    result: Any = None
    error: BaseException | None = None


class Pool:
    """Run `work` over `items` on `workers` daemon threads."""

    def __init__(self, work: Callable[[Any], Any], items: Iterable[Any], workers: int, stop: threading.Event) -> None:
        self.stop = stop
        self._todo: queue.Queue[Any] = queue.Queue()
        self._done: queue.Queue[Outcome] = queue.Queue()
        self.pending = 0
        for item in items:
            self._todo.put(item)
            self.pending += 1
        self._work = work
        self._threads = [
            threading.Thread(target=self._loop, name=f"pretranslate-{i}", daemon=True)
            for i in range(min(workers, self.pending))
        ]
        for thread in self._threads:
            thread.start()

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                item = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                self._done.put(Outcome(item, result=self._work(item)))
            except BaseException as exc:  # handed to the main thread, which decides
                self._done.put(Outcome(item, error=exc))

    def next(self, timeout: float) -> Outcome | None:
        """The next finished item, or None after `timeout` seconds without one."""
        if self.pending == 0:
            return None
        try:
            outcome = self._done.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        self.pending -= 1
        return outcome

    def shutdown(self) -> None:
        """Stop taking new items; requests in flight end on their own (timeout)."""
        self.stop.set()
