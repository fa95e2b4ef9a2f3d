"""The shortcuts a build takes give the answers the long way gives.

* Python-Markdown's inline processor, made to skip patterns that cannot match a
  text (`hooks.SkippingInlineProcessor`) and to match a link's brackets from the
  brackets alone (`hooks.BracketEnds`, the same answer for every index), renders
  every document of the test corpus, the bad-input corpus included, byte for byte
  as the stock one does; the emphasis check's skeleton of a text (`inline.emphasis_skeleton`)
  renders the same bold and italic as the text;
* the sanitizer gate's pre-test (`gate.inert`): every text it lets through
  unrendered is one the full gate (text checks, rendering, HTML checks, nh3) lets
  through too, also deep in a call stack (no "nested too deeply" skipped), with
  and without inline links and images, and the hostile translations of the
  injection tests are not inert;
* the markup model's scans (`spans.SCANS`) run only on a text that has their
  literal: no scan finds anything in a text without it; nor do the scans the
  sanitizer's text checks skip in a translation without `<`, `](` or `⟦`/`⟧`;
* the negation check's pre-test (`negation.Words.candidates`) skips only texts in
  which the word-by-word test finds no negating word, in every language with a list;
* a pattern that opens with a lookbehind or `\\b`, given a lookahead of its first
  character in front, or opening with that character and reading the lookbehind back
  over it, so that the engine skips to the candidates, finds what it found before; so
  do the URL scan from each `://` (`spans._urls`), the gate's pre-test with `in` and
  `find` (`gate._not_inert_text`), and the negation pre-test's patterns, one per first
  character of a form (`negation._candidates`), against the `\\b` definition;
* a protected pattern is not searched in a text without the literal every match of it
  holds (`spans.required`);
* the table of contents' marker is looked for in a page only if its text has it
  (`hooks.marker_once`): the documents of the corpus with `[TOC]` render as they do;
* a renderer's block-level tags (`hooks.BlockLevel`) answer `in` as the list they are
  does, after any change an extension makes to the list;
* a word count (`inline.words`) blanks placeholders only in a text with `%` or `{`,
  and of Markdown's marks only `_`: the count of every mark blanked; an ASCII text's
  count by `translate` and `count` (`inline._ascii_words`) is the word pattern's;
* a page's mark of its text (`bundles.marks_text`) is looked for from the tag of its
  first `data-pagefind-body`: found exactly when a search of the whole page finds it;
* an article's body is read line by line for nesting too deep (`article.nesting_problem`)
  only if a line opens with more marks than the limit or a run of `*`/`_` is longer:
  the same line found, or none;
* a text with no protected span and no line break has the shared empty inventory
  (`inline.NO_MARKUP`), the one counting its markup gives;
* the enforced checks skip the markup checks (`Check.markup`) of a translation whose
  markup inventory equals its source's (`checks.same_markup`): each of them finds
  nothing then, and the verdict is the one every enforced check run in order gives.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections import Counter
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import inlinepatterns
from markdown.treeprocessors import InlineProcessor

from pipeline.build import bundles
from pipeline.config.load import DEFAULT_EXTENSIONS, load_config
from pipeline.markup import danger, gate, hooks, inline, spans
from pipeline.markup.hooks import BlockLevel, BracketEnds, SkippingInlineProcessor, fast_render
from pipeline.markup.spans import Taken
from pipeline.review import checks, negation, numbers
from pipeline.review.enforce import Enforcer, Refusal
from pipeline.review.registry import REGISTRY
from pipeline.source import article
from tests.support import entry, make_project
from tests.test_injection import HOSTILE

TESTS = Path(__file__).parent
DOCUMENTS = [  # the hostile giants of bad_input (their own tests time them) left out: the suite stays fast
    path
    for path in sorted((TESTS / "documents").glob("*.md")) + sorted((TESTS / "bad_input").glob("*/source/*.md"))
    if path.stat().st_size < 20_000
]
EXTENSION_SETS = [list(DEFAULT_EXTENSIONS), ["extra", "toc", "nl2br", "legacy_em", "smarty"]]


@pytest.mark.parametrize("extensions", EXTENSION_SETS, ids=lambda e: "+".join(e) or "none")
def test_skipping_inline_processor_renders_as_python_markdown(extensions):
    assert DOCUMENTS
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8", errors="replace")
        stock = markdown.Markdown(extensions=extensions)
        fast = markdown.Markdown(extensions=extensions)
        fast_render(fast)
        assert type(fast.treeprocessors["inline"]) is SkippingInlineProcessor
        assert "toc" not in extensions or fast.treeprocessors["toc"].replace_marker.__qualname__.startswith(
            "marker_once"
        )
        try:
            expected = stock.convert(text)
        except RecursionError:
            continue
        assert fast.convert(text) == expected, path


@given(st.text(alphabet="[]a!(", max_size=60), st.sampled_from([0, 1, 2, 5, BracketEnds.NEAR]), st.booleans())
def test_bracket_ends_answer_as_python_markdowns_scan(data, near, backwards):
    stock = inlinepatterns.LinkInlineProcessor._findBracketEnds(data)
    # Walks short and long: the table made at the first long one, or never.
    fast = type("Near", (BracketEnds,), {"NEAR": near, "__slots__": ()})(data)
    order = range(len(data), -1, -1) if backwards else range(len(data) + 1)
    assert {i: fast[i] for i in order} == dict(enumerate(stock))


def test_a_text_of_unclosed_brackets_makes_its_table_once():
    fast = BracketEnds("[" * 10_000)
    assert fast[1] is None and fast._table is not None  # walked NEAR brackets, then the table
    table = fast._table
    assert [fast[i] for i in (0, 5_000, 10_000)] == [None, None, None] and fast._table is table


def test_the_link_patterns_of_a_fast_renderer_use_bracket_ends():
    md = markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS))
    fast_render(md)
    links = [p for p in md.inlinePatterns if isinstance(p, inlinepatterns.LinkInlineProcessor)]
    assert links and all(p._findBracketEnds is BracketEnds for p in links)
    openings = [p for p in links if p.pattern == inlinepatterns.NOIMG + r"\["]
    assert len(openings) == 3 and all(p.getCompiledRegExp() is hooks._LINK_OPENING_RE for p in openings)
    assert md.convert("[a [b] c](x) [d][e] ![f](g) [h]") == markdown.markdown("[a [b] c](x) [d][e] ![f](g) [h]")


def _stock_emphasis(text: str) -> dict[str, int]:
    """Python-Markdown's own count, the stock processor on the whole text."""
    md = markdown.Markdown()
    root = etree.Element("div")
    etree.SubElement(root, "p").text = text
    md.treeprocessors["inline"].run(root)
    return dict(Counter(el.tag for el in root.iter() if el.tag in ("strong", "em")))


EMPHASIS_PIECES = [*"ab1 *_[]()\"'`\\!.,\n\t", "**", "__", "_a_", "***", "  \n", "](", "[a][b]", "[^1]", "![x](y)"]
EMPHASIS_PIECES += ["\\*", "`c`", " 't t'", "x)", "(a b)", "a b c", "_x y_", "**x y**", "\u00a0", "\u0301", "٣", "日本"]
EMPHASIS_PIECES += ["a. b", ", ", "-", ":", ";", "?", "a: b", "x-y", "(a. b)", '"a, b"', "**a. b**", "a.*b"]


@given(st.lists(st.sampled_from(EMPHASIS_PIECES), min_size=1, max_size=30).map("".join))
def test_a_texts_emphasis_skeleton_renders_the_same_bold_and_italic(text):
    assert _stock_emphasis(inline.emphasis_skeleton(text)) == _stock_emphasis(text)
    assert dict(inline.emphasis_tags(text)) == _stock_emphasis(text)


def test_a_text_that_names_letters_keeps_them():
    # `<http://x>` is a link only with those letters; `&amp;` an entity: no skeleton.
    for text in ["<http://a_b_c/*x*>", "*&amp;* x_y_z", "<b>*x*</b>"]:
        assert dict(inline.emphasis_tags(text)) == _stock_emphasis(text)


def test_a_python_markdown_without_the_private_hook_keeps_its_own_processor(monkeypatch):
    monkeypatch.delattr(InlineProcessor, "_InlineProcessor__handleInline")
    md = markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS))
    fast_render(md)
    assert type(md.treeprocessors["inline"]) is InlineProcessor


FRAGMENTS = markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS))


def _fragment(text: str) -> str:
    FRAGMENTS.reset()
    return FRAGMENTS.convert(text)


def _full_gate(msgstr: str, depth: int = 250) -> str | None:
    """The gate without its pre-test (`inert_ok` is off by default), called `depth`
    frames down, as from inside a page's rendering."""
    if depth:
        return _full_gate(msgstr, depth - 1)
    return gate.refusal("The source text.", msgstr, _fragment)


PIECES = [*"ab *_-+>#!:.=|~`\n\t()]1\"'", "[", "[TOC]", "!!! note ", "    ", "1. ", "- ", "> ", "---", "x: y"]
# Inline links and images, plain and not: the pre-test passes only plain targets.
LINKS = ["](", "[a](", "![i](", "http://", "https://x.org/p?q=1", "mailto:a@b.c", "//cdn.x", "#s", "/p", "x.html"]
LINKS += ["javascript:", "JAVASCRIPT:", "HTTP://", "tel:1", "data:", ' "t"', " 't'", ")", "(", "%0a", "\x00"]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_an_inert_translation_passes_the_full_gate(text):
    if gate.inert(text):
        assert _full_gate(text) is None


@given(st.lists(st.sampled_from(PIECES + LINKS * 3), min_size=1, max_size=40).map("".join))
def test_an_inert_translation_with_links_passes_the_full_gate(text):
    if gate.inert(text):
        assert _full_gate(text) is None


@pytest.mark.parametrize(
    "text",
    [
        'See [the trial](https://clinicaltrials.gov/study/NCT01051882) and ![a scan](/img/scan.png "MRI").',
        "Write to [us](mailto:info@clinic.example) or read [below](#risks), [the FAQ](faq.html).",
    ],
)
def test_ordinary_links_are_inert(text):
    assert gate.inert(text) and _full_gate(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](tel:+4930123)",  # allowed by the text checks only where the source has it: the long way
        "[x](http://a.b/(c))",
        "[x]( http://a.b)",
        "[x] (http://a.b)",
        "[x](http://a.b 'title')",
        "[x]: http://a.b",
        "[x](<http://a.b>)",
        "[x](http://a.b%22onclick=alert(1))",
    ],
)
def test_other_link_targets_go_the_long_way(text):
    assert not gate.inert(text)


def test_links_in_link_text_count_towards_the_nesting_bound():
    text = "[" * 40 + "x" + "](a)" * 40
    assert not gate.inert(text)
    nested = "[" * 20 + "x" + "](a)" * 20
    assert gate.inert(nested) and _full_gate(nested) is None


@pytest.mark.parametrize("marker", ["- ", "> ", "* ", "1. ", "+ ", "*", "_", "\n    - "])
def test_deep_nesting_is_not_inert_before_it_could_be_too_deep(marker):
    for n in (8, 16, 32, 33, 200, 2000):
        text = marker * n + "x" + ("*" * n if marker in ("*", "_") else "")
        if gate.inert(text):
            assert n <= 32
            assert _full_gate(text) is None


def test_hostile_translations_are_not_inert():
    refused = [text for text in HOSTILE.values() if _full_gate(text, 0) is not None]
    assert refused
    assert not [text for text in refused if gate.inert(text)]
    assert gate.renders_inert(DEFAULT_EXTENSIONS)
    assert not gate.renders_inert(("extra", "pymdownx.magiclink"))


# Every literal a scan needs, the characters around them, and the corpus' own lines.
SCAN_PIECES = (
    [literal for literal, _ in spans.SCANS]
    + ["⟦1⟧", "<b>", "<!-- -->", "[", "]"]
    + [*"ab.:/w@<>[]()^{}#&;!\"' \n`-_x1", "http", "ftp", "a@b.c"]
)
ARTICLES = [*DOCUMENTS, *sorted((TESTS.parent / "source").glob("*.md"))]
CORPUS_LINES = sorted({line for path in ARTICLES for line in path.read_text(errors="replace").splitlines()})


def _without_literal_nothing_is_found(text: str) -> None:
    for literal, scan in spans.SCANS:
        cut = text
        while literal in cut:
            cut = cut.replace(literal, literal[:-1])
        assert not list(scan(cut)), (literal, cut)
    for literals, scan in TEXT_CHECK_SCANS:
        cut = text
        for literal in literals:
            while literal in cut:
                cut = cut.replace(literal, literal[:-1])
        assert not list(scan(cut)), (literals, cut)


# What `danger.text_refusal` looks for, and what a translation must have for it to look.
TEXT_CHECK_SCANS = [(("<",), danger.tags), (("](",), danger.link_targets), (("⟦", "⟧"), danger.TOKEN_RE.findall)]


@given(st.lists(st.sampled_from(SCAN_PIECES), min_size=1, max_size=40).map("".join))
def test_a_scan_finds_nothing_in_a_text_without_its_literal(text):
    _without_literal_nothing_is_found(text)


def test_no_line_of_the_corpus_has_a_match_without_its_literal():
    assert len(CORPUS_LINES) > 300
    for line in CORPUS_LINES:
        _without_literal_nothing_is_found(line)


# Patterns a project might protect, built from pieces: literals, classes, groups,
# optional and repeated parts, alternatives, anchors and inline flags.
PATTERN_PIECES = [
    "NCT",
    "ab",
    "b",
    r"\d",
    r"\d{2}",
    r"\b",
    "[ab]",
    "(ab)",
    "(?:ab)?",
    "a*",
    "(?:a|b)",
    "(?i:ab)",
    "|",
    "-",
]
MATCH_PIECES = [*"abAB1 -", "NCT", "nct", "NCT12", "ab", "Ab"]


@given(
    st.lists(st.sampled_from(PATTERN_PIECES), min_size=1, max_size=6).map("".join),
    st.lists(st.sampled_from(MATCH_PIECES), min_size=0, max_size=20).map("".join),
)
def test_every_match_of_a_protected_pattern_holds_the_text_it_requires(pattern, text):
    required = spans.required(pattern)
    for m in re.finditer(pattern, text):
        if m.group(0):
            assert required in m.group(0), (pattern, required, m.group(0))
    assert spans.required("(?i)" + pattern) == ""


def test_a_trial_id_pattern_requires_its_prefix():
    assert spans.required(r"\bNCT\d{8}\b") == "NCT"
    assert spans.required(r"(?:EudraCT|ISRCTN)\d+") == ""
    assert spans.protected_spans("see NCT01234567.", [r"\bNCT\d{8}\b"])[0].text == "NCT01234567"


# Each pattern as it is defined, opening with a lookbehind or `\b`, and the pattern in
# use, which opens with a lookahead of its first character or with that character,
# the lookbehind then read back over it: the engine skips to those characters.
_SCIENTIFIC_TAIL = numbers._SCIENTIFIC_RE.pattern.removeprefix(f"({numbers._MANTISSA})")
FIRST_CHARACTER_PATTERNS = [
    (r"(?<![\\*_\w])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![*_\w])", inline._EMPHASIS_RE),
    (r"(?<!\\)[\[\]]", inline._BRACKET_RE),
    (r"(?<![\w.,])(\d+(?:[.,]\d+)?)" + _SCIENTIFIC_TAIL, numbers._SCIENTIFIC_RE),
    *(
        (r"(?<![\w.,])\d+" + numbers.symbols(lang).token.pattern.removeprefix(numbers._FIRST_DIGIT + r"\d*"), token)
        for lang in ("de", "en", "fr", "ar")
        for token in [numbers.symbols(lang).token]
    ),
    (r"\bwww\.[^\s<>\"'`\]\[)]*[^\s<>\"'`\]\[).,;:!?]", spans._WWW_RE),
    (inlinepatterns.NOIMG + r"\[", hooks._LINK_OPENING_RE),
]
NUMBER_PIECES = [*"0123456789.,-+−*_\\[] x×·^e!\u00a0\u202fab", "10^", "**", "1.000", "2,5", "⁸", "٣", "w", "www.", "é"]


@pytest.mark.parametrize("before, now", FIRST_CHARACTER_PATTERNS, ids=range(len(FIRST_CHARACTER_PATTERNS)))
def test_a_pattern_opening_with_its_first_character_finds_the_same(before, now):
    assert before != now.pattern and not now.pattern.startswith("(?<")
    old = re.compile(before)

    def found(pattern: re.Pattern[str], text: str) -> list[tuple]:
        return [(m.span(), m.groups()) for m in pattern.finditer(text)]

    @given(st.lists(st.sampled_from(NUMBER_PIECES), max_size=30).map("".join))
    def same(text):
        assert found(now, text) == found(old, text)

    same()
    for line in CORPUS_LINES:
        assert found(now, line) == found(old, line)


URL_PIECES = ["://", "http", "https", "ftp", "h", "s", "p", ":", "/", "a", "é", "_", " ", ".", ")", "[", "<", "x://"]


@given(st.lists(st.sampled_from(URL_PIECES), max_size=30).map("".join))
def test_urls_found_from_each_scheme_separator_are_the_regexs_matches(text):
    assert [(m.span(), m.group(0)) for m in spans._urls(text)] == [
        (m.span(), m.group(0)) for m in spans._URL_RE.finditer(text)
    ]


def test_urls_of_the_corpus_are_the_regexs_matches():
    for line in CORPUS_LINES:
        assert [m.span() for m in spans._urls(line)] == [m.span() for m in spans._URL_RE.finditer(line)]


# The gate's pre-test as one regex: what `gate._not_inert_text` looks for with `in` and `find`.
NOT_INERT_RE = re.compile(r"[<&\\{\x02\x03⟦⟧]|\][ \t\n]*:|\][ \t\n]+\(")
GATE_PIECES = [*"<&\\{\x02\x03⟦⟧]:( \t\na1.", "](", "] :", "]\n(", "1. ", "x."]


@given(st.lists(st.sampled_from(GATE_PIECES), max_size=30).map("".join))
def test_the_gates_pre_test_finds_what_one_regex_finds(text):
    assert gate._not_inert_text(text) == bool(NOT_INERT_RE.search(text))
    assert len(gate._LIST_NUMBER_RE.findall(text)) == len(re.findall(r"[0-9]\.", text))


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=40))
def test_taken_answers_as_a_set_of_characters_does(ranges):
    """`Taken` (one byte per character) against the obvious model: a set of the
    characters claimed; a range is added only where it overlaps nothing."""
    taken, claimed = Taken(80), set()
    for start, length in ranges:
        end = start + length
        overlaps = any(i in claimed for i in range(start, end))
        assert taken.overlaps(start, end) == overlaps
        if not overlaps:
            taken.add(start, end)
            claimed.update(range(start, end))


NEGATION_LANGS = ["en", "de", "fr", "pl", "ru", "tr", "ar"]


@pytest.mark.parametrize("lang", NEGATION_LANGS)
@settings(max_examples=300)
@given(data=st.data())
def test_the_negation_pre_test_skips_only_texts_without_a_negating_word(lang, data):
    words = negation.words(lang)
    forms = sorted(words.whole) + [p + "x" for p in words.prefixes] + ["x" + s for s in words.suffixes]
    pieces = [*forms, "a", "B", " ", "'", "’", ".", "-", "x", "é", "NOT", "Nicht", "İ", "ß", "\u0301"]
    text = data.draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=10).map("".join))
    slow = [m.span() for m in negation._WORD_RE.finditer(text) if words.negates(m.group(0).casefold())]
    assert negation.spans(text, lang) == slow


def _negation_candidates_the_long_way(words: negation.Words) -> re.Pattern[str]:
    """`Words.candidates` as defined: a whole word or a prefix after `\b`, a whole
    word or a suffix before one."""

    def any_of(forms):
        return "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))

    alternatives = [rf"\b(?:{any_of(words.whole)})\b"] if words.whole else []
    alternatives += [rf"\b(?:{any_of(words.prefixes)})"] if words.prefixes else []
    alternatives += [rf"(?:{any_of(words.suffixes)})\b"] if words.suffixes else []
    return re.compile("|".join(alternatives) or r"(?!)")


@pytest.mark.parametrize("lang", NEGATION_LANGS)
@settings(max_examples=300)
@given(data=st.data())
def test_the_negation_candidates_are_found_where_the_boundaries_say(lang, data):
    words = negation.words(lang)
    forms = [*words.whole, *words.prefixes, *words.suffixes]
    pieces = [*forms, *(f[:-1] for f in forms if len(f) > 1), "a", "é", "_", "1", " ", "'", "’", "-", "\n"]
    text = data.draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=10).map("".join))
    expected = _negation_candidates_the_long_way(words).search(text) is not None
    assert any(candidate.search(text) for candidate in words.candidates) == expected


def test_a_negating_form_that_opens_with_a_mark_keeps_its_boundary():
    words = negation.Words(frozenset({"'no"}), (), (), negation._candidates(frozenset({"'no"}), (), ()))
    for text in ("x'no", "'no", " 'no", "x'nox"):
        expected = _negation_candidates_the_long_way(words).search(text) is not None
        assert any(c.search(text) for c in words.candidates) == expected, text


WORD_PIECES = [
    *"*_`#>|[]%{}()-'’.,!",
    " ",
    "\n",
    "a",
    "Zé",
    "7",
    "1.6",
    "%s",
    "%(dose)d",
    "{name}",
    "__init__",
    "snake_case",
]


@given(st.lists(st.sampled_from(WORD_PIECES), min_size=1, max_size=40).map("".join))
def test_a_word_count_counts_as_with_every_mark_blanked(text):
    long_way = re.sub(r"[*_`#>|\[\]]", " ", inline._WORDS_PLACEHOLDER_RE.sub(" ", inline.prose(text)))
    found = inline._WORD_RE.findall(long_way)
    expected = len(found) - sum(1 for w in found if not w[0].isalpha() and inline._WORDS_NUMBER_RE.fullmatch(w))
    assert inline.words(text) == expected


ASCII_WORD_PIECES = [*"aZ7_ -'.,;:/()*#\n\t", "12", "a.b", "1.5", "2,000", "..", "--", "5mg", "x2", "a-1"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(ASCII_WORD_PIECES), max_size=30).map("".join))
def test_an_ascii_word_count_is_the_word_patterns(text):
    found = inline._WORD_RE.findall(text)
    expected = len(found) - sum(1 for w in found if not w[0].isalpha() and inline._WORDS_NUMBER_RE.fullmatch(w))
    assert inline._ascii_words(text.encode("ascii")) == expected


def test_block_level_tags_answer_as_the_list_after_every_change():
    md = markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS))
    fast_render(md)
    names = md.block_level_elements
    assert isinstance(names, BlockLevel) and "p" in names and "strong" not in names
    changes = [
        ("append", ("strong",)),
        ("extend", (["em", "a"],)),
        ("insert", (0, "code")),
        ("remove", ("p",)),
        ("pop", ()),
        ("__setitem__", (0, "span")),
        ("__setitem__", (slice(1, 3), ["mark"])),
        ("__delitem__", (0,)),
        ("__iadd__", (["kbd"],)),
        ("__imul__", (2,)),
        ("clear", ()),
    ]
    probe = ["p", "div", "strong", "em", "a", "code", "span", "mark", "kbd", "li", ["p"]]
    for name, args in changes:
        getattr(names, name)(*args)
        assert [x in names for x in probe] == [x in list(names) for x in probe], name
    names.append("strong")
    assert md.is_block_level("STRONG") and not md.is_block_level("em")


PAGE_PIECES = [b"<", b">", b"main", b"p", b" ", b"\t", b"\n", b"=", b"/", b'"', b"x", b"-", b"data-pagefind-body"]
PAGE_PIECES += [b"data-pagefind-bod", b"<main data-pagefind-body>", b"&lt;", b"<!-- ", b" -->", b"1"]


@given(st.lists(st.sampled_from(PAGE_PIECES), max_size=40).map(b"".join))
def test_a_page_marks_its_text_as_the_whole_page_search_says(page):
    assert bundles.marks_text(page) == (bundles.MARK.search(page) is not None)


def test_article_pages_and_other_pages_are_told_apart(tmp_path):
    head = b"<!doctype html><html><head><title>t</title></head><body><nav><a href='/'>x</a></nav>" * 20
    cases = {
        "article.html": (head + b'<main id="m" data-pagefind-body>text</main></body></html>', True),
        "notice.html": (head + b"<main>data-pagefind-body is not a tag here</main></body></html>", False),
        "text-first.html": (head + b"data-pagefind-body <div\ndata-pagefind-body=''>x</div>", True),
        "text-after.html": (head + b"<main data-pagefind-body><p>Add <code>data-pagefind-body</code></p>", True),
    }
    for name, (data, expected) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert bundles.article_page(tmp_path / name) is expected, name
    (tmp_path / "link.html").symlink_to(tmp_path / "article.html")
    assert not bundles.article_page(tmp_path / "link.html")
    assert not bundles.article_page(tmp_path / "missing.html")
    assert not bundles.article_page(tmp_path)


# A line's opening: each piece one nesting level or less (or none: `-` without a space).
OPENERS = ["\t", "    ", "  ", " ", "> ", ">", "- ", "* ", "+ ", "1. ", "123456789) ", "-", "*", "_", "1.", "a"]
TAILS = ["word", " ", "*", "_", "**", "__", "-", ">", "\t", "*" * 50, "_" * 60, "* " * 3]
LINES = st.tuples(
    st.lists(st.sampled_from(OPENERS), min_size=1, max_size=3),
    st.integers(0, 2 * article.MAX_NESTING + 10),
    st.lists(st.sampled_from(TAILS), max_size=6),
).map(lambda t: "".join(t[0]) * (t[1] // len(t[0])) + "".join(t[2]))


def _nesting_the_long_way(body: str) -> int | None:
    for number, line in enumerate(body.split("\n"), 1):
        depth, at = article._block_depth(line)
        if depth > article.MAX_NESTING or (
            article._EMPHASIS_RUN_RE.search(line, at) and not article._RULE_RE.fullmatch(line)
        ):
            return number
    return None


@settings(max_examples=400)
@given(st.lists(LINES, min_size=1, max_size=4).map("\n".join))
def test_a_body_nests_too_deep_at_the_line_the_line_by_line_reading_says(body):
    assert article.nesting_problem(body) == _nesting_the_long_way(body)


@given(
    st.lists(st.sampled_from(PIECES + LINKS + ["`c`", "<b>", "&amp;", "NCT01234567", "a@b.org"]), max_size=20).map(
        "".join
    )
)
def test_a_text_without_markup_shares_the_empty_inventory_the_count_would_give(text):
    found = spans.protected_spans(text)
    counted = inline._counted(text, found)
    assert inline.inventory(text) == counted
    assert (inline.inventory(text) is inline.NO_MARKUP) == (not found and "\n" not in text)
    if not found:
        assert inline._counted(text.replace("\n", " "), []) == inline.NO_MARKUP


# Pieces of a segment with markup of every kind a markup check compares, and text.
MARKUP_PIECES = [
    *["`c`", "``d``", "[a](https://x.org/a)", '[b](https://x.org/b "t")', "![i](p.png)", "[r][1]", "[^1]"],
    *["{#id}", "{: .c}", "https://x.org/p", "www.x.org", "a@b.org", "<https://x.org>", "NCT01234567", "<b>"],
    *["&amp;", "  \n", "\n", "**b**", "*i*", "1.5", "5 mg", "not", "nicht", "%(d)s", "<!--ph:1-->"],
    *["word", "Wort", " ", ".", "(", ")"],
]


def _counted_the_long_way(text: str) -> inline.Inventory:
    found = spans.protected_spans(text)
    targets = [s for s in found if s.kind in ("target", "ref")]
    images = Counter(s.text for s in targets if inline._opening_is_image(text, s.start))
    links = Counter(s.text for s in targets if not inline._opening_is_image(text, s.start))
    by_kind: dict[str, Counter[str]] = {}
    for s in found:
        by_kind.setdefault(s.kind, Counter())[s.text] += 1
    breaks = len(inline.BREAK_RE.findall(text))
    return inline.Inventory(by_kind, sum(links.values()), sum(images.values()), breaks, links, images)


@given(st.lists(st.sampled_from(MARKUP_PIECES), max_size=20).map("".join))
def test_an_inventory_counts_what_the_long_way_counts(text):
    assert inline.inventory(text) == _counted_the_long_way(text)


@pytest.fixture(scope="module")
def enforcer(tmp_path_factory):
    return Enforcer(load_config(make_project(tmp_path_factory.mktemp("enforcer"), {})))


def _first_finding_the_long_way(enforcer: Enforcer, msgid: str, msgstr: str) -> Refusal | None:
    ctx = enforcer._context("de", "en", False, False)
    for check in enforcer._order["text"]:
        found = check.function(msgid, msgstr, ctx)
        if found:
            return Refusal(check.name, found[0])
    return None


@settings(max_examples=400)
@given(data=st.data())
def test_equal_inventories_let_the_enforcer_skip_only_checks_that_find_nothing(enforcer, data):
    pieces = data.draw(st.lists(st.sampled_from(MARKUP_PIECES), min_size=1, max_size=12))
    # A translation: the same pieces in another order, one left out or one added, or both.
    shuffled = data.draw(st.permutations(pieces))
    if len(shuffled) > 1 and data.draw(st.booleans()):
        shuffled = shuffled[1:]
    if data.draw(st.booleans()):
        shuffled = [*shuffled, data.draw(st.sampled_from(MARKUP_PIECES))]
    msgid, msgstr = "".join(pieces), "".join(shuffled)
    ctx = enforcer._context("de", "en", False, False)
    if checks.same_markup(msgid, msgstr, ctx):
        for check in REGISTRY.values():
            if check.markup:
                assert check.function(msgid, msgstr, ctx) == [], check.name
    assert enforcer.refusal(entry(msgstr), msgid, msgstr, "de", "en") == _first_finding_the_long_way(
        enforcer, msgid, msgstr
    )


def test_the_markup_checks_are_the_ones_that_compare_inventories(enforcer):
    marked = {check.name for check in REGISTRY.values() if check.markup}
    assert marked == {"code", "links", "images", "footnotes", "breaks", "attr-list", "urls", "protected"}
    # A changed link target is still refused by the markup check that compares it.
    msgid, msgstr = "See [the trial](https://x.org/a).", "Siehe [die Studie](https://x.org/b)."
    assert not checks.same_markup(msgid, msgstr, enforcer._context("de", "en", False, False))
    assert enforcer.refusal(entry(msgstr), msgid, msgstr, "de", "en").check == "links"
