"""QA checks: every check fails on one entry and passes on another, alone.

`CASES` holds, per registered check, a source, a translation that fails it and
one that passes it. Each failing translation must trip exactly its own check (so
one defect is one finding, not three), and each passing one must trip none — the
same guarantee `check` gives on a whole catalog.
"""

from __future__ import annotations

import pytest

import pipeline.review  # noqa: F401  (registers every check)
from pipeline.config.glossary import load_glossary
from pipeline.review.checks import unexpected_html
from pipeline.review.lint import lint_text
from pipeline.review.registry import ERROR, REGISTRY, WARNING, Context, checks
from pipeline.review.warnings import term_used
from tests.support import ROOT

TERMS = load_glossary(ROOT / "locales").terms("en", "de")
CTX = Context(lang="de", source_lang="en", file="x.po", line=1, terms=TERMS)

# check name → [(source, failing translation, passing translation), ...]
CASES: dict[str, list[tuple[str, str, str]]] = {
    "emphasis": [
        (
            "Take **two** tablets daily.",
            "Nehmen Sie täglich **zwei* Tabletten.",
            "Nehmen Sie täglich **zwei** Tabletten.",
        ),
        ("An *important* note.", "Ein wichtiger Hinweis.", "Ein _wichtiger_ Hinweis."),
    ],
    "code": [
        ("Run `make check` first.", "Führen Sie zuerst `make prüfen` aus.", "Führen Sie zuerst `make check` aus.")
    ],
    "links": [
        (
            "Read the [leaflet](https://example.org/leaflet) first.",
            "Lesen Sie zuerst die Packungsbeilage.",
            "Lesen Sie zuerst die [Packungsbeilage](https://example.org/leaflet).",
        ),
        (
            "Read the [leaflet](https://example.org/leaflet) first.",
            "Lesen Sie zuerst die [Packungsbeilage](https://example.org/beilage).",
            "Lesen Sie zuerst die [Packungsbeilage](https://example.org/leaflet).",
        ),
        (
            "See [the study][nct] for details.",
            "Siehe [die Studie][studie] für Details.",
            "Siehe [die Studie][nct] für Details.",
        ),
    ],
    "images": [
        (
            "![A chart](img/chart.png) of results.",
            "![Ein Diagramm](img/diagramm.png) der Ergebnisse.",
            "![Ein Diagramm](img/chart.png) der Ergebnisse.",
        ),
        (
            "![A chart](img/chart.png) of results.",
            "Ein Diagramm der Ergebnisse.",
            "![Diagramm](img/chart.png) der Ergebnisse.",
        ),
    ],
    "footnotes": [("Survival is short.[^1]", "Das Überleben ist kurz.", "Das Überleben ist kurz.[^1]")],
    "breaks": [("Line one  \nline two", "Zeile eins\nZeile zwei", "Zeile eins  \nZeile zwei")],
    "attr-list": [("See *this*{: .note} text.", "Siehe *dies* Text.", "Siehe *dies*{: .note} Text.")],
    "placeholders": [
        ("Before <!--ph:1--> after.", "Vorher und nachher.", "Vorher <!--ph:1--> nachher."),
        (
            "Published on %(date)s by %(author)s",
            "Veröffentlicht am %(datum)s von %(author)s",
            "Von %(author)s am %(date)s",
        ),
    ],
    "urls": [
        (
            "More at https://clinicaltrials.gov today.",
            "Mehr heute unter https://clinicaltrials.gov/de.",
            "Mehr heute unter https://clinicaltrials.gov.",
        ),
        (
            "Write to info@example.org today.",
            "Schreiben Sie heute an info@beispiel.de.",
            "Schreiben Sie heute an info@example.org.",
        ),
        (
            "See <https://example.org/a> today.",
            "Siehe heute <https://example.org/b>.",
            "Siehe heute <https://example.org/a>.",
        ),
    ],
    "numbers": [
        ("About 1 in 100,000 people.", "Etwa 1 von 10.000 Menschen.", "Etwa 1 von 100.000 Menschen."),
        (
            "Men are affected more often (1.6:1).",
            "Männer sind häufiger betroffen (1,6:2).",
            "Männer sind häufiger betroffen (1,6:1).",
        ),
        # Left in English format, 100,000 reads as one hundred in German.
        ("About 1 in 100,000 people.", "Etwa 1 von 100,000 Menschen.", "Etwa 1 von 100\u202f000 Menschen."),
        ("2 infusions (1x10^8 cells).", "2 Infusionen (1x10^9 Zellen).", "2 Infusionen (1 × 10⁸ Zellen)."),
    ],
    "units": [
        (
            "Take **5 mg** once a day.",
            "Nehmen Sie einmal täglich **5 µg** ein.",
            "Nehmen Sie einmal täglich **5 mg** ein.",
        ),
        ("Drink 2 l of water.", "Trinken Sie 2 ml Wasser.", "Trinken Sie 2 Liter Wasser."),
        ("Give 10 mg/kg.", "Geben Sie 10 mg.", "Geben Sie 10 mg pro kg Körpergewicht."),
    ],
    "negation": [
        (
            "**Important:** Do not take this medicine with alcohol.",
            "**Wichtig:** Nehmen Sie dieses Arzneimittel zusammen mit Alkohol ein.",
            "**Wichtig:** Nehmen Sie dieses Arzneimittel nicht zusammen mit Alkohol ein.",
        ),
        ("Take it with food.", "Nehmen Sie es ohne Essen ein.", "Nehmen Sie es mit dem Essen ein."),
    ],
    "protected": [
        (
            "See trial NCT01933321 for details.",
            "Siehe Studie NCT01933312 für Details.",
            "Siehe Studie NCT01933321 für Details.",
        )
    ],
    "html": [
        ("Wash your hands.", "Waschen Sie Ihre Hände.<script>alert(1)</script>", "Waschen Sie Ihre Hände."),
        ("Press <kbd>Enter</kbd>.", 'Drücken Sie <kbd onclick="x()">Enter</kbd>.', "Drücken Sie <kbd>Eingabe</kbd>."),
        (
            'A <a href="https://a.example">link</a>.',
            'Ein <a href="javascript:evil()">Link</a>.',
            'Ein <a href="https://a.example">Link</a>.',
        ),
        ("Wash your hands.", 'Waschen Sie <img src="x" onerror="y()">Ihre Hände.', "Waschen Sie Ihre Hände."),
        ('Call it "rest".', 'Nennen Sie es "Ruhe" onfocus = "x".', 'Nennen Sie es "Ruhe".'),
        ("Rest a day.", "Ruhen Sie ' /> einen Tag.", "Ruhen Sie einen Tag."),
    ],
    "slug": [("als-stem-cell-therapy", "Stammzelltherapie_ALS", "stammzelltherapie-als")],
    "glossary": [
        ("Loss of motor neurons.", "Verlust von Nervenzellen.", "Verlust von Motoneuronen."),
        ("The spinal cord is affected.", "Das Mark ist betroffen.", "Die Rückenmarksstammzellen sind betroffen."),
        ("ALS is rare.", "Die als Krankheit ist selten.", "Die ALS ist selten."),
    ],
    "untranslated": [("Currently there is no cure.", "Currently there is no cure.", "Derzeit gibt es keine Heilung.")],
    "whitespace": [
        ("No cure.", "Keine Heilung. ", "Keine Heilung."),
        ("No cure.", "\nKeine Heilung.", "Keine Heilung."),
    ],
    "punctuation": [
        ("Is there a cure?", "Gibt es eine Heilung.", "Gibt es eine Heilung?"),
        ("It is rare (1 in 100).", "Sie ist selten (1 von 100)", "Sie ist selten (1 von 100)."),
    ],
    "length": [
        (
            "The disease usually begins between the ages of fifty and seventy.",
            "Meist.",
            "Die Erkrankung beginnt meist im Alter zwischen fünfzig und siebzig Jahren.",
        )
    ],
    # Source checks: (source text, "", ""), the middle one failing, the last passing.
    "source-numbers": [
        ("About 100.000 people.", "", "About 100,000 people."),
        ("Men are affected more often (1,6:1).", "", "Men are affected more often (1.6:1)."),
    ],
    "source-markup": [("A **broken bold.", "", "A **bold** word."), ("Run `make check.", "", "Run `make check`.")],
    "source-spacing": [("A word , and more.", "", "A word, and more."), ("A word  and more.", "", "A word and more.")],
}


def _run(scope: str, msgid: str, msgstr: str) -> list:
    return [f for check in checks(scope) for f in check(msgid, msgstr, CTX)]


def _cases():
    for name, cases in CASES.items():
        for i, case in enumerate(cases):
            yield pytest.param(name, *case, id=f"{name}-{i}")


def test_every_check_has_cases():
    assert set(CASES) == set(REGISTRY)


@pytest.mark.parametrize(("name", "source", "bad", "good"), list(_cases()))
def test_check_fails_alone_and_passes(name, source, bad, good):
    check = REGISTRY[name]
    if check.scope == "source":
        found = [f.check for f in lint_text(source, Context(lang="en", source_lang="en"))]
        assert found == [name] * len(found) and found, found
        assert lint_text(good, Context(lang="en", source_lang="en")) == []
        return
    found = _run(check.scope, source, bad)
    assert {f.check for f in found} == {name}, [str(f) for f in found]
    assert all(f.severity == check.severity and f.msgstr == bad and f.file == "x.po" for f in found)
    assert _run(check.scope, source, good) == [], [str(f) for f in _run(check.scope, source, good)]


def test_severities():
    errors = {n for n, c in REGISTRY.items() if c.severity == ERROR}
    assert errors == {
        "emphasis",
        "code",
        "links",
        "images",
        "footnotes",
        "breaks",
        "attr-list",
        "placeholders",
        "urls",
        "numbers",
        "units",
        "negation",
        "protected",
        "html",
        "slug",
    }
    assert {n for n, c in REGISTRY.items() if c.severity == WARNING} == {
        "glossary",
        "untranslated",
        "whitespace",
        "punctuation",
        "length",
        "source-numbers",
        "source-markup",
        "source-spacing",
    }
    assert all(c.explanation and "\n" not in c.explanation for c in REGISTRY.values())


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("Men are affected more often (1.6:1).", "Männer sind häufiger betroffen (1,6:1)."),
        ("About one to two out of 100,000 people.", "Etwa ein bis zwei von 100.000 Menschen."),
        ("A survival of 2-5 years.", "Eine Überlebenszeit von 2–5 Jahren."),
        ("50% of patients in 2020.", "50 % der Patienten im Jahr 2020."),
        ("The 1st dose of 5mg.", "Die 1. Dosis von 5 mg."),
        ("1,000.5 ml", "1.000,5 ml"),
        ("100,000 people", "100\u202f000 Menschen"),
        ("1.6 is kept", "1.6 bleibt"),  # not German style, but the same value
        ("IGF-1 and SOD1 and M2 cells", "IGF-1 und SOD1 und M2-Zellen"),
        (
            "[NCT01933321](https://clinicaltrials.gov/study/NCT01933321)",
            "[NCT01933321](https://clinicaltrials.gov/study/NCT01933321)",
        ),
        ("Code `1.6` and [a 2](https://x.org/3)", "Code `1.6` und [ein 2](https://x.org/3)"),
    ],
)
def test_locale_aware_numbers_pass(source, translation):
    assert REGISTRY["numbers"](source, translation, CTX) == []


def test_number_message_says_how_german_reads_it():
    [finding] = REGISTRY["numbers"]("About 100,000 people.", "Etwa 100,000 Menschen.", CTX)
    assert finding.message == "numbers changed: missing '100,000'; not in the source '100,000' (reads as 100 in de)"


def test_script_content_is_reported_once():
    source, bad = "Wash your hands.", "Waschen Sie Ihre Hände.<script>fetch('https://evil.example/1')</script>"
    assert [f.check for f in _run("text", source, bad)] == ["html"]


def test_html_the_source_has_is_fine():
    assert unexpected_html("Press <kbd>Enter</kbd> now.", "Drücken Sie jetzt <kbd>Eingabe</kbd>.") == []
    assert unexpected_html("Text <br> more", "Text <br/> mehr") == []
    assert unexpected_html("`<script>` is code", "`<script>` ist Code") == []


def test_keep_source_entries_may_equal_their_source():
    ctx = Context(lang="de", source_lang="en", terms=TERMS, keep_source=True)
    title = "Human Neural Stem Cell Transplantation in Amyotrophic Lateral Sclerosis (ALS)"
    assert [f for c in checks("text") for f in c(title, title, ctx)] == []


def test_ids_and_names_only_are_not_untranslated():
    for text in ("[NCT01640067](https://clinicaltrials.gov/study/NCT01640067)", "BDNF, GDNF, NGF", "2020"):
        assert REGISTRY["untranslated"](text, text, CTX) == []


def test_glossary_longer_term_wins():
    found = REGISTRY["glossary"]("the most common motor neuron disease", "die häufigste Krankheit", CTX)
    assert [f.message.split(" → ")[0] for f in found] == ["'motor neuron disease'"]


def test_glossary_inflection_and_compounds():
    [term] = [t for t in TERMS if t.source == "amyotrophic lateral sclerosis"]
    assert term_used(term, "bei Amyotropher Lateralsklerose")
    [term] = [t for t in TERMS if t.source == "ALS"]
    assert term_used(term, "ALS-Patienten") and not term_used(term, "als Patienten")


def test_length_ignores_short_sources():
    assert REGISTRY["length"]("Status", "Stand der Studie und weitere Angaben", CTX) == []


def test_glossary_abbreviation_in_capitals_is_not_the_word():
    # German-authored text: "als" (as) is not the abbreviation ALS (a false alarm seen
    # on the editorial page); "ALS" itself still is.
    terms = load_glossary(ROOT / "locales").terms("de", "en")
    ctx = Context(lang="en", source_lang="de", file="x.po", line=1, terms=terms)
    assert REGISTRY["glossary"]("Mehr als zwei Ärzte", "More than two doctors", ctx) == []
    found = REGISTRY["glossary"]("Die ALS ist selten.", "The disease is rare.", ctx)
    assert [f.message.split(" → ")[0] for f in found] == ["'ALS'"]
