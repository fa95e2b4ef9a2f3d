"""Machine pretranslation: untranslated entries become fuzzy drafts with provenance,
and the CAT-style analysis of what is left. Translation memory comes first, then an
engine through deep-translator, with what deep-translator lacks supplied here
(timeouts, retries, rate and length limits, concurrency, a persistent cache); the
settings (`[tool.pipeline.mt]`) and the facts of each engine (`ENGINES`) are read at
load by `config.settings`. `run.pretranslate` ties them together and returns a
report; the command line prints it. It may import every package up to `catalog`.

`run` — `pretranslate`: memory first, then an engine, drafts saved as they come
`memory` — translation memory: reviewed translations of a language, reused before any engine
`terms` — the glossary in pretranslation: what is kept, what is preferred
`engines` — deep-translator's engines with retries, rate limits and length limits
`transport` — the HTTP layer under deep-translator: timeouts, and what each failure means
`answers` — an engine's answer read as a stream, with ceilings on its bytes and time
`pool` — worker threads for engine requests
`cache` — the persistent cache of engine answers (`.cache/pretranslate/`)
`report` — what a run did, for the command line to print
`analysis` — the CAT-style analysis of what is left (`stats --analysis`)
"""

from pipeline.pretranslate.report import Problem, Report
from pipeline.pretranslate.run import pretranslate

__all__ = ["Problem", "Report", "pretranslate"]
