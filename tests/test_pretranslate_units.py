"""The pieces of pretranslation on their own: tokens, memory, catalog saves, engines."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalog.pofile import read_po
from pipeline.catalog.splice import CatalogFile, Draft, key_of
from pipeline.config.glossary import Term
from pipeline.config.settings import MtSettings
from pipeline.markup.spans import protected_spans
from pipeline.markup.tokens import TokenError, protect, restore
from pipeline.pretranslate.engines import RateLimiter, _chunks, engine_codes
from pipeline.pretranslate.memory import Memory, adapt
from pipeline.pretranslate.terms import ignored
from tests.support import msgfmt_check

PATTERNS = (r"\bNCT\d{8}\b",)
FRAGMENTS = [
    "word", "Word", " ", "  ", "\n", "  \n", ".", ",", "(", ")", "[", "]", "*", "**", "_", "!", "⟦", "⟧", "⟦3⟧",
    "`code`", "``a ` b``", "[link](https://example.org/a_b?x=1 \"Title\")", "![alt](img.png)", "[ref][id]",
    "[^1]", "<https://example.org>", "<b>", "</b>", "<br/>", "&amp;", "&#169;", "https://example.org/x.",
    "www.example.org", "mail@example.org", "{: .cls}", "<!--ph:2-->", "NCT01234567", "ALS", "\\[", "ü",
]  # fmt: skip
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)
KEEP = (Term("ALS", "ALS", True, ""),)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_an_engine_that_changes_nothing_gets_the_text_back(text):
    protected = protect(text, PATTERNS, KEEP)
    assert restore(protected.text, protected) == text
    # Every span QA checks is one token: the engine never sees any of it.
    tokens = Counter(t.text for t in protected.tokens)
    assert Counter(s.text for s in protected_spans(text, PATTERNS)) - tokens == Counter()


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_a_lost_or_duplicated_token_is_always_caught(text, data):
    protected = protect(text, PATTERNS, KEEP)
    if not protected.tokens:
        return
    token = data.draw(st.sampled_from(protected.tokens))
    placeholder = token.placeholder
    assert placeholder in protected.text
    with pytest.raises(TokenError):
        restore(protected.text.replace(placeholder, "", 1), protected)
    with pytest.raises(TokenError):
        restore(protected.text.replace(placeholder, placeholder * 2, 1), protected)


def test_what_the_engine_sees():
    text = 'See [the study](https://x.org "The trial") on NCT01234567, `x = 1` and <b>ALS</b>&nbsp;care.[^2]'
    protected = protect(text, PATTERNS, KEEP)
    # A link's title is prose (a tooltip): the engine translates it, between the target's tokens.
    assert protected.text == "See ⟦1⟧the study⟦2⟧The trial⟦3⟧ on ⟦4⟧, ⟦5⟧ and ⟦6⟧⟦7⟧⟦8⟧⟦9⟧care.⟦10⟧"
    # Engines move tokens and add spaces; that is fine where it is safe.
    answer = "Siehe ⟦1⟧ die Studie ⟦2⟧ Die Studie ⟦3⟧ zu ⟦ 4 ⟧, ⟦5⟧ und ⟦6⟧⟦7⟧⟦8⟧⟦9⟧Pflege. ⟦10⟧"
    assert restore(answer, protected) == (
        'Siehe [die Studie](https://x.org "Die Studie") zu NCT01234567, `x = 1` und <b>ALS</b>&nbsp;Pflege.[^2]'
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("⟦2⟧ die Studie ⟦1⟧", "out of its pair"),  # `](url)` before `[`
        ("⟦1⟧die ⟦3⟧Studie⟦2⟧", "invented"),
        ("⟦1⟧die Studie⟦2", "lost ⟦2⟧"),
        ("⟦1⟧die Studie⟦2⟧⟧", "stray"),
    ],
)
def test_broken_answers(answer, message):
    protected = protect("[the study](https://x.org)", PATTERNS)
    with pytest.raises(TokenError, match=message):
        restore(answer, protected)


def test_html_pairs_must_stay_in_order():
    protected = protect("a <em>b</em> c", PATTERNS)
    assert restore("x ⟦1⟧y⟦2⟧ z", protected) == "x <em>y</em> z"
    with pytest.raises(TokenError):
        restore("x ⟦2⟧y⟦1⟧ z", protected)


def test_leading_and_trailing_whitespace_are_kept_aside():
    protected = protect("  two words \n", PATTERNS)
    assert protected.text == "two words"
    assert restore("zwei Wörter", protected) == "  zwei Wörter \n"


def test_preferred_glossary_terms_are_written_in_and_checked():
    prefer = (
        Term("motor neuron disease", "Motoneuronerkrankung", False, ""),
        Term("spinal cord", "Rückenmark", False, ""),
    )
    protected = protect("Spinal cord and motor neuron diseases.", PATTERNS, (), prefer)
    # The plural is left to the engine (only exact words are replaced).
    assert protected.text == "Rückenmark and motor neuron diseases."
    assert [t.target for t in protected.terms] == ["Rückenmark"]
    assert ignored("Das Rückenmarks ...", prefer[1:]) == []
    assert ignored("Die Wirbelsäule", prefer[1:]) == [prefer[1]]
    amyotrophe = Term("amyotrophic lateral sclerosis", "Amyotrophe Lateralsklerose", False, "")
    assert ignored("bei Amyotropher Lateralsklerose", [amyotrophe]) == []


def test_a_near_match_takes_the_new_trial_id():
    old = "[NCT01933321](https://clinicaltrials.gov/study/NCT01933321)"
    new = "[NCT09999999](https://clinicaltrials.gov/study/NCT09999999)"
    assert adapt(old, old, new, PATTERNS) == new
    assert adapt("Studie NCT01933321 (siehe NCT01933321)", "Trial NCT01933321", "Trial NCT01111111", PATTERNS) is None
    assert adapt("Studie NCT01933321", "Trial NCT01933321", "Trial NCT01111111", PATTERNS) == "Studie NCT01111111"
    # A different kind of markup: no adaptation, the entry goes to the engine.
    assert adapt("Studie `x`", "Trial `x`", "Trial NCT01111111", PATTERNS) is None


def test_memory_exact_conflicts_and_threshold():
    entries = [
        polib.POEntry(msgid="Clinical trials", msgstr="Klinische Studien"),
        polib.POEntry(msgid="Clinical trials", msgstr="Klinische Prüfungen", msgctxt="other"),
        polib.POEntry(msgid="Side effects", msgstr="Nebenwirkungen", flags=["fuzzy"]),  # not reviewed
        polib.POEntry(msgid="Obsolete but reviewed", msgstr="Veraltet, aber geprüft", obsolete=True),
    ]
    memory = Memory(entries, 75, PATTERNS)
    assert memory.lookup("Clinical trials", None).msgstr == "Klinische Studien"
    assert memory.lookup("Clinical trials", "other").msgstr == "Klinische Prüfungen"
    assert memory.lookup("Side effects", None) is None
    assert memory.lookup("Obsolete but reviewed!", None).msgstr == "Veraltet, aber geprüft"
    near = memory.lookup("Clinical trial", None)
    assert not near.exact and 75 <= near.score < 100
    assert memory.lookup("Something else entirely", None) is None


CATALOG = """\
# A catalog as Poedit saved it.
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

#: a.md:1
msgid "A reviewed paragraph that a translator's tool wrapped at a width other than polib's."
msgstr ""
"Ein geprüfter Absatz, den das Werkzeug einer Übersetzerin anders umbrochen hat "
"als polib."

#: a.md:3
msgid "Empty"
msgstr ""

#: a.md:5
msgid "Also empty"
msgstr ""

#~ msgid "Old"
#~ msgstr "Alt"
"""


def test_a_save_changes_only_the_drafted_blocks(tmp_path):
    path = tmp_path / "de.po"
    path.write_text(CATALOG, encoding="utf-8")
    catalog = CatalogFile.load(path, "de.po", "de")
    entry = next(e for e in catalog.po if e.msgid == "Empty")
    assert catalog.put(key_of(entry), Draft("Leer", "libre 2026-11-27"))
    assert catalog.save()
    text = path.read_text(encoding="utf-8")
    assert text == CATALOG.replace(
        '#: a.md:3\nmsgid "Empty"\nmsgstr ""',
        '# pretranslated: libre 2026-11-27\n#: a.md:3\n#, fuzzy\nmsgid "Empty"\nmsgstr "Leer"',
    )
    assert msgfmt_check(path).returncode == 0
    assert not catalog.save()  # nothing new: nothing written


def test_a_translator_saving_meanwhile_wins(tmp_path):
    path = tmp_path / "de.po"
    path.write_text(CATALOG, encoding="utf-8")
    catalog = CatalogFile.load(path, "de.po", "de")
    keys = {e.msgid: key_of(e) for e in catalog.po}
    catalog.put(keys["Empty"], Draft("Leer (Maschine)", "libre 2026-11-27"))
    catalog.put(keys["Also empty"], Draft("Auch leer (Maschine)", "libre 2026-11-27"))
    # Meanwhile, Poedit saves the file with a human translation of "Empty".
    edited = CATALOG.replace('msgid "Empty"\nmsgstr ""', 'msgid "Empty"\nmsgstr "Leer"')
    path.write_text(edited + "\n", encoding="utf-8")
    assert catalog.save()
    entries = {e.msgid: e for e in read_po(path)}
    assert entries["Empty"].msgstr == "Leer" and not entries["Empty"].fuzzy
    assert entries["Also empty"].msgstr == "Auch leer (Maschine)" and entries["Also empty"].fuzzy


def test_a_catalog_without_blank_lines_is_written_whole(tmp_path):
    path = tmp_path / "de.po"
    path.write_text(re.sub(r"\n\n(?=#)", "\n", CATALOG), encoding="utf-8")
    catalog = CatalogFile.load(path, "de.po", "de")
    assert catalog.blocks is None
    entry = next(e for e in catalog.po if e.msgid == "Empty")
    catalog.put(key_of(entry), Draft("Leer", "libre 2026-11-27"))
    catalog.save()
    assert {e.msgid: e.msgstr for e in read_po(path)}["Empty"] == "Leer"
    assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)]).returncode == 0


def test_long_texts_are_split_at_sentence_ends():
    text = "One sentence here. " * 40 + "Last one."
    chunks = _chunks(text, 100)
    assert all(len(c) <= 100 for c, _ in chunks)
    assert "".join(c + gap for c, gap in chunks) == text
    assert all(c.endswith(".") for c, _ in chunks)


def test_language_codes_per_engine():
    assert engine_codes(MtSettings(engine="mymemory"), "en", "de").target == "de-DE"
    assert engine_codes(MtSettings(engine="mymemory"), "en", "de").source == "en-GB"
    assert engine_codes(MtSettings(engine="google"), "en", "zh_Hans").target == "zh-CN"
    assert engine_codes(MtSettings(engine="google"), "en", "pt_BR").target == "pt"
    assert engine_codes(MtSettings(engine="deepl"), "en", "de").target == "de"


def test_rate_limit_spaces_request_starts():
    limiter, stop = RateLimiter(20), threading.Event()
    start = time.monotonic()
    for _ in range(5):
        limiter.wait(stop)
    assert time.monotonic() - start >= 0.19


@pytest.mark.parametrize("name", ["cache.sqlite3", "cache.sqlite3-wal", "cache.sqlite3-shm", "cache.sqlite3-journal"])
def test_the_cache_writes_through_no_link_beside_it(tmp_path, name):
    # sqlite opens its write-ahead log and shared memory next to the database and
    # follows a link there as readily as one at the database itself.
    from pipeline.base.errors import PipelineError
    from pipeline.pretranslate.cache import Cache

    folder = tmp_path / ".cache" / "pretranslate"
    folder.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (folder / name).symlink_to(victim)
    with pytest.raises(PipelineError, match="is a symbolic link; refusing to open it"):
        Cache(folder / "cache.sqlite3")
    assert victim.read_text() == "keep"
    assert sorted(p.name for p in folder.iterdir()) == [name]
