"""Python-Markdown with our segment extension: one converter for a run.

One `Markdown` instance serves every document of a run (building one costs more
than converting a short article); `Converter.convert` resets it between documents.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown

from pipeline.config.load import Config, extension_errors
from pipeline.markup.gate import Gate, renders_inert
from pipeline.markup.hooks import fast_render
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

    def __init__(self, config: Config, mark_attributes: dict[str, str] | None = None) -> None:
        """`mark_attributes`: set, besides `lang`, on text shown in another language
        than the page's (`SegmentExtension`)."""
        self.config = config
        self.extension = SegmentExtension(mark_attributes=mark_attributes)
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
        fast_render(self.md)

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
            fast_render(self._fragments)
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
