"""`build`: every published edition → `output/`, with indexes, sitemap and feeds.

```
output/index.html              language chooser
output/<lang>/index.html       that edition's articles, newest first
output/<lang>/<slug>.html      one article in one language
output/<lang>/feed.xml         Atom feed of the edition
output/sitemap.xml             every page with its hreflang alternates
output/assets/style.css
```

An edition exists in the article's own language, and in each other language whose
catalog meets the publishing policy. Building is all or nothing: every source file
and catalog is read and checked first, and if any is broken nothing is written.
Same input, same bytes: nothing depends on the clock or the order of files on disk,
and a file whose bytes would not change is not rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import polib

from pipeline.article import Article, discover, load_article
from pipeline.config import Config, html_lang
from pipeline.convert import Converter
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write
from pipeline.po import read_po
from pipeline.publish import Policy, decide, policies
from pipeline.render import Rendered, catalog_for, localized_slug, render
from pipeline.site import (
    Alternate,
    Listing,
    SiteSettings,
    alternates,
    language_name,
    listing,
    long_date,
    site_settings,
    sitemap_urls,
    text_direction,
)
from pipeline.ui import SITE, UI_LANG, UiTranslations, templates_dir


@dataclass
class BuildReport:
    """What `build` wrote, removed and withheld, and what it could not build."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str, str]] = field(default_factory=list)  # (article, lang, reason)
    unchanged: int = 0
    errors: list[PipelineError] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)


@dataclass
class Plan:
    """One article's published editions: language → slug, and their catalogs."""

    article: Article
    slugs: dict[str, str]
    catalogs: dict[str, polib.POFile]


def environment() -> jinja2.Environment:
    """The page templates, autoescaped (HTML and XML), with gettext calls available."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_null_translations(newstyle=True)
    return env


def build(config: Config, langs: Iterable[str] | None = None) -> BuildReport:
    """Build the pages of `langs` (every language when None), their indexes and
    feeds, the sitemap and the language chooser."""
    wanted = [lang for lang in config.languages if not langs or lang in set(langs)]
    report = BuildReport()
    settings = site_settings(config)
    rules = policies(config)
    plans, ui = [], {}
    for path in discover(config):
        try:
            plans.append(plan(config, load_article(path, config), rules, wanted, report))
        except PipelineError as exc:
            report.errors.append(exc)
    for lang in config.languages:
        try:
            ui[lang] = _ui_translations(config, lang)
        except PipelineError as exc:
            report.errors.append(exc)
    if report.errors:
        return report  # all or nothing: the site stays as it was
    converter = Converter(config)
    env = environment()
    # A language without a single published edition has no index, feed or chooser link.
    active = [lang for lang in config.languages if any(lang in p.slugs for p in plans)]
    listings: dict[str, list[Listing]] = {lang: [] for lang in wanted if lang in active}
    for p in plans:
        for lang, slug in p.slugs.items():
            if lang not in listings:
                continue
            rendered = render(converter, config, p.article, lang, p.catalogs.get(lang), rules[lang].show_drafts)
            _install(env, ui[lang])
            _write(
                config.output_dir / lang / f"{slug}.html",
                page_html(env, config, settings, rendered, p.slugs),
                config,
                report,
            )
            listings[lang].append(
                listing(p.article, lang, slug, rendered.title, rendered.description, settings, config)
            )
    for lang in listings:
        _install(env, ui[lang])
        items = sorted(listings[lang], key=lambda item: item.sort_key)
        index = index_html(env, config, settings, lang, items, active)
        _write(config.output_dir / lang / "index.html", index, config, report)
        _write(config.output_dir / lang / "feed.xml", feed_xml(env, config, settings, lang, items), config, report)
    _install(env, ui[UI_LANG] if UI_LANG in ui else UiTranslations(None))
    _write(config.output_dir / "index.html", chooser_html(env, config, settings, active), config, report)
    _write(config.output_dir / "sitemap.xml", sitemap_xml(env, config, settings, plans, active), config, report)
    _write(
        config.output_dir / "assets" / "style.css", (templates_dir() / "style.css").read_text("utf-8"), config, report
    )
    _remove_stale(config, wanted, report)
    return report


def plan(config: Config, article: Article, rules: dict[str, Policy], wanted: list[str], report: BuildReport) -> Plan:
    """Read an article's catalogs and decide which editions are published."""
    catalogs = {}
    for lang in config.languages:
        if lang == article.lang or (po := catalog_for(config, article, lang)) is None:
            continue
        decision = decide(po, rules[lang])
        if decision.published:
            catalogs[lang] = po
        elif lang in wanted:
            report.withheld.append((article.name, lang, decision.reason))
    slugs = {
        lang: article.slug if lang == article.lang else localized_slug(catalogs[lang], article.slug)
        for lang in config.languages
        if lang == article.lang or lang in catalogs
    }
    return Plan(article, slugs, catalogs)


def page_html(
    env: jinja2.Environment, config: Config, settings: SiteSettings, rendered: Rendered, slugs: dict[str, str]
) -> str:
    """The whole HTML page of one edition."""
    article, lang = rendered.article, rendered.lang
    links, switcher = alternates(slugs, lang, article.lang, settings)
    date = article.date
    page = _page(lang, links, switcher) | {
        "title": rendered.title,
        "description": rendered.description,
        "body": accessible_tables(rendered.body),
        "url": settings.url(f"{lang}/{slugs[lang]}.html"),
        "date": long_date(date, lang, config) if date else None,
        "date_iso": date.isoformat() if date else None,
        "author": article.meta.get("author"),
        "machine_notice": rendered.drafts_shown > 0,
    }
    return env.get_template("page.html").render(page=page, site=_site(config))


def index_html(
    env: jinja2.Environment, config: Config, settings: SiteSettings, lang: str, items: list[Listing], active: list[str]
) -> str:
    """`output/<lang>/index.html`: the edition's articles."""
    links, switcher = alternates({x: "index" for x in active}, lang, config.source_lang, settings)
    links = [a for a in links if a.hreflang != "x-default"] + [_chooser_alternate(settings)]
    page = _page(lang, links, switcher) | {"articles": items}
    return env.get_template("index.html").render(page=page, site=_site(config))


def chooser_html(env: jinja2.Environment, config: Config, settings: SiteSettings, active: list[str]) -> str:
    """`output/index.html`: links to every edition's index, each in its own language."""
    links, switcher = alternates({x: "index" for x in active}, "", config.source_lang, settings, "")
    links = [a for a in links if a.hreflang != "x-default"] + [_chooser_alternate(settings)]
    page = _page(config.source_lang, links, switcher)
    return env.get_template("languages.html").render(page=page, site=_site(config))


def feed_xml(env: jinja2.Environment, config: Config, settings: SiteSettings, lang: str, items: list[Listing]) -> str:
    """`output/<lang>/feed.xml`: an Atom feed; its date is the newest article's."""
    feed = {
        "lang": html_lang(lang),
        "url": settings.url(f"{lang}/feed.xml"),
        "home": settings.url(f"{lang}/index.html"),
        "updated": max((item.updated for item in items), default="2000-01-01T00:00:00Z"),
        "entries": items,
    }
    return env.get_template("feed.xml").render(feed=feed, site=_site(config))


def sitemap_xml(
    env: jinja2.Environment, config: Config, settings: SiteSettings, plans: list[Plan], active: list[str]
) -> str:
    """`output/sitemap.xml` with `xhtml:link` alternates for every published edition."""
    urls = sitemap_urls(
        [p.slugs for p in plans],
        [p.article.lang for p in plans],
        active,
        [p.article.date.isoformat() if p.article.date else None for p in plans],
        settings,
    )
    return env.get_template("sitemap.xml").render(urls=urls)


def accessible_tables(body: str) -> str:
    """Header cells of Markdown tables are column headers: `scope="col"` (WCAG 1.3.1).

    Done on the page, not in the body renderer, so the body keeps the identity
    guarantee with plain Python-Markdown.
    """
    return body.replace("<th>", '<th scope="col">').replace('<th style="', '<th scope="col" style="')


def _page(lang: str, links: list, switcher: list) -> dict:
    return {
        "html_lang": html_lang(lang),
        "dir": text_direction(lang),
        "alternates": links,
        "switcher": switcher,
        "root": "../",
        "home": "index.html",
        "feed": "feed.xml",
    }


def _site(config: Config) -> dict:
    return {"name": config.project_name}


def _chooser_alternate(settings: SiteSettings) -> Alternate:
    # The language chooser is the page for readers whose language has no edition.
    return Alternate("x-default", "", settings.url("index.html"), "")


def _ui_translations(config: Config, lang: str) -> UiTranslations:
    path = config.catalog_path(lang, SITE)
    if lang == UI_LANG or not path.exists():
        return UiTranslations(None)
    return UiTranslations(read_po(path, config.rel(path), lang))


def _install(env: jinja2.Environment, ui: UiTranslations) -> None:
    env.install_gettext_callables(ui.gettext, ui.ngettext, newstyle=True, pgettext=ui.pgettext, npgettext=ui.npgettext)


def _remove_stale(config: Config, langs: list[str], report: BuildReport) -> None:
    """Files of a built language that this build did not write: a renamed slug, a
    withheld edition, a deleted article, the index of a language left without one."""
    for lang in langs:
        folder = config.output_dir / lang
        for page in sorted([*folder.glob("*.html"), *folder.glob("feed.xml")]):
            if page not in report.files:
                page.unlink()
                report.removed.append(config.rel(page))


def _write(path: Path, text: str, config: Config, report: BuildReport) -> None:
    report.files.add(path)
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        report.unchanged += 1
        return
    atomic_write(path, data)
    report.written.append(config.rel(path))


__all__ = ["BuildReport", "build", "environment", "language_name"]
