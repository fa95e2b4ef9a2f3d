"""The source linter: problems in an article's own text, before anyone translates it.

A German thousands separator in English text (`100.000` for a hundred thousand)
is read as one hundred by an English reader *and* turns into a wrong number in
every translation; an unbalanced `**` shows asterisks on every edition. Fixing
them once in the source is cheaper than in every catalog. The linter reads the
same messages `extract` writes (front matter prose and body segments) in the
article's own language, so a finding points at the source file and line.
All source checks are warnings: the source is the editor's call. The one
exception is an image the article shows that is not there (`source-media`): every
edition would show it broken, so it is an error, at the line that names it.
"""

from __future__ import annotations

import re

from pipeline.catalog.model import SLUG_CONTEXT
from pipeline.config.load import Config
from pipeline.markup.inline import delimiters, prose
from pipeline.markup.spans import protected_spans
from pipeline.review.numbers import foreign_format, symbols
from pipeline.review.registry import ERROR, WARNING, Context, Finding, checks, register
from pipeline.source.article import Article
from pipeline.source.assets import place_media
from pipeline.source.convert import Converter
from pipeline.source.messages import article_messages

_SPACE_BEFORE_RE = re.compile(r"(?<=\w) +([,.])(?=\s|$)")
_DOUBLE_SPACE_RE = re.compile(r"(?<=\S) {2,}(?=\S)")


@register("source-numbers", WARNING, "numbers in the source follow the source language's format", scope="source")
def lint_numbers(text: str, _unused: str, ctx: Context) -> list[str]:
    found = []
    for m in symbols(ctx.lang).token.finditer(prose(text, ctx.patterns)):
        why = foreign_format(m.group(0), ctx.lang)
        if why:
            found.append(why)
    return found


@register("source-markup", WARNING, "emphasis markers and backticks in the source are balanced", scope="source")
def lint_markup(text: str, _unused: str, ctx: Context) -> list[str]:
    runs = delimiters(text, ctx.patterns)
    found = []
    for char in "*_":
        # A run of three both opens/closes a strong and an emphasis.
        single = sum(n for k, n in runs.items() if k[0] == char and len(k) in (1, 3))
        double = sum(n for k, n in runs.items() if k[0] == char and len(k) in (2, 3))
        for count, marker in ((double, char * 2), (single, char)):
            if count % 2:
                found.append(f"unbalanced '{marker}': the page shows it literally")
    if "`" in prose(text, ctx.patterns):
        found.append("a backtick without its closing one: the page shows it literally")
    return found


@register("source-spacing", WARNING, "no space before a comma or full stop, no double spaces", scope="source")
def lint_spacing(text: str, _unused: str, ctx: Context) -> list[str]:
    # Protected spans (code, URLs) count as words here, not as blanks.
    chars = list(text)
    for span in protected_spans(text, ctx.patterns):
        chars[span.start : span.end] = "x" * (span.end - span.start)
    rest = "".join(chars)
    found = [f"space before '{m.group(1)}'" for m in _SPACE_BEFORE_RE.finditer(rest)]
    if _DOUBLE_SPACE_RE.search(rest):
        found.append("double space inside a line")
    return list(dict.fromkeys(found))


def lint_text(text: str, ctx: Context, disabled: frozenset[str] = frozenset()) -> list[Finding]:
    """Run every source check on one piece of source text."""
    findings: list[Finding] = []
    for check in checks("source"):
        if check.name not in disabled:
            findings.extend(check(text, "", ctx))
    return findings


def lint_article(
    converter: Converter,
    config: Config,
    article: Article,
    disabled: frozenset[str] = frozenset(),
    media: list[str] | None = None,
) -> list[Finding]:
    """Source findings for one article, located at its file and line; `media`, when
    given, receives the files its images were looked for as (their findings hold
    while those files are as they were)."""
    converted = converter.convert(article.body)
    segments = converted.segments
    placed = place_media(config, article, article.lang, converted.html)
    if media is not None:
        media += placed.inputs
    findings = [
        Finding("source-media", ERROR, article.relpath, p.line, "", "", p.message, article.lang, article.name)
        for p in placed.problems
    ]
    for message in article_messages(article, segments, config):
        if message.msgctxt == SLUG_CONTEXT:
            continue
        line = next((int(n) for _, n in message.occurrences if n.isdigit()), None)
        ctx = Context(
            lang=article.lang,
            source_lang=article.lang,
            file=article.relpath,
            line=line,
            article=article.name,
            patterns=config.protected_patterns,
        )
        findings.extend(lint_text(message.msgid, ctx, disabled))
    return findings
