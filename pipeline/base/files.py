"""Atomic file writes: a reader, a crash or a full disk never sees half a file.

And reads that follow no link: a project's `locales/`, `output/` and `.cache/` hold
only regular files and folders, so a symbolic link there (to `/etc/passwd`, to
`/dev/zero`, to a folder outside the project) is refused, never followed, and so is
anything that is not a regular file (a FIFO would block for ever).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
import time
from pathlib import Path

from pipeline.base.errors import PipelineError, WriteError

# What `fingerprint` says of a file that is not there: a writer that read no file
# (a new catalog) expects none, and one that appeared meanwhile is a person's.
ABSENT = "absent"

# Big enough for any real article or catalog, small enough that a stray data dump
# is refused before it costs minutes and gigabytes.
MAX_FILE_BYTES = 5 * 1024 * 1024
_MB = 1024 * 1024


def link_in(path: Path) -> Path | None:
    """The first symbolic link on the way to `path` (`path` itself included), or None.

    Paths are built from the resolved project folder, so a link anywhere on the way
    is one inside the project."""
    absolute = Path(os.path.abspath(path))
    if os.path.realpath(absolute) == str(absolute) and not absolute.is_symlink():
        return None
    for step in [*reversed(absolute.parents), absolute]:
        if step.is_symlink():
            return step
    return None


def refuse_links(path: Path, rel: str | Path, doing: str = "follow") -> None:
    """Raise a one-line error if `path`, or a folder on the way to it, is a link."""
    link = link_in(path)
    if link is not None:
        where = "" if link == Path(os.path.abspath(path)) else f" ({link.name}/ on the way is one)"
        raise PipelineError(f"is a symbolic link{where}; refusing to {doing} it", rel)


def read_regular(path: Path, rel: str, what: str = "a catalog", limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file that is no link and at most `limit` bytes long;
    anything else is a one-line `PipelineError` naming `rel`. `FileNotFoundError`
    passes through (callers word it)."""
    refuse_links(path, rel)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: a link
        # swapped in since the check above is refused by the kernel.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PipelineError("is a symbolic link; refusing to follow it", rel) from None
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PipelineError("cannot read: Is a directory", rel)
        if not stat.S_ISREG(info.st_mode):
            raise PipelineError(f"is not a regular file ({_kind(info.st_mode)}); refusing to read it", rel)
        if info.st_size > limit:
            raise PipelineError(f"file is {info.st_size // _MB} MB; the limit for {what} is {limit // _MB} MB", rel)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while we read
            raise PipelineError(f"file is over {limit // _MB} MB; the limit for {what} is {limit // _MB} MB", rel)
        return b"".join(chunks)
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    finally:
        os.close(fd)


def read_head(path: Path, size: int) -> bytes | None:
    """The first `size` bytes of a regular file that is no link, else None."""
    if link_in(path) is not None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return os.read(fd, size) if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


class Changed(PipelineError):
    """The file is no longer what the command read: a person saved it meanwhile. Their
    save stays; the command either starts over from it or stops with this line."""

    def __init__(self, path: str | Path) -> None:
        super().__init__("changed on disk while this command ran (a person saved it meanwhile); left as saved", path)


def fingerprint(data: bytes | None) -> str:
    """What a writer remembers of the bytes it read (`atomic_write`'s `expect`):
    their SHA-256, or `ABSENT` for no file."""
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()


def on_disk(path: Path) -> str:
    """The `fingerprint` of `path` as it is now (a link, a FIFO or a device is never
    what a command read: it gets a fingerprint no read matches)."""
    try:
        return fingerprint(read_regular(path, str(path), limit=1 << 62))
    except FileNotFoundError:
        return ABSENT
    except PipelineError:
        return "unreadable"


def atomic_write(path: Path, data: str | bytes, durable: bool = True, expect: str | None = None) -> None:
    """Write `data` to `path` through a temporary file in the same folder, fsync it,
    then rename it over the target, so the old content stays until the new is whole.

    `expect`: the `fingerprint` of the bytes the caller read and changed. Just before
    the rename the file on disk must still have it, or `Changed` is raised and the
    file is left as it is: a person's save in the meantime is never overwritten.

    On Linux the temporary file is anonymous (`O_TMPFILE`) until it is complete, so
    a process killed while writing (`kill -9`, the OOM killer) leaves nothing behind;
    it gets a `.NAME.*.tmp` name only for the instant before the rename. Elsewhere it
    is a named temporary file from the start.

    `durable=False` skips the fsyncs, for files that can be regenerated (a staged
    page): a killed process cannot leave them half-written, only a power cut could.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    link = link_in(path)
    if link is not None:  # never write through a link, nor replace one (it may be a trap or a mistake)
        raise WriteError("is a symbolic link; refusing to write through it", link)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _anonymous_file(path.parent)
        if fd is None:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            # mkstemp makes the file private (0600); a page or catalog gets the usual
            # permissions, as if created with open().
            os.fchmod(fd, 0o666 & ~_umask())
    except OSError as exc:  # a read-only or full file system fails here, before any temp file
        raise write_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
            if tmp is None:
                tmp = _name(handle.fileno(), path)
        if expect is not None:
            _still(path, expect)
        os.replace(tmp, path)
    except _NoLink:  # a system that makes the file but cannot name it: named temporary files then
        global _O_TMPFILE
        _O_TMPFILE = None
        atomic_write(path, payload, durable, expect)
        return
    except Changed:
        _remove(tmp)
        raise
    except OSError as exc:
        _remove(tmp)
        raise write_error(path, exc) from None
    except BaseException:
        _remove(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def _still(path: Path, expect: str) -> None:
    """Raise `Changed` unless `path` still has the fingerprint `expect`."""
    _pause_for_tests(path)
    # As late as it can be, right before the rename: a save can still slip in between
    # this read and the rename (POSIX has no compare-and-rename), but the window is the
    # time of one read of the file, not the whole command's.
    if on_disk(path) != expect:
        raise Changed(path)


# The test suite's hook for a deterministic race (tests/test_lost_update.py): with
# this variable naming a folder, a write that checks what it read first writes
# `waiting` there (the file's path) and waits up to a minute for `go`, so a test can
# save the file as a person would at exactly that moment. Unset, it costs one lookup.
PAUSE_ENV = "PIPELINE_TEST_PAUSE_BEFORE_WRITE"


def _pause_for_tests(path: Path) -> None:
    folder = os.environ.get(PAUSE_ENV)
    if not folder:
        return
    waiting, go = Path(folder) / "waiting", Path(folder) / "go"
    ready = waiting.with_name("waiting.tmp")  # renamed whole: the test never reads it half written
    ready.write_text(str(path), encoding="utf-8")
    os.replace(ready, waiting)
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    with contextlib.suppress(OSError):
        waiting.unlink()
        go.unlink()


_O_TMPFILE = getattr(os, "O_TMPFILE", None)
_PROC_FD = Path("/proc/self/fd")


class _NoLink(Exception):
    """linkat(2) of an anonymous file is not possible here."""


def _anonymous_file(folder: Path) -> int | None:
    """An unnamed file in `folder`, or None where the system or file system has none."""
    if _O_TMPFILE is None or not _PROC_FD.is_dir():
        return None
    try:
        # The mode is applied with the umask, as by open().
        return os.open(folder, _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None  # a file system without O_TMPFILE: a named temporary file then
        raise


def _name(fd: int, path: Path) -> str:
    """Give the anonymous file `fd` a temporary name beside `path` (for the rename)."""
    # linkat(2) through /proc/self/fd/N with AT_SYMLINK_FOLLOW; os.link makes that
    # call (not link(2), which does not follow the link) only when given a dir_fd.
    procfd = os.open(_PROC_FD, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            tmp = str(path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp")
            try:
                os.link(str(fd), tmp, src_dir_fd=procfd, follow_symlinks=True)
                return tmp
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno in (errno.EXDEV, errno.ENOENT, errno.EINVAL, errno.EOPNOTSUPP):
                    raise _NoLink from None
                raise
    finally:
        os.close(procfd)


def _remove(tmp: str | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_error(path: Path, exc: OSError) -> WriteError:
    """Turn an OS error while writing into a one-line user error."""
    return WriteError(f"cannot write: {reason(exc)}", path)


def reason(exc: OSError) -> str:
    """What went wrong, in the words of the error messages."""
    return {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "read-only file system",
    }.get(exc.errno, exc.strerror or str(exc))


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temp_files(folder: Path) -> int:
    """Delete the `.NAME.*.tmp` files a killed writer left in `folder` (call it only
    while holding the project lock: then no live writer owns one). Returns how many."""
    removed = 0
    if folder.is_dir():
        for leftover in folder.rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed += 1
    return removed
