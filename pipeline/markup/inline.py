"""The markup inside one segment: what a translation must carry over unchanged.

A msgid is raw inline Markdown. Some of it is prose (link text, emphasized words,
image alt text) and some is machinery that must survive translation byte for byte:
code spans, link and image targets, reference ids, footnote references,
autolinks, bare URLs and e-mail addresses, HTML tags and entities, attr lists,
placeholder tokens, and configured patterns such as clinical-trial IDs.

Machine pretranslation hides these spans from engines (`protected_spans`); QA
compares them between msgid and msgstr (`inventory`). Both read the same model, so
what is protected is exactly what is checked.
"""

from __future__ import annotations

import bisect
import re
import threading
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import markdown

from pipeline.config.load import DEFAULT_PROTECTED_PATTERNS
from pipeline.markup.danger import html_matches
from pipeline.markup.hooks import fast_render

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
_URL_RE = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`\]\[)]*[^\s<>\"'`\]\[).,;:!?]")
_WWW_RE = re.compile(r"\bwww\.[^\s<>\"'`\]\[)]*[^\s<>\"'`\]\[).,;:!?]")
# The address starts at the first word character of its run (where `\b` would let it).
_EMAIL_RE = re.compile(r"(?<![\w.+-])[.+-]*+(\w[\w.+-]*@[\w-]+(?:\.[\w-]+)+\b)")
_ATTR_RE = re.compile(r"\{:?[ ]*[#.][^{}\n]*\}|\{:[^{}\n]*\}")
# A hard line break: two or more spaces before a newline.
BREAK_RE = re.compile(r"(?<! ) {2,}\n")  # (?<! ): linear on a long run of spaces
# A pattern that opens with a lookbehind is tried at every position of a text; the
# lookahead of its first character in front (`(?=[*_])`) lets the engine skip to
# the candidates: the same matches, a fifth of the time on article prose.
_EMPHASIS_RE = re.compile(r"(?=[*_])(?:(?<![\\*_\w])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![*_\w]))")

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
    return list(_protected_spans(text, tuple(patterns)))


@lru_cache(maxsize=8192)
def _protected_spans(text: str, patterns: tuple[str, ...]) -> tuple[Span, ...]:
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
    ("://", _of("url", _URL_RE.finditer)),
    ("www.", _of("url", _WWW_RE.finditer)),
    ("@", _of("email", _emails)),
)


def prose(text: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> str:
    """`text` with every protected span blanked out (same length, spaces)."""
    return _prose(text, tuple(patterns))


@lru_cache(maxsize=8192)  # QA, word counts and the enforced checks ask for the same texts
def _prose(text: str, patterns: tuple[str, ...]) -> str:
    parts, last = [], 0
    for span in _protected_spans(text, patterns):
        parts += (text[last : span.start], " " * (span.end - span.start))
        last = span.end
    return "".join(parts) + text[last:] if parts else text


@dataclass(frozen=True)
class Inventory:
    """What a QA check compares between a msgid and its msgstr."""

    spans: dict[str, Counter[str]]  # kind → the texts of the protected spans of that kind, counted
    links: int
    images: int
    breaks: int
    # The `](target "title")` / `][id]` parts of links and of images, separately:
    # a QA message can then say "link target changed" or "image source changed".
    link_targets: Counter[str] = field(default_factory=Counter)
    image_targets: Counter[str] = field(default_factory=Counter)


def inventory(text: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> Inventory:
    """Count the markup of `text`: protected spans by (kind, text), links, images
    and hard breaks. (Only what a check compares: the checks ask for every entry of
    a site, twice. Numbers are `review.numbers`' and emphasis the renderer's,
    `emphasis_tags`.)"""
    spans = _protected_spans(text, tuple(patterns))
    if not spans and "\n" not in text:
        return NO_MARKUP  # most texts: prose, nothing to count (building it was 4 µs)
    return _counted(text, spans)


def _counted(text: str, spans: Sequence[Span]) -> Inventory:
    by_kind: dict[str, Counter[str]] = {}
    for s in spans:
        by_kind.setdefault(s.kind, Counter())[s.text] += 1
    targets = [s for s in spans if s.kind in ("target", "ref")]
    image_targets: Counter[str] = Counter() if targets else EMPTY
    link_targets: Counter[str] = Counter() if targets else EMPTY
    for s in targets:
        (image_targets if _opening_is_image(text, s.start) else link_targets)[s.text] += 1
    images = sum(image_targets.values())
    return Inventory(
        spans=by_kind,
        links=len(targets) - images,
        images=images,
        breaks=len(BREAK_RE.findall(text)) if "\n" in text else 0,
        link_targets=link_targets,
        image_targets=image_targets,
    )


EMPTY: Counter[str] = Counter()  # one empty count, shared: inventories and what checks make of them are only read
# The inventory of a text with no protected span and no line break, shared as EMPTY is.
NO_MARKUP = Inventory(spans={}, links=0, images=0, breaks=0, link_targets=EMPTY, image_targets=EMPTY)


def delimiters(text: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> Counter[str]:
    """The emphasis delimiter runs of `text`'s prose (`*`, `**`, `__`…) that could open
    or close an emphasis, counted: what the source linter balances."""
    rest = prose(text, patterns)
    return Counter(a or b for a, b in _EMPHASIS_RE.findall(rest)) if "*" in rest or "_" in rest else Counter()


_LOCAL = threading.local()  # a Markdown instance is not safe to share between threads


def emphasis_tags(text: str) -> Counter[str]:
    """How many `strong` and `em` elements Python-Markdown makes of `text` as inline
    content: the renderer's own reading (labels `**Label:**`, nesting, intraword `_`,
    escapes, unbalanced runs), not a guess at it. Inline only: ~0.2 ms a text,
    remembered; a text without `*` or `_` costs nothing."""
    return Counter(dict(emphasis_key(text)))


def emphasis_key(text: str) -> tuple[tuple[str, int], ...]:
    """`emphasis_tags` as a sorted tuple: equal for two texts when their counts are."""
    if "*" not in text and "_" not in text:
        return ()
    if "<" not in text and "&" not in text:
        text = emphasis_skeleton(text)
    return _emphasis_tags(text)


# A run of letters and digits (not `_`, which emphasizes), with single spaces and a
# sentence's punctuation inside ("Take 2 tablets. Then rest, if needed").
_SKELETON_RE = re.compile(r"[^\W_]+(?:(?:[.,;:?-] ?| )[^\W_]+)*")


def emphasis_skeleton(text: str) -> str:
    r"""`text` with each run of words (letters and digits, a single space, or one of
    `.,;:?-` and at most one space, between them) as one letter: "Take **2
    tablets** daily. Then rest." → "a **a** a." A text and its
    translation often have the same skeleton, and many texts share one, so the
    renderer reads each skeleton once.

    The same emphasis as `text`, when `text` has no `<` or `&` (the caller's test):
    Python-Markdown's core inline patterns then tell word characters apart only by
    class (`\w`, `\s`, `.`, `[^*]`), never by which one or how many, and look at a
    space or a mark only next to a delimiter, a bracket, a quote or a backslash: a
    run starts and ends with a word character, so what stands next to those is kept.
    The patterns that read letters (autolinks, tags, entities) need `<` or `&`.
    tests/test_fast_paths.py renders both for generated texts."""
    return _SKELETON_RE.sub("a", text)


@lru_cache(maxsize=8192)
def _emphasis_tags(text: str) -> tuple[tuple[str, int], ...]:
    md = getattr(_LOCAL, "md", None)
    if md is None:
        md = _LOCAL.md = markdown.Markdown()
        fast_render(md)  # the same count, a third of the time
    md.reset()
    root = etree.Element("div")
    etree.SubElement(root, "p").text = text
    md.treeprocessors["inline"].run(root)
    found = Counter(el.tag for el in root.iter() if el.tag in ("strong", "em"))
    return tuple(sorted(found.items()))


def entry_patterns(patterns: Sequence[str], flags: Iterable[str]) -> tuple[str, ...]:
    """The configured patterns, plus the placeholders of an entry whose `flags` mark
    it as a format string (`FORMAT_PATTERNS`)."""
    return tuple(patterns) + tuple(FORMAT_PATTERNS[f] for f in flags if f in FORMAT_PATTERNS)


def _opening_is_image(text: str, close: int) -> bool:
    """Whether the `[` that matches the `]` at `close` is preceded by `!`."""
    if "![" not in text:  # no image can open: no need to match the brackets
        return False
    opening = link_opening(text, close)
    return opening is not None and opening[1] - opening[0] == 2


def link_opening(text: str, close: int) -> tuple[int, int] | None:
    """The `[` (or `![` of an image) that the `]` at `close` closes, as (start, end),
    or None (the one bracket matcher QA and pretranslation share)."""
    i = bracket_pairs(text).get(close)  # one pass over the text, however many links
    if i is None:
        return None
    return (i - 1, i + 1) if i > 0 and text[i - 1] == "!" else (i, i + 1)


@lru_cache(maxsize=64)
def bracket_pairs(text: str) -> dict[int, int]:
    """Each `]` → the `[` it closes, in one pass (a backward scan per link was
    quadratic on thousands of links)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKET_RE.finditer(text):
        i = m.start()
        if text[i] == "[":
            stack.append(i)
        elif stack:
            pairs[i] = stack.pop()
    return pairs


_BRACKET_RE = re.compile(r"(?=[\[\]])(?<!\\)[\[\]]")  # a bracket not escaped by the character before it


def words(text: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> int:
    """Words a translator translates (what a quote is priced by): prose only. Code
    spans, link targets, URLs, e-mail addresses, tags, footnote references, attr
    lists, placeholders such as `%(name)s`, the protected `patterns` (trial IDs)
    and numbers do not count; link text, alt text and titles do."""
    return _words(text, tuple(patterns))


@lru_cache(maxsize=8192)  # a build counts each catalog for its policy and for its stats
def _words(text: str, patterns: tuple[str, ...]) -> int:
    text = _prose(text, patterns)
    if "%" in text or "{" in text:  # every placeholder has one
        text = _WORDS_PLACEHOLDER_RE.sub(" ", text)
    if "_" in text:
        # Of Markdown's marks only `_` is a word character: `_WORD_RE` reads `*`,
        # `#`, `>`, `|`, brackets and backticks as it reads a space, so only `_` is
        # blanked (tests/test_fast_paths.py counts the long way, every mark blanked).
        text = text.replace("_", " ")
    found = _WORD_RE.findall(text)
    # A word that starts with a letter has one (most do): only the others can be all digits.
    return len(found) - sum(1 for w in found if not w[0].isalpha() and _WORDS_NUMBER_RE.fullmatch(w))


_WORDS_PLACEHOLDER_RE = re.compile(r"%\([^()\s]*\)[-#0 +]*\d*(?:\.\d+)?[A-Za-z%]|%[sdifr%]|\{[A-Za-z_]\w*\}")
_WORD_RE = re.compile(r"\w+(?:[-'’.,]\w+)*")
_WORDS_NUMBER_RE = re.compile(r"[\d\W_]+")  # digits and separators only: 100,000 · 1.6 · 2-5 · 50
