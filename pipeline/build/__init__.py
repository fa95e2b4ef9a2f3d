"""The build: which editions are published, their pages and the site around them.
Everything is written to `output/` at once; `publish` is extract, update and build
in one pass per article. It may import every package up to `exchange`.

`policy` — the publishing policy: which editions may be published, how drafts show
`render` — an article in one language (which entries a reader sees); its editions
`notices` — the notices and labels for blocks not shown in the page's language
`addresses` — the site's addresses: base URL, alternates, listings, sitemap URLs
`frame` — the page frame: nav and footer pages, JSON-LD, Open Graph, table labels
`bidi` — left-to-right runs (trial IDs, doses, URLs, code) isolated on a right-to-left page
`pages` — the HTML of each kind of page (edition, index, feed, search, 404, chooser, sitemap)
`summary` — the closing summary per edition (`--strict`); what the last build published
`staging` — the staged output folder, swapped in whole
`search` — the Pagefind search index of the built site, in bundles of a bounded number of pages
`bundles` — which article pages go into which search bundle: the plan, cut in the site's order
`indexer` — Pagefind's command line: one run over a set of pages, the entry files it writes
`early` — the search index made beside the rendering: bundles indexed while later articles render
`kept` — what a build keeps of the published search index: unchanged editions and bundles
`redirects` — addresses are permanent: the history file, the redirect pages at old addresses
`record` — what one article contributed to a build, kept to its end and in the build manifest
`step` — the build step: one article's pages, the site around them, the build manifest
`settle` — one page per address: a collision's loser withheld, its articles built again
`publish` — extract, update, build, publish: one pass over all articles, parallel, incremental
"""
