"""Four-eyes approval: a reviewer's sign-off, kept in the catalog itself.

A sign-off is a translator comment on the entry,

    # approved: Dr. Anna Weber 2026-12-01 3f9a0c1b2d4e

NAME (any text, spaces allowed), DATE (ISO, `YYYY-MM-DD`) and DIGEST: the first 12
hex digits of SHA-256 over the entry's text (`approval_digest`). A translator comment
is what Poedit, GNU msgcat and translate-toolkit (Weblate) keep when they save, and
the digest binds the sign-off to the exact msgctxt, msgid and msgstr: any later change
of the source or the translation voids it. A comment whose digest does not match, or
that lacks a field, is no approval (the entry counts as reviewed, `check` warns).

This module only reads and writes comments on polib entries; it knows nothing of
files, the policy or the command line. It sits next to the catalog model
(`pipeline.catalog.model` imports it for the entry state "approved").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import polib

APPROVED = "approved:"
DIGEST_LENGTH = 12
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Approval:
    """A valid sign-off: who, when, and the digest of the text signed."""

    name: str
    date: dt.date
    digest: str

    def comment(self) -> str:
        """The translator comment line (without `# `)."""
        return f"{APPROVED} {self.name} {self.date.isoformat()} {self.digest}"


def _texts(entry: polib.POEntry) -> list:
    """What a sign-off covers, as a JSON-encodable list.

    Encoding (unambiguous, length-free): the UTF-8 bytes of the compact JSON array
    `[msgctxt, msgid, msgstr]` (`msgctxt` is `null` when absent); for a plural entry
    `[msgctxt, msgid, msgid_plural, [msgstr[0], msgstr[1], ...]]`. JSON escapes quotes
    and control characters, so no two different entries give the same bytes.
    """
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural, key=int)]
        return [entry.msgctxt, entry.msgid, entry.msgid_plural, forms]
    return [entry.msgctxt, entry.msgid, entry.msgstr]


def approval_digest(entry: polib.POEntry) -> str:
    """12 hex digits of SHA-256 over the entry's msgctxt, msgid and msgstr."""
    data = json.dumps(_texts(entry), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


def previous_digest(entry: polib.POEntry) -> str | None:
    """The digest the entry's translation had against its previous source (`#| msgid`),
    or None when it has none: a sign-off of the last reviewed text of a changed source."""
    if entry.previous_msgid is None or entry.msgid_plural:
        return None
    old = polib.POEntry(msgctxt=entry.previous_msgctxt, msgid=entry.previous_msgid, msgstr=entry.msgstr)
    return approval_digest(old)


def parse(line: str) -> Approval | str:
    """One `approved: NAME DATE DIGEST` comment line → an `Approval`, or why it is none."""
    rest = line[len(APPROVED) :].strip()
    parts = rest.rsplit(None, 2)  # NAME may hold spaces; DATE and DIGEST do not
    if len(parts) < 3 or not parts[0].strip():
        return "a sign-off needs NAME DATE DIGEST (e.g. 'approved: Anna Weber 2026-12-01 3f9a0c1b2d4e')"
    name, date, digest = parts
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return f"the sign-off's date {date!r} is not a date (YYYY-MM-DD)"
    if len(date) != 10:
        return f"the sign-off's date {date!r} is not a date (YYYY-MM-DD)"
    if len(digest) != DIGEST_LENGTH or not set(digest) <= _HEX:
        return f"the sign-off's digest {digest!r} is not {DIGEST_LENGTH} lowercase hex digits"
    return Approval(name.strip(), day, digest)


def _lines(entry: polib.POEntry) -> list[str]:
    return [line.strip() for line in (entry.tcomment or "").split("\n") if line.strip().startswith(APPROVED)]


def _reviewed(entry: polib.POEntry) -> bool:
    translated = any(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
    return translated and not entry.fuzzy and not entry.obsolete


def approval_of(entry: polib.POEntry) -> Approval | None:
    """The entry's valid sign-off: well formed, its digest matching the entry's text
    as it is now, on a reviewed (translated, not fuzzy) entry; else None."""
    if not _reviewed(entry):
        return None
    digest = None
    for line in reversed(_lines(entry)):
        found = parse(line)
        if isinstance(found, Approval):
            digest = digest or approval_digest(entry)
            if found.digest == digest:
                return found
    return None


def is_approved(entry: polib.POEntry) -> bool:
    """Whether the entry carries a valid, matching sign-off."""
    return approval_of(entry) is not None


def previous_approval(entry: polib.POEntry) -> Approval | None:
    """A fuzzy entry's sign-off of its translation against the previous source: the
    last approved translation of a paragraph that has changed since."""
    digest = previous_digest(entry) if entry.fuzzy else None
    if digest is None:
        return None
    for line in reversed(_lines(entry)):
        found = parse(line)
        if isinstance(found, Approval) and found.digest == digest:
            return found
    return None


def problems(entry: polib.POEntry) -> list[str]:
    """Why the entry's `# approved:` comments are no approval (for `check` to warn):
    mangled (a field missing or malformed), or not matching the text (forged, or
    stale: the source or the translation changed since)."""
    if entry.obsolete:
        return []
    found = []
    valid = approval_of(entry)
    previous = previous_approval(entry)
    for line in _lines(entry):
        parsed = parse(line)
        if isinstance(parsed, str):
            found.append(f"'# {line}' is no approval: {parsed}")
        elif parsed != valid and parsed != previous:
            if not _reviewed(entry):
                why = "the entry is not reviewed (fuzzy or untranslated)"
            else:
                why = "its digest does not match the text (changed since, or not made by `approve`)"
            found.append(f"'# {line}' is no approval: {why}")
    return found


def strip_stale(entry: polib.POEntry) -> bool:
    """Remove well-formed sign-offs that no longer match the entry (the source or the
    translation changed); the one matching the previous source of a fuzzy entry stays,
    as the record of the last approved translation. Mangled lines stay for `check` to
    report. Returns whether anything was removed."""
    keep = {a for a in (approval_of(entry), previous_approval(entry)) if a is not None}
    lines = (entry.tcomment or "").split("\n")
    kept = []
    for line in lines:
        text = line.strip()
        if text.startswith(APPROVED):
            parsed = parse(text)
            if isinstance(parsed, Approval) and parsed not in keep:
                continue
        kept.append(line)
    if len(kept) == len(lines):
        return False
    entry.tcomment = "\n".join(kept).strip("\n")
    return True


def has_stale(po: polib.POFile) -> bool:
    """Whether any live entry carries a sign-off `strip_stale` would remove."""
    for entry in po:
        if entry.obsolete or APPROVED not in (entry.tcomment or ""):
            continue
        keep = {a for a in (approval_of(entry), previous_approval(entry)) if a is not None}
        for line in _lines(entry):
            parsed = parse(line)
            if isinstance(parsed, Approval) and parsed not in keep:
                return True
    return False


def sign(entry: polib.POEntry, name: str, date: dt.date) -> Approval:
    """Add a sign-off by `name` on `date` for the entry's current text (replacing any
    sign-off that no longer matches). The caller decides whether it may be signed."""
    approval = Approval(name, date, approval_digest(entry))
    strip_stale(entry)
    lines = [line for line in (entry.tcomment or "").split("\n") if line.strip()]
    entry.tcomment = "\n".join([*lines, approval.comment()])
    return approval
