"""Addresses are permanent: an old address keeps answering, with a redirect page.

Every address a build published, `<lang>/<slug>.html`, is recorded in the history
file `locales/addresses.csv`, committed with the catalogs (output/ is not, so a
fresh clone must not forget what readers have bookmarked, searched, printed or
linked). One row per address, sorted by article, language and address:

```
article,lang,address,retired
als-stem-cell-therapy,de,als-stammzelltherapie,
als-stem-cell-therapy,de,stammzelltherapie-als,2026-12-07
```

`retired` is empty while the address is an edition's page; the build sets it to the
day (UTC) it found the address no longer built: the article's slug, a translated
slug or the file's name changed, or the article went (an edition that is merely
withheld keeps its address: it comes back there). Each retired address gets a
small page (`moved.html`: a meta refresh, `rel=canonical`, `noindex`, a visible link,
in the edition's language) pointing at the article's current page in that language;
since the target is looked up at every build, a chain A→B→C collapses (A points at
C). Where that edition is withheld, the target is its notice page if it has one,
else the article's source edition; an article deleted entirely points at the
edition's home page (at the chooser when the edition has none). A page that takes
over a retired address wins it: the row becomes that article's, and the build says
so. Deleting a row retires an address for good: the next build of that language
removes its page. Redirect pages are in no index, feed, sitemap or search index.

The file is written atomically, only when it changed, and never through a link.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from pipeline.base.errors import PipelineError
from pipeline.base.files import ABSENT, atomic_write, fingerprint, read_regular
from pipeline.config.languages import text_direction
from pipeline.config.load import Config, html_lang

HISTORY = "addresses.csv"  # in locales/, beside the catalogs and glossary.csv
FIELDS = ("article", "lang", "address", "retired")


@dataclass(frozen=True)
class Row:
    """One address of the history: whose it is, and since when it is only a redirect."""

    article: str
    lang: str
    address: str
    retired: str = ""  # YYYY-MM-DD; empty: the address is an edition's page

    @property
    def rel(self) -> str:
        return f"{self.lang}/{self.address}.html"


def history_path(config: Config) -> Path:
    """`locales/addresses.csv`."""
    return config.locales_dir / HISTORY


def read_history(config: Config) -> tuple[dict[tuple[str, str], Row], str | None]:
    """The rows by (language, address), and the file's text (None: no file yet). A row
    that is no row is an error naming its line (the build stops: it would otherwise
    forget addresses)."""
    path = history_path(config)
    rel = config.rel(path)
    try:
        text = read_regular(path, rel, "the address history").decode("utf-8")
    except FileNotFoundError:
        return {}, None
    except UnicodeDecodeError:
        raise PipelineError("is not UTF-8 text", rel) from None
    rows: dict[tuple[str, str], Row] = {}
    reader = csv.reader(io.StringIO(text))
    for number, fields in enumerate(reader, start=1):
        if (number == 1 and tuple(fields) == FIELDS) or not fields:
            continue
        if len(fields) != len(FIELDS) or not all(fields[:3]) or not _date_or_empty(fields[3]):
            raise PipelineError(f"expected {','.join(FIELDS)} (retired: YYYY-MM-DD or empty)", rel, number)
        row = Row(*fields)
        rows[row.lang, row.address] = row
    return rows, text


def history_text(rows: Iterable[Row]) -> str:
    """The file's text: a header, then the rows sorted (stable bytes, a readable diff)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in sorted(rows, key=lambda r: (r.article, r.lang, r.address)):
        writer.writerow((row.article, row.lang, row.address, row.retired))
    return out.getvalue()


def previous_addresses(entries: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per article, every address the last build published (the source edition's too,
    and the notice pages of withdrawn editions), from the build manifest's entries:
    a project built before the history file existed keeps its addresses."""
    result = {}
    for name, entry in entries.items():
        try:
            pages = entry["pages"]
            result[name] = {**dict(pages.get("withdrawn", {})), **dict(pages.get("slugs", {}))}
        except (KeyError, TypeError, AttributeError, ValueError):
            continue  # an entry of another shape: nothing known about it
    return result


def _date_or_empty(text: str) -> bool:
    if not text:
        return True
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


class Moves:
    """The history after this build, and the redirect pages it answers old addresses with.

    `articles` are the build's `ArticlePages` (their `name`, `source_lang`, `slugs`
    and `withdrawn`); `previous`, `previous_addresses` of the last build's manifest."""

    def __init__(
        self, config: Config, articles: list[Any], previous: dict[str, dict[str, str]], today: str | None = None
    ) -> None:
        self.config = config
        self.rows, self.text = read_history(config)
        today = today or dt.datetime.now(dt.UTC).date().isoformat()
        self.notes: list[str] = []
        self.by_name = {a.name: a for a in articles}
        self.active = {lang for a in articles for lang in a.slugs}  # languages with a home page
        current = {(lang, slug): a.name for a in articles for lang, slug in {**a.withdrawn, **a.slugs}.items()}
        for name, addresses in previous.items():  # known to the last build, not yet to the file
            for lang, slug in addresses.items():
                self.rows.setdefault((lang, slug), Row(name, lang, slug))
        for key, row in sorted(self.rows.items()):
            owner = current.get(key)
            if owner is not None and owner != row.article and row.retired:
                self.notes.append(
                    f"{row.rel}: the old address of source/{row.article}.md (retired {row.retired}) "
                    f"is now the page of source/{owner}.md; its redirect is dropped"
                )
            if owner is None and not row.retired and self._gone(row):
                self.rows[key] = Row(row.article, row.lang, row.address, today)
                self.notes.append(f"{row.rel}: address retired; it redirects to {self.target(self.rows[key])}")
            elif owner is not None:
                self.rows[key] = Row(owner, row.lang, row.address)
        for (lang, slug), name in current.items():
            self.rows.setdefault((lang, slug), Row(name, lang, slug))

    def _gone(self, row: Row) -> bool:
        """Whether an address that is no page now was given up: its article was deleted,
        or its edition is published at another address. An edition merely withheld keeps
        its address unretired (with its notice page, where the last build published it):
        it comes back there."""
        pages = self.by_name.get(row.article)
        return pages is None or row.lang in pages.slugs

    @property
    def retired(self) -> list[Row]:
        return [row for _key, row in sorted(self.rows.items()) if row.retired]

    @property
    def files(self) -> set[str]:
        """The redirect pages' paths in `output/`."""
        return {row.rel for row in self.retired}

    def target(self, row: Row) -> str:
        """Where an old address leads now: the path of a page in `output/`."""
        pages = self.by_name.get(row.article)
        for lang, slugs in (
            (row.lang, pages.slugs if pages else {}),
            (row.lang, pages.withdrawn if pages else {}),
            (pages.source_lang if pages else "", pages.slugs if pages else {}),
        ):
            if lang in slugs:
                return f"{lang}/{slugs[lang]}.html"
        return f"{row.lang}/index.html" if row.lang in self.active else "index.html"

    def pages(self, ctx: Any) -> dict[str, bytes]:
        """Every redirect page, rendered (`ctx`: the build's `BuildContext`)."""
        result = {}
        for row in self.retired:
            target = self.target(row)
            url = ctx.settings.url(target)
            href = f"../{target}"
            page = {
                "html_lang": html_lang(row.lang),
                "dir": text_direction(row.lang),
                "href": href,
                "url": url,
                "link": Markup('<a href="{}">{}</a>').format(href, escape(url)),
            }
            ctx.use_language(row.lang)
            html = ctx.env.get_template("moved.html").render(page=page, publisher=ctx.publisher)
            result[row.rel] = html.encode("utf-8")
        return result

    def new_text(self) -> str | None:
        """The history file's new text, or None when it stays as it is (no row, no file)."""
        text = history_text(self.rows.values())
        if text == self.text or (self.text is None and not self.rows):
            return None
        return text

    def in_place(self, ctx: Any) -> bool:
        """Whether the history and every redirect page are already as this build would
        write them (a build with nothing to do then leaves `output/` alone)."""
        live = self.config.output_dir
        return self.new_text() is None and all(
            (live / rel).is_file() and (live / rel).read_bytes() == data for rel, data in self.pages(ctx).items()
        )

    def save(self) -> None:
        """Write the history file if it changed (atomically, never through a link, and
        never over a person's edit made since it was read: `files.Changed`, the build
        stops before its swap and the next one starts from their file)."""
        text = self.new_text()
        if text is not None:
            seen = fingerprint(self.text.encode("utf-8")) if self.text is not None else ABSENT
            atomic_write(history_path(self.config), text, expect=seen)
            self.text = text
