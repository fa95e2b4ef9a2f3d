"""deep-translator's engines, with what it lacks: timeouts, retries, rate limits,
length limits, ceilings on answers and clear errors.

One `Engine` serves all worker threads of a run. deep-translator's translators keep
request parameters on the instance (Google and MyMemory write the text into
`self._url_params`), so one shared instance would send one thread's text with
another's request: each thread gets its own shallow copy of a prototype built
once (Microsoft's constructor already calls the network; that happens once, under
the same timeout as every request).
"""

from __future__ import annotations

import copy
import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.base.errors import PipelineError, UsageError
from pipeline.config.settings import ENGINES, EngineSpec, MtSettings
from pipeline.pretranslate.answers import answer_limit
from pipeline.pretranslate.transport import (
    EngineAuthError,
    EngineError,
    TextFailure,
    Transient,
    attempt,
    classify,
)

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_MYMEMORY_ERRORS = ("MYMEMORY WARNING", "QUERY LENGTH LIMIT", "INVALID LANGUAGE PAIR", "PLEASE SELECT TWO DISTINCT")


class Stopped(Exception):
    """The run is stopping; the text was not sent."""


@dataclass(frozen=True)
class Pair:
    """Source and target language codes as the engine spells them."""

    source: str
    target: str


class RateLimiter:
    """At most `rate` request starts per second across all threads (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if stop.wait(max(0.0, start - time.monotonic())):
            raise Stopped


class Engine:
    """Translate texts from one language pair through one deep-translator engine."""

    def __init__(self, settings: MtSettings, source: str, target: str, stop: threading.Event | None = None) -> None:
        self.settings = settings
        self.name = settings.engine
        self.where = settings.engine_url or self.name
        self.stop = stop or threading.Event()
        self.limiter = RateLimiter(settings.rate_limit)
        self.requests = 0  # HTTP requests sent, retries included
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self._prototype = self._guarded(lambda: _construct(settings, source, target), construct=True)

    def translate(self, text: str) -> str:
        """`text` translated, split at sentence ends if it is longer than the
        engine accepts. Raises `TextFailure`, `EngineError`, `EngineAuthError` or `Stopped`."""
        out = []
        for chunk, gap in _chunks(text, self.settings.spec.max_chars):
            out.append(self._translate_once(chunk) + gap)
        return "".join(out)

    def _translate_once(self, text: str) -> str:
        delay = self.settings.backoff
        for number in range(self.settings.retries + 1):
            if self.stop.is_set():
                raise Stopped
            self.limiter.wait(self.stop)
            try:
                result = self._guarded(lambda: self._translator().translate(text), sent=text)
            except Transient as exc:
                if number == self.settings.retries:
                    self.stop.set()
                    raise EngineError(f"{exc.reason} (after {number + 1} attempts)") from None
                wait = min(exc.retry_after if exc.retry_after is not None else delay, self.settings.max_backoff)
                # Jitter so that eight workers do not retry in lock-step.
                if self.stop.wait(wait * random.uniform(1.0, 1.5)):
                    raise Stopped from None
                delay *= 2
                continue
            if not isinstance(result, str) or (text.strip() and not result.strip()):
                raise TextFailure(f"{self.name} returned no translation")
            if self.name == "mymemory" and result.upper().startswith(_MYMEMORY_ERRORS):
                # MyMemory answers quota and input errors with HTTP 200 and the
                # message in place of the translation.
                self.stop.set()
                raise EngineError(f"mymemory: {result.strip()[:120]}")
            return result
        raise AssertionError("unreachable")

    def _translator(self) -> object:
        translator = getattr(self._local, "translator", None)
        if translator is None:
            translator = copy.copy(self._prototype)
            params = getattr(translator, "_url_params", None)
            if isinstance(params, dict):
                translator._url_params = dict(params)
            self._local.translator = translator
        return translator

    def _guarded(self, call: Callable[[], object], construct: bool = False, sent: str | None = None) -> object:
        """Run one deep-translator call under the timeouts and the answer's ceilings
        (`answers`: in proportion to `sent`), and map its failures."""
        s = self.settings
        label = f"{self.name} at {self.where}" if self.where != self.name else self.name
        with attempt(s.timeout, s.answer_seconds, answer_limit(sent), label) as record:
            try:
                return call()
            except PipelineError:
                self.stop.set()  # ours, already one clear line (a refused answer, a missing key)
                raise
            except Exception as exc:  # deep-translator leaks anything; classify all of it
                mapped = (_construct_error(exc, self.name) if construct else None) or classify(
                    exc, record, self.name, self.where
                )
                if construct and isinstance(mapped, Transient | TextFailure):
                    mapped = EngineError(str(mapped))  # cannot even start: no retry loop here
                if isinstance(mapped, PipelineError):
                    self.stop.set()  # other workers start nothing more
                raise mapped from None
            finally:
                with self._count_lock:
                    self.requests += record.requests


def engine_codes(settings: MtSettings, source: str, target: str) -> Pair:
    """The engine's spelling of two gettext language codes (no network)."""
    spec = settings.spec
    languages = _languages(spec)
    if languages is None:  # Microsoft: its list comes from the network
        return Pair(_dash(source), _dash(target))
    return Pair(_code(spec, source, languages), _code(spec, target, languages))


def _construct(settings: MtSettings, source: str, target: str) -> object:
    import deep_translator as dt  # heavy import (BeautifulSoup): only when needed

    spec = settings.spec
    pair = engine_codes(settings, source, target)
    options: dict[str, object] = {param: os.environ.get(var) or None for param, var in spec.env.items()}
    if spec.key_required and not options.get("api_key"):
        raise EngineAuthError(f"the {spec.name} engine needs an API key: set {spec.key_var} in the environment")
    if spec.url:
        # A self-hosted server may not check keys, but deep-translator insists on one.
        options["api_key"] = options.get("api_key") or "no-key"
        url = settings.engine_url
        options["custom_url"] = url if url.endswith("/") else url + "/"
    if spec.name == "deepl":
        # DeepL's free-plan keys end in ":fx" and live on a different host.
        options["use_free_api"] = str(options["api_key"]).endswith(":fx")
    return getattr(dt, spec.translator)(source=pair.source, target=pair.target, **options)


def _construct_error(exc: Exception, name: str) -> Exception | None:
    kind = type(exc).__name__
    if kind == "LanguageNotSupportedException":
        return UsageError(f"the {name} engine does not support this language pair")
    if kind == "ApiKeyException":
        return EngineAuthError(f"the {name} engine needs an API key: set {ENGINES[name].key_var or 'its key'}")
    return None


def _languages(spec: EngineSpec) -> set[str] | None:
    from deep_translator import constants

    table = getattr(constants, spec.languages) if spec.languages else None
    return set(table.values()) if table is not None else None


def _code(spec: EngineSpec, lang: str, known: set[str]) -> str:
    dashed = _dash(lang)
    base = dashed.split("-")[0].lower()
    candidates = [spec.aliases.get(dashed), spec.aliases.get(base), dashed, dashed.lower(), base]
    if spec.regional:  # wants en-GB, de-DE, fr-FR ...
        candidates += ["en-GB" if base == "en" else f"{base}-{base.upper()}"]
        candidates += sorted(c for c in known if c.lower().startswith(base + "-"))
    for candidate in candidates:
        if candidate and candidate in known:
            return candidate
    raise UsageError(f"the {spec.name} engine does not support the language '{lang}'")


def _dash(lang: str) -> str:
    return lang.replace("_", "-")


def _chunks(text: str, limit: int) -> list[tuple[str, str]]:
    """(chunk, whitespace after it) pieces under `limit` characters, split at
    sentence ends, else at spaces; short texts are one piece."""
    if len(text) <= limit:
        return [(text, "")]
    pieces: list[tuple[str, str]] = []
    at = 0
    while len(text) - at > limit:
        window = text[at : at + limit]
        cut = None
        for regex in (_SENTENCE_END, re.compile(r"\s+")):
            ends = [m for m in regex.finditer(window) if m.start() > 0]
            if ends:
                cut = ends[-1]
                break
        if cut is None:
            raise TextFailure(f"text too long for the engine ({len(text)} characters, no place to split)")
        pieces.append((window[: cut.start()], window[cut.start() : cut.end()]))
        at += cut.end()
    pieces.append((text[at:], ""))
    return pieces
