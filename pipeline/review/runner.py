"""`check`: run the QA checks over every catalog (and lint every source) of a project.

Which entries: every translated or draft entry — a non-empty msgstr, fuzzy or not
(a machine draft with a broken link is a broken link waiting to be published).
Untranslated entries have nothing to check; obsolete ones are not shown anywhere.
The slug entry gets the slug check only. A translator silences a check for one
entry with a translator comment, `# no-check: numbers` (several: `# no-check:
numbers, length`); a comment survives Poedit and msgcat, a custom flag would not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline.base.errors import PipelineError, too_deep
from pipeline.base.jobs import batch_pace, parallel_map
from pipeline.catalog.approval import problems as approval_problems
from pipeline.catalog.chrome import CHROME, ChromeTranslations
from pipeline.catalog.model import SLUG_CONTEXT, has_translation, keeps_source
from pipeline.catalog.pofile import read_po_text
from pipeline.catalog.project import CatalogRef, Sources, catalog_refs, default_slugs, discover
from pipeline.catalog.signoffs import ledger
from pipeline.config.glossary import Glossary, load_glossary
from pipeline.config.load import Config
from pipeline.config.settings import QaSettings
from pipeline.review.cached import CheckCache, cached_entry, entry_key
from pipeline.review.collide import collision_findings
from pipeline.review.enforce import silenced
from pipeline.review.lint import lint_article
from pipeline.review.registry import ERROR, REGISTRY, WARNING, Context, Finding, checks
from pipeline.review.severity import severity_of
from pipeline.source.article import Article, article_name, load_article
from pipeline.source.convert import Converter


@dataclass
class CheckReport:
    """Everything `check` found, and the files it could not read."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[PipelineError] = field(default_factory=list)
    catalogs: int = 0
    sources: int = 0

    @property
    def error_count(self) -> int:
        """Error findings, plus one for each file that could not be read."""
        return sum(1 for f in self.findings if f.severity == ERROR) + len(self.errors)

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def failed(self) -> bool:
        """Whether a CI gate should fail: any error finding or unreadable file."""
        return bool(self.errors) or self.error_count > 0


def check_entry(entry: polib.POEntry, ctx: Context, settings: QaSettings | None = None) -> list[Finding]:
    """All findings for one entry: every applicable check not disabled or silenced."""
    settings = settings or QaSettings()
    if entry.obsolete or not entry.msgid or not has_translation(entry):
        return []
    off, unknown = silenced(entry)
    findings = [
        Finding(
            "no-check",
            WARNING,
            ctx.file,
            ctx.line,
            entry.msgid,
            entry.msgstr,
            f"unknown check '{name}' in a no-check comment (known: {', '.join(sorted(REGISTRY))})",
            ctx.lang,
            ctx.article,
        )
        for name in unknown
    ]
    scope = "slug" if entry.msgctxt == SLUG_CONTEXT else "text"
    for check in checks(scope):
        if check.name in off or check.name in settings.disable:
            continue
        for msgid, msgstr in _pairs(entry):
            findings.extend(check(msgid, msgstr, ctx, severity_of(settings, check.name)))
    return findings


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: msgstr[0] against msgid, the other forms against msgid_plural."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    return [
        (entry.msgid if int(i) == 0 else entry.msgid_plural, text)
        for i, text in sorted(entry.msgstr_plural.items(), key=lambda kv: int(kv[0]))
        if text
    ]


@dataclass
class Checker:
    """What checking a catalog needs besides the catalog, made once for a run: the
    settings, the glossary and one Markdown converter (a new one per catalog cost
    more than a small catalog's checks)."""

    config: Config
    settings: QaSettings
    glossary: Glossary
    converter: Converter

    @classmethod
    def of(cls, config: Config) -> Checker:
        return cls(config, config.qa, load_glossary(config.locales_dir), Converter(config))

    def catalog(
        self,
        ref: CatalogRef,
        po: polib.POFile,
        text: str,
        known: dict[str, list] | None = None,
        fresh: dict[str, list] | None = None,
    ) -> list[Finding]:
        """The findings for the catalog file of `ref`, already read into `po`; `text`,
        the file's content, lets findings point at the msgstr line (where the
        translator edits) instead of the entry's first line. With `known` (per-entry
        findings of an earlier run, see `cached`), an entry seen before is not checked
        again; `fresh` receives this catalog's entries. The page chrome's catalog also
        gets the checks the build applies to it: format strings and Plural-Forms."""
        rel = self.config.rel(ref.path)
        terms = self.glossary.terms(ref.source_lang, ref.lang)
        findings = []
        for entry in po:
            line = entry.linenum  # its msgstr line (`pofile.read_po_text`): the one convention

            def run(entry: polib.POEntry = entry, line: int | None = line) -> list[Finding]:
                ctx = self._context(entry, ref, rel, line, terms)
                return check_entry(entry, ctx, self.settings) + approval_findings(entry, ctx)

            if known is None or fresh is None:
                findings.extend(run())
            else:  # every entry: an approval comment is checked even on an untranslated one
                where = Finding("", WARNING, rel, line, "", "", "", ref.lang, ref.name)
                findings.extend(cached_entry(known, fresh, entry_key(entry, ref.lang, ref.source_lang), where, run))
        if ref.name == CHROME:
            seen = {(f.check, f.line) for f in findings}
            extra = chrome_findings(po, rel, ref.lang, text.split("\n"))
            findings += [f for f in extra if (f.check, f.line) not in seen]
        return findings

    def cached(self, ref: CatalogRef, po: polib.POFile, text: str, cache: CheckCache | None) -> list[Finding]:
        """`catalog` through `check`'s cache: the findings of a catalog (or of entries)
        that did not change since `check` or `review` last saw them are not computed again."""
        if cache is None:
            return self.catalog(ref, po, text)
        current, found = cache.catalog(ref.path)
        if found is not None:
            return found
        fresh: dict[str, list] = {}
        found = self.catalog(ref, po, text, cache.known_entries(ref.path), fresh)
        if current is not None:
            cache.store_catalog(ref.path, current, found, fresh)
        return found

    def _context(self, entry: polib.POEntry, ref: CatalogRef, rel: str, line: int | None, terms: list) -> Context:
        return Context(
            lang=ref.lang,
            source_lang=ref.source_lang,
            file=rel,
            line=line,
            article=ref.name,
            patterns=self.config.protected_patterns,
            terms=terms,
            keep_source=keeps_source(entry),
            length_ratio=self.settings.length_ratio,
            length_min=self.settings.length_min,
            gate=self.converter.gate,
        )


def approval_findings(entry: polib.POEntry, ctx: Context) -> list[Finding]:
    """Errors for `# approved:` comments that are no approval (forged, copied, mangled,
    stale, dated in the future): the entry counts as reviewed, its page says so, and a
    reviewer should sign it again."""
    return [
        Finding("approval", ERROR, ctx.file, ctx.line, entry.msgid, entry.msgstr, message, ctx.lang, ctx.article)
        for message in approval_problems(entry)
    ]


@batch_pace()
def check_project(
    config: Config, langs: Iterable[str] | None = None, jobs: int | None = None, sources: Sources = None
) -> CheckReport:
    """Lint every source, then check every catalog of `langs` (all when None): the
    page chrome's `site` catalogs and each article's.

    The source linter runs for an article when its own language is wanted (all
    languages, or `--lang` names it): a German translator's `--lang de` run shows
    the German catalogs only. What did not change since the last run is not read
    again (see `cached`); the rest is checked in `jobs` worker processes.
    """
    settings = config.qa
    glossary = load_glossary(config.locales_dir)
    wanted = list(langs) if langs else None
    report = CheckReport()
    cache = CheckCache(config)
    loaded: dict[Path, Article] = {}  # what `catalog_refs` read, linted without reading it again
    paths = discover(config) if sources is None else list(sources)  # one list for the lint and the catalogs
    refs, report.errors = catalog_refs(config, wanted, cache.hashes, loaded, paths)
    done: dict[tuple[str, str], object] = {}
    tasks: list[tuple] = []
    for path in paths:
        current, lang, found = cache.source(path)
        if found is None:
            tasks.append(("md", str(path), current, None))
        else:
            done[("md", str(path))] = (lang, found)
    for ref in refs:
        current, found = cache.catalog(ref.path)
        if current is None:
            if os.path.lexists(ref.path):  # there but no regular file: reading it says why
                tasks.append(("po", ref, None, {}))
            continue  # else nothing translated yet: `stats` and the review page say so
        if found is None:
            tasks.append(("po", ref, current, cache.known_entries(ref.path)))
        else:
            done[("po", str(ref.path))] = found
    if tasks:  # a Markdown instance costs more than a no-op run's whole work
        slugs = default_slugs({path: article_name(path, config) for path in paths})
        _STATE.update(checker=Checker(config, settings, glossary, Converter(config)), articles=loaded, slugs=slugs)
    for task, result in zip(tasks, parallel_map(_work, tasks, jobs), strict=True):
        kind, what, current = task[0], task[1], task[2]
        key = str(what.path) if kind == "po" else what
        done[(kind, key)] = result
        if current is None or result is None or isinstance(result, PipelineError):
            continue
        if kind == "md":
            cache.store_source(Path(what), current, *result)
        else:
            cache.store_catalog(what.path, current, *result)
    _collect(paths, refs, wanted, done, report)
    # Across files, so outside the per-catalog cache: a slug that is another article's address.
    report.findings += collision_findings(config, paths, refs, loaded, wanted, cache.claim)
    report.findings += refused_signoffs(config, sorted({ref.lang for ref in refs}))
    cache.save()
    return report


def refused_signoffs(config: Config, langs: list[str]) -> list[Finding]:
    """One error per signed manifest whose signature or date is refused: none of its
    sign-offs counts, and a reviewer must know (a forged file, a key not listed)."""
    found = []
    for lang in langs:
        for rel, why in ledger(config.locales_dir, lang).refused:
            found.append(Finding("approval", ERROR, rel, None, "", "", f"sign-off refused: {why}", lang, None))
    return found


_STATE: dict[str, object] = {}  # what the workers need besides their task (inherited through fork)


def _work(task: tuple) -> object:
    """One source's lint findings `(lang, findings)`, or one catalog's findings
    `(findings, entries)`; a file that cannot be read is its error."""
    checker: Checker = _STATE["checker"]  # type: ignore[assignment]
    config = checker.config
    kind, what, _current, known = task
    try:
        if kind == "md":
            article = _STATE["articles"].get(Path(what))  # type: ignore[attr-defined]
            if article is None:
                try:
                    article = load_article(Path(what), config, _STATE["slugs"][Path(what)])  # type: ignore[index]
                except PipelineError:
                    return None  # `catalog_refs` has reported it already
            try:
                media: list[str] = []
                findings = lint_article(checker.converter, config, article, checker.settings.disable, media)
                return article.lang, findings, media
            except RecursionError:
                return too_deep(article.relpath)
        po, text = read_po_text(what.path, config.rel(what.path), what.lang)
        fresh: dict[str, list] = {}
        return checker.catalog(what, po, text, known, fresh), fresh
    except PipelineError as exc:
        return exc


def _collect(
    paths: list[Path], refs: list[CatalogRef], wanted: list[str] | None, done: dict, report: CheckReport
) -> None:
    """The findings in a stable order: sources, then catalogs, as listed."""
    for path in paths:
        result = done.get(("md", str(path)))
        if isinstance(result, tuple) and (wanted is None or result[0] in wanted):
            report.findings.extend(result[1]() if callable(result[1]) else result[1])
            report.sources += 1
        elif isinstance(result, PipelineError):
            report.errors.append(result)  # too deeply nested to lint
        # an unreadable source (None): `catalog_refs` has reported it already
    for ref in refs:
        result = done.get(("po", str(ref.path)))
        if result is None:
            continue
        if isinstance(result, PipelineError):
            report.errors.append(result)  # one broken catalog does not hide the others' findings
        else:
            report.catalogs += 1
            report.findings.extend(result[0] if isinstance(result, tuple) else result)


def chrome_findings(po: polib.POFile, rel: str, lang: str, lines: list[str]) -> list[Finding]:
    """What would keep a page chrome translation off the pages besides the entry checks:
    a format string Python's `%` cannot fill as its source does (`%(SITE)s`, `%(site)d`,
    a lone `%`), and a Plural-Forms header that is not a valid expression."""
    ui = ChromeTranslations(po, rel, None, "reviewed", lang)
    findings = []
    for problem in ui.problems:
        check, _, message = problem.reason.partition(": ")
        findings.append(Finding(check, ERROR, rel, problem.line, "", "", message, lang, CHROME))
    return findings
