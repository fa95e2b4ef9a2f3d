"""The QA warnings on one catalog entry: a person should look (a glossary term not
used, an unchanged text, whitespace, end punctuation, a suspicious length). Each a
small pure function, registered by name after the errors of `checks`.
"""

from __future__ import annotations

import re

from pipeline.config.glossary import Term
from pipeline.markup.inline import prose
from pipeline.review.checks import visible
from pipeline.review.registry import WARNING, Context, register

_END_PUNCTUATION = dict(zip(".!?:…。！？：؟", ".!?:….!?:?", strict=True))
_CLOSERS = " \t\n)]}\"'»«”“’‘›‹*_`>"
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


@register(
    "glossary", WARNING, "a glossary term of the source is translated with its glossary target", context=("terms",)
)
def check_glossary(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    if ctx.keep_source or msgstr == msgid or not ctx.terms:
        return []
    text = prose(msgid, ctx.patterns)
    claimed: list[tuple[int, int]] = []
    problems = []
    for term in ctx.terms:  # longest first: "motor neuron disease" before "motor neuron"
        hits = [m.span() for m in term.pattern.finditer(text)]
        free = [h for h in hits if not any(s <= h[0] and h[1] <= e for s, e in claimed)]
        claimed.extend(hits)
        if free and not term_used(term, msgstr):
            note = f" ({term.note})" if term.note else ""
            kind = "keep" if term.dnt else "use"
            problems.append(f"'{term.source}' → {kind} '{term.target}'{note}")
    return problems


def term_used(term: Term, msgstr: str) -> bool:
    """Whether `msgstr` uses the term's target, allowing inflection and compounds
    (German "Motoneuronen", "Rückenmarksstammzellen")."""
    if term.dnt or term.target == term.source:
        # Names and abbreviations stay as they are ("ALS" is not the German word "als").
        return re.search(rf"(?<!\w){re.escape(term.target)}", msgstr) is not None
    low = msgstr.casefold()
    return all(_stem(word).casefold() in low for word in term.target.split())


def _stem(word: str) -> str:
    if len(word) >= 6:
        for ending in ("en", "er", "es", "em", "e", "n", "s"):
            if word.endswith(ending):
                return word[: -len(ending)]
    return word


@register(
    "untranslated",
    WARNING,
    "the translation equals the source (add '# keep-source' if that is intended)",
    context=("terms",),
)
def check_untranslated(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    if ctx.keep_source or msgstr.strip() != msgid.strip():
        return []
    text = prose(msgid, ctx.patterns)
    for term in ctx.terms:
        if term.dnt or term.target == term.source:
            text = term.pattern.sub(" ", text)
    if not _WORD_RE.search(text):
        return []  # only IDs, numbers, names: nothing to translate
    return [
        f"the translation equals the source; translate it, or add '# keep-source' to keep it in '{ctx.source_lang}'"
    ]


@register("whitespace", WARNING, "leading and trailing whitespace as in the source")
def check_whitespace(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    problems = []
    for where, a, b in (("starts", msgid[:1], msgstr[:1]), ("ends", msgid[-1:], msgstr[-1:])):
        if a.isspace() != b.isspace():
            who = "translation" if b.isspace() else "source"
            problems.append(f"the {who} {where} with whitespace, the other does not")
    return problems


@register("punctuation", WARNING, "the same end punctuation (. ! ? : …) as the source")
def check_punctuation(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _end(msgid, ctx), _end(msgstr, ctx)
    if a == b:
        return []
    return [f"the source ends with {_name(a)}, the translation with {_name(b)}"]


def _end(text: str, ctx: Context) -> str:
    text = prose(visible(text), ctx.patterns).rstrip(_CLOSERS)
    if text.endswith("..."):
        return "…"
    return _END_PUNCTUATION.get(text[-1:], "")


def _name(mark: str) -> str:
    return f"'{mark}'" if mark else "no end punctuation"


@register("length", WARNING, "the translation's length is within the expected ratio of the source's (length_ratio)")
def check_length(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a = len(" ".join(prose(visible(msgid), ctx.patterns).split()))
    b = len(" ".join(prose(visible(msgstr), ctx.patterns).split()))
    if a < ctx.length_min or not b:
        return []
    low, high = ctx.length_ratio
    ratio = b / a
    if low <= ratio <= high:
        return []
    return [f"the translation is {ratio:.1f}× as long as the source (expected {low}–{high}×): missing or added text?"]
