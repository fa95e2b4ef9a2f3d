"""The live preview's project: article pages rendered from the files as they are now,
and the site pages around them (indexes, feeds, sitemap, chooser: `indexes`).

One `LiveSite` keeps the project loaded (templates compiled, UI catalogs read, one
Markdown instance, each article's parse) and renders an article page on request
from the current source and catalogs. Every rendered page is kept with the digest
of its inputs (source, every catalog of the article, templates, page chrome
catalogs), found through stat-checked hashes, so a request for an unchanged page
costs a few `stat` calls and a changed one is rendered again without anyone
having to say so. `apply` is what the watcher calls: the pages a change affects are
rendered at once, so the reload that follows is served from memory. A saved source
is merged into its catalogs in memory only (`update.merged_now`: what `update` would
make of them), never on disk: catalogs change when someone runs `update` or
`publish`, not as a side effect of typing and undoing in an editor.
The site pages are the build's own (`indexes.EditionIndexes`), byte for byte what
`publish` would write now; after a save they are assembled again if one of them was
asked for (else no index is open), and the reload covers those whose bytes changed.
The search pages, the Pagefind bundle, the 404 pages and `assets/` are served from
`output/` as the last build left them (Pagefind indexes a whole built site).

Nothing here writes `output/`: the published site is `publish`'s. With `drafts`,
fuzzy, machine and memory drafts are shown, each in a `<mark class="draft">`, in the
preview only. A file that cannot be read (a catalog saved half-written, a source
with broken front matter, a template with a Jinja error) shows its one-line error,
escaped, in place of the page; the next good save shows the page again. A file
that makes `publish` refuse the whole site (a broken catalog or source of any
article) shows its line in place of every site page too.
"""

from __future__ import annotations

import dataclasses
import html
import threading
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import polib

from pipeline.base.errors import PipelineError
from pipeline.base.manifest import FileHashes, digest, recorded
from pipeline.build.pages import BuildContext, page_html
from pipeline.build.render import Editions, Translations, editions, render
from pipeline.build.step import BUILD_MANIFEST
from pipeline.catalog.chrome import CHROME, templates_dir
from pipeline.catalog.model import SLUG_CONTEXT, keeps_source, state
from pipeline.catalog.pofile import may_hold, read_po
from pipeline.catalog.project import Project, load_project
from pipeline.catalog.update import article_template, chrome_inputs, merged_now
from pipeline.preview.indexes import EditionIndexes, one_line
from pipeline.preview.server import error_page, withheld_page
from pipeline.review.registry import REGISTRY
from pipeline.source.article import Article, article_name, derived_slugs, load_article, slug_problem
from pipeline.source.assets import MEDIA_DIR, LiveMedia
from pipeline.source.convert import Converted
from pipeline.source.segment import Rendering, Segment

HTML = "text/html; charset=utf-8"
# What kind of draft a marked block is, in the words of the team that previews it.
DRAFT_LABELS = {
    "fuzzy": "a translator's draft, not reviewed",
    "machine": "machine translation, not reviewed",
    "memory": "from the translation memory, not reviewed",
}


class DraftTranslations(Translations):
    """`--drafts`: fuzzy entries and machine and memory drafts are shown, each
    marked in the body (front matter fields are plain text: no mark there)."""

    def lookup(self, seg: Segment, marked: bool = True) -> Rendering | None:
        entry = self.entries.get((seg.msgctxt, seg.msgid))
        kind = state(entry) if entry is not None else "untranslated"
        refused = len(self.refused)
        if entry is None or kind not in DRAFT_LABELS or keeps_source(entry):
            found = super().lookup(seg, marked)
            # A translation a check refused: the source, and the check's words for why.
            return self._refused(seg) if marked and len(self.refused) > refused else found
        if not self._passes(entry, entry.msgstr):
            return self._refused(seg) if marked else super().lookup(seg, marked)
        if kind != "fuzzy":  # the page's notice speaks of machine translation: a person's draft is none
            self.drafts_shown += 1
        if not marked:  # a front matter field: plain text, no mark
            return Rendering(entry.msgstr)
        label = html.escape(DRAFT_LABELS[kind], quote=True)
        return Rendering(f'<mark class="draft" data-state="{kind}" data-label="{label}">{entry.msgstr}</mark>')

    def _refused(self, seg: Segment) -> Rendering:
        why = html.escape(f"not shown: {self.refused[-1].reason}", quote=True)
        return Rendering(f'<mark class="draft" data-state="refused" data-label="{why}">{seg.msgid}</mark>')


@dataclass
class Applied:
    """What `apply` did: the pages to reload (None: every page) and the lines to print."""

    pages: list[str] | None = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


class LiveSite:
    """The project as the preview serves it (thread-safe: one lock)."""

    def __init__(self, project: Project, drafts: bool = False) -> None:
        self.lock = threading.RLock()
        self.drafts = drafts
        self._load(project)

    def _load(self, project: Project) -> None:
        config = project.config
        ctx = BuildContext(config)  # first: a broken page chrome catalog leaves everything as it was
        ctx.env.auto_reload = True
        self.config, self.ctx = config, ctx
        self.hashes = FileHashes()  # in memory: the preview stats, the commands' tables stay theirs
        self.rendered: dict[tuple[str, str], tuple[str, str, bytes]] = {}  # (name, lang) → (digest, url, page)
        self.parsed: dict[str, tuple[str, Article | PipelineError, Converted | None]] = {}
        self.catalogs: dict[str, tuple[str, polib.POFile | PipelineError]] = {}
        self.merged: dict[str, tuple[str, polib.POFile]] = {}  # catalog path → (digest of file and source, merged)
        self.explained: set[str] = set()  # addresses of withheld editions: their page says why (404)
        self.urls: dict[str, tuple[str, str]] = {}  # "de/slug.html" → (name, lang)
        self.media = LiveMedia(config)  # images and linked files, served from source/
        self.names = {article_name(p, config): p for p in project.sources}  # then kept by `apply`
        self.slugs = derived_slugs(self.names)  # each article's default address, made from all names
        self.indexes = EditionIndexes(ctx, self.hashes, self._inputs)
        self._learn_urls()

    def _learn_urls(self) -> None:
        """Addresses of the published editions (the build manifest has the translated
        slugs); any edition is also found under its source slug."""
        _stamp, entries = recorded(self.config.output_dir / BUILD_MANIFEST)
        for name, entry in entries.items():
            try:
                for lang, slug in entry["pages"]["slugs"].items():
                    self.urls[f"{lang}/{slug}.html"] = (name, lang)
            except (KeyError, TypeError, AttributeError):
                continue

    # -- serving ------------------------------------------------------------------

    def page(self, url: str) -> tuple[int, str, bytes] | None:
        """(status, content type, bytes) of the live page at `url` ("de/slug.html",
        "de/index.html", "de/", "sitemap.xml"), or None when it is not the live site's."""
        if url.startswith(f"{MEDIA_DIR}/"):
            with self.lock:
                return self.media.serve(url)
        rel = self.indexes.serves(url)
        if rel is not None:
            return self._site_page(rel)
        lang, _, file = url.partition("/")
        if lang not in self.config.languages or "/" in file or not file.endswith(".html"):
            return None
        with self.lock:
            slug = file[: -len(".html")]
            found = self.urls.get(url) or self._by_source_slug(lang, slug) or self._by_translated_slug(lang, slug)
            if found is None:
                return None
            result = self._render(*found)
            if result is None or result[0] != url:
                return None
            return (404 if url in self.explained else 200), HTML, result[1]

    def _site_page(self, rel: str) -> tuple[int, str, bytes]:
        with self.lock:
            pages = self.indexes.pages(self.names, self.slugs)
        if isinstance(pages, str):
            return 200, HTML, error_page(pages)
        if rel not in pages:
            return 404, HTML, b""  # a language without a published edition has no index or feed
        return 200, HTML if rel.endswith(".html") else "application/xml", pages[rel]

    def _by_translated_slug(self, lang: str, slug: str) -> tuple[str, str] | None:
        """An edition the last build did not publish (a draft, a newly reviewed slug).

        A translated slug can only come from the `slug` entry of that language's
        catalog, so only articles whose catalog has one with this text are decided
        (as a page's are) and learnt: a mistyped or stale address reads the bytes of
        one language's catalogs and the articles' front matter, and parses or
        converts nothing else (N = 200: 0.3 s for the first, 30-70 ms after)."""
        if slug_problem(slug) is not None:
            return None  # no catalog's slug can be it: the build refuses such a slug
        for name, path in self.names.items():
            if not self._may_name(name, lang, slug) or not self._names_slug(self._catalog(name, lang), slug):
                continue
            article = self._loaded(name, path)[1]  # its editions need no rendering
            if not isinstance(article, Article):
                continue
            try:
                slugs = self._slugs(article, self._catalogs(name))
            except PipelineError:
                continue  # a slug that cannot be a file name: that page shows the error
            for x, found in slugs.items():
                self._learn(f"{x}/{found}.html", name, x)
            if lang not in slugs:  # withheld: its address still answers, saying why
                self._learn(f"{lang}/{slug}.html", name, lang)
        return self.urls.get(f"{lang}/{slug}.html")

    def _may_name(self, name: str, lang: str, slug: str) -> bool:
        """False when the catalog, unparsed yet, cannot name `slug` (`pofile.may_hold`)."""
        path = self.config.catalog_path(lang, name)
        known = self.catalogs.get(str(path))
        if known is not None and known[0] == self.hashes(path):
            return True  # parsed already: `_names_slug` decides
        return may_hold(path, self.config.rel(path), slug)

    @staticmethod
    def _names_slug(po: polib.POFile | PipelineError | None, slug: str) -> bool:
        """Whether `po` translates an article's slug as `slug` (in any state)."""
        return isinstance(po, polib.POFile) and any(
            e.msgctxt == SLUG_CONTEXT and e.msgstr.strip() == slug for e in po if not e.obsolete
        )

    def _by_source_slug(self, lang: str, slug: str) -> tuple[str, str] | None:
        for name, path in self.names.items():
            article = self._loaded(name, path)[1]
            if isinstance(article, Article) and article.slug == slug:
                return name, lang
            if isinstance(article, PipelineError) and self.slugs.get(name) == slug:
                return name, lang
        return None

    # -- rendering ----------------------------------------------------------------

    def _article(self, name: str, path: Path) -> tuple[str | None, Article | PipelineError, Converted | None]:
        """The article and its English rendering (kept by the source's hash). Its
        body is converted only when a page needs it: finding an article by its
        slug reads front matter only, so a mistyped address converts nothing."""
        current, article, converted = self._loaded(name, path)
        if isinstance(article, Article) and converted is None:
            try:
                converted = self.ctx.converter.convert(article.body, snapshot=True)
            except PipelineError as exc:
                article = exc
            self.parsed[name] = (current, article, converted)
        return current, article, converted

    def _loaded(self, name: str, path: Path) -> tuple[str | None, Article | PipelineError, Converted | None]:
        """The article as its file has it, and its rendering if one was made already."""
        current = self.hashes(path)
        known = self.parsed.get(name)
        if known is not None and known[0] == current:
            return known
        try:
            article: Article | PipelineError = load_article(path, self.config, self.slugs.get(name))
        except PipelineError as exc:
            article = exc
        self.parsed[name] = (current, article, None)
        return self.parsed[name]

    def _inputs(self, name: str, path: Path) -> tuple[Article | PipelineError, Converted | None, dict]:
        """What the build of one article reads, from the live site's caches."""
        _, article, converted = self._article(name, path)
        return article, converted, self._merged(name, article, converted)

    def _merged(
        self, name: str, article: Article | PipelineError, converted: Converted | None
    ) -> dict[str, polib.POFile | PipelineError | None]:
        """The article's catalogs as `update` would leave them after this source: each
        catalog merged in memory with the current source (kept by both hashes)."""
        catalogs = self._catalogs(name)
        if not isinstance(article, Article) or converted is None:
            return catalogs
        source = self.hashes(article.path)
        pot: polib.POFile | None = None  # the template, made once for every language that needs it
        for lang, po in catalogs.items():
            if isinstance(po, polib.POFile):
                path = str(self.config.catalog_path(lang, name))
                key = digest(self.catalogs[path][0], source)
                known = self.merged.get(path)
                if known is None or known[0] != key:
                    pot = article_template(self.config, article, converted) if pot is None else pot
                    known = self.merged[path] = (key, merged_now(self.config, article, pot, po, lang))
                catalogs[lang] = known[1]
        return catalogs

    def _catalogs(self, name: str) -> dict[str, polib.POFile | PipelineError | None]:
        return {lang: self._catalog(name, lang) for lang in self.config.languages}

    def _catalog(self, name: str, lang: str) -> polib.POFile | PipelineError | None:
        path = self.config.catalog_path(lang, name)
        current = self.hashes(path)
        if current is None:
            return None
        known = self.catalogs.get(str(path))
        if known is None or known[0] != current:
            try:
                po: polib.POFile | PipelineError = read_po(path, self.config.rel(path), lang)
            except PipelineError as exc:
                po = exc
            known = self.catalogs[str(path)] = (current, po)
        return known[1]

    def _chrome_digest(self) -> str:
        return digest(str(self.drafts), *chrome_inputs(self.config, self.hashes))

    def _render(self, name: str, lang: str) -> tuple[str, bytes] | None:
        """(url, page) of one edition, rendered when its inputs changed."""
        path = self.names.get(name)
        if path is None:
            return None
        _, article, converted = self._article(name, path)
        catalogs = self._merged(name, article, converted)
        key = digest(
            self._chrome_digest(),
            self.hashes(path),
            self.slugs.get(name),
            *(self.hashes(self.config.catalog_path(x, name)) for x in self.config.languages),
            *(self.hashes(file) for file in self.media.files(name, lang)),
        )
        known = self.rendered.get((name, lang))
        if known is not None and known[0] == key:
            return known[1], known[2]
        if isinstance(article, PipelineError):
            url = known[1] if known is not None else self._url_of(name, lang) or f"{lang}/{self.slugs.get(name)}.html"
            return self._keep(name, lang, key, url, error_page(str(article)))
        shown = self._editions(article, catalogs)
        slugs = shown.slugs
        url = f"{lang}/{slugs.get(lang, article.slug)}.html"
        for x, slug in slugs.items():
            self._learn(f"{x}/{slug}.html", name, x)
        po = catalogs.get(lang)
        if isinstance(po, PipelineError):  # at the address the page had (its slug is in that catalog)
            url = known[1] if known is not None else self._url_of(name, lang) or url
            return self._keep(name, lang, key, url, error_page(str(po)))
        if lang not in slugs:  # withheld (or no catalog yet): the preview says why, and how to see it
            withheld = shown.withheld.get(lang)
            if withheld is None:
                return None
            url = self._url_of(name, lang) or url  # its translated address, learnt when asked for
            self.explained.add(url)  # answered 404, with the explanation as its body
            return self._keep(name, lang, key, url, withheld_page(lang, withheld[1].reason))
        try:
            page = self._page(article, converted, lang, po, slugs)
        except (PipelineError, jinja2.TemplateError) as exc:
            return self._keep(name, lang, key, url, error_page(one_line(exc)))
        self.explained.discard(url)
        return self._keep(name, lang, key, url, page)

    def _url_of(self, name: str, lang: str) -> str | None:
        """The last address known for an edition (translated slugs are learnt from
        the build manifest and from every rendering)."""
        return next((u for u, v in reversed(self.urls.items()) if v == (name, lang)), None)

    def _keep(self, name: str, lang: str, key: str, url: str, page: bytes) -> tuple[str, bytes]:
        self.rendered[(name, lang)] = (key, url, page)
        self._learn(url, name, lang)
        return url, page

    def _learn(self, url: str, name: str, lang: str) -> None:
        self.urls.pop(url, None)  # the newest address of an edition is the last one
        self.urls[url] = (name, lang)

    def _editions(self, article: Article, catalogs: dict[str, polib.POFile | PipelineError | None]) -> Editions:
        """The editions the preview shows, with their slugs: those the build publishes
        (`render.editions`; with drafts, every language that has a catalog), and
        those it withholds, with why."""
        readable = {lang: po if isinstance(po, polib.POFile) else None for lang, po in catalogs.items()}
        return editions(self.config, article, readable, self.ctx.rules, drafts=self.drafts)

    def _slugs(self, article: Article, catalogs: dict[str, polib.POFile | PipelineError | None]) -> dict[str, str]:
        """The shown editions' slugs (`_editions`)."""
        return self._editions(article, catalogs).slugs

    def _page(
        self, article: Article, converted: Converted | None, lang: str, po: polib.POFile | None, slugs: dict[str, str]
    ) -> bytes:
        ctx = self.ctx
        cls = DraftTranslations if self.drafts else None
        rendered = render(
            ctx.converter,
            article,
            lang,
            po,
            converted,
            policy=ctx.rules[lang],
            enforcer=ctx.enforcer,
            marks=ctx.marks.get(lang),
            translations_class=cls,
        )
        rendered = dataclasses.replace(rendered, body=self.media.place(article, lang, rendered.body))
        return page_html(ctx, rendered, slugs).encode("utf-8")

    # -- changes ------------------------------------------------------------------

    def apply(self, changed: set[Path], deleted: set[Path]) -> Applied:
        """React to files the watcher saw change: reload what they feed, re-extract
        and merge a changed source, render the pages they affect."""
        with self.lock:
            return self._apply(changed | deleted)

    def _apply(self, paths: set[Path]) -> Applied:
        config, done = self.config, Applied()
        for path in paths:  # a save within the clock's resolution keeps size and mtime
            self.hashes.table.pop(str(path), None)
        if config.pyproject in paths or any(p.is_relative_to(templates_dir()) for p in paths):
            return self._reload(done)
        touched: set[str] = set()
        for path in sorted(paths):
            if path.is_relative_to(config.source_dir) and path.suffix == ".md":
                name = article_name(path, config)
                if path.exists():
                    self.names[name] = path
                else:
                    self.names.pop(name, None)
                    self.rendered = {k: v for k, v in self.rendered.items() if k[0] != name}
                touched.add(name)
            elif path.is_relative_to(config.locales_dir) and path.suffix == ".po":
                parts = path.relative_to(config.locales_dir).parts
                if len(parts) >= 3:
                    name = "/".join(parts[2:])[: -len(".po")]
                    if name == CHROME:
                        return self._reload(done)
                    touched.add(name)
        for name in self._derive():  # a file added or removed moved another's default address
            self.parsed.pop(name, None)
            touched.add(name)
        done.pages = []
        for name in sorted(touched):
            self._render_all(name, done)
        if touched & set(config.frame.pages):  # every page links the site's own pages
            return self._reload(done)
        done.pages += self.indexes.changes(self.names, self.slugs) if touched else []
        return done

    def _render_all(self, name: str, done: Applied) -> None:
        """Every edition of an article a change touched, rendered now (`done.pages`)."""
        config, pages = self.config, done.pages if done.pages is not None else []
        for lang in config.languages:
            url = self._url_of(name, lang)
            result = self._render(name, lang) if name in self.names else None
            if result is not None:
                pages.append(f"/{result[0]}")
                if isinstance(self.catalogs.get(str(config.catalog_path(lang, name)), (0, None))[1], PipelineError):
                    done.messages.append(one_line(self.catalogs[str(config.catalog_path(lang, name))][1]))
            elif url is not None:
                pages.append(f"/{url}")

    def _derive(self) -> list[str]:
        """The default addresses made again when the set of articles changed: the
        articles (still there) whose address that changed."""
        if self.names.keys() == self.slugs.keys():
            return []
        slugs, self.slugs = self.slugs, derived_slugs(self.names)
        return sorted(name for name, slug in self.slugs.items() if name in slugs and slugs[name] != slug)

    def _reload(self, done: Applied) -> Applied:
        """Settings, templates or the page chrome's catalogs changed: start again."""
        try:
            self._load(load_project(self.config.root, REGISTRY))
        except PipelineError as exc:
            done.messages.append(one_line(exc))
        done.messages += self._template_errors()
        done.pages = None
        return done

    def _template_errors(self) -> list[str]:
        """A line per template that does not compile, for the terminal (the pages
        that use it show the error in their place)."""
        errors = []
        for name in self.ctx.env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml"))):
            try:
                self.ctx.env.get_template(name)
            except jinja2.TemplateError as exc:
                errors.append(one_line(exc))
        return errors
