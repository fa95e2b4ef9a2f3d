"""Negation carried over: "Do not take it with alcohol" must not become "take it".

A dropped "not" turns a warning into an instruction, and no check of form sees it.
This module finds the words that negate, from data (`data/negation-<lang>.txt`, one
form a line: a whole word, `x*` a prefix, `*x` a suffix, matched case-insensitively),
and `differs` says whether one text negates and the other does not.

It compares presence, not count: "neither … nor" is one negation in English and
"weder … noch" one in German, while "no … and no" may become one "kein". So it cannot
see a double negation ("not without"), a negation by antonym ("unsafe" for "not
safe", "selten" for "not often"), a verb that negates by its meaning ("stop",
"refrain", "hardly", "rarely"), a negating prefix ("un-", "in-"), a Turkish verb
suffix, or a second negation dropped where another stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class Words:
    """One language's negating words: whole words, prefixes and suffixes."""

    whole: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    # Where in a casefolded text a negating word could be: a form at a word's start
    # (prefixes, whole words) or end (suffixes, whole words), by its first character
    # (`_candidates`). Most sentences have none, and searches in C save a Python step
    # per word.
    candidates: tuple[re.Pattern[str], ...] = ()

    def negates(self, word: str) -> bool:
        """Whether `word` (casefolded) is a negating word."""
        return word in self.whole or word.startswith(self.prefixes) or word.endswith(self.suffixes)


@lru_cache(maxsize=32)
def words(lang: str) -> Words | None:
    """The negating words of `lang` (its base language's list), or None: no list."""
    path = DATA / f"negation-{re.split(r'[-_]', lang)[0].lower()}.txt"
    if not path.is_file():
        return None
    forms = [f.strip().casefold() for f in path.read_text(encoding="utf-8").splitlines()]
    forms = [f for f in forms if f and not f.startswith("#")]
    whole = frozenset(f for f in forms if "*" not in f)
    prefixes = tuple(f[:-1] for f in forms if f.endswith("*"))
    suffixes = tuple(f[1:] for f in forms if f.startswith("*"))
    return Words(whole, prefixes, suffixes, _candidates(whole, prefixes, suffixes))


def _candidates(
    whole: frozenset[str], prefixes: tuple[str, ...], suffixes: tuple[str, ...]
) -> tuple[re.Pattern[str], ...]:
    """`Words.candidates`: where a whole word or a prefix follows a word boundary
    (`\\b`), or a whole word or a suffix precedes one; one pattern per first
    character of a form, opening with it and reading the boundary back over it
    (`n(?<!\\wn)` for `\\bn` before a word character). The engine skips through a
    text to a pattern's first character at C speed; a pattern that opens with `\\b`
    (or a lookahead) is tried at every character of it: two to three times as long."""
    forms: dict[str, dict[str, list[str]]] = {}
    for kind, found in (("whole", whole), ("prefix", prefixes), ("suffix", suffixes)):
        for form in found:
            if form:
                forms.setdefault(form[0], {"whole": [], "prefix": [], "suffix": []})[kind].append(form[1:])
    patterns = []
    for first, rests in sorted(forms.items()):
        c = re.escape(first)
        after = [rf"(?:{_any(rests['whole'])})\b"] if rests["whole"] else []
        after += [f"(?:{_any(rests['prefix'])})"] if rests["prefix"] else []
        # `\b` before `first`: no word character before it, or one if it is none itself
        boundary = rf"(?<!\w{c})" if re.fullmatch(r"\w", first) else rf"(?<=\w{c})"
        branches = [f"{boundary}(?:{'|'.join(after)})"] if after else []
        branches += [rf"(?:{_any(rests['suffix'])})\b"] if rests["suffix"] else []
        patterns.append(re.compile(f"{c}(?:{'|'.join(branches)})"))
    return tuple(patterns)


def _any(forms: Iterable[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))


def spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Where the negating words of `text` are, as (start, end) in order."""
    found = words(lang)
    if found is None:
        return []
    folded = text.casefold()
    if not any(candidate.search(folded) for candidate in found.candidates):
        return []
    return [m.span() for m in _WORD_RE.finditer(text) if found.negates(m.group(0).casefold())]


def differs(source: str, source_lang: str, target: str, target_lang: str) -> str | None:
    """Why the negation of `target` differs from `source`'s, or None (also when
    either language has no word list: nothing is judged then)."""
    if words(source_lang) is None or words(target_lang) is None:
        return None
    mine, theirs = spans(source, source_lang), spans(target, target_lang)
    if bool(mine) == bool(theirs):
        return None
    if mine:
        said = ", ".join(dict.fromkeys(f"'{source[s:e]}'" for s, e in mine))
        return f"the source negates ({said}), the translation does not: a dropped negation reverses the meaning"
    said = ", ".join(dict.fromkeys(f"'{target[s:e]}'" for s, e in theirs))
    return f"the translation negates ({said}), the source does not: an added negation reverses the meaning"
