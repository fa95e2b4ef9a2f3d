"""A template merged into a language's catalog, the way GNU `msgmerge --previous`
does (`merge`), and whether that would change anything (`up_to_date`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polib
from babel import Locale
from rapidfuzz import fuzz, process

from pipeline.catalog.approval import approval_digest
from pipeline.catalog.model import has_translation
from pipeline.catalog.plurals import nplurals, plural_forms
from pipeline.source.messages import SLUG_CONTEXT

FUZZY_CUTOFF = 60  # percent; msgmerge's threshold is 0.6 on the same similarity measure
# A reviewed translation that a source edit made fuzzy remembers that it was reviewed,
# and of which text (the digest of msgctxt, msgid and msgstr, as a sign-off's), so that
# undoing the edit gives it back its state: `# reviewed before the source changed: D`.
WAS_REVIEWED = "reviewed before the source changed:"


@dataclass
class MergeCounts:
    """What `merge` did, for the command line to print."""

    kept: int = 0
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0
    revived: int = 0
    removed: int = 0
    restored: int = 0  # fuzzy entries whose source edit was undone: reviewed again
    changed: list[str] = field(default_factory=list)


def merge(old: polib.POFile | None, pot: polib.POFile, lang: str, header: str) -> tuple[polib.POFile, MergeCounts]:
    """Merge a template into a language's catalog the way `msgmerge --previous` does.

    * a message whose (msgctxt, msgid) is in the old catalog keeps everything of its
      entry — translation, flags, translator comments and, if still fuzzy, its
      previous msgid — and takes the template's references and extracted comments;
      a `#|` previous msgid is dropped once the entry is no longer fuzzy;
    * an obsolete entry with that exact key is revived as it was (counted `revived`);
    * otherwise the most similar translated entry (live or obsolete, in any context
      but the slug's, similarity >= 60%, the same context preferred) lends its
      translation: the new entry is `fuzzy`, with the translator comments kept and
      the old msgctxt/msgid written as `#|`. (msgmerge takes the old entry's
      *previous* msgid if that entry was fuzzy itself; we do the same when it has
      one, else the old msgid, so a reviewer always sees a diff);
    * entries no template message used become obsolete if they have a translation
      (untranslated ones are dropped, as msgmerge does), keeping their `#|`;
      obsolete entries used for a fuzzy match are dropped, the rest stay.

    One deliberate difference from msgmerge: an undone source edit is undone. When a
    reviewed translation becomes fuzzy, its entry gets the translator comment
    `# reviewed before the source changed: DIGEST`; when the source returns to that
    text (the `#|` msgid equals the msgid again) and the translation is still the one
    reviewed (the digest matches), the entry is reviewed again, and a sign-off it
    carried verifies again. A translation edited meanwhile, a machine draft, or an
    entry a translator marked fuzzy stays fuzzy. The comment goes once a reviewer
    removes `#, fuzzy`.
    """
    counts = MergeCounts()
    po = polib.POFile(wrapwidth=79)
    po.header = old.header if old is not None and old.header.strip() else header
    po.metadata = _metadata(old.metadata if old is not None else {}, pot.metadata, lang)
    po.metadata_is_fuzzy = old.metadata_is_fuzzy if old is not None else False  # msgmerge keeps it
    entries = list(old) if old is not None else []
    live_by_key = {(e.msgctxt, e.msgid): e for e in entries if not e.obsolete}
    dead_by_key = {(e.msgctxt, e.msgid): e for e in entries if e.obsolete}
    candidates = [e for e in entries if has_translation(e)]
    used: set[int] = set()
    for t in pot:
        key = (t.msgctxt, t.msgid)
        entry, source = _merged(t, live_by_key.get(key, dead_by_key.get(key)), candidates, lang, counts)
        if source is not None:
            used.add(id(source))
        po.append(entry)
    for entry in _left_over(entries, used, counts):
        po.append(entry)
    return po, counts


def _merged(
    t: polib.POEntry, same: polib.POEntry | None, candidates: list[polib.POEntry], lang: str, counts: MergeCounts
) -> tuple[polib.POEntry, polib.POEntry | None]:
    """The entry for template message `t`, and the old entry it came from: `same`
    (the old entry with its key), else the best fuzzy match, else none."""
    source = same
    if source is not None:
        entry = _clone(
            source,
            obsolete=0,
            occurrences=list(t.occurrences),
            comment=t.comment,
            msgid_plural=t.msgid_plural,
            flags=_flags(source, t),
        )
        if source.obsolete:
            counts.revived += 1
        else:
            counts.kept += 1
    else:
        source = _best_match(t, candidates)
        entry = _fresh(t, lang)
        if source is not None:
            _take_translation(entry, source)
            counts.fuzzy += 1
            counts.changed.append(t.msgid)
        else:
            counts.new += 1
    if entry.fuzzy and _undone(entry):
        entry.flags.remove("fuzzy")
        counts.restored += 1
    if not entry.fuzzy or not has_translation(entry):
        # msgmerge's last pass: `#|` only on a fuzzy translation (a reviewer who
        # removed `#, fuzzy` has dealt with the change)
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
        entry.tcomment = _without_marker(entry.tcomment)
    return entry, source


def _marker(entry: polib.POEntry) -> str | None:
    """The digest in a `# reviewed before the source changed:` comment, or None."""
    for line in (entry.tcomment or "").split("\n"):
        if line.startswith(WAS_REVIEWED):
            return line.removeprefix(WAS_REVIEWED).strip()
    return None


def _without_marker(tcomment: str | None) -> str:
    lines = (tcomment or "").split("\n")
    return "\n".join(line for line in lines if not line.startswith(WAS_REVIEWED))


def _undone(entry: polib.POEntry) -> bool:
    """Whether a fuzzy entry's source edit was undone and its translation is the
    reviewed one: `#|` equal to the source again, and the marker's digest matching."""
    marker = _marker(entry)
    return (
        marker is not None
        and entry.previous_msgid == entry.msgid
        and entry.previous_msgctxt == entry.msgctxt
        and entry.previous_msgid_plural in (None, entry.msgid_plural)
        and marker == approval_digest(entry)
    )


def _left_over(entries: list[polib.POEntry], used: set[int], counts: MergeCounts) -> list[polib.POEntry]:
    """What no template message used becomes obsolete, in the old file's order, as
    msgmerge does: without references or extracted comments, with its `#|`; an
    entry without a translation is dropped (msgmerge does not write it either)."""
    kept = []
    for entry in entries:
        if id(entry) in used or not has_translation(entry):
            if not entry.obsolete and id(entry) not in used:
                counts.removed += 1
            continue
        if not entry.obsolete:
            counts.obsolete += 1
        kept.append(_clone(entry, obsolete=1, occurrences=[], comment=""))
    return kept


def _fresh(t: polib.POEntry, lang: str) -> polib.POEntry:
    """A new, untranslated entry for template message `t`."""
    entry = polib.POEntry(
        msgid=t.msgid,
        msgctxt=t.msgctxt,
        msgid_plural=t.msgid_plural,
        comment=t.comment,
        occurrences=list(t.occurrences),
        flags=list(t.flags),
        msgstr="",
    )
    if t.msgid_plural:
        entry.msgstr_plural = {i: "" for i in range(nplurals(lang))}
    return entry


# Header fields `merge` fills in when a catalog lacks them.
_REQUIRED_HEADER = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
)


def up_to_date(old: polib.POFile, pot: polib.POFile) -> bool:
    """Whether merging `pot` into `old` would change nothing: the same messages in
    the same order, with the same references and extracted comments, and a complete
    header. The common case of a rerun, decided without building a merged copy."""
    if not old.header.strip() or any(key not in old.metadata for key in _REQUIRED_HEADER):
        return False
    live = [e for e in old if not e.obsolete]
    if len(live) != len(pot):
        return False
    for o, t in zip(live, pot, strict=True):
        if (o.msgctxt, o.msgid, o.msgid_plural) != (t.msgctxt, t.msgid, t.msgid_plural):
            return False
        if [(f, str(n)) for f, n in o.occurrences] != [(f, str(n)) for f, n in t.occurrences]:
            return False
        if " ".join(o.comment.split()) != " ".join(t.comment.split()) or not set(t.flags) <= set(o.flags):
            return False
    return True


def _best_match(entry: polib.POEntry, candidates: list[polib.POEntry]) -> polib.POEntry | None:
    """msgmerge's fuzzy search: the most similar translated entry in any context
    (a translation for one context is a good proposal for another), a tiny
    advantage to the same context or none. The slug is an address, not text: it
    neither lends nor borrows across contexts."""
    slug = entry.msgctxt == SLUG_CONTEXT
    pool = [
        c
        for c in candidates
        if bool(c.msgid_plural) == bool(entry.msgid_plural)
        and (c.msgctxt == entry.msgctxt or (not slug and c.msgctxt != SLUG_CONTEXT))
    ]
    if not pool:
        return None
    found = process.extract(
        entry.msgid, [c.msgid for c in pool], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
    )
    if not found:
        return None

    def weight(match: tuple[str, float, int]) -> tuple[float, int]:
        c = pool[match[2]]
        bonus = 0.001 if c.msgctxt is None or c.msgctxt == entry.msgctxt else 0.0
        return (match[1] + bonus, -match[2])  # ties: the first, as msgmerge

    return pool[max(found, key=weight)[2]]


def _take_translation(entry: polib.POEntry, source: polib.POEntry) -> None:
    entry.msgstr = source.msgstr
    if entry.msgid_plural:
        entry.msgstr_plural = dict(source.msgstr_plural)
    entry.tcomment = source.tcomment
    if not source.fuzzy:  # reviewed: remember which text was, for an undo
        marker = f"{WAS_REVIEWED} {approval_digest(source)}"
        entry.tcomment = "\n".join(line for line in (_without_marker(source.tcomment), marker) if line)
    entry.flags = ["fuzzy", *entry.flags]
    if source.fuzzy and source.previous_msgid is not None:
        entry.previous_msgid, entry.previous_msgctxt = source.previous_msgid, source.previous_msgctxt
    else:
        entry.previous_msgid, entry.previous_msgctxt = source.msgid, source.msgctxt


def _flags(old: polib.POEntry, new: polib.POEntry) -> list[str]:
    """msgmerge's rule: format flags come from the template, `fuzzy` and any other
    flag a translator's tool set stay."""
    kept = [f for f in old.flags if not f.endswith("-format")]
    return kept + [f for f in new.flags if f not in kept]


def _clone(entry: polib.POEntry, **changes: object) -> polib.POEntry:
    fields = {
        "msgid": entry.msgid,
        "msgstr": entry.msgstr,
        "msgid_plural": entry.msgid_plural,
        "msgstr_plural": dict(entry.msgstr_plural),
        "msgctxt": entry.msgctxt,
        "obsolete": entry.obsolete,
        "encoding": entry.encoding,
        "comment": entry.comment,
        "tcomment": entry.tcomment,
        "occurrences": list(entry.occurrences),
        "flags": list(entry.flags),
        "previous_msgctxt": entry.previous_msgctxt,
        "previous_msgid": entry.previous_msgid,
        "previous_msgid_plural": entry.previous_msgid_plural,
    }
    fields.update(changes)
    return polib.POEntry(**fields)


def _metadata(old: dict[str, str], pot: dict[str, str], lang: str) -> dict[str, str]:
    """Keep every header field a translator's tool wrote; add the ones gettext needs."""
    locale = Locale.parse(lang)
    meta = dict(old)
    meta.setdefault("Project-Id-Version", pot.get("Project-Id-Version", "articles"))
    meta.setdefault("Report-Msgid-Bugs-To", "")
    meta.setdefault("PO-Revision-Date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M+0000"))
    meta.setdefault("Last-Translator", "")
    meta.setdefault("Language-Team", locale.english_name or lang)
    meta["Language"] = old.get("Language", lang)
    meta.setdefault("MIME-Version", "1.0")
    meta.setdefault("Content-Type", "text/plain; charset=UTF-8")
    meta.setdefault("Content-Transfer-Encoding", "8bit")
    meta.setdefault("Plural-Forms", plural_forms(lang))
    return meta
