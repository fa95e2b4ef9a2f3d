"""PO files on disk: strict reading, and writing only what changed, atomically.

polib is the model (see `catalog`), but polib's parser is lenient: it accepts an
unterminated string and quietly keeps what it could read, which is how a
translator's work gets truncated and saved back (mdpo does exactly that). So every
file passes a strict line-by-line check first, with GNU msgfmt's grammar, and any
problem is reported as `file:line: message` before anything is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

from pipeline.catalog import content_digest
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write, read_head, read_regular
from pipeline.po_write import DEFAULT_WIDTH, format_po

WRAP_WIDTH = DEFAULT_WIDTH  # GNU gettext's and Poedit's default, so fewer lines move on a round trip

# Whitespace is ASCII's, as for msgfmt (str.strip() would also take U+2028, U+00A0 ...).
_WS = " \t\r\f\v"
_KEYWORD_RE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)(?=[ \t\r\f\v\"]|$)[ \t\r\f\v]*(.*)$")
# Possessive quantifiers: an escape is read one way only, so an unterminated line
# (`"\xaaaa...`) fails in linear time instead of trying every split of its escapes.
_STRING_RE = re.compile(r'^"((?:[^"\\]|\\(?:[\\"ntrabfv\'?]|[0-7]{1,3}|x[0-9A-Fa-f]++))*+)"[ \t\r\f\v]*$')
_COMMENT_MARKS = {"#", "#,", "#.", "#:", "#|", "#~", "#~|"}
_OBSOLETE_PREVIOUS_RE = re.compile(r"^[ \t\r\f\v]*#~[ \t\r\f\v]*\|", re.MULTILINE)
_PLURALS_RE = re.compile(r"nplurals\s*=\s*(\d+)\s*;")


def read_po(path: Path, rel: str | None = None, lang: str | None = None) -> polib.POFile:
    """Parse a catalog after checking it strictly.

    `rel` is the name used in messages; `lang`, when given, must match the
    catalog's `Language` header (a file copied into the wrong folder is an error).
    """
    rel = rel or str(path)
    try:
        raw = read_regular(path, rel)  # no link followed, no FIFO or device, at most 5 MB
    except FileNotFoundError:
        raise PipelineError("file not found", rel) from None
    if not raw.strip():
        raise PipelineError("is empty; restore it from version control, or delete it to start a new catalog", rel)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise PipelineError("starts with a byte-order mark, which msgfmt rejects; save it as UTF-8 without BOM", rel, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PipelineError("is not valid UTF-8 (catalogs must be saved as UTF-8)", rel, line) from None
    header = check_syntax(text, rel)
    if header is None:
        raise PipelineError('no header entry (msgid "") at the top of the file', rel, 1)
    try:
        # polib does not read `#~|` (an obsolete entry's previous msgid): as `#|` it does.
        po = polib.pofile(
            _Lines(_OBSOLETE_PREVIOUS_RE.sub("#|", text)), wrapwidth=WRAP_WIDTH, check_for_duplicates=False
        )
    except (OSError, ValueError) as exc:  # polib's own syntax errors: the check above should have caught them
        m = re.search(r"line (\d+)", str(exc))
        raise PipelineError(f"cannot be parsed: {exc}", rel, int(m.group(1)) if m else None) from None
    _check_header(po, header, rel, lang)
    return po


class _Lines(str):
    """Catalog text whose lines are split at "\\n" only, as msgfmt does.

    polib splits text with `str.splitlines`, which also breaks at a raw carriage
    return, form feed, vertical tab, U+001C..U+001E, U+0085, U+2028 and U+2029
    inside a quoted string: a catalog holding such a character (polib writes
    U+2028 unescaped) was read back with a truncated message, or not at all.
    """

    def splitlines(self, keepends: bool = False) -> list[str]:
        return self.split("\n")


def check_syntax(text: str, rel: str) -> tuple[str, int] | None:
    """Raise on the first line msgfmt would reject; also duplicate messages.

    Returns the header entry's msgstr and line, if the file has one.
    """
    header: tuple[str, int] | None = None
    # The previous keyword, per domain: live entries and obsolete (#~) ones interleave.
    states = {False: "start", True: "start"}
    plural_index: dict[bool, int] = {False: -1, True: -1}
    current: dict[bool, dict[str, str]] = {False: {}, True: {}}
    entry_line: dict[bool, int] = {False: 0, True: 0}
    seen: dict[tuple[str | None, str], int] = {}
    live_seen: list[bool] = []  # non-empty once a live entry was read
    last_obsolete: bool | None = None  # whether the last keyword or string line was #~
    field: dict[bool, str] = {False: "", True: ""}  # the keyword continuation lines extend: msgstr[1]
    fuzzy = {False: False, True: False}
    flagged_fuzzy = False  # a `#, fuzzy` line since the last entry began
    # `#| msgctxt`, `#| msgid`, `#| msgid_plural` (the previous source text): the
    # last of them read before the entry's own msgctxt/msgid, or "" (msgfmt's grammar)
    previous: dict[bool, tuple[str, int]] = {False: ("", 0), True: ("", 0)}

    def previous_line(obsolete: bool, part: str, number: int) -> None:
        last = previous[obsolete][0]
        m = _KEYWORD_RE.match(part)
        if m:
            keyword = m.group(1)
            after = {"msgctxt": ("",), "msgid": ("", "msgctxt"), "msgid_plural": ("msgid",)}.get(keyword)
            if after is None or last not in after:
                raise PipelineError(f"'#| {keyword}' is not expected here", rel, number)
            if part[len(keyword) : len(keyword) + 1] == '"':
                raise PipelineError(f"put a space between '{keyword}' and its string", rel, number)
            _check_string_part(m.group(3), rel, number)
            previous[obsolete] = (keyword, number)
        elif part.startswith('"') and last:
            _check_string_part(part, rel, number)
        else:
            raise PipelineError("expected '#| msgid \"...\"' (the previous source text)", rel, number)

    def finish(obsolete: bool) -> None:
        fields = current[obsolete]
        if not fields:
            return
        if "msgstr" not in fields:
            raise PipelineError("message has a msgid but no msgstr", rel, entry_line[obsolete])
        if fields.get("msgid_plural") == "":
            # msgfmt takes it; polib drops an empty msgid_plural, and the msgstr[N] it writes are unreadable
            raise PipelineError("msgid_plural is empty", rel, entry_line[obsolete])
        nonlocal header
        key = (fields.get("msgctxt"), fields["msgid"])
        line = entry_line[obsolete]
        if not obsolete and not fuzzy[obsolete] and fields["msgid"]:
            _check_line_breaks(fields, rel, line)
        # The header is the first live entry; obsolete (#~) ones may come before it
        # (msgattrib --set-obsolete writes them there, msgfmt accepts it).
        if key == (None, "") and not obsolete and not live_seen:
            header = (fields["msgstr"], line)
        if not obsolete:
            live_seen.append(True)
        # Like msgfmt, one namespace for live and obsolete (#~) entries.
        if key in seen:
            first, line = sorted((seen[key], line))
            raise PipelineError(f"duplicate message (first defined at line {first})", rel, line)
        seen[key] = line
        current[obsolete] = {}

    for number, line in enumerate(text.split("\n"), start=1):
        body = line.strip(_WS)
        if not body:
            continue
        if body.startswith("#"):
            token = body.split(None, 1)[0]
            if token not in _COMMENT_MARKS and not token.startswith("##"):
                mark = next(m for m in ("#~|", "#~", "#,", "#.", "#:", "#|", "#") if token.startswith(m))
                problem = f"put a space after '{mark}' (polib cannot read '{_printable(token)}')"
                raise PipelineError(problem, rel, number)
        obsolete = body.startswith("#~")
        if obsolete:
            body = body[2:].strip(_WS)
            if not body:
                raise PipelineError("a '#~' line with nothing after it (polib cannot read it); delete it", rel, number)
            if body.startswith("|"):
                previous_line(True, body[1:].strip(_WS), number)
                continue
        elif body.startswith("#"):
            if body.startswith("#|"):
                previous_line(False, body[2:].strip(_WS), number)
                continue
            if previous[False][0]:
                raise PipelineError("a comment between '#| msgid' and the entry's msgid", rel, number)
            if body.startswith("#,") and "fuzzy" in (flag.strip(_WS) for flag in body[2:].split(",")):
                flagged_fuzzy = True
            continue
        state = states[obsolete]
        m = _KEYWORD_RE.match(body)
        starts_entry = bool(m) and m.group(1) in ("msgctxt", "msgid") and state in ("msgstr", "start")
        inconsistent = not starts_entry and last_obsolete not in (None, obsolete)
        if (m or body.startswith('"')) and (inconsistent or previous[not obsolete][0]):
            raise PipelineError("inconsistent use of #~: the lines of an entry must all have it, or none", rel, number)
        last_obsolete = obsolete
        if previous[obsolete][0]:
            if not starts_entry:
                raise PipelineError("'#| msgid' must come right before an entry's msgctxt or msgid", rel, number)
            if previous[obsolete][0] == "msgctxt":
                raise PipelineError("'#| msgctxt' without '#| msgid'", rel, previous[obsolete][1])
            previous[obsolete] = ("", 0)
        if m:
            keyword, index, rest = m.group(1), m.group(2), m.group(3)
            if body[len(keyword) : len(keyword) + 1] == '"':
                raise PipelineError(f"put a space between '{keyword}' and its string", rel, number)
            base = "msgstr" if keyword.startswith("msgstr") else keyword
            if base in ("msgctxt", "msgid") and state in ("msgstr", "start"):
                finish(obsolete)
                entry_line[obsolete] = number
                fuzzy[obsolete], flagged_fuzzy = flagged_fuzzy, False
            allowed = {
                "msgctxt": ("start", "msgstr"),
                "msgid": ("start", "msgstr", "msgctxt"),
                "msgid_plural": ("msgid",),
                "msgstr": ("msgid", "msgid_plural", "msgstr"),
            }[base]
            if state not in allowed or (base == "msgstr" and state == "msgstr" and index is None):
                raise PipelineError(f"'{keyword}' is not expected here (after {state})", rel, number)
            if base == "msgstr":
                expected = plural_index[obsolete] + 1 if state == "msgstr" else 0
                if state == "msgid_plural" and index is None:
                    raise PipelineError("a plural message needs msgstr[0], msgstr[1], ...", rel, number)
                if state == "msgid" and index is not None:
                    raise PipelineError(f"'{keyword}' without msgid_plural", rel, number)
                if index is not None and int(index) != expected:
                    raise PipelineError(f"'{keyword}' out of order (expected msgstr[{expected}])", rel, number)
                plural_index[obsolete] = int(index) if index is not None else -1
            value = _check_string_part(rest, rel, number)
            current[obsolete][base] = current[obsolete][keyword] = value
            states[obsolete], field[obsolete] = base, keyword
        elif body.startswith('"'):
            if state == "start":
                raise PipelineError("string without a keyword before it", rel, number)
            value = _check_string_part(body, rel, number)
            for name in {state, field[obsolete]}:
                current[obsolete][name] += value
        else:
            word = (body.split(None, 1) or [body])[0]
            raise PipelineError(f"unknown keyword '{_printable(word)}'", rel, number)
    for _keyword, number in previous.values():
        if number:
            raise PipelineError("'#| msgid' without an entry after it", rel, number)
    finish(False)
    finish(True)
    return header


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


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


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


_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)")


def _check_string_part(part: str, rel: str, number: int) -> str:
    if not part.startswith('"'):
        raise PipelineError("expected a quoted string", rel, number)
    m = _STRING_RE.match(part)
    if not m:
        if re.match(r'^"(?:[^"\\]|\\.)*$', part):
            raise PipelineError('unterminated string (a closing " is missing)', rel, number)
        if re.match(r'^"(?:[^"\\]|\\.)*"', part):
            bad = re.search(r'\\([^\\"ntrabfv\'?0-7x])', part)
            if bad:
                raise PipelineError(f"invalid escape sequence '\\{_printable(bad.group(1))}'", rel, number)
            raise PipelineError('text after the closing quote (an inner " must be written \\")', rel, number)
        raise PipelineError("invalid escape sequence", rel, number)
    if "\x04" in part or ("\\" in part and "\x04" in _unescape(m.group(1))):
        raise PipelineError("context separator <EOT> (U+0004) within a string", rel, number)
    return m.group(1)


def _printable(text: str) -> str:
    """`text` for an error message: characters that do not print are escaped."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _check_header(po: polib.POFile, header: tuple[str, int] | None, rel: str, lang: str | None) -> None:
    if header is None:
        raise PipelineError('no header entry (msgid "") at the top of the file', rel, 1)
    raw, header_line = header
    for line in raw.split("\\n"):
        # polib splits the header at U+2028 and the like too: it would not read back what it writes
        if line.strip() and (":" not in line or len(line.splitlines()) > 1):
            raise PipelineError(f"broken header line {line.strip()!r} (expected 'Name: value')", rel, header_line)
    content_type = po.metadata.get("Content-Type", "")
    charset = re.search(r"charset=([\w.-]+)", content_type)
    if not charset or charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        found = charset.group(1) if charset else "none"
        raise PipelineError(f"header Content-Type must say charset=UTF-8 (found: {found})", rel, header_line)
    language = po.metadata.get("Language")
    if lang and language and language.replace("-", "_") != lang.replace("-", "_"):
        raise PipelineError(
            f"header says Language: {language}, but the catalog is in the '{lang}' folder", rel, header_line
        )
    plural_forms = po.metadata.get("Plural-Forms")
    plurals = [e for e in po if e.msgid_plural and not e.obsolete]
    if plurals and not plural_forms:
        raise PipelineError("plural messages need a Plural-Forms header", rel, header_line)
    if plural_forms:
        m = _PLURALS_RE.search(plural_forms)
        if not m:
            raise PipelineError(f"header Plural-Forms is not valid: {plural_forms!r}", rel, header_line)
        nplurals = int(m.group(1))
        for entry in plurals:
            if len(entry.msgstr_plural) != nplurals:
                raise PipelineError(
                    f"has {len(entry.msgstr_plural)} plural form(s), but Plural-Forms says nplurals={nplurals}",
                    rel,
                    entry.linenum,
                )


def serialize(po: polib.POFile, width: int = WRAP_WIDTH) -> str:
    """The file's text as GNU gettext lays it out (`po_write`), wrapped at `width`
    (0: strings are not wrapped, as `msgcat --no-wrap`)."""
    return format_po(po, width)


def entries_equal(a: polib.POFile, b: polib.POFile) -> bool:
    """Same messages, comments, flags, references and header values — the things a
    translator's tool may re-wrap or re-order without changing them."""
    if _metadata(a) != _metadata(b) or a.header.strip() != b.header.strip():
        return False
    return [_entry_key(e) for e in a if e.msgid or e.msgctxt] == [_entry_key(e) for e in b if e.msgid or e.msgctxt]


def write_po(po: polib.POFile, path: Path, old: polib.POFile | None = None, width: int = WRAP_WIDTH) -> bool:
    """Write `po` to `path` unless `old` (the file as read) has the same entries.

    Returns whether the file was written. Unchanged files are never touched, so a
    catalog re-wrapped by Poedit or msgcat keeps its bytes and nothing churns.
    """
    if old is not None and entries_equal(po, old):
        return False
    atomic_write(path, serialize(po, width))
    return True


def write_template(pot: polib.POFile, path: Path, width: int = WRAP_WIDTH) -> bool:
    """Write a template unless it would not change.

    A template is generated, so its header carries a digest of its content
    (`X-Content-Digest`): comparing that with the file's first lines tells whether
    anything changed without serializing the new template or parsing the old one.
    """
    pot.metadata["X-Content-Digest"] = content_digest(pot)
    head = read_head(path, 4096)  # None for a link, a FIFO, a device: then it is replaced
    found = _DIGEST_RE.search(head) if head is not None else None
    if found and found.group(1).decode() == pot.metadata["X-Content-Digest"]:
        return False
    atomic_write(path, serialize(pot, width))
    return True


_DIGEST_RE = re.compile(rb'"X-Content-Digest: ([0-9a-f]+)\\n"')


def _metadata(po: polib.POFile) -> dict[str, str]:
    return {k: v.strip() for k, v in po.metadata.items()}


def _entry_key(e: polib.POEntry) -> tuple:
    return (
        bool(e.obsolete),
        e.msgctxt,
        e.msgid,
        e.msgid_plural,
        e.msgstr,
        tuple(sorted(e.msgstr_plural.items())),
        tuple(e.flags),
        " ".join(e.tcomment.split()),
        " ".join(e.comment.split()),
        tuple((f, str(n)) for f, n in e.occurrences) if not e.obsolete else (),
        e.previous_msgctxt,
        e.previous_msgid,
        e.previous_msgid_plural,
    )
