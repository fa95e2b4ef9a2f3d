"""Tokens: what an engine must not change is swapped out before it sees the text.

A msgid is raw inline Markdown. `spans.protected_spans` names everything that must
survive byte for byte (code, link/image targets — a title's words are prose —, reference ids,
footnote references, autolinks, URLs, e-mail addresses, HTML tags and entities,
attr lists, the segmenter's `<!--ph:N-->` placeholders, configured patterns such as
NCT IDs); QA checks the same model, so what is protected here is what QA checks.
On top of that this module protects, because engines break them too:

* the opening `[` / `![` of every link and image, paired with its `](target)`
  token, so an engine can move a link but not lose or unbalance its brackets;
* hard line breaks (two spaces + newline), which engines collapse;
* glossary do-not-translate terms;
* literal `⟦` / `⟧` characters, so a token in the output is always one of ours.

Token design: ``⟦N⟧`` (U+27E6, U+27E7 around a decimal number). The brackets are
not letters, so no engine translates, transliterates or re-cases them; they are not
Markdown or HTML, so a token an engine moves never turns into markup, and
Google's HTML scraping does not eat them the way it eats `<x1/>`; digits survive
every engine (a localized digit such as `١` is still read, `\\d` is Unicode). The
alternatives fail in known ways: `__1__` is Markdown emphasis and glues to the
neighbouring word, `{1}` looks like an attr list, `[1]` like a link, `<x1/>` is
escaped or dropped by engines without tag handling (deep-translator exposes none).

Restoration accepts spacing engines add *inside* a token (``⟦ 3 ⟧``) and removes
spacing they add where whitespace would change the Markdown: before a `](target)`,
`][ref]` or `[^note]` that was glued to the word before it, after an opening `[`,
and around a hard break. Anything else — a token lost, duplicated, unknown, a stray
bracket, a pair out of order — is a `TokenError` and the entry stays untranslated.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.config.glossary import Term
from pipeline.markup.danger import parse_tag
from pipeline.markup.inline import BREAK_RE, link_opening
from pipeline.markup.spans import Span, Taken, protected_spans

OPEN, CLOSE = "⟦", "⟧"
_TOKEN_RE = re.compile(rf"{OPEN}\s*(\d+)\s*{CLOSE}")
_LITERAL_RE = re.compile(rf"[{OPEN}{CLOSE}]+")
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Kinds glued to the word before them in Markdown: a space there changes the text.
_GLUED_LEFT = {"target", "ref", "footnote", "title"}
_QUOTES = ('"', "'", "(")  # how a `](target "` ends when a title follows it
_SPACES = " \t\u00a0\u202f"
_RUN_START_RE = re.compile(r"\A[ \t]*")
_RUN_END_RE = re.compile(r"(?<![ \t])[ \t]*\Z")


class TokenError(Exception):
    """An engine's output lost, duplicated or mangled a token."""


@dataclass(frozen=True)
class Token:
    """One protected span, as the engine sees it: ``⟦number⟧``."""

    number: int
    kind: str
    text: str
    partner: int | None = None  # the other half of a `[`…`](url)` or `<b>`…`</b>` pair
    opens: bool = False
    strip_before: bool = False  # remove whitespace an engine puts before the token
    strip_after: bool = False  # ... and after it
    space_before: str = ""  # the spaces next to the token in the text as sent
    space_after: str = ""

    @property
    def placeholder(self) -> str:
        return f"{OPEN}{self.number}{CLOSE}"


@dataclass(frozen=True)
class Protected:
    """A msgid ready for an engine: `text` has tokens; `lead`/`trail` whitespace
    is kept aside (Google strips it) and put back on restoration."""

    source: str
    text: str
    lead: str
    trail: str
    tokens: tuple[Token, ...]
    terms: tuple[Term, ...] = ()  # preferred glossary terms written into `text`

    @property
    def translatable(self) -> bool:
        """Whether any prose is left once the tokens are out (else: nothing to send)."""
        return bool(re.search(r"[^\W\d_]", _TOKEN_RE.sub(" ", self.text)))


def protect(
    text: str,
    patterns: Sequence[str],
    dnt: Sequence[Term] = (),
    preferred: Sequence[Term] = (),
) -> Protected:
    """Replace every span of `text` that must not change by a token.

    `dnt` terms become tokens; `preferred` terms (glossary source → target) are
    written into the prose so the engine starts from the clinic's terminology.
    """
    core = text.strip()
    start = text.find(core) if core else len(text)
    lead, trail = text[:start], text[start + len(core) :]
    spans = token_spans(core, patterns, dnt)
    tokens: list[Token] = []
    pieces: list[str] = []
    prose: list[int] = []  # indexes in `pieces` that hold prose (glossary goes there)
    at = 0
    pairs = _pairs(core, spans)
    number_of = {id(s): i for i, s in enumerate(spans, start=1)}
    for i, span in enumerate(spans):
        following = spans[i + 1].start if i + 1 < len(spans) else len(core)
        pieces.append(core[at : span.start])
        prose.append(len(pieces) - 1)
        n = number_of[id(span)]
        partner = pairs.get(id(span))
        opens = partner is not None and partner.start > span.start
        before = core[span.start - 1 : span.start]
        after = core[span.end : span.end + 1]
        token = Token(
            number=n,
            kind=span.kind,
            text=span.text,
            partner=number_of[id(partner)] if partner is not None else None,
            opens=opens,
            strip_before=span.kind == "break" or (span.kind in _GLUED_LEFT and before != "" and not before.isspace()),
            strip_after=span.kind == "break"
            or (span.kind == "open" and after != "" and not after.isspace())
            or (span.kind == "target" and span.text.endswith(_QUOTES)),  # the title's first word
            space_before=_RUN_END_RE.search(core[at : span.start]).group(0),
            space_after=_RUN_START_RE.match(core[span.end : following]).group(0),
        )
        tokens.append(token)
        # A hard break becomes " ⟦n⟧ " so the words on either side stay words.
        pieces.append(f" {token.placeholder} " if span.kind == "break" else token.placeholder)
        at = span.end
    pieces.append(core[at:])
    prose.append(len(pieces) - 1)
    used: list[Term] = []
    if preferred:
        for i in prose:
            pieces[i] = _substitute(pieces[i], preferred, used)
    return Protected(text, "".join(pieces), lead, trail, tuple(tokens), tuple(dict.fromkeys(used)))


def restore(translated: str, protected: Protected) -> str:
    """Put the original spans back into an engine's output, or raise `TokenError`."""
    by_number = {t.number: t for t in protected.tokens}
    found = [(m, int(m.group(1))) for m in _TOKEN_RE.finditer(translated)]
    counts = Counter(n for _, n in found)
    for n, count in sorted(counts.items()):
        if n not in by_number:
            raise TokenError(f"engine invented a token {OPEN}{n}{CLOSE}")
        if count > 1:
            raise TokenError(f"engine duplicated {_describe(by_number[n])}")
    for token in protected.tokens:
        if token.number not in counts:
            raise TokenError(f"engine lost {_describe(token)}")
    stray = _LITERAL_RE.search(_TOKEN_RE.sub("", translated))
    if stray:
        raise TokenError(f"engine mangled a token (stray {stray.group(0)!r} in its output)")
    _check_order([n for _, n in found], by_number)
    out: list[str] = []
    at = 0
    previous: Token | None = None
    for m, n in found:
        token = by_number[n]
        before = _tidy(translated[at : m.start()], previous, token)
        # Where spacing matters, the engine's spaces give way to the source's own.
        out.append(before.rstrip(_SPACES) + token.space_before if token.strip_before else before)
        out.append(token.text)
        at = m.end()
        if token.strip_after:
            at = _skip_spaces(translated, at)
            out.append(token.space_after)
        previous = token
    out.append(_tidy(translated[at:], previous, None))
    return protected.lead + "".join(out) + protected.trail


def _tidy(prose: str, after: Token | None, before: Token | None) -> str:
    """Spacing an engine put next to tokens: a new run of spaces collapses to one,
    and spaces it put before a newline go (in prose they would make a hard break;
    the source's own hard breaks are tokens)."""
    prose = BREAK_RE.sub("\n", prose)
    if after is not None:
        run = _RUN_START_RE.match(prose).group(0)
        if len(run) > 1 and run != after.space_after:
            prose = " " + prose[len(run) :]
    if before is not None:
        run = _RUN_END_RE.search(prose).group(0)
        if len(run) > 1 and run != before.space_before:
            prose = prose[: len(prose) - len(run)] + " "
    return prose


def _describe(token: Token) -> str:
    text = token.text if len(token.text) <= 60 else token.text[:57] + "..."
    return f"{token.placeholder} ({token.kind} {text!r})"


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACES:
        at += 1
    return at


def _check_order(sequence: list[int], by_number: dict[int, Token]) -> None:
    """Pairs (`[`…`](url)`, `<b>`…`</b>`) must still open before they close and nest."""
    stack: list[int] = []
    for n in sequence:
        token = by_number[n]
        if token.partner is None:
            continue
        if token.opens:
            stack.append(n)
        elif not stack or stack[-1] != token.partner:
            raise TokenError(f"engine moved {_describe(token)} out of its pair")
        else:
            stack.pop()


def token_spans(core: str, patterns: Sequence[str], dnt: Sequence[Term]) -> list[Span]:
    """What becomes a token in `core`: the protected spans, the openings of links
    and images, hard breaks, literals and do-not-translate terms, in order (the
    tokenizer the exchange formats share, so an XLIFF code is a pretranslation token)."""
    spans = protected_spans(core, patterns)
    taken = Taken(len(core), spans)

    def free(start: int, end: int) -> bool:
        return start < end and not taken.overlaps(start, end)

    def add(span: Span) -> None:
        spans.append(span)
        taken.add(span.start, span.end)

    openings = []
    for span in spans:
        if span.kind in ("target", "ref"):
            opening = link_opening(core, span.start)
            if opening is not None and free(*opening):
                openings.append(Span("open", opening[0], opening[1], core[opening[0] : opening[1]]))
    for span in openings:
        add(span)
    for regex, kind in ((BREAK_RE, "break"), (_LITERAL_RE, "literal")):
        for m in regex.finditer(core):
            if free(*m.span()):
                add(Span(kind, m.start(), m.end(), m.group(0)))
    if dnt:
        for m in _words(tuple(t.source for t in dnt), False).finditer(core):
            if free(*m.span()):
                add(Span("dnt", m.start(), m.end(), m.group(0)))
    return sorted(spans, key=lambda s: s.start)


@functools.lru_cache(maxsize=64)
def _words(sources: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """One regex for whole-word occurrences of any of `sources`, longest first."""
    ordered = sorted(sources, key=len, reverse=True)
    body = "|".join(re.escape(s) for s in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I if ignore_case else 0)


def _pairs(core: str, spans: list[Span]) -> dict[int, Span]:
    """Both halves of each pair, keyed by `id(span)`: link brackets and HTML tags."""
    pairs: dict[int, Span] = {}
    opens = {s.start: s for s in spans if s.kind == "open"}
    for span in spans:
        if span.kind in ("target", "ref"):
            opening = link_opening(core, span.start)
            partner = opens.get(opening[0]) if opening else None
            if partner is not None:
                pairs[id(span)], pairs[id(partner)] = partner, span
    stack: list[tuple[str, Span]] = []
    for span in spans:
        tag = parse_tag(span.text) if span.kind == "html" else None  # the tag model QA and the gate use
        if tag is None or not tag.name[:1].isalpha() or span.text.endswith("/>") or tag.name in _VOID_TAGS:
            continue
        name = tag.name
        if not tag.closing:
            stack.append((name, span))
        elif stack and stack[-1][0] == name:
            _, opening_tag = stack.pop()
            pairs[id(span)], pairs[id(opening_tag)] = opening_tag, span
    return pairs


def _substitute(text: str, terms: Sequence[Term], used: list[Term]) -> str:
    """Write each preferred term's target over its source (whole words, any case;
    plural forms are left to the engine and only checked)."""
    if not text.strip():
        return text
    regex = _words(tuple(t.source for t in terms), True)
    by_lower = {t.source.lower(): t for t in sorted(terms, key=lambda t: -len(t.source))}

    def swap(m: re.Match[str]) -> str:
        term = by_lower[m.group(0).lower()]
        used.append(term)
        target = term.target
        # "Amyotrophic lateral sclerosis" at a sentence start: keep the capital.
        if m.group(0)[:1].isupper() and term.source[:1].islower() and target[:1].islower():
            target = target[:1].upper() + target[1:]
        return target

    return regex.sub(swap, text)
