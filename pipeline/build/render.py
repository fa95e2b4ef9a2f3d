"""An article in one language: its catalog applied to its body and front matter.

Which catalog entries a reader sees is decided here, in `Translations.lookup`:
a reviewed entry (non-empty, not fuzzy) shows its translation; an entry the
translator keeps in the source language (`# keep-source`) shows its text marked
with the source language; anything else — untranslated, fuzzy, missing from the
catalog — shows the source text, marked with the source language (WCAG 3.1.2).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline.base.errors import PipelineError
from pipeline.build.policy import Decision, Policy, decide
from pipeline.catalog.approval import approval_of, previous_approval
from pipeline.catalog.model import REVIEWED_STATES, SLUG_CONTEXT, keeps_source, state
from pipeline.catalog.pofile import read_po
from pipeline.config.load import Config, html_lang
from pipeline.markup.gate import TEXT_GATE, Gate
from pipeline.review.enforce import Enforcer
from pipeline.source.article import SLUG_RE, Article, slug_problem
from pipeline.source.convert import Converted, Converter
from pipeline.source.segment import Rendering, Segment


@dataclass(frozen=True)
class Refused:
    """A translation the sanitizer gate or an enforced check kept off a page."""

    catalog: str
    line: int
    msgid: str
    reason: str  # "check: message"
    msgctxt: str | None = None


# Why a block of a translated page is not (or not currently) in the page's language.
CHANGED = "source changed"  # its source changed since it was reviewed: the new source is shown
PREVIOUS = "source changed, previous translation shown"  # changed = "previous"
UNTRANSLATED = "untranslated"
UNREVIEWED = "not reviewed"  # a draft, or marked for review
UNAPPROVED = "not approved"  # reviewed, under require = "approved"
REFUSED = "refused"  # an enforced check or the sanitizer gate refused it
REASONS = (CHANGED, PREVIOUS, UNTRANSLATED, UNREVIEWED, UNAPPROVED, REFUSED)


@dataclass(frozen=True)
class Shown:
    """A block shown in the source language (or, for PREVIOUS, in an older translation)."""

    reason: str
    catalog: str
    line: int | None
    key: tuple[str | None, str] | None = None  # (msgctxt, msgid), to find a line when not known


# Segments that get no visible marker (segment.py's comments for them): texts that end
# up in an attribute, and table header cells (a column's name, also each cell's
# `data-label` on a narrow screen); they keep their `lang`.
_UNMARKED_COMMENTS = ("link title", "abbreviation: ", "table header")


class Translations:
    """The lookup the segment extension calls, backed by one catalog.

    With `show_drafts` (the `label` publishing policy), machine and memory drafts
    are shown too; `drafts_shown` counts them so the page can say so. Every
    translation passes the sanitizer gate (`pipeline.markup.gate`) — rendered when a
    `gate` (the renderer's, `Converter.gate`) is given, as text otherwise — and the
    enforced checks when an `enforcer` is given; refused
    ones show the source text and are listed in `refused`. `require` and `changed`
    are the publishing policy's (see `pipeline.build.policy`). Every block that is not
    shown in the page's language is listed in `shown`; with `marks` (reason → inline
    HTML, a small label in the page's language) it also carries a visible marker.
    """

    def __init__(
        self,
        po: polib.POFile | None,
        source_lang: str,
        show_drafts: bool = False,
        gate: Gate | None = None,
        catalog: str = "",
        patterns: tuple[str, ...] = (),
        *,
        lang: str = "",
        enforcer: Enforcer | None = None,
        require: str = "reviewed",
        changed: str = "source",
        marks: dict[str, str] | None = None,
    ) -> None:
        self.raw_source_lang = source_lang
        self.source_lang = html_lang(source_lang)
        self.entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete} if po is not None else {}
        self.show_drafts = show_drafts
        self.drafts_shown = 0
        self.gate = gate or TEXT_GATE
        self.catalog = catalog
        self.patterns = patterns
        self.lang = lang
        self.enforcer = enforcer
        self.require = require
        self.changed = changed
        self.marks = marks
        self.refused: list[Refused] = []
        self.shown: list[Shown] = []

    def lookup(self, seg: Segment, marked: bool = True) -> Rendering | None:
        entry = self.entries.get((seg.msgctxt, seg.msgid))
        if entry is None:
            return self._source(seg, None, UNTRANSLATED, marked)
        kind = state(entry)
        wanted = ("approved",) if self.require == "approved" else REVIEWED_STATES
        if keeps_source(entry):
            text = entry.msgstr if kind in REVIEWED_STATES else seg.msgid
            return Rendering(text, self.source_lang) if self._passes(entry, text) else None
        if kind in wanted or (self.show_drafts and kind in ("machine", "memory")):
            if not self._passes(entry, entry.msgstr):
                return self._source(seg, entry, REFUSED, marked)
            if kind not in REVIEWED_STATES:
                self.drafts_shown += 1
            return Rendering(entry.msgstr)
        if kind == "fuzzy" and entry.previous_msgid is not None:
            return self._changed(seg, entry, marked)
        reason = UNAPPROVED if kind == "reviewed" else UNTRANSLATED if kind == "untranslated" else UNREVIEWED
        return self._source(seg, entry, reason, marked)

    def _changed(self, seg: Segment, entry: polib.POEntry, marked: bool) -> Rendering | None:
        """A reviewed translation whose source changed since: the new source, or
        (`changed = "previous"`) the translation as it was reviewed, checked against
        the source it translates (and, under `require = "approved"`, still signed)."""
        previous = entry.previous_msgid or ""
        if (
            self.changed == "previous"
            and (self.require != "approved" or previous_approval(entry) is not None)
            and self._passes(entry, entry.msgstr, previous)
        ):
            self.shown.append(Shown(PREVIOUS, self.catalog, entry.linenum, (entry.msgctxt, entry.msgid)))
            mark = self._mark(seg, PREVIOUS, marked)
            return Rendering(mark + entry.msgstr)
        return self._source(seg, entry, CHANGED, marked)

    def _source(self, seg: Segment, entry: polib.POEntry | None, reason: str, marked: bool) -> Rendering | None:
        """The source text, marked with its language (and a visible label)."""
        line, key = (entry.linenum, (entry.msgctxt, entry.msgid)) if entry is not None else (None, None)
        self.shown.append(Shown(reason, self.catalog, line, key))
        mark = self._mark(seg, reason, marked)
        return Rendering(mark + seg.msgid, self.source_lang) if mark else None

    def _mark(self, seg: Segment, reason: str, marked: bool) -> str:
        if not marked or self.marks is None or (seg.comment or "").startswith(_UNMARKED_COMMENTS):
            return ""
        return self.marks.get(reason, "")

    def _passes(self, entry: polib.POEntry, text: str, msgid: str | None = None) -> bool:
        msgid = entry.msgid if msgid is None else msgid
        reason = self.gate.refusal(msgid, text, self.patterns)
        if reason is not None:
            reason = f"html: {reason}"
        elif self.enforcer is not None:
            found = self.enforcer.refusal(entry, msgid, text, self.lang, self.raw_source_lang, gated=True)
            reason = f"{found.check}: {found.message}" if found is not None else None
        if reason is not None:
            self.refused.append(Refused(self.catalog, entry.linenum, entry.msgid, reason, entry.msgctxt))
        return reason is None

    def locate(self, path: Path) -> None:
        """Fill in the catalog lines of records whose entry came from a catalog not read
        from disk (`update` just merged it): read the file, as written, once."""
        if all(r.line for r in self.refused) and all(s.line or s.key is None for s in self.shown):
            return
        try:
            lines = {(e.msgctxt, e.msgid): e.linenum for e in read_po(path, self.catalog)}
        except PipelineError:
            return
        self.refused = [
            r if r.line else dataclasses.replace(r, line=lines.get((r.msgctxt, r.msgid), 0)) for r in self.refused
        ]
        self.shown = [
            s if s.line or s.key is None else dataclasses.replace(s, line=lines.get(s.key)) for s in self.shown
        ]

    def text(self, msgid: str, msgctxt: str | None = None) -> Rendering:
        """A front matter field: its translation, or the source marked with its language."""
        found = self.lookup(Segment(msgid, msgctxt), marked=False)
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
    shown: tuple[Shown, ...] = ()
    approved: dt.date | None = None  # the newest sign-off, when every block shown is approved


def approval_date(po: polib.POFile | None, shown: tuple[Shown, ...]) -> dt.date | None:
    """When the translation of a page was approved: the newest sign-off of its catalog,
    if every translated entry is approved and no block is shown untranslated; else None
    (no page claims an approval it does not wholly have)."""
    if po is None or shown:
        return None
    dates = []
    for entry in po:
        if entry.obsolete or not entry.msgid or entry.msgctxt == SLUG_CONTEXT:
            continue
        approval = approval_of(entry)
        if approval is None:
            return None
        dates.append(approval.date)
    return max(dates, default=None)


def catalog_for(config: Config, article: Article, lang: str) -> polib.POFile | None:
    """The article's catalog for `lang`, or None if it has none (yet)."""
    path = config.catalog_path(lang, article.name)
    return read_po(path, config.rel(path), lang) if path.exists() else None


def render(
    converter: Converter,
    article: Article,
    lang: str,
    po: polib.POFile | None,
    source: Converted | None = None,
    *,
    policy: Policy | None = None,
    enforcer: Enforcer | None = None,
    marks: dict[str, str] | None = None,
    translations_class: type[Translations] | None = None,
) -> Rendered:
    """The article in `lang`: its own language as written, any other through `po`.

    The project is the converter's (`converter.config`). `source` is the body's
    conversion in its own language, if already done: its HTML is the source edition,
    and its snapshot renders the other languages without parsing the body again.
    `policy` (its `show_drafts`, `require` and `changed`; by default only reviewed
    translations), `enforcer` and `marks` are the build's: see `Translations`.
    `translations_class` replaces the lookup (the live preview marks drafts)."""
    title = str(article.meta.get("title") or article.slug)
    description = article.meta.get("description")
    if lang == article.lang:
        html = source.html if source is not None else converter.convert(article.body).html
        return Rendered(
            article, lang, html, Rendering(title), Rendering(description) if description else None, article.slug
        )
    config = converter.config
    path = config.catalog_path(lang, article.name)
    policy = policy or Policy()
    translations = (translations_class or Translations)(
        po,
        article.lang,
        policy.show_drafts,
        converter.gate,
        config.rel(path),
        config.protected_patterns,
        lang=lang,
        enforcer=enforcer,
        require=policy.require,
        changed=policy.changed,
        marks=marks,
    )
    if source is not None and source.snapshot is not None:
        html = converter.convert_again(source.snapshot, translations.lookup, html_lang(article.lang)).html
    else:
        html = converter.convert(article.body, translations.lookup, html_lang(article.lang)).html
    title_shown, description_shown = translations.text(title), translations.text(description) if description else None
    if path.exists():
        translations.locate(path)
    shown = tuple(translations.shown)
    slug = localized_slug(po, article.slug, policy.require)
    refused, drafts = tuple(translations.refused), translations.drafts_shown
    return Rendered(
        article, lang, html, title_shown, description_shown, slug, drafts, refused, shown, approval_date(po, shown)
    )


@dataclass(frozen=True)
class Editions:
    """Which editions of an article are shown, decided once for the build, the
    page frame's links and the live preview alike."""

    published: dict[str, polib.POFile]  # translated editions the policy publishes
    withheld: dict[str, tuple[polib.POFile, Decision]]  # those it does not, and why
    slugs: dict[str, str]  # every shown edition's slug, the source's included, in `languages` order


def editions(
    config: Config,
    article: Article,
    catalogs: Mapping[str, polib.POFile | None],
    rules: Mapping[str, Policy],
    words: Mapping[str, dict[str, int]] | None = None,
    drafts: bool = False,
    chrome: Mapping[str, float] | None = None,
) -> Editions:
    """Decide the editions of `article` from its `catalogs` (language → catalog, None:
    none yet) under each language's policy (`policy.decide`, with `words` the tallies
    a caller already has); `drafts` (the preview's `--drafts`) shows every edition
    that has a catalog; `chrome` (language → share of the page chrome reviewed) withholds
    every edition of a language whose chrome is below its `min_reviewed`. A translated
    slug that cannot be a file name is an error naming the catalog's line."""
    published: dict[str, polib.POFile] = {}
    withheld: dict[str, tuple[polib.POFile, Decision]] = {}
    for lang, po in catalogs.items():
        if lang == article.lang or po is None:
            continue
        if drafts:
            published[lang] = po
            continue
        decision = decide(po, rules[lang], config.protected_patterns, (words or {}).get(lang), (chrome or {}).get(lang))
        if decision.published:
            published[lang] = po
        else:
            withheld[lang] = (po, decision)
    slugs = {
        lang: article.slug
        if lang == article.lang
        else localized_slug(
            published[lang], article.slug, rules[lang].require, config.rel(config.catalog_path(lang, article.name))
        )
        for lang in config.languages
        if lang == article.lang or lang in published
    }
    return Editions(published, withheld, slugs)


def localized_slug(po: polib.POFile | None, slug: str, require: str = "reviewed", rel: str = "") -> str:
    """The translator's slug (entry with msgctxt `slug`) when reviewed (or approved,
    under `require = "approved"`), else the source's.

    A slug that is not one (`check` reports it) shows the source's; a reserved one
    (`index` would replace the edition's index) or one too long for a file name is
    an error naming the catalog's line."""
    wanted = ("approved",) if require == "approved" else REVIEWED_STATES
    if po is None:
        return slug
    for entry in po:
        if entry.msgctxt == SLUG_CONTEXT and entry.msgid == slug and state(entry) in wanted:
            candidate = entry.msgstr.strip()
            if SLUG_RE.match(candidate):
                problem = slug_problem(candidate)
                if problem:
                    raise PipelineError(f"translated {problem}", rel or None, entry.linenum)
                return candidate
    return slug
