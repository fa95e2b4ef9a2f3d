"""The publishing policy: which editions go live, and how drafts show.

`[tool.pipeline.publish]` sets the defaults, `[tool.pipeline.publish.<lang>]` one
language's values:

* `min_reviewed` (percent, default 80, as po4a's threshold): an edition whose
  reviewed share of the article's words is below it is withheld — not built, and
  not linked by the switcher, the indexes or the sitemap;
* `unreviewed` (`"source"` or `"label"`, default `"source"`): above the threshold,
  what a reader sees where an entry is not reviewed. `source` shows the source
  text, marked with its language; `label` shows machine and memory drafts and puts
  a notice at the top of the page, in the page's language, that parts were machine
  translated and not yet reviewed. Untranslated entries, and human translations of
  an older source text (fuzzy after an update), always show the source;
* `require` (`"reviewed"` or `"approved"`, default `"reviewed"`): what a translation
  needs to be shown. Under `"approved"` only entries with a valid sign-off
  (`pipeline.approval`) are shown, and `min_reviewed` counts approved words;
* `changed` (`"source"` or `"previous"`, default `"source"`): where the source of a
  reviewed translation changed since (a fuzzy entry with `#| msgid`), show the new
  source text, or keep showing the last reviewed translation until it is reviewed
  again. Either way the page says so at the top, and marks each such block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polib

from pipeline.catalog import percent_approved, percent_reviewed
from pipeline.config import Config
from pipeline.errors import UsageError

_KEYS = {"min_reviewed", "unreviewed", "require", "changed"}
MODES = ("source", "label")
REQUIRE = ("reviewed", "approved")
CHANGED = ("source", "previous")


@dataclass(frozen=True)
class Policy:
    """One language's publishing rules."""

    min_reviewed: float = 80.0
    unreviewed: str = "source"
    require: str = "reviewed"
    changed: str = "source"

    @property
    def show_drafts(self) -> bool:
        return self.unreviewed == "label"


@dataclass(frozen=True)
class Decision:
    """Whether one edition is published, and why."""

    published: bool
    percent: float
    policy: Policy

    @property
    def reason(self) -> str:
        done = "approved" if self.policy.require == "approved" else "reviewed"
        return f"{self.percent:g}% of its words {done}, below min_reviewed = {self.policy.min_reviewed:g}%"


def policies(config: Config) -> dict[str, Policy]:
    """The policy of every language, validated."""
    table = config.table("publish")
    languages = set(config.languages)
    unknown = sorted(k for k in table if k not in _KEYS and k not in languages)
    if unknown:
        raise UsageError(f"unknown key in [tool.pipeline.publish]: {', '.join(unknown)}", config.settings_file)
    base = _policy(table, "[tool.pipeline.publish]", Policy(), config)
    result = {}
    for lang in config.languages:
        sub = table.get(lang, {})
        if not isinstance(sub, dict):
            raise UsageError(f"[tool.pipeline.publish.{lang}] must be a table", config.settings_file)
        unknown = sorted(set(sub) - _KEYS)
        if unknown:
            names = ", ".join(unknown)
            raise UsageError(f"unknown key in [tool.pipeline.publish.{lang}]: {names}", config.settings_file)
        result[lang] = _policy(sub, f"[tool.pipeline.publish.{lang}]", base, config)
    return result


def decide(po: polib.POFile, policy: Policy) -> Decision:
    """Publish the edition of catalog `po` under `policy`?"""
    percent = percent_approved(po) if policy.require == "approved" else percent_reviewed(po)
    return Decision(percent >= policy.min_reviewed, percent, policy)


def _policy(table: dict[str, Any], where: str, base: Policy, config: Config) -> Policy:
    value = table.get("min_reviewed", base.min_reviewed)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise UsageError(f"{where} min_reviewed must be a number from 0 to 100", config.settings_file)
    mode = table.get("unreviewed", base.unreviewed)
    if mode not in MODES:
        raise UsageError(f'{where} unreviewed must be "source" or "label", not {mode!r}', config.settings_file)
    require = table.get("require", base.require)
    if require not in REQUIRE:
        raise UsageError(f'{where} require must be "reviewed" or "approved", not {require!r}', config.settings_file)
    changed = table.get("changed", base.changed)
    if changed not in CHANGED:
        raise UsageError(f'{where} changed must be "source" or "previous", not {changed!r}', config.settings_file)
    return Policy(float(value), mode, require, changed)
