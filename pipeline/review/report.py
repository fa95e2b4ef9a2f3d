"""`review`: `output/review/<lang>.html`, the page a translator works from.

Per article: a progress bar (share of the words reviewed, drafts and untranslated
text stacked beside it), then every entry that needs attention — anything not
reviewed, plus reviewed entries with QA findings — with its source, its current
translation, what changed in the source since it was translated (a word diff from
`#| msgid`), its QA findings, its provenance (`pretranslated: libre ...`) and the
`file:line` to open. Plain HTML and CSS: no JavaScript, opens from the disk.
Same catalogs, same bytes: nothing on the page depends on the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale

from pipeline.build import environment
from pipeline.catalog import SLUG_CONTEXT, keeps_source, provenance, state
from pipeline.config import Config, html_lang
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write
from pipeline.glossary import Glossary, load_glossary
from pipeline.po import read_po
from pipeline.review.diff import Op, word_diff
from pipeline.review.registry import ERROR, WARNING, Finding
from pipeline.review.run import MsgstrLines, check_ref, msgstr_line
from pipeline.review.settings import Settings, load_settings
from pipeline.stats import Stats, count
from pipeline.ui import SITE
from pipeline.update import CatalogRef, catalog_refs

LABELS = {
    "reviewed": "reviewed",
    "machine": "machine draft",
    "memory": "memory draft",
    "fuzzy": "needs review",
    "untranslated": "untranslated",
}
# The bar's order: done work first, then drafts, then what nobody has touched.
BAR_ORDER = ("reviewed", "fuzzy", "memory", "machine", "untranslated")


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

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)


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
        return sum(len(a.items) for a in self.articles)

    @property
    def percent_reviewed(self) -> float:
        total = sum(a.stats.total_words for a in self.articles)
        done = sum(a.stats.words["reviewed"] for a in self.articles)
        return 100.0 if total == 0 else round(100 * done / total, 1)


@dataclass(frozen=True)
class ReviewResult:
    """What `review` wrote for one language."""

    lang: str
    path: str
    written: bool
    articles: int
    attention: int


def article_review(config: Config, ref: CatalogRef, settings: Settings, glossary: Glossary) -> ArticleReview:
    """The review of one catalog (an article's, or the page chrome's); without a
    catalog file, its template's entries are all untranslated."""
    rel = config.rel(ref.path)
    exists = ref.path.exists()
    if exists:
        po, text = read_po(ref.path, rel, ref.lang), ref.path.read_text(encoding="utf-8")
    elif ref.template.exists():
        po, text = read_po(ref.template, config.rel(ref.template)), None
    else:
        raise PipelineError("no catalog and no template yet; run `python -m pipeline update` first", rel)
    findings = check_ref(config, ref, po, text, settings, glossary) if text is not None else []
    by_line: dict[int | None, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.line, []).append(finding)
    stats = count(po, ref.name, ref.lang, rel, untranslated=not exists)
    title = f"{ref.name} (page chrome)" if ref.name == SITE else ref.name
    review = ArticleReview(title, rel, exists, ref.source_lang, stats)
    file = rel if exists else config.rel(ref.template)
    lines = MsgstrLines(text) if text is not None else None
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        line = msgstr_line(lines, entry.linenum) if lines else entry.linenum
        kind = state(entry) if exists else "untranslated"
        found = by_line.get(line, [])
        if kind == "reviewed" and not found:
            continue
        review.items.append(_item(entry, kind, file, line, found))
    return review


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


def review_page(config: Config, lang: str) -> tuple[ReviewPage, list[PipelineError]]:
    """The page model for `lang`: every catalog in that language (the page chrome's
    first, then each article's)."""
    settings = load_settings(config)
    glossary = load_glossary(config.locales_dir)
    refs, errors = catalog_refs(config, [lang])
    reviews = []
    for ref in refs:
        try:
            reviews.append(article_review(config, ref, settings, glossary))
        except PipelineError as exc:
            errors.append(exc)
    name = Locale.parse(lang).get_display_name("en") or lang
    return ReviewPage(lang, name, config.project_name, reviews), errors


def render_review(page: ReviewPage) -> str:
    """The page's HTML (Jinja2, autoescaped: translations are shown, never run)."""
    return environment().get_template("review.html").render(page=page)


def write_reviews(config: Config, langs: Iterable[str] | None = None) -> tuple[list[ReviewResult], list[PipelineError]]:
    """Write `output/review/<lang>.html` for `langs` (default: every language that has
    catalogs); a page whose bytes would not change is not rewritten."""
    if langs:
        wanted = list(dict.fromkeys(langs))
    else:
        refs, _ = catalog_refs(config)
        wanted = [lang for lang in config.languages if any(ref.lang == lang for ref in refs)]
    results, errors = [], []
    for lang in wanted:
        page, page_errors = review_page(config, lang)
        errors.extend(e for e in page_errors if str(e) not in {str(x) for x in errors})
        path: Path = config.output_dir / "review" / f"{lang}.html"
        data = render_review(page).encode("utf-8")
        written = not (path.exists() and path.read_bytes() == data)
        if written:
            atomic_write(path, data)
        results.append(ReviewResult(lang, config.rel(path), written, len(page.articles), page.attention))
    return results, errors
