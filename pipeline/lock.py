"""One writer at a time: a lock around every command that writes `locales/` or `output/`.

Two runs at once could merge the same catalog twice or swap `output/` under each
other. The lock is an `flock` on `.cache/pipeline/lock`, so it is released by the
kernel when the holder dies (even by `kill -9`): a crash never leaves a stale lock.
The second run says who holds the lock and waits for it (or, with `wait=False`,
exits with that message).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import PipelineError


@contextlib.contextmanager
def project_lock(root: Path, command: str, wait: bool = True) -> Iterator[None]:
    """Hold the project's write lock for the duration of the `with` block."""
    path = root / ".cache" / "pipeline" / "lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PipelineError(f"cannot create the lock file: {exc.strerror}", path) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            if not wait:
                raise PipelineError(f"{holder} is writing this project; try again when it has finished") from None
            print(f"waiting for {holder} to finish ...", file=sys.stderr, flush=True)
            started = time.monotonic()
            fcntl.flock(fd, fcntl.LOCK_EX)
            print(f"... waited {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"`{command}` (pid {os.getpid()})".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing releases the flock
