"""TMX 1.4: the reviewed translations out (the agency's memory), an agency's memory in.

Export: one `<tu>` per reviewed translation (not drafts, not the page address),
`tuid` the unit id, the msgctxt as `<prop type="x-context">`, protected Markdown as
`<ph x="N">` codes as in XLIFF. Import: every `<tu>` with a source and a target in
a project language becomes an entry of `locales/<lang>/memory.po`
(`pretranslate.memory.imported_path`), which `pretranslate` consults with the
catalogs before any engine. One rule for what counts as reviewed, as for XLIFF: an
agency's work is a draft for the clinic's review (a fuzzy entry, whose matches
become memory drafts) unless the import says `--reviewed` (then a reviewed entry,
whose exact matches may become reviewed translations). A `<tu>` whose target does
not carry its source's protected markup exactly (links, code, trial IDs) is
refused. A memory that would grow past the size limit of a catalog is refused
whole, not written (`pretranslate` could not read it).
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import __version__
from pipeline.base.errors import PipelineError, UsageError
from pipeline.base.files import ABSENT, MAX_FILE_BYTES
from pipeline.catalog.model import SLUG_CONTEXT
from pipeline.catalog.plurals import plural_forms
from pipeline.catalog.pofile import read_po_seen
from pipeline.catalog.pofile import serialize as pofile_serialize
from pipeline.config.load import Config, html_lang
from pipeline.exchange.catalogs import Catalog, check_unchanged, is_reviewed, save, unit_id
from pipeline.exchange.codes import CodeError, inline_nodes, split, split_target, verify
from pipeline.exchange.importer import IMPORTED
from pipeline.exchange.langs import match_lang
from pipeline.exchange.report import Exported, ImportReport, Problem
from pipeline.exchange.xmlio import XML_LANG, Document, Node, serialize, text_of
from pipeline.markup.spans import entry_patterns
from pipeline.pretranslate.memory import imported_path

_CODE_TAGS = {"ph", "bpt", "ept", "it", "ut"}


def export_tmx(config: Config, lang: str, catalogs: list[Catalog]) -> Exported:
    """The reviewed translations of `catalogs` as a TMX 1.4 document."""
    report = Exported("", "tmx", lang)
    units: list[Node | str] = []
    seen: set[tuple] = set()
    sources = {c.ref.source_lang for c in catalogs}
    for catalog in catalogs:
        report.files += 1
        src = catalog.ref.source_lang
        for entry in catalog.units():
            # One unit per source and context: the import refuses two (which would be
            # the memory's answer?), so where articles translate a text differently
            # the first reviewed translation is the memory's.
            key = (entry.msgctxt, entry.msgid)
            if not is_reviewed(entry) or entry.msgctxt == SLUG_CONTEXT or key in seen:
                continue
            seen.add(key)
            pats = entry_patterns(config.protected_patterns, entry.flags)
            source = split(entry.msgid, pats)
            tuvs: list[Node | str] = []
            if entry.msgctxt is not None:
                tuvs.append(Node("prop", {"type": "x-context"}, [entry.msgctxt]))
            for code, pieces in ((src, source), (lang, split_target(entry.msgstr, source, pats))):
                seg = Node("seg", {}, inline_nodes(pieces, "x", "type"), mixed=True)
                tuvs.append(Node("tuv", {"xml:lang": html_lang(code)}, [seg]))
            units.append(Node("tu", {"tuid": unit_id(entry), "srclang": html_lang(src)}, tuvs))
            report.units += 1
            report.states["translated"] += 1
    header = {
        "creationtool": "clinic-articles",
        "creationtoolversion": __version__,
        "segtype": "paragraph",
        "o-tmf": "gettext",
        "adminlang": "en",
        "srclang": html_lang(sources.pop()) if len(sources) == 1 else "*all*",
        "datatype": "x-markdown",
    }
    report.text = serialize(Node("tmx", {"version": "1.4"}, [Node("header", header), Node("body", {}, units)]))
    return report


# -- import -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One translation unit for one target language."""

    lang: str
    msgctxt: str | None
    source: str
    target: str
    line: int


class TmxReader:
    """Reads a TMX document as it streams by (`xmlio.Reader`): the `<header>`,
    then each `<tu>` as it closes (then dropped), into the pairs in the project's
    languages. Two units for one source (and context) into one language are
    refused naming both lines: which is the agency's word is not for us to guess."""

    def __init__(self, config: Config, report: ImportReport) -> None:
        self.config, self.report = config, report
        self.pairs: list[Pair] = []
        self.ignored: set[str] = set()
        self.srclang: str | None = None
        self._seen: dict[tuple[str, str | None, str], int] = {}  # (lang, context, source) → line
        self._in_unit = 0  # open <tu>s: what is inside one is kept until it closes

    def start(self, doc: Document, element: ET.Element) -> None:
        # (A wrong root is reported once the whole file has been read: `result`.)
        if element.tag == "tu":
            self._in_unit += 1

    def end(self, doc: Document, element: ET.Element) -> bool:
        if doc.root is None or doc.root.tag != "tmx":
            return True  # nothing of it is a unit; keep no tree
        if element.tag == "header" and doc.open and doc.open[-1] is doc.root:
            if not element.get("srclang"):
                raise doc.error("<tmx> needs a <header srclang=...>", element)
            self.srclang = element.get("srclang", "")
            return True
        if element.tag != "tu":
            return self._in_unit == 0  # outside a unit nothing is read again: drop it
        self._in_unit -= 1
        if self.srclang is None:
            raise doc.error("<tmx> needs a <header srclang=...>", doc.root)
        for pair in _pairs(doc, self.config, element, self.srclang, self.ignored):
            key = (pair.lang, pair.msgctxt, pair.source)
            if key in self._seen:
                raise doc.error(
                    f"<tu> translates a source into '{pair.lang}' that the <tu> at {doc.rel}:{self._seen[key]} "
                    "translates too",
                    element,
                )
            self._seen[key] = pair.line
            self.pairs.append(pair)
        return True

    def result(self, doc: Document) -> list[Pair]:
        """The pairs read, once the document is complete."""
        assert doc.root is not None
        if doc.root.tag != "tmx":
            found = doc.root.tag.rpartition("}")
            where = f"in {found[0].lstrip('{')}" if found[0] else "without a namespace"
            raise doc.error(
                f"not a TMX file: root element <{found[2]}> {where}, expected <tmx> without a namespace", doc.root
            )
        if self.srclang is None:
            raise doc.error("<tmx> needs a <header srclang=...>", doc.root)
        self.report.ignored_langs = sorted(self.ignored)
        if not self.pairs and self.ignored:
            known = ", ".join(self.config.languages)
            raise UsageError(f"no translation into a language of this project ({known})", doc.rel)
        return self.pairs


def _pairs(doc: Document, config: Config, tu: ET.Element, default: str, ignored: set[str]) -> list[Pair]:
    tuvs = []
    for tuv in tu.findall("tuv"):
        code = tuv.get(XML_LANG) or tuv.get("lang")
        seg = tuv.find("seg")
        if not code or seg is None:
            raise doc.error("<tuv> needs an xml:lang and a <seg>", tuv)
        tuvs.append((code, _flat(seg), tuv))
    srclang = tu.get("srclang") or default
    if srclang == "*all*":
        srclang = tuvs[0][0] if tuvs else ""
    source = next((t for t in tuvs if t[0].lower() == srclang.lower()), None)
    if source is None:
        raise doc.error(f"<tu> has no source (no <tuv xml:lang={srclang!r}>)", tu)
    source_lang = match_lang(doc, source[2], srclang, config, "srclang", optional=True)
    context = next((p.text or "" for p in tu.findall("prop") if p.get("type") == "x-context"), None)
    out = []
    for code, text, tuv in tuvs:
        if tuv is source[2]:
            continue
        lang = match_lang(doc, tuv, code, config, "xml:lang", optional=True)
        if lang is None or source_lang is None:
            ignored.add(code)
        elif lang != source_lang and text and source[1]:
            out.append(Pair(lang, context, source[1], text, doc.line(tu)))
    return out


def _flat(seg: ET.Element) -> str:
    """A segment's text with its codes' native content put back (`<hi>` is transparent)."""
    out = [seg.text or ""]
    for child in seg:
        out.append(text_of(child) if child.tag in _CODE_TAGS or child.tag == "hi" else "")
        out.append(child.tail or "")
    return "".join(out)


def import_tmx(
    config: Config, doc: Document, pairs: list[Pair], report: ImportReport, today: str, reviewed: bool = False
) -> None:
    """Add the pairs to each language's imported memory (`locales/<lang>/memory.po`):
    as fuzzy entries (an agency's work not yet reviewed by the clinic: their matches
    are drafts), or as reviewed ones with `reviewed` (`import --reviewed`)."""
    origin = f"{IMPORTED} {Path(doc.rel).name} {today}"
    by_lang: dict[str, list[Pair]] = {}
    for pair in pairs:
        try:
            verify(pair.target, pair.source, config.protected_patterns)
        except CodeError as exc:
            report.refused.append(Problem(f"{doc.rel}:{pair.line}", f"refused: {exc}"))
            continue
        by_lang.setdefault(pair.lang, []).append(pair)
    stores = []
    for lang, found in sorted(by_lang.items()):
        path = imported_path(config.locales_dir, lang)
        rel = config.rel(path)
        old, seen = None, ABSENT
        if path.exists():
            old, _text, seen = read_po_seen(path, rel, lang)
        po = copy.deepcopy(old) if old is not None else _new_memory(config, lang)
        entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
        for pair in found:
            _add(po, entries, pair, origin, reviewed, report)
        _check_size(po, rel)
        stores.append((path, rel, po, old, seen))
    # Everything checked before anything is written, and nothing written over a save.
    check_unchanged((path, rel, seen) for path, rel, po, old, seen in stores)
    for path, rel, po, old, seen in stores:
        if save(path, po, old, expect=seen):
            report.written.append(rel)


def _add(
    po: polib.POFile,
    entries: dict[tuple[str | None, str], polib.POEntry],
    pair: Pair,
    origin: str,
    reviewed: bool,
    report: ImportReport,
) -> None:
    """One pair into the memory: a new entry, a new translation of a source it has,
    or (with `reviewed`) the clinic's word that a draft's translation is reviewed."""
    entry = entries.get((pair.msgctxt, pair.source))
    if entry is not None and entry.msgstr == pair.target:
        if reviewed and entry.fuzzy:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.tcomment = origin
            report.imported += 1
            report.reviewed += 1
        else:
            report.unchanged += 1  # never downgrade a reviewed entry whose text came back as it was
        return
    if entry is None:
        entry = polib.POEntry(msgid=pair.source, msgctxt=pair.msgctxt)
        entries[(pair.msgctxt, pair.source)] = entry
        po.append(entry)
    entry.msgstr, entry.tcomment = pair.target, origin
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    if not reviewed:
        entry.flags.insert(0, "fuzzy")
    report.imported += 1
    report.reviewed += reviewed


def _check_size(po: polib.POFile, rel: str) -> None:
    """A memory `pretranslate` would not read (over the size limit of a catalog) is
    refused here, not written: it would be ignored, and block every later import."""
    size = len(pofile_serialize(po).encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise PipelineError(
            f"the memory would be {size / 2**20:.1f} MB with this import; the limit is "
            f"{MAX_FILE_BYTES // 2**20} MB (pretranslate reads no larger catalog): not written",
            rel,
        )


def _new_memory(config: Config, lang: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=79)
    po.header = (
        "Translation memory imported from TMX (`python -m pipeline import FILE.tmx`).\n"
        "Reviewed translations `pretranslate` offers before any engine; keep it in git."
    )
    po.metadata = {
        "Project-Id-Version": config.project_name,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(lang),
    }
    return po
