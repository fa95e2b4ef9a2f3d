"""The catalog model, built in the strict check's one pass over a PO file (`syntax`),
exactly as polib's own parser (`polib._POFileParser`) builds it from the same lines.

polib reads a catalog with a state machine: each line is one symbol (a comment, a
flag line, a keyword, a continuation string ...), and what a symbol does depends on
the state the last one left (`_TRANSITIONS`, polib's table). `CatalogBuilder` is fed
the lines the checker has already read and keeps that machine, one method per kind
of line, so the entries, their comments, flags, references, previous fields and line
numbers, the header, the metadata and the encoding are polib's, quirks included; and
so are polib's refusals of lines msgfmt accepts (a `#.` between msgid and msgstr:
"Syntax error in po file (line N)"), reported after the checker's own errors.

What differs changes no result and keeps the time linear in the file: a field's
continuation strings are joined once, when the field ends, and so are comment lines
and the header's values (polib appends them one by one to a string, which is
quadratic: a msgstr of 100,000 lines took 27 s); a string is unescaped once, joined
(every checked string ends on a whole escape, so unescaping the pieces and the whole
give the same text); the encoding is searched from a line's first `Content-Type:`
only (see `_detect_encoding`). One polib quirk is left out: given text that names an
existing file, polib reads that file instead.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import polib

from pipeline.base.errors import PipelineError

# Whitespace is ASCII's, as for msgfmt (see `syntax`).
_WS = " \t\r\f\v"

# polib's table: for each symbol, the states it may come in and the next state, whose
# handler acts on the line. "mc" (a continuation string) keeps the state; any pair not
# listed is polib's syntax error.
_ALL = ("st", "he", "gc", "oc", "fl", "ct", "pc", "pm", "pp", "tc", "ms", "mp", "mx", "mi")
_TABLE = (
    ("tc", ("st", "he"), "he"),
    ("tc", ("gc", "oc", "fl", "tc", "pc", "pm", "pp", "ms", "mp", "mx", "mi"), "tc"),
    ("gc", _ALL, "gc"),
    ("oc", _ALL, "oc"),
    ("fl", _ALL, "fl"),
    ("pc", _ALL, "pc"),
    ("pm", _ALL, "pm"),
    ("pp", _ALL, "pp"),
    ("ct", ("st", "he", "gc", "oc", "fl", "tc", "pc", "pm", "pp", "ms", "mx"), "ct"),
    ("mi", ("st", "he", "gc", "oc", "fl", "ct", "tc", "pc", "pm", "pp", "ms", "mx"), "mi"),
    ("mp", ("tc", "gc", "pc", "pm", "pp", "mi"), "mp"),
    ("ms", ("mi", "mp", "tc"), "ms"),
    ("mx", ("mi", "mx", "mp", "tc"), "mx"),
    ("mc", ("ct", "mi", "mp", "ms", "mx", "pm", "pp", "pc"), "mc"),
)
_TRANSITIONS = {(symbol, state): after for symbol, states, after in _TABLE for state in states}
_CONTINUED = frozenset(state for symbol, state in _TRANSITIONS if symbol == "mc")  # where "mc" may come
# The handlers that first put the entry read so far in the file, when a msgstr came last.
_NEW_ENTRY = frozenset(("tc", "gc", "oc", "fl", "pc", "pm", "pp", "ct", "mi"))
_KEYWORD_SYMBOLS = {"msgctxt": "ct", "msgid": "mi", "msgid_plural": "mp", "msgstr": "ms"}
_FIELDS = {"ct": "msgctxt", "mi": "msgid", "mp": "msgid_plural", "ms": "msgstr"}
_PREVIOUS = {
    "msgctxt": ("pc", "previous_msgctxt"),
    "msgid": ("pm", "previous_msgid"),
    "msgid_plural": ("pp", "previous_msgid_plural"),
}
_COMMENT_SYMBOLS = {"#:": "oc", "#,": "fl", "#.": "gc"}  # the rest ("#", "##...") are "tc"

# polib.unescape: only these escapes; \a, octal, hex ... stay as they are written.
_UNESCAPE_RE = re.compile(r'\\(\\|n|t|r|v|b|f|")')
_UNESCAPES = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "b": "\b", "f": "\f", "\\": "\\", '"': '"'}
# polib.detect_encoding's pattern (less its leading '"?'), in the text polib was given (see `_joined_lines`).
_CHARSET_RE = re.compile(r"Content-Type:.+? charset=([\w_\-:\.]+)")
_OBSOLETE_PREVIOUS_RE = re.compile(r"^[ \t\r\f\v]*#~[ \t\r\f\v]*\|")


def unescape(raw: str) -> str:
    """A PO string's text as polib reads it (`polib.unescape`)."""
    if "\\" not in raw:
        return raw
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(1)], raw)


def _lines_joined(pieces: list[str]) -> str:
    """Comment lines as polib joins them: a line break before each line once the
    text so far is not empty (so leading empty lines are dropped)."""
    for at, piece in enumerate(pieces):
        if piece:
            return "\n".join(pieces[at:])
    return ""


class CatalogBuilder:
    """polib's parser, fed by the strict checker: `comment`, `previous`, `keyword` and
    `string` for each checked line, then `result`; and `msgstr_lines`."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines  # the file's lines, split at "\n" only
        self.po = polib.POFile(check_for_duplicates=False)  # no `pofile`: fpath None, as polib's from text
        self.entry = polib.POEntry(linenum=0)
        self.state = "st"
        # The field continuation strings extend (its raw strings, joined and unescaped when it ends).
        self.pieces: list[str] | None = None
        self.target: polib.POEntry | dict[int, str] = self.entry  # the entry, or its msgstr_plural, that has the field
        self.field: str | int = ""  # the attribute, or the plural index
        self.tcomments: list[str] = []  # the entry's translator comments (handle_tc), joined at its end
        self.comments: list[str] = []  # and its extracted ones (handle_gc)
        self.header: list[str] = []  # the file's header comment (handle_he)
        self.refused = 0  # the line polib's parser stops at with a syntax error, or 0
        self.message_last = False  # the last line was a keyword or string: polib keeps the entry at the end
        # The lines of the entries' first msgstr, the header's first (see `_count`).
        self.msgstr_lines: list[int] = []
        self.want = "msgid"

    # -- the kinds of line ------------------------------------------------------------

    def comment(self, body: str, number: int) -> None:
        """`#`, `##...`, `#.`, `#:` or `#,` (body: the line without ASCII whitespace around it)."""
        self.message_last = False
        if self.refused:
            return
        line = body.strip()  # polib strips Unicode's whitespace
        tokens = line.split(None, 2)
        symbol = _COMMENT_SYMBOLS.get(tokens[0], "tc")
        if symbol != "tc" and len(tokens) == 1:
            return  # polib skips an empty `#.`, `#:`, `#,` without a change of state
        handler = self._go(symbol, number)
        if handler == "he":
            self.header.append(line[2:])
        elif handler == "tc":
            tcomment = line.lstrip("#")
            self.tcomments.append(tcomment[1:] if tcomment.startswith(" ") else tcomment)
        elif handler == "gc":
            self.comments.append(line[3:])
        elif handler == "oc":
            self._occurrences(line[3:])
        elif handler == "fl":
            self.entry.flags += [flag.strip() for flag in line[3:].split(",")]

    def _occurrences(self, text: str) -> None:
        for occurrence in text.split():
            fil, sep, line = occurrence.rpartition(":")
            if not sep or not line.isdigit():
                fil, line = occurrence, ""
            self.entry.occurrences.append((fil, line))

    def previous(self, keyword: str | None, raw: str, number: int, readable: bool) -> None:
        """`#| msgctxt`, `#| msgid`, `#| msgid_plural` (keyword None: a string continuing
        one). `readable`: polib reads a `#~|` line as `#|` — not when nothing separates
        the `|` from what follows (`#~ |msgid`)."""
        self.message_last = False
        if self.refused:
            return
        if not readable:
            self.refused = number
        elif keyword is None:
            self._continue(raw, number)
        else:
            symbol, field = _PREVIOUS[keyword]
            if self._go(symbol, number):
                self._hold(self.entry, field, raw)

    def keyword(self, keyword: str, raw: str, number: int, obsolete: bool) -> None:
        """msgctxt, msgid, msgid_plural, msgstr or msgstr[N] and its first string (raw:
        between the quotes, as written), live or obsolete (`#~`)."""
        self.message_last = True
        self._count(keyword, number)
        if self.refused:
            return
        plural = keyword[6:7] == "["
        handler = self._go("mx" if plural else _KEYWORD_SYMBOLS[keyword], number)
        if not handler:
            return
        entry = self.entry
        if plural:
            index = int(keyword[7])  # polib reads one digit: msgstr[10] is its msgstr[1]
            entry.msgstr_plural[index] = ""  # its place in the dict: where polib puts it
            self._hold(entry.msgstr_plural, index, raw)
            return
        if handler == "mi":
            entry.obsolete = 1 if obsolete else 0  # polib's int
        self._hold(entry, _FIELDS[handler], raw)

    def string(self, raw: str, number: int) -> None:
        """A string continuing the last keyword's, live or obsolete."""
        self.message_last = True
        if not self.refused:
            self._continue(raw, number)

    # -- polib's machine ---------------------------------------------------------------

    def _continue(self, raw: str, number: int) -> None:
        """polib's "mc": the string extends the field being read, in the states that read one."""
        if self.state not in _CONTINUED:
            self.refused = number
        else:
            assert self.pieces is not None  # the keyword's handler held its field
            self.pieces.append(raw)

    def _go(self, symbol: str, number: int) -> str:
        """The handler for `symbol` in this state, the entry read so far put in the file
        first when it is complete; "" (and refused) when polib has no transition."""
        handler = _TRANSITIONS.get((symbol, self.state))
        if handler is None:
            self.refused = number
            return ""
        if self.pieces is not None:
            self._release()
        if handler in _NEW_ENTRY and self.state in ("ms", "mx"):
            self._end_entry()
            self.po.append(self.entry)
            self.entry = polib.POEntry(linenum=number)
        self.state = handler
        return handler

    def _hold(self, target: polib.POEntry | dict[int, str], field: str | int, raw: str) -> None:
        self.target, self.field, self.pieces = target, field, [raw]

    def _release(self) -> None:
        """The field being read is complete: its text to the entry."""
        assert self.pieces is not None
        value, target = unescape("".join(self.pieces)), self.target
        if isinstance(target, dict):
            target[int(self.field)] = value
        else:
            setattr(target, str(self.field), value)
        self.pieces = None

    def _end_entry(self) -> None:
        entry = self.entry
        if self.tcomments:
            entry.tcomment, self.tcomments = _lines_joined(self.tcomments), []
        if self.comments:
            entry.comment, self.comments = _lines_joined(self.comments), []

    # -- the end ----------------------------------------------------------------------

    def result(self, rel: str) -> polib.POFile:
        """The catalog polib would have read; polib's syntax error, if it stops on a line."""
        if self.refused:
            message = f"cannot be parsed: Syntax error in po file (line {self.refused})"
            raise PipelineError(message, rel, self.refused)
        po = self.po
        if self.pieces is not None:
            self._release()
        self._end_entry()
        if self.message_last:  # polib drops an entry when the file ends on a comment, even `#:`
            po.append(self.entry)
        po.header = _lines_joined(self.header)
        po.encoding = _detect_encoding(self.lines)
        metadata = po.find("")
        if metadata:
            po.remove(metadata)
            po.metadata_is_fuzzy = metadata.flags
            po.metadata.update(_metadata(metadata.msgstr))
        return po

    # -- line numbers -----------------------------------------------------------------

    def _count(self, keyword: str, number: int) -> None:
        """Note the line of each entry's first msgstr, as the project has always found
        them (`pofile` numbers the entries with them): a `msgid` then a `msgstr`
        keyword at the start of a line (after `#~` and spaces or tabs, for an obsolete
        entry), in turn; other lines do not count."""
        kind = "msgid" if keyword == "msgid" else "msgstr" if keyword[:6] == "msgstr" else ""
        if kind != self.want:
            return
        line = self.lines[number - 1]
        if line.startswith(kind) or (line[:2] == "#~" and line[2:].lstrip(" \t").startswith(kind)):
            if kind == "msgstr":
                self.msgstr_lines.append(number)
            self.want = "msgstr" if kind == "msgid" else "msgid"


def _metadata(msgstr: str) -> dict[str, str]:
    """The header's `Name: value` lines as polib reads them: split at any line break
    `str.splitlines` knows, a line without a colon continuing the last value (polib
    appends it to the value in the dict, which is quadratic; here it is joined once)."""
    values: dict[str, list[str]] = {}
    key = None
    for msg in msgstr.splitlines():
        name, colon, value = msg.partition(":")
        if colon:
            key = name
            values[key] = [value.strip()]  # a repeated name: its value again, in its first place
        elif key is not None:
            values[key].append(msg.strip())
    return {name: "\n".join(lines) for name, lines in values.items()}


def _detect_encoding(lines: list[str]) -> str:
    """`polib.detect_encoding` of the text polib was given: the first `charset=` after
    a `Content-Type:` on one line of it, if Python knows that encoding.

    polib searches the text from every `Content-Type:` in turn, and each search may
    run to the end of its line: quadratic (a msgstr of 20,000 lines saying
    `Content-Type:` took 40 s). Only a line's first one can match: a later one's
    `charset=` is also after the first.
    """
    for line in _joined_lines(lines):
        at = line.find("Content-Type:")
        m = _CHARSET_RE.match(line, at) if at >= 0 else None
        if m:
            encoding = m.group(1).strip()
            try:
                codecs.lookup(encoding)
            except LookupError:
                break
            return encoding
    return polib.default_encoding


def _joined_lines(lines: list[str]) -> Iterator[str]:
    """The non-blank lines polib was given, lazily: each field's strings joined into
    the line of its first (a string continues the last line when both are strings of
    one kind: live, `#~` or `#|`, `#~|` read as `#|`), so that polib found a
    `Content-Type` split over strings."""
    held: list[str] | None = None  # the line strings may continue, and the strings it took in
    held_kind = ""
    for line in lines:
        if "#~" in line:
            line = _OBSOLETE_PREVIOUS_RE.sub("#|", line)
        body = line.strip(_WS)
        if not body:
            continue
        kind = body[:2] if body[:2] in ("#~", "#|") else ""
        rest = body[2:].lstrip(_WS) if kind else body
        if rest[:1] == '"' and held is not None and kind == held_kind:
            held.append(rest[1:-1])
            continue
        if held is not None:
            yield "".join(held) + '"'
            held = None
        if rest[-1:] == '"' and (rest[:1] == '"' or rest[:3] == "msg"):
            held, held_kind = [body[:-1]], kind
        else:
            yield line
    if held is not None:
        yield "".join(held) + '"'
