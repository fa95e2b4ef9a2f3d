"""Where GNU gettext may and must break a string's line: Unicode line breaking
(UAX #14) as libunistring implements it (`u8_possible_linebreaks`,
`u8_width_linebreaks`), with the widths of characters in columns, from the data in
`unicode_tables`. `layout` lays out catalogs with it.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import re
import struct
import zlib

from pipeline.catalog import unicode_tables

# UAX #14 classes as libunistring numbers them (the pair table's indexes).
_P = {name[4:]: value for name, value in unicode_tables.LBP.items()}
_BK, _CR, _LF, _CM, _ZW, _SP, _CB, _AI, _SA, _XX = (
    _P[k] for k in ("BK", "CR", "LF", "CM", "ZW", "SP", "CB", "AI", "SA", "XX")
)
_AL, _ID1, _ZWJ, _RI, _HL, _HY, _BA, _HL_BA = (_P[k] for k in ("AL", "ID1", "ZWJ", "RI", "HL", "HY", "BA", "HL_BA"))
_PAIRS = unicode_tables.PAIRS  # _PAIRS[before][after]: D direct, I only after a space, P prohibited

# Break marks, as libunistring's UC_BREAK_*.
NO, _YES, _MUST = 0, 1, 2


def _runs(blob: bytes) -> tuple[list[int], list[int]]:
    data = zlib.decompress(base64.b85decode(blob))
    starts, values = [], []
    for start, value in struct.iter_unpack("<IB", data):
        starts.append(start)
        values.append(value - 1)
    return starts, values


_LB_STARTS, _LB_VALUES = _runs(unicode_tables.LINEBREAK)
_W_STARTS, _W_VALUES = _runs(unicode_tables.WIDTH)


class _Table(dict):
    """Character → value, looked up in the runs once per distinct character."""

    def __init__(self, starts: list[int], values: list[int], resolve: dict[int, int] | None = None) -> None:
        super().__init__()
        self.starts, self.values, self.resolve = starts, values, resolve or {}

    def __missing__(self, ch: str) -> int:
        value = self.values[bisect.bisect_right(self.starts, ord(ch)) - 1]
        value = self.resolve.get(value, value)
        self[ch] = value
        return value


# Classes whose behaviour libunistring fixes before the pair table: ambiguous, complex
# context and unknown are alphabetic (in UTF-8), contingent breaks ideographic.
_CLASS = _Table(_LB_STARTS, _LB_VALUES, {_AI: _AL, _SA: _AL, _XX: _AL, _CB: _ID1})
_WIDTH = _Table(_W_STARTS, _W_VALUES, {-1: 0})  # control characters take no column
_PAIR = [[{"P": 0, "D": 1, "I": 2}[c] for c in row] for row in _PAIRS]  # 0 prohibited, 1 direct, 2 indirect
_HARD = (_BK, _LF, _CR)
_ATTACHED = (_CM, _ZWJ)


def _possible_breaks(text: str) -> list[int]:
    """libunistring's u8_possible_linebreaks: a mark per character, before it."""
    marks = [NO] * len(text)
    prev_prop = last_prop = _BK
    seen_space = False
    ri_count = 0
    pair, hard, attached, classes = _PAIR, _HARD, _ATTACHED, _CLASS
    # Inside a word of letters and digits (AL, NU) nothing can break: only its first
    # character needs the rules, the rest is skipped (speed; the result is the same).
    runs = {m.start(): m.end() for m in _WORD_RUN.finditer(text)}
    i, n = 0, len(text)
    while i < n:
        prop = classes[text[i]]
        if prop in hard:
            marks[i] = _MUST
            prev_prop, last_prop, seen_space = prop, _BK, False
        else:
            if prop == _SP:
                seen_space = True
            elif prop == _ZW:
                last_prop, seen_space = _ZW, False
            elif prop in attached:
                if last_prop == _BK:
                    last_prop, seen_space = _AL, False
                elif last_prop == _ZW or seen_space:
                    marks[i] = _YES
                    last_prop, seen_space = _AL, False
            else:
                if last_prop == _BK:
                    pass  # not at the beginning of a line
                elif last_prop == _ZW:
                    marks[i] = _YES
                elif prev_prop in (_ZWJ, _HL_BA):
                    pass
                elif last_prop == _RI and prop == _RI:
                    marks[i] = _YES if seen_space or ri_count % 2 == 0 else NO
                else:
                    kind = pair[last_prop][prop]
                    if kind == 1 or (kind == 2 and seen_space):
                        marks[i] = _YES
                last_prop, seen_space = prop, False
            prev_prop = _HL_BA if prev_prop == _HL and prop in (_HY, _BA) else prop
        ri_count = ri_count + 1 if prop == _RI else 0
        end = runs.get(i)
        if end is not None:
            i = end - 1
            prev_prop = last_prop = classes[text[i]]
            ri_count = 0
        i += 1
    return marks


# Letters and digits that are AL or NU in UAX #14: no break between any two of them.
_WORD_RUN = re.compile(r"[A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]{2,}")


def _width_breaks(text: str, width: int, start: int, overrides: dict[int, int]) -> list[bool]:
    """libunistring's u8_width_linebreaks: where a line must end (before index i)."""
    marks = _possible_breaks(text)
    for i, mark in overrides.items():
        marks[i] = mark
    if text.isascii() and text.isprintable():
        columns: list[int] | range = range(len(text) + 1)  # one column per character
    else:
        columns = [0, *itertools.accumulate(map(_WIDTH.__getitem__, text))]
    breaks = [False] * len(text)
    last: int | None = None
    column, piece_start = start, 0
    for i in [i for i, mark in enumerate(marks) if mark]:
        piece = columns[i] - columns[piece_start]
        if last is not None and column + piece > width:
            breaks[last] = True
            column = 0
        if marks[i] == _MUST:  # a line break character: a new piece after it, at column 0
            last, column, piece_start = None, 0, i + 1
        else:
            last, column, piece_start = i, column + piece, i
    if last is not None and column + columns[len(text)] - columns[piece_start] > width:
        breaks[last] = True
    return breaks


def breaks(text: str, width: int, start: int, overrides: dict[int, int]) -> list[bool]:
    """`_width_breaks`, short-cut when the whole text fits (no piece can pass the width)."""
    if start + _columns(text) <= width:
        return [False] * len(text)
    return _width_breaks(text, width, start, overrides)


def _columns(text: str) -> int:
    """The columns `text` takes (an upper bound of what the line breaker counts)."""
    return len(text) if text.isascii() else sum(map(_WIDTH.__getitem__, text))
