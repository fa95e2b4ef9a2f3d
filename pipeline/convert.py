"""Python-Markdown with our segment extension, and an article's messages.

One `Markdown` instance serves every document of a run (building one costs more
than converting a short article); `Converter.convert` resets it between documents.
"""

from __future__ import annotations

from dataclasses import dataclass

import markdown

from pipeline.article import Article
from pipeline.catalog import SLUG_CONTEXT, Message
from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.segment import Lookup, Segment, SegmentExtension

SLUG_COMMENT = "URL slug: translate to localize the page address, or leave empty"


@dataclass(frozen=True)
class Converted:
    """The body HTML and what the extension saw on the way."""

    html: str
    segments: list[Segment]
    rejected: list[Segment]


class Converter:
    """Markdown → HTML with the configured extensions plus segmentation."""

    def __init__(self, config: Config) -> None:
        self.extension = SegmentExtension()
        try:
            self.md = markdown.Markdown(
                extensions=[*config.extensions, self.extension],
                extension_configs=config.extension_configs,
            )
        except (ImportError, AttributeError, TypeError, KeyError) as exc:
            raise UsageError(
                f"cannot load the Markdown extensions {list(config.extensions)}: {exc}", config.pyproject
            ) from None

    def convert(self, body: str, lookup: Lookup | None = None, source_lang: str | None = None) -> Converted:
        """Render `body`; with `lookup`, each segment is replaced by what it returns,
        and text left in the source language is marked `lang=source_lang`."""
        self.md.reset()
        self.extension.lookup = lookup
        self.extension.source_lang = source_lang
        html = self.md.convert(body)
        return Converted(html, list(self.extension.segments), list(self.extension.rejected))


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
