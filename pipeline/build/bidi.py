"""Left-to-right runs isolated inside a right-to-left page.

In Arabic text, `NCT01933321`, `5 mg`, `https://…` and code are left-to-right
islands; without isolation the Unicode bidirectional algorithm lets the
surrounding Arabic and neighbouring punctuation reorder them (`mg 5`, a trial ID
whose trailing parenthesis jumps to the wrong end). Each such run gets its own
direction: `<bdi dir="ltr">` around a protected pattern (the project's
`protected_patterns`: trial IDs), a URL or a number with a unit in the text, and
`dir="ltr"` on `code` and `pre`, whose content is always left to right, and on a
block marked as being in a left-to-right language (the source shown, `lang="en"`).

Done on the page, like `pages.accessible_tables`, not in the catalogs (translators
never see or type the marks) nor in the body renderer (the body keeps its identity
with plain Python-Markdown), and only on right-to-left pages (a left-to-right page
needs none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from pipeline.config.languages import text_direction

# Units of doses and measurements as medical text writes them after a number.
_UNITS = r"mg/dl|mg/dL|mmol/l|mmol/L|µg|μg|mcg|mg|kg|g|ml|mL|l|L|IU|I\.E\.|mmHg|cm|mm|°C|%|h|min"
_NUMBER_UNIT = rf"\d+(?:[.,]\d+)*(?:[ \u00a0\u202f]|&nbsp;)?(?:{_UNITS})(?![\w/])"
_URL = r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]"
# Elements whose text is left alone: already isolated, or not text.
_SKIP = {"code", "pre", "bdi", "script", "style", "kbd", "samp", "var"}
_TAG_RE = re.compile(r"(<[^>]*>)")
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")
_LTR_ELEMENT_RE = re.compile(r"<(code|pre)(?=[\s>])(?![^>]*\sdir=)")
# An element marked with a language (a block shown in the source language) and no direction.
_LANG_RE = re.compile(r"<([a-zA-Z][\w-]*)((?:\s[^>]*)?\slang=\"([A-Za-z_-]+)\")(?![^>]*\sdir=)")


@cache
def _runs(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One expression for every run to isolate (the project's patterns first)."""
    return re.compile("|".join([*(f"(?:{p})" for p in patterns), _URL, _NUMBER_UNIT]))


def isolate_ltr(body: str, patterns: Sequence[str]) -> str:
    """`body` (an RTL page's HTML fragment) with its left-to-right runs isolated."""
    runs = _runs(tuple(patterns))
    pieces = _TAG_RE.split(body)
    open_skips = 0
    for i, piece in enumerate(pieces):
        if i % 2:  # a tag
            found = _TAG_NAME_RE.match(piece)
            if found and found.group(2).lower() in _SKIP and not piece.endswith("/>"):
                open_skips += -1 if found.group(1) else 1
                open_skips = max(open_skips, 0)
            continue
        if open_skips or not piece.strip():
            continue
        pieces[i] = runs.sub(lambda m: f'<bdi dir="ltr">{m.group(0)}</bdi>' if m.group(0) else "", piece)
    body = _LTR_ELEMENT_RE.sub(r'<\1 dir="ltr"', "".join(pieces))
    # A block shown in a left-to-right source language reads left to right.
    return _LANG_RE.sub(lambda m: f'{m.group(0)} dir="{text_direction(m.group(3))}"', body)
