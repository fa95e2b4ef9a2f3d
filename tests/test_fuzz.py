"""Fuzzing: generated `.po` files and Markdown documents through the real commands.

* Catalogs: valid-ish PO text, then mutated (quotes, backslashes, keywords, line
  breaks, control characters, NULs, BOMs, truncation). The strict reader returns
  a catalog or raises `PipelineError` with a one-line message — nothing else; what
  it accepts, GNU msgfmt accepts too, and what polib writes back it reads again
  unchanged. Through `update`, `build`, `stats` and `check`: exit 0 or 1, never a
  traceback, one stderr line for the one bad file, the file never rewritten when
  it is broken.
* Markdown: the documents of `test_properties` (plus characters that are line
  breaks to some parsers and not to others) through update → translate every entry
  with its own text → build: the German page's body is plain `markdown.markdown()`
  (the identity guarantee), apart from the `lang` attribute on do-not-translate
  blocks and `scope="col"` on table headers, which the page adds.
* Anything: arbitrary text and bytes with generated front matter as a source file:
  exit 0 or 1, never a traceback, at most one stderr line, and a catalog that is
  written passes `msgfmt -c` and reads back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import markdown
import polib
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.base.errors import PipelineError
from pipeline.build.frame import label_cells
from pipeline.build.pages import accessible_tables
from pipeline.catalog.pofile import read_po, serialize
from pipeline.config.load import load_config
from pipeline.source.article import load_article
from pipeline.source.convert import Converter
from tests.support import DEFAULT_EXTENSIONS, make_project, msgfmt_check, reviewed_chrome, run
from tests.test_properties import block, inline_piece

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CATALOG = "locales/de/LC_MESSAGES/article.po"

# -- catalogs ----------------------------------------------------------------------------

# Characters that break lines for str.splitlines (polib), not for msgfmt; controls; a BOM.
TRICKY = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r", "\x00", "\ufeff", "\t", "\x7f"]
string_char = st.one_of(
    st.sampled_from(list("aäß中 🙂.,%(){}")),
    st.sampled_from(["\\n", "\\t", '\\"', "\\\\", "\\r", "\\q", "\\x41", "\\101", "\\", '"', "%(n)s", "%d"]),
    st.sampled_from(TRICKY),
)
po_string = st.lists(string_char, max_size=8).map("".join)


@st.composite
def quoted(draw) -> str:
    parts = draw(st.lists(po_string, min_size=1, max_size=3))
    return "\n".join(f'"{p}"' for p in parts)


@st.composite
def po_entry(draw) -> str:
    lines = []
    for comment in draw(st.lists(st.sampled_from(["#", "#.", "#:", "#,", "#|", "#~"]), max_size=3)):
        if comment == "#,":
            lines.append("#, " + draw(st.sampled_from(["fuzzy", "python-format", "fuzzy, c-format", "no-wrap"])))
        elif comment == "#|":
            lines.append(f"#| msgid {draw(quoted()).splitlines()[0]}")
        else:
            lines.append(f"{comment} {draw(po_string)}")
    if draw(st.booleans()):
        lines.append(f"msgctxt {draw(quoted())}")
    lines.append(f"msgid {draw(quoted())}")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"msgid_plural {draw(quoted())}")
        for n in range(draw(st.integers(1, 3))):
            lines.append(f"msgstr[{n}] {draw(quoted())}")
    else:
        lines.append(f"msgstr {draw(quoted())}")
    obsolete = draw(st.integers(0, 6)) == 0
    return "\n".join(("#~ " + line if obsolete else line) for line in lines)


HEADERS = [
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n',
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n',
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n',
    'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\nPlural-Forms: nplurals=1; plural=0;\\n"\n',
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n',
    'msgid ""\nmsgstr ""\n"not a header line\\n"\n',
    "",
]


@st.composite
def mutated(draw, text: str) -> str:
    """`text` with a few random edits."""
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["insert", "delete", "truncate", "duplicate-line", "crlf", "bom"]))
        at = draw(st.integers(0, len(text)))
        if op == "insert":
            piece = draw(
                st.one_of(st.sampled_from(['"', "\\", "\n", "msgid ", "msgstr ", 'msgstr[1] ""', "#~ "]), string_char)
            )
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 3)) :]
        elif op == "truncate":
            text = text[:at]
        elif op == "duplicate-line":
            lines = text.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            text = "\n".join(lines)
        elif op == "crlf":
            text = text.replace("\n", "\r\n")
        else:
            text = "\ufeff" + text
    return text


@st.composite
def po_file(draw) -> bytes:
    header = draw(st.sampled_from(HEADERS))
    entries = draw(st.lists(po_entry(), max_size=5))
    text = draw(mutated("\n\n".join([header, *entries]) + "\n"))
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


@FAST
@given(po_file())
def test_the_strict_reader_returns_a_catalog_or_one_clear_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "de.po"
        path.write_bytes(data)
        try:
            po = read_po(path, "de.po", "de")
        except PipelineError as exc:
            message = str(exc)
            assert message.startswith("de.po"), message
            assert len(message.splitlines()) == 1, message
            return
        # What the strict reader accepts, GNU msgfmt's grammar accepts too ...
        verdict = subprocess.run(["msgfmt", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert verdict.returncode == 0, verdict.stderr
        # ... and the catalog polib writes back (as `update` does) reads again, the same
        # (polib moves obsolete entries to the end).
        path.write_text(serialize(po), encoding="utf-8")
        again = read_po(path, "de.po", "de")
        assert again.metadata == po.metadata
        assert sorted(map(entry_key, again)) == sorted(map(entry_key, po))


def entry_key(e) -> tuple:
    return (
        e.obsolete,
        e.msgctxt or "",
        e.msgid,
        e.msgid_plural,
        e.msgstr,
        sorted(e.msgstr_plural.items()),
        e.flags,
        e.previous_msgid or "",
        e.tcomment,
        e.comment,
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A small project, updated and built: one article, its German catalog."""
    root = make_project(
        tmp_path_factory.mktemp("fuzz") / "base",
        {"article": "---\ntitle: Title\n---\n\nFirst paragraph.\n\nSecond paragraph.\n"},
        '[tool.pipeline]\nlanguages = ["en", "de"]\n',
    )
    reviewed_chrome(root)  # min_reviewed holds for the page chrome too
    for command in ("update", "build"):
        assert run(root, command).code == 0
    return root


def fresh(base: Path, folder: str) -> Path:
    root = Path(folder) / "p"
    shutil.copytree(base, root, symlinks=True)
    return root


@SLOW
@given(po_file())
def test_a_fuzzed_catalog_through_the_commands(base, data):
    with tempfile.TemporaryDirectory() as folder:
        root = fresh(base, folder)
        catalog = root / CATALOG
        catalog.write_bytes(data)
        try:
            read_po(catalog, CATALOG, "de")
            broken = False
        except PipelineError:
            broken = True
        for command in ("update", "build", "stats", "check"):
            result = run(root, command)
            assert "Traceback" not in result.err + result.out
            assert result.code in (0, 1), (command, result.err)
            errors = [line for line in result.err.splitlines() if "— source shown" not in line]
            if broken:
                # One bad file, one line, naming it; and the file is left as it was.
                assert result.code == 1
                assert len(errors) == 1 and errors[0].startswith(CATALOG + ":"), (command, result.err)
                assert catalog.read_bytes() == data
            elif command != "check":
                assert result.code == 0 and errors == [], (command, result.err)
        if not broken:
            read_po(catalog, CATALOG, "de")  # what update wrote, if anything, reads again


# -- Markdown ------------------------------------------------------------------------------

# Each of these is a line break to str.splitlines (and so was to polib), not to
# Markdown or msgfmt; the rest are characters a PO writer must escape or keep.
odd = st.sampled_from(
    ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\u00a0", "\ufeff", "\\", '"', "%(x)s", "\t"]
)
odd_line = st.tuples(
    st.lists(inline_piece, max_size=4), odd, st.lists(inline_piece, max_size=4), st.sampled_from([" ", ""])
).map(lambda t: t[3].join([*t[0], t[1], *t[2]]))
# Documents of test_properties' blocks with at least one paragraph holding an odd character.
documents = (
    st.tuples(st.lists(block, max_size=6), st.lists(odd_line, min_size=1, max_size=2))
    .flatmap(lambda t: st.permutations(t[0] + t[1]))
    .map("\n\n".join)
)


@pytest.fixture(scope="module")
def md_base(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("fuzz-md") / "base", {}, '[tool.pipeline]\nlanguages = ["en", "de"]\n')
    # The chrome reviewed (min_reviewed holds for it), but for the footnotes' back-link
    # tooltip: the body is compared with Python-Markdown's own, English title included.
    site = reviewed_chrome(root) / "locales/de/LC_MESSAGES/site.po"
    po = polib.pofile(str(site))
    po.remove(next(e for e in po if e.msgid.startswith("Jump back to footnote")))
    po.save(str(site))
    (root / "source").mkdir()
    return root


MISSING_IMAGE = re.compile(r"source/doc\.md:[0-9]+: image '")  # an image not under source/ (assets.py)


@SLOW
@given(documents, st.text(alphabet="abcäß ", min_size=1, max_size=12).filter(str.strip))
def test_identity_through_update_and_build(md_base, doc, title):
    with tempfile.TemporaryDirectory() as folder:
        root = fresh(md_base, folder)
        source = root / "source/doc.md"
        source.write_text(f"---\ntitle: {title!r}\n---\n\n{doc}\n", encoding="utf-8")
        result = run(root, "update")
        assert result.code == 0 and result.err == "", result.err
        catalog = root / "locales/de/LC_MESSAGES/doc.po"
        verdict = msgfmt_check(catalog)
        assert verdict.returncode == 0, verdict.stderr
        po = read_po(catalog, "doc.po", "de")
        # Every message of the document is in the catalog as extracted (not cut at
        # a character some parser takes for a line break) ...
        config = load_config(root)
        article = load_article(source, config)
        segments = {(s.msgctxt, s.msgid) for s in Converter(config).convert(article.body).segments}
        assert segments <= {(e.msgctxt, e.msgid) for e in po}
        for entry in po:
            entry.msgstr = entry.msgid  # ... and a translator copied every source text
        catalog.write_text(serialize(po), encoding="utf-8")
        assert msgfmt_check(catalog).returncode == 0

        result = run(root, "build")
        # An image the document shows that nobody put under source/ is one line each
        # and exit 1; the pages are published all the same (and stay identical).
        other = [line for line in result.err.splitlines() if not MISSING_IMAGE.match(line)]
        assert other == [] and result.code == (1 if result.err else 0), result.err
        result = run(root, "render", "source/doc.md", "--lang", "de")
        assert result.code == 0 and result.err == "", result.err
        body = result.out.removesuffix("\n")
        expected = markdown.markdown(article.body, extensions=DEFAULT_EXTENSIONS)
        assert body.replace(' lang="en"', "") == expected.replace(' lang="en"', "")
        # ... and that body is what the published German page carries (with the page's
        # additions: header scopes, the phone layout's cell labels).
        page = (root / "output/de/doc.html").read_text(encoding="utf-8")
        assert label_cells(accessible_tables(body)) in page


# -- anything as a source file ----------------------------------------------------------

yaml_value = st.one_of(
    st.sampled_from(
        [
            "2020-08-28",
            "2020-02-31",
            "2020-13-01",
            "28 August",
            "[a, b]",
            "{a: 1}",
            "'quoted'",
            '"dq \\x41"',
            "!!int x",
            "!!bool maybe",
            "!!float ''",
            "!!timestamp nope",
            "!!binary '!!'",
            "&a x",
            "*a",
            "*nope",
            "[" * 50,
            "|\n  block\n  text",
            ">-\n  folded",
            "null",
            "~",
            "12",
            "1e400",
            "de",
            "xx",
            "en",
            "Site",
            "a-slug",
            "../x",
            "!!python/object:os.system ''",
            "\t tab",
        ]
    ),
    st.text(max_size=20),
)
front_matter = st.lists(
    st.tuples(st.sampled_from(["title", "date", "slug", "lang", "description", "author", "x", "title"]), yaml_value),
    max_size=5,
).map(lambda pairs: "".join(f"{k}: {v}\n" for k, v in pairs))


@st.composite
def source_file(draw) -> bytes:
    body = draw(st.one_of(documents, st.text(max_size=200)))
    head = draw(
        st.one_of(
            st.just(""), front_matter.map(lambda fm: f"---\n{fm}---\n\n"), front_matter.map(lambda fm: f"---\n{fm}")
        )
    )
    data = (head + body).encode("utf-8")
    if draw(st.integers(0, 5)) == 0:
        data += draw(st.binary(max_size=20))
    return data


@SLOW
@given(source_file())
# Inputs that once failed (issue 11): pinned, so they are tried on every run.
@example(b"---\ntitle: !!timestamp nope\n---\n\nBody.\n")
@example(b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nauthor: *b\n---\n\nx\n")
@example(b"---\ntitle: T\n---\n\n" + b"*" * 5000 + b"\n")
@example(b"---\ntitle: T\n---\n\n" + b"".join(b"  " * i + b"- x\n" for i in range(300)))
@example(b"---\nslug: index\n---\n\nA paragraph.\n")
@example(b'---\nslug: "abc\\n"\n---\n\nA paragraph.\n')
@example(b"---\ndate: 2020-08-28 10:30:00\n---\n\nA paragraph.\n")
def test_any_source_file_is_an_article_or_one_clear_error(md_base, data):
    with tempfile.TemporaryDirectory() as folder:
        root = fresh(md_base, folder)
        (root / "source/doc.md").write_bytes(data)
        for command in ("update", "build", "stats"):
            result = run(root, command)
            assert "Traceback" not in result.err + result.out
            assert result.code in (0, 1), (command, result.err)
            lines = result.err.splitlines()
            if result.code == 1:  # one line; or, from `build`, one per image not under source/
                one = len(lines) == 1 and lines[0].startswith("source/doc.md")
                assert one or (lines and all(MISSING_IMAGE.match(line) for line in lines)), (command, result.err)
            else:
                assert lines == [], (command, result.err)
        catalog = root / "locales/de/LC_MESSAGES/doc.po"
        if catalog.exists():
            assert msgfmt_check(catalog).returncode == 0, msgfmt_check(catalog).stderr
            read_po(catalog, "doc.po", "de")
