"""The `Plural-Forms` header of a new catalog, as translators' tools write it.

GNU gettext's `msginit -l LANG` writes the header Poedit and Weblate use too; CLDR
(Babel's `get_plural`) differs for some languages (French: CLDR has three forms,
`one`/`many`/`other`; gettext, Poedit and Weblate two, `plural=(n > 1)`). A catalog
made by the pipeline should be the one a translator's tool would have made, so the
table below is what `msginit` 0.21 wrote for each language
(`msginit -l LANG --no-translator -i x.pot -o -`, re-wrapped on one line); Babel's
CLDR rule only where msginit writes none (Arabic, Persian, Chinese, Hindi, ...:
for Arabic that is CLDR's six forms). A catalog that already has a header keeps it
(`merge.merge` only fills in what is missing).
"""

from __future__ import annotations

from functools import cache

from babel import UnknownLocaleError
from babel.messages.plurals import get_plural

_TWO = "nplurals=2; plural=(n != 1);"
_ONE = "nplurals=1; plural=0;"
_SLAVIC = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
_CZECH = "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"

# msginit 0.21 (GNU gettext-tools), recorded on Debian; tests/test_plurals.py runs
# msginit again for the languages the test matrix covers.
GNU_PLURAL_FORMS = {
    "bg": _TWO,
    "cs": _CZECH,
    "da": _TWO,
    "de": _TWO,
    "el": _TWO,
    "en": _TWO,
    "es": _TWO,
    "et": _TWO,
    "fi": _TWO,
    "fr": "nplurals=2; plural=(n > 1);",
    "ga": "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
    "he": _TWO,
    "hr": _SLAVIC,
    "hu": _TWO,
    "it": _TWO,
    "ja": _ONE,
    "ko": _ONE,
    "lt": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "nb": _TWO,
    "nl": _TWO,
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "pt": _TWO,
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "ro": "nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;",
    "ru": _SLAVIC,
    "sk": _CZECH,
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
    "sr": _SLAVIC,
    "sv": _TWO,
    "tr": _TWO,
    "uk": _SLAVIC,
    "vi": _ONE,
}


@cache
def plural_forms(lang: str) -> str:
    """The `Plural-Forms` value of a new catalog in `lang` (`pt_BR`, then `pt`; CLDR's rule otherwise)."""
    code = lang.replace("-", "_")
    for key in (code, code.split("_", 1)[0]):
        if key in GNU_PLURAL_FORMS:
            return GNU_PLURAL_FORMS[key]
    try:
        return get_plural(code).plural_forms
    except (UnknownLocaleError, ValueError):
        return _TWO


def nplurals(lang: str) -> int:
    """The number of plural forms a new catalog in `lang` has (its `plural_forms`)."""
    return int(plural_forms(lang).split("nplurals=", 1)[1].split(";", 1)[0])


def plural_expression(lang: str) -> str:
    """The C expression of `plural_forms(lang)`, as `gettext.c2py` reads it."""
    return plural_forms(lang).split("plural=", 1)[1].strip().rstrip(";")
