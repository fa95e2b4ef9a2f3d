"""Inline link and image titles are prose: translatable, checked as prose, shown
as German tooltips on German pages; their targets stay protected."""

from __future__ import annotations

import hashlib

import polib

from pipeline.markup.inline import inventory
from pipeline.markup.tokens import protect, restore
from tests.support import fragments, make_project, png, reviewed_chrome, run

SOURCE = 'Read [the study](https://example.org/als "Stem cells in ALS") and see ![a chart](chart.png "Survival").\n'
GERMAN = (
    'Lesen Sie [die Studie](https://example.org/als "Stammzellen bei ALS") und ![ein Diagramm](chart.png "Überleben").'
)


def test_a_translated_title_keeps_the_inventory_a_changed_target_does_not():
    source = inventory(SOURCE.strip())
    assert inventory(GERMAN).link_targets == source.link_targets
    assert inventory(GERMAN).image_targets == source.image_targets
    moved = GERMAN.replace("https://example.org/als", "https://example.org/other")
    assert inventory(moved).link_targets != source.link_targets


def test_pretranslation_sends_the_title_words_and_keeps_the_target():
    protected = protect(SOURCE.strip(), [r"\bNCT\d{8}\b"])
    assert "Stem cells in ALS" in protected.text and "Survival" in protected.text
    assert "example.org" not in protected.text and "chart.png" not in protected.text
    engine = (
        protected.text.replace("Read", "Lesen Sie")
        .replace("the study", "die Studie")
        .replace("Stem cells in ALS", " Stammzellen bei ALS ")  # engines add spaces next to tokens
        .replace("and see", "und")
        .replace("a chart", "ein Diagramm")
        .replace("Survival", "Überleben")
    )
    assert restore(engine, protected) == GERMAN


CHART = png(4, 3)
CHART_HASH = hashlib.sha256(CHART).hexdigest()[:8]  # its published name: chart.<hash>.png


def test_check_accepts_and_the_german_page_shows_a_translated_tooltip(tmp_path):
    root = reviewed_chrome(
        make_project(tmp_path / "p", {"a": "---\ntitle: Titles\n---\n\n" + SOURCE}, files={"chart.png": CHART})
    )
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/a.po"
    po = polib.pofile(str(path))
    po.find(SOURCE.strip()).msgstr = GERMAN
    po.find("Titles").msgstr = "Titel"
    po.save(str(path))
    result = run(root, "check", "--lang", "de")
    assert result.code == 0, result.out + result.err
    assert "link" not in result.out and "image" not in result.out
    assert run(root, "build").code == 0
    html = (root / "output/de/a.html").read_text(encoding="utf-8")
    # the paragraph, whole: German tooltips, the targets as in the source
    assert (
        '<p>Lesen Sie <a href="https://example.org/als" title="Stammzellen bei ALS">die Studie</a> und '
        f'<img alt="ein Diagramm" src="../assets/media/chart.{CHART_HASH}.png" width="4" height="3" title="Überleben" />.</p>'
    ) in fragments(html, "p")
    broken = GERMAN.replace("chart.png", "diagramm.png")
    po.find(SOURCE.strip()).msgstr = broken
    po.save(str(path))
    result = run(root, "check", "--lang", "de")
    assert result.code == 1 and "image source" in result.out, result.out
