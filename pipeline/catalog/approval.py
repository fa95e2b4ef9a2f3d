"""Four-eyes approval: a reviewer's sign-off, readable in the catalog, verified by a signature.

Each signed entry carries a translator comment that Poedit, GNU msgcat and
translate-toolkit (Weblate) keep and show,

    # approved: Dr. Anna Weber 2026-12-07 <64 hex digits>

NAME, DATE (ISO) and the entry's DIGEST: SHA-256 over its language, article,
msgctxt, msgid and msgstr (`pipeline.catalog.signoffs.digest`). The comment is what
a reader sees; what makes it a sign-off is the signed manifest of that `approve`
run (`pipeline.catalog.signoffs`): the entry is approved only if its digest, as
computed from its text now and where it is, is in a manifest whose signature
verifies for NAME against `locales/reviewers`, dated DATE and not in the future.
A hand-written line, a line copied from another entry or catalog, an old 12-digit
line, or one whose text changed since, is no approval (`problems` says why; `check`
reports it as an error).

The 12-digit `approval_digest` of msgctxt, msgid and msgstr is not a sign-off: the
catalog model uses it to recognise a reviewed text again (an undone source edit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import polib

from pipeline.catalog.signoffs import Grant, Scope, digest, ledger, scope_of

APPROVED = "approved:"
DIGEST_LENGTH = 64
_SHORT = 12
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Approval:
    """A sign-off line: who, when, the digest of the text signed; for a verified one,
    the key's fingerprint and the manifest that holds its signature."""

    name: str
    date: dt.date
    digest: str
    fingerprint: str = ""
    manifest: str = ""

    def comment(self) -> str:
        """The translator comment line (without `# `)."""
        return f"{APPROVED} {self.name} {self.date.isoformat()} {self.digest}"

    def who(self) -> str:
        """`NAME on DATE` (and the key, when verified), for messages and the review page."""
        key = f" (key {self.fingerprint})" if self.fingerprint else ""
        return f"{self.name} on {self.date.isoformat()}{key}"


def _texts(entry: polib.POEntry, previous: bool = False) -> list:
    """What a sign-off covers, as a JSON-encodable list: `[msgctxt, msgid, msgstr]`
    (`msgctxt` null when absent); plural: `[msgctxt, msgid, msgid_plural, [forms]]`.
    `previous`: with the previous source (`#| msgctxt`, `#| msgid`) instead."""
    ctxt, msgid = (entry.previous_msgctxt, entry.previous_msgid) if previous else (entry.msgctxt, entry.msgid)
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural, key=int)]
        return [ctxt, msgid, entry.msgid_plural, forms]
    return [ctxt, msgid, entry.msgstr]


def approval_digest(entry: polib.POEntry) -> str:
    """12 hex digits of SHA-256 over msgctxt, msgid and msgstr: the catalog model's
    marker of a reviewed text (not a sign-off: see the module docstring)."""
    data = json.dumps(_texts(entry), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:_SHORT]


def entry_digest(entry: polib.POEntry, scope: Scope, previous: bool = False) -> str:
    """The full digest a sign-off of this entry signs, where `scope` says it is."""
    return digest(scope.lang, scope.article, _texts(entry, previous))


def parse(line: str) -> Approval | str:
    """One `approved: NAME DATE DIGEST` comment line → an `Approval`, or why it is none."""
    rest = line[len(APPROVED) :].strip()
    parts = rest.rsplit(None, 2)  # NAME may hold spaces; DATE and DIGEST do not
    if len(parts) < 3 or not parts[0].strip():
        return "a sign-off needs NAME DATE DIGEST, written by `approve`"
    name, date, hexdigest = parts
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return f"the sign-off's date {date!r} is not a date (YYYY-MM-DD)"
    if len(date) != 10:
        return f"the sign-off's date {date!r} is not a date (YYYY-MM-DD)"
    if len(hexdigest) == _SHORT and set(hexdigest) <= _HEX:
        return "an old unsigned sign-off (12 hex digits); remove the line and approve again with a key"
    if len(hexdigest) != DIGEST_LENGTH or not set(hexdigest) <= _HEX:
        return f"the sign-off's digest {hexdigest[:20]!r} is not {DIGEST_LENGTH} lowercase hex digits"
    return Approval(name.strip(), day, hexdigest)


def _lines(entry: polib.POEntry) -> list[str]:
    return [line.strip() for line in (entry.tcomment or "").split("\n") if line.strip().startswith(APPROVED)]


def _reviewed(entry: polib.POEntry) -> bool:
    translated = any(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
    return translated and not entry.fuzzy and not entry.obsolete


def _granted(line: Approval, wanted: str, scope: Scope) -> Approval | None:
    """`line` verified: its digest is `wanted` and a verified manifest signed it, by
    the same name on the same day."""
    if line.digest != wanted:
        return None
    grant: Grant | None = ledger(scope.locales, scope.lang).grants.get(wanted)
    if grant is None or grant.name != line.name or grant.date != line.date:
        return None
    return Approval(line.name, line.date, line.digest, grant.fingerprint, grant.manifest)


def _find(entry: polib.POEntry, previous: bool) -> Approval | None:
    scope = scope_of(entry)
    if scope is None or APPROVED not in (entry.tcomment or ""):
        return None
    wanted = entry_digest(entry, scope, previous)
    for line in reversed(_lines(entry)):
        parsed = parse(line)
        if isinstance(parsed, Approval):
            found = _granted(parsed, wanted, scope)
            if found is not None:
                return found
    return None


def approval_of(entry: polib.POEntry) -> Approval | None:
    """The entry's verified sign-off of its text as it is now, on a reviewed
    (translated, not fuzzy) entry; else None."""
    return _find(entry, previous=False) if _reviewed(entry) else None


def is_approved(entry: polib.POEntry) -> bool:
    """Whether the entry carries a verified sign-off of its current text."""
    return approval_of(entry) is not None


def previous_approval(entry: polib.POEntry) -> Approval | None:
    """A fuzzy entry's verified sign-off of its translation against its previous
    source (`#| msgid`): the last approved translation of a changed paragraph. Not
    when that previous source is still a live entry of the catalog: a merge keeps a
    previous source only for a paragraph that is gone, so such a sign-off was copied."""
    scope = scope_of(entry)
    if not entry.fuzzy or entry.previous_msgid is None or entry.msgid_plural or scope is None:
        return None
    if (entry.previous_msgctxt, entry.previous_msgid) in scope.live:
        return None
    return _find(entry, previous=True)


def problems(entry: polib.POEntry) -> list[str]:
    """Why each of the entry's `# approved:` lines is no sign-off (for `check`):
    mangled, stale (the text changed since), or not signed (hand-written, copied,
    dated in the future, its manifest's signature refused)."""
    if entry.obsolete or APPROVED not in (entry.tcomment or ""):
        return []
    found = []
    valid = {a.comment() for a in (approval_of(entry), previous_approval(entry)) if a is not None}
    for line in _lines(entry):
        parsed = parse(line)
        if isinstance(parsed, str):
            found.append(f"'# {_short(line)}' is no approval: {parsed}")
        elif parsed.comment() not in valid:
            found.append(f"'# {_short(line)}' is no approval: {_why(entry, parsed)}")
    return found


def _short(line: str) -> str:
    """The line with its digest cut to 12 digits: a message a person can read."""
    parsed = parse(line)
    return line if isinstance(parsed, str) else line[: len(line) - DIGEST_LENGTH + _SHORT] + "…"


def _why(entry: polib.POEntry, line: Approval) -> str:
    scope = scope_of(entry)
    if scope is None:
        return "the catalog's place (language, article) is unknown"
    today = dt.datetime.now(dt.UTC).date()
    if line.date > today:
        return f"dated {line.date.isoformat()}, in the future"
    current = entry_digest(entry, scope)
    prior = entry_digest(entry, scope, previous=True) if entry.previous_msgid is not None else None
    if line.digest not in (current, prior):
        return "its digest does not match the text here (changed since, or copied from another entry)"
    if line.digest == prior and (entry.previous_msgctxt, entry.previous_msgid) in scope.live:
        return "its '#| msgid' is another live entry of this catalog (a copied sign-off)"
    if not _reviewed(entry) and line.digest == current:
        return "the entry is not reviewed (fuzzy or untranslated)"
    known = ledger(scope.locales, scope.lang)
    grant = known.grants.get(line.digest)
    if grant is None and line.digest in known.refused_digests:
        rel, why = known.refused_digests[line.digest]
        return f"its manifest {rel} is refused: {why}"
    if grant is None:
        return "no verified manifest in locales/<lang>/signoffs/ covers it (not made by `approve`, or refused)"
    return (
        f"its manifest ({grant.manifest}) was signed by {grant.name} on {grant.date.isoformat()}, not as the line says"
    )


def stale(entry: polib.POEntry) -> list[Approval]:
    """The entry's well-formed sign-off lines whose digest no longer matches its text
    (nor, on a fuzzy entry, its previous source): the source or the translation
    changed since. Needs to know where the entry is (`bind`)."""
    scope = scope_of(entry)
    if scope is None or APPROVED not in (entry.tcomment or "") or entry.obsolete:
        return []
    keep = {entry_digest(entry, scope)}
    if entry.fuzzy and entry.previous_msgid is not None and not entry.msgid_plural:
        keep.add(entry_digest(entry, scope, previous=True))
    found = [parse(line) for line in _lines(entry)]
    return [a for a in found if isinstance(a, Approval) and a.digest not in keep]


def strip_stale(entry: polib.POEntry) -> list[Approval]:
    """Remove the `stale` sign-off lines (mangled, forged and copied lines stay, for
    `check` to report); returns what was removed, for the caller to list."""
    gone = stale(entry)
    if not gone:
        return []
    lines = {a.comment() for a in gone}
    kept = [line for line in (entry.tcomment or "").split("\n") if line.strip() not in lines]
    entry.tcomment = "\n".join(kept).strip("\n")
    return gone


def has_stale(po: polib.POFile) -> bool:
    """Whether any live entry carries a sign-off `strip_stale` would remove."""
    return any(stale(entry) for entry in po if APPROVED in (entry.tcomment or ""))


def sign(entry: polib.POEntry, approval: Approval) -> None:
    """Add the sign-off line of `approval` (its manifest is the caller's), replacing
    any stale one. The caller decides whether it may be signed."""
    strip_stale(entry)
    lines = [line for line in (entry.tcomment or "").split("\n") if line.strip()]
    entry.tcomment = "\n".join([*lines, approval.comment()])
