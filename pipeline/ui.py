"""The page chrome: UI strings of the Jinja2 templates, as the `site` catalog.

Templates mark their strings with `{% trans %}` and `_()`; Babel's Jinja2 extractor,
driven by `templates/babel.cfg` (the mapping Flask and Django apps use), finds them.
They form one more catalog, `locales/templates/site.pot` →
`locales/<lang>/LC_MESSAGES/site.po`, which `update`, `pretranslate`, `check` and
`stats` treat like an article's. The templates are written in English (`UI_LANG`).
Pages use only reviewed UI translations; anything else shows the English string.
"""

from __future__ import annotations

import gettext as gettext_module
from importlib import resources
from pathlib import Path

import polib
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from markupsafe import escape

from pipeline.catalog import Message, state

SITE = "site"
UI_LANG = "en"


def templates_dir() -> Path:
    """The folder of the page templates (inside the package)."""
    return Path(str(resources.files("pipeline").joinpath("templates")))


# UI text that comes from code, not from a template: Python-Markdown's footnotes
# write an English title on the link back from a footnote; pages translate it.
FOOTNOTE_BACKLINK = "Jump back to footnote %(number)s in the text"
CODE_MESSAGES = (
    Message(
        FOOTNOTE_BACKLINK,
        comments=("title (tooltip) of the ↩ link at the end of a footnote",),
        occurrences=(("pipeline/build.py", ""),),
        flags=("python-format",),
    ),
)


def site_messages() -> list[Message]:
    """Every UI string of the templates, with its location and translator comments,
    then the few that code writes into pages."""
    folder = templates_dir()
    with (folder / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    messages = []
    for filename, lineno, message, comments, context in extract_from_dir(
        str(folder), method_map, options_map, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        msgid = message if isinstance(message, str) else message[0]
        where = ((f"pipeline/templates/{filename}", str(lineno)),)
        # Jinja2's newstyle gettext formats with %(name)s: msgfmt checks such entries.
        flags = ("python-format",) if "%(" in msgid else ()
        messages.append(Message(msgid, context, tuple(comments), where, flags))
    return messages + list(CODE_MESSAGES)


class UiTranslations:
    """gettext callables for Jinja2, from the reviewed entries of a `site` catalog."""

    def __init__(self, po: polib.POFile | None) -> None:
        self.entries = {}
        self.plural = lambda n: int(n != 1)
        if po is None:
            return
        self.entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete and state(e) == "reviewed"}
        forms = po.metadata.get("Plural-Forms", "")
        if "plural=" in forms:
            expression = forms.split("plural=", 1)[1].strip().rstrip(";")
            self.plural = gettext_module.c2py(expression)

    def gettext(self, message: str) -> str:
        return self.pgettext(None, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.npgettext(None, singular, plural, n)

    # A translation is text, never markup: it is escaped here, because Jinja2's
    # newstyle gettext marks what gettext returns as safe under autoescape.

    def pgettext(self, context: str | None, message: str) -> str:
        entry = self.entries.get((context, message))
        return escape(entry.msgstr) if entry is not None else message

    def npgettext(self, context: str | None, singular: str, plural: str, n: int) -> str:
        entry = self.entries.get((context, singular))
        if entry is not None and entry.msgstr_plural:
            found = entry.msgstr_plural.get(self.plural(n))
            if found:
                return escape(found)
        return singular if n == 1 else plural
