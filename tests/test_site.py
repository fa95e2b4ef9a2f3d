"""The site around the articles: UI catalog, the page frame (branding, navigation,
footer), home pages, chooser, 404 and search pages, trust information and JSON-LD,
sitemap, feeds, the search index, and the `[tool.pipeline.site]` checks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import polib
import pytest

from pipeline.build.search import UNUSED
from tests.support import ROOT, assert_fragment, fragments, make_project, run

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://clinic.example/"

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>\n'
# Placeholder contact details: the test checks they are shown as given.
SETTINGS = f"""\
[tool.pipeline.site]
base_url = "{BASE}"
logo = "logo.svg"
accent = "#123456"
phone = "+00 000 000 000"
email = "contact@clinic.example"
address = ["Example Street 1", "00000 Example Town"]
nav = ["about"]
footer_pages = ["about"]
"""
ARTICLES = {
    "old": "---\ntitle: Old news\ndate: 2019-01-05\ndescription: An old article.\n---\n\nOld text.\n",
    "new": (
        "---\ntitle: New news\ndate: 2021-03-04\nupdated: 2021-04-01\nreviewed: 2021-05-06\nauthor: Test Author\n"
        "reviewed_by: Test Reviewer\ndescription: A new article.\n---\n\nNew text.\n"
    ),
    "about": "---\ntitle: About us\ndate: 2018-01-01\n---\n\nHow we work.\n",
    "draft": "---\ntitle: Draft only\ndate: 2022-01-01\n---\n\nNot yet translated.\n",
    "german": "---\ntitle: Deutscher Artikel\ndate: 2020-05-05\nlang: de\n---\n\nDeutscher Text.\n",
}
GERMAN = {
    "Old news": "Alte Nachricht",
    "An old article.": "Ein alter Artikel.",
    "Old text.": "Alter Text.",
    "New news": "Neue Nachricht",
    "A new article.": "Ein neuer Artikel.",
    "New text.": "Neuer Text.",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    (folder / "source").mkdir()
    (folder / "source/logo.svg").write_text(LOGO, encoding="utf-8")
    root = make_project(folder, ARTICLES, SETTINGS)
    assert run(root, "update").code == 0
    for name, mapping in (
        ("old", GERMAN),
        ("new", GERMAN),
        ("german", {"Deutscher Artikel": "German article", "Deutscher Text.": "German text."}),
    ):
        lang = "en" if name == "german" else "de"
        path = root / f"locales/{lang}/LC_MESSAGES/{name}.po"
        po = polib.pofile(str(path))
        for e in po:
            e.msgstr = mapping.get(e.msgid, "")
            if e.msgctxt == "slug" and name == "new":
                e.msgstr = "neue-nachricht"
        po.save(str(path))
    shutil.copy(ROOT / "locales/de/LC_MESSAGES/site.po", root / "locales/de/LC_MESSAGES/site.po")
    result = run(root, "build")
    assert result.code == 0, result.err
    assert "draft [de]: withheld" in result.out
    assert "about [de]: withheld" in result.out
    return root


def read(site, path):
    return (site / "output" / path).read_text(encoding="utf-8")


def test_site_catalog_is_extracted_from_the_templates(site):
    pot = polib.pofile(str(site / "locales/templates/site.pot"))
    ids = {e.msgid for e in pot}
    assert {"Skip to content", "Languages", "Articles", "Published on %(date)s by %(author)s"} <= ids
    assert all(o[0].startswith(("pipeline/templates/", "pipeline/build.py")) for e in pot for o in e.occurrences)
    stats = run(site, "stats", "--lang", "de")
    assert "site" in stats.out


def test_german_ui_shows_no_english_chrome(site):
    html = read(site, "de/alte-nachricht.html" if (site / "output/de/alte-nachricht.html").exists() else "de/old.html")
    chrome = re.sub(r"<main.*?</main>", "", html, flags=re.S)
    for english in ("Skip to content", "Languages", "Subscribe", "Published on", " by "):
        assert english not in chrome and english not in html, english
    assert "Zum Inhalt springen" in html
    assert "Veröffentlicht am <time" in html
    index = read(site, "de/index.html")
    assert "<h2>Neueste Artikel</h2>" in index and "Articles" not in index and "Newest" not in index


def test_edition_index_lists_published_articles_newest_first(site):
    # a card: title, description (where there is one), date; the German source
    # article under its own title; the withheld draft not at all
    index = read(site, "de/index.html")
    assert_fragment(
        index,
        "ul.article-list",
        """
        <ul class="article-list cards">
        <li class="card">
        <h3><a href="neue-nachricht.html">Neue Nachricht</a></h3>
        <p>Ein neuer Artikel.</p>
        <p class="byline"><time datetime="2021-03-04">Donnerstag, 4. März 2021</time></p>
        </li>
        <li class="card">
        <h3><a href="german.html">Deutscher Artikel</a></h3>
        <p class="byline"><time datetime="2020-05-05">Dienstag, 5. Mai 2020</time></p>
        </li>
        <li class="card">
        <h3><a href="old.html">Alte Nachricht</a></h3>
        <p>Ein alter Artikel.</p>
        <p class="byline"><time datetime="2019-01-05">Samstag, 5. Januar 2019</time></p>
        </li>
        </ul>
        """,
    )
    assert "Draft only" not in index  # withheld
    en_index = read(site, "en/index.html")
    # the site's own pages (nav, footer_pages) are linked by the frame, not listed
    assert_fragment(
        en_index,
        "ul.article-list",
        """
        <ul class="article-list cards">
        <li class="card">
        <h3><a href="draft.html">Draft only</a></h3>
        <p class="byline"><time datetime="2022-01-01">Saturday, 1 January 2022</time></p>
        </li>
        <li class="card">
        <h3><a href="new.html">New news</a></h3>
        <p>A new article.</p>
        <p class="byline"><time datetime="2021-03-04">Thursday, 4 March 2021</time></p>
        </li>
        <li class="card">
        <h3><a href="german.html">German article</a></h3>
        <p class="byline"><time datetime="2020-05-05">Tuesday, 5 May 2020</time></p>
        </li>
        <li class="card">
        <h3><a href="old.html">Old news</a></h3>
        <p>An old article.</p>
        <p class="byline"><time datetime="2019-01-05">Saturday, 5 January 2019</time></p>
        </li>
        </ul>
        """,
    )
    assert_fragment(
        en_index,
        "div.hero",
        """
        <div class="hero">
        <h1>articles</h1>
        <p class="purpose">Articles for patients and their families from articles.</p>
        </div>
        """,
    )


def test_language_chooser(site):
    chooser = read(site, "index.html")
    # each language's card names it and says what the site is, in that language
    assert_fragment(
        chooser,
        "main",
        """
        <main id="main" class="chooser">
        <div class="chooser-brand"><img src="assets/logo.svg" alt="" width="72" height="72">
        <h1>articles</h1></div>
        <ul class="choices">
        <li><a href="en/index.html" hreflang="en" lang="en"><span class="choice-title">English</span>
        <span class="choice-text">Articles for patients and their families from articles.</span></a></li>
        <li><a href="de/index.html" hreflang="de" lang="de"><span class="choice-title">Deutsch</span>
        <span class="choice-text">Artikel für Patientinnen, Patienten und Angehörige von articles.</span></a></li>
        </ul>
        </main>
        """,
    )
    assert fragments(chooser, 'link[rel="alternate"]') == [
        f'<link rel="alternate" hreflang="en" href="{BASE}en/index.html">',
        f'<link rel="alternate" hreflang="de" href="{BASE}de/index.html">',
        f'<link rel="alternate" hreflang="x-default" href="{BASE}index.html">',
    ]


def test_sitemap_lists_exactly_the_published_editions(site):
    tree = ET.parse(site / "output/sitemap.xml")
    urls = {u.find(f"{SM}loc").text: u for u in tree.getroot().findall(f"{SM}url")}
    pages = {
        BASE + p.relative_to(site / "output").as_posix()
        for p in (site / "output").glob("*/*.html")
        if p.name not in ("search.html", "404.html")
    }
    assert set(urls) == pages
    # the newest of date, updated and reviewed
    assert urls[f"{BASE}en/new.html"].find(f"{SM}lastmod").text == "2021-05-06"
    assert urls[f"{BASE}en/old.html"].find(f"{SM}lastmod").text == "2019-01-05"
    assert f"{BASE}de/draft.html" not in urls
    new = urls[f"{BASE}en/new.html"]
    links = {link.get("hreflang"): link.get("href") for link in new.findall(f"{XHTML}link")}
    assert links == {
        "en": f"{BASE}en/new.html",
        "de": f"{BASE}de/neue-nachricht.html",
        "x-default": f"{BASE}en/new.html",
    }
    german = urls[f"{BASE}en/german.html"]
    links = {link.get("hreflang"): link.get("href") for link in german.findall(f"{XHTML}link")}
    assert links["x-default"] == f"{BASE}de/german.html"  # its source edition
    assert {link.get("hreflang") for link in urls[f"{BASE}en/draft.html"].findall(f"{XHTML}link")} == set()


@pytest.mark.parametrize(
    ("lang", "expected"), [("de", ["neue-nachricht", "german", "old"]), ("en", ["draft", "new", "german", "old"])]
)
def test_atom_feed_per_language(site, lang, expected):
    root = ET.parse(site / f"output/{lang}/feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    ids = [e.find(f"{ATOM}id").text for e in root.findall(f"{ATOM}entry")]
    assert ids == [f"{BASE}{lang}/{slug}.html" for slug in expected]
    # the feed's date and each entry's are the newest of date, updated and reviewed
    assert root.find(f"{ATOM}updated").text == ("2021-05-06T00:00:00Z" if lang == "de" else "2022-01-01T00:00:00Z")
    updated = {e.find(f"{ATOM}id").text: e.find(f"{ATOM}updated").text for e in root.findall(f"{ATOM}entry")}
    assert updated[ids[-1]] == "2019-01-05T00:00:00Z"
    assert updated[f"{BASE}{lang}/{expected[-3]}.html"] == "2021-05-06T00:00:00Z"
    if lang == "de":
        assert root.find(f"{ATOM}title").text == "test: Artikel" or "Artikel" in root.find(f"{ATOM}title").text


def test_withheld_edition_appears_nowhere(site):
    everything = "".join(
        p.read_text(encoding="utf-8")
        for p in (site / "output").rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml")
    )
    assert "de/draft.html" not in everything
    assert not (site / "output/de/draft.html").exists()


def test_ui_translations_are_escaped(site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output"))
    path = copy / "locales/de/LC_MESSAGES/site.po"
    po = polib.pofile(str(path))
    po.find("Skip to content").msgstr = '"><script>alert(1)</script>'
    po.find("Languages").msgstr = 'Sprachen" onmouseover="alert(1)'
    po.save(str(path))
    result = run(copy, "build")
    assert result.code == 0
    html = (copy / "output/de/old.html").read_text(encoding="utf-8")
    assert "<script>" not in html and 'onmouseover="' not in html
    # both are refused by the enforced `html` check: the English strings are shown
    assert ">Skip to content</a>" in html and 'aria-label="Languages"' in html
    assert result.err.count("locales/de/LC_MESSAGES/site.po:") == 2 and "— source shown" in result.err


def test_footnote_back_links_are_titled_in_the_page_language(tmp_path):
    root = make_project(
        tmp_path / "p", {"fn": "Text[^1].\n\n[^1]: Note.\n"}, "[tool.pipeline.publish]\nmin_reviewed = 0\n"
    )
    assert run(root, "update").code == 0
    shutil.copy(ROOT / "locales/de/LC_MESSAGES/site.po", root / "locales/de/LC_MESSAGES/site.po")
    path = root / "locales/de/LC_MESSAGES/fn.po"
    po = polib.pofile(str(path))
    for e in po:
        e.msgstr = {"Text[^1].": "Text[^1].", "Note.": "Anmerkung."}.get(e.msgid, "")
    po.save(str(path))
    assert run(root, "build").code == 0
    german = read(root, "de/fn.html")
    assert 'title="Zurück zur Fußnote 1 im Text"' in german and "Jump back" not in german
    assert 'title="Jump back to footnote 1 in the text"' in read(root, "en/fn.html")


def json_ld(html: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(data)


def test_page_frame_brand_navigation_and_footer(site):
    de = read(site, "de/neue-nachricht.html")
    assert (site / "output/assets/logo.svg").read_text(encoding="utf-8") == LOGO
    assert read(site, "assets/style.css").startswith(":root { --brand: #123456; }\n")
    # The logo in the brand link; the search box sends the query to the edition's own
    # search page. The German edition of "about" is withheld: every German page links
    # the English one, marked as English.
    assert_fragment(
        de,
        "header",
        """
        <header class="site">
        <div class="wrap site-bar">
        <a class="brand" href="../de/index.html"><img src="../assets/logo.svg" alt="" width="44" height="44"><span class="site-name">articles</span></a>
        <form class="site-search" role="search" action="../de/search.html" method="get">
        <label class="visually-hidden" for="site-search">Artikel durchsuchen</label>
        <input type="search" id="site-search" name="q" autocomplete="off">
        <button type="submit">Suchen</button>
        </form>
        <nav class="languages" aria-label="Sprachen">
        <ul>
        <li><a href="../en/new.html" hreflang="en" lang="en" rel="alternate">English</a></li>
        <li><span aria-current="page" lang="de">Deutsch</span></li>
        </ul>
        </nav>
        </div>
        <nav class="site-nav" aria-label="Hauptnavigation">
        <ul class="wrap">
        <li><a href="../de/index.html">Artikel</a></li>
        <li><a href="../en/about.html" hreflang="en" lang="en">About us</a></li>
        </ul>
        </nav>
        </header>
        """,
    )
    # "about" is named in nav and footer_pages: listed once in the footer
    assert_fragment(
        de,
        "footer",
        """
        <footer class="site">
        <div class="wrap footer-grid">
        <div class="footer-about">
        <p class="footer-name">articles</p>
        <address>
        Example Street 1<br>
        00000 Example Town<br>
        Telefon: <a href="tel:+00000000000">+00 000 000 000</a><br>
        E-Mail: <a href="mailto:contact@clinic.example">contact@clinic.example</a>
        </address>
        </div>
        <nav class="footer-links" aria-label="Über diese Website">
        <ul>
        <li><a href="../en/about.html" hreflang="en" lang="en">About us</a></li>
        <li><a href="../de/feed.xml" type="application/atom+xml">Neue Artikel abonnieren (Atom-Feed)</a></li>
        </ul>
        </nav>
        <p class="footer-disclaimer">Diese Informationen ersetzen nicht das Gespräch mit einer Ärztin oder einem Arzt.</p>
        </div>
        </footer>
        """,
    )
    # on the page itself, its nav link is the current page
    assert_fragment(
        read(site, "en/about.html"),
        "nav.site-nav",
        """
        <nav class="site-nav" aria-label="Main navigation">
        <ul class="wrap">
        <li><a href="../en/index.html">Articles</a></li>
        <li><a href="../en/about.html" aria-current="page">About us</a></li>
        </ul>
        </nav>
        """,
    )


def test_trust_lines_on_article_pages(site):
    # who wrote it and when, who reviewed it medically and when, when it was updated,
    # what it was translated from, that it replaces no doctor; the address, for paper
    assert_fragment(
        read(site, "de/neue-nachricht.html"),
        "article",
        f"""
        <article data-pagefind-body>


        <h1>Neue Nachricht</h1>
        <p class="byline">Veröffentlicht am <time datetime="2021-03-04">Donnerstag, 4. März 2021</time> von Test Author</p>
        <div class="facts">
        <p class="reviewed">Medizinisch geprüft am <time datetime="2021-05-06">Donnerstag, 6. Mai 2021</time> von Test Reviewer</p>
        <p>Aktualisiert am <time datetime="2021-04-01">Donnerstag, 1. April 2021</time></p>
        <p>Übersetzt aus dem Original auf <a class="original" href="../en/new.html" hreflang="en">Englisch</a>.</p>
        <p class="disclaimer">Diese Informationen ersetzen nicht das Gespräch mit einer Ärztin oder einem Arzt.</p>
        </div>
        <p>Neuer Text.</p>
        <p class="print-only">Adresse dieser Seite: <span class="url">{BASE}de/neue-nachricht.html</span></p>
        </article>
        """,
    )
    # the source edition says nothing about a translation
    assert_fragment(
        read(site, "en/new.html"),
        "div.facts",
        """
        <div class="facts">
        <p class="reviewed">Medically reviewed on <time datetime="2021-05-06">Thursday, 6 May 2021</time> by Test Reviewer</p>
        <p>Updated on <time datetime="2021-04-01">Thursday, 1 April 2021</time></p>
        <p class="disclaimer">This information does not replace a consultation with a doctor.</p>
        </div>
        """,
    )
    # no review date is made up where the front matter has none, nor an update
    old = read(site, "en/old.html")
    assert_fragment(
        old,
        "article",
        f"""
        <article data-pagefind-body>


        <h1>Old news</h1>
        <p class="byline">Published on <time datetime="2019-01-05">Saturday, 5 January 2019</time></p>
        <div class="facts">
        <p class="disclaimer">This information does not replace a consultation with a doctor.</p>
        </div>
        <p>Old text.</p>
        <p class="print-only">Page address: <span class="url">{BASE}en/old.html</span></p>
        </article>
        """,
    )
    assert "reviewed" not in old.lower().replace("lastreviewed", "") and "lastReviewed" not in old


def test_json_ld_medical_web_page(site):
    de = json_ld(read(site, "de/neue-nachricht.html"))
    assert de["@type"] == "MedicalWebPage" and de["inLanguage"] == "de"
    assert (de["datePublished"], de["dateModified"], de["lastReviewed"]) == ("2021-03-04", "2021-05-06", "2021-05-06")
    assert de["name"] == "Neue Nachricht" and de["url"] == f"{BASE}de/neue-nachricht.html"
    assert de["author"] == {"@type": "Person", "name": "Test Author"}
    assert de["reviewedBy"] == {"@type": "Person", "name": "Test Reviewer"}
    assert de["publisher"]["name"] == "articles" and de["publisher"]["logo"]["url"] == f"{BASE}assets/logo.svg"
    assert de["isBasedOn"]["@id"] == f"{BASE}en/new.html" and de["isBasedOn"]["inLanguage"] == "en"
    assert de["translationOfWork"] == {"@id": f"{BASE}en/new.html"}
    en = json_ld(read(site, "en/new.html"))
    assert en["inLanguage"] == "en" and "isBasedOn" not in en
    assert en["workTranslation"] == [{"@id": f"{BASE}de/neue-nachricht.html"}]
    assert "lastReviewed" not in json_ld(read(site, "en/old.html"))


def test_open_graph(site):
    de = read(site, "de/neue-nachricht.html")
    for tag in (
        '<meta property="og:type" content="article">',
        '<meta property="og:title" content="Neue Nachricht">',
        '<meta property="og:description" content="Ein neuer Artikel.">',
        f'<meta property="og:url" content="{BASE}de/neue-nachricht.html">',
        '<meta property="og:locale" content="de_DE">',
        '<meta property="og:locale:alternate" content="en_US">',
        '<meta property="article:modified_time" content="2021-05-06">',
    ):
        assert tag in de, tag
    assert "og:image" not in de  # an SVG logo is no Open Graph image


def test_json_ld_cannot_close_its_script(tmp_path):
    evil = "</script><script>alert(1)</script> & <!-- \u2028\u2029"
    article = f'---\ntitle: {json.dumps(evil)}\ndescription: "a < b > c"\n---\n\nText.\n'
    root = make_project(tmp_path / "p", {"evil": article}, "[tool.pipeline.publish]\nmin_reviewed = 0\n")
    assert run(root, "update").code == 0
    po_path = root / "locales/de/LC_MESSAGES/evil.po"
    po = polib.pofile(str(po_path))
    po.find(evil).msgstr = "</SCRIPT ><img src=x onerror=alert(1)>"
    po.save(str(po_path))
    assert run(root, "build").code == 0
    for page, title in (("en/evil.html", evil), ("de/evil.html", "</SCRIPT ><img src=x onerror=alert(1)>")):
        html = read(root, page)
        [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert not set(script) & {"<", ">", "&", "\u2028", "\u2029"}, script
        # the German title is the translation, or the source where the gate refused it
        assert json.loads(script)["name"] in (title, evil)
        assert "<script>alert" not in html and "<img src=x" not in html


def test_home_search_and_404_pages(site):
    for lang in ("en", "de"):
        assert (site / f"output/{lang}/search.html").is_file()
        missing = read(site, f"{lang}/404.html")
        # served for any missing address, so its links start at the site's root path
        assert '<link rel="stylesheet" href="/assets/style.css">' in missing
        assert f'<a href="/{lang}/index.html">' in missing and 'href="../' not in missing
        assert '<meta name="robots" content="noindex">' in missing
    assert_fragment(
        read(site, "de/404.html"),
        "main",
        """
        <main id="main">

        <h1>Seite nicht gefunden</h1>
        <p>Die gesuchte Seite gibt es nicht oder sie ist umgezogen.</p>
        <p><a href="/de/index.html">Zur Startseite</a></p>

        </main>
        """,
    )
    # the site's own 404: every edition's home, each in its language
    assert_fragment(
        read(site, "404.html"),
        "ul.choices",
        """
        <ul class="choices">
        <li><a href="/en/index.html" hreflang="en" lang="en"><span class="choice-title">Page not found</span>
        <span class="choice-text">Go to the home page (English)</span></a></li>
        <li><a href="/de/index.html" hreflang="de" lang="de"><span class="choice-title">Seite nicht gefunden</span>
        <span class="choice-text">Zur Startseite (Deutsch)</span></a></li>
        </ul>
        """,
    )
    search = read(site, "de/search.html")
    assert '<script type="module" src="../assets/search.js"></script>' in search
    assert 'data-none="Keine Artikel zu „%(query)s“ gefunden."' in search
    assert "<noscript>" in search and "data-pagefind-body" not in search


def test_search_index_has_only_article_pages_per_language(site):
    entry = json.loads(read(site, "pagefind/pagefind-entry.json"))
    counts = {lang: data["page_count"] for lang, data in entry["languages"].items()}
    # German: old, neue-nachricht, german; English: draft, new, german, old, about —
    # no home, search or 404 page, no chooser
    assert counts == {"de": 3, "en": 5}
    assert "<article data-pagefind-body>" in read(site, "en/old.html")
    assert "data-pagefind-body" not in read(site, "en/index.html") + read(site, "index.html")
    # an unchanged rebuild leaves the index alone
    rerun = run(site, "build")
    assert rerun.code == 0 and "0 file(s) written" in rerun.out
    # a review page in output/ is not indexed either, when the index is made again
    assert run(site, "review", "--lang", "de").code == 0
    (site / "output/pagefind/pagefind-entry.json").unlink()
    assert run(site, "build").code == 0
    entry = json.loads(read(site, "pagefind/pagefind-entry.json"))
    assert {lang: data["page_count"] for lang, data in entry["languages"].items()} == {"de": 3, "en": 5}


def test_search_index_is_one_pagefind_run_over_the_site(site, tmp_path):
    """Each edition is indexed by its own run (side by side): together they are
    byte for byte what one Pagefind run over the whole site writes."""
    assert_index_is_one_run(site, tmp_path / "whole")


def test_a_changed_page_is_indexed_again(site, tmp_path):
    """A translation changed: the German part is made again, the English part kept,
    and the index is what one run over the changed site writes. Then an English-only
    change, and back."""
    po_path = site / "locales/de/LC_MESSAGES/new.po"
    source = site / "source/draft.md"
    po_text, draft = po_path.read_text(encoding="utf-8"), source.read_text(encoding="utf-8")
    try:
        po_path.write_text(po_text.replace('"Neuer Text."', '"Neuer Text über Stammzellen."'), encoding="utf-8")
        assert run(site, "build").code == 0
        assert "Stammzellen" in read(site, "de/neue-nachricht.html")
        assert_index_is_one_run(site, tmp_path / "de")
        source.write_text(draft.replace("Not yet translated.", "Not yet translated: mesenchymal."), encoding="utf-8")
        assert run(site, "build").code == 0
        assert_index_is_one_run(site, tmp_path / "en")
    finally:
        po_path.write_text(po_text, encoding="utf-8")
        source.write_text(draft, encoding="utf-8")
        assert run(site, "build").code == 0
    assert_index_is_one_run(site, tmp_path / "back")


def assert_index_is_one_run(site, whole):
    argv = [sys.executable, "-m", "pagefind", "--site", str(site / "output"), "--output-path", str(whole)]
    argv += ["--glob", "*/*.html", "--silent"]
    for selector in (".byline", ".facts", ".notice", ".print-only"):
        argv += ["--exclude-selectors", selector]
    subprocess.run(argv, check=True, capture_output=True)
    ours = site / "output/pagefind"
    expected = {p.relative_to(whole).as_posix(): p.read_bytes() for p in whole.rglob("*") if p.is_file()}
    got = {p.relative_to(ours).as_posix(): p.read_bytes() for p in ours.rglob("*") if p.is_file()}
    entry, got_entry = json.loads(expected.pop("pagefind-entry.json")), json.loads(got.pop("pagefind-entry.json"))
    # a few pages per edition: one bundle each, no further ones to merge (tests/test_search_chunks.py)
    assert json.loads(got.pop("bundles.json")) == {"pages_per_bundle": 100, "bundles": {"de": [], "en": []}}
    assert got_entry == entry  # the same languages, hashes and counts (ours in a fixed order)
    assert list(got_entry["languages"]) == sorted(entry["languages"])
    assert got == {rel: data for rel, data in expected.items() if not rel.startswith(UNUSED)}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            'accent = "teal"',
            "pyproject.toml: [tool.pipeline.site] accent: must be a colour like \"#0b5cad\", not 'teal'",
        ),
        ('logo = "../x.svg"', "pyproject.toml: [tool.pipeline.site] logo: must be an .svg or .png file under source/"),
        (
            'logo = "missing.png"',
            "pyproject.toml: [tool.pipeline.site] logo: must be an .svg or .png file under source/",
        ),
        ('nav = ["nowhere"]', "pyproject.toml: [tool.pipeline.site] nav: no article source/nowhere.md"),
        ("footer_pages = 3", "pyproject.toml: [tool.pipeline.site] footer_pages: must be a list of strings"),
        ('email = "not an address"', "pyproject.toml: [tool.pipeline.site] email: is not an e-mail address"),
        ("address = [1]", "pyproject.toml: [tool.pipeline.site] address: must be a list of lines of text"),
        ('phone = "1\\n2"', "pyproject.toml: [tool.pipeline.site] phone: must be one line of text"),
        ('colour = "red"', "pyproject.toml: [tool.pipeline.site] colour: unknown key"),
    ],
)
def test_site_settings_are_checked_at_load(tmp_path, setting, message):
    root = make_project(tmp_path / "p", {"a": "Text.\n"}, f"[tool.pipeline.site]\n{setting}\n")
    result = run(root, "build")
    assert result.code == 2
    assert result.err.startswith(message) and len(result.err.strip().splitlines()) == 1, result.err
    assert not (root / "output").exists()
