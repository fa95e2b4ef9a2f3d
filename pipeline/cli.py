"""The command line: argument parsing, printing and exit codes — nothing else.

Exit codes: 0 ok, 1 content problems (a broken catalog, a bad source file),
2 usage or configuration errors (unknown language, missing file, bad config).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.errors import CONTENT, OK, USAGE, PipelineError, UsageError

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user mistakes print one line and return an exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        from pipeline.config import load_config

        args.config = load_config(Path(args.project).resolve())
        for lang in getattr(args, "lang", None) or []:
            args.config.check_lang(lang)
        return args.run(args)
    except PipelineError as exc:
        print(f"{parser.prog}: {exc}" if exc.path is None else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Markdown articles → gettext catalogs → localized HTML.")
    parser.add_argument("--project", default=".", metavar="DIR", help="project folder with pyproject.toml, source/, locales/ (default: .)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(run=run)
        return p

    command("extract", cmd_extract, "write locales/templates/<article>.pot for every article")
    p = command("update", cmd_update, "extract, then merge templates into locales/<lang>/LC_MESSAGES/<article>.po")
    _lang_option(p)
    p = command("build", cmd_build, "write output/<lang>/<slug>.html for every edition")
    _lang_option(p)
    p = command("render", cmd_render, "print one article's body HTML in a language (no page template)")
    p.add_argument("file", metavar="FILE", help="a Markdown file under source/")
    p.add_argument("--lang", required=True, action="append", metavar="L", help="language to render in")
    p = command("stats", cmd_stats, "entries and words reviewed / fuzzy / untranslated per article")
    _lang_option(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    # -- pretranslate (machine pretranslation) --
    # -- check, review (QA) --
    return parser


def _lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", action="append", metavar="L", help="only this language (repeatable; default: all)")


def _report_errors(errors: Sequence[PipelineError]) -> int:
    for exc in errors:
        print(str(exc), file=sys.stderr)
    return CONTENT if errors else OK


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.update import update

    results = update(args.config, templates_only=True)
    written = [r.name for r in results if r.template_written]
    for name in written:
        print(f"{args.config.rel(args.config.template_path(name))}: written")
    print(f"{len(results)} article(s), {len(written)} template(s) written")
    return _report_errors([r.error for r in results if r.error])


def cmd_update(args: argparse.Namespace) -> int:
    from pipeline.update import update

    results = update(args.config, args.lang)
    written = 0
    for result in results:
        if result.template_written:
            print(f"{args.config.rel(args.config.template_path(result.name))}: written")
        for cat in result.catalogs:
            if cat.written:
                written += 1
                c = cat.counts
                print(f"{cat.path}: {c.new} new, {c.fuzzy} fuzzy, {c.obsolete} obsolete, {c.kept} unchanged")
    total = sum(len(r.catalogs) for r in results)
    print(f"{len(results)} article(s), {total} catalog(s), {written} written")
    return _report_errors([r.error for r in results if r.error])


def cmd_build(args: argparse.Namespace) -> int:
    from pipeline.build import build

    report = build(args.config, args.lang)
    for path in report.written:
        print(f"{path}: written")
    for path in report.removed:
        print(f"{path}: removed (no longer built)")
    for name, lang, reason in report.withheld:
        print(f"{name} [{lang}]: withheld: {reason}")
    print(f"{len(report.written)} file(s) written, {report.unchanged} unchanged")
    return _report_errors(report.errors)


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
    sys.stdout.write(render(Converter(config), config, article, lang, po).body)
    sys.stdout.write("\n")
    return OK


def cmd_stats(args: argparse.Namespace) -> int:
    from pipeline.stats import collect

    results, errors = collect(args.config, args.lang)
    if args.json:
        print(json.dumps([s.as_dict() for s in results], indent=2, ensure_ascii=False))
    else:
        print(f"{'article':32} {'lang':5} {'entries':>8} {'reviewed':>9} {'fuzzy':>6} {'untransl.':>9} {'words':>7} {'% reviewed':>10}")
        for s in results:
            fuzzy = s.entries["fuzzy"] + s.entries["machine"] + s.entries["memory"]
            print(
                f"{s.article:32} {s.lang:5} {s.total_entries:8} {s.entries['reviewed']:9} {fuzzy:6} "
                f"{s.entries['untranslated']:9} {s.total_words:7} {s.percent_reviewed:9.1f}%"
            )
    return _report_errors(errors)


__all__ = ["main", "USAGE"]
