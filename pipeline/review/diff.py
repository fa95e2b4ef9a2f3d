"""A word-level diff between the previous and the current source of an entry.

When an article's paragraph changes, `update` keeps the old translation as fuzzy
with the old source as `#| msgid`. A translator then needs to see *what* changed
in the source — usually a word or a number in a long paragraph — not two walls of
text. Tokens are words, runs of whitespace and single punctuation marks, so
`100,000` → `120,000` shows as one changed word.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal

Op = Literal["equal", "delete", "insert"]
_TOKEN_RE = re.compile(r"\s+|\w+(?:[.,'’-]\w+)*|[^\w\s]")


def tokens(text: str) -> list[str]:
    """`text` cut into words, whitespace runs and punctuation marks (lossless)."""
    return _TOKEN_RE.findall(text)


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """(op, text) pieces turning `old` into `new`; joining the `equal` and `delete`
    pieces gives `old`, the `equal` and `insert` pieces give `new`."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(pieces, "equal", "".join(a[i1:i2]))
        else:
            # A replace shows as deleted words, then inserted words.
            _add(pieces, "delete", "".join(a[i1:i2]))
            _add(pieces, "insert", "".join(b[j1:j2]))
    return pieces


def _add(pieces: list[tuple[Op, str]], op: Op, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1][0] == op:
        pieces[-1] = (op, pieces[-1][1] + text)
    else:
        pieces.append((op, text))
