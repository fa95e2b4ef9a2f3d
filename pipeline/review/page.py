"""`review`: `review/<lang>.html`, the reviewer's page — outside the public site.

It is written at the project root (git-ignored), never under `output/`, and carries
`<meta name="robots" content="noindex">`: it shows every draft and internal note.
At the top, the exact `approve` command to run and how many entries it would sign.
Per article: a progress bar (share of the words approved and reviewed, drafts and
untranslated text stacked beside it), then every block in document order — source
and translation side by side, rendered as on the site (a translation the page would
refuse is shown as escaped text, never as HTML) — with its state (approved, with
who and when; reviewed; draft; ...), what changed in the source since it was
reviewed (a word diff from `#| msgid`), its QA findings, its provenance and the
`file:line` to open. Plain HTML and CSS (with a print stylesheet: reviewers
annotate on paper), no JavaScript, opens from the disk. Same catalogs, same bytes:
nothing on the page depends on the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale
from markupsafe import Markup

from pipeline.approval import approval_of
from pipeline.catalog import REVIEWED_STATES, SLUG_CONTEXT, keeps_source, provenance, share, state
from pipeline.chrome import CHROME, environment
from pipeline.config import Config, html_lang
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write, read_head
from pipeline.manifest import Memo, cache_dir, code_digest, project_hashes, save_quietly, stamp
from pipeline.po import read_po, read_po_text
from pipeline.project import CatalogRef, catalog_refs
from pipeline.review.cached import CheckCache, review_digest
from pipeline.review.diff import Op, word_diff
from pipeline.review.registry import ERROR, WARNING, Finding
from pipeline.review.runner import Checker, MsgstrLines, msgstr_line
from pipeline.review.settings import enforced as enforced_checks
from pipeline.sanitize import Gate
from pipeline.stats import Stats, count

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


@dataclass
class ReviewPage:
    """Everything `review.html` shows for one language."""

    lang: str
    lang_name: str
    project_name: str
    articles: list[ArticleReview]

    @property
    def html_lang(self) -> str:
        return html_lang(self.lang)

    @property
    def attention(self) -> int:
        return sum(a.attention for a in self.articles)

    @property
    def signable(self) -> int:
        return sum(1 for a in self.articles for i in a.items if i.signable)

    def _words(self) -> Counter[str]:
        words: Counter[str] = Counter()
        for a in self.articles:
            words.update(a.stats.words)
        return words

    @property
    def percent_reviewed(self) -> float:
        return share(self._words(), REVIEWED_STATES)

    @property
    def percent_approved(self) -> float:
        return share(self._words(), ("approved",))

    @property
    def approve_command(self) -> str:
        return f'python -m pipeline approve --lang {self.lang} --by "YOUR NAME"'


@dataclass(frozen=True)
class ReviewResult:
    """What `review` wrote for one language."""

    lang: str
    path: str
    written: bool
    articles: int
    attention: int


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
    review = ArticleReview(title, rel, exists, ref.source_lang, stats)
    file = rel if exists else config.rel(ref.template)
    lines = MsgstrLines(text) if text is not None else None
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        line = msgstr_line(lines, entry.linenum) if lines else entry.linenum
        kind = state(entry) if exists else "untranslated"
        found = by_line.get(line, [])
        item = _item(entry, kind, file, line, found)
        _as_html(item, entry, reviewer.checker.converter.gate, config.protected_patterns, ref.name == CHROME)
        enforced = {f.check for f in found} & enforced_here
        item.signable = kind == "reviewed" and not enforced
        item.blocked = kind in REVIEWED_STATES and bool(enforced)
        review.items.append(item)
    return review


def _as_html(item: Item, entry: polib.POEntry, gate: Gate | None, patterns: tuple[str, ...], chrome: bool) -> None:
    """Source and translation as HTML, as the site shows them. A translation the page's
    gate would refuse stays text; the page chrome's strings are text (not Markdown)."""
    approval = approval_of(entry)
    if approval is not None:
        item.approved_by = f"{approval.name} on {approval.date.isoformat()}"
    if gate is None or gate.fragment is None or chrome or entry.msgctxt == SLUG_CONTEXT:
        return
    item.source_html = Markup(gate.fragment(item.msgid))
    if item.msgstr and gate.refusal(item.msgid, item.msgstr, patterns) is None:
        item.translation_html = Markup(gate.fragment(item.msgstr))


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


def review_page(
    config: Config, lang: str, refs: list[CatalogRef], reviewer: Reviewer
) -> tuple[ReviewPage, list[PipelineError]]:
    """The page model for `lang`: each of its catalogs in `refs` (the page chrome's
    first, then each article's); a catalog that cannot be read is its error."""
    reviews, errors = [], []
    for ref in refs:
        if ref.lang != lang:
            continue
        try:
            reviews.append(article_review(config, ref, reviewer))
        except PipelineError as exc:
            errors.append(exc)
    name = Locale.parse(lang).get_display_name("en") or lang
    return ReviewPage(lang, name, config.project_name, reviews), errors


def review_html(page: ReviewPage) -> str:
    """The page's HTML (Jinja2, autoescaped: translations are shown, never run)."""
    return environment().get_template("review.html").render(page=page)


def write_reviews(config: Config, langs: Iterable[str] | None = None) -> tuple[list[ReviewResult], list[PipelineError]]:
    """Write `review/<lang>.html` for `langs` (default: every language that has
    catalogs); a page whose bytes would not change is not rewritten."""
    hashes = project_hashes(config.root)  # a page whose inputs are as last time is not made again
    refs, unreadable = catalog_refs(config, None, hashes)  # once for every language
    errors = list(unreadable)  # an article that cannot be read: said once, not once per page
    if langs:
        wanted = list(dict.fromkeys(langs))
    else:
        wanted = [lang for lang in config.languages if any(ref.lang == lang for ref in refs)]
    memo = Memo(cache_dir(config.root) / "review.json", stamp(code_digest(hashes)))
    reviewer: Reviewer | None = None  # made on the first page that is not known
    results = []
    for lang in wanted:
        path = review_path(config, lang)
        inputs = review_digest(config, lang, refs, hashes)
        known = memo.get(f"{path}", inputs)
        if isinstance(known, list) and read_head(path, 0) is not None:  # still there, a regular file
            results.append(ReviewResult(lang, config.rel(path), False, *known))
            continue
        reviewer = reviewer or Reviewer.of(config)
        page, page_errors = review_page(config, lang, refs, reviewer)
        errors.extend(page_errors)
        data = review_html(page).encode("utf-8")
        # None for a link (refused by the write), a FIFO (which would block a read), a device.
        written = read_head(path, len(data) + 1) != data
        if written:
            atomic_write(path, data)
        results.append(ReviewResult(lang, config.rel(path), written, len(page.articles), page.attention))
        if not page_errors and not unreadable:
            memo.put(f"{path}", inputs, [len(page.articles), page.attention])
    if reviewer is not None:
        reviewer.cache.save()
    save_quietly(memo, hashes)
    return results, errors


def review_path(config: Config, lang: str) -> Path:
    """`review/<lang>.html` at the project root: never inside the public `output/`."""
    return config.root / REVIEW_DIR / f"{lang}.html"


def stale_reviews(config: Config, written: Iterable[str]) -> list[str]:
    """The languages whose existing review page may be out of date: their catalogs were
    just written (`written`), or one of them is newer than the page (a translator saved
    it since). A page that does not exist is not created here: `review` does that."""
    written = set(written)
    stale = []
    for lang in config.languages:
        page = review_path(config, lang)
        try:
            page_time = page.stat().st_mtime_ns
        except OSError:
            continue
        folder = config.locales_dir / lang / "LC_MESSAGES"
        if lang in written or any(p.stat().st_mtime_ns > page_time for p in folder.glob("*.po")):
            stale.append(lang)
    return stale
