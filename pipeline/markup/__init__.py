"""What inside a message is markup, and what of a translation may reach a page.
The inline markup model, the tokens an engine sees, the one model of what a
browser could run, and the gate built on it. It may import `base` and `config`.

`spans` — the protected spans of a message: the markup no translation may change
`inline` — what QA compares of a message's markup: its inventory, prose, emphasis and words
`danger` — what a browser could run: tags as Python-Markdown sees them, URL schemes as WHATWG reads them
`gate` — the gate between a translation and a page: a msgstr cannot add markup or script
`tokens` — what an engine must not change, swapped for tokens before it sees the text and back after
`hooks` — the private parts of Python-Markdown the renders stand on: an inline processor that skips what cannot match
"""
