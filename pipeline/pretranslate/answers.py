"""An engine's answer, read as a stream with ceilings on bytes and time.

requests reads a body whole and urllib3 inflates gzip without limit, so one
hostile or broken server (a gzip bomb, an endless chunked body, a body that
drips a byte a second) could take all memory or hold a worker for ever: a read
timeout is per socket read and never fires while bytes keep coming. Here the
body is read in pieces, its bytes counted on the wire and again after
decompression (done here, with `max_length`, so one compressed piece never
inflates past the ceiling), and the whole answer must arrive before a deadline.
An answer over a ceiling raises `AnswerRefused`: the run stops with one line
naming the engine and the limit, and nothing of it is cached or written.

The ceiling follows what was sent: a translation is rarely more than a few times
its source, so 16 bytes per byte sent, on top of a floor for the envelope (JSON,
or the whole HTML page Google answers with), and never more than 1 MiB.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable

import requests
import urllib3

from pipeline.base.errors import PipelineError

ANSWER_FLOOR = 256 * 1024  # the envelope of any answer: Google's page, a JSON object
ANSWER_PER_BYTE = 16  # bytes of answer per byte of text sent
ANSWER_CAP = 1024 * 1024  # no answer is larger, however long the text
_PIECE = 64 * 1024  # bytes asked of the socket (and of the inflater) at a time
# Encodings we accept, and zlib's window bits for each (47: gzip or zlib header).
_DECODERS = {"": None, "identity": None, "gzip": 47, "x-gzip": 47, "deflate": 15}


class AnswerRefused(PipelineError):
    """An answer over a ceiling (bytes or time): the run stops (exit 1), as for
    an engine that is down; never retried (the same server would send it again)."""


def answer_limit(sent: str | None) -> int:
    """The most bytes an answer to `sent` may take (None: a request with no text)."""
    size = len(sent.encode("utf-8", "surrogatepass")) if sent else 0
    return min(ANSWER_CAP, ANSWER_FLOOR + ANSWER_PER_BYTE * size)


def read_body(
    response: requests.Response, limit: int, deadline: float, timeout: float, label: str, seconds: float
) -> None:
    """Read `response`'s body (sent with `stream=True`) into it, as requests would
    have, or raise `AnswerRefused` (closing the connection) if it is over `limit`
    bytes on the wire or decompressed, or not complete by `deadline` (monotonic,
    `seconds` after the request was sent). `timeout` bounds each read; `label`
    names the engine in a refusal."""
    try:
        body = _read(response, limit, deadline, timeout, label)
    except AnswerRefused:
        response.close()
        raise
    except urllib3.exceptions.ReadTimeoutError as exc:
        response.close()
        if time.monotonic() >= deadline:
            late = f"not complete within {seconds:g} s (answer_seconds)"
            raise AnswerRefused(f"{label}: answer refused: {late}") from None
        raise requests.exceptions.ReadTimeout(str(exc)) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        response.close()
        raise requests.exceptions.ConnectionError(str(exc)) from None
    response._content = body
    response._content_consumed = True
    response.raw.release_conn()


def _read(response: requests.Response, limit: int, deadline: float, timeout: float, label: str) -> bytes:
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    if encoding not in _DECODERS:
        raise AnswerRefused(f"{label}: answer refused: Content-Encoding {encoding!r} was not asked for")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise AnswerRefused(f"{label}: answer refused: {int(declared):,} bytes announced, the limit is {limit:,}")
    wbits = _DECODERS[encoding]
    inflate = zlib.decompressobj(wbits) if wbits else None
    out = bytearray()
    wire = 0
    raw = response.raw
    while True:
        _wait_at_most(raw, min(timeout, deadline - time.monotonic()))
        piece = raw.read1(_PIECE, decode_content=False)
        if not piece:
            break
        wire += len(piece)
        if wire > limit:
            raise AnswerRefused(f"{label}: answer refused: more than {limit:,} bytes (the limit for this text)")
        if inflate is None:
            out += piece
        else:
            _inflate(inflate, piece, out, limit, label)
    if inflate is not None:
        out += inflate.flush()
        if len(out) > limit:
            raise _too_big(label, limit)
    return bytes(out)


def _inflate(inflate: zlib._Decompress, piece: bytes, out: bytearray, limit: int, label: str) -> None:
    """Inflate `piece` into `out` no further than the ceiling: `max_length` stops
    zlib after the bytes still allowed (plus one, to know the ceiling was crossed)."""
    data = piece
    while data:
        try:
            out += inflate.decompress(data, limit - len(out) + 1)
        except zlib.error:
            raise AnswerRefused(f"{label}: answer refused: its compressed body is damaged") from None
        if len(out) > limit:
            raise _too_big(label, limit)
        data = inflate.unconsumed_tail


def _too_big(label: str, limit: int) -> AnswerRefused:
    return AnswerRefused(f"{label}: answer refused: more than {limit:,} bytes decompressed (the limit for this text)")


def _wait_at_most(raw: urllib3.response.BaseHTTPResponse, seconds: float) -> None:
    """Make the next socket read give up after `seconds` (the deadline's rest), so a
    body that drips is cut at the deadline, not one read timeout later."""
    if seconds <= 0:
        raise urllib3.exceptions.ReadTimeoutError(None, None, "deadline")  # type: ignore[arg-type]
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    settimeout: Callable[[float], None] | None = getattr(sock, "settimeout", None)
    if settimeout is not None:
        settimeout(seconds)
