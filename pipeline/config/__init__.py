"""The project's configuration: `[tool.pipeline]` and its sub-tables read,
validated and frozen at load, and the clinic's glossary. It may import `base`.

`settings` — the sub-tables as frozen dataclasses, one validating reader, the engine table (`ENGINES`)
`load` — the project's `Config`, every table validated at load
`glossary` — `locales/glossary.csv`
`languages` — what a language code says about its text: its direction (`text_direction`)
"""
