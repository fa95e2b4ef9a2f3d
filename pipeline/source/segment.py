"""Segmentation: one Python-Markdown extension that extracts messages and applies translations.

The extension's tree processor runs at priority 25: after the block parser and the
footnotes tree processor (50), before inline parsing (20). At that moment every block
element still holds the raw inline Markdown its author wrote (`**bold**`, `[a](b)`,
`` `code` ``), which is exactly what a translator should see. The same walk serves
both directions, so what is extracted is exactly what is replaced:

* extraction records each block's text as a `Segment` (the msgid);
* application asks a `lookup` callable for each segment and swaps the text before
  the inline patterns run, so a translation renders through the normal machinery.

What is a segment: every text (or tail) whose owner is block-level and that is not an
`AtomicString` (code), minus what is not prose: leading/trailing whitespace and stash
placeholders (raw HTML, fenced code, the footnote back-reference) and a trailing
attr_list (`{#id .cls}`), which are cut off and put back verbatim around the
translation. The `[TOC]` marker and placeholder-only paragraphs are not segments.
Outside the tree: link-reference titles and abbreviation definitions.

Authors exclude content with HTML comments on a line of their own:

* ``<!-- i18n: skip -->`` — the next block (a paragraph, a whole list, a table ...);
* ``<!-- i18n: off -->`` ... ``<!-- i18n: on -->`` — everything between, at that level;
* ``<!-- i18n: context NAME -->`` — the next block's messages get msgctxt NAME, for
  identical text that must be translatable differently.

Heading ids: `toc` derives ids from the heading text, so in a translated rendering a
second tree processor (priority 6, after attr_list, before toc) assigns every heading
the id toc would have given the *source* text, and `#anchors` work in every edition.

What the extension finds and asks for (`Segment`, `Rendering`, `Lookup`) is the
message model in `pipeline.source.messages`; the copy of the parse that lets one parse
serve every language is `pipeline.source.snapshot`.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, AtomicString

from pipeline.source.messages import Lookup, Rendering, Segment
from pipeline.source.snapshot import Snapshot, take_snapshot

# The message model lives in `pipeline.source.messages`; a lookup's types are named here too.
__all__ = ["MARKER_RE", "SEGMENT_PRIORITY", "Lookup", "Rendering", "Segment", "SegmentExtension"]

# Any placeholder Python-Markdown or its extensions put into block text.
_PLACEHOLDER = r"\x02[^\x02\x03]*\x03"
# The leading whitespace and placeholders of a block text (a lazy middle with a
# trailing run, `^(E*)(.*?)(E*)$`, was quadratic on a run of 40,000 spaces).
_LEAD_RE = re.compile(rf"(?:\s|{_PLACEHOLDER})*")
_PLACEHOLDER_RE = re.compile(_PLACEHOLDER)
# attr_list's own patterns: headings, dt and table cells take `{...}` at the end of
# the line; other blocks only on a line of its own.
_ATTR = r"\{\:?[ ]*[^\}\n ][^\n]*\}"
_ATTR_END_RE = re.compile(rf"(?<! )[ ]+{_ATTR}[ ]*#*[ ]*$")  # (?<! ): linear on a run of spaces
_ATTR_BLOCK_RE = re.compile(rf"\n[ ]*{_ATTR}[ ]*$")
_TOKEN_RE = re.compile(r"<!--ph:(\d+)-->")
MARKER_RE = re.compile(r"^<!--\s*i18n:\s*(skip|off|on|context\s+(\S.*?))\s*-->$")

# After the block parser and footnotes (50), before inline parsing (20).
SEGMENT_PRIORITY = 25
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_COMMENTS = {
    "th": "table header",
    "td": "table cell",
    "li": "list item",
    "dt": "definition term",
    "dd": "definition",
    "summary": "summary",
}


class _Split:
    """A block text cut into prefix + core + suffix; the core is the msgid."""

    __slots__ = ("core", "placeholders", "prefix", "suffix")

    def __init__(self, text: str, tag: str) -> None:
        prefix, core, suffix = _edges(text)
        pattern = _ATTR_END_RE if tag in _HEADINGS or tag in ("dt", "td", "th") else _ATTR_BLOCK_RE
        m = pattern.search(core)
        if m:
            core, suffix = core[: m.start()], core[m.start() :] + suffix
        # Stash placeholders inside the prose become neutral numbered tokens.
        self.placeholders = _PLACEHOLDER_RE.findall(core)
        if self.placeholders:
            counter = iter(range(1, len(self.placeholders) + 1))
            core = _PLACEHOLDER_RE.sub(lambda _m: f"<!--ph:{next(counter)}-->", core)
        self.prefix, self.core, self.suffix = prefix, core, suffix

    def join(self, core: str) -> str | None:
        """Rebuild the block text around `core`; None if its tokens do not match."""
        if self.placeholders or _TOKEN_RE.search(core):
            numbers = sorted(int(n) for n in _TOKEN_RE.findall(core))
            if numbers != list(range(1, len(self.placeholders) + 1)):
                return None
            core = _TOKEN_RE.sub(lambda m: self.placeholders[int(m.group(1)) - 1], core)
        return self.prefix + core + self.suffix


def _edges(text: str) -> tuple[str, str, str]:
    """(leading, core, trailing): whitespace and stash placeholders at either end, cut
    off in linear time (the trailing run is read backwards)."""
    start = _LEAD_RE.match(text).end()
    end = len(text)
    while end > start:
        if text[end - 1].isspace():
            end -= 1
            continue
        opening = text.rfind("\x02", start, end - 1) if text[end - 1] == "\x03" else -1
        if opening < 0 or "\x03" in text[opening + 1 : end - 1]:
            break
        end = opening
    return text[:start], text[start:end], text[end:]


class _LinesRecorder(Preprocessor):
    """Keeps the normalized source lines so segments can be given line numbers."""

    def __init__(self, md: Markdown, ext: SegmentExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        self.ext._lines = lines
        return lines


class SegmentTreeprocessor(Treeprocessor):
    """Walks the block tree in document order; records and/or replaces segments."""

    def __init__(self, md: Markdown, ext: SegmentExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        ext = self.ext
        if ext.capture:
            ext.snapshot = take_snapshot(self.md, root, ext._lines)
        self._cursor = 0
        self._column = 0  # where on the cursor's line the last segment found ended
        # Registry has no .get(); membership first.
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None  # noqa: SIM401
        self._marker = toc.marker if toc is not None else None
        if ext.lookup is not None and toc is not None:
            ext._twins = [(h, _twin(h)) for h in root.iter() if h.tag in _HEADINGS]
        self._visit(root, None, None)
        self._outside_tree()

    # -- the tree ---------------------------------------------------------------

    def _visit(self, el: etree.Element, context: str | None, hint: str | None) -> None:
        block = self.md.is_block_level(el.tag)
        hint = _hint(el) or hint
        if block and el.text and not isinstance(el.text, AtomicString):
            el.text = self._segment(el.text, el, context, hint, tail_of=None)
        skip_next = off = False
        context_next: str | None = None
        for child in list(el):
            marker = self._marker_of(child)
            if marker is not None:
                if marker == "skip":
                    skip_next = True
                elif marker == "off":
                    off = True
                elif marker == "on":
                    off = False
                else:
                    context_next = marker.split(None, 1)[1]
            elif skip_next or off:
                skip_next = False
                self._skip(child)
            else:
                self._visit(child, context_next or context, hint)
                context_next = None
            if block and child.tail and not isinstance(child.tail, AtomicString):
                child.tail = self._segment(child.tail, el, context, hint, tail_of=child)

    def _marker_of(self, el: etree.Element) -> str | None:
        if el.tag != "p" or len(el) or not el.text:
            return None
        m = HTML_PLACEHOLDER_RE.fullmatch(el.text.strip())
        if not m:
            return None
        raw = self.md.htmlStash.rawHtmlBlocks[int(m.group(1))]
        found = MARKER_RE.match(raw.strip()) if isinstance(raw, str) else None
        return found.group(1) if found else None

    def _skip(self, el: etree.Element) -> None:
        """Leave a do-not-translate block as written, marked with its language.

        A raw HTML block (a placeholder paragraph) cannot take an attribute.
        """
        if self.ext.lookup is None or not self.ext.source_lang:
            return
        if el.tag == "p" and HTML_PLACEHOLDER_RE.fullmatch((el.text or "").strip()):
            return
        self.ext.mark(el, self.ext.source_lang)

    def _segment(
        self,
        text: str,
        owner: etree.Element,
        context: str | None,
        hint: str | None,
        tail_of: etree.Element | None,
    ) -> str:
        split = _Split(text, owner.tag)
        if not split.core or (split.core == self._marker and tail_of is None):
            return text
        seg = Segment(split.core, context, _comment(owner, split.core, hint), self._locate(split.core))
        self.ext.segments.append(seg)
        if self.ext.lookup is None:
            return text
        rendering = self.ext.lookup(seg)
        new_text = split.join(rendering.text) if rendering is not None else None
        if new_text is None:
            if rendering is not None:
                self.ext.rejected.append(seg)
            new_text, lang = text, self.ext.source_lang
        else:
            lang = rendering.lang
        if lang:
            self._mark(owner, tail_of, lang)
        return new_text

    def _mark(self, owner: etree.Element, tail_of: etree.Element | None, lang: str) -> None:
        """Set `lang` on the element whose text is in another language (WCAG 3.1.2).

        A text that shares its element with translated blocks (a list item with a
        nested list, a tail) is wrapped in a span of its own instead; the span is
        created after the text is returned, so it is done through `_pending`.
        """
        if tail_of is None and not any(self.md.is_block_level(c.tag) for c in owner):
            self.ext.mark(owner, lang)
        else:
            self.ext._wrap.append((owner, tail_of, lang))

    # -- outside the tree -------------------------------------------------------

    def _outside_tree(self) -> None:
        refs = self.md.references
        for ref_id, (url, title) in list(refs.items()):
            if title:
                refs[ref_id] = (url, self._attribute(title, "link title"))
        if "abbr" in self.md.treeprocessors:
            abbrs = self.md.treeprocessors["abbr"].abbrs
            for abbr, title in list(abbrs.items()):
                if title:
                    abbrs[abbr] = self._attribute(title, f"abbreviation: {abbr}")

    def _attribute(self, text: str, comment: str) -> str:
        """A message that ends up in an attribute: no markup, no language marker."""
        seg = Segment(text, None, comment, self._locate(text))
        self.ext.segments.append(seg)
        if self.ext.lookup is None:
            return text
        rendering = self.ext.lookup(seg)
        return rendering.text if rendering is not None and rendering.text else text

    def _locate(self, core: str) -> int | None:
        """First body line holding the segment's first line, searching on from where
        the previous segment was found (table cells share a line; a repeated block
        is found on its own line, not on its twin's) and wrapping around once."""
        lines = self.ext._lines
        needle = core.split("\n", 1)[0].strip()
        n = len(lines)
        for i in range(n + 1 if n else 0):
            at = (self._cursor + i) % n
            found = lines[at].find(needle, self._column if i == 0 else 0)
            if found >= 0:
                self._cursor, self._column = at, found + max(len(needle), 1)
                return at + 1
        return None


class _WrapProcessor(Treeprocessor):
    """Wraps source-language texts that share their element in `<span lang>`.

    Runs right after the segment processor (priority 24.9), before inline parsing,
    so the wrapped text is still parsed as Markdown inside the span.
    """

    def __init__(self, md: Markdown, ext: SegmentExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        for owner, tail_of, lang in self.ext._wrap:
            span = self.ext.mark(etree.Element("span"), lang)
            if tail_of is None:
                span.text, owner.text = owner.text, None
                owner.insert(0, span)
            else:
                span.text, tail_of.tail = tail_of.tail, None
                owner.insert(list(owner).index(tail_of) + 1, span)


class SourceIdTreeprocessor(Treeprocessor):
    """Gives each heading the id `toc` would derive from its *source* text."""

    def __init__(self, md: Markdown, ext: SegmentExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        if not self.ext._twins:
            return
        from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags, unique

        toc = self.md.treeprocessors["toc"]
        twin_root = etree.Element("div")
        twin_root.extend(twin for _h, twin in self.ext._twins)
        # What happens to a heading between inline parsing and toc happens to its
        # twin too: attributes, then abbreviations (which can even split an HTML
        # placeholder, and toc's id follows that: the twin must be the same).
        self.md.treeprocessors["inline"].run(twin_root)
        for name in ("attr_list", "abbr"):
            if name in self.md.treeprocessors:
                self.md.treeprocessors[name].run(twin_root)
        twins = {id(h): twin for h, twin in self.ext._twins}
        used = {el.attrib["id"] for el in root.iter() if "id" in el.attrib}
        counters: dict[str, int] = {}
        for el in root.iter():
            twin = twins.get(id(el))
            if twin is None or "id" in el.attrib:
                continue
            name = strip_tags(render_inner_html(remove_fnrefs(twin), self.md))
            el.attrib["id"] = unique(toc.slugify(html.unescape(name), toc.sep), used, counters)


class SegmentExtension(Extension):
    """Extract segments (`lookup=None`) or apply translations (`lookup=callable`).

    `source_lang` is the language of the source text; when set in apply mode, text
    left in the source language is marked with it, and with `mark_attributes` (the
    build's: `data-pagefind-ignore`). After `convert`, `segments` lists
    every segment in document order and `rejected` the translations that could not
    be applied because they lost or invented a placeholder token.
    """

    def __init__(
        self,
        lookup: Lookup | None = None,
        source_lang: str | None = None,
        mark_attributes: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.lookup = lookup
        self.source_lang = source_lang
        self.mark_attributes = dict(mark_attributes or {})
        self.capture = False
        self.snapshot: Snapshot | None = None
        self.reset()

    def reset(self) -> None:
        self.segments: list[Segment] = []
        self.rejected: list[Segment] = []
        self._lines: list[str] = []
        self._twins: list[tuple[etree.Element, etree.Element]] = []
        self._wrap: list[tuple[etree.Element, etree.Element | None, str]] = []

    def mark(self, el: etree.Element, lang: str) -> etree.Element:
        """Mark `el` as text in `lang`, another language than the page's."""
        el.set("lang", lang)
        for name, value in self.mark_attributes.items():
            el.set(name, value)
        return el

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_LinesRecorder(md, self), "i18n-lines", 29)
        md.treeprocessors.register(SegmentTreeprocessor(md, self), "i18n", SEGMENT_PRIORITY)
        md.treeprocessors.register(_WrapProcessor(md, self), "i18n-wrap", 24.9)
        md.treeprocessors.register(SourceIdTreeprocessor(md, self), "i18n-ids", 6)


def _twin(heading: etree.Element) -> etree.Element:
    twin = etree.Element(heading.tag)
    twin.text = heading.text
    return twin


def _hint(el: etree.Element) -> str | None:
    """The container kind that explains the paragraphs inside it."""
    classes = el.get("class", "").split()
    if el.tag == "div" and "footnote" in classes:
        return "footnote"
    if el.tag == "div" and "admonition" in classes:
        return "admonition"
    if el.tag == "blockquote":
        return "quote"
    return None


# In a translator's and a reviewer's words: what `![text](file)` holds for them.
_IMAGE_NOTE = "contains an image: translate its description"


def _comment(owner: etree.Element, core: str, hint: str | None) -> str | None:
    """A short note for translators about where the text sits."""
    if owner.tag in _HEADINGS:
        kind = "heading"
    elif "admonition-title" in owner.get("class", "").split():
        kind = "admonition title"
    else:
        kind = _COMMENTS.get(owner.tag, hint)
    if "![" in core:
        kind = f"{kind}; {_IMAGE_NOTE}" if kind else _IMAGE_NOTE
    return kind
