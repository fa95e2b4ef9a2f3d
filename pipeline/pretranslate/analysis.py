"""`stats --analysis`: the words still to translate, as a CAT tool analyses them.

Agencies price a job by a breakdown of the words left to do (untranslated
entries, machine and memory drafts, fuzzy entries): repetitions (a text already
counted earlier in the same analysis, or a block occurring again in an article),
100 % matches (the same source text has a reviewed translation in the project),
fuzzy bands 95–99 %, 85–94 %, 75–84 % (the
most similar reviewed source, rapidfuzz's `ratio` as the translation memory
uses it), and no match. The memory is every reviewed translation of that
language, as `pretranslate`'s memory holds it (translated, not fuzzy, live or
obsolete), plus the earlier source (`#| msgid`) of a human translation whose
source changed since, so the figures say what a CAT tool would reuse.
Words are counted as `stats` counts them: prose only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polib
from rapidfuzz import fuzz, process

from pipeline.base.errors import PipelineError
from pipeline.catalog.model import REVIEWED_STATES, SLUG_CONTEXT, state
from pipeline.catalog.pofile import read_po
from pipeline.catalog.project import catalog_refs
from pipeline.config.load import Config
from pipeline.markup.inline import words
from pipeline.pretranslate.memory import reviewed as is_reviewed

# (key, heading, lowest score); a score is the best similarity to a reviewed source, in %.
BANDS = (
    ("repetitions", "repetitions", None),
    ("100", "100%", 100),
    ("95-99", "95-99%", 95),
    ("85-94", "85-94%", 85),
    ("75-84", "75-84%", 75),
    ("no-match", "no match", 0),
)


@dataclass
class Analysis:
    """One language (or one catalog of it): segments and words still to do, per band."""

    lang: str
    article: str = "(all)"
    segments: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _, _ in BANDS})
    words: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _, _ in BANDS})
    articles: list[Analysis] = field(default_factory=list)  # of a language: per catalog

    def add(self, band: str, count: int) -> None:
        self.segments[band] += 1
        self.words[band] += count

    def as_dict(self) -> dict:
        data = {
            "lang": self.lang,
            "article": self.article,
            "bands": {key: {"segments": self.segments[key], "words": self.words[key]} for key, _, _ in BANDS},
            "total": {"segments": sum(self.segments.values()), "words": sum(self.words.values())},
        }
        if self.articles:
            data["articles"] = [a.as_dict() for a in self.articles]
        return data


def band(score: float) -> str:
    """The band of a similarity score (100 only for an identical text)."""
    for key, _heading, lowest in BANDS[1:]:
        if lowest is not None and score >= lowest:
            return key
    return "no-match"


def analyse(
    catalogs: Iterable[tuple[str, polib.POFile]],
    lang: str,
    patterns: Sequence[str],
    memory: Iterable[polib.POEntry] = (),
) -> Analysis:
    """The breakdown of one language's catalogs, (article, catalog) pairs, in total
    and per article (in the order given: a repetition is a text counted before it
    in that order, in the same article or an earlier one). `memory`: more entries
    whose reviewed translations count as matches (an imported TMX memory)."""
    catalogs = list(catalogs)
    reviewed = {e.msgid for _name, po in catalogs for e in po if is_reviewed(e)}
    reviewed |= {e.msgid for e in memory if is_reviewed(e)}
    # A human translation of a source that changed since (`#| msgid`) is in a CAT
    # tool's memory as the translation of that earlier source: it offers a fuzzy match.
    earlier = {e.previous_msgid for _n, po in catalogs for e in po if state(e) == "fuzzy" and e.previous_msgid}
    choices = sorted(reviewed | earlier)
    total = Analysis(lang)
    seen: set[str] = set()
    for name, po in catalogs:
        result = Analysis(lang, name)
        total.articles.append(result)
        for entry in po:
            if entry.obsolete or entry.msgctxt == SLUG_CONTEXT or state(entry) in REVIEWED_STATES:
                continue
            count = words(entry.msgid, patterns)
            if count == 0:
                continue  # nothing to translate (a number, a link, a trial ID)
            # A block that occurs again (one entry, several references) is a repetition there.
            for _again in range(len(entry.occurrences) - 1):
                result.add("repetitions", count)
            if entry.msgid in seen:
                result.add("repetitions", count)
                continue
            seen.add(entry.msgid)
            if entry.msgid in reviewed:
                result.add("100", count)
                continue
            best = process.extractOne(entry.msgid, choices, scorer=fuzz.ratio) if choices else None
            result.add(band(min(best[1], 99.0)) if best else "no-match", count)
        for key in result.segments:
            total.segments[key] += result.segments[key]
            total.words[key] += result.words[key]
    return total


def collect(config: Config, langs: Iterable[str] | None = None) -> tuple[list[Analysis], list[PipelineError]]:
    """The analysis of every language of `langs` (all target languages when None),
    over the page chrome's and every article's catalog; a missing catalog counts
    its template's messages."""
    refs, errors = catalog_refs(config, langs)
    by_lang: dict[str, list[tuple[str, polib.POFile]]] = {}
    for ref in refs:
        try:
            if ref.path.exists():
                by_lang.setdefault(ref.lang, []).append((ref.name, read_po(ref.path, config.rel(ref.path), ref.lang)))
            elif ref.template.exists():
                by_lang.setdefault(ref.lang, []).append((ref.name, read_po(ref.template, config.rel(ref.template))))
        except PipelineError as exc:
            errors.append(exc)
    patterns = config.protected_patterns
    return [analyse(pos, lang, patterns, _other_catalogs(config, lang, pos)) for lang, pos in by_lang.items()], errors


def _other_catalogs(config: Config, lang: str, analysed: list[tuple[str, polib.POFile]]) -> list[polib.POEntry]:
    """The entries of the language's other catalogs (`memory.po` imported from TMX,
    a removed article's), which pretranslate's memory reads too."""
    known = {config.catalog_path(lang, name).resolve() for name, _po in analysed}
    folder = config.locales_dir / lang
    entries: list[polib.POEntry] = []
    for path in sorted(folder.rglob("*.po")) if folder.is_dir() else []:
        if path.resolve() in known:
            continue
        try:
            entries.extend(read_po(path, config.rel(path), lang))
        except PipelineError:
            continue  # not an article's catalog: its problems are not this report's
    return entries


def table(results: list[Analysis]) -> list[str]:
    """Per language a row per article and one for all, cells `segments/words`."""
    rows = [row for a in results for row in (*a.articles, a)]
    width = max([len("article"), *(len(a.article) for a in rows)])
    head = f"{'article':{width}} {'lang':5}" + "".join(f" {h:>12}" for _, h, _ in BANDS) + f" {'total':>12}"
    lines = [head]
    for a in rows:
        cells = "".join(f" {f'{a.segments[k]}/{a.words[k]}':>12}" for k, _, _ in BANDS)
        total = f"{sum(a.segments.values())}/{sum(a.words.values())}"
        lines.append(f"{a.article:{width}} {a.lang:5}{cells} {total:>12}")
    lines.append("cells: segments/words still to do (untranslated, drafts, fuzzy), against the reviewed translations")
    return lines
