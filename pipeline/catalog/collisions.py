"""The collision rule: one address, one page.

Two editions collide when they would be the same file, `<lang>/<slug>.html`: two
articles with the same source slug in the same language, or a translated slug equal
to another article's address in that language. One of them keeps the address, by a
rule every command applies alike (`settle`):

1. the edition the last build published at that address keeps it (a live page is
   never pushed off its address by a newcomer);
2. otherwise the source edition beats a translation (an author's slug is the
   article's identity; a translator's is a localization of it);
3. otherwise the article whose name sorts first.

`check` reports the other as an error, `import` refuses the unit that would make
one, and the build withholds it (every other page is built): see README, "The page
address". An address that only a redirect answers (`pipeline.build.redirects`) is no
collision: a page may take it over.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polib

from pipeline.base.errors import PipelineError
from pipeline.catalog.model import REVIEWED_STATES, SLUG_CONTEXT, state

# The reason a build gives for withholding the edition that lost an address.
REASON = "address collision"


@dataclass(frozen=True)
class Claim:
    """An edition that would be published at `<lang>/<slug>.html`."""

    article: str  # the article's name (`source/<article>.md`)
    lang: str
    slug: str
    source: bool = False  # the article's own edition (its slug is the source's)
    held: bool = False  # the last build published this edition at this address
    file: str = ""  # where the slug is written (a source file or a catalog), for messages
    line: int | None = None

    @property
    def rank(self) -> tuple[bool, bool, str]:
        """Lowest keeps the address (see the module docstring)."""
        return (not self.held, not self.source, self.article)


def settle(claims: Iterable[Claim]) -> list[tuple[Claim, Claim]]:
    """Every claim that loses its address, with the one that keeps it: (loser, winner),
    in a stable order (language, slug, article)."""
    by_address: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        by_address.setdefault((claim.lang, claim.slug), []).append(claim)
    lost = []
    for address in sorted(by_address):
        ranked = sorted(by_address[address], key=lambda c: c.rank)
        winner = ranked[0]
        lost += [(loser, winner) for loser in ranked[1:] if loser.article != winner.article]
    return lost


def message(loser: Claim, winner: Claim) -> str:
    """`slug 'x' is also the address of source/a.md in de` (check's and import's words)."""
    return f"slug '{loser.slug}' is also the address of source/{winner.article}.md in {loser.lang}"


def translated_slug(entry: polib.POEntry | None, source_slug: str) -> str | None:
    """The reviewed translated slug of a catalog's slug entry; None when there is none,
    or it is the source's. Only a reviewed slug is ever published."""
    if entry is None or entry.msgid != source_slug or entry.obsolete:
        return None
    text = entry.msgstr.strip()
    return text if text and text != source_slug and state(entry) in REVIEWED_STATES else None


def slug_entry(text: str) -> tuple[polib.POEntry, int] | None:
    """A catalog's slug entry, parsed alone, and the line of its msgstr (the rest of a
    big catalog is not needed to know its address, and parsing it all cost more than
    `check` itself on a project whose catalogs did not change). None when there is none."""
    start = text.find(f'\nmsgctxt "{SLUG_CONTEXT}"\n')
    if start < 0:
        return None
    begin = text.rfind("\n\n", 0, start + 1)
    begin = 0 if begin < 0 else begin + 2
    end = text.find("\n\n", start + 1)
    try:
        po = polib.pofile(text[begin : len(text) if end < 0 else end] + "\n")
    except (OSError, ValueError):
        return None  # a broken catalog: reading it whole reports it with its line
    found = [e for e in po if e.msgctxt == SLUG_CONTEXT]
    msgstr = text.find("\nmsgstr", start)
    if not found or msgstr < 0:
        return None
    return found[0], text.count("\n", 0, msgstr) + 2


def collision_error(loser: Claim, winner: Claim) -> PipelineError:
    """The loser's line, as `check` prints it."""
    return PipelineError(message(loser, winner), loser.file or None, loser.line)


def blocked(articles: Iterable[Any], previous: dict[str, dict[str, str]]) -> tuple[dict[str, dict[str, str]], set[str]]:
    """The editions a build withholds because another keeps their address: article →
    language → reason (every language of an article whose source edition lost), and
    every article involved, the winners too (their pages are built again: the loser
    wrote to the same file). `articles` are `build.ArticlePages`; `previous`, what the
    last build published (article → language → slug)."""
    pages = list(articles)
    claims = [
        Claim(a.name, lang, slug, source=lang == a.source_lang, held=previous.get(a.name, {}).get(lang) == slug)
        for a in pages
        for lang, slug in a.slugs.items()
    ]
    langs = {a.name: list(a.slugs) for a in pages}
    result: dict[str, dict[str, str]] = {}
    involved: set[str] = set()
    for loser, winner in settle(claims):
        reason = f"{REASON}: {loser.lang}/{loser.slug}.html is the page of source/{winner.article}.md"
        for lang in langs[loser.article] if loser.source else [loser.lang]:
            result.setdefault(loser.article, {})[lang] = reason
        involved |= {loser.article, winner.article}
    return result, involved


def withhold(shown: Any, source_lang: str, blocked: dict[str, str]) -> Any:
    """`render.Editions` with the `blocked` translations withheld (a notice page keeps
    the address the last build published them at, as for any withheld edition); with
    no edition at all when the source edition is blocked (a translation, or its notice,
    links its original, which would be missing)."""
    if source_lang in blocked:
        return dataclasses.replace(shown, published={}, withheld={}, slugs={})
    lost = {k: (v, Lost(blocked[k])) for k, v in shown.published.items() if k in blocked}
    return dataclasses.replace(
        shown,
        published={k: v for k, v in shown.published.items() if k not in blocked},
        withheld={**shown.withheld, **lost},
        slugs={k: v for k, v in shown.slugs.items() if k not in blocked},
    )


@dataclass(frozen=True)
class Lost:
    """Why an edition is withheld, as `policy.Decision` says it: its address is another's."""

    reason: str
    published: bool = False
