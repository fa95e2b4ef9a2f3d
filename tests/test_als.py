"""The ALS article: the English and the reviewed German edition, as published."""

from __future__ import annotations

import json
import re

import pytest

from tests.support import assert_fragment, build_repo, copy_repo, fragment, fragments, msgfmt_check, run

SLUG_EN, SLUG_DE = "als-stem-cell-therapy", "stammzelltherapie-als"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("als"))


def german(site):
    return (site / "output/de" / f"{SLUG_DE}.html").read_text(encoding="utf-8")


def test_catalog_is_complete_reviewed_and_valid(site):
    result = run(site, "stats", "--lang", "de", "--json")
    assert result.code == 0
    by_name = {row["article"]: row for row in json.loads(result.out)}
    assert set(by_name) == {"site", SLUG_EN}
    assert by_name["site"]["percent_reviewed"] == 100.0  # the page chrome, too
    stats = by_name[SLUG_EN]
    assert stats["percent_reviewed"] == 100.0
    assert stats["untranslated"]["entries"] == 0 and stats["fuzzy"]["entries"] == 0
    assert msgfmt_check(site / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po").returncode == 0


def test_committed_catalogs_are_up_to_date(tmp_path):
    """`update` on the repo as committed writes nothing: template and catalog match the article."""
    copy_repo(tmp_path)
    result = run(tmp_path, "update")
    assert result.code == 0
    assert "written" not in result.out.replace("0 written", ""), result.out


def test_german_page_language_and_date(site):
    html = german(site)
    assert '<html lang="de"' in html
    assert fragment(html, "p.byline") == (
        '<p class="byline">Veröffentlicht am <time datetime="2020-08-28">Freitag, 28. August 2020</time> '
        "von Nina Klein</p>"
    )
    assert fragment(html, "title") == "<title>Wirkt eine Stammzelltherapie bei Amyotropher Lateralsklerose?</title>"


def test_english_page_date_is_british(site):
    html = (site / "output/en" / f"{SLUG_EN}.html").read_text(encoding="utf-8")
    assert fragment(html, "p.byline") == (
        '<p class="byline">Published on <time datetime="2020-08-28">Friday, 28 August 2020</time> by Nina Klein</p>'
    )


def test_nine_trial_rows_with_registry_links_and_translated_statuses(site):
    html = german(site)
    table = html[html.index("<table>") : html.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert len(rows) == 10  # header + nine trials
    ids = re.findall(r'<a href="https://clinicaltrials.gov/study/(NCT\d{8})">\1</a>', table)
    assert len(ids) == 9 and len(set(ids)) == 9
    # each data cell carries its column's label for the phone layout (data-label)
    statuses = [re.findall(r"<td[^>]*>(.*?)</td>", row)[-2] for row in rows[1:]]
    assert sorted(set(statuses)) == ["abgeschlossen", "aktiv", "unbekannt"]
    # registered study titles stay English and are marked so
    assert table.count('<td data-label="Studientitel" data-pagefind-ignore="" lang="en">') >= 9
    assert "completed" not in table.replace('lang="en"', "")
    assert_fragment(
        html,
        "thead",
        """
        <thead>
        <tr>
        <th scope="col">Studientitel</th>
        <th scope="col">Intervention und Anwendung</th>
        <th scope="col">Status</th>
        <th scope="col">ID und Link</th>
        </tr>
        </thead>
        """,
    )


def test_references_stay_english_and_are_marked(site):
    html = german(site)
    lists = re.findall(r'<ol[^>]*\blang="en"[^>]*>', html)
    assert len(lists) == 2 and 'start="84"' in html
    assert "Human umbilical cord mesenchymal stem cell-derived treatment" in html


def test_hreflang_links_both_ways(site):
    de = german(site)
    en = (site / "output/en" / f"{SLUG_EN}.html").read_text(encoding="utf-8")
    base = "https://clinic.example/"
    for html in (de, en):
        assert fragments(html, "link[hreflang]") == [
            f'<link rel="alternate" hreflang="en" href="{base}en/{SLUG_EN}.html">',
            f'<link rel="alternate" hreflang="de" href="{base}de/{SLUG_DE}.html">',
            f'<link rel="alternate" hreflang="x-default" href="{base}en/{SLUG_EN}.html">',
        ]
    assert_fragment(
        de,
        "nav.languages",
        f"""
        <nav class="languages" aria-label="Sprachen">
        <ul>
        <li><a href="../en/{SLUG_EN}.html" hreflang="en" lang="en" rel="alternate">English</a></li>
        <li><span aria-current="page" lang="de">Deutsch</span></li>
        </ul>
        </nav>
        """,
    )
    assert_fragment(
        en,
        "nav.languages",
        f"""
        <nav class="languages" aria-label="Languages">
        <ul>
        <li><span aria-current="page" lang="en">English</span></li>
        <li><a href="../de/{SLUG_DE}.html" hreflang="de" lang="de" rel="alternate">Deutsch</a></li>
        </ul>
        </nav>
        """,
    )


def test_nothing_else_left_in_english(site):
    """Outside the marked parts, the German body has no English sentence left."""
    html = german(site)
    body = html[html.index("<main") :]
    body = re.sub(r'<(\w+)[^>]*lang="en"[^>]*>.*?</\1>', "", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    for english in (" the ", " and ", " with ", " of the ", " is "):
        assert english not in text, english
