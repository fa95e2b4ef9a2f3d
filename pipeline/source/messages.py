"""What a translator sees, before it is a catalog entry: the message model.

The segment extension (`pipeline.source.segment`) finds a `Segment` in a document body and,
when it applies translations, asks a `Lookup` for its `Rendering`. An article's
messages (`article_messages`) are its front matter's prose fields, its slug (msgctxt
`slug`), then every segment of its body in reading order, each a `Message` with the
comments and the `file:line` a translator sees in the template; `pipeline.catalog.model`
turns them into PO entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.config.load import Config
from pipeline.source.article import Article

SLUG_CONTEXT = "slug"  # the msgctxt of an article's page address
SLUG_COMMENT = "URL slug: translate to localize the page address, or leave empty"


@dataclass(frozen=True)
class Segment:
    """One translatable message found in a document body.

    `line` is 1-based within the text handed to `Markdown.convert` (None when the
    text could not be located, e.g. an abbreviation defined by configuration).
    """

    msgid: str
    msgctxt: str | None = None
    comment: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Rendering:
    """What a lookup returns: the text to show and, if it is not the page's
    language, the language to mark it with (`lang` attribute)."""

    text: str
    lang: str | None = None


Lookup = Callable[[Segment], "Rendering | None"]


@dataclass(frozen=True)
class Message:
    """A message as extraction finds it, before it is a PO entry."""

    msgid: str
    msgctxt: str | None = None
    comments: tuple[str, ...] = ()
    occurrences: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()


def front_matter_messages(article: Article, config: Config) -> list[Message]:
    """The prose fields of the front matter, then the slug (msgctxt `slug`)."""
    messages = []
    for key in config.prose_fields:
        value = article.meta.get(key)
        if isinstance(value, str) and value.strip():
            messages.append(Message(value, None, (f"front matter: {key}",), _where(article, key)))
    messages.append(Message(article.slug, SLUG_CONTEXT, (SLUG_COMMENT,), _where(article, "slug")))
    return messages


def article_messages(article: Article, segments: list[Segment], config: Config) -> list[Message]:
    """Everything a translator sees for one article, in reading order."""
    messages = front_matter_messages(article, config)
    for seg in segments:
        line = article.source_line(seg.line)
        where = ((article.relpath, str(line) if line else ""),)
        messages.append(Message(seg.msgid, seg.msgctxt, (seg.comment,) if seg.comment else (), where))
    return messages


def _where(article: Article, key: str) -> tuple[tuple[str, str], ...]:
    line = article.meta_lines.get(key)
    return ((article.relpath, str(line) if line else ""),)
