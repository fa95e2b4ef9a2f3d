"""The catalog side of an exchange: which catalogs, which entries, their ids and states.

A unit's id is a hash of its msgctxt and msgid — gettext's own key — so it does not
move when a paragraph moves, and a delivery finds its entry again only while the
source text is the same (an edited paragraph has a new id: the old unit is stale).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline.base.errors import PipelineError, UsageError
from pipeline.base.files import Changed, on_disk
from pipeline.catalog.model import REVIEWED_STATES, state
from pipeline.catalog.pofile import read_po_seen, write_po
from pipeline.catalog.project import CatalogRef, catalog_refs
from pipeline.config.load import Config

# XLIFF 1.2 states and qualifiers for our entry states (catalog.state).
_STATES = {
    "untranslated": ("needs-translation", None),
    "machine": ("needs-review-translation", "mt-suggestion"),
    "memory": ("needs-review-translation", "tm-suggestion"),
    "fuzzy": ("needs-review-translation", None),
    "reviewed": ("translated", None),
    "approved": ("signed-off", None),  # a valid `# approved:` sign-off (pipeline.catalog.approval)
}
# XLIFF states of a unit a reviewer has passed (catalog.REVIEWED_STATES are ours).
XLIFF_REVIEWED = {"translated", "signed-off", "final"}


@dataclass
class Catalog:
    """One catalog of the exchange, as read."""

    ref: CatalogRef
    rel: str
    po: polib.POFile
    seen: str | None = None  # the fingerprint of the bytes read (`files.fingerprint`)

    def units(self) -> list[polib.POEntry]:
        """The entries exchanged: live, singular, with a source text."""
        return [e for e in self.po if not e.obsolete and e.msgid and not e.msgid_plural]

    def by_id(self) -> dict[str, polib.POEntry]:
        return {unit_id(e): e for e in self.units()}


def unit_id(entry: polib.POEntry) -> str:
    """Stable id from (msgctxt, msgid), gettext's key; \\x04 is its separator."""
    key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def is_reviewed(entry: polib.POEntry) -> bool:
    """Translated and not fuzzy: reviewed, or reviewed and signed off."""
    return state(entry) in REVIEWED_STATES


def exchange_state(entry: polib.POEntry) -> tuple[str, str | None]:
    """(XLIFF state, state-qualifier) of an entry."""
    ours = state(entry)
    found, qualifier = _STATES[ours]
    if ours == "fuzzy" and entry.previous_msgid is not None:
        qualifier = "fuzzy-match"
    return found, qualifier


def select(config: Config, lang: str, articles: Sequence[str] = ()) -> list[CatalogRef]:
    """The catalogs of `lang` (the page chrome's and every article's), or only the
    named articles' (`als-stem-cell-therapy` or `source/als-stem-cell-therapy.md`)."""
    refs, errors = catalog_refs(config, [lang])
    if errors:
        raise errors[0]
    if not articles:
        return refs
    by_name = {r.name: r for r in refs}
    chosen = []
    for arg in articles:
        name = arg.removeprefix("./").removeprefix(f"{config.rel(config.source_dir)}/").removesuffix(".md")
        if name not in by_name:
            raise UsageError(f"no article '{arg}' with a catalog in '{lang}'")
        chosen.append(by_name[name])
    return list(dict.fromkeys(chosen))


def load(config: Config, refs: Iterable[CatalogRef]) -> list[Catalog]:
    """Read every catalog strictly; a missing one is an error naming the way on."""
    out = []
    for ref in refs:
        rel = config.rel(ref.path)
        if not ref.path.exists():
            raise PipelineError(f"no catalog yet; run `python -m pipeline update --lang {ref.lang}` first", rel)
        po, _text, seen = read_po_seen(ref.path, rel, ref.lang)
        out.append(Catalog(ref, rel, po, seen))
    return out


def save(path: Path, po: polib.POFile, old: polib.POFile | None, expect: str | None = None) -> bool:
    """Write through the project's catalog writer: atomically, not at all when the
    entries did not change, and never over a save made since the read (`expect`:
    `files.Changed`)."""
    return write_po(po, path, old, expect=expect)


def check_unchanged(files: Iterable[tuple[Path, str, str | None]]) -> None:
    """Stop (`files.Changed`) if any of `files` — (path, rel, fingerprint read) — was
    saved since it was read: an import is a decision on the files as they were, so
    it writes nothing rather than part of it over a person's save."""
    for path, rel, seen in files:
        if seen is not None and on_disk(path) != seen:
            raise Changed(rel)
