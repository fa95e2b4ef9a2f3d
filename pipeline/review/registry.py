"""What a QA check is and what it finds: `Check`, `Finding`, and the registry.

A check is a small pure function `(msgid, msgstr, ctx) -> list[str]` returning one
message per problem; `register` gives it a name, a severity and a one-line
explanation. Calling the registered `Check` turns the messages into `Finding`s
(file, line, article and language come from the context). Other stages add checks
the same way (e.g. a sanitizer gate): decorate a function with `@register(...)` in
a module that `pipeline.review` imports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from pipeline.config.glossary import Term
from pipeline.markup.gate import TEXT_GATE, Gate
from pipeline.markup.spans import DEFAULT_PATTERNS

ERROR, WARNING = "error", "warning"
Severity = Literal["error", "warning"]
# What a check looks at: a translated entry's text, a translated slug, or a
# segment of a source article (the linter).
Scope = Literal["text", "slug", "source"]


@dataclass(frozen=True)
class Context:
    """What a check may know about an entry besides its two texts."""

    lang: str
    source_lang: str = "en"
    file: str = ""
    line: int | None = None
    article: str | None = None
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    terms: Sequence[Term] = ()
    keep_source: bool = False
    length_ratio: tuple[float, float] = (0.5, 2.0)
    length_min: int = 20
    # The renderer's sanitizer gate (`Converter.gate`); text checks only by default.
    # None: the caller has just run its renderer's gate on these texts (the build
    # does, before it asks the enforced checks), so `html` need not run it again.
    gate: Gate | None = TEXT_GATE


CheckFunction = Callable[[str, str, Context], list[str]]


@dataclass(frozen=True)
class Finding:
    """One problem in one entry (or one source segment)."""

    check: str
    severity: Severity
    file: str
    line: int | None
    msgid: str
    msgstr: str
    message: str
    lang: str | None = None
    article: str | None = None

    def __str__(self) -> str:
        """GNU style: `file:line: severity: check: message`."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.check}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The finding as a JSON object (`check --json` prints a list of these)."""
        return asdict(self)


@dataclass(frozen=True)
class Check:
    """A registered check: name, default severity, what it compares."""

    name: str
    severity: Severity
    explanation: str
    scope: Scope
    function: CheckFunction
    # What of `Context` the check reads besides the texts and the settings every
    # caller gives (`terms`, `gate`): a verdict recorded by `check`, which gives
    # them, does not hold for a caller that does not (`Enforcer._from_record`).
    context: tuple[str, ...] = ()
    # The check compares only the two texts' markup inventories (`checks.same_markup`)
    # and finds nothing when they are equal: the enforced checks then skip it.
    markup: bool = False

    def __call__(self, msgid: str, msgstr: str, ctx: Context, severity: Severity | None = None) -> list[Finding]:
        """Run the check; each problem becomes a `Finding` located by `ctx`."""
        return [
            Finding(
                check=self.name,
                severity=severity or self.severity,
                file=ctx.file,
                line=ctx.line,
                msgid=msgid,
                msgstr=msgstr,
                message=message,
                lang=ctx.lang,
                article=ctx.article,
            )
            for message in self.function(msgid, msgstr, ctx)
        ]


REGISTRY: dict[str, Check] = {}


def register(
    name: str,
    severity: Severity,
    explanation: str,
    scope: Scope = "text",
    context: tuple[str, ...] = (),
    markup: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: add a check function to the registry under `name`; `context`
    names the fields of `Context` it reads that not every caller gives (`Check.context`),
    `markup` says it compares only the texts' markup inventories (`Check.markup`)."""

    def decorate(function: CheckFunction) -> CheckFunction:
        if name in REGISTRY:
            raise ValueError(f"check {name!r} is registered twice")
        REGISTRY[name] = Check(name, severity, explanation, scope, function, context, markup)
        return function

    return decorate


def checks(scope: Scope) -> list[Check]:
    """The registered checks of one scope, in registration order."""
    return [c for c in REGISTRY.values() if c.scope == scope]
