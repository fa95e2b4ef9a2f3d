"""Pages: every published edition of an article, then the site around them.

```
output/index.html              language chooser
output/<lang>/index.html       that edition's articles, newest first
output/<lang>/<slug>.html      one article in one language
output/<lang>/feed.xml         Atom feed of the edition
output/<lang>/search.html      the edition's search page (pipeline.build.search indexes the site)
output/<lang>/404.html         "page not found", and output/404.html for any language
output/sitemap.xml             every page with its hreflang alternates
output/assets/style.css, search.js, the logo
```

An edition exists in the article's own language, and in each other language whose
catalog meets the publishing policy. `build_article` makes one article's pages (it
runs in worker processes); `assemble_site` makes the indexes, feeds, sitemap and
chooser from what the articles returned; the HTML of each kind of page is `pages`'.
`BuildStep` is the `build` command's part of the pass over all articles that
`publish` runs: which articles' pages are current (the build manifest and its
digests), what the others contributed, and the finish. Everything is written through a staged
`Output`, so the published site changes all at once or not at all. Same input,
same bytes: nothing depends on the clock, the order of files on disk or the
number of workers.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib

from pipeline.base.errors import PipelineError
from pipeline.base.manifest import FileHashes, cache_dir, digest, manifest_chunks, recorded, stamp
from pipeline.build.addresses import article_urls, listing, w3c_date
from pipeline.build.bundles import indexed_editions, site_order
from pipeline.build.early import EarlyIndex, start_early
from pipeline.build.frame import frame_inputs, site_assets
from pipeline.build.kept import RECORD_NAME as SEARCH_RECORD
from pipeline.build.pages import (
    BuildContext,
    chooser_html,
    feed_xml,
    index_html,
    not_found_html,
    page_html,
    search_html,
    sitemap_xml,
    withdrawn_html,
)
from pipeline.build.record import ArticlePages
from pipeline.build.redirects import Moves, previous_addresses
from pipeline.build.render import Rendered, catalog_for, editions, render
from pipeline.build.search import ENTRY as SEARCH_ENTRY
from pipeline.build.search import LISTING as SEARCH_LISTING
from pipeline.build.search import changed_editions, index_site, needs_index
from pipeline.build.staging import Output, clean_leftovers, stage_file
from pipeline.build.summary import published_before
from pipeline.catalog.chrome import CHROME_LANG
from pipeline.catalog.collisions import withhold
from pipeline.catalog.signoffs import inputs as signoff_inputs
from pipeline.catalog.stats import count
from pipeline.catalog.update import catalog_hashes, chrome_inputs
from pipeline.config.load import Config, html_lang
from pipeline.source.article import Article
from pipeline.source.assets import copy_media, place_media, stale_media
from pipeline.source.convert import Converted


def build_article(
    ctx: BuildContext,
    article: Article,
    wanted: list[str],
    output: Output,
    catalogs: dict[str, polib.POFile] | None = None,
    source: Converted | None = None,
    published_before: dict[str, str] | None = None,
    blocked: dict[str, str] | None = None,
    addresses: dict[str, str] | None = None,
) -> ArticlePages:
    """Decide which editions of `article` are published and write those in `wanted`.

    `catalogs` and `source` let `publish` pass what `update` just produced, so no
    catalog is read twice and the body is parsed once for all languages.
    `published_before` (language → slug, from the last build's manifest) names the
    editions readers may have bookmarked: one of them that is now withheld keeps
    its address, with a notice page (no silent withdrawals). `blocked` (language →
    reason) withholds editions that lost their address (`pipeline.collisions`).
    `addresses`: the slugs the last build published; when one changed, every edition
    is written, so none links an address that is gone (`pipeline.redirects`).
    """
    config = ctx.config
    pages = ArticlePages(article.name, article.lang, w3c_date(article.date) if article.date else None, {})
    published, withdrawn = _decide(ctx, article, wanted, catalogs, published_before, pages, blocked)
    if addresses is not None and addresses != pages.slugs:
        wanted = list(config.languages)
    parts = ctx.env.get_template("_parts.html").module  # index item, feed entry, sitemap macros
    for lang, slug in pages.slugs.items():
        if lang not in wanted:
            continue
        if source is None:
            source = ctx.converter.convert(article.body, snapshot=True)
        rule = ctx.rules[lang]
        po = published.get(lang)
        rendered = render(
            ctx.converter, article, lang, po, source, policy=rule, enforcer=ctx.enforcer, marks=ctx.marks.get(lang)
        )
        pages.refused += [(r.catalog, r.line, r.reason) for r in rendered.refused]
        rel = f"{lang}/{slug}.html"
        pages.shown += [(lang, rel, b.reason, b.catalog, b.line) for b in rendered.shown]
        rendered = _with_media(config, rendered, pages)
        output.write(rel, page_html(ctx, rendered, pages.slugs).encode("utf-8"))
        pages.files.append(rel)
        item = listing(article, lang, slug, rendered.title, rendered.description, ctx.settings, config)
        pages.listings[lang] = {
            "sort_key": list(item.sort_key),
            "updated": item.updated,
            "html": str(parts.listing(item)),
            "atom": str(parts.entry(item, html_lang(lang))),
        }
    for lang, slug in pages.withdrawn.items():
        rel = f"{lang}/{slug}.html"
        output.write(rel, withdrawn_html(ctx, article, lang, withdrawn[lang], pages.slugs).encode("utf-8"))
        pages.files.append(rel)
    newest = w3c_date(article.last_modified) if article.last_modified else None
    pages.sitemap = str(parts.urls(article_urls(pages.slugs, article.lang, newest, ctx.settings)))
    return pages


def _with_media(config: Config, rendered: Rendered, pages: ArticlePages) -> Rendered:
    """The edition with its images and linked files at their published addresses
    (`assets`); what they are, and any missing one, recorded in `pages`."""
    placed = place_media(config, rendered.article, rendered.lang, rendered.body)
    pages.media.update((m.name, m.source) for m in placed.media)
    pages.inputs += [p for p in placed.inputs if p not in pages.inputs]
    for problem in placed.problems:  # one line per problem, however many editions show it
        if (found := (problem.path or "", problem.line, problem.message)) not in pages.problems:
            pages.problems.append(found)
    return dataclasses.replace(rendered, body=placed.body)


def _decide(
    ctx: BuildContext,
    article: Article,
    wanted: list[str],
    catalogs: dict[str, polib.POFile] | None,
    published_before: dict[str, str] | None,
    pages: ArticlePages,
    blocked: dict[str, str] | None = None,
) -> tuple[dict[str, polib.POFile], dict[str, polib.POFile]]:
    """Which editions of `article` the policy publishes (`render.editions`), and which
    withheld ones were published before (their addresses get a notice page); records
    the slugs, the word tallies and the withheld editions in `pages`."""
    config = ctx.config
    found: dict[str, polib.POFile | None] = {}
    words: dict[str, dict[str, int]] = {}
    for lang in config.languages:
        if lang == article.lang:
            continue
        po = catalogs[lang] if catalogs is not None and lang in catalogs else catalog_for(config, article, lang)
        found[lang] = po
        if po is None:
            continue
        stats = count(po, "", "", "", patterns=config.protected_patterns)
        words[lang] = stats.words
        pages.tally[lang] = {
            "words": stats.total_words,
            "reviewed": stats.words["reviewed"] + stats.words["approved"],
            "approved": stats.words["approved"],
        }
    shown = editions(config, article, found, ctx.rules, words, chrome=ctx.chrome_share)
    if blocked:
        shown = withhold(shown, article.lang, blocked)
        if article.lang in blocked:  # the whole article: no edition left to say so
            pages.withheld += [(article.name, lang, reason) for lang, reason in blocked.items() if lang in wanted]
    pages.slugs = shown.slugs
    withdrawn: dict[str, polib.POFile] = {}
    for lang, (po, decision) in shown.withheld.items():
        if lang in wanted:
            pages.withheld.append((article.name, lang, decision.reason))
            if published_before and lang in published_before:
                withdrawn[lang] = po
                pages.withdrawn[lang] = published_before[lang]
    return shown.published, withdrawn


def assemble_site(
    ctx: BuildContext, articles: list[ArticlePages], wanted: list[str], output: Output, keep: Iterable[str] = ()
) -> None:
    """Indexes, feeds, search and 404 pages of the `wanted` languages, the chooser,
    the root 404, the sitemap, the assets; then remove pages of those languages
    that no article produced, nor are in `keep` (the redirect pages)."""
    config = ctx.config
    # A language without a single published edition has no index, feed or chooser link.
    active = [lang for lang in config.languages if any(lang in a.slugs for a in articles)]
    expected = {f for a in articles for f in a.files} | set(keep)
    own = set(config.frame.pages)  # the site's own pages are linked by the frame, not listed
    for lang in wanted:
        if lang not in active:
            continue
        listed = (a.listings[lang] for a in articles if lang in a.listings and a.name not in own)
        items = sorted(listed, key=lambda i: i["sort_key"])
        ctx.use_language(lang)
        for name, html in (
            ("index.html", index_html(ctx, lang, items, active)),
            ("feed.xml", feed_xml(ctx, lang, items)),
            ("search.html", search_html(ctx, lang, active)),
            ("404.html", not_found_html(ctx, lang, active)),
        ):
            output.write(f"{lang}/{name}", html.encode("utf-8"))
            expected.add(f"{lang}/{name}")
    ctx.use_language(CHROME_LANG)
    output.write("index.html", chooser_html(ctx, active).encode("utf-8"))
    output.write("404.html", chooser_html(ctx, active, not_found=True).encode("utf-8"))
    output.write("sitemap.xml", sitemap_xml(ctx, [a.sitemap for a in articles], active).encode("utf-8"))
    for name, data in site_assets(config).items():
        output.write(f"assets/{name}", data)
    media = {name: source for a in articles for name, source in a.media.items()}
    copy_media(config, media, output.write)
    if set(wanted) == set(config.languages):  # a build of some languages does not know every page's files
        for name in stale_media(config, set(media)):
            output.remove(name)
    for lang in wanted:
        folder = output.live / lang
        for path in sorted([*folder.glob("*.html"), *folder.glob("feed.xml")]):
            rel = f"{lang}/{path.name}"
            if rel not in expected:
                output.remove(rel)


# -- the build step of a pass over all articles (`publish` runs the pass) -------------

BUILD_MANIFEST = ".manifest.json"  # in output/: per article, its digest, languages and pages


@dataclass
class Built:
    """What a build did (the build's part of `publish.Report`)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    withheld: list[tuple[str, str, str]] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    errors: list[PipelineError] = field(default_factory=list)
    pages: list[ArticlePages] = field(default_factory=list)  # every article's, after a build (`drop_site_parts`)
    build_langs: list[str] = field(default_factory=list)
    chrome_missing: dict[str, list[str]] = field(default_factory=dict)  # language → UI strings shown in English
    notes: list[str] = field(default_factory=list)  # addresses retired or taken over (`pipeline.redirects`)
    # Missing or refused images: the pages are published, the command exits 1.
    asset_errors: list[PipelineError] = field(default_factory=list)


class BuildStep:
    """What `build` knows across articles: which pages are as its last run left them
    (the build manifest, `output/.manifest.json`), what every article contributed,
    and how the site around them is finished (all at once, or not at all)."""

    def __init__(self, config: Config, hashes: FileHashes, langs: list[str] | None, jobs: int | None = None) -> None:
        self.config, self.hashes, self.jobs = config, hashes, jobs
        self.ctx = BuildContext(config)  # reads the UI catalogs: errors surface before any work
        self.langs = [lang for lang in config.languages if langs is None or lang in langs]
        self.stamp = build_stamp(config, hashes)
        clean_leftovers(config.output_dir)  # first: it may put back a site a kill left aside, manifest and all
        found, entries = recorded(config.output_dir / BUILD_MANIFEST)
        self.old = entries if found == self.stamp else {}
        self.before = published_before(entries)
        self.addresses = previous_addresses(entries)  # every slug the last build published
        # Per article what the site around it and the summary need, and its manifest
        # entry's digest and languages: the entry itself is made when the manifest is
        # written (`manifest_chunks`), not kept beside its pages until the end.
        self.pages: dict[str, ArticlePages] = {}
        self.recorded: dict[str, tuple[str | None, list[str]]] = {}
        self.early: EarlyIndex | None = None

    def current(self, path: Path, name: str, slug: str) -> bool:
        """Whether the recorded pages of an article are current and all there (`slug`:
        its default address)."""
        entry = self.old.get(name)
        try:
            return (
                entry is not None
                and entry["digest"]
                == build_digest(
                    self.config, path, name, self.stamp, self.hashes, slug, entry["pages"].get("inputs", [])
                )
                and set(self.langs) <= set(entry["langs"])
                and all(os.path.isfile(f"{self.config.output_dir}/{f}") for f in entry["pages"]["files"])
                and all(os.path.isfile(f"{self.config.output_dir}/{f}") for f in entry["pages"].get("media", {}))
            )
        except (KeyError, TypeError):
            return False  # a manifest entry of another shape: rebuild

    def keep(self, name: str) -> None:
        """An article whose pages stay as they are: its recorded entry carries over."""
        entry = self.old[name]
        self.pages[name] = ArticlePages.from_json(entry["pages"])
        self.recorded[name] = (entry["digest"], entry["langs"])

    def planned(self) -> None:
        """Every article is either kept or to be built: the last build's entries, read
        only to decide that, are let go (a site's worth of listings and sitemap blocks)."""
        self.old = {}

    def start_index(self, output: Output, names: list[str]) -> None:
        """Index the search bundles beside the rendering (`early.start_early`); `names`: the
        articles in site order."""
        self.early = start_early(output, names, {name: pages.slugs for name, pages in self.pages.items()}, self.jobs)

    def stop_index(self) -> None:
        """Stop indexing beside the rendering (the build is over, or failed)."""
        if self.early is not None:
            self.early.close()
            self.early = None

    def done(self, pages: ArticlePages, digest: str | None) -> None:
        """An article built (by a worker)."""
        self.pages[pages.name] = pages
        if self.early is not None:
            self.early.add(pages.name, pages.slugs)
        self.recorded[pages.name] = (digest, self.langs)

    def finish(self, output: Output, names: list[str], worked: bool, built: Built) -> None:
        """Indexes, feeds, sitemap and manifest, then the swap; or nothing at all.
        `names` are the articles in site order; `worked`, whether any was built."""
        ordered = [self.pages[name] for name in names if name in self.pages]
        if built.errors:
            output.discard()  # all or nothing: the published site stays as it was
            built.written = []
            return
        for article in ordered:
            built.withheld += [w for w in article.withheld if w[1] in self.langs]
            built.refused += article.refused
            built.asset_errors += [PipelineError(message, file, line) for file, line, message in article.problems]
        chrome = self.ctx.chrome
        built.refused += [(p.catalog, p.line, p.reason) for lang in self.langs for p in chrome[lang].problems]
        built.chrome_missing = {lang: chrome[lang].english for lang in self.langs if chrome[lang].english}
        built.pages, built.build_langs = ordered, self.langs
        has_articles = any(a.files for a in ordered)
        moves = Moves(self.config, ordered, self.addresses)
        built.notes += moves.notes
        if not worked and self._complete(has_articles) and moves.in_place(self.ctx):
            # Nothing changed, the manifest is current, every page is in place: the
            # indexes, feeds and sitemap made from the same entries would be the same.
            built.unchanged += sum(len(a.files) for a in ordered)
            return
        try:
            assemble_site(self.ctx, ordered, self.langs, output, keep=moves.files)
            for rel, data in moves.pages(self.ctx).items():
                output.write(rel, data)
            # The articles' pages are in `built.written` (written by the workers), the
            # site's own in `output.written`; each bundle with a page changed is
            # indexed again, the others are kept (`search.index_site`).
            written = [*built.written, *output.written, *output.removed]
            changed = changed_editions(written)
            index = needs_index(output, has_articles, changed)  # an index run stages the site
            if output.stage is not None or index or not (self.config.output_dir / BUILD_MANIFEST).exists():
                stage_file(output.ensure_stage() / BUILD_MANIFEST, manifest_chunks(self.stamp, self._entries()))
            order = site_order([a.slugs for a in ordered])
            for article in ordered:  # written out: not kept through the search index's run
                article.drop_site_parts()
            if index:  # last: it reads the staged pages
                langs = indexed_editions(output.ensure_stage(), order)
                record = cache_dir(self.config.root) / SEARCH_RECORD
                index_site(
                    output, langs, self.jobs, changed, order=order, early=self.early, written=written, record=record
                )
            moves.save()  # before the swap: a site whose redirects the history forgot is never published
            output.commit()
        except BaseException:
            output.discard()
            raise
        built.written += output.written
        built.removed += output.removed
        built.unchanged += output.unchanged

    def _entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The build manifest's entries, sorted by article, each made as it is written."""
        for name in sorted(self.recorded):
            found, langs = self.recorded[name]
            yield name, {"digest": found, "langs": langs, "pages": self.pages[name].to_json()}

    def _complete(self, has_articles: bool) -> bool:
        """Every language is built and the site's own files are all in place."""
        site_files = ("index.html", "sitemap.xml", "assets/style.css", BUILD_MANIFEST)
        if has_articles:
            site_files += (SEARCH_ENTRY, SEARCH_LISTING)
        return set(self.langs) == set(self.config.languages) and all(
            (self.config.output_dir / f).is_file() for f in site_files
        )


def build_stamp(config: Config, hashes: FileHashes, slugs: Mapping[str, str] | None = None) -> str:
    """What invalidates every page: the settings, the page chrome, the page frame
    (`slugs`: the articles' default addresses by name, see `frame.frame_inputs`), and
    the pages' shape ("media 1": pages carry their images' addresses, so a site built
    before that is built again once)."""
    parts = (hashes(config.pyproject), signoff_inputs(config.locales_dir, hashes))  # and which entries are approved
    return stamp("media 1", *parts, *chrome_inputs(config, hashes), *frame_inputs(config, hashes, slugs))


def build_digest(
    config: Config, path: Path, name: str, stamp: str, hashes: FileHashes, slug: str, media: list[str] | None = None
) -> str:
    """What an article's pages come from besides the stamp: its source and catalogs,
    its default address (`slug`: the names of other files may change it), and the
    files its pages link (`media`: every one looked for, there or not)."""
    files = [hashes(config.root / file) for file in media or ()]
    return digest(stamp, hashes(path), slug, *catalog_hashes(config, name, hashes), *files)
