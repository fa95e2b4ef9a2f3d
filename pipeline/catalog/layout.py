"""Catalogs laid out exactly as GNU gettext writes them (msgcat, msgmerge, Poedit).

Translators' tools save through GNU's layout; a catalog we rewrite in another
layout (polib's) would change lines of entries that did not change, and every
update would be a merge conflict for a git or Weblate user. So this writer follows
`write-po.c` of gettext 0.21: the order of comment lines, `#~` obsolete entries
after the live ones (with `#~|` previous msgids), and `wrap()`'s line breaking:
strings are cut into portions after each `\\n`, each portion is broken where
Unicode line breaking (UAX #14, as libunistring implements it: `linebreak`) allows and the
line would pass the page width, a string that does not fit its first line (or
holds a `\\n` before its end) starts with `msgid ""`, and escape sequences are
never split. `msgcat --width=79 FILE` reproduces what this module writes, byte
for byte (tests/test_po_layout.py checks it against GNU msgcat).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

import polib

from pipeline.catalog import linebreak

DEFAULT_WIDTH = 79  # GNU gettext's and Poedit's default page width


# The flags GNU knows, in the order it prints them (format.c's NFORMATS order).
_FORMATS = (
    "c",
    "objc",
    "python",
    "python-brace",
    "java",
    "java-printf",
    "csharp",
    "javascript",
    "scheme",
    "lisp",
    "elisp",
    "librep",
    "ruby",
    "sh",
    "awk",
    "lua",
    "object-pascal",
    "smalltalk",
    "qt",
    "qt-plural",
    "kde",
    "kde-kuit",
    "boost",
    "tcl",
    "perl",
    "perl-brace",
    "php",
    "gcc-internal",
    "gfc-internal",
    "ycp",
)
_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}
# Python format directives, which GNU never breaks inside (in python-format entries).
_FLAGS = frozenset("-+ #0")
_DIGITS = frozenset("0123456789")
_CONVERSIONS = frozenset("%crsiduoxXeEfgG")


def python_directives(text: str) -> list[tuple[int, int]]:
    """The (start, end) of the Python format directives GNU finds in `text`.

    GNU's parser (format-python.c) reads the whole string left to right and
    stops at the first invalid directive: what follows it is plain text, where a
    line may break anywhere. A name is everything up to the `)` that closes its
    `(`, newlines included. One pass, no regular expression: the pattern this
    replaced scanned from every `%(` to the end of the line, quadratic on a
    translation of thousands of them.
    """
    found: list[tuple[int, int]] = []
    named = unnamed = 0  # GNU refuses a string that mixes `%(name)s` and `%s`
    end = len(text)
    i = text.find("%")
    while i >= 0:
        j = _name_end(text, i + 1) if text.startswith("(", i + 1) else i + 1
        if j < 0:
            return found  # an unterminated name
        named_here = j > i + 1
        while j < end and text[j] in _FLAGS:
            j += 1
        j, stars = _number(text, j)  # the width
        if text.startswith(".", j):
            j, more = _number(text, j + 1)  # the precision
            stars += more
        if stars:  # each `*` takes an unnamed argument
            if named:
                return found
            unnamed += stars
        if j < end and text[j] in "hlL":
            j += 1
        if j == end or text[j] not in _CONVERSIONS:
            return found
        if named_here:
            if unnamed:
                return found
            named += 1
        elif text[j] != "%":
            if named:
                return found
            unnamed += 1
        found.append((i, j + 1))
        i = text.find("%", j + 1)
    return found


def _number(text: str, j: int) -> tuple[int, int]:
    """After the width or precision at `j` (`*` or digits, maybe none), and its `*`s."""
    if text.startswith("*", j):
        return j + 1, 1
    while j < len(text) and text[j] in _DIGITS:
        j += 1
    return j, 0


def _name_end(text: str, start: int) -> int:
    """After the `)` closing the `(` at `start` (parentheses nest), or -1."""
    depth = 0
    for at in range(start + 1, len(text)):
        char = text[at]
        if char == "(":
            depth += 1
        elif char == ")":
            if not depth:
                return at + 1
            depth -= 1
    return -1


def _escaped(portion: str, protected: Iterable[tuple[int, int]]) -> tuple[str, dict[int, int]]:
    """The portion as written between quotes, and the positions where no break may
    be: inside an escape sequence or a format directive."""
    if not protected and not _NEEDS_ESCAPE.search(portion):
        return portion, {}
    inside = set()
    for start, end in protected:  # a directive begun on an earlier line starts below 0
        inside.update(range(max(start + 1, 0), min(end, len(portion))))
    out: list[str] = []
    overrides: dict[int, int] = {}
    for i, ch in enumerate(portion):
        if i in inside:
            overrides[len(out)] = linebreak.NO
        code = _ESCAPES.get(ch)
        if code is None:
            out.append(ch)
        else:
            overrides[len(out) + 1] = linebreak.NO
            out += ("\\", code)
    if portion.endswith("\n"):
        overrides[len(out) - 2] = linebreak.NO  # never break right before the final "\n"
    return "".join(out), overrides


def wrap(prefix: str, name: str, value: str, width: int, do_wrap: bool = True, python: bool = False) -> list[str]:
    """The lines of one keyword and its string: `prefix` (`#~ `, `#| `) + `name`
    (`msgid`, `msgstr[0]`) + the quoted value, wrapped at `width` (0: never)."""
    lines: list[str] = []
    after_break = len(prefix) + 1
    room = (width if do_wrap and width > 0 else 1 << 62) - 1 - after_break
    first = True
    start = 0
    spans = python_directives(value) if python else []  # over the whole value, as GNU parses it
    k = 0
    while True:
        end = value.find("\n", start)
        end = len(value) if end < 0 else end + 1
        portion = value[start:end]
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        here, m = [], k
        while m < len(spans) and spans[m][0] < end:
            here.append((spans[m][0] - start, spans[m][1] - start))
            m += 1
        text, overrides = _escaped(portion, here)
        column = len(name) + 1 if first else 0
        breaks = linebreak.breaks(text, room, column, overrides)
        if first and text and (end < len(value) or column > room or any(breaks)):
            lines.append(f'{prefix}{name} ""')
            first = False
            breaks = linebreak.breaks(text, room, 0, overrides)
        head = f"{prefix}{name} " if first else prefix
        first = False
        cuts = [0, *(i for i, cut in enumerate(breaks) if cut), len(text)]
        for a, b in itertools.pairwise(cuts):
            lines.append(f'{head}"{text[a:b]}"')
            head = prefix
        start = end
        if start >= len(value):
            return lines


def _comment_lines(mark: str, text: str) -> list[str]:
    return [f"{mark} {line}" if line else mark for line in text.split("\n")] if text else []


def _references(occurrences: list[tuple[str, str]], width: int) -> list[str]:
    """`#:` lines: as many references as fit the page width (79 when strings are not wrapped)."""
    if not occurrences:
        return []
    width = width if width > 0 else DEFAULT_WIDTH
    lines, line, column = [], "#:", 2
    for file, number in occurrences:
        while file.startswith("./"):
            file = file[2:]
        ref = f"{file}:{number}" if str(number) else file
        if column > 2 and column + len(ref) + 1 > width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + ref
        column += len(ref) + 1
    lines.append(line)
    return lines


def _flags(entry: polib.POEntry, translated: bool, obsolete: bool) -> list[str]:
    """The `#,` line in GNU's order: fuzzy (only on a translation), formats, range,
    no-wrap. Flags GNU does not know are kept, last (GNU would drop them)."""
    flags = list(dict.fromkeys(f.strip() for f in entry.flags if f.strip()))
    formats = [f for lang in _FORMATS for f in (f"{lang}-format", f"no-{lang}-format") if f in flags]
    ranges = [f for f in flags if f.startswith("range:")]
    known = {"fuzzy", "wrap", "no-wrap", *formats, *ranges}
    out = ["fuzzy"] if "fuzzy" in flags and translated else []
    out += formats + ([] if obsolete else ranges) + (["no-wrap"] if "no-wrap" in flags else [])
    out += [f for f in flags if f not in known]
    return ["#, " + ", ".join(out)] if out else []


def _msgstrs(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        forms = sorted(entry.msgstr_plural.items()) or [(0, "")]
        return [(f"msgstr[{i}]", text) for i, text in forms]
    return [("msgstr", entry.msgstr)]


def format_entry(entry: polib.POEntry, width: int = DEFAULT_WIDTH) -> str:
    """One entry's lines as GNU writes them ("" for an obsolete entry without a
    translation, which GNU drops); no blank line around them."""
    msgstrs = _msgstrs(entry)
    translated = bool(msgstrs[0][1])
    obsolete = bool(entry.obsolete)
    if obsolete and not translated:
        return ""
    do_wrap = "no-wrap" not in entry.flags
    python = "python-format" in entry.flags
    lines = _comment_lines("#", entry.tcomment) + _comment_lines("#.", entry.comment)
    if not obsolete:
        lines += _references(entry.occurrences, width)
    lines += _flags(entry, translated, obsolete)
    prefix = "#~ " if obsolete else ""
    for name, value in (
        ("msgctxt", entry.previous_msgctxt),
        ("msgid", entry.previous_msgid),
        ("msgid_plural", entry.previous_msgid_plural),
    ):
        if value is not None:
            lines += wrap("#~| " if obsolete else "#| ", name, value, width, do_wrap, python)
    if entry.msgctxt is not None:
        lines += wrap(prefix, "msgctxt", entry.msgctxt, width, do_wrap, python)
    lines += wrap(prefix, "msgid", entry.msgid, width, do_wrap, python)
    if entry.msgid_plural:
        lines += wrap(prefix, "msgid_plural", entry.msgid_plural, width, do_wrap, python)
    for name, value in msgstrs:
        lines += wrap(prefix, name, value, width, do_wrap, python)
    return "\n".join(lines) + "\n"


def header_entry(po: polib.POFile) -> polib.POEntry:
    """The header as an entry: its comment, `fuzzy` if marked, and the metadata."""
    msgstr = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    flags = ["fuzzy"] if po.metadata_is_fuzzy else []
    return polib.POEntry(msgid="", msgstr=msgstr, tcomment=po.header, flags=flags)


def format_po(po: polib.POFile, width: int = DEFAULT_WIDTH) -> str:
    """The whole catalog as GNU writes it: header, live entries, then the obsolete ones."""
    live = [e for e in po if not e.obsolete and (e.msgid or e.msgctxt is not None)]
    dead = [e for e in po if e.obsolete]
    blocks = [format_entry(header_entry(po), width)]
    blocks += [format_entry(e, width) for e in live]
    blocks += [text for text in (format_entry(e, width) for e in dead) if text]
    return "\n".join(blocks)
