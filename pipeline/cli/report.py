"""What every command prints at its end: its errors, one a line, and the exit code
they make."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipeline.base.errors import CONTENT, OK, PipelineError, WriteError


def report_errors(errors: Sequence[PipelineError], root: Path) -> int:
    """Print each error on its line, naming files inside the project by their path
    in it; the exit code they make."""
    errors = [exc.within(root) for exc in errors]
    failed_writes = Counter(exc.message for exc in errors if isinstance(exc, WriteError))
    for exc in errors:
        if isinstance(exc, WriteError):
            # A full disk or a read-only folder fails every write alike: one line.
            more = failed_writes.pop(exc.message, 0) - 1
            if more >= 0:
                print(f"{exc} (and {more} more file(s))" if more else str(exc), file=sys.stderr)
            continue
        print(str(exc), file=sys.stderr)
    return CONTENT if errors else OK
