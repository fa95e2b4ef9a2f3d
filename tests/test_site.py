"""The site around the articles: UI catalog, indexes, chooser, sitemap, feeds."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import polib
import pytest

from tests.support import ROOT, make_project, run

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://clinic.example/"

ARTICLES = {
    "old": "---\ntitle: Old news\ndate: 2019-01-05\ndescription: An old article.\n---\n\nOld text.\n",
    "new": "---\ntitle: New news\ndate: 2021-03-04\ndescription: A new article.\n---\n\nNew text.\n",
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
    root = make_project(tmp_path_factory.mktemp("site"), ARTICLES, f'[tool.pipeline.site]\nbase_url = "{BASE}"\n')
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
    assert "<h1>Artikel</h1>" in index and "Articles" not in index


def test_edition_index_lists_published_articles_newest_first(site):
    index = read(site, "de/index.html")
    titles = re.findall(r'<h2><a href="([^"]+)"[^>]*>([^<]+)</a></h2>', index)
    assert titles == [
        ("neue-nachricht.html", "Neue Nachricht"),
        ("german.html", "Deutscher Artikel"),
        ("old.html", "Alte Nachricht"),
    ]
    assert '<time datetime="2021-03-04">Donnerstag, 4. März 2021</time>' in index
    assert "Draft only" not in index  # withheld
    en_index = read(site, "en/index.html")
    assert re.findall(r'<h2><a href="([^"]+)"', en_index) == ["draft.html", "new.html", "german.html", "old.html"]


def test_language_chooser(site):
    chooser = read(site, "index.html")
    assert '<a href="en/index.html" hreflang="en" lang="en">English</a>' in chooser
    assert '<a href="de/index.html" hreflang="de" lang="de">Deutsch</a>' in chooser
    assert f'<link rel="alternate" hreflang="x-default" href="{BASE}index.html">' in chooser


def test_sitemap_lists_exactly_the_published_editions(site):
    tree = ET.parse(site / "output/sitemap.xml")
    urls = {u.find(f"{SM}loc").text: u for u in tree.getroot().findall(f"{SM}url")}
    pages = {BASE + p.relative_to(site / "output").as_posix() for p in (site / "output").glob("*/*.html")}
    assert set(urls) == pages
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
    assert root.find(f"{ATOM}updated").text == ("2021-03-04T00:00:00Z" if lang == "de" else "2022-01-01T00:00:00Z")
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
