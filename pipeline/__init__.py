"""Markdown articles → gettext catalogs → localized HTML pages.

The package follows the data, floor by floor; a module imports only from its own
floor or below (`tests/test_layers.py` holds every module to it):

0. base — `errors`, `fsutil` (no link followed, atomic writes), `lock`, `jobs`,
   `danger` (what a browser could run), `approval` (sign-off comments), `po_tables`.
1. configuration — `settings` (one dataclass-driven reader for every
   `[tool.pipeline.*]` table), `config` (the project's `Config`, validated at
   load), `glossary`.
2. source — `article` (a source file), `markup` (what inside a message must survive
   translation), `messages` (the message model), `segment` (the Python-Markdown
   extension that finds and replaces messages), `snapshot`, `convert` (Markdown with
   the extension: one parse per article, every language), `sanitize` (the gate
   between a translation and a page), `assets` and `imagesize` (images and linked
   files: found in a page, published by content hash, their sizes).
3. catalog — `catalog` (template, msgmerge-style merge, states, counts), `po_syntax`,
   `po_write`, `po` (PO files on disk), `manifest` (what changed), `chrome` (the page
   chrome: templates, their strings and translations), `project` (a project loaded
   once: configuration, articles, catalog references).
4. catalogs — `update` (extract and merge), `stats`, `policy`.
5. `pretranslate/` — machine pretranslation and translation memory.
6. `review/` — QA checks, enforced checks, `check`, approve, the reviewer's page.
7. `exchange/` (XLIFF and TMX for agencies), `analysis`.
8. build — `render` (an article in one language), `notices`, `frame`, `editions`,
   `site` (addresses), `pages`, `staging`, `search`, `build`, `publish`.
9. on top — `live`, `live_index`, `watch`, `preview` (the live preview), `commands`, `cli`.
"""

__version__ = "0.1.0"
