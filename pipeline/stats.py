"""`stats`: how far each article's translation is, in entries and in words.

Words are counted in the source text (what a reader would read), so an article's
percentage means "share of the text a reader gets reviewed".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polib

from pipeline.article import discover, load_article
from pipeline.catalog import SLUG_CONTEXT, state, words
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.po import read_po
from pipeline.update import target_languages

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
        }


def count(po: polib.POFile, article: str, lang: str, catalog: str, untranslated: bool = False) -> Stats:
    """Tally the live entries of `po` (all as untranslated if `untranslated`)."""
    stats = Stats(article, lang, catalog)
    for entry in po:
        if entry.obsolete:
            continue
        kind = "untranslated" if untranslated else state(entry)
        stats.entries[kind] += 1
        # The slug is an address, not text anyone reads: it has no weight in the share.
        stats.words[kind] += 0 if entry.msgctxt == SLUG_CONTEXT else words(entry.msgid)
    return stats


def collect(config: Config, langs: Iterable[str] | None = None) -> tuple[list[Stats], list[PipelineError]]:
    """Stats for every article and target language; a missing catalog counts its
    template's messages as untranslated."""
    results, errors = [], []
    for path in discover(config):
        try:
            article = load_article(path, config)
            for lang in target_languages(article, config, langs):
                po_path = config.catalog_path(lang, article.name)
                if po_path.exists():
                    po = read_po(po_path, config.rel(po_path), lang)
                    results.append(count(po, article.name, lang, config.rel(po_path)))
                elif (pot_path := config.template_path(article.name)).exists():
                    pot = read_po(pot_path, config.rel(pot_path))
                    results.append(count(pot, article.name, lang, config.rel(po_path), untranslated=True))
        except PipelineError as exc:
            errors.append(exc)
    return results, errors
