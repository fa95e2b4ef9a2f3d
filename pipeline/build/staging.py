"""Writing `output/` all at once: a staged copy that is swapped in, or nothing.

A build writes into `.output.staging-<pid>/` beside `output/`, first filled with
hard links to every live file (cheap: no data is copied), then changed in place —
each write unlinks a link and writes a new file in its place (`stage_file`), so
the live site never sees it.
`commit` swaps the staged folder in with two renames; `discard` deletes it. A
failed or interrupted build therefore leaves the published site as it was. When
nothing changed, no stage is created and the live folder is not touched at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from pipeline.base.errors import WriteError
from pipeline.base.files import link_in, write_error


class Output:
    """The build's view of `output/`: read the live files, write into a stage.

    Worker processes get the parent's stage (`stage=`), already created.
    """

    def __init__(self, live: Path, stage: Path | None = None) -> None:
        self.live = live
        self.stage = stage
        self.written: list[str] = []
        self.removed: list[str] = []
        self.unchanged = 0
        self._checked = stage is not None  # a worker's stage: the parent checked the live folder

    def refuse_links(self) -> None:
        """A symbolic link in `output/` (or `output/` itself one) is refused: the build
        would write pages wherever it points, and delete files it finds there."""
        if self._checked:
            return
        links = [self.live] if self.live.is_symlink() else []
        if not links and self.live.is_dir():
            for folder, dirs, files in os.walk(self.live):
                links += [Path(folder, name) for name in (*dirs, *files) if Path(folder, name).is_symlink()]
                if links:
                    break
        if links:
            rel = Path(self.live.name) / links[0].relative_to(self.live)
            raise WriteError("is a symbolic link; refusing to write or delete through it", rel)
        self._checked = True

    def ensure_stage(self) -> Path:
        """Create the stage (a hard-linked copy of the live folder) if it is not there yet."""
        self.refuse_links()
        if self.stage is None:
            stage = self.live.parent / f".{self.live.name}.staging-{os.getpid()}"
            shutil.rmtree(stage, ignore_errors=True)
            try:
                if self.live.is_dir():
                    shutil.copytree(self.live, stage, copy_function=_link_or_copy, symlinks=True)
                else:
                    stage.mkdir(parents=True)
            except OSError as exc:
                shutil.rmtree(stage, ignore_errors=True)
                raise write_error(stage, exc) from None
            self.stage = stage
        return self.stage

    def write(self, rel: str, data: bytes, source: Path | None = None) -> bool:
        """Stage `data` as `rel` unless the live file already has these bytes.
        `source`: a scratch file of this build that holds `data` (a Pagefind run's),
        moved into the stage rather than written again."""
        self.refuse_links()
        live = self.live / rel
        if live.is_file() and live.read_bytes() == data:
            self.unchanged += 1
            return False
        try:
            stage_file(self.ensure_stage() / rel, data, source)
        except WriteError as exc:  # name the page, not the stage's temporary folder
            raise WriteError(exc.message, Path(self.live.name) / rel) from None
        self.written.append(rel)
        return True

    def move_folder(self, rel: str, source: Path, files: Iterable[str]) -> bool:
        """Stage the folder `source` as `rel` in one rename, when neither the live site
        nor the stage has anything at `rel` (nothing to keep or compare: a bundle new
        to the site). `source` is a finished folder of this build's, on the stage's
        file system, holding just `files` (paths in it; the caller walked it and found
        no link). False, and nothing moved: something is there, or another file
        system; write each file instead (`write`). One rename for a bundle's hundreds of
        files: a cold build of 1,000 articles staged 2,000 files one by one after its
        last page, 0.2 s of its serial end."""
        target = self.ensure_stage() / rel
        if os.path.lexists(self.live / rel) or os.path.lexists(target):
            return False
        where = Path(self.live.name) / rel  # what an error names (as `write`'s do), not the stage
        if link_in(target) is not None:
            raise WriteError("is a symbolic link, or one is on the way; refusing to write through it", where)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(source, target)  # a folder that appeared at `target` since: refused unless empty
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                return False
            raise WriteError(write_error(target, exc).message, where) from None
        self.written += [f"{rel}/{name}" for name in files]
        return True

    def remove(self, rel: str) -> None:
        """Stage the removal of `rel`."""
        target = self.ensure_stage() / rel
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        self.removed.append(rel)

    def commit(self) -> None:
        """Swap the stage in. On Linux one atomic exchange of the two folders
        (`renameat2(RENAME_EXCHANGE)`): there is no moment without `output/`.
        Elsewhere two renames, `output/` → `.output.old-<pid>`, stage → `output/`
        (`clean_leftovers` repairs a build killed between them)."""
        if self.stage is None:
            return
        if self.live.is_dir() and _exchange(self.stage, self.live):
            old, self.stage = self.stage, None
            shutil.rmtree(old, ignore_errors=True)
            return
        old = self.live.parent / f".{self.live.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        try:
            if self.live.exists():
                os.rename(self.live, old)
            os.rename(self.stage, self.live)
        except OSError as exc:
            if old.exists() and not self.live.exists():
                os.rename(old, self.live)
            raise write_error(self.live, exc) from None
        self.stage = None
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Forget everything staged; the live folder is untouched."""
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None


def stage_file(path: Path, data: bytes | Iterable[bytes], source: Path | None = None) -> None:
    """Write a file of the stage under its own name, not through a temporary file;
    or move `source` (a finished file of this build's, holding `data`) there.
    `data` may come in pieces (the build manifest: never whole in memory).

    The stage is this build's own folder and nobody reads it before the swap: a
    build that fails or is killed half-way through a file leaves it in a stage
    that is discarded (`discard`, `clean_leftovers`), never on the site. The hard
    link to the live file is unlinked first (the live file keeps its bytes), and
    the new file is created exclusively: a name that is back by then, a link or
    anything else, is refused, never followed. No fsync: pages are regenerated
    from the sources at will. (`atomic_write`'s anonymous file, its link and its
    rename cost as much as the write itself, for nothing here.)"""
    link = link_in(path)
    if link is not None:
        raise WriteError("is a symbolic link; refusing to write through it", link)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:  # a rename replaces the name (link or not), never what it points to
            os.replace(source, path)
            return
        fd = _create(path)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
    except OSError as exc:
        raise write_error(path, exc) from None


def _create(path: Path, tries: int = 5) -> int:
    """A new file at `path`, created exclusively; what is there (a hard link to the
    live file, anything else) is unlinked first, never followed. Two workers may
    write the same name of the stage (two articles claiming one address: `settle`
    builds them again after): one's file can appear between the other's unlink and
    its create, so that is tried again. The create comes first: in a cold build's
    fresh stage nothing is there, and an unlink of nothing was a failed call for each
    of its thousands of files."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | _NOFOLLOW
    for _ in range(tries):
        with contextlib.suppress(FileExistsError):
            return os.open(path, flags, 0o666)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return os.open(path, flags, 0o666)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def clean_leftovers(live: Path) -> None:
    """Tidy up after a build that was killed: delete its stage; if it died between
    the two renames of `commit`, put the previous site back first."""
    for leftover in sorted(live.parent.glob(f".{live.name}.*-*")):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not leftover.is_dir() or not pid.isdigit() or _alive(int(pid)):
            continue
        if ".old-" in leftover.name and not live.exists():
            os.rename(leftover, live)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ≥ 3.15, glibc ≥ 2.28); False if unavailable."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
