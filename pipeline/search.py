"""Static search: a Pagefind index of the built site, one index per language.

Pagefind (PyPI `pagefind[bin]`: a Python API driving its own binary, no Node)
(its command line) reads the staged `output/` at the end of a build that changed pages and writes
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

import json
import os
import shutil
import subprocess
import sys
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
INDEX_TIMEOUT = 600  # seconds: minutes for thousands of pages, never for ever
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
            pages = _index(stage, scratch)
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


def _index(site: Path, out: Path) -> int:
    """Run Pagefind's command line over `site`, writing the index to `out`.

    Its command line, not its Python service: the service acknowledges
    `WriteFiles` while its last writes may still be in flight, and closing it then
    (it is terminated on close) leaves a truncated file — seen under load as an
    empty `pagefind-entry.json` (fixed upstream after 1.5.2, pagefind#1272). The
    command line waits for every write before it exits."""
    argv = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(out), "--glob", GLOB]
    for selector in EXCLUDE:
        argv += ["--exclude-selectors", selector]
    try:
        done = subprocess.run([*argv, "--silent"], capture_output=True, text=True, timeout=INDEX_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PipelineError(f"the search index could not be built: {exc}", "output/" + INDEX_DIR) from None
    if done.returncode != 0:
        if "No module named pagefind" in done.stderr:
            raise PipelineError("pagefind is not installed (pip install 'pagefind[bin]')", "output/" + INDEX_DIR)
        why = " ".join((done.stderr or done.stdout).split())[-300:] or f"exit code {done.returncode}"
        raise PipelineError(f"the search index could not be built: {why}", "output/" + INDEX_DIR)
    try:
        entry = json.loads((out / "pagefind-entry.json").read_bytes())
        return sum(int(lang.get("page_count", 0)) for lang in entry.get("languages", {}).values())
    except (OSError, ValueError, AttributeError, TypeError):
        raise PipelineError("the search index could not be built: no entry file", "output/" + INDEX_DIR) from None


def _stable_entry(data: bytes) -> bytes:
    """Pagefind lists the languages of `pagefind-entry.json` in no fixed order: sort
    them, so the same site gives the same bytes."""
    entry = json.loads(data)
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
