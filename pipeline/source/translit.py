"""Letters NFKD does not take apart into ASCII, written in ASCII for page addresses.

`article.slugify` lowercases a name, maps these letters, then drops accents. Latin
letters without a decomposition (`ß` → `ss`, `ı` → `i`: Turkish dotless i; Turkish
`İ` lowercases to `i` + a combining dot, which NFKD drops) and Cyrillic, transliterated
as Russian, Ukrainian and Bulgarian URLs usually are (a simplified BGN/PCGN: `ж` → `zh`,
`щ` → `shch`, hard and soft signs dropped), so `лечение-боли.md` publishes at
`lechenie-boli.html`, readable, instead of a hash. Scripts without a common Latin
spelling (Arabic, Hebrew, Chinese, ...) are left out: such a name gets the
`page-<hash>` address (`article._word`), and a translated edition keeps the source's
slug unless its translator writes one (the slug entry).
"""

from __future__ import annotations

LATIN = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian, Belarusian, Serbian and Macedonian letters
    "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip

# For str.translate, after lowercasing.
LETTERS = str.maketrans(LATIN | CYRILLIC)
