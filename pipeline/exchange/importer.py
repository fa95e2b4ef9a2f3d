"""An XLIFF delivery back into the catalogs: only where it still fits.

A unit is imported only into the entry with its id whose current source is the
source it was exported with; otherwise it is *stale* (the paragraph changed or went
away since the export) and listed, never written. A unit whose inline codes were
altered, lost, duplicated or invented, or whose translation adds markup as text,
is *refused* with the reason, as is a page address (the `slug` entry) that is not
one. Imported translations are fuzzy, unless `reviewed` is asked for and the
agency delivered the unit as `translated` or `signed-off`.

Everything is read and checked before anything is written; each catalog is then
written through the project's writer (atomically, and not at all if nothing in it
changed), so an export imported without edits leaves every catalog as it was. A
catalog a person saved while the import ran is never written over: the import
stops with one line naming it (`files.Changed`, exit 1), and can simply be run
again.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

import polib

from pipeline.base.errors import PipelineError
from pipeline.catalog.model import PRETRANSLATED, SLUG_CONTEXT
from pipeline.catalog.pofile import entries_equal
from pipeline.catalog.project import catalog_refs
from pipeline.config.load import Config
from pipeline.exchange.catalogs import Catalog, check_unchanged, load, save
from pipeline.exchange.codes import CodeError, codes, restore, split, split_target, verify
from pipeline.exchange.report import ImportReport, Problem
from pipeline.exchange.xliff import DeliveredFile, Unit
from pipeline.exchange.xmlio import Document
from pipeline.markup.spans import entry_patterns
from pipeline.review.collide import addresses_in
from pipeline.source.article import slug_problem

IMPORTED = "imported:"


def import_xliff(config: Config, doc: Document, files: list[DeliveredFile], reviewed: bool, today: str) -> ImportReport:
    """Apply a parsed delivery to the catalogs it names."""
    report = ImportReport(doc.rel, "xliff")
    langs = sorted({f.lang for f in files})
    refs, errors = catalog_refs(config, langs)
    if errors:
        raise errors[0]
    by_rel = {config.rel(ref.path): ref for ref in refs}
    grouped: dict[str, list[DeliveredFile]] = defaultdict(list)
    for delivered in files:
        ref = by_rel.get(delivered.original)
        if ref is None and _removed_catalog(config, delivered):
            for unit in delivered.units:
                message = f"unit {unit.id}: the article of {delivered.original} no longer exists"
                report.stale.append(Problem(f"{doc.rel}:{unit.line}", message))
            continue
        if ref is None or ref.lang != delivered.lang:
            raise PipelineError(
                f"<file original={delivered.original!r}> is not a '{delivered.lang}' catalog of this project",
                doc.rel,
                delivered.line,
            )
        if delivered.source_lang != ref.source_lang:
            raise PipelineError(
                f"<file original={delivered.original!r}> says source-language {delivered.source_lang!r}, "
                f"but the article is written in '{ref.source_lang}'",
                doc.rel,
                delivered.line,
            )
        grouped[delivered.original].append(delivered)
    catalogs = load(config, [by_rel[rel] for rel in grouped])
    origin = f"{Path(doc.rel).name} {today}"
    changed: list[tuple[Catalog, polib.POFile]] = []
    taken: dict[str, dict[str, str]] = {}  # language → slug → the article at that address
    for catalog in catalogs:
        fresh = copy.deepcopy(catalog.po)  # the copy we change (the same read: `seen` describes both)
        entries = Catalog(catalog.ref, catalog.rel, fresh).by_id()
        lang, name = catalog.ref.lang, catalog.ref.name
        if lang not in taken:
            taken[lang] = addresses_in(config, lang)
        others = {
            slug: f"slug '{slug}' is also the address of source/{article}.md in {lang}"
            for slug, article in taken[lang].items()
            if article != name
        }
        for delivered in grouped[catalog.rel]:
            for unit in delivered.units:
                _import_unit(config, unit, entries, reviewed, origin, f"{doc.rel}:{unit.line}", report, others)
        changed.append((catalog, fresh))
    check_unchanged((c.ref.path, c.rel, c.seen) for c, fresh in changed if not entries_equal(fresh, c.po))
    for catalog, fresh in changed:
        if save(catalog.ref.path, fresh, catalog.po, expect=catalog.seen):
            report.written.append(catalog.rel)
    return report


def _removed_catalog(config: Config, delivered: DeliveredFile) -> bool:
    """Whether `original` names an article catalog of the language that is not kept
    any more (the article was removed or renamed since the export)."""
    folder = config.rel(config.catalog_path(delivered.lang, "x").parent) + "/"
    name = delivered.original.removeprefix(folder)
    return name != delivered.original and name.endswith(".po") and ".." not in name.split("/")


def _import_unit(
    config: Config,
    unit: Unit,
    entries: dict[str, polib.POEntry],
    reviewed: bool,
    origin: str,
    where: str,
    report: ImportReport,
    taken: dict[str, str] | None = None,
) -> None:
    # `taken`: the addresses of other articles in the catalog's language (slug → why
    # it is refused): a slug one of them has would withhold a page (README, "The page address").
    entry = entries.get(unit.id)
    if entry is None:
        report.stale.append(Problem(where, f"unit {unit.id}: its source changed or was removed since the export"))
        return
    pats = entry_patterns(config.protected_patterns, entry.flags)
    source = split(entry.msgid, pats)
    ids = {c.id for c in codes(source)}
    try:
        delivered_source = restore(unit.source, source, complete=False)
    except CodeError:
        delivered_source = None
    if delivered_source != entry.msgid:
        report.stale.append(Problem(where, f"unit {unit.id}: its source is not the catalog's current source"))
        return
    if unit.target is None or not join_pieces(unit.target):
        report.empty += 1
        return
    if unit.problem:
        report.refused.append(Problem(where, f"unit {unit.id} refused: {unit.problem}"))
        return
    try:
        extra = [c for c in codes(split_target(entry.msgstr, source, pats)) if c.id not in ids]
        text = restore(unit.target, source, complete=True, extra=extra)
        if text != entry.msgstr:
            verify(text, entry.msgid, pats)
            problem = slug_problem(text) if entry.msgctxt == SLUG_CONTEXT and text != entry.msgid else None
            if problem is None and entry.msgctxt == SLUG_CONTEXT and taken and text in taken:
                problem = taken[text]
            if problem:
                raise CodeError(problem)
    except CodeError as exc:
        report.refused.append(Problem(where, f"unit {unit.id} refused: {exc}"))
        return
    as_reviewed = reviewed and unit.reviewed
    if text == entry.msgstr:
        if as_reviewed and entry.fuzzy:
            _write(entry, text, fuzzy=False, origin=origin)
            report.imported += 1
            report.reviewed += 1
        else:
            report.unchanged += 1  # never downgrade a reviewed entry whose text came back as it was
        return
    _write(entry, text, fuzzy=not as_reviewed, origin=origin)
    report.imported += 1
    report.reviewed += as_reviewed


def join_pieces(pieces: list) -> str:
    """Whether delivered pieces hold anything (text or a code)."""
    return "".join(p if isinstance(p, str) else "\x00" for p in pieces)


def _write(entry: polib.POEntry, text: str, fuzzy: bool, origin: str) -> None:
    """The agency's translation into an entry: the machine's provenance line goes
    (the text is no longer the machine's), an `imported:` line says where it came from."""
    entry.msgstr = text
    if fuzzy and "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    elif not fuzzy:
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        # GNU msgmerge drops `#|` from an entry that is not fuzzy.
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
    lines = [
        line
        for line in entry.tcomment.split("\n")
        if line.strip() and not line.strip().startswith((PRETRANSLATED, IMPORTED))
    ]
    entry.tcomment = "\n".join([*lines, f"{IMPORTED} {origin}"])


__all__ = ["import_xliff"]
