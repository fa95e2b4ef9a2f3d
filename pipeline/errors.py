"""Errors a user can act on: one line, naming the file and line, and an exit code.

Anything else that escapes is a bug in the pipeline and shows its traceback.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes of the command line.
OK, CONTENT, USAGE = 0, 1, 2


class PipelineError(Exception):
    """A problem with the user's content (exit 1) or invocation/configuration (exit 2)."""

    exit_code = CONTENT

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message


class UsageError(PipelineError):
    """Bad arguments, bad configuration, a missing file or an unknown language."""

    exit_code = USAGE
