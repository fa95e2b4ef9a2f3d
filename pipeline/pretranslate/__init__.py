"""Machine pretranslation: untranslated entries → fuzzy drafts with provenance.

Translation memory first (no network), then an engine through deep-translator,
with what deep-translator lacks supplied here: markup protection (`protect`),
timeouts and error mapping (`transport`), retries, rate limits and length limits
(`engines`), concurrency (`pool`), a persistent cache (`cache`), and catalog saves
that never touch a reviewed entry (`catalogs`). The settings (`[tool.pipeline.mt]`)
and the facts of each engine are read at load: `pipeline.config.settings.MtSettings`,
`ENGINES`. `run.pretranslate` ties them together and returns a report; the command
line prints it.
"""

from pipeline.pretranslate.report import Problem, Report
from pipeline.pretranslate.run import pretranslate

__all__ = ["Problem", "Report", "pretranslate"]
