"""`extract`, `update`, `build` and `publish` (update, then build): one pass over all
articles, parallel and incremental.

Per article the work is self-contained — its source, its catalogs, its pages — so
articles go to a pool of worker processes (`--jobs`, default: the CPU count) and
the result is the same bytes whatever the number of workers. `publish` does both
steps in one pass per article: the parse that extracts the messages also renders
the source edition, and the catalogs `update` just merged are the ones `build`
applies, so nothing is parsed or read twice.

Unchanged articles are skipped: each step compares a content hash of everything an
article's work reads with the one it recorded last time (`update.UpdateStep`,
`step.BuildStep`: each step's digests live beside the step). Only the indexes,
feeds and sitemap, which depend on every article, are rebuilt each time (from the
recorded index entries, so the skipped articles are not even opened).

Memory: each worker holds one article at a time (its catalogs, parse and pages are
let go when it is done: pages are written to the stage as they are rendered), and
the parent keeps per article only its `record.ArticlePages` (index item, feed entry,
sitemap blocks, counts: about 4 KB), once; its build manifest entry is made when the
manifest is written (`step.BuildStep`).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.base.errors import PipelineError, too_deep
from pipeline.base.jobs import batch_pace, check_jobs, default_jobs
from pipeline.base.manifest import FileHashes, cache_dir
from pipeline.build.pages import BuildContext
from pipeline.build.settle import settle
from pipeline.build.staging import Output
from pipeline.build.step import ArticlePages, BuildStep, Built, build_article, build_digest
from pipeline.catalog.project import Sources, default_slugs, discover
from pipeline.catalog.update import ArticleResult, Guard, UpdateStep, update_article, update_digest
from pipeline.config.load import Config
from pipeline.source.article import article_name, load_article
from pipeline.source.convert import Converter


@dataclass(frozen=True)
class Task:
    """What to do for one article (sent to a worker: plain data)."""

    path: Path
    slug: str  # its default address (`article.derived_slugs` over the project's articles)
    update: bool
    update_langs: list[str] | None
    templates_only: bool
    build: bool
    build_langs: list[str]
    stage: Path | None
    update_stamp: str
    build_stamp: str
    published: dict[str, str] | None = None  # language → slug of the editions the last build had
    addresses: dict[str, str] | None = None  # language → slug of every page the last build had (the source's too)
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
    # What its digests hashed (`FileHashes.table`): the run's table remembers it, so the
    # next run does not read the files again (a cold run does not hash them first).
    hashed: dict[str, list] = field(default_factory=dict)


@dataclass
class Report(Built):
    """Everything a pass did, for the command line to print: the build's part
    (`step.Built`), the updates, and how many articles were seen and skipped."""

    updates: list[ArticleResult] = field(default_factory=list)
    articles: int = 0
    skipped: int = 0


# Each entry point takes `sources`, the project's articles as `load_project` found
# them (None: listed now), so that one command sees one list of articles.


def extract(config: Config, *, jobs: int | None = None, sources: Sources = None) -> Report:
    """Write every template (the `.pot` files); merge nothing."""
    return _Pass(config, None, jobs, sources).update(templates_only=True).run()


def update(
    config: Config,
    langs: Iterable[str] | None = None,
    *,
    jobs: int | None = None,
    accept_loss: bool = False,
    sources: Sources = None,
) -> Report:
    """Extract every article and merge its template into its catalogs of `langs` (all
    when None). A catalog that lost far more translations since the last successful
    run than work ever loses (see `manifest.lost_work`) is left alone, unless `accept_loss`."""
    return _Pass(config, langs, jobs, sources).update(accept_loss=accept_loss).run()


def build(
    config: Config, langs: Iterable[str] | None = None, *, jobs: int | None = None, sources: Sources = None
) -> Report:
    """Build the pages of `langs` (all when None) from the catalogs as they are."""
    return _Pass(config, langs, jobs, sources).build().run()


def publish(
    config: Config,
    langs: Iterable[str] | None = None,
    *,
    jobs: int | None = None,
    accept_loss: bool = False,
    sources: Sources = None,
) -> Report:
    """`update`, then `build`, in one pass per article."""
    return _Pass(config, langs, jobs, sources).update(accept_loss=accept_loss).build().run()


class _Pass:
    """One pass over the articles, with an update step, a build step, or both."""

    def __init__(self, config: Config, langs: Iterable[str] | None, jobs: int | None, sources: Sources) -> None:
        check_jobs(jobs)
        self.config, self.jobs = config, jobs
        self.sources = list(sources) if sources is not None else None
        self.langs = list(langs) if langs else None
        self.hashes = FileHashes(cache_dir(config.root) / "files.json")
        self.report = Report()
        self.updating: UpdateStep | None = None
        self.building: BuildStep | None = None

    def update(self, templates_only: bool = False, accept_loss: bool = False) -> _Pass:
        """Add the update step; the page chrome's catalogs are updated right away (the
        build step, added next, reads them)."""
        self.updating = UpdateStep(self.config, self.hashes, self.langs, templates_only, accept_loss)
        chrome = self.updating.update_chrome()
        if chrome is not None:
            self.report.updates.append(chrome)
            if chrome.error:
                self.report.errors.append(chrome.error)
        return self

    def build(self) -> _Pass:
        """Add the build step (it reads the UI catalogs: their errors surface before any work)."""
        self.building = BuildStep(self.config, self.hashes, self.langs, self.jobs)
        return self

    @batch_pace()
    def run(self) -> Report:
        """Every article through the steps, then the site around them."""
        output = Output(self.config.output_dir)
        try:
            return self._run(output)
        except BaseException:
            output.discard()  # whatever went wrong, no `.output.staging-N` is left behind
            raise
        finally:
            if self.building is not None:
                self.building.stop_index()

    def _run(self, output: Output) -> Report:
        config, report = self.config, self.report
        paths = discover(config) if self.sources is None else self.sources
        names = {path: article_name(path, config) for path in paths}
        report.articles = len(paths)
        tasks = self._plan(paths, names, default_slugs(names))
        if any(t.build for t in tasks):
            stage = output.ensure_stage()
            tasks = [dataclasses.replace(t, stage=stage) for t in tasks]
            if self.building is not None:  # the search index beside the rendering
                self.building.start_index(output, [names[p] for p in paths])
        for outcome in _execute(config, tasks, self.jobs, self.building.ctx if self.building else None):
            self._collect(outcome)
        try:
            if self.updating is not None:
                self.updating.save()
            self.hashes.save()
        except PipelineError as exc:  # a full disk: the next run just redoes the work
            report.errors.append(exc)
        if self.building is not None:
            order, again = [names[p] for p in paths], []
            try:
                if not report.errors:  # one page per address: a collision's articles are built again
                    again = settle(self.building, output, order, {name: path for path, name in names.items()})
            except PipelineError as exc:
                report.errors.append(exc)
            report.written += [rel for rel in again if rel not in report.written]
            self.building.finish(output, order, bool(tasks or again), report)
        return report

    def _plan(self, paths: list[Path], names: dict[Path, str], slugs: dict[Path, str]) -> list[Task]:
        """A task for each article some step must redo; the others are kept."""
        updating, building = self.updating, self.building
        tasks = []
        for path in paths:
            name, slug = names[path], slugs[path]
            need_update = updating is not None and updating.needed(path, name, slug)
            need_build = building is not None and (need_update or not building.current(path, name, slug))
            if not (need_update or need_build):
                self.report.skipped += 1
                if building is not None:
                    building.keep(name)
                continue
            task = Task(path, slug, need_update, self.langs, False, need_build, [], None, "", "")
            if updating is not None:
                guard = updating.guard(name) if need_update else None
                task = dataclasses.replace(
                    task, templates_only=updating.templates_only, update_stamp=updating.stamp, guard=guard
                )
            if building is not None:
                task = dataclasses.replace(
                    task,
                    build_langs=building.langs,
                    build_stamp=building.stamp,
                    published=building.before.get(name),
                    addresses=building.addresses.get(name),
                )
            tasks.append(task)
        if building is not None:
            building.planned()
        return tasks

    def _collect(self, outcome: Outcome) -> None:
        """Take in what a worker did for one article."""
        report, updating = self.report, self.updating
        self.hashes.learn(outcome.hashed)
        if outcome.update is not None:
            report.updates.append(outcome.update)
            if updating is not None:
                updating.count(outcome.update)
        if outcome.error is not None:
            report.errors.append(outcome.error)
            if updating is not None:
                updating.failed(outcome.name)
            return
        if outcome.update_digest and updating is not None:
            updating.done(outcome.name, outcome.update_digest, outcome.source_lang)
        if outcome.pages is not None and self.building is not None:
            self.building.done(outcome.pages, outcome.build_digest)
            report.written += outcome.written
            report.unchanged += outcome.unchanged


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
    # One table for both digests: the build reads the catalogs the update left, and
    # hashes nothing the update hashed (the source, the catalogs) a second time.
    hashes = FileHashes()
    try:
        article = load_article(task.path, config, task.slug)
        outcome.source_lang = article.lang
        converted, catalogs = None, None
        if task.update:
            outcome.update = ArticleResult(article.name)
            converted, catalogs = update_article(
                converter, config, article, task.update_langs, task.templates_only, outcome.update, task.guard
            )
            outcome.update_digest = update_digest(config, task.path, name, task.update_stamp, hashes, task.slug)
        if task.build:
            output = Output(config.output_dir, task.stage)
            ctx: BuildContext = _WORKER["ctx"]  # type: ignore[assignment]
            outcome.pages = build_article(
                ctx,
                article,
                task.build_langs,
                output,
                catalogs,
                converted,
                published_before=task.published,
                addresses=task.addresses,
            )
            outcome.written, outcome.unchanged = output.written, output.unchanged
            outcome.build_digest = build_digest(
                config, task.path, name, task.build_stamp, hashes, task.slug, outcome.pages.inputs
            )
    except (PipelineError, RecursionError) as exc:
        error = too_deep(config.rel(task.path)) if isinstance(exc, RecursionError) else exc
        outcome.error = error
        if outcome.update is not None:
            outcome.update.error = error
    outcome.hashed = hashes.table
    return outcome
