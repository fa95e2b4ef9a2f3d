"""TMX 1.4: the reviewed translations out (the agency's memory), an agency's memory in.

Export: one `<tu>` per reviewed translation (not drafts, not the page address),
`tuid` the unit id, the msgctxt as `<prop type="x-context">`, protected Markdown as
`<ph x="N">` codes as in XLIFF. Import: every `<tu>` with a source and a target in
a project language becomes a reviewed entry of `locales/<lang>/memory.po`
(`pretranslate.memory.imported_path`), which `pretranslate` consults with the
catalogs before any engine. A `<tu>` whose target does not carry its source's
protected markup exactly (links, code, trial IDs) is refused: a memory match is
taken as reviewed, so it must be sound.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import __version__
from pipeline.base.errors import UsageError
from pipeline.catalog.model import SLUG_CONTEXT
from pipeline.catalog.plurals import plural_forms
from pipeline.catalog.pofile import read_po
from pipeline.config.load import Config, html_lang
from pipeline.exchange.catalogs import Catalog, is_reviewed, save, unit_id
from pipeline.exchange.codes import CodeError, inline_nodes, split, split_target, verify
from pipeline.exchange.importer import IMPORTED
from pipeline.exchange.langs import match_lang
from pipeline.exchange.report import Exported, ImportReport, Problem
from pipeline.exchange.xmlio import XML_LANG, Document, Node, serialize, text_of
from pipeline.markup.inline import entry_patterns
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
            key = (src, entry.msgctxt, entry.msgid, entry.msgstr)
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


def read_tmx(doc: Document, config: Config, report: ImportReport) -> list[Pair]:
    """The source/target pairs of a TMX document in the project's languages."""
    root = doc.root
    if root.tag != "tmx":
        found = root.tag.rpartition("}")
        where = f"in {found[0].lstrip('{')}" if found[0] else "without a namespace"
        raise doc.error(f"not a TMX file: root element <{found[2]}> {where}, expected <tmx> without a namespace", root)
    header = root.find("header")
    if header is None or not header.get("srclang"):
        raise doc.error("<tmx> needs a <header srclang=...>", header if header is not None else root)
    pairs: list[Pair] = []
    ignored: set[str] = set()
    for tu in root.iter("tu"):
        pairs.extend(_pairs(doc, config, tu, header.get("srclang", ""), ignored))
    report.ignored_langs = sorted(ignored)
    if not pairs and ignored:
        known = ", ".join(config.languages)
        raise UsageError(f"no translation into a language of this project ({known})", doc.rel)
    return pairs


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


def import_tmx(config: Config, doc: Document, pairs: list[Pair], report: ImportReport, today: str) -> None:
    """Add the pairs to each language's imported memory (`locales/<lang>/memory.po`)."""
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
        old = read_po(path, rel, lang) if path.exists() else None
        po = read_po(path, rel, lang) if old is not None else _new_memory(config, lang)
        entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
        for pair in found:
            entry = entries.get((pair.msgctxt, pair.source))
            if entry is not None and entry.msgstr == pair.target and not entry.fuzzy:
                report.unchanged += 1
                continue
            if entry is None:
                entry = polib.POEntry(msgid=pair.source, msgctxt=pair.msgctxt)
                entries[(pair.msgctxt, pair.source)] = entry
                po.append(entry)
            entry.msgstr, entry.tcomment = pair.target, origin
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            report.imported += 1
        stores.append((path, rel, po, old))
    for path, rel, po, old in stores:  # everything checked before anything is written
        if save(path, po, old):
            report.written.append(rel)


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
