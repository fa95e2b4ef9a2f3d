"""`stats`: how far each article's translation is, in entries and in words.

Words are counted in the source text (what a reader would read), so an article's
percentage means "share of the text a reader gets reviewed"; only prose counts (no
code, URLs, e-mail addresses, numbers, placeholders or trial IDs: what a quote is
priced by). `stats --analysis` (module `analysis`) breaks the words still to do
down by translation-memory match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polib

from pipeline.catalog import SLUG_CONTEXT, state, words
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.markup import DEFAULT_PATTERNS
from pipeline.po import read_po
from pipeline.update import catalog_refs

STATES = ("reviewed", "fuzzy", "machine", "memory", "untranslated")


@dataclass
class Stats:
    """One article's catalog for one language."""

    article: str
    lang: str
    catalog: str
    entries: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    words: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total_entries(self) -> int:
        return sum(self.entries.values())

    @property
    def total_words(self) -> int:
        return sum(self.words.values())

    @property
    def percent_reviewed(self) -> float:
        """Share of the source words whose translation is reviewed (100 when empty)."""
        total = self.total_words
        return 100.0 if total == 0 else round(100.0 * self.words["reviewed"] / total, 1)

    def as_dict(self) -> dict:
        fuzzy = ("fuzzy", "machine", "memory")
        return {
            "article": self.article,
            "lang": self.lang,
            "catalog": self.catalog,
            "entries": {"total": self.total_entries, **self.entries},
            "words": {"total": self.total_words, **self.words},
            "translated": {"entries": self.entries["reviewed"], "words": self.words["reviewed"]},
            "fuzzy": {"entries": sum(self.entries[s] for s in fuzzy), "words": sum(self.words[s] for s in fuzzy)},
            "untranslated": {"entries": self.entries["untranslated"], "words": self.words["untranslated"]},
            "percent_reviewed": self.percent_reviewed,
            # Every state on its own: machine and memory drafts, and human
            # translations of a changed source ("fuzzy"), are different work.
            "states": {s: {"entries": self.entries[s], "words": self.words[s]} for s in STATES},
        }


# Table columns: (state, heading); cells are "entries/words".
COLUMNS = (
    ("reviewed", "reviewed"),
    ("machine", "machine draft"),
    ("memory", "memory draft"),
    ("fuzzy", "fuzzy"),
    ("untranslated", "untranslated"),
)


def table(results: list[Stats]) -> list[str]:
    """The `stats` table: one row per article and language (plus a total per
    language when there are several articles), cells `entries/words`."""
    rows = []
    for lang in dict.fromkeys(s.lang for s in results):
        of_lang = [s for s in results if s.lang == lang]
        rows.extend(of_lang)
        if len(of_lang) > 1:
            total = Stats("(all)", lang, "")
            for s in of_lang:
                for state in STATES:
                    total.entries[state] += s.entries[state]
                    total.words[state] += s.words[state]
            rows.append(total)
    width = max([len("article"), *(len(s.article) for s in rows)])
    head = f"{'article':{width}} {'lang':5}" + "".join(f" {h:>13}" for _, h in COLUMNS)
    lines = [head + f" {'total':>13} {'% reviewed':>10}"]
    for s in rows:
        cells = "".join(f" {f'{s.entries[k]}/{s.words[k]}':>13}" for k, _ in COLUMNS)
        total = f"{s.total_entries}/{s.total_words}"
        lines.append(f"{s.article:{width}} {s.lang:5}{cells} {total:>13} {s.percent_reviewed:9.1f}%")
    lines.append("cells: entries/words; fuzzy = a human translation to review again (its source changed, or marked)")
    lines.append("% reviewed counts words")
    return lines


def count(
    po: polib.POFile,
    article: str,
    lang: str,
    catalog: str,
    untranslated: bool = False,
    patterns: Sequence[str] = DEFAULT_PATTERNS,
) -> Stats:
    """Tally the live entries of `po` (all as untranslated if `untranslated`);
    words are prose words (`catalog.words`, with the protected `patterns`)."""
    stats = Stats(article, lang, catalog)
    for entry in po:
        if entry.obsolete:
            continue
        kind = "untranslated" if untranslated else state(entry)
        stats.entries[kind] += 1
        # The slug is an address, not text anyone reads: it has no weight in the share.
        stats.words[kind] += 0 if entry.msgctxt == SLUG_CONTEXT else words(entry.msgid, patterns)
    return stats


def collect(config: Config, langs: Iterable[str] | None = None) -> tuple[list[Stats], list[PipelineError]]:
    """Stats for every catalog of `langs`: the page chrome's (`site`) and every
    article's; a missing catalog counts its template's messages as untranslated."""
    refs, errors = catalog_refs(config, langs)
    results = []
    for ref in refs:
        try:
            if ref.path.exists():
                po = read_po(ref.path, config.rel(ref.path), ref.lang)
                results.append(count(po, ref.name, ref.lang, config.rel(ref.path), patterns=config.protected_patterns))
            elif ref.template.exists():
                pot = read_po(ref.template, config.rel(ref.template))
                rel = config.rel(ref.path)
                results.append(
                    count(pot, ref.name, ref.lang, rel, untranslated=True, patterns=config.protected_patterns)
                )
        except PipelineError as exc:
            errors.append(exc)
    return results, errors
