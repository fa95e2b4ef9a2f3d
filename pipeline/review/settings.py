"""`[tool.pipeline.qa]`: project-wide QA settings, validated here (this stage owns them).

```toml
[tool.pipeline.qa]
disable = ["length"]                  # checks switched off for the whole project
severity = { glossary = "error" }     # make a warning an error (or the reverse)
length_ratio = [0.5, 2.0]             # accepted len(translation) / len(source)
length_min = 20                       # shorter sources are not length-checked
enforce = ["numbers", "links"]        # checks whose findings keep a translation off the page
                                      # (default: every error-level check)
```

Unknown keys and unknown check names are usage errors: a typo must not silently
switch a check back on or leave one off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.review.registry import ERROR, REGISTRY, WARNING, Severity

KEYS = ("disable", "severity", "length_ratio", "length_min", "enforce")


@dataclass(frozen=True)
class Settings:
    """The QA settings of a project (defaults when the table is absent)."""

    disable: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    length_ratio: tuple[float, float] = (0.5, 2.0)
    length_min: int = 20
    enforce_list: tuple[str, ...] | None = None  # None: every error-level check

    @property
    def enforce(self) -> frozenset[str]:
        """The checks whose findings keep a translation off the page (not disabled ones)."""
        if self.enforce_list is not None:
            names = set(self.enforce_list)
        else:
            names = {name for name in REGISTRY if self.severity_of(name) == ERROR}
        return frozenset(names - self.disable)

    def severity_of(self, name: str) -> Severity:
        """The check's severity in this project (`severity` overrides the default)."""
        return self.severity.get(name, REGISTRY[name].severity)


def load_settings(config: Config) -> Settings:
    """Validate `config.table("qa")`; problems are `UsageError`s naming pyproject.toml."""
    table: dict[str, Any] = config.table("qa")
    path = config.settings_file

    def fail(message: str) -> UsageError:
        return UsageError(f"[tool.pipeline.qa] {message}", path)

    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise fail(f"unknown key {', '.join(unknown)} (known: {', '.join(KEYS)})")
    defaults = Settings()
    disable = table.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(x, str) for x in disable):
        raise fail("disable must be a list of check names")
    for name in disable:
        _known(name, fail)
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise fail('severity must be a table like { glossary = "error" }')
    for name, value in severity.items():
        _known(name, fail)
        if value not in (ERROR, WARNING):
            raise fail(f'severity.{name} must be "error" or "warning", not {value!r}')
    ratio = table.get("length_ratio", list(defaults.length_ratio))
    if (
        not isinstance(ratio, list)
        or len(ratio) != 2
        or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in ratio)
        or not 0 < ratio[0] <= ratio[1]
    ):
        raise fail("length_ratio must be [low, high] with 0 < low <= high, e.g. [0.5, 2.0]")
    length_min = table.get("length_min", defaults.length_min)
    if not isinstance(length_min, int) or isinstance(length_min, bool) or length_min < 0:
        raise fail("length_min must be a whole number of characters >= 0")
    enforce = table.get("enforce")
    if enforce is not None:
        if not isinstance(enforce, list) or not all(isinstance(x, str) for x in enforce):
            raise fail("enforce must be a list of check names")
        for name in enforce:
            _known(name, fail)
        enforce = tuple(enforce)
    ratios = (float(ratio[0]), float(ratio[1]))
    return Settings(frozenset(disable), dict(severity), ratios, length_min, enforce)


def _known(name: str, fail: Any) -> None:
    if name not in REGISTRY:
        raise fail(f"unknown check '{name}' (known: {', '.join(sorted(REGISTRY))})")
