"""A LibreTranslate-compatible HTTP server on 127.0.0.1 for tests and the benchmark.

It speaks what deep-translator's `LibreTranslator` sends — `POST /translate` with
`q`, `source`, `target`, `format`, `api_key` in the query string — and what the
real server also accepts (a form or JSON body, `q` as a list), plus
`GET /languages`. Its "translation" is deterministic and keeps anything that is not
a word: a small en→de/fr dictionary, and every other word with its letter case
swapped ("Amyotrophic" → "aMYOTROPHIC"), so a URL, code span or trial ID that
reached the server unprotected comes back visibly changed.

Knobs (attributes, changeable while it runs): `latency` (seconds per request),
`hang` (accept and never answer), `fail_first` + `fail_status` (answer the first N
translate requests with 429/503), `garbage` (see `GARBAGE`), `api_key` (answer 403
to any other key), `replace` (words the "engine" substitutes, to ignore a glossary),
`append` (text added to every answer: a hostile engine's script or link).
`hostile` (see `HOSTILE`: a gzip bomb, an endless body, a body that drips).
`requests` counts translate requests, `texts` logs every text received,
`max_inflight` is the most requests it was answering at once. `retry_after` adds
that header to 429/503 answers.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

GARBAGE = ("html", "no-field", "drop-token", "dup-token", "mangle-token", "space-tokens")
# Answers that attack the client's memory or time, made as they are sent (nothing
# stored): "gzip-bomb" (gzip of zeros, ~4 MB inflating to 4 GiB), "endless" (a
# chunked body that never ends), "drip" (a valid answer, one byte every 0.2 s).
HOSTILE = ("gzip-bomb", "endless", "drip")

# fmt: off
WORDS = {
    "de": {
        "the": "die", "and": "und", "is": "ist", "of": "von", "with": "mit", "in": "in", "a": "ein",
        "patients": "Patienten", "disease": "Krankheit", "study": "Studie", "cell": "Zelle", "cells": "Zellen",
        "stem": "Stamm", "see": "siehe", "for": "für", "what": "was", "are": "sind", "by": "von",
    },
    "fr": {
        "the": "le", "and": "et", "is": "est", "of": "de", "with": "avec", "in": "dans", "a": "un",
        "patients": "patients", "disease": "maladie", "study": "étude", "cell": "cellule", "cells": "cellules",
        "stem": "souche", "see": "voir", "for": "pour", "what": "que", "are": "sont", "by": "par",
    },
}
# fmt: on
_WORD_RE = re.compile(r"[^\W\d_]+")
_TOKEN_RE = re.compile(r"⟦(\d+)⟧")
LANGUAGES = [
    {"code": code, "name": name, "targets": ["de", "en", "fr"]}
    for code, name in (("en", "English"), ("de", "German"), ("fr", "French"))
]


def fake_translate(text: str, target: str, replace: dict[str, str] | None = None) -> str:
    """The server's deterministic translation of `text` into `target`."""
    words = WORDS.get(target, {})
    replace = replace or {}

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if w in replace:
            return replace[w]
        found = words.get(w.lower())
        if found is None:
            return w.swapcase()
        return found[:1].upper() + found[1:] if w[:1].isupper() else found

    return _WORD_RE.sub(word, text)


class LibreServer:
    """`with LibreServer(latency=0.05) as server: ... server.url ...`"""

    def __init__(self, **knobs: object) -> None:
        self.latency = 0.0
        self.hang = False
        self.fail_first = 0
        self.fail_status = 503
        self.garbage: str | None = None
        self.api_key: str | None = None
        self.retry_after: str | None = None
        self.replace: dict[str, str] = {}
        self.append = ""
        self.hostile: str | None = None
        for name, value in knobs.items():
            if not hasattr(self, name):
                raise TypeError(f"unknown knob {name}")
            setattr(self, name, value)
        self.requests = 0
        self.failed = 0
        self.inflight = 0
        self.max_inflight = 0
        self.texts: list[str] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.app = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> LibreServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()  # let hanging handlers go
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        with self.lock:
            self.requests = 0
            self.failed = 0
            self.max_inflight = 0
            self.texts = []

    def answer(self, texts: list[str], target: str) -> list[str]:
        """Translate, then apply the `garbage` knob's damage."""
        out = [fake_translate(t, target, self.replace) for t in texts]
        if self.garbage == "drop-token":
            out = [_TOKEN_RE.sub("", t, count=1) for t in out]
        elif self.garbage == "dup-token":
            out = [_TOKEN_RE.sub(lambda m: m.group(0) * 2, t, count=1) for t in out]
        elif self.garbage == "mangle-token":
            out = [_TOKEN_RE.sub(lambda m: f"[{m.group(1)}]", t, count=1) for t in out]
        elif self.garbage == "space-tokens":  # what real engines do, and must be tolerated
            out = [_TOKEN_RE.sub(lambda m: f" ⟦ {m.group(1)} ⟧ ", t) for t in out]
        return [t + self.append for t in out]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out and left: expected here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeLibre/1.0"
    # Headers and body are two writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK, adding milliseconds to every request that are not latency.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"  # keep-alive, like a real server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if urlparse(self.path).path.rstrip("/") == "/languages":
            self._json(200, LANGUAGES)
        else:
            self._json(404, {"error": "Not Found"})

    def do_POST(self) -> None:
        app: LibreServer = self.server.app  # type: ignore[attr-defined]
        url = urlparse(self.path)
        if url.path.rstrip("/") != "/translate":
            self._json(404, {"error": "Not Found"})
            return
        params: dict[str, object] = {k: v[-1] for k, v in parse_qs(url.query).items()}
        params.update(self._body())
        q = params.get("q")
        batch = isinstance(q, list)  # real LibreTranslate takes a JSON list of texts
        texts = [str(t) for t in q] if isinstance(q, list) else [q] if isinstance(q, str) else []
        with app.lock:
            app.requests += 1
            app.texts.extend(texts)
            failing = app.failed < app.fail_first
            if failing:
                app.failed += 1
            app.inflight += 1
            app.max_inflight = max(app.max_inflight, app.inflight)
        self._translate(app, params, texts, batch, failing)

    def _translate(
        self, app: LibreServer, params: dict[str, object], texts: list[str], batch: bool, failing: bool
    ) -> None:
        try:
            if app.latency:
                time.sleep(app.latency)
        finally:
            with app.lock:
                app.inflight -= 1  # counted while "translating", before the answer is written
        if app.hang:
            app.release.wait()
            self.close_connection = True
            return  # the connection closes without an answer
        if app.api_key is not None and params.get("api_key") != app.api_key:
            self._json(403, {"error": "Invalid API key"})
            return
        if failing:
            status = app.fail_status
            message = "Slowdown: too many requests" if status == 429 else "Service unavailable"
            self._json(status, {"error": message}, {"Retry-After": app.retry_after} if app.retry_after else {})
            return
        if not texts or not params.get("target"):
            self._json(400, {"error": "Invalid request: missing q or target parameter"})
            return
        if app.garbage == "html":
            self._raw(200, b"<html><body>Bad Gateway</body></html>", "text/html")
            return
        if app.garbage == "no-field":
            self._json(200, {"detectedLanguage": {"confidence": 90, "language": "en"}})
            return
        out = app.answer(texts, str(params["target"]))
        if app.hostile:
            with contextlib.suppress(OSError):  # the client hung up: that is the point
                self._hostile(app.hostile, json.dumps({"translatedText": out if batch else out[0]}).encode())
            self.close_connection = True
            return
        self._json(200, {"translatedText": out if batch else out[0]})

    def _hostile(self, kind: str, answer: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        if kind == "gzip-bomb":
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if kind == "gzip-bomb":
            squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
            zeros = bytes(1 << 20)
            for _ in range(4096):  # 4 GiB inflated
                self._chunk(squeeze.compress(zeros))
            self._chunk(squeeze.flush())
        elif kind == "endless":
            piece = b"a" * 65536
            while True:
                self._chunk(piece)
        elif kind == "drip":
            for byte in answer:
                self._chunk(bytes([byte]))
                time.sleep(0.2)
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _body(self) -> dict[str, object]:
        if hasattr(self, "_parsed_body"):
            return self._parsed_body
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: dict[str, object] = {}
        if raw and "json" in (self.headers.get("Content-Type") or ""):
            body = json.loads(raw)
        elif raw:
            body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        self._parsed_body = body
        return body

    def _json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
        self._raw(status, json.dumps(data, ensure_ascii=False).encode(), "application/json", headers)

    def _raw(self, status: int, payload: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
