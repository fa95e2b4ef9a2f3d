"""Inline codes: the Markdown a CAT tool must protect, as numbered placeholders.

A msgid is raw inline Markdown. What must not change in a translation is exactly
what pretranslation hides from engines (`pretranslate.protect`, built on
`markup.spans.protected_spans`, the inventory QA checks): code spans, link and image
targets and titles, the opening `[` / `![` of a link, reference ids, footnote
references, autolinks, URLs, e-mail addresses, HTML tags and entities, attr
lists, hard line breaks, the segmenter's placeholders, `%(name)s` placeholders
and the configured patterns (trial IDs). Here each becomes a `Code` with an id;
the exchange formats write it as `<ph id="N">original</ph>`, so a CAT tool shows
a tag the translator moves but cannot edit, while emphasis, link text and alt
text stay ordinary, translatable text.

On the way back a placeholder is restored from the *current* source's codes by
its id, and the result is checked against the same inventory: a code altered,
lost, duplicated or invented, or markup typed as text, refuses the unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.exchange.xmlio import ILLEGAL_RE, Node
from pipeline.markup.spans import protected_spans
from pipeline.markup.tokens import token_spans  # the tokenizer pretranslation uses


class CodeError(Exception):
    """A translation's inline codes do not match its source's."""


@dataclass(frozen=True)
class Code:
    """One protected piece of a segment."""

    id: str
    kind: str
    text: str


@dataclass(frozen=True)
class Placeholder:
    """A `<ph>` as found in a delivered file: its id and what it held."""

    id: str
    content: str
    line: int = 0


Piece = str | Code


def split(text: str, patterns: Sequence[str], start: int = 1) -> list[Piece]:
    """`text` as prose and codes, codes numbered from `start` in order."""
    pieces: list[Piece] = []
    at, number = 0, start
    for span in token_spans(text, patterns, ()):
        if span.kind == "literal":  # a literal ⟦ is an engine's problem, not a CAT tool's
            continue
        number = _prose(text[at : span.start], pieces, number)
        pieces.append(Code(str(number), span.kind, span.text))
        number += 1
        at = span.end
    _prose(text[at:], pieces, number)
    return pieces


def _prose(text: str, pieces: list[Piece], number: int) -> int:
    """Append prose; characters XML cannot hold become codes of their own."""
    at = 0
    for m in ILLEGAL_RE.finditer(text):
        if m.start() > at:
            pieces.append(text[at : m.start()])
        pieces.append(Code(str(number), "char", m.group(0)))
        number += 1
        at = m.end()
    if at < len(text):
        pieces.append(text[at:])
    return number


def codes(pieces: Sequence[Piece]) -> list[Code]:
    return [p for p in pieces if isinstance(p, Code)]


def split_target(text: str, source: Sequence[Piece], patterns: Sequence[str]) -> list[Piece]:
    """A translation as prose and codes, each code taking the id of the source code
    with the same text (in order); a code the source lacks gets a new id, so a CAT
    tool shows it and `restore` refuses it if the unit is edited."""
    free: dict[str, list[str]] = {}
    for code in codes(source):
        free.setdefault(code.text, []).append(code.id)
    extra = len(codes(source)) + 1
    out: list[Piece] = []
    for piece in split(text, patterns):
        if isinstance(piece, Code):
            ids = free.get(piece.text)
            if ids:
                piece = Code(ids.pop(0), piece.kind, piece.text)
            else:
                piece = Code(str(extra), piece.kind, piece.text)
                extra += 1
        out.append(piece)
    return out


def join(pieces: Sequence[Piece]) -> str:
    return "".join(p.text if isinstance(p, Code) else p for p in pieces)


def restore(
    found: Sequence[str | Placeholder], source: Sequence[Piece], *, complete: bool, extra: Sequence[Code] = ()
) -> str:
    """The text of delivered pieces with each placeholder replaced by the source's
    code of that id. A placeholder may hold its original or nothing (some tools
    drop the content); anything else is an altered code. With `complete`, every
    source code must appear exactly once (a translation); a source text is
    compared whole by the caller. `extra` are the codes the current translation
    has beyond the source's (`split_target` numbers them on), so a translation
    comes back as it went out even where it already differed from its source."""
    required = {c.id for c in codes(source)}
    by_id = {c.id: c for c in [*codes(source), *extra]}
    seen: Counter[str] = Counter()
    out: list[str] = []
    for piece in found:
        if isinstance(piece, str):
            out.append(piece)
            continue
        code = by_id.get(piece.id)
        if code is None:
            raise CodeError(f"code {piece.id} ({_show(piece.content)}) is not in the source")
        if piece.content and piece.content != code.text:
            raise CodeError(f"code {piece.id} was altered: {_show(code.text)} became {_show(piece.content)}")
        seen[piece.id] += 1
        out.append(code.text)
    if complete:
        for code in by_id.values():
            if code.id not in required:
                continue
            if seen[code.id] == 0:
                raise CodeError(f"code {code.id} ({_show(code.text)}) is missing")
            if seen[code.id] > 1:
                raise CodeError(f"code {code.id} ({_show(code.text)}) appears {seen[code.id]} times")
    return "".join(out)


def verify(translation: str, source: str, patterns: Sequence[str]) -> None:
    """The translation carries exactly the source's protected markup (what QA
    checks); markup typed as text — a `](url)`, a code span — is refused too."""
    want = Counter((s.kind, s.text) for s in protected_spans(source, patterns))
    have = Counter((s.kind, s.text) for s in protected_spans(translation, patterns))
    if want != have:
        added = sorted((have - want).elements())
        if added:
            raise CodeError(f"the translation adds markup {_show(added[0][1])} as text")
        lost = sorted((want - have).elements())
        raise CodeError(f"the translation loses markup {_show(lost[0][1])}")


def _show(text: str) -> str:
    text = text if len(text) <= 50 else text[:47] + "..."
    return repr(text)


def inline_nodes(pieces: list[Piece], id_attr: str, kind_attr: str) -> list[Node | str]:
    """Text and codes as XML content: each code a `<ph>` holding the original, its
    attributes named as the format names them (XLIFF `id`/`ctype`, TMX `x`/`type`).
    A code XML cannot hold (a control character) travels empty and is restored
    from its id."""
    out: list[Node | str] = []
    for piece in pieces:
        if isinstance(piece, Code):
            content = [] if ILLEGAL_RE.search(piece.text) else [piece.text]
            out.append(Node("ph", {id_attr: piece.id, kind_attr: f"x-md-{piece.kind}"}, content))
        else:
            out.append(piece)
    return out
