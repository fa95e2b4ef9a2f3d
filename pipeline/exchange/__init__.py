"""Exchange with translation agencies: XLIFF 1.2 and TMX 1.4, out and in.
`export` gives the text of one language's file and what is in it; `read_delivery`
reads a delivered XLIFF or TMX (told apart by its root element) as a stream within
ceilings, before the project lock, and `apply_delivery` applies it, under the lock.
Both return reports; the command line prints them and writes the export. It may
import every package up to `review`.

`catalogs` — the catalog side: which catalogs, which entries, their ids and states
`codes` — inline codes: the Markdown a CAT tool must protect, as numbered placeholders
`langs` — language codes in exchange files (`pt-BR`) and the project's (`pt_BR`)
`xmlio` — XML in and out, without surprises
`xliff` — XLIFF 1.2: writing and reading
`importer` — an XLIFF delivery back into the catalogs, only where it still fits
`tmx` — TMX 1.4: reviewed translations out, an agency's memory in
`report` — what an export or an import did, for the command line to print
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.base.errors import PipelineError, UsageError
from pipeline.config.load import Config
from pipeline.exchange.catalogs import load, select
from pipeline.exchange.report import Exported, ImportReport, Problem
from pipeline.exchange.xmlio import Document, parse

FORMATS = ("xliff", "tmx")
SUFFIX = {"xliff": ".xlf", "tmx": ".tmx"}
# The names an export file may have, by format: what a CAT tool opens.
SUFFIXES = {"xliff": (".xlf", ".xliff"), "tmx": (".tmx",)}
# The project's own folders: an export is never written into one, whatever its name.
_PROJECT_FOLDERS = ("source", "locales", "review", "output", ".cache", ".git", ".venv", "requirements", "pipeline")


def export_target(config: Config, path: Path, fmt: str) -> Path:
    """Where `export -o PATH` may write: a file named as its format is (`.xlf`,
    `.xliff`, `.tmx`), and not inside one of the project's folders. So an export can
    never replace an article, a catalog, the translation memory, `pyproject.toml` or a
    page, whatever name is typed. (Links are refused when the file is written.)"""
    if path.suffix.lower() not in SUFFIXES[fmt]:
        names = " or ".join(SUFFIXES[fmt])
        raise UsageError(f"an {fmt.upper()} export is written to a {names} file, not '{path}'")
    where = path.absolute().parent.resolve() / path.name
    root = config.root.resolve()
    if where.is_relative_to(root):
        inside = where.relative_to(root).parts
        if len(inside) > 1 and inside[0] in _PROJECT_FOLDERS:
            raise UsageError(f"an export is not written into the project's {inside[0]}/ folder: '{path}'")
    return path


def export(config: Config, lang: str, fmt: str = "xliff", articles: Sequence[str] = ()) -> Exported:
    """One language's XLIFF (every live entry) or TMX (the reviewed translations)."""
    refs = select(config, lang, articles)
    if not refs:
        raise UsageError(f"nothing is translated into '{lang}': no catalog is kept in that language")
    catalogs = load(config, refs)
    if fmt == "tmx":
        from pipeline.exchange.tmx import export_tmx

        return export_tmx(config, lang, catalogs)
    from pipeline.exchange.xliff import export_xliff

    return export_xliff(config, lang, catalogs)


@dataclass
class Delivery:
    """A delivered file, read and checked, not yet applied to any catalog."""

    doc: Document
    format: str  # "xliff" or "tmx"
    files: list = field(default_factory=list)  # XLIFF: the `DeliveredFile`s
    pairs: list = field(default_factory=list)  # TMX: the `Pair`s
    report: ImportReport | None = None


class _Either:
    """Reads whichever format the root element says the file is."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.reader: Any = None
        self.report: ImportReport | None = None

    def start(self, doc: Document, element: Any) -> None:
        if self.reader is None:
            if element.tag == "tmx" or element.tag.endswith("}tmx"):
                from pipeline.exchange.tmx import TmxReader

                self.report = ImportReport(doc.rel, "tmx")
                self.reader = TmxReader(self.config, self.report)
            else:
                from pipeline.exchange.xliff import XliffReader

                self.reader = XliffReader(self.config)
        self.reader.start(doc, element)

    def end(self, doc: Document, element: Any) -> bool:
        return self.reader.end(doc, element)


def read_delivery(config: Config, path: Path) -> Delivery:
    """Read a delivered XLIFF or TMX file (told apart by its root element) as a
    stream, within the ceilings of `xmlio`; it touches no catalog, so the command
    line calls it before taking the project lock."""
    either = _Either(config)
    doc = parse(path, config.rel(path.resolve()) if path.is_absolute() else str(path), either)
    if either.reader is None:
        raise PipelineError("is not well-formed XML: no element found", doc.rel, 1)
    if either.report is not None:
        return Delivery(doc, "tmx", pairs=either.reader.result(doc), report=either.report)
    return Delivery(doc, "xliff", files=either.reader.result(doc))


def apply_delivery(
    config: Config, delivery: Delivery, reviewed: bool = False, today: str | None = None
) -> ImportReport:
    """Apply a read delivery to the catalogs (see `importer`, `tmx`): under the lock."""
    today = today or dt.date.today().isoformat()
    if delivery.format == "tmx":
        from pipeline.exchange.tmx import import_tmx

        assert delivery.report is not None
        import_tmx(config, delivery.doc, delivery.pairs, delivery.report, today, reviewed)
        return delivery.report
    from pipeline.exchange.importer import import_xliff

    return import_xliff(config, delivery.doc, delivery.files, reviewed, today)


def import_file(config: Config, path: Path, reviewed: bool = False, today: str | None = None) -> ImportReport:
    """Read a delivered XLIFF or TMX file and apply it."""
    return apply_delivery(config, read_delivery(config, path), reviewed, today)


__all__ = [
    "FORMATS",
    "SUFFIX",
    "Delivery",
    "Exported",
    "ImportReport",
    "Problem",
    "apply_delivery",
    "export",
    "export_target",
    "import_file",
    "read_delivery",
]
