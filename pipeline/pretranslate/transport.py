"""The HTTP layer under deep-translator: timeouts, and what each failure means.

deep-translator calls `requests.get/post` without a timeout, so a server that
accepts and never answers blocks a thread for ever (and `socket.setdefaulttimeout`
does not help: urllib3 sets its own). Every one of those calls goes through
`requests.Session.request`, so while `hooked()` is active that method is wrapped:
for a thread inside `attempt(timeout)` the wrapper fills in the timeout and
records what happened (status code, `Retry-After`, a transport exception),
because deep-translator hides all three (Libre turns a 429 into a message string,
Microsoft logs a connection error and then crashes on `None.json()`), and sends
the request through a Session of its thread, so connections are reused instead of
opened (with a TLS handshake) for every text. Threads that are not inside
`attempt()` pass through untouched: the patch is scoped. Every answer (and every
redirect on the way to it) is read by `answers.read_body`, with ceilings on its
size and on the time until its last byte, before deep-translator sees it.

`classify` turns whatever an engine raised into one of three outcomes: retry
(`Transient`), give up on this text (`TextFailure`), or stop the run
(`EngineError` / `EngineAuthError`, one line each, never a traceback).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from pipeline.base.errors import PipelineError, UsageError
from pipeline.config.settings import ENGINES
from pipeline.pretranslate.answers import ANSWER_CAP, read_body


class EngineError(PipelineError):
    """The engine is unreachable or failing: the run stops (exit 1)."""


class EngineAuthError(UsageError):
    """Missing or rejected API key: fix the configuration (exit 2)."""


class Transient(Exception):
    """Worth retrying: 429, 5xx, a timeout or a connection error."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class TextFailure(Exception):
    """This text could not be translated (the others can): the entry stays untranslated."""


@dataclass
class Attempt:
    """What the wrapped `Session.request` saw during one engine call."""

    timeout: float
    seconds: float = 120.0  # the whole answer, first byte sent to last byte read
    limit: int = ANSWER_CAP  # bytes of answer, on the wire and decompressed
    label: str = "the engine"  # names the engine in a refusal
    requests: int = 0
    status: int | None = None
    retry_after: str | None = None
    error: requests.RequestException | None = None


_local = threading.local()
_lock = threading.Lock()
_users = 0
_original = requests.Session.request


def _request(self: requests.Session, *args: object, **kwargs: object) -> requests.Response:
    record: Attempt | None = getattr(_local, "attempt", None)
    if record is None:
        return _original(self, *args, **kwargs)
    if kwargs.get("timeout") is None and len(args) < 9:  # timeout is the 9th positional
        kwargs["timeout"] = (record.timeout, record.timeout)
    record.requests += 1
    # deep-translator opens a new Session, so a new connection (and TLS handshake),
    # for every request; this thread's own Session keeps connections alive instead.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        # Only what `answers` can inflate with a ceiling (requests would add br
        # or zstd when their modules happen to be installed).
        session.headers["Accept-Encoding"] = "gzip, deflate"
    # The body is read by a response hook, so a redirect's body (which requests
    # would read whole before following it) is bounded as well.
    deadline = time.monotonic() + record.seconds
    hooks = dict(kwargs.get("hooks") or {})  # type: ignore[call-overload]
    hooks["response"] = [*_listed(hooks.get("response")), _bounded(record, deadline)]
    kwargs["hooks"], kwargs["stream"] = hooks, True
    try:
        response = _original(session, *args, **kwargs)
    except requests.RequestException as exc:
        record.error = exc
        raise
    record.status = response.status_code
    record.retry_after = response.headers.get("Retry-After")
    return response


def _listed(hook: object) -> list[object]:
    if hook is None:
        return []
    return list(hook) if isinstance(hook, list | tuple) else [hook]


def _bounded(record: Attempt, deadline: float) -> object:
    def hook(response: requests.Response, **_: object) -> requests.Response:
        read_body(response, record.limit, deadline, record.timeout, record.label, record.seconds)
        return response

    return hook


@contextlib.contextmanager
def hooked() -> Iterator[None]:
    """Wrap `requests.Session.request` for the duration (nesting is counted)."""
    global _users
    with _lock:
        if _users == 0:
            requests.Session.request = _request  # type: ignore[method-assign]
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                requests.Session.request = _original  # type: ignore[method-assign]


@contextlib.contextmanager
def attempt(timeout: float, seconds: float = 120.0, limit: int = ANSWER_CAP, label: str = "") -> Iterator[Attempt]:
    """Give this thread's HTTP requests `timeout` (connect, each read), `seconds`
    for a whole answer and `limit` bytes of it, and record their outcome."""
    record = Attempt(timeout, seconds, limit, label or "the engine")
    _local.attempt = record
    try:
        yield record
    finally:
        _local.attempt = None


def classify(exc: BaseException, record: Attempt, engine: str, where: str) -> Exception:
    """Map what an engine call raised to `Transient`, `TextFailure`, `EngineError`
    or `EngineAuthError`. `where` names the server for messages."""
    error = record.error
    if isinstance(error, requests.Timeout):
        return Transient(f"no answer from {engine} at {where} within {record.timeout:g} s")
    if isinstance(error, requests.ConnectionError):
        return Transient(f"cannot reach {engine} at {where}: {_connection_reason(error)}")
    if error is not None:
        return EngineError(f"{engine} request failed: {type(error).__name__}: {error}")
    status = record.status
    if status in (401, 403):
        key_var = ENGINES[engine].key_var if engine in ENGINES else None
        if key_var:
            return EngineAuthError(f"{engine} refused the API key (HTTP {status}); check {key_var}")
        return EngineError(f"{engine} refused the request (HTTP {status})")
    if status == 429 or (status is not None and status >= 500):
        return Transient(f"{engine} answered HTTP {status}", _retry_after(record.retry_after))
    if status == 404:
        return EngineError(f"{engine} at {where} answered HTTP 404: is the engine URL right?")
    if status is not None and status >= 400:
        return TextFailure(f"{engine} rejected the text (HTTP {status})")
    name = type(exc).__name__
    if name == "TooManyRequests":
        return Transient(f"{engine} says too many requests")
    return TextFailure(f"unreadable answer from {engine} ({name})")


def _connection_reason(error: requests.ConnectionError) -> str:
    text = str(error)
    if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return "host name not found (offline?)"
    if "Connection refused" in text:
        return "connection refused (is the server running?)"
    if "Connection reset" in text or "RemoteDisconnected" in text or "aborted" in text:
        return "connection closed by the server"
    return "connection failed (offline?)"


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare for translation APIs; use our own backoff
