"""The closing summary of a build, per edition, and what the last build published.

`summary` condenses a `publish.Report` into one `EditionSummary` per built language:
pages published, withheld and withdrawn (notice pages), blocks shown in the source
language and why, translations refused, words reviewed and approved;
`EditionSummary.problems` is what makes `--strict` fail. `published_before` reads the build manifest for the editions
readers may have bookmarked (no silent withdrawals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.build.render import PREVIOUS


@dataclass
class EditionSummary:
    """The closing summary of one edition (language) of a build."""

    lang: str
    published: int = 0
    withheld: list[str] = field(default_factory=list)  # articles
    withdrawn: list[str] = field(default_factory=list)  # notice pages at the address of a published edition
    shown: dict[str, int] = field(default_factory=dict)  # reason → blocks (render.REASONS)
    refused: int = 0
    chrome: int = 0  # page chrome strings shown in the source language (site.po not translated)
    chrome_strings: list[str] = field(default_factory=list)  # which: the summary names them
    words: int = 0
    reviewed: int = 0
    approved: int = 0

    @property
    def unchosen(self) -> int:
        """Blocks shown in the source language that nobody chose to keep."""
        return sum(n for reason, n in self.shown.items() if reason != PREVIOUS) + self.chrome

    @property
    def problems(self) -> list[str]:
        """Why `--strict` fails for this edition (empty: it passes)."""
        found = []
        if self.unchosen - self.chrome:
            found.append(f"{self.unchosen - self.chrome} block(s) in the source language")
        if self.chrome:
            found.append(f"{self.chrome} page chrome string(s) in the source language")
        if self.refused:
            found.append(f"{self.refused} translation(s) refused by enforced checks")
        if self.withheld:
            found.append(f"{len(self.withheld)} edition(s) withheld")
        return found


def summary(report: Any) -> list[EditionSummary]:
    """Per built language of a `publish.Report`: what was published, withheld, refused
    and shown in the source language, with the words reviewed and approved."""
    result = {lang: EditionSummary(lang) for lang in report.build_langs}
    for pages in report.pages:
        for lang, edition in result.items():
            if lang in pages.slugs:
                edition.published += 1
            tally = pages.tally.get(lang)
            if tally:
                edition.words += tally["words"]
                edition.reviewed += tally["reviewed"]
                edition.approved += tally["approved"]
        for _article, lang, _reason in pages.withheld:
            if lang in result:
                result[lang].withheld.append(pages.name)
        for lang, slug in pages.withdrawn.items():
            if lang in result:
                result[lang].withdrawn.append(f"{lang}/{slug}.html")
        for lang, _page, reason, _catalog, _line in pages.shown:
            if lang in result:
                result[lang].shown[reason] = result[lang].shown.get(reason, 0) + 1
    for lang, missing in getattr(report, "chrome_missing", {}).items():
        if lang in result and result[lang].published:
            result[lang].chrome = len(missing)
            result[lang].chrome_strings = list(missing)
    for catalog, _line, _reason in report.refused:
        lang = _catalog_lang(catalog)
        if lang in result:
            result[lang].refused += 1
    return list(result.values())


def _catalog_lang(catalog: str) -> str | None:
    """`de` for `locales/de/LC_MESSAGES/x.po`."""
    parts = Path(catalog).parts
    return parts[-3] if len(parts) >= 3 and parts[-2] == "LC_MESSAGES" else None


def published_before(entries: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per article, the editions the last build published (language → slug), and the
    notice pages it kept at withdrawn addresses, from the build manifest's entries
    (`manifest.recorded`) whatever their stamp: a changed setting must not make the
    build forget what readers have."""
    result = {}
    for name, entry in entries.items():
        try:
            pages = entry["pages"]
            slugs = {k: v for k, v in pages.get("slugs", {}).items() if k != pages.get("source_lang")}
            result[name] = {**pages.get("withdrawn", {}), **slugs}
        except (KeyError, TypeError, AttributeError):
            continue  # an entry of another shape: nothing known about it
    return result
