"""The commands of translation and review: pretranslate; check, review, approve
(QA); export, import (agencies: XLIFF 1.2, TMX 1.4). Each takes the parsed
arguments (the loaded project in `args.config`), calls one library function and
prints what it did.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.base.errors import CONTENT, OK, UsageError
from pipeline.cli.report import report_errors


def cmd_pretranslate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pipeline.pretranslate import pretranslate

    if args.limit is not None and args.limit < 0:
        raise UsageError(f"--limit must be 0 or more, not {args.limit}")
    overrides = {"engine": args.engine, "engine_url": args.engine_url, "timeout": args.timeout, "workers": args.workers}
    settings = args.config.mt.with_options(**overrides)

    def progress(desc: str, total: int) -> tqdm:
        # disable=None: a bar on a terminal, nothing in a log file or a pipe.
        return tqdm(total=total, desc=desc, unit="text", file=sys.stderr, disable=None, dynamic_ncols=True)

    reports = pretranslate(
        args.config,
        args.lang,
        settings,
        dry_run=args.dry_run,
        limit=args.limit,
        progress=progress,
        refresh=args.refresh,
    )
    for report in reports:
        for path in report.written:
            print(f"{path}: written")
        for text in report.would_send:
            print(f"{len(text):7,}  {json.dumps(text, ensure_ascii=False)}")
        for problem in [*report.failed, *report.glossary]:
            print(problem, file=sys.stderr)
        print(report.summary())
    code = report_errors([exc for report in reports for exc in report.errors], args.config.root)
    fatal = next((report.error for report in reports if report.error is not None), None)
    if fatal is not None:
        raise fatal  # one line, after the summary of what was saved
    return code


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.base.jobs import check_jobs
    from pipeline.review.runner import check_project

    report = check_project(args.config, args.lang, check_jobs(args.jobs), args.loaded.sources)
    if args.json:
        print(json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False))
    else:
        for finding in report.findings:
            print(finding)
        print(
            f"{report.error_count} error(s), {report.warning_count} warning(s) "
            f"in {report.catalogs} catalog(s) and {report.sources} source(s)"
        )
    report_errors(report.errors, args.config.root)
    return CONTENT if report.failed else OK


def cmd_approve(args: argparse.Namespace) -> int:
    from pipeline.review.approve import approve

    key = Path(args.key).expanduser() if args.key else None
    result = approve(args.config, args.lang[-1], args.by, args.articles, args.entries, key=key)
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
    return report_errors(errors, args.config.root)


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.base.files import atomic_write
    from pipeline.exchange import SUFFIX, export, export_target

    if len(set(args.lang)) > 1:
        raise UsageError("export one language at a time (one file per language)")
    lang = args.lang[-1]
    path = Path(args.output) if args.output else Path(f"{lang}{SUFFIX[args.format]}")
    path = export_target(args.config, path, args.format)  # checked before any work
    result = export(args.config, lang, args.format, args.articles)
    atomic_write(path, result.text)
    states = ", ".join(f"{n} {s}" for s, n in sorted(result.states.items()))
    print(f"{path}: written ({result.files} catalog(s), {result.units} unit(s){': ' + states if states else ''})")
    return OK


def prepare_import(args: argparse.Namespace) -> None:
    """Read the delivery before the project lock is taken: a file that is refused
    (a FIFO, a device, over a ceiling) never holds up another command."""
    from pipeline.exchange import read_delivery

    args.delivery = read_delivery(args.config, Path(args.file))


def cmd_import(args: argparse.Namespace) -> int:
    from pipeline.exchange import apply_delivery, read_delivery

    delivery = getattr(args, "delivery", None) or read_delivery(args.config, Path(args.file))
    report = apply_delivery(args.config, delivery, reviewed=args.reviewed)
    for path in report.written:
        print(f"{path}: written")
    for problem in [*report.stale, *report.refused]:
        print(problem, file=sys.stderr)
    if report.ignored_langs:
        print(f"{report.file}: ignored languages not in this project: {', '.join(report.ignored_langs)}")
    print(report.summary())
    return CONTENT if report.failed else OK
