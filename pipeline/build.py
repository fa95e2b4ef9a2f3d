"""Pages: every published edition of an article, then the site around them.

```
output/index.html              language chooser
output/<lang>/index.html       that edition's articles, newest first
output/<lang>/<slug>.html      one article in one language
output/<lang>/feed.xml         Atom feed of the edition
output/<lang>/search.html      the edition's search page (pipeline.search indexes the site)
output/<lang>/404.html         "page not found", and output/404.html for any language
output/sitemap.xml             every page with its hreflang alternates
output/assets/style.css, search.js, the logo
```

An edition exists in the article's own language, and in each other language whose
catalog meets the publishing policy. `build_article` makes one article's pages (it
runs in worker processes); `assemble_site` makes the indexes, feeds, sitemap and
chooser from what the articles returned. Everything is written through a staged
`Output`, so the published site changes all at once or not at all. Same input,
same bytes: nothing depends on the clock, the order of files on disk or the
number of workers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import polib
from babel import Locale
from markupsafe import Markup

from pipeline.article import Article
from pipeline.chrome import CHROME, FOOTNOTE_BACKLINK, UI_LANG, UiTranslations, environment
from pipeline.config import Config, html_lang
from pipeline.convert import Converted, Converter
from pipeline.frame import (
    label_cells,
    medical_web_page,
    og_locale,
    page_frame,
    publisher,
    script_json,
    site_assets,
    site_pages,
)
from pipeline.notices import marks, notices
from pipeline.po import read_po
from pipeline.policy import Policy, decide
from pipeline.render import Rendered, Translations, catalog_for, localized_slug, render
from pipeline.review.enforce import Enforcer
from pipeline.site import (
    Alternate,
    SiteSettings,
    alternates,
    article_urls,
    index_urls,
    listing,
    long_date,
    w3c_date,
)
from pipeline.staging import Output
from pipeline.stats import count

# UI strings Python needs in several languages at once (the chooser, the root 404);
# each is also written in a template, where the catalog's extraction finds it.
PURPOSE = "Articles for patients and their families from %(site)s."
NOT_FOUND = "Page not found"
TO_HOME = "Go to the home page"


@dataclass
class ArticlePages:
    """What one article contributed to the site (kept in the build manifest)."""

    name: str
    source_lang: str
    date_iso: str | None
    slugs: dict[str, str]  # published editions: language → slug
    # language → {"sort_key", "updated", "html" (index item), "atom" (feed entry)}
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    sitemap: str = ""  # the <url> blocks of the published editions
    files: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str, str]] = field(default_factory=list)  # (article, lang, reason)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # (catalog, line, "check: message")
    # Editions once published, now withheld: language → slug of the notice page at their address.
    withdrawn: dict[str, str] = field(default_factory=dict)
    # Blocks not shown in the edition's language: (lang, page, reason, catalog, line).
    shown: list[tuple[str, str, str, str, int | None]] = field(default_factory=list)
    # language → {"words", "reviewed", "approved"}: the catalog's word counts (reviewed includes approved).
    tally: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticlePages:
        data = dict(data)
        data["withheld"] = [tuple(w) for w in data.get("withheld", [])]
        data["refused"] = [tuple(r) for r in data.get("refused", [])]
        data["shown"] = [tuple(r) for r in data.get("shown", [])]
        return cls(**data)


class BuildContext:
    """Everything a page needs that is the same for all articles of a build."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.settings: SiteSettings = config.site
        self.rules: dict[str, Policy] = config.policies
        self.enforcer = Enforcer(config)
        self.ui = {
            lang: _ui_translations(config, lang, self.enforcer, self.rules[lang].require) for lang in config.languages
        }
        self.marks = {lang: marks(self.ui[lang], lang) for lang in config.languages}
        self.converter = Converter(config)
        self.env = environment(config.root / ".cache" / "pipeline" / "jinja")
        self.site_pages = site_pages(config, self.rules)
        self.publisher = publisher(config, self.settings)

    def use_language(self, lang: str) -> None:
        """Point the templates' gettext at `lang`'s reviewed UI translations."""
        ui = self.ui.get(lang) or UiTranslations(None)
        self.env.install_gettext_callables(
            ui.gettext, ui.ngettext, newstyle=True, pgettext=ui.pgettext, npgettext=ui.npgettext
        )


def build_article(
    ctx: BuildContext,
    article: Article,
    wanted: list[str],
    output: Output,
    catalogs: dict[str, polib.POFile] | None = None,
    source: Converted | None = None,
    published_before: dict[str, str] | None = None,
) -> ArticlePages:
    """Decide which editions of `article` are published and write those in `wanted`.

    `catalogs` and `source` let `publish` pass what `update` just produced, so no
    catalog is read twice and the body is parsed once for all languages.
    `published_before` (language → slug, from the last build's manifest) names the
    editions readers may have bookmarked: one of them that is now withheld keeps
    its address, with a notice page (no silent withdrawals).
    """
    config = ctx.config
    pages = ArticlePages(article.name, article.lang, w3c_date(article.date) if article.date else None, {})
    published, withdrawn = _decide(ctx, article, wanted, catalogs, published_before, pages)
    pages.slugs = {
        lang: article.slug
        if lang == article.lang
        else localized_slug(
            published[lang], article.slug, ctx.rules[lang].require, config.rel(config.catalog_path(lang, article.name))
        )
        for lang in config.languages
        if lang == article.lang or lang in published
    }
    parts = ctx.env.get_template("_parts.html").module  # index item, feed entry, sitemap macros
    for lang, slug in pages.slugs.items():
        if lang not in wanted:
            continue
        if source is None:
            source = ctx.converter.convert(article.body, snapshot=True)
        rule = ctx.rules[lang]
        po = published.get(lang)
        rendered = render(
            ctx.converter,
            config,
            article,
            lang,
            po,
            rule.show_drafts,
            source,
            policy=rule,
            enforcer=ctx.enforcer,
            marks=ctx.marks.get(lang),
        )
        pages.refused += [(r.catalog, r.line, r.reason) for r in rendered.refused]
        rel = f"{lang}/{slug}.html"
        pages.shown += [(lang, rel, b.reason, b.catalog, b.line) for b in rendered.shown]
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


def _decide(
    ctx: BuildContext,
    article: Article,
    wanted: list[str],
    catalogs: dict[str, polib.POFile] | None,
    published_before: dict[str, str] | None,
    pages: ArticlePages,
) -> tuple[dict[str, polib.POFile], dict[str, polib.POFile]]:
    """Which editions of `article` the policy publishes, and which withheld ones were
    published before (their addresses get a notice page); records the word tallies and
    the withheld editions in `pages`."""
    config = ctx.config
    published: dict[str, polib.POFile] = {}
    withdrawn: dict[str, polib.POFile] = {}
    for lang in config.languages:
        if lang == article.lang:
            continue
        po = catalogs[lang] if catalogs is not None and lang in catalogs else catalog_for(config, article, lang)
        if po is None:
            continue
        stats = count(po, "", "", "")
        pages.tally[lang] = {
            "words": stats.total_words,
            "reviewed": stats.words["reviewed"] + stats.words["approved"],
            "approved": stats.words["approved"],
        }
        decision = decide(po, ctx.rules[lang])
        if decision.published:
            published[lang] = po
        elif lang in wanted:
            pages.withheld.append((article.name, lang, decision.reason))
            if published_before and lang in published_before:
                withdrawn[lang] = po
                pages.withdrawn[lang] = published_before[lang]
    return published, withdrawn


def withdrawn_html(ctx: BuildContext, article: Article, lang: str, po: polib.POFile, slugs: dict[str, str]) -> str:
    """The page at the address of a withheld edition that was published before: in its
    language, it says the translation is being updated and links to the source
    edition; `noindex`, canonical to the source edition, linked from nowhere."""
    source_url = ctx.settings.url(f"{article.lang}/{slugs[article.lang]}.html")
    rule = ctx.rules[lang]
    title = Translations(po, article.lang, lang=lang, enforcer=ctx.enforcer, require=rule.require).text(
        str(article.meta.get("title") or article.slug)
    )
    page = page_frame(ctx.config, ctx.site_pages, lang, [], [], "../", article.name) | {
        "title": title,
        "canonical": source_url,
        "source_href": f"../{article.lang}/{slugs[article.lang]}.html",
        "source_lang": html_lang(article.lang),
        "source_name": Locale.parse(article.lang).get_display_name(lang) or article.lang,
    }
    ctx.use_language(lang)
    return ctx.env.get_template("withdrawn.html").render(page=page, publisher=ctx.publisher)


def assemble_site(ctx: BuildContext, articles: list[ArticlePages], wanted: list[str], output: Output) -> None:
    """Indexes, feeds, search and 404 pages of the `wanted` languages, the chooser,
    the root 404, the sitemap, the assets; then remove pages of those languages
    that no article produced."""
    config = ctx.config
    # A language without a single published edition has no index, feed or chooser link.
    active = [lang for lang in config.languages if any(lang in a.slugs for a in articles)]
    expected = {f for a in articles for f in a.files}
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
    ctx.use_language(UI_LANG)
    output.write("index.html", chooser_html(ctx, active).encode("utf-8"))
    output.write("404.html", chooser_html(ctx, active, not_found=True).encode("utf-8"))
    output.write("sitemap.xml", sitemap_xml(ctx, articles, active).encode("utf-8"))
    for name, data in site_assets(config).items():
        output.write(f"assets/{name}", data)
    for lang in wanted:
        folder = output.live / lang
        for path in sorted([*folder.glob("*.html"), *folder.glob("feed.xml")]):
            rel = f"{lang}/{path.name}"
            if rel not in expected:
                output.remove(rel)


def page_html(ctx: BuildContext, rendered: Rendered, slugs: dict[str, str]) -> str:
    """The whole HTML page of one edition."""
    article, lang, config = rendered.article, rendered.lang, ctx.config
    links, switcher = alternates(slugs, lang, article.lang, ctx.settings)
    url = ctx.settings.url(f"{lang}/{slugs[lang]}.html")
    translated = lang != article.lang
    source_url = ctx.settings.url(f"{article.lang}/{slugs[article.lang]}.html") if translated else None
    others = [ctx.settings.url(f"{x}/{slug}.html") for x, slug in slugs.items() if x != article.lang]
    title, description = rendered.title, rendered.description
    data = medical_web_page(
        article, lang, url, title.text, description.text if description else None, ctx.publisher, source_url, others
    )
    page = page_frame(ctx.config, ctx.site_pages, lang, links, switcher, "../", article.name) | {
        "title": title,
        "description": description,
        "body": label_cells(_translate_backlinks(accessible_tables(rendered.body), ctx.ui.get(lang))),
        "url": url,
        "date": _date(article.date, lang, config),
        "reviewed": _date(article.reviewed, lang, config),
        "reviewed_by": article.meta.get("reviewed_by"),
        "updated": _date(article.updated, lang, config),
        "author": article.meta.get("author"),
        "original": _original(article, slugs, lang) if translated else None,
        "approved": _date(rendered.approved, lang, config) if translated else None,
        "machine_notice": rendered.drafts_shown > 0,
        "notices": notices(rendered),
        "indexed": True,
        "json_ld": script_json(data),
        "og": {
            "locale": og_locale(lang),
            "alternates": [og_locale(x) for x in slugs if x != lang],
            "published": data.get("datePublished"),
            "modified": data.get("dateModified"),
        },
    }
    ctx.use_language(lang)
    return ctx.env.get_template("page.html").render(page=page, publisher=ctx.publisher)


def index_html(ctx: BuildContext, lang: str, items: list[dict[str, Any]], active: list[str]) -> str:
    """`output/<lang>/index.html`: the home page: what the site is, then the edition's
    articles as cards (their pieces, newest first)."""
    links, switcher = alternates({x: "index" for x in active}, lang, ctx.config.source_lang, ctx.settings)
    links = [a for a in links if a.hreflang != "x-default"] + [_chooser_alternate(ctx.settings)]
    page = page_frame(ctx.config, ctx.site_pages, lang, links, switcher, "../") | {
        "articles": [Markup(item["html"]) for item in items],
        "is_home": True,
    }
    return ctx.env.get_template("index.html").render(page=page, publisher=ctx.publisher)


def search_html(ctx: BuildContext, lang: str, active: list[str]) -> str:
    """`output/<lang>/search.html`: the search form and, with JavaScript, the results
    from this language's index."""
    _links, switcher = alternates({x: "search" for x in active}, lang, ctx.config.source_lang, ctx.settings)
    page = page_frame(ctx.config, ctx.site_pages, lang, [], switcher, "../")
    return ctx.env.get_template("search.html").render(page=page, publisher=ctx.publisher)


def not_found_html(ctx: BuildContext, lang: str, active: list[str]) -> str:
    """`output/<lang>/404.html`: served for any missing address, so every link in it
    starts at the site's root path."""
    prefix = ctx.settings.base_path
    _links, switcher = alternates({x: "index" for x in active}, lang, ctx.config.source_lang, ctx.settings, prefix)
    page = page_frame(ctx.config, ctx.site_pages, lang, [], switcher, prefix)
    return ctx.env.get_template("404.html").render(page=page, publisher=ctx.publisher)


def chooser_html(ctx: BuildContext, active: list[str], not_found: bool = False) -> str:
    """`output/index.html`: links to every edition's home page, each in its own
    language; with `not_found`, `output/404.html`, the same for a missing address."""
    prefix = ctx.settings.base_path if not_found else ""
    links, switcher = alternates({x: "index" for x in active}, "", ctx.config.source_lang, ctx.settings, prefix)
    links = [] if not_found else [a for a in links if a.hreflang != "x-default"] + [_chooser_alternate(ctx.settings)]
    choices = []
    for lang, alt in zip(active, switcher, strict=True):
        ui = ctx.ui.get(lang) or UiTranslations(None)
        choices.append(
            {
                "alt": alt,
                "purpose": ui.gettext(PURPOSE) % {"site": ctx.publisher["name"]},
                "not_found": ui.gettext(NOT_FOUND),
                "to_home": ui.gettext(TO_HOME),
            }
        )
    page = page_frame(ctx.config, ctx.site_pages, ctx.config.source_lang, links, switcher, prefix) | {
        "choices": choices,
        "not_found": not_found,
    }
    return ctx.env.get_template("languages.html").render(page=page, publisher=ctx.publisher)


def feed_xml(ctx: BuildContext, lang: str, items: list[dict[str, Any]]) -> str:
    """`output/<lang>/feed.xml`: an Atom feed; its date is the newest article's."""
    feed = {
        "lang": html_lang(lang),
        "url": ctx.settings.url(f"{lang}/feed.xml"),
        "home": ctx.settings.url(f"{lang}/index.html"),
        "updated": max((item["updated"] for item in items), default="2000-01-01T00:00:00Z"),
        "entries": [Markup(item["atom"]) for item in items],
    }
    return ctx.env.get_template("feed.xml").render(feed=feed, publisher=ctx.publisher)


def sitemap_xml(ctx: BuildContext, articles: list[ArticlePages], active: list[str]) -> str:
    """`output/sitemap.xml` with `xhtml:link` alternates for every published edition."""
    parts = ctx.env.get_template("_parts.html").module
    blocks = [Markup(a.sitemap) for a in articles] + [parts.urls(index_urls(active, ctx.settings))]
    return ctx.env.get_template("sitemap.xml").render(blocks=blocks)


def accessible_tables(body: str) -> str:
    """Header cells of Markdown tables are column headers: `scope="col"` (WCAG 1.3.1).

    Done on the page, not in the body renderer, so the body keeps the identity
    guarantee with plain Python-Markdown.
    """
    return _TH_RE.sub('<th scope="col"', body)


# Python-Markdown's default title of a footnote's back link (its BACKLINK_TITLE).
_BACKLINK_RE = re.compile(r'title="Jump back to footnote (\d+) in the text"')


def _translate_backlinks(body: str, ui: UiTranslations | None) -> str:
    """The back links' English tooltip in the page's language, as the site catalog
    has it (done on the page, like `accessible_tables`, so the body keeps the
    identity guarantee)."""
    if ui is None or not ui.entries or "footnote-backref" not in body:
        return body
    template = ui.gettext(FOOTNOTE_BACKLINK)
    if template == FOOTNOTE_BACKLINK:
        return body
    return _BACKLINK_RE.sub(lambda m: f'title="{template % {"number": m.group(1)}}"', body)


# A header cell without a scope, whatever else it carries (lang="en", style=...).
_TH_RE = re.compile(r"<th(?=[\s>])(?![^>]*\sscope=)")


def _date(date: dt.date | None, lang: str, config: Config) -> dict[str, str] | None:
    return {"text": long_date(date, lang, config), "iso": w3c_date(date)} if date else None


def _original(article: Article, slugs: dict[str, str], lang: str) -> dict[str, str]:
    """The source edition, as a translated page names it (in the page's language)."""
    name = Locale.parse(article.lang).get_display_name(lang) or article.lang
    return {"href": f"../{article.lang}/{slugs[article.lang]}.html", "hreflang": html_lang(article.lang), "name": name}


def _chooser_alternate(settings: SiteSettings) -> Alternate:
    # The language chooser is the page for readers whose language has no edition.
    return Alternate("x-default", "", settings.url("index.html"), "")


def _ui_translations(config: Config, lang: str, enforcer: Enforcer, require: str) -> UiTranslations:
    path = config.catalog_path(lang, CHROME)
    if lang == UI_LANG or not path.exists():
        return UiTranslations(None)

    def judge(entry: polib.POEntry, msgid: str, msgstr: str) -> str | None:
        found = enforcer.refusal(entry, msgid, msgstr, lang, UI_LANG)
        return f"{found.check}: {found.message}" if found is not None else None

    rel = config.rel(path)
    return UiTranslations(read_po(path, rel, lang), rel, judge, require, lang)
