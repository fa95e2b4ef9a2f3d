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

from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write

WRAP_WIDTH = 79  # GNU gettext's and Poedit's default, so fewer lines move on a round trip

_KEYWORD_RE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)(?=[\s\"]|$)\s*(.*)$")
_STRING_RE = re.compile(r'^"((?:[^"\\]|\\(?:[\\"ntrabfv\'?]|[0-7]{1,3}|x[0-9A-Fa-f]+))*)"\s*$')
_PLURALS_RE = re.compile(r"nplurals\s*=\s*(\d+)\s*;")


def read_po(path: Path, rel: str | None = None, lang: str | None = None) -> polib.POFile:
    """Parse a catalog after checking it strictly.

    `rel` is the name used in messages; `lang`, when given, must match the
    catalog's `Language` header (a file copied into the wrong folder is an error).
    """
    rel = rel or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError("file not found", rel) from None
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise PipelineError("starts with a byte-order mark, which msgfmt rejects; save it as UTF-8 without BOM", rel, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PipelineError("is not valid UTF-8 (catalogs must be saved as UTF-8)", rel, line) from None
    header = check_syntax(text, rel)
    po = polib.pofile(text, wrapwidth=WRAP_WIDTH, check_for_duplicates=False)
    _check_header(po, header, rel, lang)
    return po


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

    def finish(obsolete: bool) -> None:
        fields = current[obsolete]
        if not fields:
            return
        if "msgstr" not in fields:
            raise PipelineError("message has a msgid but no msgstr", rel, entry_line[obsolete])
        nonlocal header
        if not obsolete:
            key = (fields.get("msgctxt"), fields["msgid"])
            if key == (None, "") and not seen:
                header = (fields["msgstr"], entry_line[obsolete])
            if key in seen:
                raise PipelineError(f"duplicate message (first defined at line {seen[key]})", rel, entry_line[obsolete])
            seen.setdefault(key, entry_line[obsolete])
        current[obsolete] = {}

    for number, line in enumerate(text.split("\n"), start=1):
        body = line.strip()
        if not body:
            continue
        obsolete = body.startswith("#~")
        if obsolete:
            body = body[2:].strip()
            if not body or body.startswith("|"):
                continue  # obsolete previous-msgid lines carry no translation
        elif body.startswith("#"):
            if body.startswith("#|"):
                _check_string_part(body[2:].strip(), rel, number, previous=True)
            continue
        state = states[obsolete]
        m = _KEYWORD_RE.match(body)
        if m:
            keyword, index, rest = m.group(1), m.group(2), m.group(3)
            base = "msgstr" if keyword.startswith("msgstr") else keyword
            if base in ("msgctxt", "msgid") and state in ("msgstr", "start"):
                finish(obsolete)
                entry_line[obsolete] = number
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
            current[obsolete][base] = value
            states[obsolete] = base
        elif body.startswith('"'):
            if state == "start":
                raise PipelineError("string without a keyword before it", rel, number)
            value = _check_string_part(body, rel, number)
            if state in ("msgid", "msgctxt", "msgstr"):
                current[obsolete][state] = current[obsolete].get(state, "") + value
        else:
            word = body.split()[0]
            raise PipelineError(f"unknown keyword '{word}'", rel, number)
    finish(False)
    finish(True)
    return header


def _check_string_part(part: str, rel: str, number: int, previous: bool = False) -> str:
    if previous:
        m = _KEYWORD_RE.match(part)
        part = m.group(3) if m else part
    if not part.startswith('"'):
        raise PipelineError("expected a quoted string", rel, number)
    m = _STRING_RE.match(part)
    if not m:
        if re.match(r'^"(?:[^"\\]|\\.)*$', part):
            raise PipelineError('unterminated string (a closing " is missing)', rel, number)
        if re.match(r'^"(?:[^"\\]|\\.)*"', part):
            bad = re.search(r'\\([^\\"ntrabfv\'?0-7x])', part)
            if bad:
                raise PipelineError(f"invalid escape sequence '\\{bad.group(1)}'", rel, number)
            raise PipelineError('text after the closing quote (an inner " must be written \\")', rel, number)
        raise PipelineError("invalid escape sequence", rel, number)
    return m.group(1)


def _check_header(po: polib.POFile, header: tuple[str, int] | None, rel: str, lang: str | None) -> None:
    if header is None:
        raise PipelineError('no header entry (msgid "") at the top of the file', rel, 1)
    raw, header_line = header
    for line in raw.split("\\n"):
        if line.strip() and ":" not in line:
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


def serialize(po: polib.POFile) -> str:
    """The file's text as polib writes it, ending in exactly one newline."""
    po.wrapwidth = WRAP_WIDTH
    return str(po).rstrip("\n") + "\n"


def entries_equal(a: polib.POFile, b: polib.POFile) -> bool:
    """Same messages, comments, flags, references and header values — the things a
    translator's tool may re-wrap or re-order without changing them."""
    if _metadata(a) != _metadata(b) or a.header.strip() != b.header.strip():
        return False
    return [_entry_key(e) for e in a if e.msgid or e.msgctxt] == [_entry_key(e) for e in b if e.msgid or e.msgctxt]


def write_po(po: polib.POFile, path: Path, old: polib.POFile | None = None) -> bool:
    """Write `po` to `path` unless `old` (the file as read) has the same entries.

    Returns whether the file was written. Unchanged files are never touched, so a
    catalog re-wrapped by Poedit or msgcat keeps its bytes and nothing churns.
    """
    if old is not None and entries_equal(po, old):
        return False
    atomic_write(path, serialize(po))
    return True


def write_if_changed(po: polib.POFile, path: Path) -> bool:
    """Write a generated file (a template) unless its bytes would not change.

    Cheaper than `write_po` when nobody edits the file: no parse of the old one.
    """
    data = serialize(po).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data)
    return True


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
