"""`serve`: the built site on 127.0.0.1, for previews (never for production)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import ClassVar

from pipeline.errors import UsageError


class _Handler(http.server.SimpleHTTPRequestHandler):
    # Feeds and sitemaps are XML; Python's guess for .xml is fine, this makes it explicit.
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the terminal during a preview


def make_server(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A static file server for `directory` on 127.0.0.1:`port` (0: any free port)."""
    if not directory.is_dir():
        raise UsageError(f"{directory.name}/ does not exist yet; run `make publish` first")
    handler = functools.partial(_Handler, directory=str(directory))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
