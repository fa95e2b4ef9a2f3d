"""The live preview (`serve`): pages from the files as they are now, reloaded on a save.
The build's own pages and indexes kept in memory, file watching, and the HTTP
server with reload events. It may import every package up to `build`.

`live` — the live site: article pages from current files, saves applied
`indexes` — the indexes, feeds, sitemap and chooser: the build's own, in memory
`watch` — which project files changed: polling with `stat`
`server` — the HTTP server on 127.0.0.1, reload events, the preview's own pages
"""
