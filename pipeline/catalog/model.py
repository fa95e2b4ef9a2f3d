"""The catalog model: polib's `POFile`/`POEntry`, and what our pipeline means by them.

One model everywhere: polib reads and writes the translator-facing files correctly
(multi-line `#| msgid`, unknown flags kept) where Babel's PO reader does not. Babel
serves for locale data (plural forms, language names, dates) and template
extraction. File I/O lives in `pofile`, the merge of a template into a catalog
(GNU msgmerge's semantics) in `merge`; this module holds pure functions: building a
template from segments, and the state of an entry.

Translator intentions live in translator comments (`# keep-source`,
`# no-check: numbers`, `# pretranslated: libre 2026-11-27`), never in custom flags:
GNU msgcat, and so Poedit, drops flags it does not know but keeps comments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import polib

from pipeline.catalog.approval import is_approved
from pipeline.markup.inline import words
from pipeline.markup.spans import DEFAULT_PATTERNS
from pipeline.source.messages import SLUG_CONTEXT, Message

KEEP_SOURCE = "keep-source"
PRETRANSLATED = "pretranslated:"


def template(messages: Iterable[Message], project: str, header: str) -> polib.POFile:
    """A `.pot` from extracted messages; equal (msgctxt, msgid) pairs become one entry
    with all their locations and comments."""
    pot = polib.POFile(wrapwidth=79)
    pot.header = header
    pot.metadata = {
        "Project-Id-Version": project,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    by_key: dict[tuple[str | None, str], polib.POEntry] = {}
    for message in messages:
        key = (message.msgctxt, message.msgid)
        entry = by_key.get(key)
        if entry is None:
            entry = polib.POEntry(msgid=message.msgid, msgctxt=message.msgctxt, msgstr="", flags=list(message.flags))
            by_key[key] = entry
            pot.append(entry)
        for comment in message.comments:
            lines = entry.comment.split("\n") if entry.comment else []
            if comment not in lines:
                entry.comment = "\n".join([*lines, comment])
        for occurrence in message.occurrences:
            if occurrence not in entry.occurrences:
                entry.occurrences.append(occurrence)
    return pot


def content_digest(po: polib.POFile) -> str:
    """A hash of everything a template's file says (header and entries)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((po.header, sorted(po.metadata.items()))).encode("utf-8"))
    for e in po:
        h.update(repr((e.msgctxt, e.msgid, e.msgid_plural, e.comment, e.occurrences, e.flags)).encode("utf-8"))
    return h.hexdigest()


# The states of a translated, not fuzzy entry: reviewed, and above it approved (a
# second person's valid sign-off, `pipeline.catalog.approval`).
REVIEWED_STATES = ("reviewed", "approved")


def state(entry: polib.POEntry) -> str:
    """`approved` (reviewed, with a valid sign-off), `reviewed`, `machine`, `memory`,
    `fuzzy` (an earlier translation of changed source, or marked for review by a
    translator) or `untranslated`. "Reviewed or better" is `in REVIEWED_STATES`."""
    if not has_translation(entry):
        return "untranslated"
    if not entry.fuzzy:
        return "approved" if is_approved(entry) else "reviewed"
    origin = provenance(entry)
    if origin is None:
        return "fuzzy"
    return "memory" if origin.split()[0] == "memory" else "machine"


# Every state, in the order `stats` shows them.
STATES = ("approved", "reviewed", "fuzzy", "machine", "memory", "untranslated")


def tally(
    po: polib.POFile, untranslated: bool = False, patterns: Sequence[str] = DEFAULT_PATTERNS
) -> tuple[dict[str, int], dict[str, int]]:
    """The live entries of `po` by state, and their source words by state (all as
    untranslated if `untranslated`); words are prose words (`words`, with the
    protected `patterns`)."""
    entries, source_words = dict.fromkeys(STATES, 0), dict.fromkeys(STATES, 0)
    for entry in po:
        if entry.obsolete:
            continue
        kind = "untranslated" if untranslated else state(entry)
        entries[kind] += 1
        # The slug is an address, not text anyone reads: it has no weight in the share.
        source_words[kind] += 0 if entry.msgctxt == SLUG_CONTEXT else words(entry.msgid, patterns)
    return entries, source_words


def share(source_words: dict[str, int], states: Iterable[str]) -> float:
    """The percentage of the words (by state, as `tally` counts them) that are in
    `states`, to one decimal; 100 when there are no words."""
    total = sum(source_words.values())
    return 100.0 if total == 0 else round(100.0 * sum(source_words[s] for s in states) / total, 1)


def directives(entry: polib.POEntry) -> list[str]:
    """The translator comment lines, stripped (`keep-source`, `no-check: numbers`, ...)."""
    return [line.strip() for line in entry.tcomment.split("\n") if line.strip()]


def keeps_source(entry: polib.POEntry) -> bool:
    """A translator chose to keep this text in the source language."""
    return KEEP_SOURCE in directives(entry)


def provenance(entry: polib.POEntry) -> str | None:
    """`libre 2026-11-27` for `# pretranslated: libre 2026-11-27`, else None."""
    for line in directives(entry):
        if line.startswith(PRETRANSLATED):
            return line[len(PRETRANSLATED) :].strip()
    return None


def has_translation(entry: polib.POEntry) -> bool:
    """Whether the entry has a translation or draft (any non-empty form)."""
    if entry.msgid_plural:
        return any(v for v in entry.msgstr_plural.values())
    return bool(entry.msgstr)
