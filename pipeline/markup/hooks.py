"""The private parts of Python-Markdown the pipeline stands on, in one place.

Python-Markdown's inline processor tries every pattern on every text; the
pipeline's renders (pages, the sanitizer gate, the emphasis check) use
`SkippingInlineProcessor`, which skips a pattern that cannot match. It calls the
processor's private methods, read and tested against the releases in
`CHECKED_MARKDOWN` (`source.snapshot` reads the block parser's private state,
against the same releases); a release without them keeps the stock processor.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

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
        # The patterns as registered now, in a list (the registry's indexing sorts).
        self._patterns = list(self.inlinePatterns)
        self._needs = [_needs(p) for p in self._patterns]
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


def skip_unmatched_patterns(md: markdown.Markdown) -> None:
    """Put `SkippingInlineProcessor` in place of `md`'s inline processor (same
    priority), where this Python-Markdown has what it stands on."""
    if not all(callable(getattr(InlineProcessor, name, None)) for name in _PRIVATE):
        return
    if "inline" not in md.treeprocessors or type(md.treeprocessors["inline"]) is not InlineProcessor:
        return
    priority = next(item.priority for item in md.treeprocessors._priority if item.name == "inline")
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", priority)
