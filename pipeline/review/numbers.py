"""Numbers as a reader of a language reads them, so a check can compare values.

`100,000` in English and `100.000` in German are the same number; `1.6` and `1,6`
too. But `100,000` left unchanged in a German text reads as *one hundred* — a real
error in a medical text, which a string comparison (pofilter) cannot see and a
value comparison can. The decimal and group separators come from Babel's CLDR data
for each language; narrow no-break space, no-break space and thin space are accepted
as grouping everywhere (German typography allows `100 000`).

Reading rules for one token (digits joined by separators), in this order:

1. one kind of grouping separator, every group after the first of three digits,
   the first of one to three: an integer (`100,000` en, `100.000` de);
2. the locale's decimal separator last, optionally after valid grouping: a decimal
   (`1.6` en, `1,6` de, `1,000.5` en);
3. a single `.` or `,` that cannot be grouping here: a decimal written the other
   language's way (`1.6` in German text still means 1.6);
4. anything else (dates, versions, lists `1,2,3`): each digit run on its own.

Digits of every script count: Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹)
digits read as 0–9, the Arabic decimal separator ٫ as the language's decimal
separator and the Arabic group separator ٬ as its grouping (`script_digits`), so
`١٬٠٠٠٫٥` in an Arabic text is 1000.5.

Scientific notation (`1x10^8`, `1 × 10⁸`, `1e8`) is one value. Signs are ignored
(`2-5` is a range, not minus five). Ordinals and units glued to digits (`1st`,
`5mg`) count as the number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

_SPACES = "\u00a0\u202f\u2009"  # no-break, narrow no-break, thin space
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# A number not glued to a word, a point or a comma before it. Written to open with
# its first digit (consumed, then the lookbehind with it), not with the lookbehind:
# the engine then skips ahead to the digits itself, instead of trying the pattern
# at every character of a paragraph (half the time of a lookahead `(?=\d)` in front).
_FIRST_DIGIT = r"\d(?<![\w.,]\d)"
_MANTISSA = rf"{_FIRST_DIGIT}\d*(?:[.,]\d+)?"  # \d+(?:[.,]\d+)?
_SCIENTIFIC_RE = re.compile(
    rf"({_MANTISSA})"
    r"(?:\s*[x×·*]\s*10\s*(?:\^|\*\*)\s*([-+−]?\d+)"  # 1x10^8, 1 × 10^-3, 2*10**5
    r"|\s*[x×·]\s*10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"  # 1 × 10⁸
    r"|[eE]([-+−]?\d+))"  # 1e8
    r"(?!\w)"
)
_RUN_RE = re.compile(r"\d+")
_SUFFIX_RE = re.compile(r"[^\W\d_]+$")  # letters glued to a number: `5mg`


@dataclass(frozen=True)
class Number:
    """A number as written (`100.000`) and its value (100000)."""

    text: str
    value: Decimal


@dataclass(frozen=True)
class Symbols:
    """How one language writes numbers."""

    decimal: str
    groups: frozenset[str]
    token: re.Pattern[str]


@lru_cache(maxsize=64)
def symbols(lang: str) -> Symbols:
    """Decimal and grouping separators of `lang` (English's for an unknown code)."""
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    spaces = _SPACES
    if group.isspace():
        spaces += " "  # where grouping is a space, people type a plain one
    groups = frozenset(spaces) | ({group} if group.strip() else set())
    plain = "".join(sorted({".", ",", decimal} | ({group} if group.strip() else set())))
    # A space separator only counts before exactly three digits ("100 000"), so
    # "between 50 and 70" and "2 100-mg doses" are not glued together.
    sep = rf"(?:[{re.escape(plain)}]|[{re.escape(spaces)}](?=\d{{3}}(?!\d)))"
    token = re.compile(rf"{_FIRST_DIGIT}\d*(?:{sep}\d+)*(?:[^\W\d_]*)(?!\w)")
    return Symbols(decimal, groups, token)


def parse(token: str, lang: str) -> list[Decimal]:
    """The value(s) of one token in `lang` (see the module docstring)."""
    if token.isdecimal():  # most numbers: one run of digits (`isdigit` would take "²")
        return [Decimal(int(token))]
    sym = symbols(lang)
    core = _SUFFIX_RE.sub("", token)
    runs = _RUN_RE.findall(core)
    seps = _RUN_RE.split(core)[1:-1]
    if len(runs) == 1:
        return [Decimal(int(runs[0]))]
    if _grouped(runs, seps, sym):
        return [Decimal(int("".join(runs)))]
    if seps[-1] == sym.decimal and (len(runs) == 2 or _grouped(runs[:-1], seps[:-1], sym)):
        return [Decimal(f"{''.join(runs[:-1])}.{runs[-1]}")]
    if len(runs) == 2 and seps[0] in ".," and not (seps[0] in sym.groups and len(runs[1]) == 3):
        return [Decimal(f"{runs[0]}.{runs[1]}")]
    return [Decimal(int(r)) for r in runs]


# Arabic-Indic and Extended Arabic-Indic digits, one character for one: positions stay.
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_ARABIC_DECIMAL, _ARABIC_GROUP = 0x066B, 0x066C


@lru_cache(maxsize=64)
def _script_table(lang: str) -> dict[int, str]:
    sym = symbols(lang)
    group = next((g for g in sorted(sym.groups) if not g.isspace()), "\u202f")
    return _DIGITS | {_ARABIC_DECIMAL: sym.decimal, _ARABIC_GROUP: group}


def script_digits(text: str, lang: str) -> str:
    """`text` with digits of other scripts as ASCII digits and the Arabic separators
    as `lang`'s own (same length: positions in it are positions in `text`)."""
    if text.isascii():
        return text
    return text.translate(_script_table(lang))


def _has_digit(text: str) -> bool:
    # Ten substring searches in C beat one `\d` scan, which asks Unicode of each character.
    return any(d in text for d in "0123456789") if text.isascii() else _RUN_RE.search(text) is not None


def numbers(text: str, lang: str) -> list[Number]:
    """Every number in `text` (prose: blank out code and URLs first), in order."""
    return [n for _start, _end, n in located(text, lang)]


@lru_cache(maxsize=4096)  # the numbers and the units checks both ask, for each text
def located(text: str, lang: str) -> tuple[tuple[int, int, Number], ...]:
    """Every number in `text` with where it is (start, end), in order; `Number.text`
    is as written (in its own script)."""
    if not _has_digit(text):  # every number has a digit; most sentences none
        return ()
    written, text = text, script_digits(text, lang)
    found: list[tuple[int, int, Number]] = []
    rest = text
    for m in _SCIENTIFIC_RE.finditer(text):
        value = _scientific(m, lang)
        if value is not None:
            found.append((m.start(), m.end(), Number(written[m.start() : m.end()], value)))
            rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    for m in symbols(lang).token.finditer(rest):
        shown = written[m.start() : m.end()]
        found.extend((m.start(), m.end(), Number(shown, v)) for v in parse(m.group(0), lang))
    return tuple(sorted(found, key=lambda x: x[0]))


def compare(source: str, source_lang: str, target: str, target_lang: str) -> tuple[list[Number], list[Number]]:
    """Numbers of `source` whose value is missing from `target`, and numbers of
    `target` the source does not have (order does not matter: word order differs)."""
    a, b = numbers(source, source_lang), numbers(target, target_lang)
    if not a and not b:
        return [], []
    in_a, in_b = Counter(n.value for n in a), Counter(n.value for n in b)
    if dict.__eq__(in_a, in_b):
        return [], []
    return _pick(a, in_a - in_b), _pick(b, in_b - in_a)


def foreign_format(token: str, lang: str) -> str | None:
    """Why `token` looks written in another language's number format, or None.

    For the source linter: `100.000` in English text is most likely a German
    thousands separator (a hundred thousand), which English writes `100,000`.
    """
    sym = symbols(lang)
    core = _SUFFIX_RE.sub("", token)
    runs = _RUN_RE.findall(core)
    seps = _RUN_RE.split(core)[1:-1]
    if not seps or any(s.isspace() for s in seps):
        return None
    decimal = sym.decimal
    group = next((g for g in sym.groups if not g.isspace()), None)
    three = all(len(r) == 3 for r in runs[1:]) and 1 <= len(runs[0]) <= 3
    whole = _format(Decimal(int("".join(runs))), lang)
    if seps.count(decimal) >= 2 and len(set(seps)) == 1 and three:
        return f"'{token}' groups thousands with '{decimal}', the decimal separator in '{lang}'; write {whole}"
    if decimal in seps and group in seps and seps.index(decimal) < len(seps) - 1 and seps[-1] == group:
        value = _format(Decimal(f"{''.join(runs[:-1])}.{runs[-1]}"), lang)
        return f"'{token}' has another language's decimal and thousands separators; in '{lang}' write {value}"
    if len(seps) == 1 and seps[0] == decimal and three and runs[0] != "0":
        return (
            f"'{token}' looks like a thousands separator written another language's way; "
            f"in '{lang}' write {whole} (keep '{token}' only if it is a decimal)"
        )
    if len(seps) == 1 and seps[0] == group and len(runs[1]) != 3:
        value = _format(Decimal(f"{runs[0]}.{runs[1]}"), lang)
        return f"'{token}' looks like a decimal written another language's way; in '{lang}' write {value}"
    return None


def _format(value: Decimal, lang: str) -> str:
    try:
        return format_decimal(value, locale=lang, decimal_quantization=False)
    except (UnknownLocaleError, ValueError):
        return str(value)


def _grouped(runs: list[str], seps: list[str], sym: Symbols) -> bool:
    return (
        len(set(seps)) == 1 and seps[0] in sym.groups and 1 <= len(runs[0]) <= 3 and all(len(r) == 3 for r in runs[1:])
    )


def _scientific(m: re.Match[str], lang: str) -> Decimal | None:
    mantissa = parse(m.group(1), lang)
    if len(mantissa) != 1:
        return None
    exponent = (m.group(2) or m.group(3) or m.group(4)).translate(_SUPERSCRIPTS).replace("−", "-")
    try:
        return mantissa[0].scaleb(int(exponent))
    except (InvalidOperation, ValueError):
        return None


def _pick(found: list[Number], wanted: Counter[Decimal]) -> list[Number]:
    """The numbers of `found` whose values are in `wanted`, as many as wanted."""
    left = Counter(wanted)
    picked = []
    for n in found:
        if left[n.value] > 0:
            left[n.value] -= 1
            picked.append(n)
    return picked
