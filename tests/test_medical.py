"""The checks that catch the errors that hurt a patient: units, negation, emphasis.

A planted set in both directions (EN→DE, DE→EN): every wrong translation is found
by its check, every correct one passes every check; the committed catalogs give no
finding of the new checks; the emphasis count is the renderer's (a property over
generated text, against `markdown.markdown()`).
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import polib
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import Markup

import pipeline.review  # registers every check
from pipeline.markup.inline import emphasis_tags
from pipeline.review.numbers import numbers
from pipeline.review.registry import REGISTRY, Context, checks
from tests.support import ROOT

EN_DE = Context(lang="de", source_lang="en", file="x.po", line=1)
DE_EN = Context(lang="en", source_lang="de", file="x.po", line=1)

# (context, source, wrong translation, the check that must find it, a correct one)
PLANTED = [
    # units, EN→DE
    (
        EN_DE,
        "Take **5 mg** once a day.",
        "Nehmen Sie einmal täglich **5 µg** ein.",
        "units",
        "Nehmen Sie einmal täglich **5 Milligramm** ein.",
    ),
    (
        EN_DE,
        "Drink 1.5 l of water a day.",
        "Trinken Sie täglich 1,5 ml Wasser.",
        "units",
        "Trinken Sie täglich 1,5 Liter Wasser.",
    ),
    (EN_DE, "The dose is 2 mg/kg.", "Die Dosis beträgt 2 mg.", "units", "Die Dosis beträgt 2 mg pro kg Körpergewicht."),
    (EN_DE, "Inject 100 IU.", "Spritzen Sie 100 ml.", "units", "Spritzen Sie 100 I.E."),
    (EN_DE, "Take 5mg.", "Nehmen Sie 5 g ein.", "units", "Nehmen Sie 5 mg ein."),
    # units, DE→EN
    (DE_EN, "Nehmen Sie 250 Mikrogramm ein.", "Take 250 mg.", "units", "Take 250 micrograms."),
    (DE_EN, "Trinken Sie 2 Liter.", "Drink 2 ml.", "units", "Drink 2 litres."),
    (DE_EN, "Geben Sie 10 mg/kg.", "Give 10 mg.", "units", "Give 10 mg per kg of body weight."),
    # negation dropped and added, in instructions and statements, EN→DE
    (
        EN_DE,
        "**Important:** Do not take this medicine with alcohol.",
        "**Wichtig**: Nehmen Sie dieses Arzneimittel zusammen mit Alkohol ein.",
        "negation",
        "**Wichtig**: Nehmen Sie dieses Arzneimittel nicht zusammen mit Alkohol ein.",
    ),
    (
        EN_DE,
        "**Important:** Do not take this medicine with alcohol.",
        "**Wichtig:** Nehmen Sie dieses Arzneimittel zusammen mit Alkohol ein.",
        "negation",
        "**Wichtig:** Nehmen Sie dieses Arzneimittel nicht zusammen mit Alkohol ein.",
    ),
    (
        EN_DE,
        "Never crush the tablets.",
        "Zerkleinern Sie die Tabletten.",
        "negation",
        "Zerkleinern Sie die Tabletten niemals.",
    ),
    (
        EN_DE,
        "Currently there is no cure.",
        "Derzeit gibt es eine Heilung.",
        "negation",
        "Derzeit gibt es keine Heilung.",
    ),
    (
        EN_DE,
        "The treatment is safe with food.",
        "Die Behandlung ist nicht sicher mit Essen.",
        "negation",
        "Die Behandlung ist sicher mit Essen.",
    ),
    (EN_DE, "Take it with water.", "Nehmen Sie es ohne Wasser ein.", "negation", "Nehmen Sie es mit Wasser ein."),
    (EN_DE, "Avoid sunlight.", "Suchen Sie Sonnenlicht.", "negation", "Vermeiden Sie Sonnenlicht."),
    # DE→EN
    (
        DE_EN,
        "Nehmen Sie das Mittel nicht mit Alkohol ein.",
        "Take the medicine with alcohol.",
        "negation",
        "Do not take the medicine with alcohol.",
    ),
    (DE_EN, "Es gibt keine Heilung.", "There is a cure.", "negation", "There is no cure."),
    (
        DE_EN,
        "Weder Kinder noch Schwangere dürfen es nehmen.",
        "Children and pregnant women may take it.",
        "negation",
        "Neither children nor pregnant women may take it.",
    ),
    (DE_EN, "Die Therapie wirkt.", "The therapy doesn't work.", "negation", "The therapy works."),
    (
        DE_EN,
        "Sie können es mit Essen einnehmen.",
        "You can't take it with food.",
        "negation",
        "You can take it with food.",
    ),
    # label emphasis written both ways: broken vs correct
    (EN_DE, "**Important:** Read this.", "**Wichtig: Lesen Sie dies.", "emphasis", "**Wichtig**: Lesen Sie dies."),
    (DE_EN, "**Wichtig**: Lesen Sie dies.", "**Important:* Read this.", "emphasis", "**Important:** Read this."),
    (EN_DE, "Take *two* tablets.", "Nehmen Sie **zwei** Tabletten.", "emphasis", "Nehmen Sie *zwei* Tabletten."),
]


def _ids():
    return [f"{i}-{check}" for i, (_c, _s, _w, check, _g) in enumerate(PLANTED)]


def _findings(ctx: Context, source: str, translation: str) -> list:
    """The errors (warnings such as `length` are a person's call, not a finding here)."""
    return [f for check in checks("text") for f in check(source, translation, ctx) if f.severity == "error"]


@pytest.mark.parametrize(("ctx", "source", "wrong", "check", "right"), PLANTED, ids=_ids())
def test_planted_error_is_found_and_correct_translation_passes(ctx, source, wrong, check, right):
    found = _findings(ctx, source, wrong)
    assert check in {f.check for f in found}, [str(f) for f in found]
    assert all(f.severity == "error" for f in found if f.check == check)
    assert _findings(ctx, source, right) == [], [str(f) for f in _findings(ctx, source, right)]


def test_the_label_is_no_false_emphasis_error():
    # `**Label:**` and `**Label**:` are one bold each, as the page renders them.
    assert REGISTRY["emphasis"]("**Important:** Do it.", "**Wichtig**: Tun Sie es.", EN_DE) == []
    assert REGISTRY["emphasis"]("**Important**: Do it.", "**Wichtig:** Tun Sie es.", EN_DE) == []


ARABIC = Context(lang="ar", source_lang="en", file="x.po", line=1)


def test_arabic_digits_and_units():
    assert REGISTRY["numbers"]("Take 5 mg.", "تناول ٥ ملغ.", ARABIC) == []
    assert REGISTRY["units"]("Take 5 mg.", "تناول ٥ ملغ.", ARABIC) == []
    [finding] = REGISTRY["units"]("Take 5 mg.", "تناول ٥ ميكروغرام.", ARABIC)
    assert "5 mg" in finding.message and "µg" in finding.message
    assert REGISTRY["numbers"]("Take 1,000.5 mg.", "تناول ١٬٠٠٠٫٥ ملغ.", ARABIC) == []
    assert REGISTRY["numbers"]("Take 1,000.5 mg.", "تناول ۱۰۰۰٫۵ ملغ.", ARABIC) == []  # Extended (Persian) digits
    assert REGISTRY["numbers"]("Take 1.5 mg.", "تناول ١٫٦ ملغ.", ARABIC) != []


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("fr", "5\u202f000 mg", "5000"),
        ("ru", "5\u00a0000,5 мг", "5000.5"),
        ("ar", "١٢٫٥", "12.5"),
        ("fa", "۱۲٫۵", "12.5"),
    ],
)
def test_numbers_in_every_script(lang, text, value):
    [n] = numbers(text, lang)
    assert str(n.value) == value


@pytest.mark.parametrize(
    ("lang", "good", "bad"),
    [
        ("fr", "Prenez 5 milligrammes.", "Prenez 5 microgrammes."),
        ("ru", "Примите 5 мг.", "Примите 5 мкг."),
        ("tr", "5 miligram alın.", "5 mikrogram alın."),
        ("pl", "Weź 5 mg.", "Weź 5 g."),
    ],
)
def test_unit_words_of_other_languages(lang, good, bad):
    ctx = Context(lang=lang, source_lang="en")
    assert REGISTRY["units"]("Take 5 mg.", good, ctx) == []
    assert REGISTRY["units"]("Take 5 mg.", bad, ctx) != []


def test_the_committed_catalogs_have_no_finding_of_the_new_checks():
    seen = 0
    for path in sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
        lang = path.parts[-3]
        ctx = Context(lang=lang, source_lang="de" if lang == "en" else "en", file=str(path))
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.msgstr or not entry.msgid:
                continue
            seen += 1
            for name in ("units", "negation", "emphasis", "numbers"):
                assert REGISTRY[name](entry.msgid, entry.msgstr, ctx) == [], (path.name, entry.linenum)
    assert seen > 100


# -- the emphasis count is the renderer's ------------------------------------------

_PIECES = st.sampled_from(
    ["**", "*", "__", "_", "***", "\\*", "\\_", "Label:", "word", "x", " ", ": ", "a_b", "`", "**Label:**", "*em*"]
)


def _rendered(text: str) -> dict[str, int]:
    html = markdown.markdown(text)
    return {tag: n for tag in ("strong", "em") if (n := len(re.findall(rf"<{tag}>", html)))}


@given(st.lists(_PIECES, max_size=12).map("".join))
@example("**Important:** Do not take this.")
@example("**Wichtig**: Nehmen Sie")
@example("**a *b* c** and ***d***")
@example("snake_case_name and __init__")
@example("\\*not\\* **unbalanced")
def test_emphasis_counts_are_python_markdowns(text):
    text = text.strip() or "x"  # a paragraph's text, as a segment is: no leading blanks
    if text.startswith(("*", "_", "-", "+")) and len(text) > 1 and text[1] in " *_-":
        text = "x " + text  # not a list item or a rule: the segment is a paragraph's inline text
    assert dict(emphasis_tags(text)) == _rendered(text)


def test_the_units_tables_are_package_data():
    data = Path(pipeline.review.__file__).parent / "data"
    assert {"units-intl.csv", "units-en.csv", "units-de.csv", "units-ar.csv"} <= {p.name for p in data.iterdir()}
    assert "review/data/*" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_review_page_marks_negations_on_both_sides_escaped():
    from pipeline.review.sections import _marked

    html = _marked(Markup("<p>Do <strong>not</strong> take <code>not</code>.</p>"), "", "en")
    assert str(html) == '<p>Do <strong><mark class="negation">not</mark></strong> take <code>not</code>.</p>'
    text = _marked(None, "Nicht <script>alert(1)</script> nehmen", "de")
    assert str(text) == (
        '<p class="text"><mark class="negation">Nicht</mark> &lt;script&gt;alert(1)&lt;/script&gt; nehmen</p>'
    )
    assert _marked(None, "Take it.", "en") is None
