"""The pages of a build, one function per kind: an article's edition, an index,
a feed, the search page, the 404 pages, the language chooser, the sitemap.

A `BuildContext` holds what every page needs and is the same for all articles of
a build: the policies, the enforced checks, the page templates with each
language's UI translations (`chrome`), the site's addresses (`addresses`) and the
frame around the content (`frame`). The functions here only turn what they are
given into HTML or XML; which editions exist is `step`'s decision.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polib
from markupsafe import Markup

from pipeline.base.errors import UsageError
from pipeline.build.addresses import (
    Alternate,
    SiteSettings,
    alternates,
    display_name,
    index_urls,
    long_date,
    w3c_date,
)
from pipeline.build.bidi import isolate_ltr
from pipeline.build.frame import (
    label_cells,
    medical_web_page,
    nav_pages,
    og_locale,
    page_frame,
    publisher,
    script_json,
)
from pipeline.build.indexer import OTHER_LANGUAGE
from pipeline.build.notices import marks, notices
from pipeline.build.policy import Policy
from pipeline.build.render import Rendered, Translations
from pipeline.catalog.chrome import CHROME, CHROME_LANG, FOOTNOTE_BACKLINK, ChromeTranslations, environment
from pipeline.catalog.pofile import read_po
from pipeline.catalog.signoffs import SET_UP, has_reviewers
from pipeline.config.languages import text_direction
from pipeline.config.load import Config, html_lang
from pipeline.review.cached import Recorded
from pipeline.review.enforce import Enforcer
from pipeline.source.article import Article
from pipeline.source.convert import Converter

# UI strings Python needs in several languages at once (the chooser, the root 404);
# each is also written in a template, where the catalog's extraction finds it.
PURPOSE = "Articles for patients and their families from %(site)s."
NOT_FOUND = "Page not found"
TO_HOME = "Go to the home page"


class BuildContext:
    """Everything a page needs that is the same for all articles of a build."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.settings: SiteSettings = config.site
        self.rules: dict[str, Policy] = config.policies
        if any(rule.require == "approved" for rule in self.rules.values()) and not has_reviewers(config.locales_dir):
            # No key to verify a sign-off against: trusting the comments would trust text.
            raise UsageError('require = "approved": ' + SET_UP)
        # What `check` last found, where still current: an entry it judged is not judged again.
        self.enforcer = Enforcer(config, recorded=Recorded.load(config))
        self.chrome = {
            lang: _chrome_translations(config, lang, self.enforcer, self.rules[lang].require)
            for lang in config.languages
        }
        self.marks = {lang: marks(self.chrome[lang], lang) for lang in config.languages}
        # The policy's gate on the page chrome (`policy.decide`): language → share reviewed.
        self.chrome_share = {lang: ui.percent for lang, ui in self.chrome.items()}
        self.converter = Converter(config, mark_attributes=OTHER_LANGUAGE)
        self.env = environment(config.root / ".cache" / "pipeline" / "jinja")
        self.nav_pages = nav_pages(config, self.rules, self.chrome_share)
        self.publisher = publisher(config, self.settings)

    def use_language(self, lang: str) -> None:
        """Point the templates' gettext at `lang`'s reviewed UI translations."""
        ui = self.chrome.get(lang) or ChromeTranslations(None)
        self.env.install_gettext_callables(
            ui.gettext, ui.ngettext, newstyle=True, pgettext=ui.pgettext, npgettext=ui.npgettext
        )
        # `lang="en"` on the element of a UI string shown in English, and the page's
        # language back on a value inside it (templates: `ui_lang`, `ui_inner`).
        self.env.globals.update(ui_lang=ui.mark, ui_inner=ui.unmark)


def page_html(ctx: BuildContext, rendered: Rendered, slugs: dict[str, str]) -> str:
    """The whole HTML page of one edition."""
    article, lang, config = rendered.article, rendered.lang, ctx.config
    links, switcher = alternates(slugs, lang, article.lang, ctx.settings)
    url = ctx.settings.url(f"{lang}/{slugs[lang]}.html")
    translated = lang != article.lang
    source_url = ctx.settings.url(f"{article.lang}/{slugs[article.lang]}.html") if translated else None
    others = [ctx.settings.url(f"{x}/{slug}.html") for x, slug in slugs.items() if x != article.lang]
    title, description = rendered.title, rendered.description
    ui = ctx.chrome.get(lang)
    data = medical_web_page(
        article, lang, url, title.text, description.text if description else None, ctx.publisher, source_url, others
    )
    page = page_frame(ctx.config, ctx.nav_pages, lang, links, switcher, "../", article.name) | {
        "title": title,
        "description": description,
        "body": _isolated(label_cells(_translate_backlinks(accessible_tables(rendered.body), ui)), lang, config),
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
    page = page_frame(ctx.config, ctx.nav_pages, lang, links, switcher, "../") | {
        "articles": [Markup(item["html"]) for item in items],
        "is_home": True,
    }
    return ctx.env.get_template("index.html").render(page=page, publisher=ctx.publisher)


def search_html(ctx: BuildContext, lang: str, active: list[str]) -> str:
    """`output/<lang>/search.html`: the search form and, with JavaScript, the results
    from this language's index."""
    _links, switcher = alternates({x: "search" for x in active}, lang, ctx.config.source_lang, ctx.settings)
    page = page_frame(ctx.config, ctx.nav_pages, lang, [], switcher, "../")
    return ctx.env.get_template("search.html").render(page=page, publisher=ctx.publisher)


def not_found_html(ctx: BuildContext, lang: str, active: list[str]) -> str:
    """`output/<lang>/404.html`: served for any missing address, so every link in it
    starts at the site's root path."""
    prefix = ctx.settings.base_path
    _links, switcher = alternates({x: "index" for x in active}, lang, ctx.config.source_lang, ctx.settings, prefix)
    page = page_frame(ctx.config, ctx.nav_pages, lang, [], switcher, prefix)
    return ctx.env.get_template("404.html").render(page=page, publisher=ctx.publisher)


def chooser_html(ctx: BuildContext, active: list[str], not_found: bool = False) -> str:
    """`output/index.html`: links to every edition's home page, each in its own
    language; with `not_found`, `output/404.html`, the same for a missing address."""
    prefix = ctx.settings.base_path if not_found else ""
    links, switcher = alternates({x: "index" for x in active}, "", ctx.config.source_lang, ctx.settings, prefix)
    links = [] if not_found else [a for a in links if a.hreflang != "x-default"] + [_chooser_alternate(ctx.settings)]
    choices = []
    for lang, alt in zip(active, switcher, strict=True):
        ui = ctx.chrome.get(lang) or ChromeTranslations(None)
        choices.append(
            {
                "alt": alt,
                "purpose": ui.gettext(PURPOSE) % {"site": ctx.publisher["name"]},
                "not_found": ui.gettext(NOT_FOUND),
                "to_home": ui.gettext(TO_HOME),
            }
        )
    page = page_frame(ctx.config, ctx.nav_pages, ctx.config.source_lang, links, switcher, prefix) | {
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


def sitemap_xml(ctx: BuildContext, articles: list[str], active: list[str]) -> str:
    """`output/sitemap.xml` with `xhtml:link` alternates for every published edition
    (`articles`: each article's `<url>` blocks, as `build_article` made them)."""
    parts = ctx.env.get_template("_parts.html").module
    blocks = [Markup(a) for a in articles] + [parts.urls(index_urls(active, ctx.settings))]
    return ctx.env.get_template("sitemap.xml").render(blocks=blocks)


def accessible_tables(body: str) -> str:
    """Header cells of Markdown tables are column headers: `scope="col"` (WCAG 1.3.1).

    Done on the page, not in the body renderer, so the body keeps the identity
    guarantee with plain Python-Markdown.
    """
    return _TH_RE.sub('<th scope="col"', body)


# Python-Markdown's default title of a footnote's back link (its BACKLINK_TITLE).
_BACKLINK_RE = re.compile(r'title="Jump back to footnote (\d+) in the text"')


def _translate_backlinks(body: str, ui: ChromeTranslations | None) -> str:
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


def _isolated(body: str, lang: str, config: Config) -> str:
    """On a right-to-left page, the body's left-to-right runs isolated (`bidi`)."""
    return isolate_ltr(body, config.protected_patterns) if text_direction(lang) == "rtl" else body


def _date(date: dt.date | None, lang: str, config: Config) -> dict[str, str] | None:
    return {"text": long_date(date, lang, config), "iso": w3c_date(date)} if date else None


def _original(article: Article, slugs: dict[str, str], lang: str) -> dict[str, str]:
    """The source edition, as a translated page names it (in the page's language)."""
    name = display_name(article.lang, lang)
    return {"href": f"../{article.lang}/{slugs[article.lang]}.html", "hreflang": html_lang(article.lang), "name": name}


def _chooser_alternate(settings: SiteSettings) -> Alternate:
    # The language chooser is the page for readers whose language has no edition.
    return Alternate("x-default", "", settings.url("index.html"), "")


def _chrome_translations(config: Config, lang: str, enforcer: Enforcer, require: str) -> ChromeTranslations:
    path = config.catalog_path(lang, CHROME)
    if lang == CHROME_LANG:
        return ChromeTranslations(None)
    if not path.exists():
        return ChromeTranslations.untranslated(lang)

    def judge(entry: polib.POEntry, msgid: str, msgstr: str) -> str | None:
        found = enforcer.refusal(entry, msgid, msgstr, lang, CHROME_LANG)
        return f"{found.check}: {found.message}" if found is not None else None

    rel = config.rel(path)
    return ChromeTranslations(read_po(path, rel, lang), rel, judge, require, lang, config.protected_patterns)


def withdrawn_html(ctx: BuildContext, article: Article, lang: str, po: polib.POFile, slugs: dict[str, str]) -> str:
    """The page at the address of a withheld edition that was published before: in its
    language, it says the translation is being updated and links to the source
    edition; `noindex`, canonical to the source edition, linked from nowhere."""
    source_url = ctx.settings.url(f"{article.lang}/{slugs[article.lang]}.html")
    rule = ctx.rules[lang]
    title = Translations(po, article.lang, lang=lang, enforcer=ctx.enforcer, require=rule.require).text(
        str(article.meta.get("title") or article.slug)
    )
    page = page_frame(ctx.config, ctx.nav_pages, lang, [], [], "../", article.name) | {
        "title": title,
        "canonical": source_url,
        "source_href": f"../{article.lang}/{slugs[article.lang]}.html",
        "source_lang": html_lang(article.lang),
        "source_name": display_name(article.lang, lang),
    }
    ctx.use_language(lang)
    return ctx.env.get_template("withdrawn.html").render(page=page, publisher=ctx.publisher)
