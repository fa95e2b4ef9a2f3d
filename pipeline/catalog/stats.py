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

from pipeline.base.errors import PipelineError
from pipeline.base.manifest import Memo, cache_dir, code_digest, digest, project_hashes, save_quietly, stamp
from pipeline.catalog.model import REVIEWED_STATES, STATES, share, tally
from pipeline.catalog.pofile import read_po
from pipeline.catalog.project import catalog_refs
from pipeline.config.load import Config
from pipeline.markup.spans import DEFAULT_PATTERNS


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
        """Share of the source words whose translation is reviewed or approved (100 when empty)."""
        return share(self.words, REVIEWED_STATES)

    @property
    def percent_approved(self) -> float:
        """Share of the source words whose translation carries a valid sign-off (100 when empty)."""
        return share(self.words, ("approved",))

    def as_dict(self) -> dict:
        fuzzy = ("fuzzy", "machine", "memory")
        return {
            "article": self.article,
            "lang": self.lang,
            "catalog": self.catalog,
            "entries": {"total": self.total_entries, **self.entries},
            "words": {"total": self.total_words, **self.words},
            "translated": {
                "entries": self.entries["reviewed"] + self.entries["approved"],
                "words": self.words["reviewed"] + self.words["approved"],
            },
            "fuzzy": {"entries": sum(self.entries[s] for s in fuzzy), "words": sum(self.words[s] for s in fuzzy)},
            "untranslated": {"entries": self.entries["untranslated"], "words": self.words["untranslated"]},
            "percent_reviewed": self.percent_reviewed,
            "percent_approved": self.percent_approved,
            # Every state on its own: machine and memory drafts, and human
            # translations of a changed source ("fuzzy"), are different work.
            "states": {s: {"entries": self.entries[s], "words": self.words[s]} for s in STATES},
        }


# Table columns: (state, heading); cells are "entries/words".
COLUMNS = (
    ("approved", "approved"),
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
    lines = [head + f" {'total':>13} {'% reviewed':>10} {'% approved':>10}"]
    for s in rows:
        cells = "".join(f" {f'{s.entries[k]}/{s.words[k]}':>13}" for k, _ in COLUMNS)
        total = f"{s.total_entries}/{s.total_words}"
        percents = f"{s.percent_reviewed:9.1f}% {s.percent_approved:9.1f}%"
        lines.append(f"{s.article:{width}} {s.lang:5}{cells} {total:>13} {percents}")
    lines.append("cells: entries/words; fuzzy = a human translation to review again (its source changed, or marked)")
    lines.append("approved = reviewed and signed off by a second person (# approved:); % reviewed includes approved")
    lines.append("% reviewed and % approved count words")
    return lines


def count(
    po: polib.POFile,
    article: str,
    lang: str,
    catalog: str,
    untranslated: bool = False,
    patterns: Sequence[str] = DEFAULT_PATTERNS,
) -> Stats:
    """The live entries of `po` and their words by state (`model.tally`: all as
    untranslated if `untranslated`; prose words, with the protected `patterns`)."""
    return Stats(article, lang, catalog, *tally(po, untranslated, patterns))


def collect(config: Config, langs: Iterable[str] | None = None) -> tuple[list[Stats], list[PipelineError]]:
    """Stats for every catalog of `langs`: the page chrome's (`site`) and every
    article's; a missing catalog counts its template's messages as untranslated.
    Counts are remembered per catalog content (`.cache/pipeline/stats.json`), so
    an unchanged catalog is not read again."""
    hashes = project_hashes(config.root)
    refs, errors = catalog_refs(config, langs, hashes)
    memo = Memo(cache_dir(config.root) / "stats.json", stamp(code_digest(hashes), hashes(config.pyproject)))
    results = []
    for ref in refs:
        rel = config.rel(ref.path)
        try:
            if ref.path.exists():
                key, current = rel, digest("po", hashes(ref.path))
                known = memo.get(key, current)
                if isinstance(known, dict):
                    results.append(Stats(ref.name, ref.lang, rel, known["entries"], known["words"]))
                    continue
                po = read_po(ref.path, rel, ref.lang)
                results.append(count(po, ref.name, ref.lang, rel, patterns=config.protected_patterns))
            elif ref.template.exists():
                key, current = rel, digest("pot", hashes(ref.template))
                known = memo.get(key, current)
                if isinstance(known, dict):
                    results.append(Stats(ref.name, ref.lang, rel, known["entries"], known["words"]))
                    continue
                pot = read_po(ref.template, config.rel(ref.template))
                results.append(
                    count(pot, ref.name, ref.lang, rel, untranslated=True, patterns=config.protected_patterns)
                )
            else:
                continue
            memo.put(key, current, {"entries": results[-1].entries, "words": results[-1].words})
        except PipelineError as exc:
            errors.append(exc)
    save_quietly(memo, hashes)
    return results, errors
