"""Translation memory: reviewed translations of a language, reused before any engine.

The memory is every reviewed entry (translated, not fuzzy; live or obsolete) of
every catalog of one language. An exact match — same msgid and msgctxt — is what a
CAT tool calls a 100% context match. A near match (similarity >= the configured
threshold, rapidfuzz's `ratio`, the measure msgmerge's fuzzy matching uses) is a
draft whose reviewer sees the matched source as `#| msgid`.

A near match's translation carries the *matched* entry's links, code and trial IDs.
Those are adapted: where the two sources differ only in protected spans of the
same kinds in the same order (the table rows of trials: another NCT ID, another
URL), each differing span is replaced in the translation; if that cannot be done
unambiguously, the match is not used and the entry goes to the engine. A memory
draft therefore never carries another entry's trial ID.

An agency's memory imported from TMX (`python -m pipeline import FILE.tmx`) is
kept as a catalog, `locales/<lang>/memory.po` (`imported_path`): the clinic paid
for it, so it is committed with the catalogs, reviewable in a diff and editable in
Poedit. Its reviewed entries (imported with `--reviewed`, or un-fuzzied by the
clinic's reviewer) are offered exactly like the catalogs'. Its fuzzy entries — an
agency's work nobody at the clinic has reviewed — are offered too, but only ever
as drafts (`Match.reviewed` False): an exact match from them is a fuzzy memory
draft, never a reviewed translation (the same rule as an XLIFF imported without
`--reviewed`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polib
from rapidfuzz import fuzz, process

from pipeline.catalog.model import REVIEWED_STATES, state
from pipeline.markup.spans import protected_spans

IMPORTED_MEMORY = "memory.po"


def imported_path(locales_dir: Path, lang: str) -> Path:
    """Where the translation memory imported from TMX for `lang` lives."""
    return locales_dir / lang / IMPORTED_MEMORY


@dataclass(frozen=True)
class Match:
    """A translation the memory offers for one entry."""

    msgstr: str
    score: int  # 100 for an exact match
    msgid: str  # the matched entry's source
    msgctxt: str | None
    exact: bool
    conflict: bool = False  # an exact match with more than one reviewed translation
    reviewed: bool = True  # False: from an agency's memory nobody reviewed (a draft, whatever the score)


class Memory:
    """Reviewed entries of one language, looked up by (msgctxt, msgid) or similarity."""

    def __init__(
        self,
        entries: Iterable[polib.POEntry],
        threshold: int,
        patterns: Sequence[str],
        drafts: Iterable[polib.POEntry] = (),
    ) -> None:
        """`entries`: the catalogs' (their reviewed ones are used); `drafts`: the
        unreviewed translations of an agency's memory, offered as drafts only."""
        self.threshold = threshold
        self.patterns = tuple(patterns)
        self._exact: dict[tuple[str | None, str], Counter[str]] = defaultdict(Counter)
        self._drafts: dict[tuple[str | None, str], str] = {}
        by_msgid: dict[str, Counter[tuple[str | None, str]]] = defaultdict(Counter)
        for entry in entries:
            if not reviewed(entry):
                continue
            self._exact[(entry.msgctxt, entry.msgid)][entry.msgstr] += 1
            by_msgid[entry.msgid][(entry.msgctxt, entry.msgstr)] += 1
        for entry in drafts:
            if entry.msgstr and entry.msgid and not entry.msgid_plural and not entry.obsolete:
                self._drafts.setdefault((entry.msgctxt, entry.msgid), entry.msgstr)
                if entry.msgid not in by_msgid:  # a reviewed translation of the same text is preferred
                    by_msgid[entry.msgid][(entry.msgctxt, entry.msgstr)] += 1
        # One candidate per source text: its most frequent reviewed translation.
        self._near = [(msgid, *counts.most_common(1)[0][0]) for msgid, counts in by_msgid.items()]
        self._choices = [msgid for msgid, _, _ in self._near]

    def __len__(self) -> int:
        return len(self._exact)

    def lookup(self, msgid: str, msgctxt: str | None) -> Match | None:
        """The best reviewed translation for an entry, or None."""
        found = self._exact.get((msgctxt, msgid))
        if found:
            (msgstr, _), *others = found.most_common()
            return Match(msgstr, 100, msgid, msgctxt, exact=True, conflict=bool(others))
        draft = self._drafts.get((msgctxt, msgid))
        if draft is not None:
            return Match(draft, 100, msgid, msgctxt, exact=True, reviewed=False)
        if self.threshold > 100 or not self._choices:
            return None
        best = process.extractOne(msgid, self._choices, scorer=fuzz.ratio, score_cutoff=self.threshold)
        if best is None:
            return None
        source, ctxt, msgstr = self._near[best[2]]
        adapted = adapt(msgstr, source, msgid, self.patterns)
        if adapted is None:
            return None
        # rapidfuzz may round 99.6 up; only an identical text is 100%.
        score = min(int(best[1]), 99)
        return Match(adapted, score, source, ctxt, exact=False)


def adapt(translation: str, old_source: str, new_source: str, patterns: Sequence[str]) -> str | None:
    """`translation` (of `old_source`) with the protected spans that differ in
    `new_source` replaced, or None when that cannot be done unambiguously."""
    old = protected_spans(old_source, patterns)
    new = protected_spans(new_source, patterns)
    if Counter((s.kind, s.text) for s in old) == Counter((s.kind, s.text) for s in new):
        return translation
    if [s.kind for s in old] != [s.kind for s in new]:
        return None
    mapping: dict[tuple[str, str], str] = {}
    for a, b in zip(old, new, strict=True):
        if mapping.setdefault((a.kind, a.text), b.text) != b.text:
            return None  # one old span would have to become two different ones
    spans = protected_spans(translation, patterns)
    have = Counter((s.kind, s.text) for s in spans)
    need = Counter((s.kind, s.text) for s in old)
    if any(have[key] != count for key, count in need.items() if mapping[key] != key[1]):
        return None  # the translator changed or dropped a span we would have to replace
    out, at = [], 0
    for span in spans:
        out.append(translation[at : span.start])
        out.append(mapping.get((span.kind, span.text), span.text))
        at = span.end
    out.append(translation[at:])
    result = "".join(out)
    expected = Counter({(s.kind, mapping.get((s.kind, s.text), s.text)): 1 for s in spans})
    got = Counter({(s.kind, s.text): 1 for s in protected_spans(result, patterns)})
    return result if got == expected else None


def reviewed(entry: polib.POEntry) -> bool:
    """Whether `entry` belongs in the memory: a reviewed translation (live or obsolete)."""
    if entry.msgid_plural or not entry.msgid:
        return False
    if entry.obsolete:
        return bool(entry.msgstr) and not entry.fuzzy
    return state(entry) in REVIEWED_STATES
