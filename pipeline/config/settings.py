"""The sub-tables of `[tool.pipeline]` as frozen dataclasses (`qa`, `mt`, `publish`;
`site` is `pipeline.config.load`'s), and the one reader that validates them all at load.

A dataclass is the table's schema: each field is one key, declared once with
`setting(...)` — its default (the one source of defaults), its kind (`bool`,
`int`, `number`, `text`, `strings`, `table`), its choices or range, and an optional
`convert` for a rule of its own. `read_table` checks a TOML table against it, so
every table speaks with one voice:

    pyproject.toml: [tool.pipeline.X] key: problem

An unknown key is an error, never a silent default: a typo must not switch a check
back on, publish a draft or send text to another engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from typing import Any, TypeVar

from pipeline.base.errors import UsageError

SETTINGS_FILE = "pyproject.toml"  # as messages name it: relative, like every other file
T = TypeVar("T")


class Invalid(ValueError):
    """A value's problem, worded to follow `key: ` (`sub` names a part: `severity.numbers`)."""

    def __init__(self, problem: str, sub: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.sub = sub


def fail(where: str, key: str, problem: str) -> UsageError:
    """The one message format of every configuration problem."""
    return UsageError(f"{where} {key}: {problem}", SETTINGS_FILE)


def setting(
    default: Any = MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    kind: str | None = None,
    choices: tuple[Any, ...] = (),
    low: float | None = None,
    high: float | None = None,
    convert: Callable[[Any], Any] | None = None,
) -> Any:
    """A dataclass field that is a configuration key."""
    meta = {"kind": kind, "choices": choices, "low": low, "high": high, "convert": convert, "key": True}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def keys(cls: type) -> dict[str, Field]:
    """The configuration keys of a settings dataclass."""
    return {f.name: f for f in fields(cls) if f.metadata.get("key")}


def read_table(cls: type[T], table: Any, where: str, base: T | None = None, also: Collection[str] = ()) -> T:
    """`table` checked against `cls`'s keys, over `base` (default: `cls()`).
    `also` names keys another dataclass reads from the same table."""
    if not isinstance(table, dict):
        raise UsageError(f"{where}: must be a table", SETTINGS_FILE)
    known = keys(cls)
    unknown = sorted(k for k in table if k not in known and k not in also)
    if unknown:
        names = ", ".join(sorted({*known, *also}))
        raise fail(where, ", ".join(unknown), f"unknown key{'s' if len(unknown) > 1 else ''} (known: {names})")
    values = {}
    for name, value in table.items():
        if name in known:
            try:
                values[name] = check_value(known[name], value)
            except Invalid as exc:
                raise fail(where, f"{name}.{exc.sub}" if exc.sub else name, exc.problem) from None
    return replace(base if base is not None else cls(), **values)  # type: ignore[type-var]


def check_value(spec: Field, value: Any) -> Any:
    """One value checked against its field's kind, choices, range and rule."""
    meta = spec.metadata
    kind, low, high, choices = meta["kind"], meta["low"], meta["high"], meta["choices"]
    if kind == "bool" and not isinstance(value, bool):
        raise Invalid(f"must be true or false, not {value!r}")
    if kind in ("int", "number"):
        noun = "a whole number" if kind == "int" else "a number"
        span = f" from {low:g} to {high:g}" if low is not None and high is not None else ""
        span = span or (f" of at least {low:g}" if low is not None else "")
        ok = isinstance(value, int) if kind == "int" else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or not math.isfinite(value):
            raise Invalid(f"must be {noun}{span}, not {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise Invalid(f"must be {noun}{span}, not {value!r}")
        value = float(value) if kind == "number" else value
    if kind == "text" and not isinstance(value, str):
        raise Invalid(f"must be a string, not {value!r}")
    if kind == "strings":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise Invalid(f"must be a list of strings, not {value!r}")
        value = tuple(value)
    if kind == "table" and not isinstance(value, dict):
        raise Invalid(f"must be a table, not {value!r}")
    if choices and value not in choices:
        raise Invalid(f"must be {one_of(choices)}, not {value!r}")
    return meta["convert"](value) if meta["convert"] else value


def one_of(choices: Collection[Any]) -> str:
    """`"a", "b" or "c"`."""
    quoted = [f'"{c}"' for c in choices]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


# -- [tool.pipeline.qa] ---------------------------------------------------------

SEVERITIES = ("error", "warning")


def _severities(value: dict[str, Any]) -> dict[str, str]:
    for name, severity in value.items():
        if severity not in SEVERITIES:
            raise Invalid(f"must be {one_of(SEVERITIES)}, not {severity!r}", sub=name)
    return dict(value)


def _ratio(value: Any) -> tuple[float, float]:
    numbers = isinstance(value, list) and all(isinstance(x, int | float) and not isinstance(x, bool) for x in value)
    if not numbers or len(value) != 2 or not 0 < value[0] <= value[1]:
        raise Invalid(f"must be [low, high] with 0 < low <= high, e.g. [0.5, 2.0], not {value!r}")
    return float(value[0]), float(value[1])


@dataclass(frozen=True)
class QaSettings:
    """`[tool.pipeline.qa]`: the project's QA settings (the review stage applies them).

    `disable`: checks switched off; `severity`: a check's severity changed
    (`{ glossary = "error" }`); `length_ratio`, `length_min`: the length check's
    bounds; `enforce`: the checks whose findings keep a translation off the page
    (None: every error-level check).
    """

    disable: tuple[str, ...] = setting((), kind="strings")
    severity: dict[str, str] = setting(factory=dict, kind="table", convert=_severities)
    length_ratio: tuple[float, float] = setting((0.5, 2.0), convert=_ratio)
    length_min: int = setting(20, kind="int", low=0)
    enforce: tuple[str, ...] | None = setting(None, kind="strings")

    def unknown_check(self, known: Collection[str]) -> tuple[str, str] | None:
        """(key, name) of the first check name that is not in `known`, if any."""
        for key, names in (("disable", self.disable), ("severity", self.severity), ("enforce", self.enforce or ())):
            for name in names:
                if name not in known:
                    return key, name
        return None


# -- [tool.pipeline.mt] ---------------------------------------------------------


@dataclass(frozen=True)
class EngineSpec:
    """Everything the pipeline knows about one machine translation engine, once."""

    name: str
    translator: str  # deep-translator's class
    max_chars: int  # characters per request the engine accepts
    env: dict[str, str] = field(default_factory=dict)  # constructor keyword → environment variable
    key_required: bool = False  # no request without an API key
    url: bool = False  # the engine is a server of the user's (LibreTranslate): engine_url required
    languages: str | None = None  # deep-translator's table of codes (None: from the network)
    aliases: dict[str, str] = field(default_factory=dict)  # gettext code → the engine's code
    regional: bool = False  # wants region codes: en-GB, de-DE

    @property
    def key_var(self) -> str | None:
        """The environment variable of the API key, if the engine takes one."""
        return self.env.get("api_key")


ENGINES = {
    spec.name: spec
    for spec in (
        EngineSpec(
            "google",
            "GoogleTranslator",
            4999,  # rejects >= 5,000
            languages="GOOGLE_LANGUAGES_TO_CODES",
            aliases={"he": "iw", "jv": "jw", "zh": "zh-CN", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "nb": "no"},
        ),
        EngineSpec(
            "deepl",
            "DeeplTranslator",
            30000,
            env={"api_key": "DEEPL_API_KEY"},
            key_required=True,
            languages="DEEPL_LANGUAGE_TO_CODE",
        ),
        EngineSpec(
            "microsoft",
            "MicrosoftTranslator",
            10000,
            env={"api_key": "MICROSOFT_API_KEY", "region": "MICROSOFT_REGION"},
            key_required=True,
        ),
        EngineSpec(
            "libre",
            "LibreTranslator",
            5000,
            env={"api_key": "LIBRE_API_KEY"},
            url=True,
            languages="LIBRE_LANGUAGES_TO_CODES",
        ),
        EngineSpec(
            "mymemory",
            "MyMemoryTranslator",
            499,  # wants < 500
            env={"email": "MYMEMORY_EMAIL"},
            languages="MY_MEMORY_LANGUAGES_TO_CODES",
            regional=True,
        ),
    )
}


def _http_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise Invalid(f"must start with http:// or https://, not {value!r}")
    return value


@dataclass(frozen=True)
class MtSettings:
    """`[tool.pipeline.mt]`: how pretranslation runs. API keys never come from
    here: they are secrets, read from the environment (`EngineSpec.env`)."""

    # No engine unless one is chosen: text goes to a third party only when someone said so.
    engine: str = setting("", kind="text", choices=tuple(ENGINES))
    engine_url: str = setting("", kind="text", convert=_http_url)  # LibreTranslate server
    timeout: float = setting(30.0, kind="number", low=0.1)  # seconds per HTTP request (connect, each read)
    answer_seconds: float = setting(120.0, kind="number", low=0.1)  # a whole answer, first byte to last
    workers: int = setting(8, kind="int", low=1)  # concurrent requests
    rate_limit: float = setting(0.0, kind="number", low=0)  # requests per second over all workers; 0: none
    retries: int = setting(3, kind="int", low=0)  # extra attempts on 429, 5xx, timeouts, connection errors
    backoff: float = setting(1.0, kind="number", low=0)  # seconds before the first retry; doubles, plus jitter
    max_backoff: float = setting(30.0, kind="number", low=0)  # cap for one wait (also caps Retry-After)
    exact_matches: str = setting("reviewed", kind="text", choices=("reviewed", "draft"))  # a 100% memory match
    near_matches: int = setting(75, kind="int", low=50)  # minimum similarity (percent) of a memory draft; 101: off
    glossary: str = setting("apply", kind="text", choices=("apply", "check", "off"))
    save_every: int = setting(50, kind="int", low=1)  # save catalogs after this many new drafts ...
    save_seconds: float = setting(10.0, kind="number", low=0.1)  # ... or this many seconds
    cache: bool = setting(True, kind="bool")  # .cache/pretranslate/: a re-run sends nothing twice

    @property
    def spec(self) -> EngineSpec:
        """The engine's facts."""
        return ENGINES[self.engine]

    def with_options(self, **options: Any) -> MtSettings:
        """These settings with command-line options (`--timeout` ...; None: not given),
        each checked as its key is; then the engine's URL rule."""
        known = keys(MtSettings)
        given = {}
        for name, value in options.items():
            if value is not None:
                try:
                    given[name] = check_value(known[name], value)
                except Invalid as exc:
                    raise UsageError(f"--{name.replace('_', '-')} {exc.problem}") from None
        settings = replace(self, **given)
        if not settings.engine:
            return settings  # `pretranslate` says how to choose one if an engine is needed
        if settings.spec.url and not settings.engine_url:
            raise UsageError(
                f"the {settings.engine} engine needs --engine-url (or engine_url in [tool.pipeline.mt]), "
                "e.g. http://localhost:5000/"
            )
        if not settings.spec.url and settings.engine_url and "engine_url" in given:
            raise UsageError(f"--engine-url is for the libre engine only, not {settings.engine}")
        return settings


# -- [tool.pipeline.publish] ----------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One language's publishing rules (see `pipeline.build.policy`)."""

    min_reviewed: float = setting(80.0, kind="number", low=0, high=100)
    unreviewed: str = setting("source", choices=("source", "label"))
    require: str = setting("reviewed", choices=("reviewed", "approved"))
    changed: str = setting("source", choices=("source", "previous"))

    @property
    def show_drafts(self) -> bool:
        return self.unreviewed == "label"


def read_policies(table: Any, languages: Collection[str]) -> dict[str, Policy]:
    """`[tool.pipeline.publish]` and its `[tool.pipeline.publish.<lang>]` tables:
    the policy of every language."""
    where = "[tool.pipeline.publish]"
    if not isinstance(table, dict):
        raise UsageError(f"{where}: must be a table", SETTINGS_FILE)
    base = read_table(Policy, {k: v for k, v in table.items() if k not in languages}, where)
    return {
        lang: read_table(Policy, table.get(lang, {}), f"[tool.pipeline.publish.{lang}]", base) for lang in languages
    }
