"""What a build keeps of the published search index: the bundles of the editions
whose pages did not change (`carried`), read from `output/pagefind/` and checked
whole, so that they are not indexed again (`search.index_site`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.build import bundles
from pipeline.build.bundles import MORE
from pipeline.build.indexer import ENTRY_NAME, INDEX_DIR, WHERE, read_entry
from pipeline.config.load import html_lang

LISTING_NAME = "bundles.json"


@dataclass(frozen=True)
class Kept:
    """The part of the published index that editions whose pages did not change keep:
    the stage already holds its files (a hard-linked copy of `output/`)."""

    langs: frozenset[str]
    entry: dict  # the published entry file, its languages cut to the kept editions'
    files: frozenset[str]  # their files and those no language owns, by path in the site
    bundles: dict[str, list[str]]  # language key → the kept editions' further bundles
    pages: int  # the pages in all their bundles


def carried(index: Path, langs: Iterable[str], pages_per_bundle: int | None = None) -> Kept | None:
    """What of the published index (`index`: `output/pagefind`) the editions `langs`
    keep, or None. In the first bundle Pagefind names every file of a language after
    it (`fragment/de_…`, `index/de_…`, `pagefind.de_….pf_meta`, `wasm.de.pagefind`);
    the further ones are the folders `bundles.json` lists. An edition whose part
    cannot be found whole is left out (it is indexed again), and so is every edition
    of an index cut into bundles of another size (the same site gives the same bytes)."""
    try:
        entry = read_entry((index / ENTRY_NAME).read_bytes())
        listing = _listing((index / LISTING_NAME).read_bytes())
        names = [p.relative_to(index).as_posix() for p in index.rglob("*") if p.is_file() and not p.is_symlink()]
    except (OSError, PipelineError):
        return None
    if listing["pages_per_bundle"] != (pages_per_bundle or bundles.PAGES_PER_BUNDLE):
        return None
    first = [rel for rel in names if not rel.startswith(f"{MORE}/") and rel not in (ENTRY_NAME, LISTING_NAME)]
    owned: dict[str, str] = {}  # file → language key
    records = entry["languages"]
    for key, record in records.items():
        prefix = str(record.get("hash", "")).rsplit("_", 1)[0]
        mine = (f"fragment/{prefix}_", f"index/{prefix}_", f"pagefind.{prefix}_", f"wasm.{record.get('wasm')}.")
        owned.update((rel, key) for rel in first if rel.startswith(mine))
    kept, keys, files, further, pages = set(), {}, set(), {}, 0
    for lang in langs:
        key = next((k for k in records if k.lower() == html_lang(lang).lower()), None)
        record = records.get(key, {}) if key is not None else {}
        whole = {f"pagefind.{record.get('hash')}.pf_meta", f"wasm.{record.get('wasm')}.pagefind"}
        if not record or not whole <= {rel for rel, owner in owned.items() if owner == key}:
            continue
        more = _carried_bundles(index, lang, listing["bundles"].get(key, []), names)
        if more is not None:
            kept.add(lang)
            keys[key], further[key] = record, listing["bundles"].get(key, [])
            files |= more[0]
            pages += int(record.get("page_count", 0)) + more[1]
    if not kept:
        return None
    files |= {rel for rel in first if owned.get(rel) in keys or rel not in owned}
    return Kept(
        frozenset(kept),
        {**entry, "languages": keys},
        frozenset(f"{INDEX_DIR}/{rel}" for rel in files),
        further,
        pages,
    )


def _carried_bundles(index: Path, lang: str, paths: list[str], names: list[str]) -> tuple[set[str], int] | None:
    """The files of the further bundles `paths` of edition `lang` (relative to
    `index`) and their pages, or None when one is not of this edition or not whole."""
    files: set[str] = set()
    pages = 0
    for path in paths:
        if not re.fullmatch(rf"{MORE}/{re.escape(lang)}/[1-9][0-9]*/", path):
            return None
        try:
            entry = read_entry((index / path / ENTRY_NAME).read_bytes())
        except (OSError, PipelineError):
            return None
        mine = {rel for rel in names if rel.startswith(path)}
        if not {f"{path}pagefind.{record.get('hash')}.pf_meta" for record in entry["languages"].values()} <= mine:
            return None
        files |= mine
        pages += sum(int(record.get("page_count", 0)) for record in entry["languages"].values())
    return files, pages


def _listing(data: bytes) -> dict:
    """The published `bundles.json`, read: the bundle size and, by language key, the
    further bundles (folders relative to `output/pagefind/`)."""
    try:
        listing = json.loads(data)
        listed = listing["bundles"]
        if isinstance(listing["pages_per_bundle"], int) and all(
            isinstance(paths, list) and all(isinstance(path, str) for path in paths) for paths in listed.values()
        ):
            return listing
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    raise PipelineError("the search index could not be built: an unreadable bundles.json", WHERE)
