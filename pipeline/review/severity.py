"""`[tool.pipeline.qa]` applied to the registered checks.

The table itself is read and validated at load (`pipeline.config.settings.QaSettings`,
through `pipeline.config.load`); what it means for a check needs the registry, so it is
worked out here.
"""

from __future__ import annotations

from pipeline.config.settings import QaSettings
from pipeline.review.registry import ERROR, REGISTRY, Severity


def severity_of(qa: QaSettings, name: str) -> Severity:
    """The check's severity in this project (`severity` overrides the default)."""
    return qa.severity.get(name, REGISTRY[name].severity)  # type: ignore[return-value]


def enforced(qa: QaSettings) -> frozenset[str]:
    """The checks whose findings keep a translation off the page (not disabled ones):
    `enforce`, or every error-level check."""
    if qa.enforce is None:
        return frozenset(name for name in REGISTRY if severity_of(qa, name) == ERROR and name not in qa.disable)
    return frozenset(set(qa.enforce) - set(qa.disable))
