"""What QA compares of the markup inside one segment.

A msgid is raw inline Markdown: prose (link text, emphasized words, image alt text)
and the protected spans that must survive translation byte for byte (`spans`).
Machine pretranslation hides those spans from engines; QA compares them between
msgid and msgstr through `inventory`. Both read the one model of `spans`, so what is
protected is exactly what is checked. Here: the prose left when the spans are
blanked out, the inventory QA compares, the emphasis a text renders, its words.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import markdown

from pipeline.markup.hooks import fast_render
from pipeline.markup.spans import DEFAULT_PATTERNS, Span, remembered_spans

# A hard line break: two or more spaces before a newline.
BREAK_RE = re.compile(r"(?<! ) {2,}\n")  # (?<! ): linear on a long run of spaces
# A pattern that opens with a lookbehind is tried at every position of a text; the
# lookahead of its first character in front (`(?=[*_])`) lets the engine skip to
# the candidates: the same matches, a fifth of the time on article prose.
_EMPHASIS_RE = re.compile(r"(?=[*_])(?:(?<![\\*_\w])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![*_\w]))")


def prose(text: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> str:
    """`text` with every protected span blanked out (same length, spaces)."""
    return _prose(text, tuple(patterns))


@lru_cache(maxsize=8192)  # QA, word counts and the enforced checks ask for the same texts
def _prose(text: str, patterns: tuple[str, ...]) -> str:
    parts, last = [], 0
    for span in remembered_spans(text, patterns):
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
    spans = remembered_spans(text, tuple(patterns))
    if not spans and "\n" not in text:
        return NO_MARKUP  # most texts: prose, nothing to count (building it was 4 µs)
    return _counted(text, spans)


def _counted(text: str, spans: Sequence[Span]) -> Inventory:
    # Counted in plain dicts, made Counters once: a Counter's `+=` on a new key calls
    # its `__missing__`, in Python (half of this function's time).
    by_kind: dict[str, dict[str, int]] = {}
    of_links: dict[str, int] = {}
    of_images: dict[str, int] = {}
    for s in spans:
        _add(by_kind.setdefault(s.kind, {}), s.text)
        if s.kind == "target" or s.kind == "ref":
            _add(of_images if _opening_is_image(text, s.start) else of_links, s.text)
    return Inventory(
        spans={kind: Counter(counts) for kind, counts in by_kind.items()},
        links=sum(of_links.values()),
        images=sum(of_images.values()),
        breaks=len(BREAK_RE.findall(text)) if "\n" in text else 0,
        link_targets=Counter(of_links) if of_links else EMPTY,
        image_targets=Counter(of_images) if of_images else EMPTY,
    )


def _add(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


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
    if text.isascii():
        return _ascii_words(text.encode("ascii"))
    found = _WORD_RE.findall(text)
    # A word that starts with a letter has one (most do): only the others can be all digits.
    return len(found) - sum(1 for w in found if not w[0].isalpha() and _WORDS_NUMBER_RE.fullmatch(w))


_WORDS_PLACEHOLDER_RE = re.compile(r"%\([^()\s]*\)[-#0 +]*\d*(?:\.\d+)?[A-Za-z%]|%[sdifr%]|\{[A-Za-z_]\w*\}")
_WORD_RE = re.compile(r"\w+(?:[-'’.,]\w+)*")
_WORDS_NUMBER_RE = re.compile(r"[\d\W_]+")  # digits and separators only: 100,000 · 1.6 · 2-5 · 50


def _ascii_classes(letter: bytes, digit: bytes) -> bytes:
    """A `bytes.translate` table of ASCII as `_WORD_RE` reads it: a letter as
    `letter`, a digit or `_` as `digit` (`_WORDS_NUMBER_RE` takes both), a separator
    (`-'.,`) as `.`, the rest as a space."""
    table = bytearray(b" " * 256)
    for character in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
        table[character] = letter[0]
    for character in b"0123456789_":
        table[character] = digit[0]
    for character in b"-'.,":
        table[character] = ord(".")
    return bytes(table)


_WORD_CLASSES, _NUMBER_CLASSES = _ascii_classes(b"a", b"a"), _ascii_classes(b"a", b"0")
# A word of digits (and `_`) and separators only, in `_NUMBER_CLASSES`: it opens with a digit that
# starts a word (no word character, nor one and a separator, before it) and ends where
# its word does (no word character, nor a separator and one, after it).
_ASCII_NUMBER_RE = re.compile(rb"0(?<![a0]0)(?<![a0]\.0)0*(?:\.0+)*(?![a0]|\.[a0])")


def _ascii_words(text: bytes) -> int:
    """What `_words` counts of an ASCII text, with `translate` and `count` (a third of
    the time of `_WORD_RE`, whose class loops cost ~18 ns a character). A word is a
    run of word characters ("a" once translated) and the runs joined to it each by one
    separator; so a word starts where a run does, but after a separator that follows
    a run: at the start, after a space, after a separator after a space or another
    separator. Less the words of digits and separators only (`_ASCII_NUMBER_RE`)."""
    marks = text.translate(_WORD_CLASSES)
    starts = marks.count(b" a") + marks.count(b" .a") + marks.count(b"..a")
    starts += marks.startswith(b"a") + marks.startswith(b".a")
    classes = text.translate(_NUMBER_CLASSES)
    return starts - len(_ASCII_NUMBER_RE.findall(classes)) if b"0" in classes else starts
