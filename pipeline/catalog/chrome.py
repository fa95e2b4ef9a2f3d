"""The page chrome: the Jinja2 page templates and their UI strings, as the `site` catalog.

Templates mark their strings with `{% trans %}` and `_()`; Babel's Jinja2 extractor,
driven by `templates/babel.cfg` (the mapping Flask and Django apps use), finds them.
They form one more catalog, `locales/templates/site.pot` →
`locales/<lang>/LC_MESSAGES/site.po`, which `update`, `pretranslate`, `check` and
`stats` treat like an article's. The templates are written in English (`CHROME_LANG`).
Pages use only reviewed UI translations; anything else shows the English string.
"""

from __future__ import annotations

import contextlib
import gettext as gettext_module
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
import jinja2.bccache
import polib
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from markupsafe import Markup, escape

from pipeline.base.files import link_in
from pipeline.catalog.model import REVIEWED_STATES, Message, keeps_source, share, state, tally
from pipeline.catalog.plurals import plural_expression
from pipeline.config.languages import text_direction
from pipeline.config.load import html_lang
from pipeline.markup.spans import DEFAULT_PATTERNS

CHROME = "site"  # the page chrome's catalog: locales/<lang>/LC_MESSAGES/site.po
CHROME_LANG = "en"


def templates_dir() -> Path:
    """The folder of the page templates (inside the package)."""
    return Path(str(resources.files("pipeline").joinpath("templates")))


def environment(cache: Path | None = None) -> jinja2.Environment:
    """The page templates, autoescaped (HTML and XML), with gettext calls available.

    With `cache`, compiled templates are kept there between runs (Jinja2 checks
    they are still current), which saves most of a small rebuild's start-up. It is
    a cache (`BestEffortCache`): what goes wrong with it costs speed only.
    """
    bytecode = None
    if cache is not None and link_in(cache) is None:  # no link followed in .cache/
        try:
            cache.mkdir(parents=True, exist_ok=True)
            bytecode = BestEffortCache(str(cache))
        except OSError:
            bytecode = None  # a read-only project still builds, only slower
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        bytecode_cache=bytecode,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_null_translations(newstyle=True)
    # A page in the chrome's own language marks nothing (`ChromeTranslations.mark`).
    env.globals.update(ui_lang=lambda *_: Markup(""), ui_inner=lambda *_: Markup(""))
    return env


class BestEffortCache(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates on disk, as a cache should be: a full disk, a
    read-only folder or a damaged file costs the compile it would have saved, never
    the page (Jinja's own cache raises the disk's error from inside a template load,
    which is where a build worker met it)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):  # unreadable or truncated: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


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


def chrome_messages() -> list[Message]:
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


# Marker labels: a small label on each block of a translated page that is not shown
# in the page's language (see `render.Translations`); written by code, so listed here.
MARK_CHANGED = "Updated in the original"
MARK_PREVIOUS = "Not yet updated"
MARK_UNTRANSLATED = "Not yet translated"
MARK_UNAPPROVED = "Translation in review"
MARK_MESSAGES = tuple(
    Message(
        msgid,
        comments=(f"a small label on a paragraph of a translated page: {why}",),
        occurrences=(("pipeline/build.py", ""),),
    )
    for msgid, why in (
        (MARK_CHANGED, "its original changed and is shown in the original language"),
        (MARK_PREVIOUS, "its original changed; the translation shown is the previous one"),
        (MARK_UNTRANSLATED, "it is not translated yet and is shown in the original language"),
        (MARK_UNAPPROVED, "its translation awaits approval and it is shown in the original language"),
    )
)
CODE_MESSAGES = CODE_MESSAGES + MARK_MESSAGES

# A printf conversion as Python's `%` operator reads it (Jinja2's newstyle gettext
# always formats: `rv % variables`, even without variables).
_CONVERSION_RE = re.compile(r"%(?:\((\w*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(.?)", re.S)
_DUMMIES = {"s": "x", "r": "x", "a": "x", "c": "x", "%": None}


def format_problem(msgid: str, msgstr: str) -> str | None:
    """Why `msgstr % variables` would fail or differ from `msgid`'s variables, or None.

    The page chrome's strings are Python format strings (Jinja2's newstyle gettext
    applies `%` to every one): a translation with `%(SITE)s`, `%(site)d` or a lone
    `%` would raise at render time. It must use exactly the source's variables, with
    the same conversions.
    """
    wanted = sorted((m.group(1), m.group(2)) for m in _CONVERSION_RE.finditer(msgid) if m.group(2) != "%")
    found = []
    for m in _CONVERSION_RE.finditer(msgstr):
        name, kind = m.group(1), m.group(2)
        if kind == "%" and name is None and m.group(0) == "%%":
            continue
        if name is None or kind not in "sdirafeEgGxXoc" or not kind:
            return f"'{m.group(0)}' is not a variable of the source (write a literal percent sign as %%)"
        found.append((name, kind))
    if sorted(found) != wanted and set(found) != set(wanted):
        names = ", ".join(f"%({n}){k}" for n, k in wanted) or "none"
        return f"variables changed (the source has: {names})"
    values = {name: (_DUMMIES.get(kind, 1) if kind else "x") for name, kind in wanted}
    try:
        msgstr % values
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        return f"cannot be formatted: {exc}"
    return None


@dataclass(frozen=True)
class ChromeProblem:
    """A translation of the page chrome kept off the pages, or a broken header."""

    catalog: str
    line: int
    reason: str  # "check: message"


class ChromeTranslations:
    """gettext callables for Jinja2, from the reviewed entries of a `site` catalog.

    No translation, however broken, can crash a build: an entry whose variables do
    not match its source, or that fails an enforced check (`judge`), is left out
    (the English string is shown) and listed in `problems`; a Plural-Forms header
    that is not a valid expression falls back to the language's rule (`plurals`).
    """

    def __init__(
        self,
        po: polib.POFile | None,
        catalog: str = "",
        judge: Callable[[polib.POEntry, str, str], str | None] | None = None,
        require: str = "reviewed",
        lang: str | None = None,
        patterns: Sequence[str] = DEFAULT_PATTERNS,
    ) -> None:
        self.entries = {}
        self.problems: list[ChromeProblem] = []
        # Strings shown in English (not translated, not reviewed or approved): named by
        # the build's summary, marked `lang="en"` on the page (`mark`).
        self.english: list[str] = []
        self.percent = 100.0  # the share of the chrome's words reviewed (or approved): the policy's
        self.plural = lambda n: int(n != 1)
        # Without a catalog this is the chrome's own language (nothing to mark), unless
        # `untranslated` made it: a language whose site.po does not exist yet.
        self.marking = po is not None
        self.lang = html_lang(lang) if lang else CHROME_LANG
        # A marked string on a page written the other way also needs its direction.
        self.turned = text_direction(self.lang) != text_direction(CHROME_LANG)
        if po is None:
            return
        wanted = ("approved",) if require == "approved" else REVIEWED_STATES
        for e in po:
            if e.obsolete or not e.msgid:
                continue
            if state(e) not in wanted:
                if not keeps_source(e):
                    self.english.append(e.msgid)
                continue
            reason = self._judge(e, judge)
            if reason is None:
                self.entries[(e.msgctxt, e.msgid)] = e
            else:
                self.problems.append(ChromeProblem(catalog, e.linenum, reason))
        self.percent = share(tally(po, patterns=patterns)[1], wanted)
        self.plural = self._plural(po, catalog, lang)

    @classmethod
    def untranslated(cls, lang: str) -> ChromeTranslations:
        """A language without a `site.po` yet: every string in English, marked, 0% reviewed."""
        ui = cls(None, lang=lang)
        ui.marking, ui.percent = True, 0.0
        ui.english = [m.msgid for m in chrome_messages()]
        return ui

    @property
    def missing(self) -> int:
        """How many UI strings are shown in English."""
        return len(self.english)

    def mark(self, message: str, context: str | None = None) -> Markup:
        """` lang="en"` for the element that holds `message` when the page shows it in
        English (not yet reviewed in this language), else nothing: a screen reader then
        reads it with English rules, and a reader sees why it is not in their language."""
        if not self.marking or (context, message) in self.entries:
            return Markup("")
        # English on a right-to-left page is still written left to right.
        turn = f' dir="{text_direction(CHROME_LANG)}"' if self.turned else ""
        return Markup(f' lang="{CHROME_LANG}"{turn}')

    def unmark(self, message: str, context: str | None = None) -> Markup:
        """` lang="<page>"` for a value inside an English `message` (a date, a language
        name written in the page's language), else nothing."""
        if not self.mark(message, context):
            return Markup("")
        turn = f' dir="{text_direction(self.lang)}"' if self.turned else ""
        return Markup(f' lang="{self.lang}"{turn}')

    @staticmethod
    def _judge(e: polib.POEntry, judge: Callable[[polib.POEntry, str, str], str | None] | None) -> str | None:
        pairs = (
            [(e.msgid, e.msgstr)]
            if not e.msgid_plural
            else [(e.msgid if int(i) == 0 else e.msgid_plural, text) for i, text in e.msgstr_plural.items() if text]
        )
        for msgid, msgstr in pairs:
            problem = format_problem(msgid, msgstr)
            if problem is not None:
                return f"placeholders: {problem}"
            if judge is not None:
                problem = judge(e, msgid, msgstr)
                if problem is not None:
                    return problem
        return None

    def _plural(self, po: polib.POFile, catalog: str, lang: str | None) -> Callable[[int], int]:
        forms = po.metadata.get("Plural-Forms", "")
        fallback = plural_expression(lang) if lang else "(n != 1)"
        expression = forms.split("plural=", 1)[1].strip().rstrip(";") if "plural=" in forms else fallback
        try:
            rule = gettext_module.c2py(expression)
            rule(1), rule(2), rule(5)
        except (ValueError, SyntaxError, ZeroDivisionError, OverflowError, RecursionError, TypeError):
            self.problems.append(
                ChromeProblem(
                    catalog, 1, f"plural-forms: the header's Plural-Forms {forms!r} is not valid; using {fallback}"
                )
            )
            rule = gettext_module.c2py(fallback)
        return rule

    def _form(self, n: int) -> int:
        try:
            return int(self.plural(n))
        except (ValueError, ZeroDivisionError, OverflowError, RecursionError, TypeError):
            return int(n != 1)

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
            found = entry.msgstr_plural.get(self._form(n))
            if found:
                return escape(found)
        return singular if n == 1 else plural
