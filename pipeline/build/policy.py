"""The publishing policy: which editions go live, and how drafts show.

`[tool.pipeline.publish]` sets the defaults, `[tool.pipeline.publish.<lang>]` one
language's values (read and validated at load: `pipeline.config.settings.Policy`,
`Config.policies`):

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
  (`pipeline.catalog.approval`) are shown, and `min_reviewed` counts approved words;
* `changed` (`"source"` or `"previous"`, default `"source"`): where the source of a
  reviewed translation changed since (a fuzzy entry with `#| msgid`), show the new
  source text, or keep showing the last reviewed translation until it is reviewed
  again. Either way the page says so at the top, and marks each such block.

`min_reviewed` holds for the page chrome too (`site.po`: the navigation, the byline,
the medical disclaimer — text on every page of an edition): a language whose chrome
has a smaller share of its words reviewed (or approved) has no edition at all, every
article withheld, whatever its own share. Why a gate and not the chrome's words added
to each article's: the chrome is one catalog that every page shows, so its state is
the same on all of them, and a long article would otherwise carry an English
disclaimer over the threshold. Above the threshold, the chrome strings not yet
reviewed are shown in English, marked `lang="en"`, and the build names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polib

from pipeline.catalog.model import REVIEWED_STATES, share, tally
from pipeline.config.settings import Policy

__all__ = ["Decision", "Policy", "decide"]


@dataclass(frozen=True)
class Decision:
    """Whether one edition is published, and why."""

    published: bool
    percent: float
    policy: Policy
    chrome: float | None = None  # the share of the page chrome's words, when the build knows it

    @property
    def reason(self) -> str:
        done = "approved" if self.policy.require == "approved" else "reviewed"
        if self.percent >= self.policy.min_reviewed and self.chrome is not None:
            return (
                f"its page chrome (site.po) has {self.chrome:g}% of its words {done}, "
                f"below min_reviewed = {self.policy.min_reviewed:g}%"
            )
        return f"{self.percent:g}% of its words {done}, below min_reviewed = {self.policy.min_reviewed:g}%"


def decide(
    po: polib.POFile,
    policy: Policy,
    patterns: Sequence[str],
    words: dict[str, int] | None = None,
    chrome: float | None = None,
) -> Decision:
    """Publish the edition of catalog `po` under `policy`? Its words are counted as
    `stats` and the review page count them (`model.tally`, with the project's
    protected `patterns`); `words` is that tally's source words, if the caller has it.
    `chrome` is the share of the language's page chrome reviewed (or approved), as
    `ChromeTranslations.percent` has it: below `min_reviewed` the edition is withheld."""
    words = tally(po, patterns=patterns)[1] if words is None else words
    percent = share(words, ("approved",) if policy.require == "approved" else REVIEWED_STATES)
    chrome_ok = chrome is None or chrome >= policy.min_reviewed
    return Decision(percent >= policy.min_reviewed and chrome_ok, percent, policy, None if chrome_ok else chrome)
