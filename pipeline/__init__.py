"""Markdown articles → gettext catalogs → localized HTML pages.

The package follows the data: `article` (a source file) → `segment` (the
Python-Markdown extension that finds and replaces messages) → `catalog` (PO files)
→ `update` (extract and merge) → `build` (pages). `cli` is a thin layer on top.
"""

__version__ = "0.1.0"
