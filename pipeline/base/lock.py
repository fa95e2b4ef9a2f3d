"""One writer at a time: a lock around every command that writes `locales/` or `output/`.

Two runs at once could merge the same catalog twice or swap `output/` under each
other. The lock is an `flock` on `.cache/pipeline/lock`, so it is released by the
kernel when the holder dies (even by `kill -9`): a crash never leaves a stale lock.
The second run says who holds the lock and waits for it (or, with `wait=False`,
exits with that message).

Processes forked while the lock is held (the worker pool of `publish`) share its
file descriptor, so the lock lasts as long as the last of them: they are made to
die with their parent, or a `kill -9` of the command would leave its workers
orphaned, blocked forever and holding the lock, and every later run would wait.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import signal
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.files import reason, refuse_links, remove_stale_temp_files


@contextlib.contextmanager
def project_lock(root: Path, command: str, wait: bool = True) -> Iterator[None]:
    """Hold the project's write lock for the duration of the `with` block."""
    path = root / ".cache" / "pipeline" / "lock"
    rel = path.relative_to(root)
    refuse_links(path, rel, "write through")  # a linked lock file would be truncated: never follow one
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PipelineError("is a symbolic link; refusing to write through it", rel) from None
        raise PipelineError(f"cannot create the lock file: {reason(exc)}", path) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PipelineError("is not a regular file; refusing to use it as the lock file", rel)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_name(fd)
            if not wait:
                raise PipelineError(f"{holder} is writing this project; try again when it has finished") from None
            print(f"waiting for {holder} to finish ...", file=sys.stderr, flush=True)
            started = time.monotonic()
            fcntl.flock(fd, fcntl.LOCK_EX)
            print(f"... waited {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        # Who holds the lock, for the message of a second run; on a full disk there
        # is no room even for that, and the lock works without it.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"`{command}` (pid {os.getpid()})".encode(), 0)
        global _holder
        _holder = os.getpid()
        # A writer killed while renaming may have left its temporary file: with the
        # lock held, no live writer owns one.
        remove_stale_temp_files(root / "locales")
        try:
            yield
        finally:
            _holder = None
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing releases the flock


_holder: int | None = None  # this process's pid while it holds a project lock


def _holder_name(fd: int) -> str:
    """Who holds the lock, as it wrote itself into the file.

    The holder writes its name just after it takes the lock, so a run that arrives
    in between reads an empty file: it looks again for a moment before it settles
    for "another run" (a holder on a full disk never writes its name).
    """
    for _ in range(20):
        name = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if name:
            return name
        time.sleep(0.005)
    return "another run"


_PR_SET_PDEATHSIG = 1


def _die_with_holder() -> None:
    """In a child forked while the lock is held: be killed when the holder dies."""
    global _holder
    parent = _holder
    if parent is None:
        return
    _holder = os.getpid()  # the child shares the lock: its own children die with it
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: no parent-death signal
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the holder died before the signal was armed
        os.kill(os.getpid(), signal.SIGKILL)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_die_with_holder)
