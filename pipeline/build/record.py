"""What one article contributed to a build (`ArticlePages`): kept by the build step
until the site around the articles is made, and in the build manifest.

It is the one thing a build keeps per article to its end (with the manifest entry's
digest), so it holds only what the indexes, feeds and sitemap, the summary, the
collisions and the redirects read: no page, no catalog, no rendered body. Slots,
not a `__dict__`: a thousand of them live together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ArticlePages:
    """What one article contributed to the site (kept in the build manifest)."""

    name: str
    source_lang: str
    date_iso: str | None
    slugs: dict[str, str]  # published editions: language → slug
    # language → {"sort_key", "updated", "html" (index item), "atom" (feed entry)}
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    sitemap: str = ""  # the <url> blocks of the published editions
    files: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str, str]] = field(default_factory=list)  # (article, lang, reason)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # (catalog, line, "check: message")
    # Editions once published, now withheld: language → slug of the notice page at their address.
    withdrawn: dict[str, str] = field(default_factory=dict)
    # Blocks not shown in the edition's language: (lang, page, reason, catalog, line).
    shown: list[tuple[str, str, str, str, int | None]] = field(default_factory=list)
    # language → {"words", "reviewed", "approved"}: the catalog's word counts (reviewed includes approved).
    tally: dict[str, dict[str, int]] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)  # the files its pages link: output/ name → source
    inputs: list[str] = field(default_factory=list)  # every file its pages' media were looked for as
    problems: list[tuple[str, int | None, str]] = field(default_factory=list)  # (file, line, message)

    def drop_site_parts(self) -> None:
        """Let go of the index items, feed entries and sitemap blocks (the bulk of the
        record: 2.6 KB of a bench article's 4) once the site around the articles and
        the manifest are written: the summary, the collisions and the redirects do not
        read them, and the search index's run comes after."""
        self.listings, self.sitemap = {}, ""

    def to_json(self) -> dict[str, Any]:
        """The manifest's form, made when the manifest is written and serialized at
        once (not kept): its lists and dicts are the record's own, not copies. Every
        field is plain data (strings, numbers, lists, tuples, dicts of them), so JSON
        reads the same either way, and `dataclasses.asdict`'s deep copy of each was a
        tenth of a second of a cold build's serial end at 1,000 articles."""
        return {name: getattr(self, name) for name in _FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticlePages:
        """Back from the manifest's form."""
        data = dict(data)
        data["withheld"] = [tuple(w) for w in data.get("withheld", [])]
        data["refused"] = [tuple(r) for r in data.get("refused", [])]
        data["shown"] = [tuple(r) for r in data.get("shown", [])]
        data["problems"] = [tuple(r) for r in data.get("problems", [])]
        return cls(**data)


_FIELDS = tuple(f.name for f in dataclasses.fields(ArticlePages))  # in the order they are declared
