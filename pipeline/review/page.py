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
nothing on the page depends on the clock. Each catalog's section is made apart
(`pipeline.review.sections`) and kept while its catalog is unchanged: after one
save, the page is the other sections as they were, and that one made again.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from markupsafe import Markup

from pipeline.base.errors import PipelineError
from pipeline.base.files import atomic_write, read_head
from pipeline.base.jobs import batch_pace
from pipeline.base.manifest import Memo, cache_dir, code_digest, project_hashes, save_quietly, stamp
from pipeline.catalog.chrome import CHROME, environment
from pipeline.catalog.model import REVIEWED_STATES, share
from pipeline.catalog.project import CatalogRef, catalog_refs
from pipeline.config.load import Config
from pipeline.review.cached import review_digest
from pipeline.review.sections import REVIEW_DIR, Sections, Summary


@dataclass
class ReviewPage:
    """Everything `review.html` shows for one language: a summary of each catalog,
    and each catalog's section, rendered (`section_html`)."""

    lang: str
    lang_name: str
    project_name: str
    articles: list[Summary]
    sections: list[Markup]
    # What the page could not show: a line per catalog that could not be read
    # (`file:line: why`), in a banner at the top, and those catalogs' paths, which
    # `approve` will not sign until the page shows them (`unshown_catalogs`).
    failures: list[str] = field(default_factory=list)
    unshown: list[str] = field(default_factory=list)

    @property
    def attention(self) -> int:
        return sum(a.attention for a in self.articles)

    @property
    def signable(self) -> int:
        return sum(a.signable for a in self.articles)

    def _words(self) -> Counter[str]:
        words: Counter[str] = Counter()
        for a in self.articles:
            words.update(a.words)
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


def review_page(
    config: Config, lang: str, refs: list[CatalogRef], sections: Sections
) -> tuple[ReviewPage, list[PipelineError]]:
    """The page model for `lang`: each of its catalogs in `refs` (the page chrome's
    first, then each article's), from `sections` where its inputs are as they were;
    a catalog that cannot be read is its error."""
    summaries, rendered, errors, unshown = [], [], [], []
    # The articles first, in the project's order; the page chrome's strings last: a
    # reviewer reads patient text before button labels.
    for ref in sorted((r for r in refs if r.lang == lang), key=lambda r: r.name == CHROME):
        try:
            summary, html = sections.section(ref)
        except PipelineError as exc:
            errors.append(exc)
            unshown.append(config.rel(ref.path))
            continue
        summaries.append(summary)
        rendered.append(html)
    name = Locale.parse(lang).get_display_name("en") or lang
    failures = [str(exc.within(config.root)) for exc in errors]
    return ReviewPage(lang, name, config.project_name, summaries, rendered, failures, unshown), errors


def review_html(page: ReviewPage) -> str:
    """The page's HTML (Jinja2, autoescaped: translations are shown, never run)."""
    return environment().get_template("review.html").render(page=page)


@batch_pace()
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
    sections: Sections | None = None  # made for the first page that is not known
    results = []
    for lang in wanted:
        path = review_path(config, lang)
        inputs = review_digest(config, lang, refs, hashes)
        known = memo.get(f"{path}", inputs)
        if isinstance(known, list) and read_head(path, 0) is not None:  # still there, a regular file
            results.append(ReviewResult(lang, config.rel(path), False, *known))
            continue
        sections = sections or Sections(config, hashes)
        page, page_errors = review_page(config, lang, refs, sections)
        errors.extend(page_errors)
        data = review_html(page).encode("utf-8")
        # None for a link (refused by the write), a FIFO (which would block a read), a device.
        written = read_head(path, len(data) + 1) != data
        if written:
            atomic_write(path, data)
        results.append(ReviewResult(lang, config.rel(path), written, len(page.articles), page.attention))
        if not page_errors and not unreadable:
            memo.put(f"{path}", inputs, [len(page.articles), page.attention])
        else:
            # A page made with a failure is never a result to keep: once the file is
            # fixed, its inputs are what they were before it broke, and the memo of
            # that good page must not say "unchanged" over the page that lacks it.
            memo.forget(f"{path}")
    if sections is not None:
        sections.save()
    save_quietly(memo, hashes)
    return results, errors


_UNSHOWN_RE = re.compile(rb'<meta name="review-unshown" content="([^"]*)">')


def unshown_catalogs(config: Config, lang: str) -> set[str]:
    """The catalogs (project paths) that `review/<lang>.html`, as it is on disk,
    could not show: the reviewer has not seen them, so `approve` does not sign them.
    No page (or one that is no regular file): none."""
    head = read_head(review_path(config, lang), 64 * 1024) or b""
    return {html.unescape(m.group(1).decode("utf-8", "replace")) for m in _UNSHOWN_RE.finditer(head)}


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
