"""PO files on disk: strict reading, and writing only what changed, atomically.

polib is the model (see `model`), but polib's parser is lenient: it accepts an
unterminated string and quietly keeps what it could read, which is how a
translator's work gets truncated and saved back (mdpo does exactly that). So every
file is read by a strict line-by-line check, with GNU msgfmt's grammar (`syntax`),
which builds polib's model in the same pass (`polib_model`), and any problem is
reported as `file:line: message` before anything is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

from pipeline.base.errors import PipelineError
from pipeline.base.files import atomic_write, fingerprint, read_head, read_regular
from pipeline.catalog.layout import DEFAULT_WIDTH, format_po
from pipeline.catalog.model import content_digest
from pipeline.catalog.signoffs import bind_path
from pipeline.catalog.syntax import read_catalog

WRAP_WIDTH = DEFAULT_WIDTH  # GNU gettext's and Poedit's default, so fewer lines move on a round trip

_PLURALS_RE = re.compile(r"nplurals\s*=\s*(\d+)\s*;")


def read_po(path: Path, rel: str | None = None, lang: str | None = None) -> polib.POFile:
    """Parse a catalog after checking it strictly.

    `rel` is the name used in messages; `lang`, when given, must match the
    catalog's `Language` header (a file copied into the wrong folder is an error).
    """
    return read_po_text(path, rel, lang)[0]


def read_po_text(path: Path, rel: str | None = None, lang: str | None = None) -> tuple[polib.POFile, str]:
    """`read_po`, and the text it parsed, for what works on the file's lines (the
    review's msgstr lines, pretranslation's blocks): one read, so both describe the
    same bytes even if the file is saved meanwhile.

    Line ends come as "\\n": a "\\r\\n" is one (a string cannot span lines, so it is
    never text). A lone "\\r" is kept: inside a string it is text, and taking it for
    a line end would shift every line number after it.
    """
    po, text, _seen = read_po_seen(path, rel, lang)
    return po, text


def read_po_seen(path: Path, rel: str | None = None, lang: str | None = None) -> tuple[polib.POFile, str, str]:
    """`read_po_text`, and the `files.fingerprint` of the bytes it parsed: a command
    that writes the catalog back passes it to `write_po(expect=...)`, so a person's
    save since this read is never overwritten."""
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
    po, header, msgstr_lines = read_catalog(text, rel)  # polib's model, from the one strict pass
    po.wrapwidth = WRAP_WIDTH
    _check_header(po, header, rel, lang)  # with polib's numbers: a plural count's error is at an entry's first line
    _number_entries(po, msgstr_lines)
    text = text.replace("\r\n", "\n")
    bind_path(po, path)  # its entries' sign-offs are of this language and article
    return po, text, fingerprint(raw)


# One line number for an entry, in every command and page (`check`, `build`, the
# reviewer's page, `approve`, `pretranslate`, the XLIFF notes): the line of its
# `msgstr` — where a translator types, and where Poedit's and an editor's "go to line"
# should land. polib numbers an entry by its first line (a comment, often).
def _number_entries(po: polib.POFile, msgstr_lines: list[int]) -> None:
    """Set each entry's `linenum` to the line of its (first) `msgstr`, the entries in
    file order after the header's."""
    if len(msgstr_lines) == len(po) + 1:  # the header first; otherwise polib's numbers stay
        for entry, number in zip(po, msgstr_lines[1:], strict=True):
            entry.linenum = number


def _check_header(po: polib.POFile, header: tuple[str, int], rel: str, lang: str | None) -> None:
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
    """The file's text as GNU gettext lays it out (`layout`), wrapped at `width`
    (0: strings are not wrapped, as `msgcat --no-wrap`)."""
    return format_po(po, width)


def entries_equal(a: polib.POFile, b: polib.POFile) -> bool:
    """Same messages, comments, flags, references and header values — the things a
    translator's tool may re-wrap or re-order without changing them."""
    if _metadata(a) != _metadata(b) or a.header.strip() != b.header.strip():
        return False
    return [_entry_key(e) for e in a if e.msgid or e.msgctxt] == [_entry_key(e) for e in b if e.msgid or e.msgctxt]


def write_po(
    po: polib.POFile, path: Path, old: polib.POFile | None = None, width: int = WRAP_WIDTH, expect: str | None = None
) -> bool:
    """Write `po` to `path` unless `old` (the file as read) has the same entries.

    Returns whether the file was written. Unchanged files are never touched, so a
    catalog re-wrapped by Poedit or msgcat keeps its bytes and nothing churns.
    `expect`: the fingerprint of what was read (`read_po_seen`; `files.ABSENT` for a
    new file); if the file is no longer that, `files.Changed` and nothing written.
    """
    if old is not None and entries_equal(po, old):
        return False
    atomic_write(path, serialize(po, width), expect=expect)
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


def may_hold(path: Path, rel: str, text: str) -> bool:
    """False only when the catalog at `path`, unparsed, cannot hold `text` (a run of
    a-z, 0-9 and hyphens: a slug) as a string. A catalog is UTF-8 and such
    characters are never escaped, so one that holds it has it in its bytes once the
    quotes and line breaks between continued strings are taken out; cheaper than
    parsing it (the live preview asks this of every catalog of a language on an
    address it does not know). A file that cannot be read: True (parsing says why)."""
    try:
        raw = read_regular(path, rel)
    except (OSError, PipelineError):
        return True
    return text.encode() in raw.translate(None, b'" \t\r\n')
