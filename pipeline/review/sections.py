"""One catalog's section of the review page: its model, its HTML, and the sections kept.

`article_review` reads one catalog (an article's, or the page chrome's) in one
language and makes its model: every block in document order with its state, its
QA findings (through `check`'s cache), the source and the translation rendered as
on the site (a translation the page would refuse stays escaped text), the change
since it was reviewed. What is rendered as HTML goes through the site's own gate:
the source column is rendered only for a message the source article has (its
template's), and a translation is judged against that source. A catalog entry no
source has — a msgid anyone could have typed into the catalog — is listed as text,
"not in the source", and so is its translation: a catalog never decides by itself
what counts as trusted source HTML on the reviewer's page. `section_html` renders it (`review_article.html`), on its
own: nothing in it depends on the rest of the page. `Sections` keeps each section
while what it is made from is unchanged, so after a translator saves one catalog
`review` renders that catalog's section again, not every article's.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field
from urllib.parse import quote

import polib
from markupsafe import Markup, escape

from pipeline.base.errors import PipelineError
from pipeline.base.files import atomic_write, read_regular
from pipeline.base.manifest import FileHashes, Memo, cache_dir, code_digest, save_quietly, stamp
from pipeline.catalog.approval import approval_of
from pipeline.catalog.chrome import CHROME, environment
from pipeline.catalog.model import REVIEWED_STATES, SLUG_CONTEXT, keeps_source, provenance, state
from pipeline.catalog.pofile import read_po, read_po_text
from pipeline.catalog.project import CatalogRef
from pipeline.catalog.stats import Stats, count
from pipeline.config.languages import text_direction
from pipeline.config.load import Config, html_lang
from pipeline.markup.gate import Gate
from pipeline.review.cached import CheckCache, section_digest
from pipeline.review.diff import Op, word_diff
from pipeline.review.negation import spans as negation_spans
from pipeline.review.onsite import as_on_site, rewrite
from pipeline.review.registry import ERROR, WARNING, Finding
from pipeline.review.runner import Checker
from pipeline.review.severity import enforced as enforced_checks

LABELS = {
    "approved": "approved",
    "reviewed": "reviewed",
    "machine": "machine draft",
    "memory": "memory draft",
    "fuzzy": "needs review",
    "untranslated": "untranslated",
}
REVIEW_DIR = "review"  # at the project root, git-ignored
# The bar's order: done work first, then drafts, then what nobody has touched.
BAR_ORDER = ("approved", "reviewed", "fuzzy", "memory", "machine", "untranslated")


@dataclass
class Item:
    """One entry that needs attention, ready for the template."""

    anchor: str
    state: str
    label: str
    file: str
    line: int
    msgctxt: str | None
    note: str
    msgid: str
    msgstr: str
    previous: str | None
    diff: list[tuple[Op, str]]
    provenance: str | None
    keep_source: bool
    findings: list[Finding]
    source_html: Markup | None = None  # None: shown as text (the page chrome, the slug)
    translation_html: Markup | None = None  # None: shown as text (refused by the page's gate)
    approved_by: str | None = None  # "NAME on DATE"
    in_source: bool = True  # False: no source article has this msgid; source and translation shown as text
    signable: bool = False  # `approve` would sign it now
    blocked: bool = False  # reviewed, but an enforced check keeps it off the page

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def attention(self) -> bool:
        """Whether someone has work here: not reviewed, or a QA finding."""
        return self.state not in REVIEWED_STATES or bool(self.findings)


@dataclass(frozen=True)
class Bar:
    """One coloured part of an article's progress bar."""

    state: str
    label: str
    entries: int
    words: int
    percent: float


@dataclass
class ArticleReview:
    """One catalog (an article's, or the page chrome's) in the review language."""

    name: str
    anchor: str  # the section's id: the catalog's article name, never its place on the page
    catalog: str
    exists: bool
    source_lang: str
    stats: Stats
    items: list[Item] = field(default_factory=list)

    @property
    def bars(self) -> list[Bar]:
        total = self.stats.total_words or 1
        return [
            Bar(s, LABELS[s], self.stats.entries[s], self.stats.words[s], round(100 * self.stats.words[s] / total, 1))
            for s in BAR_ORDER
        ]

    @property
    def attention(self) -> int:
        return sum(1 for i in self.items if i.attention)

    @property
    def errors(self) -> int:
        return sum(i.errors for i in self.items)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.items for f in i.findings if f.severity == WARNING)


@dataclass(frozen=True)
class Summary:
    """What the top of the page says of one catalog: kept with its section."""

    name: str
    anchor: str
    percent_reviewed: float
    attention: int
    signable: int
    words: dict[str, int]

    @classmethod
    def of(cls, review: ArticleReview) -> Summary:
        signable = sum(1 for i in review.items if i.signable)
        percent = review.stats.percent_reviewed
        return cls(review.name, review.anchor, percent, review.attention, signable, dict(review.stats.words))


@dataclass
class Reviewer:
    """What every review page of one run shares: made once, not once per language."""

    checker: Checker  # settings, glossary and the converter that shows messages as HTML
    cache: CheckCache  # findings `check` already has are not computed again

    @classmethod
    def of(cls, config: Config) -> Reviewer:
        return cls(Checker.of(config), CheckCache(config))


def article_review(config: Config, ref: CatalogRef, reviewer: Reviewer) -> ArticleReview:
    """The review of one catalog (an article's, or the page chrome's); without a
    catalog file, its template's entries are all untranslated."""
    enforced_here = enforced_checks(reviewer.checker.settings)
    rel = config.rel(ref.path)
    exists = ref.path.exists()
    if exists:
        po, text = read_po_text(ref.path, rel, ref.lang)
    elif ref.template.exists():
        po, text = read_po(ref.template, config.rel(ref.template)), None
    else:
        raise PipelineError("no catalog and no template yet; run `python -m pipeline update` first", rel)
    findings = reviewer.checker.cached(ref, po, text, reviewer.cache) if text is not None else []
    by_line: dict[int | None, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    stats = count(po, ref.name, ref.lang, rel, untranslated=not exists, patterns=config.protected_patterns)
    title = f"{ref.name} (page chrome)" if ref.name == CHROME else ref.name
    # An id with no space in it, whatever the file is called ("news/flu", "my notes").
    review = ArticleReview(title, f"article-{quote(ref.name)}", rel, exists, ref.source_lang, stats)
    file = rel if exists else config.rel(ref.template)
    sources = _source_messages(config, ref, po if not exists else None)
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        line = entry.linenum  # its msgstr line (`pofile.read_po_text`): as `check` and the build name it
        kind = state(entry) if exists else "untranslated"
        found = by_line.get(line, [])
        item = _item(entry, kind, file, line, found)
        item.in_source = (entry.msgctxt, entry.msgid) in sources
        gate = reviewer.checker.converter.gate
        _as_html(item, entry, gate, config.protected_patterns, ref.name == CHROME, (ref.source_lang, ref.lang))
        item.source_html = as_on_site(item.source_html, config, ref.name, ref.source_lang, ref.source_lang)
        item.translation_html = as_on_site(item.translation_html, config, ref.name, ref.lang, ref.source_lang)
        enforced = {f.check for f in found} & enforced_here
        item.signable = kind == "reviewed" and not enforced
        item.blocked = kind in REVIEWED_STATES and bool(enforced)
        review.items.append(item)
    return review


def _source_messages(config: Config, ref: CatalogRef, template: polib.POFile | None) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every message the source has: its template's (made by
    `extract` from the source article, or from the page templates for the chrome).
    No template: none, and the whole catalog is shown as text."""
    if template is None:
        if not ref.template.exists():
            return set()
        template = read_po(ref.template, config.rel(ref.template))
    return {(e.msgctxt, e.msgid) for e in template if not e.obsolete and e.msgid}


def _as_html(
    item: Item, entry: polib.POEntry, gate: Gate | None, patterns: tuple[str, ...], chrome: bool, langs: tuple[str, str]
) -> None:
    """Source and translation as HTML, as the site shows them, with the negating words
    of each side marked (`<mark class="negation">`: a dropped "not" is what a reader must
    not miss). A translation the page's gate would refuse stays text; the page
    chrome's strings are text (not Markdown); an entry whose msgid no source has is
    text on both sides (its msgid is not the clinic's text, so it is trusted as no
    source, and no translation is judged by it)."""
    approval = approval_of(entry)
    if approval is not None:
        item.approved_by = approval.who()  # name, date and the key's fingerprint
    source_lang, lang = langs
    rendered = gate is not None and gate.fragment is not None and not chrome and item.in_source
    if rendered and entry.msgctxt != SLUG_CONTEXT:
        item.source_html = Markup(gate.fragment(item.msgid))
        if item.msgstr and gate.refusal(item.msgid, item.msgstr, patterns) is None:
            item.translation_html = Markup(gate.fragment(item.msgstr))
    item.source_html = _marked(item.source_html, item.msgid, source_lang)
    item.translation_html = _marked(item.translation_html, item.msgstr, lang)


def _marked(html: Markup | None, text: str, lang: str) -> Markup | None:
    """`html` (or, when None, `text` escaped) with its negating words marked; None
    when shown as text and there is nothing to mark (the template escapes it)."""
    if html is None:
        if not text or not negation_spans(text, lang):
            return None
        html = Markup('<p class="text">') + escape(text) + Markup("</p>")
    return rewrite(str(html), lambda part: _mark_text(part, lang))


def _mark_text(text: str, lang: str) -> str:
    out, last = [], 0
    for start, end in negation_spans(text, lang):
        out += [text[last:start], '<mark class="negation">', text[start:end], "</mark>"]
        last = end
    return "".join(out) + text[last:]


def _item(entry: polib.POEntry, kind: str, file: str, line: int, findings: list[Finding]) -> Item:
    previous = entry.previous_msgid if entry.fuzzy and entry.previous_msgid else None
    label = LABELS[kind]
    if kind == "fuzzy":
        label = "source changed" if previous else "marked for review"
    if entry.msgctxt == SLUG_CONTEXT:
        note = "page address (slug)"
    else:
        note = ", ".join(line for line in entry.comment.split("\n") if line)
    msgid, msgstr = entry.msgid, entry.msgstr
    if entry.msgid_plural:  # page chrome only: show every form
        msgid = f"{entry.msgid}\n{entry.msgid_plural}"
        forms = sorted(entry.msgstr_plural.items(), key=lambda kv: int(kv[0]))
        msgstr = "\n".join(f"[{i}] {text}" for i, text in forms) if any(t for _, t in forms) else ""
    return Item(
        anchor=f"l{line}",
        state=kind,
        label=label,
        file=file,
        line=line,
        msgctxt=entry.msgctxt,
        note=note,
        msgid=msgid,
        msgstr=msgstr if kind != "untranslated" else "",
        previous=previous,
        diff=word_diff(previous, entry.msgid) if previous and previous != entry.msgid else [],
        provenance=provenance(entry),
        keep_source=keeps_source(entry),
        findings=sorted(findings, key=lambda f: (f.severity != ERROR, f.check)),
    )


def section_html(review: ArticleReview, lang: str) -> Markup:
    """One catalog's section of the page (`review_article.html`)."""
    template = environment().get_template("review_article.html")
    # Each side carries its own direction where it differs from the page's (English,
    # left to right): an Arabic translation beside its English source reads right to left.
    return Markup(
        template.render(
            a=review,
            lang=lang,
            html_lang=html_lang(lang),
            text_dir=text_direction(lang),
            source_dir=text_direction(review.source_lang),
        )
    )


class Sections:
    """Each catalog's section of the review page, kept while what it is made from is
    unchanged (its catalog and template, the settings, the glossary, the templates,
    the pipeline's code: `section_digest`): after one article's catalog is saved,
    `review` renders that article's section again, not the others'. The sections are
    files in `.cache/pipeline/review/`, named by that digest (read as regular files
    only, written atomically); the summaries are in `review-sections.json`. What no
    catalog of the run uses any more is dropped when the run ends."""

    def __init__(self, config: Config, hashes: FileHashes) -> None:
        self.config, self.hashes = config, hashes
        self.folder = cache_dir(config.root) / REVIEW_DIR
        self.memo = Memo(cache_dir(config.root) / "review-sections.json", stamp(code_digest(hashes)))
        self.reviewer: Reviewer | None = None  # made for the first section that is not kept
        self.used: dict[str, str] = {}  # memo key → digest

    def section(self, ref: CatalogRef) -> tuple[Summary, Markup]:
        key, digest = f"{ref.lang}:{self.config.rel(ref.path)}", section_digest(self.config, ref, self.hashes)
        self.used[key] = digest
        kept = self._kept(key, digest)
        if kept is not None:
            return kept
        self.reviewer = self.reviewer or Reviewer.of(self.config)
        review = article_review(self.config, ref, self.reviewer)
        summary, html = Summary.of(review), section_html(review, ref.lang)
        with contextlib.suppress(PipelineError):  # a cache: a full disk only costs the next run the work
            atomic_write(self.folder / f"{digest}.html", html.encode("utf-8"), durable=False)
            self.memo.put(key, digest, asdict(summary))
        return summary, html

    def _kept(self, key: str, digest: str) -> tuple[Summary, Markup] | None:
        known = self.memo.get(key, digest)
        if not isinstance(known, dict):
            return None
        path = self.folder / f"{digest}.html"
        try:
            html = read_regular(path, self.config.rel(path), "a cached review section").decode("utf-8")
            return Summary(**known), Markup(html)
        except (OSError, PipelineError, UnicodeDecodeError, TypeError):
            return None

    def save(self) -> None:
        """Forget the sections of this run's languages that no catalog has any more
        (another language's stay for its next page), then save what is kept."""
        langs = {key.split(":", 1)[0] for key in self.used}
        stale = [key for key in self.memo.entries if key.split(":", 1)[0] in langs and key not in self.used]
        for key in stale:
            del self.memo.entries[key]
        self.memo.changed |= bool(stale)
        keep = {f"{digest}.html" for digest in self.used.values()}
        keep |= {f"{value[0]}.html" for value in self.memo.entries.values() if isinstance(value, list) and value}
        for path in self.folder.glob("*.html") if self.folder.is_dir() else []:
            if path.name not in keep:
                path.unlink(missing_ok=True)
        if self.reviewer is not None:
            self.reviewer.cache.save()
        save_quietly(self.memo)
