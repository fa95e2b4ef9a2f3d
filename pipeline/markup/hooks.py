"""The private parts of Python-Markdown the pipeline stands on, in one place.

Python-Markdown's inline processor tries every pattern on every text; the
pipeline's renders (pages, the sanitizer gate, the emphasis check) use
`SkippingInlineProcessor`, which skips a pattern that cannot match. It calls the
processor's private methods, read and tested against the releases in
`CHECKED_MARKDOWN` (`source.snapshot` reads the block parser's private state,
against the same releases); a release without them keeps the stock processor.
`fast_render` also asks a renderer's block-level tags from a set (`BlockLevel`),
looks for the table of contents' marker once a page (`marker_once`), and gives the
link patterns a regex that opens with the `[` (`_LINK_OPENING_RE`).
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from typing import Any

import markdown
from markdown import inlinepatterns
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

# What each of Python-Markdown's own inline patterns cannot match without: its regex
# (the pattern's own string) requires one of these substrings. A pattern not listed
# here (another extension's, or one replaced) is always tried.
_NEEDS = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),
    inlinepatterns.IMAGE_LINK_RE: ("![",),
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    r"\[\^([^\]]*)\]": ("[^",),  # footnotes' FOOTNOTE_RE
    r"\n": ("\n",),  # nl2br's BR_RE
}


def _needs(pattern: object) -> tuple[str, ...] | None:
    """Substrings one of which a text must hold for `pattern` to match it, or None
    (unknown pattern: always try it)."""
    if type(pattern) is inlinepatterns.DelimiterProcessor:  # its regex is its tokens, `\*|_`
        return tuple(pattern.tokens)
    if not type(pattern).__module__.startswith("markdown."):
        return None
    return _NEEDS.get(getattr(pattern, "pattern", None))


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, which does not try a pattern on a text
    that cannot match it: most prose holds no `<`, `&` or `` ` ``, and trying every
    pattern on every text was a third of a page's rendering. Same result: a pattern
    skipped is one whose regex search would have found nothing (`__applyPattern`
    then returns the text unchanged and restarts at 0, as this does)."""

    # InlineProcessor calls `self.__handleInline`, which Python names this.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        patterns, needs = self._patterns, self._needs
        apply = self._InlineProcessor__applyPattern
        start, count = 0, len(needs)
        while patternIndex < count:
            need = needs[patternIndex]
            if need is not None:
                for part in need:  # (a loop, not any(): this runs a million times a build)
                    if part in data:
                        break
                else:
                    patternIndex += 1
                    start = 0
                    continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        # The patterns as registered now, in a list (the registry's indexing sorts);
        # what each needs is worked out again only when they change (the emphasis
        # check runs this once per text).
        patterns = list(self.inlinePatterns)
        if patterns != getattr(self, "_patterns", None):
            self._patterns, self._needs = patterns, [_needs(p) for p in patterns]
        return super().run(tree, ancestors)


# The private methods `SkippingInlineProcessor` stands on (Python-Markdown 3.x). A
# release without them keeps the stock processor: slower, never wrong. One that keeps
# the names but changes what they do fails tests/test_fast_paths.py, not a page.
# The private parts of Python-Markdown this module and `snapshot` use (these two
# methods, `Registry._priority`, the HTML stash's fields, the footnote and abbr
# processors' state) were read and tested against these releases; the lock pins one
# of them, and a test fails when the installed one is not listed: read the hooks
# against the new release's source, run the suite, then add it here.
CHECKED_MARKDOWN = ("3.11.3", "3.11.4")
_PRIVATE = ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")


def fast_render(md: markdown.Markdown) -> None:
    """Make `md` render faster, with the same output: `SkippingInlineProcessor`
    in place of its inline processor (same priority), and `BracketEnds` and
    `_LINK_OPENING_RE` for its link patterns, where this Python-Markdown has what
    each stands on; its block-level tags a `BlockLevel`; its table of contents'
    marker looked for once (`marker_once`)."""
    md.block_level_elements = BlockLevel(md.block_level_elements)
    marker_once(md)
    for pattern in md.inlinePatterns:
        if isinstance(pattern, inlinepatterns.LinkInlineProcessor) and _STOCK_BRACKETS:
            # An instance attribute: `getText` calls `self._findBracketEnds(data)`.
            pattern._findBracketEnds = BracketEnds  # type: ignore[method-assign]
        if type(pattern).__module__.startswith("markdown.") and getattr(pattern, "pattern", None) == _LINK_OPENING:
            pattern.compiled_re = _LINK_OPENING_RE  # what `getCompiledRegExp` answers
    if not all(callable(getattr(InlineProcessor, name, None)) for name in _PRIVATE):
        return
    if "inline" not in md.treeprocessors or type(md.treeprocessors["inline"]) is not InlineProcessor:
        return
    priority = next(item.priority for item in md.treeprocessors._priority if item.name == "inline")
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", priority)


class BracketEnds:
    """What `LinkInlineProcessor._findBracketEnds(data)` answers — for each index of
    `data`, the index just past the `]` that closes a bracket opened before it, or
    None — asked one index at a time.

    Python-Markdown 3.11.4 made link parsing linear with a Python loop over every
    character of a text, run again for each link in it (the text changes as each is
    replaced): a fifth of a page's rendering. An answer is the first `]` after the
    index that no `[` after it has opened: found by walking the brackets from there
    (a regex finds them, at C speed), and a link's is a few brackets on. A walk that
    goes past `NEAR` brackets makes the whole table instead (`BracketTable`), which
    answers every later question: however the brackets run, each instance costs time
    linear in its text, as Python-Markdown's does. (Making the table for every text
    was still 1.8 % of a cold publish.)"""

    __slots__ = ("_data", "_table")
    NEAR = 32  # brackets one answer may walk before the table is made

    def __init__(self, data: str) -> None:
        self._data = data
        self._table: BracketTable | None = None

    def __getitem__(self, index: int) -> int | None:
        if self._table is None:
            found = self._walk(index)
            if found != _FAR:
                return found
            self._table = BracketTable(self._data)
        return self._table[index]

    def _walk(self, index: int) -> int | None:
        """The answer at `index`, or `_FAR`: more than `NEAR` brackets to walk."""
        data, depth = self._data, 0
        for n, m in enumerate(_BRACKETS_RE.finditer(data, index)):
            if n == self.NEAR:
                return _FAR
            at = m.start()
            if data[at] == "[":
                depth += 1
            elif depth:
                depth -= 1
            else:
                return at + 1
        return None


_FAR = -1  # a walk that went too far: make the table (an answer is an index past a `]`: at least 1)


class BracketTable:
    """Every answer of `BracketEnds` at once, found from the brackets alone: between
    two brackets every index has the same answer, so this walks the brackets with
    `_findBracketEnds`' stack and answers an index by bisection."""

    __slots__ = ("_brackets", "_ends")

    def __init__(self, data: str) -> None:
        brackets = [m.start() for m in _BRACKETS_RE.finditer(data)]
        ends: list[int | None] = [None] * (len(brackets) + 1)
        stack: list[tuple[int, int]] = []  # (gap, depth before it): depths never fall bottom to top
        depth = 0
        # Gap g: the indexes after bracket g - 1 up to bracket g itself (the last gap
        # ends at len(data)); each is entered just past a bracket, where an opening
        # bracket deeper than the depth there has just been closed.
        for gap in range(len(brackets) + 1):
            at = brackets[gap - 1] + 1 if gap else 0
            while stack and depth < stack[-1][1]:
                ends[stack.pop()[0]] = at
            stack.append((gap, depth))
            if gap < len(brackets):
                depth += 1 if data[brackets[gap]] == "[" else -1
        self._brackets, self._ends = brackets, ends

    def __getitem__(self, index: int) -> int | None:
        return self._ends[bisect.bisect_left(self._brackets, index)]


_BRACKETS_RE = re.compile(r"[\[\]]")
# The opening of a link or a reference (`[` after no `!`), as the links' patterns
# write it, and the same written to open with the `[`: a pattern that opens with a
# lookbehind is tried at every character of a text, and three of them are searched in
# every text with a `[` (the engine skips to a literal at C speed).
_LINK_OPENING = inlinepatterns.NOIMG + r"\["
_LINK_OPENING_RE = re.compile(r"\[(?<!\!\[)", re.DOTALL | re.UNICODE)  # InlineProcessor's flags
# `getText` as it was read: it asks `_findBracketEnds(data)[index]` (3.11.4; 3.11.3
# scans forward itself and has no such method, and keeps its own).
_STOCK_BRACKETS = callable(getattr(inlinepatterns.LinkInlineProcessor, "_findBracketEnds", None))


def marker_once(md: markdown.Markdown) -> None:
    """The `toc` extension looks for its marker (`[TOC]`) in the text of every
    element, each element's text joined anew: a page of 300 elements joined about
    2,000 texts (1 % of a cold publish), for a marker almost no page has. Its
    `replace_marker` acts only where an element's text, stripped, is the marker, and
    every element's text is a run of the document's: a document whose text has no
    marker is left as it is, without the walk. (Installed on the stock processor only.)"""
    toc = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None  # noqa: SIM401 (a Registry has no get)
    if type(toc).__module__ != "markdown.extensions.toc" or not callable(getattr(toc, "replace_marker", None)):
        return
    walk = toc.replace_marker

    def replace_marker(root: etree.Element, elem: etree.Element) -> None:
        if toc.marker and toc.marker not in "".join(root.itertext()):
            return
        walk(root, elem)

    toc.replace_marker = replace_marker


class BlockLevel(list):
    """Python-Markdown's `block_level_elements` (its public list: extensions append
    to it, `md_in_html` copies it), answering `in` from a set of its names.

    `Markdown.is_block_level` asks it of every element of every page (the
    prettifier, `attr_list`), and a tag that is no block (`strong`, `em`, `a`) was
    compared with each of its 60 names: 2 % of a cold publish. Every method that
    changes the list makes the set again."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__(names)
        self._names = frozenset(self)

    def __contains__(self, item: object) -> bool:
        try:
            return item in self._names
        except TypeError:  # unhashable: in no set, maybe equal to a name
            return list.__contains__(self, item)


def _remade(name: str) -> Callable[..., Any]:
    method = getattr(list, name)

    def changed(self: BlockLevel, *args: Any) -> Any:
        result = method(self, *args)
        self._names = frozenset(self)
        return result

    changed.__name__ = name
    return changed


for _name in (
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
):
    setattr(BlockLevel, _name, _remade(_name))
