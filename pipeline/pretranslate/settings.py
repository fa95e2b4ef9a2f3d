"""`[tool.pipeline.mt]` → `Settings`, with command-line overrides.

Every key has a default; an unknown key or a value of the wrong type is a
`UsageError` naming the key, so a typo never silently falls back to a default.
API keys are never read from here: they are secrets and come from the environment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from pipeline.config import Config
from pipeline.errors import UsageError

ENGINES = ("google", "deepl", "microsoft", "libre", "mymemory")
# Environment variables for API keys (deep-translator's names).
KEY_VARS = {"deepl": "DEEPL_API_KEY", "microsoft": "MICROSOFT_API_KEY", "libre": "LIBRE_API_KEY"}


@dataclass(frozen=True)
class Settings:
    """How pretranslation runs; the field names are the config keys."""

    engine: str = "google"
    engine_url: str = ""  # LibreTranslate server, e.g. http://localhost:5000/
    timeout: float = 30.0  # seconds per HTTP request (connect, and each read)
    workers: int = 8  # concurrent requests
    rate_limit: float = 0.0  # requests per second over all workers; 0 = no limit
    retries: int = 3  # extra attempts on 429, 5xx, timeouts and connection errors
    backoff: float = 1.0  # seconds before the first retry; doubles each time, plus jitter
    max_backoff: float = 30.0  # cap for one wait (also caps a server's Retry-After)
    exact_matches: str = "reviewed"  # or "draft": how a 100% memory match is written
    near_matches: int = 75  # minimum similarity (percent) of a memory draft; 101 = off
    glossary: str = "apply"  # "apply" (write preferred terms), "check" (report only), "off"
    save_every: int = 50  # save catalogs after this many new drafts ...
    save_seconds: float = 10.0  # ... or this many seconds, whichever comes first
    cache: bool = True  # .cache/pretranslate/: a re-run sends nothing already translated


_CHOICES = {
    "engine": ENGINES,
    "exact_matches": ("reviewed", "draft"),
    "glossary": ("apply", "check", "off"),
}
_MINIMUM = {
    "timeout": 0.1,
    "workers": 1,
    "rate_limit": 0,
    "retries": 0,
    "backoff": 0,
    "max_backoff": 0,
    "near_matches": 50,
    "save_every": 1,
    "save_seconds": 0.1,
}


def load_settings(config: Config, **overrides: Any) -> Settings:
    """The project's `[tool.pipeline.mt]`, then `overrides` (None = not given)."""
    table = config.table("mt")
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise UsageError(
            f"unknown key in [tool.pipeline.mt]: {', '.join(unknown)} (known: {', '.join(known)})", config.settings_file
        )
    values = {name: _check(name, value, f"[tool.pipeline.mt] {name}") for name, value in table.items()}
    settings = replace(Settings(), **values)
    given = {k: _check(k, v, f"--{k.replace('_', '-')}") for k, v in overrides.items() if v is not None}
    settings = replace(settings, **given)
    if settings.engine == "libre" and not settings.engine_url:
        raise UsageError(
            "the libre engine needs --engine-url (or engine_url in [tool.pipeline.mt]), e.g. http://localhost:5000/"
        )
    if settings.engine != "libre" and settings.engine_url and "engine_url" in given:
        raise UsageError(f"--engine-url is for the libre engine only, not {settings.engine}")
    if settings.engine_url and not settings.engine_url.startswith(("http://", "https://")):
        raise UsageError(f"engine_url must start with http:// or https:// (got {settings.engine_url!r})")
    return settings


def _check(name: str, value: Any, where: str) -> Any:
    default = getattr(Settings(), name)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise UsageError(f"{where} must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{where} must be a whole number, not {value!r}")
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UsageError(f"{where} must be a number, not {value!r}")
        value = float(value)
        if not math.isfinite(value):  # `--timeout nan` compares false with every limit
            raise UsageError(f"{where} must be a finite number, not {value!r}")
    elif not isinstance(value, str):
        raise UsageError(f"{where} must be a string, not {value!r}")
    if name in _MINIMUM and value < _MINIMUM[name]:
        raise UsageError(f"{where} must be at least {_MINIMUM[name]}, not {value!r}")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise UsageError(f"{where} must be one of {', '.join(_CHOICES[name])}, not {value!r}")
    return value
