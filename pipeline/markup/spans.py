"""The protected spans of a segment: the pieces of its markup no translation may change.

A msgid is raw inline Markdown. Some of it is machinery that must survive
translation byte for byte: code spans, link and image targets, reference ids,
footnote references, autolinks, bare URLs and e-mail addresses, HTML tags and
entities, attr lists, placeholder tokens, and configured patterns such as
clinical-trial IDs. `protected_spans` finds them, each scan only in a text that has
the literal every one of its matches holds (`SCANS`, `required`); `inline` counts
them for QA and blanks them out of the prose.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.config.load import DEFAULT_PROTECTED_PATTERNS
from pipeline.markup.danger import html_matches

try:  # Python's own regex parser, private: without it `required` finds nothing (same matches, slower)
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre_constants = _sre_parser = None

DEFAULT_PATTERNS = DEFAULT_PROTECTED_PATTERNS  # `protected_patterns`' default, defined once in config
# Placeholders of entries flagged as format strings (the page chrome's `%(date)s`):
# msgfmt checks them, so an engine must leave them alone.
FORMAT_PATTERNS = {
    "python-format": r"%(?:\([^()]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]",
    "c-format": r"%(?:\d+\$)?[#0 +'-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|j|z|t)?[diouxXeEfFgGcsp%]",
    "python-brace-format": r"\{[^{}\s]*\}",
}

# Each pattern that repeats a class starts only where a run of it starts ((?<!...)),
# so a long run of spaces or dots is scanned once, not once per character.
_BACKTICKS_RE = re.compile(r"`+")
# `](target "title")` of an inline link or image; one level of nested parentheses.
_TARGET_RE = re.compile(r"\]\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
_REF_RE = re.compile(r"\]\[([^\]\n]*)\]")
_FOOTNOTE_RE = re.compile(r"\[\^[^\]\s]+\]")
_AUTOLINK_RE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>")
_ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_URL_RE = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`\]\[)]*[^\s<>\"'`\]\[).,;:!?]")  # found by `_urls`
# `\bwww\.`, opening with its text (the boundary read back over it): the engine skips
# to a literal at C speed, and tries a pattern that opens with `\b` at every character.
_WWW_RE = re.compile(r"www\.(?<!\wwww\.)[^\s<>\"'`\]\[)]*[^\s<>\"'`\]\[).,;:!?]")
# The address starts at the first word character of its run (where `\b` would let it).
_EMAIL_RE = re.compile(r"(?<![\w.+-])[.+-]*+(\w[\w.+-]*@[\w-]+(?:\.[\w-]+)+\b)")
_ATTR_RE = re.compile(r"\{:?[ ]*[#.][^{}\n]*\}|\{:[^{}\n]*\}")

# Kinds in the order they are looked for: an earlier kind claims its characters first.
# A link's or image's title is prose (a tooltip a reader sees): its `](target "`
# is a "target" span and its closing `")` a "title" span, the words between free.
KINDS = ("code", "html", "autolink", "target", "title", "ref", "footnote", "attr", "entity", "url", "email", "pattern")


@dataclass(frozen=True)
class Span:
    """A piece of a segment that must be carried over unchanged."""

    kind: str
    start: int
    end: int
    text: str


def protected_spans(text: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> list[Span]:
    """Non-overlapping spans of `text` that no translation may change, in order.

    For a link or image only the `](target "` and `")` parts are protected, so the
    link text, alt text and title stay translatable; for a reference link, the
    `][id]` part.
    """
    # Remembered: QA, the page's gate and the enforced checks ask for the same texts
    # several times each (spans are frozen; every caller gets its own list).
    return list(remembered_spans(text, tuple(patterns)))


@lru_cache(maxsize=8192)
def remembered_spans(text: str, patterns: tuple[str, ...]) -> tuple[Span, ...]:
    """`protected_spans` as the one remembered tuple, for a caller that only reads it."""
    taken: list[Span] = []
    claimed = Taken(len(text))
    for literal, scan in SCANS:
        if literal not in text:  # no match can be there: most segments skip most scans
            continue
        for kind, m in scan(text):
            start, end = m.span()
            if start == end or claimed.overlaps(start, end):
                continue
            claimed.add(start, end)
            taken.append(Span(kind, start, end, m.group(0)))
    for pattern in patterns:
        if required(pattern) not in text:  # ("" is in every text)
            continue
        for m in _compiled(pattern).finditer(text):
            start, end = m.span()
            if start != end and not claimed.overlaps(start, end):
                claimed.add(start, end)
                taken.append(Span("pattern", start, end, m.group(0)))
    return tuple(sorted(taken, key=lambda s: s.start))


Piece = tuple[str, "re.Match[str] | _Cut"]  # a kind and where it is


def _of(kind: str, find: Callable[[str], Iterable[re.Match[str] | _Cut]]) -> Callable[[str], Iterator[Piece]]:
    return lambda text: ((kind, m) for m in find(text))


def _targets(text: str) -> Iterator[Piece]:
    for m in _TARGET_RE.finditer(text):
        start, end = m.span(2)
        if end - start > 2:  # a title with words in it: the quotes stay, the words are prose
            yield "target", _Cut(text, m.start(), start + 1)
            yield "title", _Cut(text, end - 1, m.end())
        else:
            yield "target", m


def _urls(text: str) -> Iterator[re.Match[str]]:
    """`_URL_RE.finditer(text)`, looked for from each `://` in it: every match holds
    one right after its scheme (`https`, `http` or `ftp`), and `find` skips through a
    text at C speed, where a pattern that opens with `\\b` is tried at every
    character (a third of the protected spans' time on prose with links)."""
    end = 0  # where the last match ended: the next one starts there or later
    at = text.find("://")
    while at >= 0:
        for start in (at - 5, at - 4, at - 3):  # leftmost first; at most one can match
            if start >= end and (m := _URL_RE.match(text, start)):  # `\b` sees text[start - 1]
                yield m
                end = m.end()
                break
        at = text.find("://", max(at + 3, end))


def _emails(text: str) -> Iterator[_Cut]:
    return (_Cut(text, *m.span(1)) for m in _EMAIL_RE.finditer(text))


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=64)
def required(pattern: str) -> str:
    r"""The longest literal text that every match of `pattern` contains ("NCT" of
    `\bNCT\d{8}\b`), or "" when none is sure: a text without it is not searched
    (a pattern that opens with `\b` is tried at every position). Read from the
    pattern as Python's own parser reads it; a case-insensitive pattern, or a
    parser this code does not know, has none."""
    try:
        parsed = _sre_parser.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return ""
        runs = [""]
        _literal_runs(list(parsed), runs)
    except Exception:  # any surprise of a private module: no shortcut, the same matches
        return ""
    return max(runs, key=len)


def _literal_runs(items: list, runs: list[str]) -> None:
    """The runs of literal characters of a parsed sequence that a match must pass
    through in order; a group without flags is part of the sequence."""
    for op, arg in items:
        if op is _sre_constants.LITERAL:
            runs[-1] += chr(arg)
        elif op is _sre_constants.SUBPATTERN and not arg[1] and not arg[2]:
            _literal_runs(list(arg[3]), runs)
        else:
            runs.append("")


def code_spans(text: str) -> list[_Cut]:
    """The code spans of `text` exactly as the regex `(?<!\\)(`+)(?!`)(.+?)(?<!`)\1(?!`)`
    finds them (Python-Markdown's rule: an opening run of backticks closes at the next
    run of the same length; a run that finds none may still open with fewer backticks
    from a later position in it), in O(n log n): the regex itself was quadratic on a
    run of thousands of backticks."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for i, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(i)
    found: list[_Cut] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        close = None
        for opening in range(start, end):
            if opening == start and start > 0 and text[start - 1] == "\\":
                continue
            if end == len(text):
                break  # nothing after the opening run: no content
            same = by_length.get(end - opening, [])
            j = bisect.bisect_right(same, i)
            if j < len(same):
                close = (opening, same[j])
                break
        if close is None:
            i += 1
            continue
        opening, j = close
        found.append(_Cut(text, opening, runs[j][1]))
        i = j + 1
    return found


class Taken:
    """Non-overlapping `[start, end)` ranges of a text of `size` characters: one byte
    per character, so adding a range and testing one cost their length (C speed),
    and all the scans of a text stay linear in it however their matches interleave
    (sorted lists with `insert` were quadratic: 103 s on one 4.5 MB catalog)."""

    def __init__(self, size: int, spans: Iterable[Span] = ()) -> None:
        self.used = bytearray(size)
        for span in spans:
            self.add(span.start, span.end)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether `[start, end)` overlaps a range already added."""
        return self.used.find(1, start, end) >= 0

    def add(self, start: int, end: int) -> None:
        """Add a range that overlaps none added so far."""
        self.used[start:end] = b"\x01" * (end - start)


class _Cut:
    """A piece of a match, shaped like a match for `claim`."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self, _index: int = 0) -> str:
        return self._text[self._start : self._end]


# The scans in the order they claim characters (`KINDS`), each with a literal that
# every one of its matches contains: a scan runs only on a text that has it.
SCANS: tuple[tuple[str, Callable[[str], Iterable[Piece]]], ...] = (
    ("`", _of("code", code_spans)),
    ("<", _of("html", html_matches)),  # tags as Python-Markdown reads them (pipeline.markup.danger)
    ("<", _of("autolink", _AUTOLINK_RE.finditer)),
    ("](", _targets),
    ("][", _of("ref", _REF_RE.finditer)),
    ("[^", _of("footnote", _FOOTNOTE_RE.finditer)),
    ("{", _of("attr", _ATTR_RE.finditer)),
    ("&", _of("entity", _ENTITY_RE.finditer)),
    ("://", _of("url", _urls)),
    ("www.", _of("url", _WWW_RE.finditer)),
    ("@", _of("email", _emails)),
)


def entry_patterns(patterns: Sequence[str], flags: Iterable[str]) -> tuple[str, ...]:
    """The configured patterns, plus the placeholders of an entry whose `flags` mark
    it as a format string (`FORMAT_PATTERNS`)."""
    return tuple(patterns) + tuple(FORMAT_PATTERNS[f] for f in flags if f in FORMAT_PATTERNS)
