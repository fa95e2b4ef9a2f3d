"""Exchange with translation agencies: XLIFF 1.2 and TMX 1.4, out and in.
`export` gives the text of one language's file and what is in it; `import_file`
reads a delivered XLIFF or TMX (told apart by its root element) and applies it.
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
from pathlib import Path

from pipeline.base.errors import UsageError
from pipeline.config.load import Config
from pipeline.exchange.catalogs import load, select
from pipeline.exchange.report import Exported, ImportReport, Problem
from pipeline.exchange.xmlio import parse

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


def import_file(config: Config, path: Path, reviewed: bool = False, today: str | None = None) -> ImportReport:
    """Read a delivered XLIFF or TMX file and apply it (see `importer`, `tmx`)."""
    today = today or dt.date.today().isoformat()
    doc = parse(path, config.rel(path.resolve()) if path.is_absolute() else str(path))
    if doc.root.tag == "tmx" or doc.root.tag.endswith("}tmx"):
        from pipeline.exchange.tmx import import_tmx, read_tmx

        report = ImportReport(doc.rel, "tmx")
        import_tmx(config, doc, read_tmx(doc, config, report), report, today, reviewed)
        return report
    from pipeline.exchange.importer import import_xliff
    from pipeline.exchange.xliff import read_xliff

    return import_xliff(config, doc, read_xliff(doc, config), reviewed, today)


__all__ = ["FORMATS", "SUFFIX", "Exported", "ImportReport", "Problem", "export", "export_target", "import_file"]
