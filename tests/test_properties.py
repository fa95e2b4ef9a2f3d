"""Property-based tests: generated Markdown never crashes extraction, and the
identity guarantee holds for every generated document."""

from __future__ import annotations

import re

import markdown
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.config.load import Config
from pipeline.source.convert import Converter
from pipeline.source.segment import Rendering
from tests.support import DEFAULT_EXTENSIONS, ROOT

CONVERTER = Converter(Config(root=ROOT))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

word = st.text(alphabet="abcdeäöüßxyzABC0123456789", min_size=1, max_size=8)
inline_piece = st.one_of(
    word,
    word.map(lambda w: f"*{w}*"),
    word.map(lambda w: f"**{w}**"),
    word.map(lambda w: f"`{w}`"),
    word.map(lambda w: f"[{w}](https://example.org/{w})"),
    word.map(lambda w: f"![{w}]({w}.png)"),
    word.map(lambda w: f"<b>{w}</b>"),
    st.sampled_from(
        [
            "&amp;",
            "&copy;",
            "[^1]",
            "NCT01234567",
            "<https://a.org>",
            "a@b.org",
            "  \n",
            "\n",
            "{: .x}",
            "*",
            "_",
            "`",
            "[",
            "]",
            "<",
            ">",
            "|",
            "\\|",
            "#",
            "!",
            "[TOC]",
            "1.",
            "-",
            "+",
        ]
    ),
)
line = st.lists(inline_piece, min_size=1, max_size=8).map(" ".join)
block = st.one_of(
    line,
    st.tuples(st.integers(1, 6), line).map(lambda t: "#" * t[0] + " " + t[1].replace("\n", " ")),
    st.lists(line.map(lambda x: x.replace("\n", " ")), min_size=1, max_size=4).map(
        lambda xs: "\n".join(f"- {x}" for x in xs)
    ),
    st.lists(line.map(lambda x: x.replace("\n", " ")), min_size=1, max_size=4).map(
        lambda xs: "\n".join(f"{i + 3}. {x}" for i, x in enumerate(xs))
    ),
    st.lists(word, min_size=2, max_size=4).map(
        lambda ws: "| " + " | ".join(ws) + " |\n|" + "---|" * len(ws) + "\n| " + " | ".join(reversed(ws)) + " |"
    ),
    line.map(lambda x: "> " + x.replace("\n", "\n> ")),
    word.map(lambda w: f"```\n{w} code\n```"),
    word.map(lambda w: f"    indented {w}"),
    line.map(lambda x: "[^1]: " + x.replace("\n", " ")),
    st.tuples(word, line).map(lambda t: f"{t[0]}\n:   {t[1].replace(chr(10), ' ')}"),
    st.tuples(word, line).map(lambda t: f'!!! note "{t[0]}"\n    {t[1].replace(chr(10), " ")}'),
    word.map(lambda w: f"<div>{w}</div>"),
    word.map(lambda w: f'<div markdown="1">\n{w} *md*\n</div>'),
    # Abbreviations of letters: an abbreviation that is a number splits Python-Markdown's
    # own placeholders (`\x02wzxhzdk:0\x03`), whose output then shows "wzxhzdk:" and
    # whose heading ids depend on the stash's numbering: no rendering can match that.
    word.filter(str.isalpha).map(lambda w: f"*[{w.upper()}]: {w} title"),
    st.just("<!-- i18n: skip -->"),
    st.just("[TOC]"),
)
document = st.lists(block, min_size=1, max_size=10).map("\n\n".join)


@SETTINGS
@given(document)
def test_identity_holds_for_generated_documents(doc):
    expected = markdown.markdown(doc, extensions=DEFAULT_EXTENSIONS)
    extracted = CONVERTER.convert(doc)
    assert extracted.html == expected
    for seg in extracted.segments:
        assert seg.msgid and "\x02" not in seg.msgid and "\x03" not in seg.msgid
    applied = CONVERTER.convert(doc, lambda seg: Rendering(seg.msgid), "en")
    assert applied.rejected == []
    # do-not-translate blocks are marked with the source language; nothing else differs
    assert applied.html.replace(' lang="en"', "") == expected.replace(' lang="en"', "")


@SETTINGS
@given(document)
@example("0\n\n# 0\n\n[TOC]\n\n[TOC]")  # a heading in two tables of contents
@example("0\n\n# ![0](0.png)\n\n[TOC]")  # a heading of markup only: its entry is the marker alone
def test_every_translation_is_shown_where_its_source_was(doc):
    """Each message translated as a numbered marker followed by its own source text:
    deleting the markers must give Python-Markdown's own rendering of the document,
    byte for byte (so no translation went into another's place, none was dropped or
    re-rendered), and each marker is on the page where its message is shown."""
    expected = markdown.markdown(doc, extensions=DEFAULT_EXTENSIONS)
    asked = []

    def lookup(seg):
        asked.append(seg)
        return Rendering(f"{marker(len(asked))} {seg.msgid}")

    applied = CONVERTER.convert(doc, lookup, "en")
    assert applied.rejected == []
    assert [s.msgid for s in asked] == [s.msgid for s in CONVERTER.convert(doc).segments]
    assert MARKER_RE.sub("", applied.html).replace(' lang="en"', "") == expected.replace(' lang="en"', "")
    for number, seg in enumerate(asked, 1):
        shown = applied.html.count(marker(number))
        if (seg.comment or "").startswith(("abbreviation", "link")):
            continue  # a title shows wherever its abbreviation or link is used: anywhere from 0 times
        # once; a heading also in each table of contents
        assert shown in (1, 1 + doc.count("[TOC]")), (seg.msgid, shown)


def marker(number: int) -> str:
    """A word no generated document contains and Markdown leaves alone."""
    return f"QZ{number}ZQ"


# A marker and its space; in a table of contents, whose entries are a heading's text
# stripped, a marker before nothing but markup has lost its space.
MARKER_RE = re.compile(r"QZ\d+ZQ(?: |(?=<))")


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    CONVERTER.convert(text)
    CONVERTER.convert(text, lambda seg: None, "en")
