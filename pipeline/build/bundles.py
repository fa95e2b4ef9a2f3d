"""Which article pages go into which search bundle: the plan of a build's index.

A Pagefind run holds every page it indexes, so an edition is indexed in bundles of
at most `PAGES_PER_BUNDLE` pages (`search`). A build's articles, in the site's
order, are cut into as few runs of at most that many as will do, of sizes that
differ by one at most (an almost empty last bundle would skew its pages' ranking:
Pagefind weighs a word by how many pages of its bundle have it), and each run's
pages of one edition are a chunk: one Pagefind run, one bundle. In the site's order,
so that `early` indexes a chunk while later articles render.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.build.indexer import INDEX_DIR

MORE = "more"  # the further bundles: pagefind/more/<lang>/<n>/
# Measured on the bench corpus (pages of ~16 KB, Pagefind 1.5.2): a run's peak is
# about 10 MB + 0.33 MB a page (50 pages 27 MB, 100 42 MB, 200 74 MB, 500 172 MB).
# 100 keeps it under the pipeline's own peak (50-65 MB) at any size of site, and a
# search of 1,000 pages merges ten bundles per language (README, "Search").
PAGES_PER_BUNDLE = 100
# An element marked as the page's text; in a page's text `<` is always escaped.
MARK = re.compile(rb"<[A-Za-z][^<>]*\sdata-pagefind-body[\s>=/]")


def site_order(slugs: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Each article's pages, language → path in the site, in the site's order (of its
    editions' `slugs`): the order `plan` cuts a build's bundles in."""
    return [{lang: f"{lang}/{slug}.html" for lang, slug in pages.items()} for pages in slugs]


def indexed_editions(site: Path, order: Iterable[Mapping[str, str]]) -> set[str]:
    """The editions with an article page in `site` (of `site_order`'s pages): the
    folders the search indexes."""
    found: set[str] = set()
    for pages in order:
        found.update(lang for lang, rel in pages.items() if lang not in found and os.path.isfile(site / rel))
    return found


@dataclass(frozen=True)
class Chunk:
    """At most `PAGES_PER_BUNDLE` article pages of one edition: one run, one bundle."""

    lang: str
    number: int  # from 1: the first goes into output/pagefind/ with the other editions' first
    pages: tuple[str, ...]  # paths in the site, in the plan's order (see `plan`)

    @property
    def folder(self) -> str:
        """Where its bundle goes, relative to `output/`."""
        return INDEX_DIR if self.number == 1 else f"{INDEX_DIR}/{MORE}/{self.lang}/{self.number}"


def plan(
    site: Path,
    langs: Iterable[str],
    pages_per_bundle: int = PAGES_PER_BUNDLE,
    order: Sequence[Mapping[str, str]] | None = None,
) -> list[Chunk]:
    """The chunks of the editions `langs` of `site`. With `order` (each article's
    pages, language → path, in the site's order: a build's), the articles are cut
    into as few runs of at most `pages_per_bundle` as will do, of sizes that differ by
    one at most, and each run's pages of a language are a chunk (`early` indexes them
    while later articles render); without, each edition's article pages sorted by path
    are cut so. A chunk without a page is none."""
    chunks = []
    for lang in langs:
        if order is None:
            found = (f"{lang}/{path.name}" for path in sorted((site / lang).glob("*.html")))
            slots = [(rel,) for rel in found if article_page(site / rel)]
        else:
            slots = [(pages[lang],) if lang in pages and article_page(site / pages[lang]) else () for pages in order]
        bounds = cuts(len(slots), pages_per_bundle)
        number = 0
        for start, end in itertools.pairwise(bounds):
            pages = tuple(rel for slot in slots[start:end] for rel in slot)
            if pages:
                number += 1
                chunks.append(Chunk(lang, number, pages))
    return chunks


def cuts(count: int, size: int) -> list[int]:
    """Where `count` items are cut into as few runs of at most `size` as will do, of
    sizes that differ by one at most: the runs' bounds, from 0 to `count`."""
    runs = -(-count // max(1, size))
    return [count * i // runs for i in range(runs + 1)] if runs else [0]


def article_page(path: Path) -> bool:
    """Whether `path` is an article page (it marks its text for Pagefind), a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode) and marks_text(path.read_bytes())
    except OSError:
        return False


def marks_text(page: bytes) -> bool:
    """Whether `page` has an element marked as its text (`MARK` finds one).

    The search starts at the last `<` before the first `data-pagefind-body`, not at
    the top of the page (a page's head and menus: a tenth of the time): every match
    holds one, after the last `<` before it (`[^<>]*`), so none starts earlier."""
    at = page.find(b"data-pagefind-body")
    return at != -1 and MARK.search(page, max(0, page.rfind(b"<", 0, at))) is not None
