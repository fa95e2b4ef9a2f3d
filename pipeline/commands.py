"""The commands that build catalogs and pages: extract, update, build, publish,
render, serve, stats. Each takes the parsed arguments (the loaded project in
`args.config`), calls one library function and prints what it did.

Only this module and `pipeline.cli` print; `cli` parses the command line, loads the
project, maps errors to exit codes and holds the translation and review commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import CONTENT, OK, PipelineError, UsageError, WriteError, too_deep

if TYPE_CHECKING:  # heavy modules, imported by the commands that need them
    from pipeline.live import LiveSite
    from pipeline.preview import Events
    from pipeline.watch import Watcher


def report_errors(errors: Sequence[PipelineError], root: Path) -> int:
    """Print each error on its line, naming files inside the project by their path
    in it; the exit code they make."""
    errors = [exc.within(root) for exc in errors]
    failed_writes = Counter(exc.message for exc in errors if isinstance(exc, WriteError))
    for exc in errors:
        if isinstance(exc, WriteError):
            # A full disk or a read-only folder fails every write alike: one line.
            more = failed_writes.pop(exc.message, 0) - 1
            if more >= 0:
                print(f"{exc} (and {more} more file(s))" if more else str(exc), file=sys.stderr)
            continue
        print(str(exc), file=sys.stderr)
    return CONTENT if errors else OK


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.publish import extract

    report = extract(args.config, jobs=args.jobs, sources=args.loaded.sources)
    written = [r.name for r in report.updates if r.template_written]
    for name in written:
        print(f"{args.config.rel(args.config.template_path(name))}: written")
    print(f"{report.articles} article(s), {len(written)} template(s) written")
    return report_errors(report.errors, args.config.root)


def cmd_update(args: argparse.Namespace) -> int:
    from pipeline.publish import update

    report = update(args.config, args.lang, jobs=args.jobs, accept_loss=args.accept_loss, sources=args.loaded.sources)
    _print_update(args, report)
    code = report_errors(report.errors, args.config.root)
    return _refresh_reviews(args, report, code)


def cmd_build(args: argparse.Namespace) -> int:
    from pipeline.publish import build

    report = build(args.config, args.lang, jobs=args.jobs, sources=args.loaded.sources)
    _print_build(args, report)
    return _strict(args, report, report_errors([*report.errors, *report.asset_errors], args.config.root))


def cmd_publish(args: argparse.Namespace) -> int:
    from pipeline.publish import publish

    report = publish(args.config, args.lang, jobs=args.jobs, accept_loss=args.accept_loss, sources=args.loaded.sources)
    _print_update(args, report)
    _print_build(args, report)
    code = _strict(args, report, report_errors([*report.errors, *report.asset_errors], args.config.root))
    return _refresh_reviews(args, report, code)


def _strict(args: argparse.Namespace, report, code: int) -> int:
    """`--strict`: a deploy job refuses an edition that is not wholly what was reviewed."""
    from pipeline.editions import editions

    failing = [(e.lang, e.problems) for e in editions(report) if e.problems]
    if code != OK or not getattr(args, "strict", False) or not failing:
        return code
    for lang, problems in failing:
        print(f"--strict: edition {lang}: {'; '.join(problems)}", file=sys.stderr)
    return CONTENT


def _refresh_reviews(args: argparse.Namespace, report, code: int) -> int:
    """Rewrite the reviewer's pages of the languages whose catalogs changed."""
    if not (args.config.root / "review").is_dir():
        return code  # no review page to refresh (`review` creates them)
    from pipeline.review.page import stale_reviews, write_reviews

    written = {cat.lang for result in report.updates for cat in result.catalogs if cat.written}
    langs = stale_reviews(args.config, written)
    if not langs:
        return code
    results, errors = write_reviews(args.config, langs)
    for result in results:
        if result.written:
            print(f"{result.path}: written ({result.attention} to review)")
    return code if not errors else max(code, report_errors(errors, args.config.root))


def _print_update(args: argparse.Namespace, report) -> None:
    written = total = 0
    for result in report.updates:
        if result.template_written:
            print(f"{args.config.rel(args.config.template_path(result.name))}: written")
        for cat in result.catalogs:
            total += 1
            if cat.written:
                written += 1
                c = cat.counts
                revived = f"{c.revived} revived, " if c.revived else ""
                print(f"{cat.path}: {c.new} new, {c.fuzzy} fuzzy, {revived}{c.obsolete} obsolete, {c.kept} unchanged")
    unchanged = f", {report.skipped} unchanged article(s) skipped" if report.skipped else ""
    print(f"{report.articles} article(s), {total} catalog(s) merged, {written} written{unchanged}")


def _print_build(args: argparse.Namespace, report) -> None:
    out = args.config.rel(args.config.output_dir)
    if report.errors:
        print(f"nothing built: {out}/ is unchanged")
        return
    for path in report.written:
        print(f"{out}/{path}: written")
    for path in report.removed:
        print(f"{out}/{path}: removed (no longer built)")
    withdrawn = {(p.name, lang): slug for p in report.pages for lang, slug in p.withdrawn.items()}
    for name, lang, reason in report.withheld:
        print(f"{name} [{lang}]: withheld: {reason}")
        if (name, lang) in withdrawn:
            page = f"{out}/{lang}/{withdrawn[name, lang]}.html"
            print(
                f"warning: {page}: the {lang} edition of source/{name}.md was published and is now withheld "
                f"({reason}); its address shows a notice page linking to the source edition",
                file=sys.stderr,
            )
    for catalog, line, reason in report.refused:
        print(f"{catalog}:{line}: {reason} — source shown", file=sys.stderr)
    for line in _shown_lines(args, report):
        print(line)
    print(f"{len(report.written)} file(s) written, {report.unchanged} unchanged")
    for line in _summary_lines(report):
        print(line)


def _shown_lines(args: argparse.Namespace, report) -> list[str]:
    """`output/de/x.html: 1 block in English (source changed): locales/de/...po:77`."""
    from babel import Locale

    out = args.config.rel(args.config.output_dir)
    lines = []
    for pages in report.pages:
        name = Locale.parse(pages.source_lang).english_name or pages.source_lang
        groups: dict[tuple[str, str], list[str]] = {}
        for lang, page, reason, catalog, line in pages.shown:
            if lang in report.build_langs:
                groups.setdefault((page, reason), []).append(f"{catalog}:{line}" if line else catalog)
        for (page, reason), where in groups.items():
            n = len(where)
            what = f"{n} block{'s' if n != 1 else ''}"
            if reason.endswith("previous translation shown"):
                lines.append(f"{out}/{page}: {what} in an older translation ({reason}): {', '.join(where)}")
            else:
                lines.append(f"{out}/{page}: {what} in {name} ({reason}): {', '.join(where)}")
    return lines


def _summary_lines(report) -> list[str]:
    """The closing summary, one line per edition."""
    from pipeline.editions import editions

    lines = []
    for e in editions(report):
        parts = [f"{e.published} page(s) published"]
        if e.withheld:
            parts.append(f"{len(e.withheld)} withheld ({', '.join(e.withheld)})")
        if e.withdrawn:
            parts.append(f"{len(e.withdrawn)} notice page(s) at withdrawn addresses")
        if e.shown:
            detail = ", ".join(f"{n} {reason}" for reason, n in sorted(e.shown.items()))
            parts.append(f"{sum(e.shown.values())} block(s) not in {e.lang} ({detail})")
        if e.chrome:
            parts.append(f"{e.chrome} page chrome string(s) not in {e.lang}")
        if e.refused:
            parts.append(f"{e.refused} translation(s) refused")
        if e.words:
            reviewed, approved = 100 * e.reviewed / e.words, 100 * e.approved / e.words
            parts.append(f"words {reviewed:.1f}% reviewed, {approved:.1f}% approved")
        lines.append(f"edition {e.lang}: {'; '.join(parts)}")
    return lines


def cmd_render(args: argparse.Namespace) -> int:
    from pipeline.article import load_article
    from pipeline.convert import Converter
    from pipeline.render import catalog_for, render

    config = args.config
    path = Path(args.file)
    if not path.is_absolute():
        path = (Path.cwd() / path) if (Path.cwd() / path).exists() else config.root / path
    if not path.is_file():
        raise UsageError("file not found", args.file)
    if not path.resolve().is_relative_to(config.source_dir.resolve()):
        raise UsageError(f"not under {config.rel(config.source_dir)}/", args.file)
    article = load_article(path, config)
    lang = args.lang[-1]
    po = catalog_for(config, article, lang) if lang != article.lang else None
    try:
        body = render(Converter(config), article, lang, po).body
    except RecursionError:
        raise too_deep(article.relpath) from None
    sys.stdout.write(body)
    sys.stdout.write("\n")
    return OK


def cmd_serve(args: argparse.Namespace) -> int:
    import threading

    from pipeline.lock import project_lock
    from pipeline.preview import Events, make_server
    from pipeline.publish import publish

    config = args.config
    port = args.port if args.port is not None else config.site.port
    if not 0 < port < 65536:
        raise UsageError(f"--port must be a number from 1 to 65535, not {port}")
    config.output_dir.mkdir(parents=True, exist_ok=True)
    events = Events()
    holder: dict[str, LiveSite] = {}
    server = make_server(config.output_dir, port, lambda url: holder["site"].page(url), events, config.root / "review")
    try:
        with project_lock(config.root, "serve"):  # the indexes, feeds and stylesheet as of now
            report = publish(config, sources=args.loaded.sources)
        report_errors(report.errors, args.config.root)
        watcher, holder["site"] = _live_site(args)  # watching starts before the ready line
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, name="preview", daemon=True).start()
    drafts = " with drafts shown" if args.drafts else ""
    print(f"previewing on http://127.0.0.1:{server.server_port}/{drafts} (Ctrl-C stops)", flush=True)
    try:
        _serve_until_stopped(watcher, holder["site"], events)
    except KeyboardInterrupt:
        pass
    finally:
        events.close()
        server.shutdown()
        server.server_close()
    print("preview stopped", flush=True)
    return OK


def _live_site(args: argparse.Namespace) -> tuple[Watcher | None, LiveSite]:
    """The watcher of the project's files (None: --no-watch) and the live site."""
    from pipeline.chrome import templates_dir
    from pipeline.live import LiveSite
    from pipeline.watch import Watcher

    config = args.config
    roots = [(config.source_dir, ".md"), (config.locales_dir, ".po"), (templates_dir(), "")]
    watcher = None if args.no_watch else Watcher(roots, [config.pyproject])
    return watcher, LiveSite(args.loaded, drafts=args.drafts)


def _serve_until_stopped(watcher: Watcher | None, site: LiveSite, events: Events) -> None:
    """Apply saved files to the live site until SIGTERM or Ctrl-C, which end the loop
    at its next poll (after the save being applied); a second Ctrl-C interrupts."""
    import signal

    from pipeline.preview import Stop, watch

    stop = Stop()

    def request_stop(*_: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def poll() -> tuple[set, set]:
        changes = watcher.poll()
        return set(changes.changed), set(changes.deleted)

    def apply(changed: set, deleted: set) -> tuple[list[str] | None, list[str]]:
        done = site.apply(changed, deleted)
        watcher.refresh(done.written)
        return done.pages, done.messages

    if watcher is None:
        while not stop.wait(0.5):
            pass
    else:
        watch(poll, apply, events, stop, log)


def cmd_stats(args: argparse.Namespace) -> int:
    if args.analysis:
        from pipeline.analysis import collect, table
    else:
        from pipeline.stats import collect, table
    results, errors = collect(args.config, args.lang)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print("\n".join(table(results)))
    return report_errors(errors, args.config.root)
