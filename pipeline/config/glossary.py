"""The clinic's terminology: `locales/glossary.csv`.

A CSV file with a header naming one column per language code plus `dnt` and
`note` (e.g. `en,de,dnt,note`); each row is one concept. `dnt` = `yes` marks a
term that is never translated (drug names, gene symbols, the clinic's name).
Spreadsheets, Weblate and most CAT tools import this shape directly.
Machine pretranslation applies it; QA warns where a translation ignores it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.files import read_regular

GLOSSARY = "glossary.csv"
_META_COLUMNS = {"dnt", "note"}


@dataclass(frozen=True)
class Term:
    """One glossary concept seen from a language pair."""

    source: str
    target: str
    dnt: bool
    note: str

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Whole-word; a trailing plural `s`/`es`/`n`/`en` also matches. Case-insensitive,
        except for an abbreviation written in capitals: "ALS" is not the German word "als"."""
        flags = 0 if self.source.isupper() and len(self.source) > 1 else re.I
        return re.compile(rf"(?<!\w){re.escape(self.source)}(?:e?s|e?n)?(?!\w)", flags)


@dataclass(frozen=True)
class Glossary:
    """All rows of the glossary file."""

    rows: tuple[dict[str, str], ...]
    languages: tuple[str, ...]

    def terms(self, source_lang: str, target_lang: str) -> list[Term]:
        """Terms for one direction, longest source first (so a longer term wins)."""
        if source_lang not in self.languages:
            return []
        found = []
        for row in self.rows:
            source = row.get(source_lang, "").strip()
            dnt = row.get("dnt", "").strip().lower() in ("yes", "y", "true", "1", "x")
            target = source if dnt else row.get(target_lang, "").strip()
            if source and target:
                found.append(Term(source, target, dnt, row.get("note", "").strip()))
        return sorted(found, key=lambda t: -len(t.source))

    def find(self, text: str, source_lang: str, target_lang: str) -> list[Term]:
        """The terms of this direction that occur in `text`."""
        return [t for t in self.terms(source_lang, target_lang) if t.pattern.search(text)]


EMPTY = Glossary((), ())


def load_glossary(locales_dir: Path) -> Glossary:
    """Read `locales/glossary.csv`; no file means an empty glossary."""
    path = locales_dir / GLOSSARY
    if not path.exists():
        return EMPTY
    rel = f"{locales_dir.name}/{GLOSSARY}"
    try:
        text = read_regular(path, rel, "the glossary").decode("utf-8-sig")  # no link followed
    except UnicodeDecodeError:
        raise PipelineError("is not valid UTF-8", rel) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    languages = tuple(c for c in columns if c and c not in _META_COLUMNS)
    if len(languages) < 1:
        raise PipelineError("needs a header line with language codes, e.g. 'en,de,dnt,note'", rel, 1)
    rows = []
    try:
        for row in reader:
            if None in row:
                raise PipelineError("row has more fields than the header", rel, reader.line_num)
            rows.append({(k or "").strip(): (v or "") for k, v in row.items()})
    except csv.Error as exc:
        raise PipelineError(f"invalid CSV: {exc}", rel, reader.line_num) from None
    return Glossary(tuple(rows), languages)
