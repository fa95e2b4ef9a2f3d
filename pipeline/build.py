"""`build`: every edition of every article → `output/<lang>/<slug>.html`.

An edition exists in the article's own language, and in each other language that
has a catalog for it. Pages link each other with `hreflang` alternates (plus
`x-default`, the source edition) and a language switcher listing only editions that
exist. Same input, same bytes: nothing in a page depends on the clock or the order
of files on disk, and a file whose bytes would not change is not rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2
from babel import Locale
from babel.dates import format_date

from pipeline.article import Article, discover, load_article
from pipeline.config import Config, html_lang
from pipeline.convert import Converter
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write
from pipeline.publish import Policy, decide, policies
from pipeline.render import Rendered, catalog_for, localized_slug, render


@dataclass(frozen=True)
class Alternate:
    """One edition as seen from a page: for `<link rel=alternate>` and the switcher."""

    hreflang: str
    href: str
    name: str
    current: bool = False


@dataclass
class BuildReport:
    """What `build` wrote, and what it could not build."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str, str]] = field(default_factory=list)  # (article, lang, reason)
    unchanged: int = 0
    pages: set[Path] = field(default_factory=set)
    errors: list[PipelineError] = field(default_factory=list)


def environment() -> jinja2.Environment:
    """The page templates, autoescaped, with gettext calls available."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_null_translations(newstyle=True)
    return env


def build(config: Config, langs: Iterable[str] | None = None) -> BuildReport:
    """Build the pages of `langs` (every language when None)."""
    wanted = set(langs) if langs else set(config.languages)
    report = BuildReport()
    converter = Converter(config)
    env = environment()
    rules = policies(config)
    failed = False
    for path in discover(config):
        try:
            article = load_article(path, config)
            build_article(converter, env, config, article, wanted, rules, report)
        except PipelineError as exc:
            report.errors.append(exc)
            failed = True
    _write(config.output_dir / "assets" / "style.css", _asset("style.css"), config, report)
    if not failed:
        _remove_stale(config, wanted, report)
    return report


def build_article(
    converter: Converter,
    env: jinja2.Environment,
    config: Config,
    article: Article,
    wanted: set[str],
    rules: dict[str, Policy],
    report: BuildReport,
) -> None:
    """Render and write the wanted, published editions of one article."""
    catalogs = {}
    for lang in config.languages:
        if lang == article.lang or (po := catalog_for(config, article, lang)) is None:
            continue
        decision = decide(po, rules[lang])
        if decision.published:
            catalogs[lang] = po
        elif lang in wanted:
            report.withheld.append((article.name, lang, decision.reason))
    slugs = {article.lang: article.slug} | {lang: localized_slug(po, article.slug) for lang, po in catalogs.items()}
    editions = [lang for lang in config.languages if lang in slugs]
    pages = []
    for lang in editions:
        if lang in wanted:
            rendered = render(converter, config, article, lang, catalogs.get(lang), rules[lang].show_drafts)
            pages.append((lang, page_html(env, config, rendered, slugs)))
    for lang, text in pages:
        path = config.output_dir / lang / f"{slugs[lang]}.html"
        _write(path, text, config, report)
        report.pages.add(path)


def page_html(env: jinja2.Environment, config: Config, rendered: Rendered, slugs: dict[str, str]) -> str:
    """The whole HTML page of one edition."""
    article, lang = rendered.article, rendered.lang
    locale = Locale.parse(lang)
    alternates = [
        Alternate(html_lang(other), f"../{other}/{slug}.html", _language_name(other), other == lang)
        for other, slug in slugs.items()
    ]
    x_default = Alternate("x-default", f"../{article.lang}/{slugs[article.lang]}.html", "")
    date = article.date
    page = {
        "html_lang": html_lang(lang),
        "dir": "rtl" if locale.character_order == "right-to-left" else "ltr",
        "title": rendered.title,
        "description": rendered.description,
        "body": rendered.body,
        "date": format_date(date, format="full", locale=config.date_locales.get(lang, lang)) if date else None,
        "date_iso": date.isoformat() if date else None,
        "author": article.meta.get("author"),
        "alternates": [*alternates, x_default] if len(alternates) > 1 else [],
        "switcher": alternates,
        "root": "../",
        "machine_notice": rendered.drafts_shown > 0,
    }
    return env.get_template("page.html").render(page=page, site_name=config.project_name)


def _language_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def _asset(name: str) -> str:
    return resources.files("pipeline").joinpath("templates", name).read_text(encoding="utf-8")


def _remove_stale(config: Config, langs: set[str], report: BuildReport) -> None:
    """Pages of a built language that this build did not write: a renamed slug or a
    deleted article. Only after a build without errors, so nothing vanishes because
    one catalog was broken."""
    for lang in langs:
        for page in sorted((config.output_dir / lang).glob("*.html")):
            if page not in report.pages:
                page.unlink()
                report.removed.append(config.rel(page))


def _write(path: Path, text: str, config: Config, report: BuildReport) -> None:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        report.unchanged += 1
        return
    atomic_write(path, data)
    report.written.append(config.rel(path))
