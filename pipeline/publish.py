"""`update`, `build` and `publish` (both) over all articles: parallel, incremental.

Per article the work is self-contained — its source, its catalogs, its pages — so
articles go to a pool of worker processes (`--jobs`, default: the CPU count) and
the result is the same bytes whatever the number of workers. `publish` does both
steps in one pass per article: the parse that extracts the messages also renders
the source edition, and the catalogs `update` just merged are the ones `build`
applies, so nothing is parsed or read twice.

Unchanged articles are skipped: a content hash of everything an article's work
reads (see `manifest`) is compared with the one recorded last time. Only the
indexes, feeds and sitemap, which depend on every article, are rebuilt each time
(from the recorded index entries, so the skipped articles are not even opened).

Memory stays flat in the number of articles: each worker holds one article at a
time, and the parent keeps only the small index entry of each.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.article import article_name, load_article
from pipeline.build import ArticlePages, BuildContext, assemble_site, build_article
from pipeline.chrome import CHROME, templates_dir
from pipeline.config import Config
from pipeline.convert import Converter
from pipeline.editions import published_before
from pipeline.errors import PipelineError, too_deep
from pipeline.jobs import check_jobs, default_jobs
from pipeline.manifest import TRANSLATIONS, FileHashes, digest, load, load_counts, save, save_counts, stamp
from pipeline.project import discover
from pipeline.search import ENTRY as SEARCH_ENTRY
from pipeline.search import index_site, needs_index
from pipeline.staging import Output, clean_leftovers
from pipeline.update import ArticleResult, Guard, update_article, update_chrome

BUILD_MANIFEST = ".manifest.json"


@dataclass(frozen=True)
class Task:
    """What to do for one article."""

    path: Path
    update: bool
    update_langs: list[str] | None
    templates_only: bool
    build: bool
    build_langs: list[str]
    stage: Path | None
    update_stamp: str
    build_stamp: str
    published: dict[str, str] | None = None  # language → slug of the editions the last build had
    guard: Guard | None = None


@dataclass
class Outcome:
    """What a worker did for one article."""

    name: str
    update: ArticleResult | None = None
    pages: ArticlePages | None = None
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    error: PipelineError | None = None
    update_digest: str | None = None
    build_digest: str | None = None
    source_lang: str | None = None  # an article's own language has no catalog: always "merged"


@dataclass
class Report:
    """Everything `run` did, for the command line to print."""

    updates: list[ArticleResult] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    withheld: list[tuple[str, str, str]] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    errors: list[PipelineError] = field(default_factory=list)
    articles: int = 0
    skipped: int = 0
    pages: list[ArticlePages] = field(default_factory=list)  # every article's, after a build
    build_langs: list[str] = field(default_factory=list)
    chrome_missing: dict[str, int] = field(default_factory=dict)  # language → UI strings shown in English
    source_langs: dict[str, str] = field(default_factory=dict)  # article → its language


def run(
    config: Config,
    *,
    update: bool,
    build: bool,
    langs: Iterable[str] | None = None,
    templates_only: bool = False,
    jobs: int | None = None,
    accept_loss: bool = False,
) -> Report:
    """Update the catalogs and/or build the pages of `langs` (all when None).

    `update` leaves alone a catalog that lost far more translations since the last
    successful run than work ever loses (see `manifest.lost_work`), unless
    `accept_loss`."""
    output = Output(config.output_dir)
    try:
        return _run(config, output, update, build, langs, templates_only, jobs, accept_loss)
    except BaseException:
        output.discard()  # whatever went wrong, no `.output.staging-N` is left behind
        raise


def _run(
    config: Config,
    output: Output,
    update: bool,
    build: bool,
    langs: Iterable[str] | None,
    templates_only: bool,
    jobs: int | None,
    accept_loss: bool,
) -> Report:
    check_jobs(jobs)
    langs = list(langs) if langs else None
    build_langs = [lang for lang in config.languages if langs is None or lang in langs]
    report = Report()
    cache = config.root / ".cache" / "pipeline"
    hashes = FileHashes(cache / "files.json")
    # One stamp for extract, update and update --lang L: each entry says which
    # languages its last run merged (`covered`), so no command undoes another's work.
    update_stamp = stamp(hashes(config.pyproject))
    merged = [] if templates_only else (langs or list(config.languages))
    old_updates = load(cache / "update.json", update_stamp)
    new_updates = dict(old_updates)
    counts = load_counts(cache / TRANSLATIONS) if update else {}
    if update:
        guard = Guard(_recorded(config, CHROME, counts), accept_loss)
        _update_chrome(config, langs, templates_only, merged, update_stamp, hashes, report, new_updates, guard)
    ctx = BuildContext(config) if build else None  # reads the UI catalogs: errors surface before any work
    build_stamp = (
        stamp(hashes(config.pyproject), *_chrome_inputs(config, hashes), *_frame_inputs(config, hashes))
        if build
        else ""
    )
    old_builds = load(config.output_dir / BUILD_MANIFEST, build_stamp) if build else {}
    if build:
        clean_leftovers(config.output_dir)

    paths = discover(config)
    names = {path: article_name(path, config) for path in paths}
    report.articles = len(paths)
    before = published_before(config.output_dir / BUILD_MANIFEST) if build else {}
    tasks, kept = [], {}
    for path in paths:
        name = names[path]
        need_update = update and not covered(
            old_updates.get(name), _update_digest(config, path, name, update_stamp, hashes), merged
        )
        entry = old_builds.get(name) if build else None
        need_build = build and (
            need_update or not _still_built(config, path, name, entry, build_stamp, build_langs, hashes)
        )
        if need_update or need_build:
            task = Task(
                path,
                need_update,
                langs,
                templates_only,
                need_build,
                build_langs,
                None,
                update_stamp,
                build_stamp,
                before.get(name),
            )
            guard = Guard(_recorded(config, name, counts), accept_loss)
            tasks.append(dataclasses.replace(task, guard=guard) if need_update else task)
        else:
            report.skipped += 1
            if build:
                kept[name] = entry
    if build and any(t.build for t in tasks):
        stage = output.ensure_stage()
        tasks = [dataclasses.replace(t, stage=stage) for t in tasks]

    pages: dict[str, ArticlePages] = {name: ArticlePages.from_json(e["pages"]) for name, e in kept.items()}
    new_builds = dict(kept)
    for outcome in _execute(config, tasks, jobs, ctx):
        if outcome.update is not None:
            report.updates.append(outcome.update)
            _record(outcome.update, counts)
        if outcome.error is not None:
            report.errors.append(outcome.error)
            new_updates.pop(outcome.name, None)
            continue
        if outcome.update_digest:
            done = [*merged, outcome.source_lang] if merged and outcome.source_lang else merged
            new_updates[outcome.name] = record(old_updates.get(outcome.name), outcome.update_digest, done)
        if outcome.pages is not None:
            pages[outcome.name] = outcome.pages
            new_builds[outcome.name] = {
                "digest": outcome.build_digest,
                "langs": build_langs,
                "pages": outcome.pages.to_json(),
            }
            report.written += outcome.written
            report.unchanged += outcome.unchanged
    try:
        if update:
            save(cache / "update.json", update_stamp, dict(sorted(new_updates.items())))
            _record(next((u for u in report.updates if u.name == CHROME), None), counts)
            save_counts(cache / TRANSLATIONS, counts)
        hashes.save()
    except PipelineError as exc:  # a full disk: the next run just redoes the work
        report.errors.append(exc)
    if build:
        ordered = [pages[names[p]] for p in paths if names[p] in pages]
        _finish_build(config, ctx, output, ordered, new_builds, build_stamp, build_langs, bool(tasks), report)
    return report


def _update_chrome(
    config: Config,
    langs: list[str] | None,
    templates_only: bool,
    merged: list[str],
    update_stamp: str,
    hashes: FileHashes,
    report: Report,
    new_updates: dict[str, list],
    guard: Guard,
) -> None:
    """The page chrome's catalogs, unless the templates and catalogs are as last time."""
    old = new_updates.get(CHROME_KEY)
    if covered(old, _chrome_digest(config, update_stamp, hashes), merged):
        return
    site = update_chrome(config, langs, templates_only, guard)
    report.updates.append(site)
    if site.error:
        report.errors.append(site.error)
        new_updates.pop(CHROME_KEY, None)
    else:
        # hashed after the writes: the entry describes the files as this run left them
        new_updates[CHROME_KEY] = record(old, _chrome_digest(config, update_stamp, FileHashes()), merged)


def _finish_build(
    config: Config,
    ctx: BuildContext | None,
    output: Output,
    ordered: list[ArticlePages],
    new_builds: dict[str, dict],
    build_stamp: str,
    build_langs: list[str],
    worked: bool,
    report: Report,
) -> None:
    """Indexes, feeds, sitemap and manifest, then the swap; or nothing at all."""
    if not report.errors:
        report.errors += _same_address(ordered, config)
    if report.errors:
        output.discard()  # all or nothing: the published site stays as it was
        report.written = []
        return
    for article in ordered:
        report.withheld += [w for w in article.withheld if w[1] in build_langs]
        report.refused += article.refused
    if ctx is not None:
        report.refused += [(p.catalog, p.line, p.reason) for lang in build_langs for p in ctx.ui[lang].problems]
        report.chrome_missing = {lang: ctx.ui[lang].missing for lang in build_langs if ctx.ui[lang].missing}
    report.pages, report.build_langs = ordered, build_langs
    site_files = ("index.html", "sitemap.xml", "assets/style.css", BUILD_MANIFEST)
    has_articles = any(a.files for a in ordered)
    if has_articles:
        site_files += (SEARCH_ENTRY,)
    if (
        not worked
        and set(build_langs) == set(config.languages)
        and all((config.output_dir / f).is_file() for f in site_files)
    ):
        # Nothing changed, the manifest is current, every page is in place: the
        # indexes, feeds and sitemap made from the same entries would be the same.
        report.unchanged += sum(len(a.files) for a in ordered)
        return
    try:
        assemble_site(ctx, ordered, build_langs, output)
        if needs_index(output, has_articles):  # last: it reads the staged pages
            index_site(output, has_articles)
        entries = {name: new_builds[name] for name in sorted(new_builds)}
        if output.stage is not None or not (config.output_dir / BUILD_MANIFEST).exists():
            save(output.ensure_stage() / BUILD_MANIFEST, build_stamp, entries)
        output.commit()
    except BaseException:
        output.discard()
        raise
    report.written += output.written
    report.removed += output.removed
    report.unchanged += output.unchanged


def _same_address(articles: list[ArticlePages], config: Config) -> list[PipelineError]:
    """Two articles whose editions would be the same page (same language and slug)."""
    seen: dict[tuple[str, str], str] = {}
    errors = []
    for article in articles:
        for lang, slug in article.slugs.items():
            other = seen.setdefault((lang, slug), article.name)
            if other != article.name:
                errors.append(
                    PipelineError(
                        f"its {lang} edition would be {config.rel(config.output_dir)}/{lang}/{slug}.html, "
                        f"the page of source/{other}.md too; give one of them another slug",
                        f"source/{article.name}.md",
                    )
                )
    return errors


def _execute(config: Config, tasks: list[Task], jobs: int | None, ctx: BuildContext | None) -> Iterator[Outcome]:
    """Run the tasks in worker processes (in this process when one worker will do).

    The parent's build context (templates compiled, UI catalogs read, a Markdown
    instance) is reused here and, through fork, by the workers.
    """
    jobs = min(jobs or default_jobs(), len(tasks))
    _WORKER.clear()
    if ctx is not None:
        _WORKER.update(config=config, ctx=ctx, converter=ctx.converter)
    if jobs <= 1:
        _init(config, any(t.build for t in tasks))
        yield from map(_process, tasks)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init, initargs=(config, True)) as pool:
        yield from pool.map(_process, tasks, chunksize=max(1, min(16, len(tasks) // (jobs * 4))))


_WORKER: dict[str, object] = {}


def _init(config: Config, build: bool) -> None:
    """Per worker process: one Markdown instance and one template environment
    (inherited from the parent when forked)."""
    _WORKER["config"] = config
    if "converter" in _WORKER and (not build or "ctx" in _WORKER):
        return
    if build:
        ctx = BuildContext(config)
        _WORKER["ctx"] = ctx
        _WORKER["converter"] = ctx.converter
    else:
        _WORKER["converter"] = Converter(config)


def _process(task: Task) -> Outcome:
    config: Config = _WORKER["config"]  # type: ignore[assignment]
    converter: Converter = _WORKER["converter"]  # type: ignore[assignment]
    name = article_name(task.path, config)
    outcome = Outcome(name)
    try:
        article = load_article(task.path, config)
        outcome.source_lang = article.lang
        converted, catalogs = None, None
        if task.update:
            outcome.update = ArticleResult(article.name)
            converted, catalogs = update_article(
                converter, config, article, task.update_langs, task.templates_only, outcome.update, task.guard
            )
            outcome.update_digest = _update_digest(config, task.path, name, task.update_stamp, FileHashes())
        if task.build:
            output = Output(config.output_dir, task.stage)
            ctx: BuildContext = _WORKER["ctx"]  # type: ignore[assignment]
            outcome.pages = build_article(
                ctx, article, task.build_langs, output, catalogs, converted, published_before=task.published
            )
            outcome.written, outcome.unchanged = output.written, output.unchanged
            outcome.build_digest = _build_digest(config, task.path, name, task.build_stamp, FileHashes())
    except (PipelineError, RecursionError) as exc:
        error = too_deep(config.rel(task.path)) if isinstance(exc, RecursionError) else exc
        outcome.error = error
        if outcome.update is not None:
            outcome.update.error = error
    return outcome


def _still_built(
    config: Config, path: Path, name: str, entry: dict | None, build_stamp: str, langs: list[str], hashes: FileHashes
) -> bool:
    """Whether the recorded pages of an article are current and all there."""
    try:
        return (
            entry is not None
            and entry["digest"] == _build_digest(config, path, name, build_stamp, hashes)
            and set(langs) <= set(entry["langs"])
            and all(os.path.isfile(f"{config.output_dir}/{f}") for f in entry["pages"]["files"])
        )
    except (KeyError, TypeError):
        return False  # a manifest entry of another shape: rebuild


def covered(entry: object, current: str, langs: list[str]) -> bool:
    """Whether an update manifest entry `[digest, merged languages]` says the files
    are as `update` (or `extract`, which merges none) left them and `langs` were merged."""
    return isinstance(entry, list) and len(entry) == 2 and entry[0] == current and set(langs) <= set(entry[1] or ())


def record(entry: object, current: str, langs: list[str]) -> list:
    """The manifest entry after merging `langs`: an earlier run's languages still
    count when its files are the ones this run left (nothing was written)."""
    if isinstance(entry, list) and len(entry) == 2 and entry[0] == current:
        langs = sorted(set(langs) | set(entry[1] or ()))
    return [current, sorted(langs)]


def _recorded(config: Config, name: str, counts: dict[str, int]) -> dict[str, int]:
    """The recorded translation counts of one article's catalogs."""
    rels = (config.rel(config.catalog_path(lang, name)) for lang in config.languages)
    return {rel: counts[rel] for rel in rels if rel in counts}


def _record(result: ArticleResult | None, counts: dict[str, int]) -> None:
    """Remember what a successfully updated article's catalogs now hold."""
    if result is not None and result.error is None:
        counts.update((cat.path, cat.translations) for cat in result.catalogs)


CHROME_KEY = "(site)"  # the update manifest's entry for the page chrome (no article has parentheses)


def _chrome_inputs(config: Config, hashes: FileHashes) -> list[str | None]:
    """What the page chrome comes from: the templates and the `site` catalogs."""
    templates = [hashes(p) for p in sorted(templates_dir().iterdir()) if p.is_file()]
    return [*templates, *_catalog_hashes(config, CHROME, hashes)]


def _frame_inputs(config: Config, hashes: FileHashes) -> list[str | None]:
    """What every page's frame comes from besides the templates: the logo, and the
    sources and catalogs of the site's own pages (their titles and slugs are linked
    from every page)."""
    inputs = [hashes(config.source_dir / config.frame.logo)] if config.frame.logo else []
    for name in config.frame.pages:
        inputs += [hashes(config.source_dir / f"{name}.md"), *_catalog_hashes(config, name, hashes)]
    return inputs


def _chrome_digest(config: Config, update_stamp: str, hashes: FileHashes) -> str:
    return digest(update_stamp, *_chrome_inputs(config, hashes), hashes(config.template_path(CHROME)))


def _catalog_hashes(config: Config, name: str, hashes: FileHashes) -> list[str | None]:
    # Plain strings: this runs for every article of every run, pathlib costs more here.
    locales = str(config.locales_dir)
    return [hashes(f"{locales}/{lang}/LC_MESSAGES/{name}.po") for lang in config.languages]


def _update_digest(config: Config, path: Path, name: str, update_stamp: str, hashes: FileHashes) -> str:
    template = hashes(f"{config.locales_dir}/templates/{name}.pot")
    return digest(update_stamp, hashes(path), template, *_catalog_hashes(config, name, hashes))


def _build_digest(config: Config, path: Path, name: str, build_stamp: str, hashes: FileHashes) -> str:
    return digest(build_stamp, hashes(path), *_catalog_hashes(config, name, hashes))
