"""Enforced checks: the QA errors that keep a translation off the page.

`[tool.pipeline.qa] enforce = [...]` names them (default: every error-level check,
see `pipeline.review.severity.enforced`). The build asks `Enforcer.refusal` for every translation it
is about to show — article catalogs and the page chrome alike — and shows the
source text instead of one with a finding, so a changed number, a lost link or a
broken placeholder never reaches a patient. `# no-check: NAME` on an entry and
`disable` switch a check off here exactly as they do in `check`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import polib

from pipeline.catalog.model import SLUG_CONTEXT, directives, keeps_source
from pipeline.config.load import Config
from pipeline.config.settings import QaSettings
from pipeline.markup.gate import TEXT_GATE
from pipeline.review.cached import Recorded
from pipeline.review.checks import same_markup
from pipeline.review.registry import REGISTRY, Check, Context, checks
from pipeline.review.severity import enforced

NO_CHECK = "no-check:"
_MEMO = 2048


@dataclass(frozen=True)
class Refusal:
    """Why an enforced check kept a translation off the page."""

    check: str
    message: str


def silenced(entry: polib.POEntry) -> tuple[set[str], list[str]]:
    """Check names an entry's `# no-check: a, b` comments silence, and the unknown ones."""
    names: set[str] = set()
    for line in directives(entry):
        if line.startswith(NO_CHECK):
            names.update(n for n in re.split(r"[,\s]+", line[len(NO_CHECK) :]) if n)
    return names, sorted(n for n in names if n not in REGISTRY)


class Enforcer:
    """The enforced checks of a project, ready to judge entries of one language pair."""

    def __init__(self, config: Config, settings: QaSettings | None = None, recorded: Recorded | None = None) -> None:
        settings = settings or config.qa
        self.enforce = enforced(settings)
        self.settings = settings
        self.patterns = config.protected_patterns
        # What `check` found for each entry, by `cached.entry_key` (see `_from_record`).
        self.recorded = recorded
        # The same text in many articles (a disclaimer, a heading) or in a rebuilt
        # edition is judged once. Bounded: a build judges every entry of the site,
        # and keeping each text until the end grew a 1,000-article build by 28 MB.
        self._judged = lru_cache(maxsize=_MEMO)(self._judge)
        # The enforced checks of each scope in the checks' order, and one `Context` per
        # kind of entry: a build asks for every entry of the site.
        self._order = {scope: tuple(c for c in checks(scope) if c.name in self.enforce) for scope in ("text", "slug")}
        self._contexts: dict[tuple[str, str, bool, bool], Context] = {}

    def refusal(
        self, entry: polib.POEntry, msgid: str, msgstr: str, lang: str, source_lang: str, gated: bool = False
    ) -> Refusal | None:
        """The first enforced finding of `msgstr` as a translation of `msgid`, or None.

        `msgid` is normally the entry's own; for the last reviewed translation of a
        changed source it is the previous source (`#| msgid`) it was reviewed against.
        `gated`: the caller has just passed the two texts through its renderer's
        sanitizer gate, which the `html` check would otherwise run (text half) again.
        """
        if not self.enforce or not msgstr:
            return None
        off, _unknown = silenced(entry)
        scope = "slug" if entry.msgctxt == SLUG_CONTEXT else "text"
        question = Question(msgid, msgstr, lang, source_lang, frozenset(off), keeps_source(entry), scope, gated)
        if gated and self.recorded is not None and (msgid, msgstr) == (entry.msgid, entry.msgstr):
            found = self.recorded.findings(entry, lang, source_lang)
            if found is not None:
                return self._from_record(question, found)
        return self._judged(question)

    def _from_record(self, question: Question, recorded: list[tuple[str, str]]) -> Refusal | None:
        """The verdict of `_judge` from what `check` recorded for the same entry: the
        first finding of an enforced check, in the checks' order. `check` ran every
        check with the same texts and settings (the record's stamp holds them), so
        only a check that reads what `check` knew and the build does not (the
        glossary, the renderer's gate: `Check.context`) is judged here again."""
        found: dict[str, str] = {}
        for check, message in recorded:
            found.setdefault(check, message)
        return self._first(question, lambda check: [found[check.name]] if check.name in found else [])

    def _judge(self, question: Question) -> Refusal | None:
        return self._first(question)

    def _first(self, question: Question, recorded: Callable[[Check], list[str]] | None = None) -> Refusal | None:
        """The first message of an enforced check not silenced, in the checks' order:
        each check is run, or, with `recorded`, says what it found (but a check that
        reads `Check.context`, which is run). A markup check (`Check.markup`) is not
        run when the two texts' markup inventories are equal: it would find nothing."""
        q = question
        ctx = self._context(q.lang, q.source_lang, q.keep, q.gated)
        same: bool | None = None  # the texts' markup inventories are equal (asked once, if at all)
        for check in self._order[q.scope]:
            if check.name in q.off:
                continue
            if recorded is not None and not check.context:
                found = recorded(check)
            else:
                if check.markup:
                    same = same_markup(q.msgid, q.msgstr, ctx) if same is None else same
                    if same:
                        continue  # equal inventories: no markup check finds anything (eight checks)
                found = check.function(q.msgid, q.msgstr, ctx)  # messages: no `Finding` is wanted here
            if found:
                return Refusal(check.name, found[0])
        return None

    def _context(self, lang: str, source_lang: str, keep: bool, gated: bool) -> Context:
        """What the checks know of an entry of this kind."""
        key = (lang, source_lang, keep, gated)
        if key not in self._contexts:
            self._contexts[key] = Context(
                lang=lang,
                source_lang=source_lang,
                patterns=self.patterns,
                keep_source=keep,
                length_ratio=self.settings.length_ratio,
                length_min=self.settings.length_min,
                gate=None if gated else TEXT_GATE,
            )
        return self._contexts[key]


@dataclass(frozen=True)
class Question:
    """What a verdict is of: the two texts, the languages, the checks silenced, the
    entry's keep-source, the scope, and whether the renderer's gate has passed them."""

    msgid: str
    msgstr: str
    lang: str
    source_lang: str
    off: frozenset[str]
    keep: bool
    scope: str
    gated: bool
