"""Python-Markdown with our segment extension: one converter for a run.

One `Markdown` instance serves every document of a run (building one costs more
than converting a short article); `Converter.convert` resets it between documents.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown import inlinepatterns
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

from pipeline.config.load import Config, extension_errors
from pipeline.markup.gate import Gate, renders_inert
from pipeline.source.messages import Lookup, Segment
from pipeline.source.segment import SEGMENT_PRIORITY, SegmentExtension
from pipeline.source.snapshot import Snapshot, restore_snapshot


@dataclass(frozen=True)
class Converted:
    """The body HTML and what the extension saw on the way; `snapshot`, when asked
    for, renders the same body in other languages without parsing it again."""

    html: str
    segments: list[Segment]
    rejected: list[Segment]
    snapshot: Snapshot | None = None


# Extensions whose per-document state `take_snapshot` knows how to copy. With any
# other extension configured, every language is parsed from scratch (correct, slower).
SNAPSHOT_SAFE = {
    "extra",
    "abbr",
    "attr_list",
    "def_list",
    "fenced_code",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "sane_lists",
    "admonition",
    "nl2br",
    "legacy_attrs",
    "legacy_em",
    "meta",
}


class Converter:
    """Markdown → HTML with the configured extensions plus segmentation."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.extension = SegmentExtension()
        self._fragments: markdown.Markdown | None = None
        names = {name.removeprefix("markdown.extensions.") for name in config.extensions}
        self.can_snapshot = names <= SNAPSHOT_SAFE
        # The sanitizer gate of this renderer: it may pass inert text without
        # rendering it when every extension qualifies (gate.inert).
        self.gate = Gate(self.fragment, inert_ok=renders_inert(tuple(names)))
        with extension_errors(config.extensions, config.settings_file):
            self.md = markdown.Markdown(
                extensions=[*config.extensions, self.extension],
                extension_configs=config.extension_configs,
            )
        skip_unmatched_patterns(self.md)

    def convert(
        self, body: str, lookup: Lookup | None = None, source_lang: str | None = None, snapshot: bool = False
    ) -> Converted:
        """Render `body`; with `lookup`, each segment is replaced by what it returns,
        and text left in the source language is marked `lang=source_lang`. With
        `snapshot`, keep what `convert_again` needs to render other languages."""
        self.md.reset()
        self.extension.lookup = lookup
        self.extension.source_lang = source_lang
        self.extension.capture = snapshot and self.can_snapshot
        try:
            html = self.md.convert(body)
        finally:
            self.extension.capture = False
        ext = self.extension
        return Converted(html, list(ext.segments), list(ext.rejected), ext.snapshot if snapshot else None)

    def fragment(self, text: str) -> str:
        """One segment's inline Markdown as HTML, on its own (for the sanitizer gate).

        A second Markdown instance: the gate runs while the main one is converting.
        """
        if self._fragments is None:
            with extension_errors(self.config.extensions, self.config.settings_file):
                self._fragments = markdown.Markdown(
                    extensions=list(self.config.extensions), extension_configs=self.config.extension_configs
                )
            skip_unmatched_patterns(self._fragments)
        self._fragments.reset()
        return self._fragments.convert(text)

    def convert_again(self, snapshot: Snapshot, lookup: Lookup, source_lang: str) -> Converted:
        """Render the body of `snapshot` through `lookup`, skipping preprocessing and
        block parsing: the same result as `convert(body, lookup, source_lang)`."""
        md = self.md
        md.reset()
        self.extension.lookup = lookup
        self.extension.source_lang = source_lang
        root = restore_snapshot(md, snapshot)
        self.extension._lines = snapshot.lines
        for item in md.treeprocessors._priority:
            if item.priority <= SEGMENT_PRIORITY:
                new_root = md.treeprocessors[item.name].run(root)
                if new_root is not None:
                    root = new_root
        html = _finish(md, root)
        return Converted(html, list(self.extension.segments), list(self.extension.rejected))


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


def _finish(md: markdown.Markdown, root: etree.Element) -> str:
    """`Markdown.convert`'s last two steps: serialize, strip the wrapper, postprocess."""
    output = md.serializer(root)
    if md.stripTopLevelTags:
        start = output.find(f"<{md.doc_tag}>")
        end = output.rfind(f"</{md.doc_tag}>")
        # an empty document serializes as <div />
        output = "" if start < 0 or end < 0 else output[start + len(md.doc_tag) + 2 : end].strip()
    for pp in md.postprocessors:
        output = pp.run(output)
    return output.strip()
