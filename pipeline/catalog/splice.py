"""Drafts into catalogs, and catalogs back to disk without touching anything else.

A catalog may have been saved by Poedit or msgcat, which wrap and order lines
differently from polib. Rewriting the whole file through polib would re-wrap every
reviewed entry; so a save replaces only the blocks of the entries that received a
draft and keeps every other byte of the file as it was read. (Entries in PO files
are separated by blank lines — gettext, Poedit and polib all write them so; a file
where that does not line up with polib's entries is written whole instead.)

Saves are atomic (`files.atomic_write`) and check, just before the rename, that the
file is still the bytes that were read (`expect`). If it changed on disk — a
translator saved it while the run was going — it is read again and this run's
drafts are re-applied to the entries that are still empty, so a human edit is never
overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline.base.files import Changed, atomic_write, fingerprint
from pipeline.catalog.layout import format_entry
from pipeline.catalog.model import PRETRANSLATED
from pipeline.catalog.pofile import WRAP_WIDTH, read_po_seen, serialize

_SEPARATOR_RE = re.compile(r"(\n[ \t]*\n+)")
_KEYWORD_RE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_STRING_RE = re.compile(r'^"(.*)"\s*$')

Key = tuple[bool, str | None, str]  # (obsolete, msgctxt, msgid)
ATTEMPTS = 5  # saves in a row that found a person's newer save: then the one line


@dataclass(frozen=True)
class Draft:
    """What pretranslation writes into an empty entry."""

    msgstr: str
    origin: str  # "libre 2026-11-27", "memory 2026-11-27 (87%)"
    fuzzy: bool = True
    previous_msgid: str | None = None
    previous_msgctxt: str | None = None


def apply(entry: polib.POEntry, draft: Draft) -> None:
    """Write `draft` into `entry`: msgstr, `fuzzy`, the provenance comment, `#|`."""
    entry.msgstr = draft.msgstr
    if draft.fuzzy and "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    elif not draft.fuzzy and "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    lines = [line for line in entry.tcomment.split("\n") if line and not line.strip().startswith(PRETRANSLATED)]
    entry.tcomment = "\n".join([*lines, f"{PRETRANSLATED} {draft.origin}"])
    if draft.previous_msgid is not None:
        entry.previous_msgid = draft.previous_msgid
        entry.previous_msgctxt = draft.previous_msgctxt


@dataclass
class CatalogFile:
    """One catalog being pretranslated: the parsed file, its text, this run's drafts."""

    path: Path
    rel: str
    lang: str
    po: polib.POFile
    text: str
    seen: str  # the fingerprint of the bytes read (`files.fingerprint`)
    blocks: list[str] | None  # the file split at blank lines, separators kept
    where: dict[Key, int]  # entry key → index into `blocks`
    entries: dict[Key, polib.POEntry]
    drafts: dict[Key, Draft] = field(default_factory=dict)
    dirty: set[Key] = field(default_factory=set)
    width: int = WRAP_WIDTH  # the project's po_width

    @classmethod
    def load(cls, path: Path, rel: str, lang: str, width: int = WRAP_WIDTH) -> CatalogFile:
        """Read strictly (`pofile.read_po_text`); raises `PipelineError` with file:line."""
        po, text, seen = read_po_seen(path, rel, lang)
        blocks, where = _align(text, po)
        entries = {key_of(e): e for e in po}
        return cls(path, rel, lang, po, text, seen, blocks, where, entries, width=width)

    def put(self, key: Key, draft: Draft) -> bool:
        """Apply a draft to the entry `key` (saved at the next `save`); False if
        that entry is gone or no longer empty (the file was edited meanwhile)."""
        entry = self.entries.get(key)
        if entry is None or entry.msgstr or entry.msgid_plural:
            return False
        apply(entry, draft)
        self.drafts[key] = draft
        self.dirty.add(key)
        return True

    def save(self) -> bool:
        """Write the drafts applied since the last save; False if there were none.
        A file saved by a person since it was read is read again, the drafts go into
        the entries still empty, and the save is tried again (their edits win)."""
        for _attempt in range(ATTEMPTS - 1):
            if not self.dirty:
                return False
            try:
                return self._write()
            except Changed:
                self._reload()
        return self._write() if self.dirty else False  # a last `Changed` is the one line

    def _write(self) -> bool:
        if self.blocks is not None:
            for key in self.dirty:
                entry = self.entries[key]
                index = self.where[key]
                old = self.blocks[index]
                ending = old[len(old.rstrip("\n")) :]
                self.blocks[index] = format_entry(entry, self.width).rstrip("\n") + ending
            text = "".join(self.blocks)
        else:
            text = serialize(self.po, self.width)
        atomic_write(self.path, text, expect=self.seen)
        self.text, self.seen = text, fingerprint(text.encode("utf-8"))
        self.dirty.clear()
        return True

    def _reload(self) -> None:
        fresh = CatalogFile.load(self.path, self.rel, self.lang, self.width)
        self.po, self.text, self.blocks, self.where = fresh.po, fresh.text, fresh.blocks, fresh.where
        self.seen, self.entries = fresh.seen, fresh.entries
        self.dirty = set()
        for key, draft in self.drafts.items():
            entry = self.entries.get(key)
            if entry is not None and not entry.msgstr and not entry.msgid_plural:
                apply(entry, draft)
                self.dirty.add(key)


def key_of(entry: polib.POEntry) -> Key:
    """How an entry is found again after the file is re-read."""
    return (bool(entry.obsolete), entry.msgctxt, entry.msgid)


def _align(text: str, po: polib.POFile) -> tuple[list[str] | None, dict[Key, int]]:
    """Split `text` into blank-line-separated blocks and map each entry to its block.

    Blocks alternate with their separators (even indexes are blocks); the first is
    the header. Returns (None, {}) when the blocks do not line up with the entries.
    """
    blocks = _SEPARATOR_RE.split(text)
    entries = list(po)
    content = [i for i in range(0, len(blocks), 2) if blocks[i].strip()]
    if len(content) != len(entries) + 1:
        return None, {}
    where: dict[Key, int] = {}
    for index, entry in zip(content[1:], entries, strict=True):
        key = key_of(entry)
        if _block_key(blocks[index]) != key or key in where:
            return None, {}
        where[key] = index
    return blocks, where


def _block_key(block: str) -> Key | None:
    """(obsolete, msgctxt, msgid) of one entry's lines, without a full parse."""
    fields: dict[str, str] = {}
    current = None
    obsolete = False
    for line in block.split("\n"):
        body = line.strip()
        if body.startswith("#~"):
            obsolete, body = True, body[2:].strip()
        elif body.startswith("#"):
            continue
        m = _KEYWORD_RE.match(body)
        if m:
            current = m.group(1)
            fields[current] = m.group(2)
            continue
        m = _STRING_RE.match(body)
        if m and current:
            fields[current] += m.group(1)
        else:
            current = None
    if "msgid" not in fields:
        return None
    ctxt = fields.get("msgctxt")
    return (obsolete, polib.unescape(ctxt) if ctxt is not None else None, polib.unescape(fields["msgid"]))
