"""What a language code says about how its text is written: its direction.

Kept here, below `catalog`, `review` and `build`, because all of them lay text out:
the site's pages, the review page (a right-to-left translation beside a
left-to-right source) and the exchange files.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError


@cache
def text_direction(code: str) -> str:
    """`rtl` for a language written right to left (Arabic, Hebrew, Persian, Urdu), else `ltr` (CLDR's data)."""
    try:
        order = Locale.parse(code.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"  # a code CLDR does not know: the common case, and what browsers assume
    return "rtl" if order == "right-to-left" else "ltr"
