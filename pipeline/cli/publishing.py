"""The commands that write pages: build, publish (update, then build) and render (one
article's body, printed). Each prints what it wrote and the closing summary per
edition; `--strict` fails on an edition that is not wholly what was reviewed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.base.errors import CONTENT, OK, UsageError, too_deep
from pipeline.cli.catalogs import print_update, refresh_reviews
from pipeline.cli.report import report_errors


def cmd_build(args: argparse.Namespace) -> int:
    from pipeline.build.publish import build

    report = build(args.config, args.lang, jobs=args.jobs, sources=args.loaded.sources)
    _print_build(args, report)
    return _strict(args, report, report_errors([*report.errors, *report.asset_errors], args.config.root))


def cmd_publish(args: argparse.Namespace) -> int:
    from pipeline.build.publish import publish

    report = publish(args.config, args.lang, jobs=args.jobs, accept_loss=args.accept_loss, sources=args.loaded.sources)
    print_update(args, report)
    _print_build(args, report)
    code = _strict(args, report, report_errors([*report.errors, *report.asset_errors], args.config.root))
    return refresh_reviews(args, report, code)


def cmd_render(args: argparse.Namespace) -> int:
    from pipeline.build.render import catalog_for, render
    from pipeline.source.article import load_article
    from pipeline.source.convert import Converter

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


def _strict(args: argparse.Namespace, report, code: int) -> int:
    """`--strict`: a deploy job refuses an edition that is not wholly what was reviewed."""
    from pipeline.build.summary import summary

    failing = [(e.lang, e.problems) for e in summary(report) if e.problems]
    if code != OK or not getattr(args, "strict", False) or not failing:
        return code
    for lang, problems in failing:
        print(f"--strict: edition {lang}: {'; '.join(problems)}", file=sys.stderr)
    return CONTENT


def _print_build(args: argparse.Namespace, report) -> None:
    out = args.config.rel(args.config.output_dir)
    if report.errors:
        print(f"nothing built: {out}/ is unchanged")
        return
    verbose = getattr(args, "verbose", False)
    for path in report.written:
        if verbose or _a_page(path):
            print(f"{out}/{path}: written")
    for path in report.removed:
        print(f"{out}/{path}: removed (no longer built)")
    for note in report.notes:
        print(f"{out}/{note}")
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
    pages = sum(1 for path in report.written if _a_page(path))
    rest = "" if verbose or pages == len(report.written) else f" ({pages} page(s); the rest: site files, -v lists them)"
    print(f"{len(report.written)} file(s) written, {report.unchanged} unchanged{rest}")
    for line in _summary_lines(report):
        print(line)


# The files a build writes around the articles' pages: listed with -v only.
_SITE_FILES = frozenset({"index.html", "404.html", "search.html", "feed.xml", "sitemap.xml"})


def _a_page(path: str) -> bool:
    """Whether `path` (under output/) is an article's page in an edition, the file a
    person looks for after a publish; the rest is site files (indexes, feeds, the
    search index, assets)."""
    parts = path.split("/")
    return len(parts) == 2 and parts[1].endswith(".html") and parts[1] not in _SITE_FILES


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
    from pipeline.build.summary import summary

    lines = []
    for e in summary(report):
        parts = [f"{e.published} page(s) published"]
        if e.withheld:
            parts.append(f"{len(e.withheld)} withheld ({', '.join(e.withheld)})")
        if e.withdrawn:
            parts.append(f"{len(e.withdrawn)} notice page(s) at withdrawn addresses")
        if e.shown:
            detail = ", ".join(f"{n} {reason}" for reason, n in sorted(e.shown.items()))
            parts.append(f"{sum(e.shown.values())} block(s) not in {e.lang} ({detail})")
        if e.chrome:
            named = ", ".join(f"“{text}”" for text in e.chrome_strings[:3]) + (" …" if e.chrome > 3 else "")
            parts.append(f"{e.chrome} page chrome string(s) not in {e.lang}, shown in English: {named}")
        if e.refused:
            parts.append(f"{e.refused} translation(s) refused")
        if e.words:
            reviewed, approved = 100 * e.reviewed / e.words, 100 * e.approved / e.words
            parts.append(f"words {reviewed:.1f}% reviewed, {approved:.1f}% approved")
        lines.append(f"edition {e.lang}: {'; '.join(parts)}")
    return lines
