"""XLIFF 1.2, the format Trados, memoQ and Phrase import: writing and reading.

One `<file>` per catalog (`original` is the catalog's path, the languages are the
article's own and the target), one `<trans-unit>` per live entry:

* `id`: a hash of msgctxt + msgid (`catalogs.unit_id`); `resname`: the msgctxt;
* `<source>` / `<target>` with the Markdown that must survive as `<ph>` codes;
* `state`: `needs-translation`, `needs-review-translation` (machine or memory
  draft, earlier translation of a changed source, marked for review; with the
  qualifier `mt-suggestion`, `tm-suggestion` or `fuzzy-match`), `translated`,
  `signed-off` (approved); `approved="yes"` on the last two, as CAT tools and
  translate-toolkit read it;
* extracted comments as `<note from="developer">`, translator comments as
  `<note from="translator">`, `#:` references as a location context group;
* the previous source of a fuzzy entry (`#| msgid`) as an `<alt-trans
  alttranstype="previous-version">` holding it and the translation made for it.

Reading (`XliffReader`) turns a file into `DeliveredFile`s of units as it streams by;
`importer` decides what to do with them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import polib

from pipeline import __version__
from pipeline.config.load import Config, html_lang
from pipeline.exchange.catalogs import XLIFF_REVIEWED, Catalog, exchange_state, unit_id
from pipeline.exchange.codes import Placeholder, inline_nodes, split, split_target
from pipeline.exchange.langs import project_lang
from pipeline.exchange.report import Exported
from pipeline.exchange.xmlio import ILLEGAL_RE, XML_LANG, Document, Node, serialize, text_of
from pipeline.markup.spans import entry_patterns

NS = "urn:oasis:names:tc:xliff:document:1.2"
DATATYPE = "x-markdown"
TOOL = "clinic-articles"
GUIDE = (
    "Markdown: keep every tag (inline code) as it is; translate the text between them, including **bold**, "
    "*italic*, link text and image alt text. The unit with resname 'slug' is the page address: lowercase "
    "a-z, digits and single hyphens, or leave it empty."
)
_CODE_TAGS = {"ph", "x", "bx", "ex", "bpt", "ept", "it"}
_TRANSPARENT = {"mrk", "g"}  # segmentation marks and paired tags a tool may add around text


def export_xliff(config: Config, lang: str, catalogs: list[Catalog]) -> Exported:
    """The XLIFF document of `catalogs` (one language)."""
    report = Exported("", "xliff", lang)
    files = []
    for catalog in catalogs:
        units = [_unit(config, entry, report) for entry in catalog.units()]
        tool = Node("tool", {"tool-id": TOOL, "tool-name": TOOL, "tool-version": __version__})
        attrs = {
            "original": catalog.rel,
            "source-language": html_lang(catalog.ref.source_lang),
            "target-language": html_lang(lang),
            "datatype": DATATYPE,
            "tool-id": TOOL,
        }
        body = Node("body", {}, list(units))
        files.append(Node("file", attrs, [Node("header", {}, [tool, Node("note", {"from": TOOL}, [GUIDE])]), body]))
        report.files += 1
    report.text = serialize(Node("xliff", {"version": "1.2", "xmlns": NS}, files))
    return report


def _unit(config: Config, entry: polib.POEntry, report: Exported) -> Node:
    pats = entry_patterns(config.protected_patterns, entry.flags)
    source = split(entry.msgid, pats)
    found, qualifier = exchange_state(entry)
    report.units += 1
    report.states[found] += 1
    approved = "yes" if found in XLIFF_REVIEWED else ("no" if found == "needs-review-translation" else None)
    attrs = {"id": unit_id(entry), "resname": entry.msgctxt, "approved": approved, "xml:space": "preserve"}
    target = split_target(entry.msgstr, source, pats) if entry.msgstr else []
    children: list[Node | str] = [
        Node("source", {}, inline_nodes(source, "id", "ctype"), mixed=True),
        Node("target", {"state": found, "state-qualifier": qualifier}, inline_nodes(target, "id", "ctype"), mixed=True),
    ]
    for path, line in entry.occurrences:
        contexts = [Node("context", {"context-type": "sourcefile"}, [path])]
        if line:
            contexts.append(Node("context", {"context-type": "linenumber"}, [str(line)]))
        children.append(Node("context-group", {"purpose": "location"}, contexts))
    for origin, text in (("developer", entry.comment), ("translator", entry.tcomment)):
        for line in text.split("\n") if text else []:
            if line.strip():
                children.append(Node("note", {"from": origin}, [_xml_safe(line)]))
    if entry.fuzzy and entry.previous_msgid is not None:
        previous = split(entry.previous_msgid, pats)
        alt = [Node("source", {}, inline_nodes(previous, "id", "ctype"), mixed=True)]
        alt.append(
            Node("target", {}, inline_nodes(split_target(entry.msgstr, previous, pats), "id", "ctype"), mixed=True)
        )
        children.append(Node("alt-trans", {"alttranstype": "previous-version"}, alt))
    return Node("trans-unit", attrs, children)


def _xml_safe(text: str) -> str:
    return ILLEGAL_RE.sub("\ufffd", text)


# -- reading ----------------------------------------------------------------------


@dataclass
class Unit:
    """A delivered trans-unit."""

    id: str
    line: int
    source: list[str | Placeholder]
    target: list[str | Placeholder] | None
    state: str | None
    approved: bool
    problem: str | None = None  # inline markup we cannot restore

    @property
    def reviewed(self) -> bool:
        """Whether the agency delivered it as reviewed (translated or signed off)."""
        return self.state in XLIFF_REVIEWED or (self.state is None and self.approved)


@dataclass
class DeliveredFile:
    """A delivered `<file>`: the catalog it names, its languages and units."""

    original: str
    line: int
    source_lang: str
    lang: str
    units: list[Unit] = field(default_factory=list)


class XliffReader:
    """Reads an XLIFF 1.2 document as it streams by (`xmlio.Reader`): each
    `<file>` as it opens, each `<trans-unit>` as it closes (then dropped). A
    malformed file raises a `PipelineError` naming its line (exit 1), a language
    the project does not have a `UsageError` (exit 2); a unit id twice in one
    `<file>`, or one `original` in two, is refused naming both lines: which of the
    two is the agency's word is not for the import to guess."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.files: list[DeliveredFile] = []
        self._open: dict[int, DeliveredFile] = {}  # id(<file>) → its units so far, while it is open
        self._originals: dict[str, int] = {}  # original → line of its <file>
        self._ids: dict[int, dict[str, int]] = {}  # id(<file>) → unit id → line
        self._in_unit = 0  # open <trans-unit>s: what is inside one is kept until it closes

    def start(self, doc: Document, element: ET.Element) -> None:
        if element.tag == f"{{{NS}}}trans-unit":
            self._in_unit += 1
        # A wrong root is reported once the whole file has been read (a DTD or broken
        # XML further down is the more basic problem); nothing of it is a unit here.
        if element.tag != f"{{{NS}}}file" or doc.root is None or doc.root.tag != f"{{{NS}}}xliff":
            return
        original = element.get("original")
        if not original:
            raise doc.error("<file> without an original attribute", element)
        line = doc.line(element)
        if original in self._originals:
            first = self._originals[original]
            raise doc.error(f"<file original={original!r}> repeats the <file> at {doc.rel}:{first}", element)
        self._originals[original] = line
        source_lang = project_lang(doc, element, "source-language", self.config)
        lang = project_lang(doc, element, "target-language", self.config)
        self._open[id(element)] = DeliveredFile(original, line, source_lang, lang)
        self._ids[id(element)] = {}

    def end(self, doc: Document, element: ET.Element) -> bool:
        if element.tag == f"{{{NS}}}file":
            delivered = self._open.pop(id(element), None)
            self._ids.pop(id(element), None)
            if delivered is not None:
                self.files.append(delivered)
            return True
        if element.tag != f"{{{NS}}}trans-unit":
            return self._in_unit == 0  # outside a unit nothing is read again: drop it
        self._in_unit -= 1
        owner = next((e for e in reversed(doc.open) if e.tag == f"{{{NS}}}file"), None)
        if owner is None:
            return True  # outside any <file>: not a unit of a catalog
        unit = _read_unit(doc, element)
        seen = self._ids[id(owner)]
        if unit.id in seen:
            raise doc.error(f"<trans-unit id={unit.id!r}> repeats the unit at {doc.rel}:{seen[unit.id]}", element)
        seen[unit.id] = unit.line
        self._open[id(owner)].units.append(unit)
        return True

    def result(self, doc: Document) -> list[DeliveredFile]:
        """The files read, once the document is complete."""
        assert doc.root is not None
        if doc.root.tag != f"{{{NS}}}xliff":
            raise doc.error(
                f"not an XLIFF 1.2 file: root element {_show_tag(doc.root.tag)}, expected <xliff> in {NS}", doc.root
            )
        if not self.files:
            raise doc.error("has no <file> element", doc.root)
        return self.files


def _read_unit(doc: Document, element: ET.Element) -> Unit:
    uid = element.get("id")
    if not uid:
        raise doc.error("<trans-unit> without an id", element)
    source = element.find(f"{{{NS}}}source")
    if source is None:
        raise doc.error(f"<trans-unit id={uid!r}> has no <source>", element)
    target = element.find(f"{{{NS}}}target")
    problems: list[str] = []
    unit = Unit(
        uid,
        doc.line(element),
        _pieces(doc, source, problems),
        _pieces(doc, target, problems) if target is not None else None,
        target.get("state") if target is not None else None,
        element.get("approved") == "yes",
    )
    unit.problem = problems[0] if problems else None
    return unit


def _pieces(doc: Document, element: ET.Element, problems: list[str]) -> list[str | Placeholder]:
    """The text and codes of a segment, in order; `<mrk>` and `<g>` are looked
    through. A loop with its own stack: nesting is the file's to choose."""
    out: list[str | Placeholder] = [element.text] if element.text else []
    stack = [iter(element)]
    tails: list[str | None] = []  # the tail of each transparent element being looked through
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if tails:
                tail = tails.pop()
                if tail:
                    out.append(tail)
            continue
        local = child.tag.rpartition("}")[2]
        if local in _TRANSPARENT:
            if child.text:
                out.append(child.text)
            stack.append(iter(child))
            tails.append(child.tail)
            continue
        if local in _CODE_TAGS:
            out.append(Placeholder(child.get("id") or "", text_of(child), doc.line(child)))
        else:
            problems.append(f"unexpected inline element <{local}> at line {doc.line(child)}")
        if child.tail:
            out.append(child.tail)
    return out


def _show_tag(tag: str) -> str:
    ns, _, local = tag.rpartition("}")
    return f"<{local}> in {ns.lstrip('{')}" if ns else f"<{local}> without a namespace"


__all__ = ["NS", "XML_LANG", "DeliveredFile", "Unit", "XliffReader", "export_xliff"]
