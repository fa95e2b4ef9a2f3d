"""Errors a user can act on: one line, naming the file and line, and an exit code.

Anything else that escapes is a bug in the pipeline and shows its traceback.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

# Exit codes of the command line.
OK, CONTENT, USAGE = 0, 1, 2
# What str.splitlines() breaks at.
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class PipelineError(Exception):
    """A problem with the user's content (exit 1) or invocation/configuration (exit 2)."""

    exit_code = CONTENT

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def within(self, root: Path) -> PipelineError:
        """The error naming its file by the path inside the project `root` (a write
        deep in the library knows only the absolute path); itself otherwise."""
        if self.path is None or not os.path.isabs(self.path):
            return self
        try:
            rel = Path(self.path).relative_to(root)
        except ValueError:
            return self  # outside the project (an export's output file): as given
        moved = copy.copy(self)
        moved.path = str(rel)
        return moved

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where += f":{self.line}"
        text = f"{where}: {self.message}" if where else self.message
        # One line, whatever a file name or a quoted piece of a file contains.
        return text if len(text.splitlines()) <= 1 else _LINE_BREAKS.sub(lambda m: ascii(m.group())[1:-1], text)


class WriteError(PipelineError):
    """A file could not be written: a full disk, a read-only folder. What failed for
    one file fails for every file after it, so the command line says it once."""


class UsageError(PipelineError):
    """Bad arguments, bad configuration, a missing file or an unknown language."""

    exit_code = USAGE


def too_deep(path: str | Path | None) -> PipelineError:
    """The one line for a RecursionError in Python-Markdown (a list 300 levels deep,
    5,000 `*` in a row): it parses such text recursively."""
    return PipelineError(
        "is nested too deeply for the Markdown parser (a list or emphasis hundreds of levels deep)", path
    )
