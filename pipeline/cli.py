"""The command line: argument parsing, printing and exit codes — nothing else.

Exit codes: 0 ok, 1 content problems (a broken catalog, a bad source file),
2 usage or configuration errors (unknown language, missing file, bad config).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.errors import CONTENT, OK, USAGE, PipelineError, UsageError, WriteError, too_deep

Command = Callable[[argparse.Namespace], int]
# Commands that write locales/ or output/: one at a time per project (see pipeline.lock).
WRITERS = {"extract", "update", "build", "publish", "pretranslate", "review", "approve", "import"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user mistakes print one line and return an exit code."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit: a reader that has gone is handled below
        return code
    except BrokenPipeError:
        # `render ... | head`: the reader stopped reading; nothing more to say. The
        # rest of the output goes nowhere, and the exit code is a shell's for SIGPIPE.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        from pipeline.project import load_project

        args.loaded = load_project(Path(args.project).resolve())
        args.config = args.loaded.config
        for lang in getattr(args, "lang", None) or []:
            args.config.check_lang(lang)
        if args.command in WRITERS:
            from pipeline.lock import project_lock

            with project_lock(args.config.root, args.command):
                return args.run(args)
        return args.run(args)
    except PipelineError as exc:
        print(f"{parser.prog}: {exc}" if exc.path is None else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline", description="Markdown articles → gettext catalogs → localized HTML."
    )
    parser.add_argument(
        "--project",
        default=".",
        metavar="DIR",
        help="project folder with pyproject.toml, source/, locales/ (default: .)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(run=run)
        return p

    p = command("extract", cmd_extract, "write locales/templates/<article>.pot for every article")
    _jobs_option(p)
    p = command("update", cmd_update, "extract, then merge templates into locales/<lang>/LC_MESSAGES/<article>.po")
    _lang_option(p)
    _jobs_option(p)
    _accept_loss_option(p)
    p = command("build", cmd_build, "write output/ (pages, indexes, feeds, sitemap) from the catalogs as they are")
    _lang_option(p)
    _jobs_option(p)
    _strict_option(p)
    p = command("publish", cmd_publish, "update, then build, in one pass per article")
    _lang_option(p)
    _jobs_option(p)
    _strict_option(p)
    _accept_loss_option(p)
    p = command("render", cmd_render, "print one article's body HTML in a language (no page template)")
    p.add_argument("file", metavar="FILE", help="a Markdown file under source/")
    p.add_argument("--lang", required=True, action="append", metavar="L", help="language to render in")
    p = command("stats", cmd_stats, "entries and words reviewed / fuzzy / untranslated per article")
    _lang_option(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    help = "per language, the words still to do by memory match: repetitions, 100%%, 95-99%%, 85-94%%, 75-84%%, none"
    p.add_argument("--analysis", action="store_true", help=help)
    p = command("serve", cmd_serve, "live preview on 127.0.0.1: pages rebuilt and reloaded as files are saved")
    p.add_argument("--port", type=int, metavar="N", help="port (default: [tool.pipeline.site] port, 8000)")
    p.add_argument("--no-watch", action="store_true", help="do not watch files (pages are still rendered fresh)")
    p.add_argument("--drafts", action="store_true", help="show fuzzy entries and machine drafts, marked (preview only)")
    # -- pretranslate (machine pretranslation) --
    p = command("pretranslate", cmd_pretranslate, "fill untranslated entries with fuzzy drafts: memory, then an engine")
    p.add_argument("--lang", action="append", required=True, metavar="L", help="target language (repeatable)")
    p.add_argument("--engine", metavar="NAME", help="google (default), deepl, microsoft, libre, mymemory")
    p.add_argument("--engine-url", metavar="URL", help="the LibreTranslate server for --engine libre")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="per HTTP request (default 30)")
    p.add_argument("--workers", type=int, metavar="N", help="concurrent requests (default 8)")
    p.add_argument("--dry-run", action="store_true", help="print what would be sent and its size; send nothing")
    p.add_argument("--limit", type=int, metavar="N", help="send at most N texts to the engine in this run")
    # -- check, review (QA) --
    p = command("check", cmd_check, "QA checks on every translated or draft entry and on the source; exit 1 on errors")
    _lang_option(p)
    _jobs_option(p)
    p.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    p = command("review", cmd_review, "write review/<lang>.html, the reviewer's page (outside output/)")
    _lang_option(p)
    p = command("approve", cmd_approve, "sign off reviewed entries that pass the enforced checks (# approved:)")
    p.add_argument("--lang", required=True, action="append", metavar="L", help="the language to sign off")
    p.add_argument("--by", required=True, metavar="NAME", help="the reviewer's name, as the sign-off records it")
    p.add_argument("articles", nargs="*", metavar="ARTICLE", help="articles to sign off (default: all, and site)")
    p.add_argument("--entries", metavar="FILE:LINE,...", help="only the entries at these catalog lines")
    # -- export, import (agencies: XLIFF 1.2, TMX 1.4) --
    p = command("export", cmd_export, "write one language's catalogs as XLIFF 1.2 (or TMX 1.4) for an agency")
    p.add_argument("--lang", required=True, action="append", metavar="L", help="target language")
    p.add_argument("--format", choices=("xliff", "tmx"), default="xliff", help="xliff (default) or tmx")
    p.add_argument("articles", nargs="*", metavar="ARTICLE", help="only these articles (default: all, and site)")
    p.add_argument("-o", dest="output", metavar="FILE", help="output file (default: <lang>.xlf or <lang>.tmx)")
    p = command("import", cmd_import, "read an agency's XLIFF back into the catalogs, or a TMX into the memory")
    p.add_argument("file", metavar="FILE", help="an XLIFF 1.2 or TMX 1.4 file")
    p.add_argument("--reviewed", action="store_true", help="translated/signed-off units count as reviewed")
    return parser


def _strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if an edition shows source text nobody chose to keep, a translation was refused, "
        "or an edition was withheld",
    )


def _jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: the number of CPUs)")


def _accept_loss_option(p: argparse.ArgumentParser) -> None:
    help = "update catalogs that hold far fewer translations than at the last run (the loss is intended)"
    p.add_argument("--accept-loss", action="store_true", help=help)


def _lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", action="append", metavar="L", help="only this language (repeatable; default: all)")


def _report_errors(errors: Sequence[PipelineError]) -> int:
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

    report = extract(args.config, jobs=args.jobs)
    written = [r.name for r in report.updates if r.template_written]
    for name in written:
        print(f"{args.config.rel(args.config.template_path(name))}: written")
    print(f"{report.articles} article(s), {len(written)} template(s) written")
    return _report_errors(report.errors)


def cmd_update(args: argparse.Namespace) -> int:
    from pipeline.publish import update

    report = update(args.config, args.lang, jobs=args.jobs, accept_loss=args.accept_loss)
    _print_update(args, report)
    code = _report_errors(report.errors)
    return _refresh_reviews(args, report, code)


def cmd_build(args: argparse.Namespace) -> int:
    from pipeline.publish import build

    report = build(args.config, args.lang, jobs=args.jobs)
    _print_build(args, report)
    return _strict(args, report, _report_errors(report.errors))


def cmd_publish(args: argparse.Namespace) -> int:
    from pipeline.publish import publish

    report = publish(args.config, args.lang, jobs=args.jobs, accept_loss=args.accept_loss)
    _print_update(args, report)
    _print_build(args, report)
    code = _strict(args, report, _report_errors(report.errors))
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
    return code if not errors else max(code, _report_errors(errors))


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


def cmd_pretranslate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pipeline.pretranslate import load_settings, pretranslate

    if args.limit is not None and args.limit < 0:
        raise UsageError(f"--limit must be 0 or more, not {args.limit}")
    overrides = {"engine": args.engine, "engine_url": args.engine_url, "timeout": args.timeout, "workers": args.workers}
    settings = load_settings(args.config, **overrides)

    def progress(desc: str, total: int) -> tqdm:
        # disable=None: a bar on a terminal, nothing in a log file or a pipe.
        return tqdm(total=total, desc=desc, unit="text", file=sys.stderr, disable=None, dynamic_ncols=True)

    reports = pretranslate(args.config, args.lang, settings, dry_run=args.dry_run, limit=args.limit, progress=progress)
    for report in reports:
        for path in report.written:
            print(f"{path}: written")
        for text in report.would_send:
            print(f"{len(text):7,}  {json.dumps(text, ensure_ascii=False)}")
        for problem in [*report.failed, *report.glossary]:
            print(problem, file=sys.stderr)
        print(report.summary())
    code = _report_errors([exc for report in reports for exc in report.errors])
    fatal = next((report.error for report in reports if report.error is not None), None)
    if fatal is not None:
        raise fatal  # one line, after the summary of what was saved
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from pipeline.chrome import templates_dir
    from pipeline.live import LiveSite
    from pipeline.lock import project_lock
    from pipeline.preview import Events, make_server, watch
    from pipeline.publish import publish
    from pipeline.site import site_settings
    from pipeline.watch import Watcher

    config = args.config
    port = args.port if args.port is not None else site_settings(config).port
    if not 0 < port < 65536:
        raise UsageError(f"--port must be a number from 1 to 65535, not {port}")
    config.output_dir.mkdir(parents=True, exist_ok=True)
    events = Events()
    holder: dict[str, LiveSite] = {}
    server = make_server(config.output_dir, port, lambda url: holder["site"].page(url), events, config.root / "review")
    try:
        with project_lock(config.root, "serve"):  # the indexes, feeds and stylesheet as of now
            report = publish(config)
        _report_errors(report.errors)
        # Watching starts before the ready line: a save right after it is seen.
        roots = [(config.source_dir, ".md"), (config.locales_dir, ".po"), (templates_dir(), "")]
        watcher = None if args.no_watch else Watcher(roots, [config.pyproject])
        holder["site"] = site = LiveSite(config, drafts=args.drafts)
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, name="preview", daemon=True).start()
    drafts = " with drafts shown" if args.drafts else ""
    print(f"previewing on http://127.0.0.1:{server.server_port}/{drafts} (Ctrl-C stops)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        if watcher is None:
            while not stop.wait(0.5):
                pass
        else:

            def poll() -> tuple[set, set]:
                changes = watcher.poll()
                return set(changes.changed), set(changes.deleted)

            def apply(changed: set, deleted: set) -> tuple[list[str] | None, list[str]]:
                done = site.apply(changed, deleted)
                watcher.refresh(done.written)
                return done.pages, done.messages

            watch(poll, apply, events, stop, log)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        events.close()
        server.shutdown()
        server.server_close()
    print("preview stopped", flush=True)
    return OK


def cmd_stats(args: argparse.Namespace) -> int:
    if args.analysis:
        return _analysis(args)
    from pipeline.stats import collect

    results, errors = collect(args.config, args.lang)
    if args.json:
        print(json.dumps([s.as_dict() for s in results], indent=2, ensure_ascii=False))
    else:
        from pipeline.stats import table

        print("\n".join(table(results)))
    return _report_errors(errors)


def _analysis(args: argparse.Namespace) -> int:
    from pipeline.analysis import collect, table

    results, errors = collect(args.config, args.lang)
    if args.json:
        print(json.dumps([a.as_dict() for a in results], indent=2, ensure_ascii=False))
    else:
        print("\n".join(table(results)))
    return _report_errors(errors)


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.jobs import check_jobs
    from pipeline.review.runner import check_project

    report = check_project(args.config, args.lang, check_jobs(args.jobs))
    if args.json:
        print(json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False))
    else:
        for finding in report.findings:
            print(finding)
        print(
            f"{report.error_count} error(s), {report.warning_count} warning(s) "
            f"in {report.catalogs} catalog(s) and {report.sources} source(s)"
        )
    _report_errors(report.errors)
    return CONTENT if report.failed else OK


def cmd_approve(args: argparse.Namespace) -> int:
    from pipeline.review.approve import approve

    result = approve(args.config, args.lang[-1], args.by, args.articles, args.entries)
    for line in result.signed:
        print(line)
    for line in result.skipped:
        print(line, file=sys.stderr)
    print(result.summary())
    return OK


def cmd_review(args: argparse.Namespace) -> int:
    from pipeline.review.page import write_reviews

    results, errors = write_reviews(args.config, args.lang)
    for result in results:
        state = "written" if result.written else "unchanged"
        print(f"{result.path}: {state} ({result.articles} catalog(s), {result.attention} to review)")
    return _report_errors(errors)


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.exchange import SUFFIX, export
    from pipeline.fsutil import atomic_write

    if len(set(args.lang)) > 1:
        raise UsageError("export one language at a time (one file per language)")
    lang = args.lang[-1]
    result = export(args.config, lang, args.format, args.articles)
    path = Path(args.output) if args.output else Path(f"{lang}{SUFFIX[args.format]}")
    atomic_write(path, result.text)
    states = ", ".join(f"{n} {s}" for s, n in sorted(result.states.items()))
    print(f"{path}: written ({result.files} catalog(s), {result.units} unit(s){': ' + states if states else ''})")
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    from pipeline.exchange import import_file

    report = import_file(args.config, Path(args.file), reviewed=args.reviewed)
    for path in report.written:
        print(f"{path}: written")
    for problem in [*report.stale, *report.refused]:
        print(problem, file=sys.stderr)
    if report.ignored_langs:
        print(f"{report.file}: ignored languages not in this project: {', '.join(report.ignored_langs)}")
    print(report.summary())
    return CONTENT if report.failed else OK


__all__ = ["USAGE", "main"]
