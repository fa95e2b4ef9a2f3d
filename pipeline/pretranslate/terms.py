"""The glossary in pretranslation: what is kept, what is preferred, what was ignored.

Engines reached through deep-translator take no glossary, so the glossary is
applied around them: do-not-translate terms (and terms whose target equals the
source) become tokens (`markup.tokens`); preferred terms are written over their source
words before the text is sent, so the engine inflects them in context instead of
choosing its own word; afterwards each such term is looked for in the output and
reported where the engine replaced it. German inflects ("Amyotrophe" →
"Amyotropher"), so a term counts as kept when every word of it appears with at
most its last two letters changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.config.glossary import Glossary, Term


@dataclass(frozen=True)
class Terms:
    """The glossary seen from one language pair."""

    keep: tuple[Term, ...]  # become tokens
    prefer: tuple[Term, ...]  # written into the text (mode "apply") and checked


def terms_for(glossary: Glossary, source: str, target: str, mode: str) -> Terms:
    """Split the glossary for `source` → `target`; `mode` is the `glossary` setting."""
    if mode == "off":
        return Terms((), ())
    keep, prefer = [], []
    for term in glossary.terms(source, target):
        (keep if term.dnt or term.target == term.source else prefer).append(term)
    return Terms(tuple(keep), tuple(prefer))


def in_source(text: str, terms: Sequence[Term]) -> list[Term]:
    """The terms whose exact source words occur in `text` (any case)."""
    return [t for t in terms if re.search(rf"(?<!\w){re.escape(t.source)}(?!\w)", text, re.I)]


def ignored(translation: str, terms: Sequence[Term]) -> list[Term]:
    """The terms whose target does not appear in `translation`."""
    return [t for t in terms if not _present(t.target, translation)]


def _present(target: str, text: str) -> bool:
    words = target.split()
    stems = [re.escape(w if len(w) <= 4 else w[:-2]) for w in words]
    pattern = r"\W+".join(rf"{stem}\w{{0,3}}" for stem in stems)
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.I) is not None
