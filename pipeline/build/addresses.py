"""The site around the articles: addresses, language names, indexes, sitemap, feeds.

`[tool.pipeline.site]`:

* `base_url` — the public address of `output/` (default `http://127.0.0.1:8000/`, what
  `make serve` uses); sitemaps, feeds and `hreflang` links need absolute URLs;
* `port` — the port of `make serve` / `python -m pipeline serve` (default 8000).

Both are read and validated at load (`pipeline.config.load.SiteSettings`, `Config.site`).

Only published editions appear anywhere: a withheld edition has no slug, so it has
no URL, no index entry, no sitemap line and no feed entry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date

from pipeline.config.load import Config, SiteSettings, html_lang
from pipeline.source.article import Article
from pipeline.source.segment import Rendering


@dataclass(frozen=True)
class Alternate:
    """One edition as seen from a page: for `<link rel=alternate>` and the switcher."""

    hreflang: str
    href: str
    url: str
    name: str
    current: bool = False


@dataclass(frozen=True)
class Listing:
    """An article in an edition's index and feed."""

    href: str
    url: str
    title: Rendering
    description: Rendering | None
    date: str | None
    date_iso: str | None
    updated: str
    author: str | None
    sort_key: tuple


@cache
def language_name(code: str) -> str:
    """A language's name in that language, capitalized: `Deutsch`, `English`."""
    name = display_name(code, code)
    return name[:1].upper() + name[1:]


def long_date(date: dt.date, lang: str, config: Config) -> str:
    """`Freitag, 28. August 2020` — the date as the edition's readers write it."""
    return _full_date(date, config.date_locales.get(lang, lang))


@lru_cache(maxsize=4096)  # a page shows up to four dates, and an edition's pages share days
def _full_date(date: dt.date, locale: str) -> str:
    return format_date(date, format="full", locale=locale)


@cache
def display_name(code: str, lang: str) -> str:
    """A language's name as the readers of `lang` write it (`Englisch` in German), or its code."""
    return Locale.parse(code).get_display_name(lang) or code


def alternates(
    slugs: dict[str, str], current: str, source_lang: str, settings: SiteSettings, prefix: str = "../"
) -> tuple[list[Alternate], list[Alternate]]:
    """(`hreflang` links incl. x-default, switcher entries) for one page's editions."""
    switcher = [
        Alternate(
            html_lang(lang),
            f"{prefix}{lang}/{slug}.html",
            settings.url(f"{lang}/{slug}.html"),
            language_name(lang),
            lang == current,
        )
        for lang, slug in slugs.items()
    ]
    if len(switcher) < 2:
        return [], switcher
    default = slugs[source_lang]
    x_default = Alternate("x-default", "", settings.url(f"{source_lang}/{default}.html"), "")
    return [*switcher, x_default], switcher


def listing(
    article: Article,
    lang: str,
    slug: str,
    title: Rendering,
    description: Rendering | None,
    settings: SiteSettings,
    config: Config,
) -> Listing:
    """The index and feed entry of one edition."""
    date = article.date
    author = article.meta.get("author")
    newest = article.last_modified or dt.date(2000, 1, 1)
    return Listing(
        href=f"{slug}.html",
        url=settings.url(f"{lang}/{slug}.html"),
        # The same text goes into the Atom feed: characters XML 1.0 cannot hold go.
        title=Rendering(xml_text(title.text), title.lang),
        description=Rendering(xml_text(description.text), description.lang) if description else None,
        date=long_date(date, lang, config) if date else None,
        date_iso=w3c_date(date) if date else None,
        updated=rfc3339(newest),  # the newest of date, updated, reviewed
        author=xml_text(str(author)) if author else None,
        # newest first; undated last; then by title for a stable order
        sort_key=(0 if date else 1, -(date.toordinal() if date else 0), title.text.casefold(), slug),
    )


# Everything but what XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_ILLEGAL_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML document cannot contain (a feed or
    sitemap with one is not well-formed, and readers reject it whole)."""
    return _XML_ILLEGAL_RE.sub("", text)


def rfc3339(value: dt.date) -> str:
    """A full RFC 3339 timestamp (Atom's `<updated>`): a date is its midnight UTC; a
    date with a time keeps it (UTC when it has no zone)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.isoformat(timespec="seconds").replace("+00:00", "Z")
    return f"{value.isoformat()}T00:00:00Z"


def w3c_date(value: dt.date) -> str:
    """The sitemap's `<lastmod>` and HTML's `<time datetime>`: the date alone, or
    the full timestamp of a date with a time (never a time without its zone)."""
    return rfc3339(value) if isinstance(value, dt.datetime) else value.isoformat()


def article_urls(slugs: dict[str, str], source_lang: str, lastmod: str | None, settings: SiteSettings) -> list[dict]:
    """The sitemap's `<url>` of every published edition of one article, each listing
    all the article's editions."""
    links, _switcher = alternates(slugs, source_lang, source_lang, settings)
    return [
        {"loc": settings.url(f"{lang}/{slug}.html"), "lastmod": lastmod, "alternates": links}
        for lang, slug in slugs.items()
    ]


def index_urls(languages: list[str], settings: SiteSettings) -> list[dict]:
    """The sitemap's `<url>` of every edition's index; their default is the chooser."""
    if not languages:
        return []
    links, _switcher = alternates({lang: "index" for lang in languages}, languages[0], languages[0], settings)
    links = [a for a in links if a.hreflang != "x-default"]
    if links:
        links.append(Alternate("x-default", "", settings.url("index.html"), ""))
    return [{"loc": settings.url(f"{lang}/index.html"), "lastmod": None, "alternates": links} for lang in languages]
