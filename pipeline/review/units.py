"""Units travel with their numbers: `5 mg` = `5 Milligramm` = `٥ ملغ`, `5 mg` ≠ `5 µg`.

The numbers check compares values; a thousandfold dose change (`5 mg` → `5 µg`) keeps
the value. This module reads the unit written after each number (and a `%` written
before it, as Turkish does) by meaning, from data: `data/units-intl.csv` (symbols
every language writes) and `data/units-<lang>.csv` (each language's words), rows
`kind,unit,form`. A `unit` row names what a number counts (`mg`); a `per` row a
denominator after it (`/kg`, `pro Tag`). Forms match case-insensitively, longest
first, never inside a word.

What is compared, per value: the units both texts give it. A unit the translation
changed (`mg` → `µg`, `ml` → `l`, `mg/kg` → `mg`) is a finding. A body-weight or
area denominator (`/kg`, `/m²`) must be carried over; a time denominator (`per day`)
is compared only where both texts write one, since "täglich" often moves away from
the number. A number whose unit this table does not know (`5 Tabletten`) has none:
it is not compared, so a unit dropped or written in an unknown word is not seen.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pipeline.review.numbers import located

DATA = Path(__file__).resolve().parent / "data"
# Denominators whose absence changes a dose by a patient's weight or body surface.
_REQUIRED_PER = frozenset({"kg", "m²"})


@dataclass(frozen=True)
class Unit:
    """A unit by meaning: what is counted, and per what (or None)."""

    base: str
    per: str | None = None

    def __str__(self) -> str:
        return self.base + (f"/{self.per}" if self.per else "")


@dataclass(frozen=True)
class Table:
    """One language's unit forms, as two patterns (unit, then denominator)."""

    units: dict[str, str]  # casefolded form → unit
    pers: dict[str, str]
    unit_re: re.Pattern[str] | None
    per_re: re.Pattern[str] | None


def _rows(path: Path) -> list[tuple[str, str, str]]:
    if not path.is_file():
        return []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [(r["kind"], r["unit"], r["form"]) for r in csv.DictReader(lines) if r.get("form")]


def _pattern(forms: dict[str, str], lead: str) -> re.Pattern[str] | None:
    if not forms:
        return None
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    # Not inside a word: "g" is no unit in "5 gestures".
    return re.compile(rf"{lead}({alternatives})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=32)
def table(lang: str) -> Table:
    """The unit forms of `lang` (its base language's file: `pt-BR` reads `units-pt.csv`)."""
    base = re.split(r"[-_]", lang)[0].lower()
    units: dict[str, str] = {}
    pers: dict[str, str] = {}
    for kind, unit, form in _rows(DATA / "units-intl.csv") + _rows(DATA / f"units-{base}.csv"):
        (units if kind == "unit" else pers)[form.casefold()] = unit
    return Table(units, pers, _pattern(units, r"[ \u00a0\u202f\u2009]?"), _pattern(pers, r"\s*"))


def units(text: str, lang: str) -> list[tuple[Decimal, Unit | None]]:
    """Each number of `text` (prose) with the unit written with it, or None."""
    tab = table(lang)
    found = []
    for start, end, number in located(text, lang):
        unit = _after(text, end, tab)
        if unit is None and start > 0 and text[start - 1] in "%٪":
            unit = Unit("%")  # Turkish: %5
        elif unit is None and start > 1 and text[start - 2] in "%٪" and text[start - 1] == " ":
            unit = Unit("%")
        found.append((number.value, unit))
    return found


def _after(text: str, end: int, tab: Table) -> Unit | None:
    if tab.unit_re is None:
        return None
    # A unit glued to the digits ("5mg") is part of the number's token: back up to it.
    at = end
    while at > 0 and text[at - 1].isalpha():
        at -= 1
    m = tab.unit_re.match(text, at)
    if m is None or (at < end and m.end() < end):
        return None
    base = tab.units[m.group(1).casefold()]
    per = tab.per_re.match(text, m.end()) if tab.per_re is not None else None
    return Unit(base, tab.pers[per.group(1).casefold()] if per else None)


def changed(source: str, source_lang: str, target: str, target_lang: str) -> list[str]:
    """One message per number whose unit the translation changed."""
    a, b = units(source, source_lang), units(target, target_lang)
    if not any(u for _v, u in a):
        return []
    problems = []
    for value in dict.fromkeys(v for v, u in a if u is not None):
        mine = Counter(u for v, u in a if v == value and u is not None)
        theirs = Counter(u for v, u in b if v == value and u is not None)
        for unit in mine:
            if unit in theirs or not theirs:
                continue  # the same unit, or none known on that side: nothing to compare
            other = next((t for t in theirs if _same(unit, t)), None)
            if other is not None:
                continue
            written = ", ".join(sorted(f"{_plain(value)} {t}" for t in theirs))
            problems.append(f"'{_plain(value)} {unit}' became {written}")
    return problems


def _same(a: Unit, b: Unit) -> bool:
    """The same unit, but for a time denominator only one of them writes."""
    if a.base != b.base:
        return False
    if a.per == b.per:
        return True
    return not ({a.per, b.per} & _REQUIRED_PER) and (a.per is None or b.per is None)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
