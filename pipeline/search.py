"""Static search: a Pagefind index of the built site, one index per language.

Pagefind (PyPI `pagefind[bin]`: a Python API driving its own binary, no Node)
reads the staged `output/` at the end of a build that changed pages and writes
`output/pagefind/`; `assets/search.js` on each edition's search page asks it. The
language of a page is its `<html lang>`, so each edition has its own index (German
words stemmed as German) and a search on the English site never finds a German page.

Only article pages are indexed: they mark their `<article>` with
`data-pagefind-body`, and once any page does, Pagefind skips every page that
does not — home pages, search and 404 pages, the language chooser, the review
pages, notice pages. Byline, dates, notices and the printed address are left out (`EXCLUDE`).

The index goes through the staged `Output` like every other file: files whose
bytes did not change are not rewritten, stale ones are removed, and a failed
build leaves the published index as it was.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.staging import Output

INDEX_DIR = "pagefind"
ENTRY = f"{INDEX_DIR}/pagefind-entry.json"
# Only pages inside a language folder can be articles (review/ has no article).
GLOB = "*/*.html"
# What on an article page is not its text: byline, dates, notices, the printed address.
EXCLUDE = (".byline", ".facts", ".notice", ".print-only")
# Pagefind's ready-made search interfaces: the search page has its own (assets/search.js).
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def needs_index(output: Output, has_articles: bool) -> bool:
    """Whether this build must (re)index: a page changed, or the index is missing."""
    if not has_articles:
        return (output.live / INDEX_DIR).exists()
    changed = any(rel.endswith(".html") for rel in (*output.written, *output.removed))
    return changed or not (output.live / ENTRY).is_file()


def index_site(output: Output, has_articles: bool) -> int:
    """Index the staged site and stage the index: returns the number of pages indexed
    (0, and no index at all, for a site without articles)."""
    stage = output.ensure_stage()
    fresh: dict[str, bytes] = {}
    pages = 0
    if has_articles:
        scratch = stage.parent / f".{output.live.name}.search-{os.getpid()}"  # clean_leftovers knows the pattern
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            pages = asyncio.run(_index(stage, scratch))
            fresh = {
                f"{INDEX_DIR}/{p.relative_to(scratch).as_posix()}": p.read_bytes()
                for p in sorted(scratch.rglob("*"))
                if p.is_file() and not p.name.startswith(UNUSED)
            }
            fresh[ENTRY] = _stable_entry(fresh[ENTRY])
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    for rel, data in fresh.items():
        output.write(rel, data)
    old = output.live / INDEX_DIR
    for path in sorted(old.rglob("*")) if old.is_dir() else []:
        rel = path.relative_to(output.live).as_posix()
        if path.is_file() and rel not in fresh:
            output.remove(rel)
    return pages


async def _index(site: Path, out: Path) -> int:
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError:
        raise PipelineError("pagefind is not installed (pip install 'pagefind[bin]')", "output/" + INDEX_DIR) from None
    index = PagefindIndex(IndexConfig(output_path=str(out), exclude_selectors=list(EXCLUDE)))
    try:
        async with index:
            result = await index.add_directory(str(site), glob=GLOB)
    except PipelineError:
        raise
    except Exception as exc:  # the binary missing, crashed or refusing: one line, the build is discarded
        raise PipelineError(f"the search index could not be built: {exc}", "output/" + INDEX_DIR) from None
    return int(result.get("page_count", 0))


def _stable_entry(data: bytes) -> bytes:
    """Pagefind lists the languages of `pagefind-entry.json` in no fixed order: sort
    them, so the same site gives the same bytes."""
    entry = json.loads(data)
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
