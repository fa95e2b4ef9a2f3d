"""An article in one language: its catalog applied to its body and front matter.

Which catalog entries a reader sees is decided here, in `Translations.lookup`:
a reviewed entry (non-empty, not fuzzy) shows its translation; an entry the
translator keeps in the source language (`# keep-source`) shows its text marked
with the source language; anything else — untranslated, fuzzy, missing from the
catalog — shows the source text, marked with the source language (WCAG 3.1.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polib

from pipeline.article import SLUG_RE, Article, slug_problem
from pipeline.catalog import SLUG_CONTEXT, keeps_source, state
from pipeline.config import Config, html_lang
from pipeline.convert import Converted, Converter
from pipeline.errors import PipelineError
from pipeline.po import read_po
from pipeline.sanitize import refusal
from pipeline.segment import Rendering, Segment


@dataclass(frozen=True)
class Refused:
    """A translation the sanitizer gate kept off a page."""

    catalog: str
    line: int
    msgid: str
    reason: str


class Translations:
    """The lookup the segment extension calls, backed by one catalog.

    With `show_drafts` (the `label` publishing policy), machine and memory drafts
    are shown too; `drafts_shown` counts them so the page can say so. Every
    translation passes the sanitizer gate (`pipeline.sanitize`) when a fragment
    renderer is given; refused ones show the source text and are listed in `refused`.
    """

    def __init__(
        self,
        po: polib.POFile | None,
        source_lang: str,
        show_drafts: bool = False,
        render: Callable[[str], str] | None = None,
        catalog: str = "",
        patterns: tuple[str, ...] = (),
    ) -> None:
        self.source_lang = html_lang(source_lang)
        self.entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete} if po is not None else {}
        self.show_drafts = show_drafts
        self.drafts_shown = 0
        self.render = render
        self.catalog = catalog
        self.patterns = patterns
        self.refused: list[Refused] = []

    def lookup(self, seg: Segment) -> Rendering | None:
        entry = self.entries.get((seg.msgctxt, seg.msgid))
        if entry is None:
            return None
        kind = state(entry)
        if keeps_source(entry):
            text = entry.msgstr if kind == "reviewed" else seg.msgid
            return Rendering(text, self.source_lang) if self._passes(entry, text) else None
        if kind == "reviewed" or (self.show_drafts and kind in ("machine", "memory")):
            if not self._passes(entry, entry.msgstr):
                return None
            if kind != "reviewed":
                self.drafts_shown += 1
            return Rendering(entry.msgstr)
        return None

    def _passes(self, entry: polib.POEntry, text: str) -> bool:
        reason = refusal(entry.msgid, text, self.render, self.patterns)
        if reason is not None:
            self.refused.append(Refused(self.catalog, entry.linenum, entry.msgid, reason))
        return reason is None

    def text(self, msgid: str, msgctxt: str | None = None) -> Rendering:
        """A front matter field: its translation, or the source marked with its language."""
        found = self.lookup(Segment(msgid, msgctxt))
        return found if found is not None else Rendering(msgid, self.source_lang)


@dataclass(frozen=True)
class Rendered:
    """One edition of an article, ready for the page template."""

    article: Article
    lang: str
    body: str
    title: Rendering
    description: Rendering | None
    slug: str
    drafts_shown: int = 0
    refused: tuple[Refused, ...] = ()


def catalog_for(config: Config, article: Article, lang: str) -> polib.POFile | None:
    """The article's catalog for `lang`, or None if it has none (yet)."""
    path = config.catalog_path(lang, article.name)
    return read_po(path, config.rel(path), lang) if path.exists() else None


def render(
    converter: Converter,
    config: Config,
    article: Article,
    lang: str,
    po: polib.POFile | None,
    show_drafts: bool = False,
    source: Converted | None = None,
) -> Rendered:
    """The article in `lang`: its own language as written, any other through `po`
    (with machine drafts shown if `show_drafts`). `source` is the body's conversion
    in its own language, if already done: its HTML is the source edition, and its
    snapshot renders the other languages without parsing the body again."""
    title = str(article.meta.get("title") or article.slug)
    description = article.meta.get("description")
    if lang == article.lang:
        html = source.html if source is not None else converter.convert(article.body).html
        return Rendered(
            article,
            lang,
            html,
            Rendering(title),
            Rendering(description) if description else None,
            article.slug,
        )
    path = config.catalog_path(lang, article.name)
    translations = Translations(
        po, article.lang, show_drafts, converter.fragment, config.rel(path), config.protected_patterns
    )
    if source is not None and source.snapshot is not None:
        html = converter.convert_again(source.snapshot, translations.lookup, html_lang(article.lang)).html
    else:
        html = converter.convert(article.body, translations.lookup, html_lang(article.lang)).html
    return Rendered(
        article,
        lang,
        html,
        translations.text(title),
        translations.text(description) if description else None,
        localized_slug(po, article.slug),
        translations.drafts_shown,
        tuple(translations.refused),
    )


def localized_slug(po: polib.POFile | None, slug: str, rel: str = "") -> str:
    """The translator's slug (entry with msgctxt `slug`) when reviewed, else the source's.

    A slug that is not one (`check` reports it) shows the source's; a reserved one
    (`index` would replace the edition's index) or one too long for a file name is
    an error naming the catalog's line."""
    if po is None:
        return slug
    for entry in po:
        if entry.msgctxt == SLUG_CONTEXT and entry.msgid == slug and state(entry) == "reviewed":
            candidate = entry.msgstr.strip()
            if SLUG_RE.match(candidate):
                problem = slug_problem(candidate)
                if problem:
                    raise PipelineError(f"translated {problem}", rel or None, entry.linenum)
                return candidate
    return slug
