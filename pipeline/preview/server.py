"""`serve`: the live preview on 127.0.0.1 (never for production).

Article pages, the edition indexes, feeds, sitemap and language chooser come
from a `live.LiveSite` (rendered from the files as they are now); everything else
(the search pages and their Pagefind bundle, the 404 pages, the stylesheet) from
`output/` as the last build left it; `/review/...` from the project's `review/` folder (or
`output/review/`). Every HTML response gets one line before `</body>`, a script
that listens to `/__live/events` (Server-Sent Events) and reloads the page when a
change affects it; the script exists only in responses, never in `output/`.

The server answers only its own host and its own folders:

- `Host` must name the address it listens on (`127.0.0.1`, `localhost` or `[::1]`,
  with its port), else 403: a page on another site that rebinds its DNS name to
  127.0.0.1 cannot read the preview (or `/review/`, the reviewer's page);
- GET and HEAD share one resolution rooted in `output/` (or `review/`): paths are
  resolved by `SimpleHTTPRequestHandler.translate_path` (which drops `..` and drive
  components), and a file is served only if its real path is inside the served
  folder, so neither a crafted URL nor a link in `output/` reaches elsewhere;
- a path with a NUL or another control character, or not UTF-8, is 400;
- connections are bounded: an idle one is closed after `IDLE_TIMEOUT`, and beyond
  `MAX_CONNECTIONS` open at once the longest-waiting connection that has not sent a
  request is closed; at most `MAX_STREAMS` reload streams are open (more: 503). So a
  thousand held connections leave it serving pages and watching files (each held
  connection is a descriptor, and the usual limit is 1,024).
"""

from __future__ import annotations

import contextlib
import html
import http.server
import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from pipeline.base.errors import UsageError

IDLE_TIMEOUT = 20.0  # seconds a connection may wait between requests
MAX_CONNECTIONS = 128
MAX_STREAMS = 32
_BAD_PATH_CHARS = frozenset(chr(c) for c in (*range(0x20), 0x7F))
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

    timeout = IDLE_TIMEOUT  # StreamRequestHandler: the socket's timeout, so an idle connection ends

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the terminal during a preview

    def handle_one_request(self) -> None:
        self.server.waiting(self.connection)  # type: ignore[attr-defined]
        super().handle_one_request()

    def parse_request(self) -> bool:
        self.server.working(self.connection)  # type: ignore[attr-defined]
        return super().parse_request()

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        """GET and HEAD alike: the host checked, the path checked, then one resolution."""
        if not self.server.own_host(self.headers.get("Host", "")):  # type: ignore[attr-defined]
            return self.send_error(403, "Not this server's host")
        path = urllib.parse.urlsplit(self.path).path
        rel = urllib.parse.unquote(path, errors="strict") if _utf8(path) else None
        if rel is None or _BAD_PATH_CHARS.intersection(rel):
            return self.send_error(400, "Malformed path")
        if path == EVENTS and self.events is not None and not head:
            return self._stream(self.events)
        if path == SCRIPT:
            return self._send(_JS, "text/javascript; charset=utf-8", head)
        rel = rel.lstrip("/")
        live = type(self).page
        if live is not None and ".." not in rel.split("/"):
            found = live(rel)
            if found is not None:
                status, kind, data = found
                if status in (200, 404) and data:  # a 404 with a body: the preview says why
                    return self._send(data, kind, head, status)
                return self.send_error(status, "File not found")
        self.directory = self.output
        if rel.startswith("review/") and self.review and os.path.isdir(self.review):
            self.directory = self.review
            self.path = self.path[len("/review") :]
        file = self._local(self.path)
        if file is None:
            return self.send_error(404, "File not found")
        if file.endswith((".html", ".svg")):
            with open(file, "rb") as handle:
                kind = "text/html; charset=utf-8" if file.endswith(".html") else SVG
                return self._send(handle.read(), kind, head)
        return super().do_HEAD() if head else super().do_GET()

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

    def _send(self, data: bytes, kind: str, head: bool = False, status: int = 200) -> None:
        if kind.startswith("text/html") and self.events is not None:
            data = inject(data)  # only a server with a reload stream has pages to reload
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if kind == SVG:  # opened on its own, an SVG is a document: no script of it runs
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _stream(self, events: Events) -> None:
        """Server-Sent Events until the client goes or the server stops."""
        if not self.server.stream_opened():  # type: ignore[attr-defined]
            return self.send_error(503, "Too many open previews")
        try:
            self._events(events)
        finally:
            self.server.stream_closed()  # type: ignore[attr-defined]

    def _events(self, events: Events) -> None:
        self.connection.settimeout(None)  # a stream is idle by design: its pings find a gone page
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


def _utf8(path: str) -> bool:
    """Whether the percent-encoded `path` decodes as UTF-8."""
    try:
        urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


class PreviewServer(http.server.ThreadingHTTPServer):
    """Threads per request, none of which keeps the process alive (an open event
    stream must not block Ctrl-C); connections bounded (see the module docstring)."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the listen backlog (socketserver's 5 turned a burst of connections into SYN retries)

    def __init__(self, address: tuple[str, int], handler: type) -> None:
        super().__init__(address, handler)
        port = self.server_address[1]
        self.hosts = {f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]")}
        self.guard = threading.Lock()
        self.open: dict[object, bool] = {}  # connection → waiting for a request (insertion order: oldest first)
        self.streams = 0

    def own_host(self, host: str) -> bool:
        return host.strip().lower() in self.hosts

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self.guard:
            self.open[request] = True
            evict = self._oldest_waiting() if len(self.open) > MAX_CONNECTIONS else None
        if evict is not None:
            _close(evict)
        super().process_request(request, client_address)

    def _oldest_waiting(self) -> object | None:
        return next((conn for conn, waiting in self.open.items() if waiting), None)

    def waiting(self, conn: object) -> None:
        with self.guard:
            if conn in self.open:
                self.open[conn] = True

    def working(self, conn: object) -> None:
        with self.guard:
            if conn in self.open:
                self.open[conn] = False

    def shutdown_request(self, request) -> None:  # type: ignore[no-untyped-def]
        with self.guard:
            self.open.pop(request, None)
        super().shutdown_request(request)

    def stream_opened(self) -> bool:
        with self.guard:
            if self.streams >= MAX_STREAMS:
                return False
            self.streams += 1
            return True

    def stream_closed(self) -> None:
        with self.guard:
            self.streams -= 1


def _close(conn: object) -> None:
    """End a held connection: its handler's next read sees the end and returns."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]


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
    return _explanation(
        "This page cannot be shown",
        f"<code>{html.escape(message)}</code>",
        "Fix the file and save it again: this page reloads by itself.",
    )


def withheld_page(lang: str, reason: str) -> bytes:
    """What the preview shows at an edition the build withholds: why (the policy's
    words), and how to see it with its drafts marked."""
    return _explanation(
        "This edition is not published",
        f"The {html.escape(lang)} edition is withheld: {html.escape(reason)}. The published site shows a notice "
        "linking the original here, if the edition was published before.",
        "To preview it with its drafts marked: <code>make serve DRAFTS=1</code> (or <code>serve --drafts</code>).",
    )


def _explanation(title: str, first: str, second: str) -> bytes:
    """A preview-only page of two paragraphs (`first`, `second`: HTML, escaped by the caller)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Preview: {title}</title>\n"
        '<link rel="icon" href="data:,">\n'  # the site has no /favicon.ico: its pages name their icon
        "<style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem auto;max-width:48rem;padding:0 1rem}"
        ".preview-error{border-left:.4rem solid #b00020;background:#fdecee;padding:1rem 1.25rem}"
        "code{white-space:pre-wrap}</style>\n</head>\n<body>\n"
        f'<main class="preview-error" role="alert">\n<h1>{title}</h1>\n'
        f"<p>{first}</p>\n<p>{second}</p>\n"
        "</main>\n</body>\n</html>\n"
    ).encode()
