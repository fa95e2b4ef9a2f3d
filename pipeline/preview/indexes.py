"""The live preview's site pages: the edition indexes (`<lang>/index.html`, also
`<lang>/`), the feeds (`<lang>/feed.xml`), `sitemap.xml` and the language chooser
(`index.html`, also `/`), as `publish` would write them from the files as they are now.

They are made by the build's own code: each article's contribution is what
`step.build_article` returns (`ArticlePages`: its editions' slugs, index items, feed
entries, sitemap blocks), and `step.assemble_site` makes the pages from all of them,
into memory (`Memory`). A contribution is kept with the article's build digest
(`step.build_digest`: the build stamp, its source and its catalogs), so after a save
only the articles it touched are built again; an article whose entry in the build
manifest (`output/.manifest.json`, brought up to date by `serve` before it starts) is
current is taken from there without being opened. The pages are kept with the digest
of all contributions: a request for an unchanged index costs a `stat` per input file.

An article the build would refuse (a catalog or source that cannot be read, a
template error, two editions at one address) makes `publish` leave the whole site as
it was. The preview says why instead: every site page is the one-line error page (the
feeds and the sitemap too, as HTML, so a browser shows it), and the next good save
shows them again. With `--drafts` they still list only the published editions (what
`publish` would write). The search pages and their Pagefind bundle, the 404 pages and
`assets/` are served from `output/` as the last build left them: Pagefind indexes a
whole built site.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import polib

from pipeline.base.errors import PipelineError, too_deep
from pipeline.base.manifest import FileHashes, digest, load
from pipeline.build.pages import BuildContext
from pipeline.build.staging import Output
from pipeline.build.step import (
    BUILD_MANIFEST,
    ArticlePages,
    assemble_site,
    build_article,
    build_digest,
    build_stamp,
)
from pipeline.source.article import Article
from pipeline.source.convert import Converted

# What one article's build reads: its source (or why it cannot be read), its parse,
# and its catalogs by language (None: no catalog yet).
Inputs = tuple[Article | PipelineError, Converted | None, dict[str, polib.POFile | PipelineError | None]]


class Memory(Output):
    """The build's `Output`, kept in memory: the preview writes nothing to `output/`."""

    def __init__(self, live: Path) -> None:
        super().__init__(live)
        self.files: dict[str, bytes] = {}

    def write(self, rel: str, data: bytes) -> bool:
        self.files[rel] = data
        return True

    def remove(self, rel: str) -> None:
        pass  # a page no article produced is simply not among `files`


class EditionIndexes:
    """The edition indexes, feeds, sitemap and chooser of the live preview (the
    caller holds the live site's lock)."""

    def __init__(self, ctx: BuildContext, hashes: FileHashes, inputs: Callable[[str, Path], Inputs]) -> None:
        self.ctx, self.hashes, self.inputs = ctx, hashes, inputs
        config = ctx.config
        self.served = {"index.html", "sitemap.xml"} | {f"{x}/{f}" for x in config.languages for f in LANG_FILES}
        self.recorded: dict | None = None  # the build manifest's entries, read at the first request
        self.contributed: dict[str, tuple[str, ArticlePages | PipelineError]] = {}
        self.assembled: tuple[str, dict[str, bytes] | str] | None = None

    def serves(self, url: str) -> str | None:
        """The site page `url` names ("de/", "de/feed.xml", ""), or None."""
        rel = f"{url}index.html" if url == "" or url.endswith("/") else url
        return rel if rel in self.served else None

    def pages(self, names: dict[str, Path], slugs: dict[str, str]) -> dict[str, bytes] | str:
        """Every site page as `publish` would write it (rel → bytes), or the one line
        saying why `publish` would write none; assembled again when an input changed.
        `slugs`: each article's default address (`article.derived_slugs` of `names`)."""
        config = self.ctx.config
        stamp = build_stamp(config, self.hashes, slugs)
        if self.recorded is None:
            self.recorded = load(config.output_dir / BUILD_MANIFEST, stamp)
        order = sorted(names.items(), key=lambda item: item[1])  # the build's order: discover's
        found = [self._contribution(name, path, stamp, slugs.get(name, "")) for name, path in order]
        key = digest(stamp, *(name for name, _ in order), *(k for k, _ in found))
        if self.assembled is None or self.assembled[0] != key:
            self.contributed = {name: self.contributed[name] for name in names if name in self.contributed}
            self.assembled = (key, self._assemble([pages for _, pages in found]))
        return self.assembled[1]

    def changes(self, names: dict[str, Path], slugs: dict[str, str]) -> list[str]:
        """The URL paths of the site pages whose bytes changed since they were last
        assembled (all of them when none was asked for yet: then none is open)."""
        if self.assembled is None:
            rels = sorted(self.served)
        else:
            before, after = self.assembled[1], self.pages(names, slugs)
            if isinstance(before, dict) and isinstance(after, dict):
                rels = sorted(r for r in self.served if before.get(r) != after.get(r))
            else:  # an error shown or gone: every page changed (the same error again: none)
                rels = [] if before == after else sorted(self.served)
        return [url for rel in rels for url in _urls(rel)]

    def _contribution(self, name: str, path: Path, stamp: str, slug: str) -> tuple[str, ArticlePages | PipelineError]:
        key = build_digest(self.ctx.config, path, name, stamp, self.hashes, slug)
        known = self.contributed.get(name)
        if known is None or known[0] != key:
            known = self.contributed[name] = (key, self._recorded(name, key) or self._build(name, path))
        return known

    def _recorded(self, name: str, key: str) -> ArticlePages | None:
        """The article's contribution as the last build recorded it, if still current."""
        entry = (self.recorded or {}).get(name)
        if not isinstance(entry, dict) or entry.get("digest") != key:
            return None
        try:
            if set(self.ctx.config.languages) <= set(entry["langs"]):
                return ArticlePages.from_json(entry["pages"])
        except (KeyError, TypeError):
            pass  # an entry of another shape: build it
        return None

    def _build(self, name: str, path: Path) -> ArticlePages | PipelineError:
        """What `build_article` returns for the article now, from the live site's
        parse and catalogs (the pages it renders are dropped: only the index items,
        feed entries and sitemap blocks are used)."""
        config = self.ctx.config
        article, converted, catalogs = self.inputs(name, path)
        if isinstance(article, PipelineError):
            return article
        broken = [po for po in catalogs.values() if isinstance(po, PipelineError)]
        if broken:
            return broken[0]
        found = {lang: po for lang, po in catalogs.items() if isinstance(po, polib.POFile)}
        try:
            # No `published_before`: the notice pages of withdrawn editions are in no index.
            return build_article(self.ctx, article, config.languages, Memory(config.output_dir), found, converted)
        except (PipelineError, jinja2.TemplateError) as exc:
            return PipelineError(one_line(exc))
        except RecursionError:
            return too_deep(config.rel(path))

    def _assemble(self, found: list[ArticlePages | PipelineError]) -> dict[str, bytes] | str:
        errors = [p for p in found if isinstance(p, PipelineError)]
        articles = [p for p in found if isinstance(p, ArticlePages)]
        if errors:
            return one_line(errors[0])
        output = Memory(self.ctx.config.output_dir)
        try:
            assemble_site(self.ctx, articles, self.ctx.config.languages, output)
        except (PipelineError, jinja2.TemplateError) as exc:
            return one_line(exc)
        return {rel: data for rel, data in output.files.items() if rel in self.served}


LANG_FILES = ("index.html", "feed.xml")  # each edition's, besides its articles


def _urls(rel: str) -> list[str]:
    """The URL paths a page is open at: an index also at its folder."""
    return [f"/{rel}", f"/{rel[: -len('index.html')]}"] if rel.endswith("index.html") else [f"/{rel}"]


def one_line(exc: BaseException) -> str:
    """An error as the preview shows it: one line (a template's with its file and line)."""
    text = str(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        text = f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}"
    return " ".join(text.split())
