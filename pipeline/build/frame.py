"""The page frame around the articles: the site's own pages in the header and
footer, the stylesheet's accent colour, schema.org JSON-LD and Open Graph tags.

The pages named in `nav` and `footer_pages` (`[tool.pipeline.site]`) are articles
like any other; every page links each of them in the page's own language when that
edition is published, else its source edition (marked with its language).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import get_global
from markupsafe import Markup

from pipeline.base.manifest import FileHashes
from pipeline.build.addresses import Alternate, SiteSettings
from pipeline.build.policy import Policy
from pipeline.build.render import Translations, catalog_for, editions
from pipeline.catalog.chrome import templates_dir
from pipeline.catalog.update import catalog_hashes
from pipeline.config.languages import text_direction
from pipeline.config.load import Config, html_lang
from pipeline.source.article import Article, article_name, derived_slugs, load_article, source_files


@dataclass(frozen=True)
class NavPage:
    """One edition of a page named in `nav` or `footer_pages` as a link: where it is
    and what it is called."""

    name: str  # the article's name (source/<name>.md)
    lang: str  # the language of the edition linked
    slug: str
    title: str
    title_lang: str | None  # the title's language when it is not the page's


def nav_pages(
    config: Config, rules: dict[str, Policy], chrome: Mapping[str, float] | None = None
) -> dict[str, dict[str, NavPage]]:
    """language → article name → the link every page of that language shows.

    Read when a build starts, from the catalogs as they are then (a page whose
    catalog the same `publish` creates is linked in its own language from the next
    build on: the build stamp includes these catalogs, so that build redoes every page).
    """
    pages: dict[str, dict[str, NavPage]] = {lang: {} for lang in config.languages}
    slugs = derived_slugs(article_name(p, config) for p in source_files(config)) if config.frame.pages else {}
    for name in config.frame.pages:
        article = load_article(config.source_dir / f"{name}.md", config, slugs.get(name))
        title = str(article.meta.get("title") or article.slug)
        source = NavPage(name, article.lang, article.slug, title, html_lang(article.lang))
        catalogs = {x: catalog_for(config, article, x) for x in config.languages if x != article.lang}
        shown = editions(config, article, catalogs, rules, chrome=chrome)
        for lang in config.languages:
            if lang == article.lang:
                pages[lang][name] = NavPage(name, lang, article.slug, title, None)
            elif lang in shown.published:
                rule = rules[lang]
                po = shown.published[lang]
                text = Translations(po, article.lang, rule.show_drafts, lang=lang, require=rule.require).text(title)
                pages[lang][name] = NavPage(name, lang, shown.slugs[lang], text.text, text.lang)
            else:
                pages[lang][name] = source
    return pages


def page_frame(
    config: Config,
    pages: dict[str, dict[str, NavPage]],
    lang: str,
    links: list[Alternate],
    switcher: list[Alternate],
    prefix: str,
    current: str | None = None,
) -> dict[str, Any]:
    """What every page of `lang` shows around its content; `prefix` leads from the
    page to the root of `output/` (`../`, or the site's root path on a 404 page)."""
    own = pages.get(lang, {})

    def link(name: str) -> dict[str, Any]:
        p: NavPage = own[name]
        return {
            "href": f"{prefix}{p.lang}/{p.slug}.html",
            "title": p.title,
            "lang": p.title_lang,
            "hreflang": html_lang(p.lang) if p.lang != lang else None,
            "current": current == name and p.lang == lang,
        }

    return {
        "html_lang": html_lang(lang),
        "dir": text_direction(lang),
        "alternates": links,
        "switcher": switcher,
        "root": prefix,
        "home": f"{prefix}{lang}/index.html",
        "feed": f"{prefix}{lang}/feed.xml",
        "search": f"{prefix}{lang}/search.html",
        "nav": [link(name) for name in config.frame.nav if name in own],
        "footer_pages": [link(name) for name in config.frame.footer_pages if name in own],
        "is_home": False,
        "indexed": False,  # only article pages go into the search index (data-pagefind-body)
    }


def publisher(config: Config, settings: SiteSettings) -> dict[str, Any]:
    """The `publisher` of every template (the clinic): name, base URL, logo and contact details."""
    frame = config.frame
    logo = logo_name(config) if frame.logo else None
    phone = frame.phone
    return {
        "name": frame.name or config.project_name,
        "url": settings.base_url,
        "logo": logo,
        "logo_url": settings.url(f"assets/{logo}") if logo else None,
        # Open Graph readers take PNG and JPEG, not SVG
        "og_image": settings.url(f"assets/{logo}") if logo and logo.endswith(".png") else None,
        "phone": phone,
        "phone_href": "tel:" + "".join(c for c in phone if c.isdigit() or c == "+") if phone else None,
        "email": frame.email,
        "address": list(frame.address),
        "has_contact": frame.has_contact,
    }


def logo_name(config: Config) -> str:
    """The logo's file name under `output/assets/`."""
    return "logo" + Path(config.frame.logo or "").suffix.lower()


def site_assets(config: Config) -> dict[str, bytes]:
    """`output/assets/`: the stylesheet (with the site's accent colour), the search
    page's script and the logo."""
    folder = templates_dir()
    assets = {
        "style.css": accent_css(config.frame.accent) + (folder / "style.css").read_bytes(),
        "search.js": (folder / "search.js").read_bytes(),
    }
    if config.frame.logo:
        assets[logo_name(config)] = (config.source_dir / config.frame.logo).read_bytes()
    return assets


def accent_css(accent: str) -> bytes:
    """The stylesheet's first rule: the site's accent colour (`accent`)."""
    return f":root {{ --brand: {accent}; }}\n".encode()


def script_json(data: Any) -> Markup:
    """JSON for a `<script type="application/ld+json">`: nothing in it can close the
    element or start markup (`<`, `>`, `&` as \\u escapes), and U+2028/U+2029, which
    older JavaScript parsers treat as line ends, are escaped too."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return Markup(text)


@cache  # a pure function of the code, asked on every page
def og_locale(lang: str) -> str:
    """Open Graph's `language_TERRITORY` for a language code: `de` → `de_DE`."""
    locale = Locale.parse(lang)
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely = Locale.parse(get_global("likely_subtags").get(locale.language, locale.language))
    return f"{likely.language}_{likely.territory}" if likely.territory else likely.language


def medical_web_page(
    article: Article,
    lang: str,
    url: str,
    title: str,
    description: str | None,
    publisher: dict[str, Any],
    source_url: str | None,
    translations: list[str],
) -> dict[str, Any]:
    """schema.org `MedicalWebPage` of one edition; only dates the front matter has."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": title,
        "headline": title,
        "inLanguage": html_lang(lang),
    }
    if description:
        data["description"] = description
    for key, date in (
        ("datePublished", article.date),
        ("dateModified", article.last_modified),
        ("lastReviewed", article.reviewed),
    ):
        if date is not None:
            data[key] = date.isoformat()
    if author := article.meta.get("author"):
        data["author"] = {"@type": "Person", "name": str(author)}
    if reviewer := article.meta.get("reviewed_by"):
        data["reviewedBy"] = {"@type": "Person", "name": str(reviewer)}
    organization: dict[str, Any] = {"@type": "Organization", "name": publisher["name"], "url": publisher["url"]}
    if publisher.get("logo_url"):
        organization["logo"] = {"@type": "ImageObject", "url": publisher["logo_url"]}
    data["publisher"] = organization
    data["isPartOf"] = {"@type": "WebSite", "name": publisher["name"], "url": publisher["url"]}
    if source_url:  # a translation: the source edition is the work it translates
        original = {
            "@type": "MedicalWebPage",
            "@id": source_url,
            "url": source_url,
            "inLanguage": html_lang(article.lang),
        }
        data["isBasedOn"] = original
        data["translationOfWork"] = {"@id": source_url}
    elif translations:
        data["workTranslation"] = [{"@id": u} for u in translations]
    return data


def label_cells(body: str) -> str:
    """Each data cell of a table that has a header row carries its column's header
    text as `data-label`, so a narrow screen can show each row as a card of
    labelled lines (style.css). Done on the page, not in the body renderer, like
    `pages.accessible_tables`."""
    if "<table" not in body:
        return body
    out, pos = [], 0
    while (start := body.find("<table", pos)) != -1 and (end := body.find("</table>", start)) != -1:
        out += [body[pos:start], _label_table(body[start:end])]
        pos = end
    out.append(body[pos:])
    return "".join(out)


def _label_table(table: str) -> str:
    head_end = table.find("</thead>")
    if head_end == -1:
        return table
    labels = [_plain(cell) for cell in _inner(table[:head_end], "th")]
    rows = table[head_end:].split("<tr")
    for i, row in enumerate(rows[1:], 1):
        pieces = row.split("<td")
        for j in range(1, len(pieces)):
            if j - 1 < len(labels) and pieces[j][:1] in (">", " ", "\n", "\t"):
                pieces[j] = f' data-label="{html.escape(labels[j - 1], quote=True)}"' + pieces[j]
        rows[i] = "<td".join(pieces)
    return table[:head_end] + "<tr".join(rows)


def _inner(html_text: str, tag: str) -> list[str]:
    """The inner HTML of every `<tag ...>...</tag>` in `html_text`, in order."""
    found, pos = [], 0
    while (start := html_text.find(f"<{tag}", pos)) != -1:
        open_end = html_text.find(">", start)
        close = html_text.find(f"</{tag}>", open_end)
        if open_end == -1 or close == -1:
            break
        found.append(html_text[open_end + 1 : close])
        pos = close
    return found


def _plain(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    text, pos = [], 0
    while (lt := fragment.find("<", pos)) != -1:
        text.append(fragment[pos:lt])
        gt = fragment.find(">", lt)
        pos = len(fragment) if gt == -1 else gt + 1
    text.append(fragment[pos:])
    return " ".join(html.unescape("".join(text)).split())


def frame_inputs(config: Config, hashes: FileHashes, slugs: Mapping[str, str] | None = None) -> list[str | None]:
    """What every page's frame comes from besides the templates: the logo, and the
    sources, default addresses and catalogs of the site's own pages (their titles and
    slugs are linked from every page). `slugs`: every article's default address by
    name (None: made from the source folder now)."""
    inputs = [hashes(config.source_dir / config.frame.logo)] if config.frame.logo else []
    if config.frame.pages and slugs is None:
        slugs = derived_slugs(article_name(p, config) for p in source_files(config))
    for name in config.frame.pages:
        path = config.source_dir / f"{name}.md"
        inputs += [hashes(path), (slugs or {}).get(name), *catalog_hashes(config, name, hashes)]
    return inputs
