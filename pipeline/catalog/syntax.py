"""The strict reading of a catalog: GNU msgfmt's grammar, and the model in the same pass.

polib's parser is lenient (an unterminated string is quietly cut short), so
`pofile.read_po` reads a file with `read_catalog`, which stops at the first line
msgfmt would reject, with `file:line: message`, and hands each line it accepts to a
`polib_model.CatalogBuilder`, which builds the `POFile` polib's parser would have
built: the file is parsed once. The checker is written as Babel's `PoFileParser`
is: one pass over the lines, one method per kind of line, and the entry being read
held in one state object per domain (live entries, and obsolete `#~` ones, which
may interleave).
"""

from __future__ import annotations

import re

import polib

from pipeline.base.errors import PipelineError
from pipeline.catalog.polib_model import CatalogBuilder

# Whitespace is ASCII's, as for msgfmt (str.strip() would also take U+2028, U+00A0 ...).
WHITESPACE = _WS = " \t\r\f\v"
_KEYWORD_RE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)(?=[ \t\r\f\v\"]|$)[ \t\r\f\v]*(.*)$")
# Possessive quantifiers: an escape is read one way only, so an unterminated line
# (`"\xaaaa...`) fails in linear time instead of trying every split of its escapes.
_STRING_RE = re.compile(r'^"((?:[^"\\]|\\(?:[\\"ntrabfv\'?]|[0-7]{1,3}|x[0-9A-Fa-f]++))*+)"[ \t\r\f\v]*$')
# What went wrong with a string _STRING_RE refused (possessive too: read one way only).
_UNTERMINATED_RE = re.compile(r'^"(?:[^"\\]|\\.)*+$')
_CLOSED_RE = re.compile(r'^"(?:[^"\\]|\\.)*+"')
_BAD_ESCAPE_RE = re.compile(r'\\([^\\"ntrabfv\'?0-7x])')
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}

_COMMENT_MARKS = {"#", "#,", "#.", "#:", "#|", "#~", "#~|"}
_MARK_LETTERS = frozenset(",.:|~")  # the second character of a two-character mark
# The keyword each keyword may follow ("start": none yet in this domain).
_FOLLOWS = {
    "msgctxt": ("start", "msgstr"),
    "msgid": ("start", "msgstr", "msgctxt"),
    "msgid_plural": ("msgid",),
    "msgstr": ("msgid", "msgid_plural", "msgstr"),
}
# The same for `#| msgctxt`, `#| msgid`, `#| msgid_plural` (the previous source text).
_PREVIOUS_FOLLOWS = {"msgctxt": ("",), "msgid": ("", "msgctxt"), "msgid_plural": ("msgid",)}


def read_catalog(text: str, rel: str) -> tuple[polib.POFile, tuple[str, int], list[int]]:
    """Check `text` and build its model in one pass: raise on the first line msgfmt
    would reject (also duplicate messages), on a missing header, and then on a line
    polib's parser would stop at (msgfmt's grammar is the wider).

    Returns the model as polib's parser builds it (entries numbered by their first
    line), the header entry's msgstr (as written) and line, and the line of each
    entry's first msgstr, the header's first, as `CatalogBuilder.msgstr_lines`.
    """
    checker = SyntaxChecker(rel)
    header = checker.parse(text)
    if header is None:
        raise PipelineError('no header entry (msgid "") at the top of the file', rel, 1)
    return checker.model.result(rel), header, checker.model.msgstr_lines


class _Entry:
    """The entry being read in one domain (live, or obsolete), and what came before it."""

    __slots__ = ("fields", "fuzzy", "keyword", "line", "obsolete", "part", "plural_index", "previous", "previous_line")

    def __init__(self, obsolete: bool) -> None:
        self.obsolete = obsolete
        # The field's strings, joined when the entry ends (joining as they come is quadratic).
        # A keyword's list is shared by its base name: "msgstr" is also the last "msgstr[N]".
        self.fields: dict[str, list[str]] = {}
        self.line = 0  # of the entry's first keyword
        self.fuzzy = False  # a `#, fuzzy` line came before it
        self.keyword = "start"  # the last keyword read, msgstr[N] as msgstr
        self.part = ""  # the field continuation strings extend: msgstr[1] for a plural
        self.plural_index = -1  # the N of the last msgstr[N]
        # The last `#|` keyword read before the entry's own msgctxt/msgid, or "" (msgfmt's grammar).
        self.previous = ""
        self.previous_line = 0


class SyntaxChecker:
    """One pass over a catalog's lines with msgfmt's grammar; raises a PipelineError
    at the first line it rejects, and hands the lines it accepts to `model` (a
    `CatalogBuilder`). `parse` returns the header entry's msgstr and line."""

    def __init__(self, rel: str) -> None:
        self.rel = rel  # the file's name in messages
        self.live = _Entry(obsolete=False)
        self.obsolete = _Entry(obsolete=True)
        self.header: tuple[str, int] | None = None
        # Like msgfmt, one namespace for live and obsolete (#~) entries: (msgctxt, msgid) → line.
        self.seen: dict[tuple[str | None, str], int] = {}
        self.live_read = False  # a live entry was read: the header is the first one
        self.last_obsolete: bool | None = None  # whether the last keyword or string line was #~
        self.flagged_fuzzy = False  # a `#, fuzzy` line since the last entry began
        self.model: CatalogBuilder  # `parse` makes it, from the file's lines

    def parse(self, text: str) -> tuple[str, int] | None:
        """Check `text`; return the header entry's msgstr and line, if it has one."""
        # Lines end at "\n" only, as for msgfmt: a raw U+2028 or CR inside a string is text.
        lines = text.split("\n")
        self.model = CatalogBuilder(lines)
        for number, line in enumerate(lines, start=1):
            body = line.strip(_WS)
            if not body:
                continue  # a blank line: msgfmt's grammar has no use for it, not even to end an entry
            if body[0] == "#":
                self._comment_line(body, number)
            else:
                self._message_line(self.live, body, number)
        self._end()
        return self.header

    def _fail(self, message: str, line: int) -> PipelineError:
        return PipelineError(message, self.rel, line)

    def _comment_line(self, body: str, number: int) -> None:
        """Any line starting with `#`: a comment, a flag, `#|` or `#~`."""
        # The common marks, followed by a space, said quickly; anything else is looked at word by word.
        if body[1:2] != " " and not (body[2:3] == " " and body[1:2] in _MARK_LETTERS):
            token = body.split(None, 1)[0]
            if token not in _COMMENT_MARKS and not token.startswith("##"):
                mark = next(m for m in ("#~|", "#~", "#,", "#.", "#:", "#|", "#") if token.startswith(m))
                raise self._fail(f"put a space after '{mark}' (polib cannot read '{_printable(token)}')", number)
        second = body[1:2]
        if second == "~":
            self._obsolete_line(body, number)
        elif second == "|":
            self._previous_line(self.live, body[2:].strip(_WS), number)
        else:
            if self.live.previous:
                raise self._fail("a comment between '#| msgid' and the entry's msgid", number)
            if second == "," and "fuzzy" in (flag.strip(_WS) for flag in body[2:].split(",")):
                self.flagged_fuzzy = True
            self.model.comment(body, number)

    def _obsolete_line(self, body: str, number: int) -> None:
        """A `#~` line: an obsolete entry's keyword or string, or `#~|` (its previous msgid)."""
        body = body[2:].strip(_WS)
        if not body:
            raise self._fail("a '#~' line with nothing after it (polib cannot read it); delete it", number)
        if body[0] == "|":
            # polib reads `#~|` as `#|`: `#~ |msgid` as `#|msgid`, which it cannot read
            self._previous_line(self.obsolete, body[1:].strip(_WS), number, body[1:2].isspace())
        else:
            self._message_line(self.obsolete, body, number)

    def _previous_line(self, entry: _Entry, part: str, number: int, readable: bool = True) -> None:
        """`#| msgctxt`, `#| msgid`, `#| msgid_plural`, or a string continuing one."""
        last = entry.previous
        m = _KEYWORD_RE.match(part)
        if m:
            keyword = m.group(1)
            after = _PREVIOUS_FOLLOWS.get(keyword)
            if after is None or last not in after:
                raise self._fail(f"'#| {keyword}' is not expected here", number)
            if part[len(keyword) : len(keyword) + 1] == '"':
                raise self._fail(f"put a space between '{keyword}' and its string", number)
            value = _string(m.group(3), self.rel, number)
            entry.previous, entry.previous_line = keyword, number
            self.model.previous(keyword, value, number, readable)
        elif part.startswith('"') and last:
            self.model.previous(None, _string(part, self.rel, number), number, readable)
        else:
            raise self._fail("expected '#| msgid \"...\"' (the previous source text)", number)

    def _message_line(self, entry: _Entry, body: str, number: int) -> None:
        """A keyword line, a continuation string, or neither, of a live or an obsolete entry."""
        m = _KEYWORD_RE.match(body) if body[0] == "m" else None
        starts_entry = m is not None and m.group(1) in ("msgctxt", "msgid") and entry.keyword in ("msgstr", "start")
        if m or body[0] == '"':
            other = self.live if entry.obsolete else self.obsolete
            if (not starts_entry and self.last_obsolete not in (None, entry.obsolete)) or other.previous:
                raise self._fail("inconsistent use of #~: the lines of an entry must all have it, or none", number)
        self.last_obsolete = entry.obsolete
        if entry.previous:
            if not starts_entry:
                raise self._fail("'#| msgid' must come right before an entry's msgctxt or msgid", number)
            if entry.previous == "msgctxt":
                raise self._fail("'#| msgctxt' without '#| msgid'", entry.previous_line)
            entry.previous, entry.previous_line = "", 0
        if m:
            self._keyword_line(entry, m, starts_entry, body, number)
        elif body[0] == '"':
            self._string_line(entry, body, number)
        else:
            word = (body.split(None, 1) or [body])[0]
            raise self._fail(f"unknown keyword '{_printable(word)}'", number)

    def _keyword_line(self, entry: _Entry, m: re.Match[str], starts_entry: bool, body: str, number: int) -> None:
        """msgctxt, msgid, msgid_plural, msgstr or msgstr[N] and its first string."""
        keyword, index, rest = m.group(1, 2, 3)
        if body[len(keyword) : len(keyword) + 1] == '"':
            raise self._fail(f"put a space between '{keyword}' and its string", number)
        base = "msgstr" if keyword.startswith("msgstr") else keyword
        state = entry.keyword
        if starts_entry:
            self._finish(entry)
            entry.line = number
            entry.fuzzy, self.flagged_fuzzy = self.flagged_fuzzy, False
        if state not in _FOLLOWS[base] or (base == "msgstr" and state == "msgstr" and index is None):
            raise self._fail(f"'{keyword}' is not expected here (after {state})", number)
        if base == "msgstr":
            expected = entry.plural_index + 1 if state == "msgstr" else 0
            if state == "msgid_plural" and index is None:
                raise self._fail("a plural message needs msgstr[0], msgstr[1], ...", number)
            if state == "msgid" and index is not None:
                raise self._fail(f"'{keyword}' without msgid_plural", number)
            if index is not None and int(index) != expected:
                raise self._fail(f"'{keyword}' out of order (expected msgstr[{expected}])", number)
            entry.plural_index = int(index) if index is not None else -1
        value = _string(rest, self.rel, number)
        entry.fields[base] = entry.fields[keyword] = [value]
        entry.keyword, entry.part = base, keyword
        self.model.keyword(keyword, value, number, entry.obsolete)

    def _string_line(self, entry: _Entry, body: str, number: int) -> None:
        """A string continuing the last keyword's."""
        if entry.keyword == "start":
            raise self._fail("string without a keyword before it", number)
        value = _string(body, self.rel, number)
        entry.fields[entry.part].append(value)
        self.model.string(value, number)

    def _finish(self, entry: _Entry) -> None:
        """The entry is complete: check it as a whole, and that it is not a duplicate."""
        if not entry.fields:
            return
        fields = {name: "".join(parts) for name, parts in entry.fields.items()}
        line = entry.line
        if "msgstr" not in fields:
            raise self._fail("message has a msgid but no msgstr", line)
        if fields.get("msgid_plural") == "":
            # msgfmt takes it; polib drops an empty msgid_plural, and the msgstr[N] it writes are unreadable
            raise self._fail("msgid_plural is empty", line)
        key = (fields.get("msgctxt"), fields["msgid"])
        if not entry.obsolete and not entry.fuzzy and fields["msgid"]:
            _check_line_breaks(fields, self.rel, line)
        # The header is the first live entry; obsolete (#~) ones may come before it
        # (msgattrib --set-obsolete writes them there, msgfmt accepts it).
        if not entry.obsolete:
            if key == (None, "") and not self.live_read:
                self.header = (fields["msgstr"], line)
            self.live_read = True
        if key in self.seen:
            first, line = sorted((self.seen[key], line))
            raise self._fail(f"duplicate message (first defined at line {first})", line)
        self.seen[key] = line
        entry.fields = {}

    def _end(self) -> None:
        """The end of the file: no `#|` left waiting for its entry; the last entries complete."""
        for entry in (self.live, self.obsolete):
            if entry.previous_line:
                raise self._fail("'#| msgid' without an entry after it", entry.previous_line)
        self._finish(self.live)
        self._finish(self.obsolete)


def _check_line_breaks(fields: dict[str, str], rel: str, line: int) -> None:
    """msgfmt's rule for a translated entry: its msgid, msgid_plural and msgstr[s]
    all begin with a line break, or none does; the same at the end."""
    plural = "msgid_plural" in fields
    first = fields.get("msgstr[0]" if plural else "msgstr", "")
    if not _unescape(first):
        return  # untranslated: msgfmt does not look
    names = ["msgid_plural", *sorted(n for n in fields if n.startswith("msgstr["))] if plural else ["msgstr"]
    msgid = _unescape(fields["msgid"])
    for name in names:
        other = _unescape(fields[name])
        if not other and name != "msgid_plural":
            continue
        for where, test in (("begin", str.startswith), ("end", str.endswith)):
            if test(msgid, "\n") != test(other, "\n"):
                raise PipelineError(f"'msgid' and '{name}' entries do not both {where} with '\\n'", rel, line)


def _unescape(raw: str) -> str:
    """A checked PO string's text: C escapes, octal and hex included."""
    if "\\" not in raw:
        return raw

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16) % 0x110000)
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _ESCAPES.get(code, code)

    return _ESCAPE_RE.sub(one, raw)


def _string(part: str, rel: str, number: int) -> str:
    """The text between the quotes of a PO string, as written (escapes kept)."""
    if not part.startswith('"'):
        raise PipelineError("expected a quoted string", rel, number)
    # Most strings have no escape: then one find() says whether the only inner quote is the last character.
    if "\\" not in part and part[-1] == '"' and part.find('"', 1) == len(part) - 1:
        value = part[1:-1]
    else:
        m = _STRING_RE.match(part)
        if not m:
            raise _string_error(part, rel, number)
        value = m.group(1)
    if "\x04" in part or ("\\" in part and "\x04" in _unescape(value)):
        raise PipelineError("context separator <EOT> (U+0004) within a string", rel, number)
    return value


def _string_error(part: str, rel: str, number: int) -> PipelineError:
    """What is wrong with a quoted string _STRING_RE refused."""
    if _UNTERMINATED_RE.match(part):
        return PipelineError('unterminated string (a closing " is missing)', rel, number)
    if _CLOSED_RE.match(part):
        bad = _BAD_ESCAPE_RE.search(part)
        if bad:
            return PipelineError(f"invalid escape sequence '\\{_printable(bad.group(1))}'", rel, number)
        return PipelineError('text after the closing quote (an inner " must be written \\")', rel, number)
    return PipelineError("invalid escape sequence", rel, number)


def _printable(text: str) -> str:
    """`text` for an error message: characters that do not print are escaped."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
