"""The command line: argument parsing, loading the project, exit codes. The commands
themselves are one module per family: `catalogs` (extract, update, stats),
`publishing` (build, publish, render), `preview` (serve) and `translation`
(pretranslate, check, review, approve, export, import); each calls one library
function and prints what it did, its errors through `report.report_errors`.

Exit codes: 0 ok, 1 content problems (a broken catalog, a bad source file),
2 usage or configuration errors (unknown language, missing file, bad config).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.base.errors import USAGE, PipelineError
from pipeline.cli import catalogs, preview, publishing, translation
from pipeline.config.settings import ENGINES, MtSettings

Command = Callable[[argparse.Namespace], int]
# Commands that write locales/ or output/: one at a time per project (see pipeline.base.lock).
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
        from pipeline.catalog.project import load_project
        from pipeline.review.registry import REGISTRY  # (the package registers every check)

        args.loaded = load_project(Path(args.project).resolve(), REGISTRY)
        args.config = args.loaded.config
        for lang in getattr(args, "lang", None) or []:
            args.config.check_lang(lang)
        if args.command in WRITERS:
            from pipeline.base.lock import project_lock

            if getattr(args, "prepare", None) is not None:
                args.prepare(args)  # reads only what the command was given, not the project

            with project_lock(args.config.root, args.command):
                return args.run(args)
        return args.run(args)
    except PipelineError as exc:
        if getattr(args, "config", None) is not None:
            exc = exc.within(args.config.root)
        print(f"{parser.prog}: {exc}" if exc.path is None else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    # Named as the user typed it: the console command, or the module.
    prog = "articles" if Path(sys.argv[0]).name == "articles" else "python -m pipeline"
    parser = argparse.ArgumentParser(prog=prog, description="Markdown articles → gettext catalogs → localized HTML.")
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

    _catalog_commands(command)
    _publishing_commands(command)
    _preview_commands(command)
    _translation_commands(command)
    return parser


Adder = Callable[[str, Command, str], argparse.ArgumentParser]


def _catalog_commands(command: Adder) -> None:
    """extract, update, stats."""
    p = command("extract", catalogs.cmd_extract, "write locales/templates/<article>.pot for every article")
    _jobs_option(p)
    help = "extract, then merge templates into locales/<lang>/LC_MESSAGES/<article>.po"
    p = command("update", catalogs.cmd_update, help)
    _lang_option(p)
    _jobs_option(p)
    _accept_loss_option(p)
    _verbose_option(p)
    p = command("stats", catalogs.cmd_stats, "entries and words reviewed / fuzzy / untranslated per article")
    _lang_option(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    help = "per language, the words still to do by memory match: repetitions, 100%%, 95-99%%, 85-94%%, 75-84%%, none"
    p.add_argument("--analysis", action="store_true", help=help)


def _publishing_commands(command: Adder) -> None:
    """build, publish, render."""
    help = "write output/ (pages, indexes, feeds, sitemap) from the catalogs as they are"
    p = command("build", publishing.cmd_build, help)
    _lang_option(p)
    _jobs_option(p)
    _strict_option(p)
    _verbose_option(p)
    p = command("publish", publishing.cmd_publish, "update, then build, in one pass per article")
    _lang_option(p)
    _jobs_option(p)
    _strict_option(p)
    _accept_loss_option(p)
    _verbose_option(p)
    p = command("render", publishing.cmd_render, "print one article's body HTML in a language (no page template)")
    p.add_argument("file", metavar="FILE", help="a Markdown file under source/")
    p.add_argument("--lang", required=True, action="append", metavar="L", help="language to render in")


def _preview_commands(command: Adder) -> None:
    """serve."""
    help = "live preview on 127.0.0.1: pages rebuilt and reloaded as files are saved"
    p = command("serve", preview.cmd_serve, help)
    p.add_argument("--port", type=int, metavar="N", help="port (default: [tool.pipeline.site] port, 8000)")
    p.add_argument("--no-watch", action="store_true", help="do not watch files (pages are still rendered fresh)")
    p.add_argument("--drafts", action="store_true", help="show fuzzy entries and machine drafts, marked (preview only)")


def _translation_commands(command: Adder) -> None:
    """pretranslate; check, review, approve (QA); export, import (agencies: XLIFF 1.2, TMX 1.4)."""
    help = "fill untranslated entries with fuzzy drafts: memory, then an engine"
    p = command("pretranslate", translation.cmd_pretranslate, help)
    p.add_argument("--lang", action="append", required=True, metavar="L", help="target language (repeatable)")
    p.add_argument(
        "--engine",
        metavar="NAME",
        help=f"{', '.join(ENGINES)} (default: [tool.pipeline.mt] engine; none is chosen for you)",
    )
    p.add_argument("--engine-url", metavar="URL", help="the LibreTranslate server for --engine libre")
    p.add_argument(
        "--timeout", type=float, metavar="SECONDS", help=f"per HTTP request (default {MtSettings.timeout:g})"
    )
    p.add_argument("--workers", type=int, metavar="N", help=f"concurrent requests (default {MtSettings.workers})")
    p.add_argument("--dry-run", action="store_true", help="print what would be sent and its size; send nothing")
    p.add_argument("--limit", type=int, metavar="N", help="send at most N texts to the engine in this run")
    help = "forget the engine's cached answers first and ask it again (a server that answered wrongly once)"
    p.add_argument("--refresh", action="store_true", help=help)
    help = "QA checks on every translated or draft entry and on the source; exit 1 on errors"
    p = command("check", translation.cmd_check, help)
    _lang_option(p)
    _jobs_option(p)
    p.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    p = command("review", translation.cmd_review, "write review/<lang>.html, the reviewer's page (outside output/)")
    _lang_option(p)
    help = "sign off reviewed entries that pass the enforced checks (# approved:)"
    p = command("approve", translation.cmd_approve, help)
    p.add_argument("--lang", required=True, action="append", metavar="L", help="the language to sign off")
    p.add_argument("--by", required=True, metavar="NAME", help="the reviewer's name, as the sign-off records it")
    p.add_argument("articles", nargs="*", metavar="ARTICLE", help="articles to sign off (default: all, and site)")
    p.add_argument("--entries", metavar="FILE:LINE,...", help="only the entries at these catalog lines")
    help = "the reviewer's private SSH key (default: ssh-agent, else ~/.ssh/id_ed25519)"
    p.add_argument("--key", metavar="FILE", help=help)
    help = "write one language's catalogs as XLIFF 1.2 (or TMX 1.4) for an agency"
    p = command("export", translation.cmd_export, help)
    p.add_argument("--lang", required=True, action="append", metavar="L", help="target language")
    p.add_argument("--format", choices=("xliff", "tmx"), default="xliff", help="xliff (default) or tmx")
    p.add_argument("articles", nargs="*", metavar="ARTICLE", help="only these articles (default: all, and site)")
    p.add_argument("-o", dest="output", metavar="FILE", help="output file (default: <lang>.xlf or <lang>.tmx)")
    help = "read an agency's XLIFF back into the catalogs, or a TMX into the memory"
    p = command("import", translation.cmd_import, help)
    p.set_defaults(prepare=translation.prepare_import)
    p.add_argument("file", metavar="FILE", help="an XLIFF 1.2 or TMX 1.4 file")
    p.add_argument("--reviewed", action="store_true", help="translated/signed-off units count as reviewed")


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


def _verbose_option(p: argparse.ArgumentParser) -> None:
    help = "list every file written (the search index's, the templates', the site files'), not only pages and catalogs"
    p.add_argument("-v", "--verbose", action="store_true", help=help)


def _lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", action="append", metavar="L", help="only this language (repeatable; default: all)")


__all__ = ["USAGE", "main"]
