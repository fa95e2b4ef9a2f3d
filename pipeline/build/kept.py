"""What a build keeps of the published search index, so that it is not indexed again
(`search.index_site`): the bundles of the editions whose pages did not change
(`carried`), and of the others each bundle none of whose pages was written
(`kept_index`), by the record of which pages each bundle holds (`read_record`,
`remember`: `.cache/pipeline/search-bundles.json`). All read from `output/pagefind/`
and checked whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.files import atomic_write
from pipeline.build import bundles
from pipeline.build.bundles import MORE, Chunk
from pipeline.build.indexer import ENTRY_NAME, INDEX_DIR, WHERE, read_entry
from pipeline.config.load import html_lang

LISTING_NAME = "bundles.json"


@dataclass(frozen=True)
class Kept:
    """The part of the published index this build keeps: whole editions whose pages
    did not change (`carried`) and, of the others, bundles none of whose pages changed
    (`kept_index`). The stage already holds its files (a hard-linked copy of `output/`)."""

    langs: frozenset[str]  # the editions kept whole
    entry: dict  # the published entry file, its languages cut to the kept first bundles'
    files: frozenset[str]  # their files and those no language owns, by path in the site
    bundles: dict[str, list[str]]  # language key → the kept further bundles
    pages: int  # the pages in all kept bundles
    chunks: frozenset[tuple[str, int]] = frozenset()  # (edition, number) of the bundles kept one by one


@dataclass(frozen=True)
class Published:
    """The published index as read: its entry file, `bundles.json`, the files of each
    further bundle by its folder (`more/de/12/`; paths relative to `output/pagefind/`),
    the first bundle's files, and which language key owns each of them. In the first
    bundle Pagefind names every file of a language after it (`fragment/de_…`,
    `index/de_…`, `pagefind.de_….pf_meta`, `wasm.de.pagefind`)."""

    entry: dict
    listing: dict
    folders: dict[str, set[str]]
    first: list[str]
    owned: dict[str, str]

    def key(self, lang: str) -> str | None:
        """The language key of edition `lang` in the entry file."""
        return next((k for k in self.entry["languages"] if k.lower() == html_lang(lang).lower()), None)

    def first_whole(self, key: str | None) -> dict | None:
        """The entry record of language `key`'s first bundle, when its files are all there."""
        record = self.entry["languages"].get(key, {}) if key is not None else {}
        whole = {f"pagefind.{record.get('hash')}.pf_meta", f"wasm.{record.get('wasm')}.pagefind"}
        if not record or not whole <= {rel for rel, owner in self.owned.items() if owner == key}:
            return None
        return record

    def kept(self, langs: set[str], keys: dict, files: set[str], further: dict, pages: int, chunks: set) -> Kept:
        """A `Kept` of these editions, first-bundle records (with their files and those
        no language owns), further bundles and pages."""
        files = files | {rel for rel in self.first if self.owned.get(rel) in keys or rel not in self.owned}
        return Kept(
            frozenset(langs),
            {**self.entry, "languages": keys},
            frozenset(f"{INDEX_DIR}/{rel}" for rel in files),
            further,
            pages,
            frozenset(chunks),
        )


def published(index: Path, pages_per_bundle: int | None = None) -> Published | None:
    """The published index (`index`: `output/pagefind`), or None: none, unreadable, or
    cut into bundles of another size (then nothing is kept: the same site gives the
    same bytes)."""
    try:
        entry = read_entry((index / ENTRY_NAME).read_bytes())
        listing = _listing((index / LISTING_NAME).read_bytes())
        names = [p.relative_to(index).as_posix() for p in index.rglob("*") if p.is_file() and not p.is_symlink()]
    except (OSError, PipelineError):
        return None
    if listing["pages_per_bundle"] != (pages_per_bundle or bundles.PAGES_PER_BUNDLE):
        return None
    first = [rel for rel in names if not rel.startswith(f"{MORE}/") and rel not in (ENTRY_NAME, LISTING_NAME)]
    folders: dict[str, set[str]] = {}  # grouped once: a bundle's files are not looked for among all
    for rel in names:
        parts = rel.split("/", 3)
        if parts[0] == MORE and len(parts) == 4:
            folders.setdefault("/".join(parts[:3]) + "/", set()).add(rel)
    owned: dict[str, str] = {}  # file → language key
    for key, record in entry["languages"].items():
        prefix = str(record.get("hash", "")).rsplit("_", 1)[0]
        mine = (f"fragment/{prefix}_", f"index/{prefix}_", f"pagefind.{prefix}_", f"wasm.{record.get('wasm')}.")
        owned.update((rel, key) for rel in first if rel.startswith(mine))
    return Published(entry, listing, folders, first, owned)


def carried(index: Path, langs: Iterable[str], pages_per_bundle: int | None = None) -> Kept | None:
    """What of the published index (`index`: `output/pagefind`) the editions `langs`
    keep whole, or None. An edition whose part cannot be found whole is left out (it
    is indexed again)."""
    return kept_index(index, langs, (), {}, frozenset(), pages_per_bundle)


def kept_index(
    index: Path,
    langs: Iterable[str],
    chunks: Iterable[Chunk],
    record: dict[str, list[dict]],
    written: frozenset[str],
    pages_per_bundle: int | None = None,
) -> Kept | None:
    """What of the published index the editions `langs` keep whole (`carried`), and
    which of `chunks` (of the other editions) keep their bundle: one that `record`
    (`read_record`) says holds exactly the chunk's pages, none of them among
    `written` (pages written or removed by this build), and that is there whole
    with the content hash the record names. None: nothing is kept."""
    found = published(index, pages_per_bundle)
    if found is None:
        return None
    kept, keys, files, further, pages, singles = set(), {}, set(), {}, 0, set()
    for lang in langs:
        key = found.key(lang)
        record_of = found.first_whole(key)
        paths = found.listing["bundles"].get(key, [])
        more = _carried_bundles(index, lang, paths, found.folders) if record_of else None
        if record_of is not None and more is not None:
            kept.add(lang)
            keys[key], further[key] = record_of, paths
            files |= more[0]
            pages += int(record_of.get("page_count", 0)) + more[1]
    for chunk in chunks:
        known = record.get(chunk.lang, [])
        if len(known) < chunk.number or tuple(known[chunk.number - 1]["pages"]) != chunk.pages:
            continue
        if written.intersection(chunk.pages):
            continue
        key, want = found.key(chunk.lang), known[chunk.number - 1]["hash"]
        if chunk.number == 1:
            first = found.first_whole(key)
            if first is None or first.get("hash") != want:
                continue
            keys[key] = first
            pages += int(first.get("page_count", 0))
        else:
            path = f"{chunk.folder.removeprefix(INDEX_DIR + '/')}/"
            more = _carried_bundles(index, chunk.lang, [path], found.folders, want)
            if key is None or path not in found.listing["bundles"].get(key, []) or more is None:
                continue
            further.setdefault(key, []).append(path)
            files |= more[0]
            pages += more[1]
        singles.add((chunk.lang, chunk.number))
    if not kept and not singles:
        return None
    return found.kept(kept, keys, files, further, pages, singles)


RECORD_NAME = "search-bundles.json"  # in the build cache: which pages each published bundle holds


def read_record(path: Path, pages_per_bundle: int) -> dict[str, list[dict]]:
    """Edition → its bundles in order, each `{"pages": [...], "hash": ...}` (Pagefind's
    content hash of the bundle's language index), as the last build that indexed
    wrote it; empty when missing, unreadable, or of another bundle size."""
    try:
        data = json.loads(path.read_bytes())
        editions = data["editions"] if data["pages_per_bundle"] == pages_per_bundle else {}
        if all(
            isinstance(b, dict) and isinstance(b.get("pages"), list) and isinstance(b.get("hash"), str)
            for found in editions.values()
            for b in found
        ):
            return editions
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    return {}


def remember(
    path: Path,
    pages_per_bundle: int,
    chunks: list[Chunk],
    hashes: dict[tuple[str, int], str],
    kept: Kept | None,
    known: dict[str, list[dict]],
) -> None:
    """Write the record `read_record` reads, after an index: each edition of `chunks`
    whose bundles' hashes are all known (indexed now: `hashes`, by edition and number;
    or kept one by one: `known`, the record read before), and each edition kept whole
    as `known` has it."""
    editions = {lang: known[lang] for lang in (kept.langs if kept is not None else ()) if lang in known}
    for lang in sorted({c.lang for c in chunks}):
        mine = sorted((c for c in chunks if c.lang == lang), key=lambda c: c.number)
        found = []
        for chunk in mine:
            if (lang, chunk.number) in hashes:
                found.append({"pages": list(chunk.pages), "hash": hashes[lang, chunk.number]})
            elif kept is not None and (lang, chunk.number) in kept.chunks:
                found.append(known[lang][chunk.number - 1])
        if len(found) == len(mine):
            editions[lang] = found
    data = {"pages_per_bundle": pages_per_bundle, "editions": editions}
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    atomic_write(path, encoded, durable=False)


def _carried_bundles(
    index: Path, lang: str, paths: list[str], folders: dict[str, set[str]], want: str | None = None
) -> tuple[set[str], int] | None:
    """The files of the further bundles `paths` of edition `lang` (relative to
    `index`) and their pages, or None when one is not of this edition or not whole
    (or, with `want`, has another content hash)."""
    files: set[str] = set()
    pages = 0
    for path in paths:
        if not re.fullmatch(rf"{MORE}/{re.escape(lang)}/[1-9][0-9]*/", path):
            return None
        try:
            entry = read_entry((index / path / ENTRY_NAME).read_bytes())
        except (OSError, PipelineError):
            return None
        if want is not None and [r.get("hash") for r in entry["languages"].values()] != [want]:
            return None
        mine = folders.get(path, set())
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
