"""Markdown articles → gettext catalogs → localized HTML pages.

The package is one subpackage per stage the data passes through, from `base` to
`cli`; a package imports only itself and the packages before it. The README's
"Layout" section lists them in order, each package's docstring names its modules,
and `tests/test_layers.py` holds every module to the order.
"""

__version__ = "0.1.0"
