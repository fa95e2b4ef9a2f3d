"""What a translated page says about blocks not shown in its language.

`render.Translations` records every such block with a reason (the source changed
since the translation was reviewed, untranslated, not approved, refused ...). A page
gets a notice at the top for each kind (`notices`, the templates' `_notice.html`)
and each block a small visible label in the page's language (`marks`), so a reader
sees what is not (yet) translated — not only a screen reader, through `lang`.
"""

from __future__ import annotations

from markupsafe import escape

from pipeline.build.render import CHANGED, PREVIOUS, REFUSED, UNAPPROVED, UNREVIEWED, UNTRANSLATED, Rendered
from pipeline.catalog.chrome import (
    CHROME_LANG,
    MARK_CHANGED,
    MARK_PREVIOUS,
    MARK_UNAPPROVED,
    MARK_UNTRANSLATED,
    ChromeTranslations,
)
from pipeline.config.load import html_lang


def notices(rendered: Rendered) -> list[str]:
    """Which notices the top of a page shows: `changed` (parts updated in the original,
    shown in it), `previous` (parts updated in the original, translation not yet
    updated), `untranslated` (parts shown in the original language)."""
    reasons = {b.reason for b in rendered.shown}
    found = []
    if CHANGED in reasons:
        found.append("changed")
    if PREVIOUS in reasons:
        found.append("previous")
    if reasons & {UNTRANSLATED, UNREVIEWED, UNAPPROVED, REFUSED}:
        found.append("untranslated")
    return found


def marks(ui: ChromeTranslations, lang: str) -> dict[str, str]:
    """The visible label of each kind of block not shown in the page's language: inline
    HTML put in front of the block's text, in the page's language (site catalog)."""
    labels = {
        CHANGED: MARK_CHANGED,
        PREVIOUS: MARK_PREVIOUS,
        UNTRANSLATED: MARK_UNTRANSLATED,
        UNREVIEWED: MARK_UNTRANSLATED,
        REFUSED: MARK_UNTRANSLATED,
        UNAPPROVED: MARK_UNAPPROVED,
    }
    kinds = {CHANGED: "changed", PREVIOUS: "previous", UNAPPROVED: "unapproved"}
    # A label the chrome has no translation for is shown in English: marked as such.
    shown = {label: html_lang(lang) if (None, label) in ui.entries else CHROME_LANG for label in labels.values()}
    return {
        reason: f'<span class="i18n-mark i18n-{kinds.get(reason, "untranslated")}" lang="{shown[label]}">'
        f"{escape(ui.gettext(label))}</span> "
        for reason, label in labels.items()
    }
