"""The gettext catalogs: the model, PO files on disk, sign-offs, extract, update
and progress. PO files are read strictly and laid out as GNU gettext lays them out;
the page chrome has its catalog (`site`) beside the articles'. It may import `base`,
`config`, `markup` and `source`.

`plurals` — a new catalog's `Plural-Forms`, as GNU msginit (and so Poedit and Weblate) writes it
`model` — the catalog model (polib): template, entry states, words by state
`merge` — a template merged into a catalog, msgmerge-style
`signoffs` — signed manifests of sign-offs, verified against `locales/reviewers` (the ledger)
`approval` — four-eyes sign-offs (`# approved: NAME DATE DIGEST`) on catalog entries, verified
`syntax` — the strict reading of a file: msgfmt's grammar, line by line, building the model in the same pass
`polib_model` — the model that pass builds, as polib's own parser builds it (its state machine, its quirks)
`layout` — GNU gettext's PO layout, byte for byte
`linebreak` — where that layout breaks a line: Unicode line breaking (UAX #14) as libunistring's
`unicode_tables` — Unicode data for GNU gettext's line breaking (generated)
`pofile` — PO files on disk: strict reading, writing only what changed
`splice` — drafts into catalogs, saved without touching anything else
`chrome` — the page chrome: the templates' Jinja2 environment, their UI strings (`site.po`)
`project` — a project loaded once: configuration, article discovery, catalog references
`update` — extract and update of one article (and of the page chrome's catalog)
`stats` — progress per catalog, in entries and in words
`collisions` — the collision rule: which of two editions claiming one address keeps it
"""
