"""The source articles and the messages found in them. Front matter, the
Python-Markdown extension that segments a body, one parse per article for every
language. It may import `base`, `config` and `markup`.

`article` — a source file: front matter, body, language, slug (the one slug rule)
`translit` — letters written in ASCII for page addresses (Cyrillic transliterated, Turkish ı)
`messages` — the message model: a segment, a lookup's rendering, an article's messages in reading order
`segment` — the Python-Markdown extension: extract messages, apply translations
`snapshot` — one parse, every language: the parser's state after block parsing, copied
`convert` — Markdown with our extension, one instance per run; one parse per article
`assets` — the images and files an article links: found on its pages, published by content hash
"""
