"""One parse of each catalog: the strict checker builds polib's model in its pass.

`read_po_seen` used to check a file with msgfmt's grammar (`syntax`), then hand the
text to polib's own parser (after joining each field's strings into one line, as
polib's appending was quadratic) and then number the entries in a third pass. The
checker now builds the model itself (`polib_model`); `_old_read` below is the old
path, kept here only, so that every comparison runs against polib itself: for every
catalog of the repository, the bad-input corpus, generated catalogs and hand-made
corner cases, the two give the same error, or `POFile`s equal attribute by attribute
(types included), entry by entry, and the same text written back.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.base.errors import PipelineError
from pipeline.base.files import fingerprint, read_regular
from pipeline.catalog import polib_model
from pipeline.catalog.pofile import WRAP_WIDTH, _check_header, read_po_seen, serialize
from pipeline.catalog.signoffs import bind_path
from pipeline.catalog.syntax import WHITESPACE, SyntaxChecker
from tests.test_fuzz import po_file

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the old path: the checker, then polib's parser, then the line numbers ------------------

_OBSOLETE_PREVIOUS_RE = re.compile(r"^[ \t\r\f\v]*#~[ \t\r\f\v]*\|", re.MULTILINE)
_KEYWORD_RE = re.compile(r"^(?:#~[ \t]*)?(msgid|msgstr)\b", re.MULTILINE)


def _old_read(path: Path, rel: str, lang: str | None = None) -> tuple[polib.POFile, str, str]:
    """`read_po_seen` as it was before the one pass (its checks of the bytes are the same)."""
    raw = read_regular(path, rel)
    if not raw.strip():
        raise PipelineError("is empty; restore it from version control, or delete it to start a new catalog", rel)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise PipelineError("starts with a byte-order mark, which msgfmt rejects; save it as UTF-8 without BOM", rel, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PipelineError("is not valid UTF-8 (catalogs must be saved as UTF-8)", rel, line) from None
    header = SyntaxChecker(rel).parse(text)
    if header is None:
        raise PipelineError('no header entry (msgid "") at the top of the file', rel, 1)
    try:
        lines = _joined(_OBSOLETE_PREVIOUS_RE.sub("#|", text))
        po = polib.pofile(_Lines(lines), wrapwidth=WRAP_WIDTH, check_for_duplicates=False)
    except (OSError, ValueError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise PipelineError(f"cannot be parsed: {exc}", rel, int(m.group(1)) if m else None) from None
    _check_header(po, header, rel, lang)
    text = text.replace("\r\n", "\n")
    _number_entries(po, text)
    bind_path(po, path)
    return po, text, fingerprint(raw)


def _number_entries(po: polib.POFile, text: str) -> None:
    msgstr_lines, want, line, at = [], "msgid", 1, 0
    for m in _KEYWORD_RE.finditer(text):
        if m.group(1) != want:
            continue
        line += text.count("\n", at, m.start())
        at = m.start()
        if want == "msgstr":
            msgstr_lines.append(line)
        want = "msgstr" if want == "msgid" else "msgid"
    if len(msgstr_lines) == len(po) + 1:
        for entry, number in zip(po, msgstr_lines[1:], strict=True):
            entry.linenum = number


def _joined(text: str) -> str:
    lines = text.split("\n")
    parts: dict[int, list[str]] = {}
    last, last_kind = -1, ""
    for i, line in enumerate(lines):
        body = line.strip(WHITESPACE)
        if not body:
            continue
        kind = body[:2] if body[:2] in ("#~", "#|") else ""
        rest = body[2:].lstrip(WHITESPACE) if kind else body
        if rest[:1] == '"' and last >= 0 and kind == last_kind:
            parts.setdefault(last, [lines[last].strip(WHITESPACE)[:-1]]).append(rest[1:-1])
            lines[i] = ""
        elif rest[-1:] == '"' and (rest[:1] == '"' or rest[:3] == "msg"):
            last, last_kind = i, kind
        else:
            last = -1
    for i, pieces in parts.items():
        lines[i] = "".join(pieces) + '"'
    return "\n".join(lines)


class _Lines(str):
    def splitlines(self, keepends: bool = False) -> list[str]:
        return self.split("\n")


# -- the comparison -----------------------------------------------------------------------


def _typed(value: object) -> object:
    """A value with its type, all the way down (0 and False, 1 and True differ)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, value)


def _same(path: Path, rel: str = "cat.po", lang: str | None = None) -> polib.POFile | None:
    """Read `path` both ways; assert the same error or the same catalog; return it."""
    try:
        old = _old_read(path, rel, lang)
    except PipelineError as exc:
        with pytest.raises(PipelineError) as caught:
            read_po_seen(path, rel, lang)
        assert str(caught.value) == str(exc)
        return None
    new = read_po_seen(path, rel, lang)
    assert new[1:] == old[1:]  # the text and the fingerprint
    po, was = new[0], old[0]
    assert type(po) is type(was)
    assert _typed(vars(po)) == _typed(vars(was))
    assert len(po) == len(was)
    for entry, old_entry in zip(po, was, strict=True):
        assert type(entry) is type(old_entry)
        assert _typed(vars(entry)) == _typed(vars(old_entry))
    assert str(po) == str(was)
    assert serialize(po) == serialize(was)
    assert serialize(po, 0) == serialize(was, 0)
    return po


def _catalogs() -> list[Path]:
    found = [*ROOT.glob("locales/**/*.po"), *ROOT.glob("locales/**/*.pot")]
    found += [p for p in ROOT.glob("tests/**/*.po*") if p.suffix in (".po", ".pot") and p.is_file()]
    return sorted(set(found))


def test_there_are_catalogs_to_compare():
    assert len(_catalogs()) >= 10


@pytest.mark.parametrize("path", _catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalog_of_the_repository_reads_as_polib_read_it(path):
    lang = path.parent.parent.name if path.parent.name == "LC_MESSAGES" else None
    _same(path, str(path.relative_to(ROOT)), lang)
    _same(path, str(path.relative_to(ROOT)))  # without the Language test too


def test_the_bad_input_corpus_is_compared_too():
    cases = [p for p in _catalogs() if "bad_input" in p.parts]
    assert len(cases) >= 25
    parsed = [p for p in cases if _same(p, "cat.po") is not None]
    assert 3 <= len(parsed) < len(cases)  # some parse, most do not


# -- generated catalogs -------------------------------------------------------------------

HEADER = ['msgid ""', 'msgstr ""', '"Language: de\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"']
# What changes what polib makes of the header: its metadata, its encoding.
CONTENT_TYPE = [
    ['"Content-Type: text/plain; charset=UTF-8\\n"'],
    ['"Content-Type: text/plain; "', '"charset=utf-8\\n"'],
    ['"Content-Type: text/plain;charset=UTF-8\\n"'],
    ['"Content-Type: text/plain; charset=utf8\\n"', '"X-Note: first line\\rsecond\\n"'],
    ['"X-Empty:\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"', '"X-Empty:\\n"'],
]
COMMENTS = [
    "#",
    "# note",
    "#  two spaces",
    "##double",
    "#.",
    "#. extracted",
    "#.\textracted after a tab",
    "#:",
    "#: a.md:1 b.md c:d:x d:12",
    "#:\u00a0nbsp.md:3",
    "#,",
    "#, fuzzy",
    "#, fuzzy, c-format",
    "#,\tno-wrap",
    "# x\u2028",
    "# a\rb",
    "#.  \u00a0",
    "# Content-Type: text/plain; charset=ascii",
]
PREVIOUS = ['#| msgid "old"', '#| msgctxt "c"', '#| msgid_plural "olds"', '#| "more"']
OBSOLETE_PREVIOUS = ['#~| msgid "old"', '#~ |msgid "old"', '#~ | msgid "old"', '#~| "more"']
STRINGS = ['"more"', '"\\x41\\101\\a\\?"', '"a\rb"', '"\\\\"', '"\\"q\\""', '"\u2028"', '""']
EXTRA = ["", "   ", *COMMENTS, *PREVIOUS, *OBSOLETE_PREVIOUS, *STRINGS, 'msgctxt ""', 'msgstr[1] "x"']


@st.composite
def previous_lines(draw) -> list[str]:
    if draw(st.integers(0, 2)):
        return []
    lines = ['#| msgctxt "c"'] if draw(st.booleans()) else []
    lines.append('#| msgid "old"')
    lines += draw(st.lists(st.just('#| "more"'), max_size=2))
    return lines + (['#| msgid_plural "olds"'] if draw(st.booleans()) else [])


@st.composite
def entry_lines(draw, number: int) -> list[str]:
    lines = draw(st.lists(st.sampled_from(COMMENTS), max_size=3)) + draw(previous_lines())
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(['msgctxt "c"', 'msgctxt ""', 'msgctxt "slug"'])))
    lines.append(f'msgid "m{number}"' + draw(st.sampled_from(["", "   ", "\t"])))
    lines += draw(st.lists(st.sampled_from(STRINGS), max_size=2))
    if draw(st.integers(0, 3)) == 0:
        lines.append('msgid_plural "p"')
        for n in range(draw(st.sampled_from([2, 2, 2, 1, 11]))):
            lines.append(f'msgstr[{n}] "f{n}"')
            lines += draw(st.lists(st.sampled_from(STRINGS), max_size=1))
    else:
        lines.append(draw(st.sampled_from(['msgstr "s"', 'msgstr ""', 'msgstr "Content-Type: x charset=ascii"'])))
        lines += draw(st.lists(st.sampled_from(STRINGS), max_size=2))
    if draw(st.integers(0, 3)) == 0:  # obsolete: `#~` before its keywords and strings, `#~|` for `#|`
        mark = draw(st.sampled_from(["#~ ", "#~  ", "#~\t"]))
        lines = [("#~|" + line[2:]) if line[:2] == "#|" else line if line[:1] == "#" else mark + line for line in lines]
    return lines


@st.composite
def generated_catalog(draw) -> str:
    lines = draw(st.lists(st.sampled_from(COMMENTS), max_size=3))  # the header's comment, flags ...
    lines += HEADER[:2] + draw(st.sampled_from(CONTENT_TYPE)) + HEADER[2:]
    if draw(st.integers(0, 4)) == 0:  # obsolete entries may come before the header
        lines[:0] = ['#~ msgid "before"', '#~ msgstr "it"']
    for number in range(draw(st.integers(0, 5))):
        lines += [""] * draw(st.integers(0, 1)) + draw(entry_lines(number))
    for _ in range(draw(st.integers(0, 2))):  # a stray line anywhere
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(EXTRA)))
    for _ in range(draw(st.integers(0, 2))):  # an indented line
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = draw(st.sampled_from([" ", "\t", "\v"])) + lines[at]
    end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return end.join(lines) + draw(st.sampled_from([end, "", end + "#:" + end, end + "# bye" + end]))


def _compare_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "de.po"
    path.write_bytes(data)
    _same(path, "de.po", "de")
    _same(path, "de.po")


@SETTINGS
@given(text=generated_catalog())
@example(text='msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\n#. between\nmsgstr "b"\n')
@example(
    text='msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n#~ |msgid "a"\n#~ msgid "b"\n#~ msgstr "c"\n'
)
def test_generated_catalogs_read_as_polib_read_them(tmp_path_factory, text):
    _compare_text(tmp_path_factory.mktemp("gen"), text.encode("utf-8"))


@SETTINGS
@given(data=po_file())
def test_fuzzed_catalogs_read_as_polib_read_them(tmp_path_factory, data):
    _compare_text(tmp_path_factory.mktemp("fuzz"), data)


def test_the_state_machine_is_polibs():
    """The table the one pass follows is the one polib's parser has (a new polib may change it)."""
    parser = polib._POFileParser("")
    assert {pair: after for pair, (_handler, after) in parser.transitions.items()} == polib_model._TRANSITIONS


# -- polib's quirks, kept: the model is polib's, whatever it made of a file msgfmt accepts --

H = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
QUIRKS = {
    # polib's state machine has no `#.` (nor `#:`, `#,`) between msgid and msgstr
    "extracted comment inside an entry": (
        H + 'msgid "a"\n#. between\nmsgstr "b"\n',
        "de.po:8: cannot be parsed: Syntax error in po file (line 8)",
    ),
    # ... but the checker's errors come first, wherever they are
    "a checker error after it": (
        H + 'msgid "a"\n#. between\nmsgstr "b"\n\nmsgid "c"\n',
        "de.po:10: message has a msgid but no msgstr",
    ),
    # polib reads `#~|` as `#|`, so `#~ |msgid` as `#|msgid`
    "obsolete previous msgid glued to its bar": (
        H + '#~ |msgid "a"\n#~ msgid "b"\n#~ msgstr "c"\n',
        "de.po:6: cannot be parsed: Syntax error in po file (line 6)",
    ),
    # a comment ends the entry for polib: the string after it continues nothing
    "string after a comment": (
        H + 'msgid "a"\nmsgstr "b"\n# c\n"d"\n',
        "de.po:9: cannot be parsed: Syntax error in po file (line 9)",
    ),
    # an empty `#:` changes nothing: the string continues the msgstr
    "string after an empty reference line": (H + 'msgid "a"\nmsgstr "b"\n#:\n"d"\n', ["a", "bd", 7]),
    # polib drops the last entry when the file ends on a comment line, even an empty `#:`
    "ends on an empty reference line": (H + 'msgid "a"\nmsgstr "b"\n#:\n', []),
    # polib reads one digit of msgstr[N]: msgstr[10] overwrites msgstr[1]
    "msgstr[10]": (
        H.replace("nplurals=2", "nplurals=11")
        + 'msgid "a"\nmsgid_plural "p"\n'
        + "".join(f'msgstr[{i}] ""\n' for i in range(11)),
        "de.po:6: has 10 plural form(s), but Plural-Forms says nplurals=11",
    ),
    # a comment between msgstr[0] and msgstr[1] starts an entry with msgid "", which
    # polib then takes for the header (the last such entry without msgctxt wins)
    "comment between plural forms": (
        H + 'msgid "a"\nmsgid_plural "p"\nmsgstr[0] "x"\n# c\nmsgstr[1] "y"\n',
        "de.po:1: header Content-Type must say charset=UTF-8 (found: none)",
    ),
    'msgctxt "" msgid "" as the header': (
        H + 'msgctxt ""\nmsgid ""\nmsgstr "X-Other: 1\\n"\n',
        "de.po:1: header Content-Type must say charset=UTF-8 (found: none)",
    ),
}


@pytest.mark.parametrize("name", QUIRKS)
def test_polib_quirks_are_kept(tmp_path, name):
    text, expected = QUIRKS[name]
    _compare_text(tmp_path, text.encode())
    path = tmp_path / "de.po"
    if isinstance(expected, str):
        with pytest.raises(PipelineError) as caught:
            read_po_seen(path, "de.po", "de")
        assert str(caught.value) == expected
    else:
        po = read_po_seen(path, "de.po", "de")[0]
        assert [value for e in po for value in (e.msgid, e.msgstr, e.linenum)] == expected


def test_the_encoding_is_polibs(tmp_path):
    """polib takes the first `Content-Type: ... charset=` of a line of its input: a
    comment's, and a header's split over two strings (joined, as polib was given them);
    if Python does not know that one, its default."""
    split = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; "\n"charset=utf-8\\n"\n'
    comment = (
        '# Content-Type: text/plain; charset=ascii\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    )
    unknown = comment.replace("ascii", "CHARSET")  # the first one found is not known: polib's default
    twice = comment.replace(
        "# Content-Type: text/plain;", "# Content-Type: a, Content-Type: b; charset=latin-1 Content-Type:"
    )
    later = comment.replace("# Content-Type: text/plain;", "# Content-Type: a;charset=x\n#. Content-Type: b")
    cases = (
        (split, "utf-8"),
        (comment, "ascii"),
        (unknown, "utf-8"),
        (H, "UTF-8"),
        (twice, "latin-1"),
        (later, "ascii"),
    )
    for text, encoding in cases:
        _compare_text(tmp_path, text.encode())
        assert read_po_seen(tmp_path / "de.po", "de.po")[0].encoding == encoding


# -- linear time --------------------------------------------------------------------------

HEAD = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n\n'
LONG = {  # 100,000 lines of one field or comment each (polib's appending took 27 s for the msgstr)
    "msgstr": HEAD + 'msgid "x"\nmsgstr ""\n' + '"abcdefghij abcdefghij abcdefghij"\n' * 100_000,
    "msgid": HEAD + 'msgid ""\n' + '"abcdefghij abcdefghij abcdefghij"\n' * 100_000 + 'msgstr ""\n',
    "previous": HEAD + '#| msgid ""\n' + '#| "abcdefghij abcdefghij"\n' * 100_000 + 'msgid "x"\nmsgstr ""\n',
    "comment": HEAD + "# abcdefghij abcdefghij abcdefghij\n" * 100_000 + 'msgid "x"\nmsgstr ""\n',
    "header comment": "# abcdefghij abcdefghij abcdefghij\n" * 100_000 + HEAD,
    "obsolete": HEAD + "".join(f'#~ msgid "old {i}"\n#~ msgstr "alt {i}"\n' for i in range(100_000)),
    # no ' charset=' for polib's encoding search in the header: on to every `Content-Type:` of the msgstr
    "content types": HEAD.replace("; charset", ";charset")
    + 'msgid "x"\nmsgstr ""\n'
    + '"Content-Type: abc "\n' * 100_000,
}


@pytest.mark.parametrize("kind", LONG)
def test_a_long_field_or_comment_reads_in_linear_time(tmp_path, kind):
    path = tmp_path / "de.po"
    path.write_text(LONG[kind], encoding="utf-8")
    start = time.process_time()  # CPU time: the machine may be busy with others
    po = read_po_seen(path, "de.po", "de")[0]
    assert time.process_time() - start < 5  # about 0.3 s; quadratic, it takes half a minute
    assert len(po) == {"obsolete": 100_000, "header comment": 0}.get(kind, 1)
    if kind == "header comment":
        assert po.header == "\n".join(["abcdefghij abcdefghij abcdefghij"] * 100_000)
    if kind == "msgstr":
        assert po[0].msgstr == "abcdefghij abcdefghij abcdefghij" * 100_000
        assert po[0].linenum == 7


def test_a_long_broken_header_fails_in_linear_time(tmp_path):
    # polib appended each line without a colon to the last header value, quadratic
    path = tmp_path / "de.po"
    path.write_text(HEAD + '"abcdefghij abcdefghij\\n"\n' * 200_000, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(PipelineError, match="broken header line 'abcdefghij abcdefghij'"):
        read_po_seen(path, "de.po", "de")
    assert time.process_time() - start < 5  # about 0.5 s; quadratic, it takes a minute
