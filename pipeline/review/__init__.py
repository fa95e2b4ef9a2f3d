"""The review workflow: QA checks (`check`), enforced checks, the source linter,
sign-offs (`approve`) and the reviewer's page (`review`). Importing the package
registers every check. It may import every package up to `pretranslate`.

`registry` — what a check and a finding are, and the registry of checks
`numbers` — locale-aware number reading, digits of every script
`units` — the unit of each number, by meaning, from `data/units-*.csv`
`negation` — the negating words of a text, from `data/negation-*.txt`
`checks` — the QA checks on one catalog entry: the errors
`warnings` — the QA checks on one catalog entry: the warnings
`lint` — the source linter
`severity` — `[tool.pipeline.qa]` applied to the registered checks
`enforce` — enforced checks: the QA errors that keep a translation off the page
`cached` — `check`'s memory between runs
`runner` — `check`: the checks over every catalog and source of a project
`approve` — `approve`: a second person's sign-off on reviewed entries
`diff` — a word-level diff of a changed source
`onsite` — a block on the reviewer's page as the site shows it: footnote references, images
`sections` — one catalog's section of the review page
`page` — `review`: `review/<lang>.html`, the reviewer's page
`collide` — address collisions across files, as `check` reports them
"""

# Registration, in the order the checks are listed: errors, warnings, the source linter's.
# isort: off
from pipeline.review import checks, warnings  # noqa: F401
from pipeline.review import lint  # noqa: F401
# isort: on
