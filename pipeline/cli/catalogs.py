"""The commands that write and read the catalogs: extract, update, stats. Each takes
the parsed arguments (the loaded project in `args.config`), calls one library
function and prints what it did.
"""

from __future__ import annotations

import argparse
import json

from pipeline.cli.report import report_errors


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.build.publish import extract

    report = extract(args.config, jobs=args.jobs, sources=args.loaded.sources)
    written = [r.name for r in report.updates if r.template_written]
    for name in written:
        print(f"{args.config.rel(args.config.template_path(name))}: written")
    print(f"{report.articles} article(s), {len(written)} template(s) written")
    return report_errors(report.errors, args.config.root)


def cmd_update(args: argparse.Namespace) -> int:
    from pipeline.build.publish import update

    report = update(args.config, args.lang, jobs=args.jobs, accept_loss=args.accept_loss, sources=args.loaded.sources)
    print_update(args, report)
    code = report_errors(report.errors, args.config.root)
    return refresh_reviews(args, report, code)


def cmd_stats(args: argparse.Namespace) -> int:
    if args.analysis:
        from pipeline.pretranslate.analysis import collect, table
    else:
        from pipeline.catalog.stats import collect, table
    results, errors = collect(args.config, args.lang)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print("\n".join(table(results)))
    return report_errors(errors, args.config.root)


def refresh_reviews(args: argparse.Namespace, report, code: int) -> int:
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


def print_update(args: argparse.Namespace, report) -> None:
    written = total = 0
    for result in report.updates:
        if result.template_written and getattr(args, "verbose", False):  # generated: no one edits a template
            print(f"{args.config.rel(args.config.template_path(result.name))}: written")
        for cat in result.catalogs:
            total += 1
            if cat.written:
                written += 1
                c = cat.counts
                revived = f"{c.revived} revived, " if c.revived else ""
                print(f"{cat.path}: {c.new} new, {c.fuzzy} fuzzy, {revived}{c.obsolete} obsolete, {c.kept} unchanged")
        for line in result.voided:
            print(line)
    unchanged = f", {report.skipped} unchanged article(s) skipped" if report.skipped else ""
    print(f"{report.articles} article(s), {total} catalog(s) merged, {written} written{unchanged}")
