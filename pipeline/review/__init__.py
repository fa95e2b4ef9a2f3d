"""Review workflow: QA checks (`check`), the source linter and the review page (`review`).

Modules, one idea each: `registry` (what a check and a finding are), `numbers`
(locale-aware number reading), `checks` (the entry checks), `lint` (the source
linter), `settings` (`[tool.pipeline.qa]`), `run` (checks over a project), `diff`
(word diff of a changed source) and `report` (the translator's review page).
Importing the package registers every check.
"""

from pipeline.review import checks, lint  # noqa: F401  (registration)
