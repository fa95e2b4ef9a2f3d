"""`pretranslate`: memory first, then an engine, drafts saved as they come.

For one target language:

1. read every article's catalog strictly (a broken one is reported and skipped);
2. pick the entries to fill: live, msgstr empty, not the slug, not `keep-source`
   (reviewed entries and fuzzy human translations are never touched);
3. translation memory: exact and near matches from reviewed entries of every
   catalog of the language; saved at once, no network needed;
4. the rest is protected (`markup.tokens`), deduplicated over all articles by the exact
   text an engine would see, looked up in the cache, cut to `--limit`;
5. the remaining texts go to the engine on `workers` threads; each answer is
   restored, checked against the same markup model QA uses, and written as a
   fuzzy draft; catalogs are saved every `save_every` drafts or `save_seconds`;
6. an engine that is down or refuses the key stops the run: what was done is
   saved, the error is one line.

Everything here returns a `Report`; printing is the command line's business.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.base.errors import PipelineError, UsageError
from pipeline.catalog.model import SLUG_CONTEXT, keeps_source
from pipeline.catalog.pofile import read_po
from pipeline.catalog.project import catalog_refs
from pipeline.catalog.splice import CatalogFile, Draft, Key, key_of
from pipeline.config.glossary import Term, load_glossary
from pipeline.config.load import Config
from pipeline.config.settings import ENGINES, MtSettings
from pipeline.markup.gate import Gate
from pipeline.markup.spans import entry_patterns, protected_spans
from pipeline.markup.tokens import Protected, TokenError, protect, restore
from pipeline.pretranslate import transport
from pipeline.pretranslate.cache import CACHE_DIR, CACHE_FILE, Cache
from pipeline.pretranslate.engines import Engine, Stopped
from pipeline.pretranslate.memory import Memory, imported_path
from pipeline.pretranslate.pool import Pool
from pipeline.pretranslate.report import Problem, Report
from pipeline.pretranslate.terms import Terms, ignored, in_source, terms_for
from pipeline.pretranslate.transport import TextFailure
from pipeline.source.convert import Converter


class Progress(Protocol):
    """What the run needs of a progress bar (tqdm fits)."""

    def update(self, n: int = 1) -> Any: ...
    def close(self) -> Any: ...


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class _Target:
    catalog: CatalogFile
    key: Key
    line: int
    protected: Protected | None = None  # what the engine sees (None: from memory)
    check: tuple[Term, ...] = ()  # glossary terms the engine's answer should contain
    patterns: tuple[str, ...] = ()  # protected patterns for this entry

    @property
    def where(self) -> str:
        return f"{self.catalog.rel}:{self.line}" if self.line else self.catalog.rel


@dataclass
class _Job:
    source: str
    text: str
    targets: list[_Target]


def pretranslate(
    config: Config,
    langs: Iterable[str],
    settings: MtSettings,
    *,
    dry_run: bool = False,
    limit: int | None = None,
    today: str | None = None,
    progress: Callable[[str, int], Progress] | None = None,
    refresh: bool = False,
) -> list[Report]:
    """Pretranslate every article into each of `langs`; one `Report` per language.
    `refresh`: forget the engine's cached answers first (they are asked for again)."""
    cache = Cache(config.root / CACHE_DIR / CACHE_FILE if settings.cache else None)
    if refresh and settings.engine and not dry_run:
        cache.forget(settings.engine)
    reports: list[Report] = []
    try:
        for lang in langs:
            reports.append(_LanguageRun(config, lang, settings, cache, dry_run, limit, today, progress).run())
            if reports[-1].error is not None:
                break  # an engine that is down for one language is down for the next
    finally:
        cache.close()
    return reports


NO_ENGINE = (
    "{n} text(s) need a machine translation engine and none is chosen: set engine in [tool.pipeline.mt] "
    "(" + ", ".join(ENGINES) + ") or pass --engine NAME; nothing was sent"
)


class _LanguageRun:
    def __init__(
        self,
        config: Config,
        lang: str,
        settings: MtSettings,
        cache: Cache,
        dry_run: bool,
        limit: int | None,
        today: str | None,
        progress: Callable[[str, int], Progress] | None,
    ) -> None:
        self.config, self.lang, self.settings, self.cache = config, lang, settings, cache
        self.dry_run, self.limit = dry_run, limit
        self.today = today or dt.date.today().isoformat()
        self.progress = progress or (lambda desc, total: _NoProgress())
        self.report = Report(lang, settings.engine, dry_run)
        self.catalogs: list[tuple[str, CatalogFile]] = []  # (article source language, catalog)
        self.unsaved = 0
        self.last_save = time.monotonic()
        self.stop = threading.Event()
        self._gate: Gate | None = None  # the page's sanitizer gate, made on first use

    def run(self) -> Report:
        self._load()
        memory = self._memory()
        glossary = load_glossary(self.config.locales_dir)
        jobs: dict[tuple[str, str], _Job] = {}
        terms: dict[str, Terms] = {}
        for source, catalog in self.catalogs:
            pair = terms.setdefault(source, terms_for(glossary, source, self.lang, self.settings.glossary))
            for entry in catalog.po:
                if not _eligible(entry):
                    continue
                self.report.untranslated += 1
                if self._from_memory(catalog, entry, memory):
                    continue
                patterns = entry_patterns(self.config.protected_patterns, entry.flags)
                protected = protect(entry.msgid, patterns, pair.keep, self._prefer(pair))
                check = protected.terms if self.settings.glossary == "apply" else in_source(entry.msgid, pair.prefer)
                target = _Target(catalog, key_of(entry), entry.linenum or 0, protected, tuple(check), patterns)
                if not protected.translatable:
                    self._draft(target, Draft(entry.msgid, f"copy {self.today}"))
                    self.report.copied += 1
                    continue
                jobs.setdefault((source, protected.text), _Job(source, protected.text, [])).targets.append(target)
        self.report.texts = len(jobs)
        todo = [job for job in jobs.values() if not self._from_cache(job)]
        self._save(force=True)  # memory, copies and cached answers: one batch, before any request
        if self.limit is not None and len(todo) > self.limit:
            self.report.deferred = sum(len(job.targets) for job in todo[self.limit :])
            todo = todo[: self.limit]
        if todo and not self.settings.engine and not self.dry_run:
            # Memory, copies and cached answers are saved; the rest needs an engine nobody chose.
            self.report.error = UsageError(NO_ENGINE.format(n=len(todo)))
            return self.report
        self.report.sent = len(todo)
        self.report.chars = sum(len(job.text) for job in todo)
        if self.dry_run:
            self.report.would_send = [job.text for job in todo]
        elif todo:
            self._send(todo)
        return self.report

    # -- reading ------------------------------------------------------------------

    def _load(self) -> None:
        """Every catalog `update` maintains for the language: the page chrome's
        (`site`) and each article's, with the language its source is written in."""
        refs, errors = catalog_refs(self.config, [self.lang])
        self.report.errors.extend(errors)
        for ref in refs:
            rel = self.config.rel(ref.path)
            if not ref.path.exists():
                hint = f"run `python -m pipeline update --lang {self.lang}` first"
                self.report.errors.append(PipelineError(f"no catalog yet; {hint}", rel))
                continue
            try:
                catalog = CatalogFile.load(ref.path, rel, self.lang, self.config.po_width)
                self.catalogs.append((ref.source_lang, catalog))
            except PipelineError as exc:
                self.report.errors.append(exc)
        self.report.catalogs = len(self.catalogs)

    def _memory(self) -> Memory:
        """Reviewed entries of every catalog of the language, read before any draft."""
        loaded = {c.path.resolve(): c.po for _, c in self.catalogs}
        entries, drafts = [], []
        folder = self.config.locales_dir / self.lang
        agency = imported_path(self.config.locales_dir, self.lang).resolve()
        for path in sorted(folder.rglob("*.po")) if folder.is_dir() else []:
            po = loaded.get(path.resolve())
            if po is None:
                try:
                    po = read_po(path, self.config.rel(path), self.lang)
                except PipelineError as exc:
                    if path.resolve() == agency:  # the agency's memory unread is worth a line
                        self.report.errors.append(exc)
                    continue  # not an article's catalog: its problems are not this run's
            entries.extend(po)
            if path.resolve() == agency:  # its fuzzy entries: an agency's work nobody reviewed yet
                drafts.extend(e for e in po if e.fuzzy)
        return Memory(entries, self.settings.near_matches, self.config.protected_patterns, drafts)

    def _prefer(self, terms: Terms) -> tuple[Term, ...]:
        return terms.prefer if self.settings.glossary == "apply" else ()

    # -- drafts -------------------------------------------------------------------

    def _from_memory(self, catalog: CatalogFile, entry: Any, memory: Memory) -> bool:
        match = memory.lookup(entry.msgid, entry.msgctxt)
        if match is None:
            return False
        target = _Target(catalog, key_of(entry), entry.linenum or 0)
        if match.exact:
            # One rule for what is reviewed: only a match a person at the clinic reviewed
            # (a catalog's, or an agency's imported with --reviewed) may become reviewed.
            reviewed = self.settings.exact_matches == "reviewed" and not match.conflict and match.reviewed
            note = ", several reviewed translations" if match.conflict else ""
            note += "" if match.reviewed else ", agency memory not reviewed"
            draft = Draft(match.msgstr, f"memory {self.today} (100%{note})", fuzzy=not reviewed)
            self.report.memory_exact += 1
        else:
            draft = Draft(match.msgstr, f"memory {self.today} ({match.score}%)", True, match.msgid, match.msgctxt)
            self.report.memory_near += 1
        self._draft(target, draft)
        return True

    def _draft(self, target: _Target, draft: Draft) -> None:
        if self.dry_run:
            return
        if target.catalog.put(target.key, draft):
            self.unsaved += 1

    def _answer(self, job: _Job, answer: str) -> bool:
        """Restore and write one engine answer into every entry that asked for it;
        False if any restoration failed (the answer is then not cached)."""
        clean = True
        for target in job.targets:
            assert target.protected is not None
            try:
                text = restore(answer, target.protected)
                _check_markup(target.protected.source, text, target.patterns)
                self._check_safe(target.protected.source, text, target.patterns)
            except TokenError as exc:
                self.report.failed.append(Problem(target.where, f"left untranslated: {exc}"))
                clean = False
                continue
            self._draft(target, Draft(text, f"{self.settings.engine} {self.today}"))
            self.report.machine += 1
            for term in ignored(text, target.check):
                self.report.glossary.append(
                    Problem(target.where, f"engine did not use the glossary term '{term.source}' → '{term.target}'")
                )
        return clean

    def _check_safe(self, source: str, text: str, patterns: tuple[str, ...]) -> None:
        """A hostile answer (script, a handler, a `javascript:` target, a stash
        placeholder) never becomes a draft: the page's own gate judges it here."""
        if self._gate is None:
            self._gate = Converter(self.config).gate
        reason = self._gate.refusal(source, text, patterns)
        if reason is not None:
            raise TokenError(f"the engine's answer is refused: {reason}")

    def _from_cache(self, job: _Job) -> bool:
        answer = self.cache.get(self.settings.engine, job.source, self.lang, job.text)
        if answer is None:
            return False
        if self.dry_run:
            self.report.cached += 1
            return True
        failed = len(self.report.failed)
        if not self._answer(job, answer):
            del self.report.failed[failed:]  # ask the engine again instead
            return False
        self.report.cached += 1
        return True

    # -- sending ------------------------------------------------------------------

    def _send(self, todo: list[_Job]) -> None:
        s = self.settings
        bar = self.progress(f"pretranslate {self.lang}", len(todo))
        # Longest an engine may legitimately take for one text: every attempt taking
        # its whole answer time, plus every backoff. Each answer's body is cut at
        # `answer_seconds` (`answers`); this also catches headers that trickle in.
        each = max(s.timeout, s.answer_seconds)
        stall = (s.retries + 1) * each + sum(min(s.backoff * 2**i, s.max_backoff) * 1.5 for i in range(s.retries))
        stall += 10 + s.timeout
        started = time.monotonic()
        with transport.hooked():
            try:
                engines = {src: Engine(s, src, self.lang, self.stop) for src in {job.source for job in todo}}
            except PipelineError as exc:
                self.report.error = exc
                bar.close()
                return
            pool = Pool(lambda job: engines[job.source].translate(job.text), todo, s.workers, self.stop)
            last = time.monotonic()
            try:
                while pool.pending and self.report.error is None:
                    outcome = pool.next(self._until_save())
                    if outcome is None:
                        if time.monotonic() - last > stall:
                            self.report.error = transport.EngineError(
                                f"{s.engine} stopped answering (nothing for {stall:.0f} s)"
                            )
                        self._save()
                        continue
                    last = time.monotonic()
                    self._outcome(outcome.item, outcome.result, outcome.error)
                    bar.update(1)
                    self._save()
            finally:
                pool.shutdown()
                bar.close()
                self.report.requests = sum(e.requests for e in engines.values())
                self._save(force=True)
                self.report.seconds = time.monotonic() - started

    def _outcome(self, job: _Job, answer: str | None, error: BaseException | None) -> None:
        if error is None and answer is not None:
            if self._answer(job, answer):  # only an answer that passed every check is kept
                self.cache.put(self.settings.engine, job.source, self.lang, job.text, answer)
                self.report.answered += 1
        elif isinstance(error, TextFailure):
            for target in job.targets:
                self.report.failed.append(Problem(target.where, f"left untranslated: {error}"))
        elif isinstance(error, PipelineError):
            self.report.error = error
        elif not isinstance(error, Stopped) and error is not None:
            raise error  # a bug: let it show its traceback (drafts so far are saved)

    # -- saving -------------------------------------------------------------------

    def _until_save(self) -> float:
        return max(0.05, min(1.0, self.last_save + self.settings.save_seconds - time.monotonic()))

    def _save(self, force: bool = False) -> None:
        """Write the catalogs with new drafts, if enough are waiting or enough time passed."""
        if self.dry_run or not self.unsaved:
            return
        due = time.monotonic() - self.last_save >= self.settings.save_seconds
        if not (force or due or self.unsaved >= self.settings.save_every):
            return
        self.cache.commit()  # first: an answer saved in the cache is never asked for again
        for _, catalog in self.catalogs:
            if catalog.save() and catalog.rel not in self.report.written:
                self.report.written.append(catalog.rel)
        self.unsaved = 0
        self.last_save = time.monotonic()


def _eligible(entry: Any) -> bool:
    """Empty, live, singular, not the slug, not kept in the source language."""
    return (
        not entry.obsolete
        and bool(entry.msgid)
        and not entry.msgid_plural
        and not entry.msgstr
        and entry.msgctxt != SLUG_CONTEXT
        and not keeps_source(entry)
    )


def _check_markup(source: str, text: str, patterns: tuple[str, ...]) -> None:
    """The draft must carry exactly the source's protected spans — what QA checks."""
    want = Counter((s.kind, s.text) for s in protected_spans(source, patterns))
    have = Counter((s.kind, s.text) for s in protected_spans(text, patterns))
    if want != have:
        extra = sorted((have - want).elements()) or sorted((want - have).elements())
        raise TokenError(f"the translation changes protected markup near {extra[0][1]!r}")
