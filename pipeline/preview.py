"""`serve`: the live preview on 127.0.0.1 (never for production).

Article pages, the edition indexes, feeds, sitemap and language chooser come
from a `live.LiveSite` (rendered from the files as they are now); everything else
(the search pages and their Pagefind bundle, the 404 pages, the stylesheet) from
`output/` as the last build left it; `/review/...` from the project's `review/` folder (or
`output/review/`). Every HTML response gets one line before `</body>`, a script
that listens to `/__live/events` (Server-Sent Events) and reloads the page when a
change affects it; the script exists only in responses, never in `output/`.

Paths are resolved by `SimpleHTTPRequestHandler.translate_path` (which drops `..`
and drive components), and a file is served only if its real path is inside the
served folder, so neither a crafted URL nor a link in `output/` reaches elsewhere.
"""

from __future__ import annotations

import html
import http.server
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from pipeline.errors import UsageError

EVENTS = "/__live/events"
SCRIPT = "/__live/reload.js"
SVG = "image/svg+xml"
_TAG = f'<script src="{SCRIPT}"></script>\n'.encode()
_JS = b"""(function () {
  var source = new EventSource("/__live/events");
  var root = document.documentElement;
  // Whether the page will reload on save (EventSource reconnects by itself).
  source.addEventListener("open", function () { root.setAttribute("data-live-preview", "connected"); });
  source.addEventListener("error", function () { root.setAttribute("data-live-preview", "reconnecting"); });
  source.addEventListener("reload", function (event) {
    var pages = null;
    try { pages = JSON.parse(event.data).pages; } catch (e) { pages = null; }
    if (!pages || pages.indexOf(decodeURI(location.pathname)) >= 0) { location.reload(); }
  });
})();
"""


class Events:
    """Reload notices: a counter and the last notice, and a condition to wait on."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.version = 0
        self.data = "{}"
        self.closed = False

    def publish(self, pages: list[str] | None) -> None:
        """Tell every open page; `pages` are the URL paths affected (None: all)."""
        with self.cond:
            self.version += 1
            self.data = json.dumps({"pages": pages})
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, str] | None:
        """The notice after version `seen`, or None after `timeout` or at shutdown."""
        with self.cond:
            self.cond.wait_for(lambda: self.closed or self.version != seen, timeout)
            return None if self.closed or self.version == seen else (self.version, self.data)


def inject(page: bytes) -> bytes:
    """The page with the reload script before its last `</body>` (or at its end)."""
    at = page.rfind(b"</body>")
    return page + _TAG if at < 0 else page[:at] + _TAG + page[at:]


class _Handler(http.server.SimpleHTTPRequestHandler):
    # Feeds and sitemaps are XML; Python's guess for .xml is fine, this makes it explicit.
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml",
    }
    page: ClassVar[Callable[[str], tuple[int, str, bytes] | None] | None] = None
    events: ClassVar[Events | None] = None
    output: ClassVar[str] = ""
    review: ClassVar[str] = ""

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the terminal during a preview

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == EVENTS and self.events is not None:
            return self._stream(self.events)
        if path == SCRIPT:
            return self._send(_JS, "text/javascript; charset=utf-8")
        rel = urllib.parse.unquote(path).lstrip("/")
        live = type(self).page
        if live is not None and ".." not in rel.split("/"):
            found = live(rel)
            if found is not None:
                status, kind, data = found
                return self._send(data, kind) if status == 200 else self.send_error(status, "File not found")
        self.directory = self.output
        if rel.startswith("review/") and self.review and os.path.isdir(self.review):
            self.directory = self.review
            self.path = self.path[len("/review") :]
        file = self._local(self.path)
        if file is None:
            return self.send_error(404, "File not found")
        if file.endswith((".html", ".svg")):
            with open(file, "rb") as handle:
                return self._send(handle.read(), "text/html; charset=utf-8" if file.endswith(".html") else SVG)
        return super().do_GET()

    def _local(self, url: str) -> str | None:
        """The file `url` names under `self.directory`, only if it really is there
        (its real path inside the folder), with `index.html` for a folder."""
        file = self.translate_path(url)
        if os.path.isdir(file):
            if not urllib.parse.urlsplit(url).path.endswith("/"):
                return file  # SimpleHTTPRequestHandler redirects to the slash form
            file = os.path.join(file, "index.html")
        root = os.path.realpath(self.directory)
        real = os.path.realpath(file)
        if not (real == root or real.startswith(root + os.sep)) or not os.path.isfile(real):
            return None
        return file

    def _send(self, data: bytes, kind: str) -> None:
        if kind.startswith("text/html") and self.events is not None:
            data = inject(data)  # only a server with a reload stream has pages to reload
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if kind == SVG:  # opened on its own, an SVG is a document: no script of it runs
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, events: Events) -> None:
        """Server-Sent Events until the client goes or the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        seen = events.version
        try:
            last = int(self.headers.get("Last-Event-ID", ""))
            seen = last if 0 <= last < seen else seen  # a reconnecting page missed a notice
        except ValueError:
            pass
        try:
            self.wfile.write(b"retry: 500\n: connected\n\n")
            self.wfile.flush()
            while not events.closed:
                got = events.wait(seen, 10.0)
                if got is None:
                    self.wfile.write(b": ping\n\n")  # finds a closed connection
                else:
                    seen, data = got
                    self.wfile.write(f"id: {seen}\nevent: reload\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except OSError:
            return  # the page was closed or reloaded


class PreviewServer(http.server.ThreadingHTTPServer):
    """Threads per request, none of which keeps the process alive (an open event
    stream must not block Ctrl-C)."""

    daemon_threads = True
    block_on_close = False


def make_server(
    directory: Path,
    port: int,
    page: Callable[[str], tuple[int, str, bytes] | None] | None = None,
    events: Events | None = None,
    review: Path | None = None,
) -> PreviewServer:
    """A preview server for `directory` on 127.0.0.1:`port` (0: any free port);
    `page` answers for live pages (status, content type, bytes; None: not a live
    page, served from `directory`), `events` feeds the reload stream."""
    if not directory.is_dir():
        raise UsageError(f"{directory.name}/ does not exist yet; run `make publish` first")
    handler = type(
        "Handler",
        (_Handler,),
        {
            "page": staticmethod(page) if page is not None else None,
            "events": events,
            "output": str(directory),
            "review": str(review) if review is not None else "",
        },
    )
    try:
        return PreviewServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None


class Stop:
    """The preview's stop request, set by its signal handlers and waited for by the
    main thread's loop.

    No lock: a signal handler runs on the main thread between any two bytecodes,
    also while that thread holds a lock. `threading.Event.set` from a SIGTERM
    handler deadlocked when the signal came inside `Event.wait` (its lock is not
    reentrant), and a KeyboardInterrupt raised there left the lock taken.
    """

    def __init__(self) -> None:
        self.requested = False

    def set(self) -> None:
        self.requested = True

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` unless a stop was requested; whether one was."""
        if not self.requested:
            time.sleep(timeout)  # a signal's handler runs here; the sleep then ends early or not
        return self.requested


def watch(
    poll: Callable[[], tuple[set[Path], set[Path]]],
    apply: Callable[[set[Path], set[Path]], tuple[list[str] | None, list[str]]],
    events: Events,
    stop: Stop,
    log: Callable[[str], None],
    interval: float = 0.1,
) -> None:
    """Until `stop`: poll for changed files, `apply` them (which returns the pages
    to reload and lines to print), then tell the open pages. Nothing a user can
    save ends this loop: a failure is one printed line and the next poll."""
    while not stop.wait(interval):
        try:
            changed, deleted = poll()
            if not (changed or deleted):
                continue
            pages, messages = apply(changed, deleted)
        except Exception as exc:  # the preview outlives any one bad save
            log(f"preview: {type(exc).__name__}: {' '.join(str(exc).split())}")
            continue
        for line in messages:
            log(line)
        events.publish(pages)


def error_page(message: str) -> bytes:
    """A page that shows why the article cannot be shown (escaped: a catalog's
    text is never markup here)."""
    text = html.escape(message)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Preview error</title>\n'
        '<link rel="icon" href="data:,">\n'  # the site has no /favicon.ico: its pages name their icon
        "<style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem auto;max-width:48rem;padding:0 1rem}"
        ".preview-error{border-left:.4rem solid #b00020;background:#fdecee;padding:1rem 1.25rem}"
        "code{white-space:pre-wrap}</style>\n</head>\n<body>\n"
        '<main class="preview-error" role="alert">\n<h1>This page cannot be shown</h1>\n'
        f"<p><code>{text}</code></p>\n<p>Fix the file and save it again: this page reloads by itself.</p>\n"
        "</main>\n</body>\n</html>\n"
    ).encode()
