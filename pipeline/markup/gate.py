"""The gate between a translation and a page: a msgstr cannot add markup or script.

Translations come from outside the editorial team (freelancers, engines), so each
one is checked before it is put into a page, against its own msgid:

1. as text (`pipeline.markup.danger`, the model `check` and pretranslation share): no
   stash placeholder or pipeline token; every raw HTML tag — any tag name
   Python-Markdown passes through, `<x:y ...>` included — must occur verbatim in
   the source segment; link and image targets must be `http(s)`, `mailto:`,
   relative or `#...` as a browser's URL parser reads them (`java<TAB>script:`,
   `&#106;avascript:`, `data:`, `vbscript:` fail) unless the source has exactly
   that target;
2. attribute lists (`{: onclick=...}`) only as the source has them;
3. rendered: no event-handler attribute and no unsafe URL in the HTML that the
   rendered source does not have, and the HTML must pass an allow-list sanitizer
   (nh3, configured for Python-Markdown's output plus the source's own tags)
   unchanged, serialization details aside — for every translation, not only for
   those with a `<` in them. nh3 is a gate here, never a rewriter:
   a refused translation is not cleaned and shown, its source text is shown (and
   `check` reports it), so a page built only from source text stays byte-identical
   to Python-Markdown's output.

The source is the clinic's own text and is trusted; only what a translation adds
is judged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import nh3

from pipeline.markup import danger
from pipeline.markup.danger import SAFE_SCHEMES, unsafe_url
from pipeline.markup.spans import protected_spans

__all__ = ["MARKDOWN_TAGS", "SAFE_SCHEMES", "TEXT_GATE", "Gate", "normalized", "refusal", "sanitized", "unsafe_url"]

# Tags and attributes Python-Markdown and the configured extensions produce.
MARKDOWN_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "a", "img", "ul", "ol", "li"}
    | {"blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "sup", "sub"}
    | {"abbr", "div", "span", "del", "ins", "details", "summary"}
)
MARKDOWN_ATTRIBUTES = {
    "*": {"id", "class", "lang", "title"},
    "a": {"href", "rel"},
    "img": {"src", "alt"},
    "ol": {"start", "type"},
    "th": {"style", "align"},
    "td": {"style", "align"},
}
_NEVER = {"script", "style"}

Fragment = Callable[[str], str]  # inline Markdown → HTML (`Converter.fragment`)

# The extensions whose output from inert text (see `inert`) is known: only tags of
# MARKDOWN_TAGS with attributes of MARKDOWN_ATTRIBUTES, and no URL but `#id` or one
# of the plain link targets below.
INERT_EXTENSIONS = frozenset(
    {"extra", "abbr", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "tables", "toc"}
    | {"sane_lists", "admonition", "nl2br", "legacy_em", "meta"}
)
# What could make Markdown produce anything else, or let a text check find anything:
# raw HTML and autolinks (`<`), entities (`&`), backslash escapes, attribute lists
# (`{`), stash and token characters; after a `]`, link, footnote and abbreviation
# definitions (`]:`, `] :`), without which no reference resolves, and `] (`. (Linear:
# each `]` scans only the whitespace after it.) An inline link or image, `](`, is
# inert only with a plain target (`_PLAIN_TARGET_RE`). Looked for by `in` and `find`,
# which skip through a text at C speed; one regex of them all was tried at each of
# its characters (half the pre-test's time).
_NOT_INERT_CHARACTERS = ("<", "&", "\\", "{", "\x02", "\x03", "⟦", "⟧")
_NOT_INERT_AFTER_BRACKET_RE = re.compile(r"\][ \t\n]*:|\][ \t\n]+\(")
# `](target)` or `](target "title")`, whole, read one way by Python-Markdown, nh3 and a
# browser: an http(s) or mailto URL, or a URL with no colon at all (relative: no
# scheme to read), without spaces, parentheses or quotes; a title without quotes,
# parentheses or newlines. Anything else (`](tel:...)`, `](HTTP://...)`, a nested
# parenthesis) goes the long way.
_PLAIN_TARGET_RE = re.compile(r'(?:(?:https?://|mailto:)[^\s()"\'<>]*|[^\s():"\'<>]*)(?: "[^"\n()]*")?\)')
# Nesting (lists, quotes, emphasis, links in link text) needs a marker per level; at
# most this many keeps the rendering far from the parser's recursion limit.
_MAX_MARKERS = 32
# `[0-9]\.` (a numbered list's marker), opening with the point: a literal, which the
# engine skips to at C speed (a pattern opening with a class is tried at every character).
_LIST_NUMBER_RE = re.compile(r"\.(?<=[0-9]\.)")


def inert(msgstr: str) -> bool:
    """Whether `msgstr` cannot be refused by `refusal`, with a renderer whose
    extensions are all in INERT_EXTENSIONS: without any of the characters above, no
    text check finds anything, and the rendered HTML has only allowed tags and
    attributes and no link but to an anchor or a plain target (http, https, mailto or
    relative, which the text checks and nh3 both allow), so the HTML checks and the
    sanitizer find nothing either. A cheap exact pre-test: most prose is inert, and
    so is most prose with ordinary links."""
    if _not_inert_text(msgstr):
        return False
    links = 0
    at = msgstr.find("](")
    while at >= 0:
        if not _PLAIN_TARGET_RE.match(msgstr, at + 2):
            return False
        links += 1
        at = msgstr.find("](", at + 2)
    markers = sum(msgstr.count(c) for c in "*_->+\n") + len(_LIST_NUMBER_RE.findall(msgstr)) + links
    return markers <= _MAX_MARKERS


def _not_inert_text(msgstr: str) -> bool:
    """Whether `msgstr` has anything of `_NOT_INERT_CHARACTERS`, or a `]` that
    `_NOT_INERT_AFTER_BRACKET_RE` matches at."""
    for character in _NOT_INERT_CHARACTERS:
        if character in msgstr:
            return True
    at = msgstr.find("]")
    while at >= 0:
        if _NOT_INERT_AFTER_BRACKET_RE.match(msgstr, at):
            return True
        at = msgstr.find("]", at + 1)
    return False


def renders_inert(extensions: tuple[str, ...] | list[str]) -> bool:
    """Whether a renderer with these Markdown extensions qualifies for `inert`."""
    return {name.removeprefix("markdown.extensions.") for name in extensions} <= INERT_EXTENSIONS


@dataclass(frozen=True)
class Gate:
    """The gate of one renderer: `fragment` turns inline Markdown into HTML (None:
    the text checks only, `TEXT_GATE`), and `inert_ok` says its extensions qualify
    for the `inert` pre-test. A `Converter` builds its own (`Converter.gate`)."""

    fragment: Fragment | None
    inert_ok: bool = False

    def refusal(self, msgid: str, msgstr: str, patterns: tuple[str, ...] = ()) -> str | None:
        """Why `msgstr` may not replace `msgid` on a page rendered this way, or None."""
        return refusal(msgid, msgstr, self.fragment, patterns, inert_ok=self.inert_ok)


TEXT_GATE = Gate(None)


def refusal(
    msgid: str,
    msgstr: str,
    fragment: Fragment | None = None,
    patterns: tuple[str, ...] = (),
    *,
    inert_ok: bool = False,
) -> str | None:
    """Why `msgstr` may not replace `msgid` on a page, or None if it may.

    `fragment` turns inline Markdown into HTML (for the checks on the HTML);
    without it only the checks on the text run. `inert_ok` (a `fragment` whose
    extensions are all INERT_EXTENSIONS, `renders_inert`) lets an `inert`
    translation pass without rendering it.
    """
    if msgstr == msgid:
        return None
    if inert_ok and inert(msgstr):
        return None
    reason = danger.text_refusal(msgid, msgstr)
    if reason is not None:
        return reason
    if "{" in msgstr:
        source_spans = Counter((s.kind, s.text) for s in protected_spans(msgid, patterns))
        for span in protected_spans(msgstr, patterns):
            if span.kind == "attr" and source_spans[("attr", span.text)] <= 0:
                return f"attribute list the source does not have: {span.text[:60]}"
    if fragment is None:
        return None
    try:
        html = fragment(msgstr)
        reason = danger.html_refusal(html, lambda: fragment(msgid))
    except RecursionError:
        return "nested too deeply for the Markdown parser"
    if reason is not None:
        return reason
    if sanitized(html, msgid) != normalized(html):
        return "the sanitizer would change its HTML"
    return None


def sanitized(fragment: str, msgid: str) -> str:
    """`fragment` through the allow-list: Markdown's tags plus the source's own."""
    attributes = {k: set(v) for k, v in MARKDOWN_ATTRIBUTES.items()}
    extra = set()
    for tag in danger.tags(msgid):  # the source is trusted: its tags and attributes are allowed
        if tag.name[:1].isalpha():
            extra.add(tag.name)
            attributes.setdefault(tag.name, set()).update(name for name, _ in tag.attrs)
    return nh3.clean(
        fragment,
        tags=set(MARKDOWN_TAGS | extra) - _NEVER,
        attributes=attributes,
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
        strip_comments=False,
    )


def normalized(fragment: str) -> str:
    """`fragment` reserialized the way nh3 writes it, with nothing removed, so that
    only real removals differ from `sanitized` (`<br />` vs `<br>` does not)."""
    tags, attributes, schemes = _inventory(fragment)
    return nh3.clean(
        fragment,
        tags=set(tags),
        attributes={tag: set(names) for tag, names in attributes.items()},
        url_schemes=set(schemes),
        link_rel=None,
        strip_comments=False,
        clean_content_tags=set(),
    )


@lru_cache(maxsize=256)
def _inventory(fragment: str) -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """Every element, attribute and URL scheme of `fragment`, as a browser reads them."""
    found = danger.element_attributes(fragment)
    tags = frozenset(danger.element_names(fragment) - _NEVER)
    attributes: dict[str, set[str]] = {tag: set() for tag in tags}
    schemes = set(SAFE_SCHEMES)
    for tag, attr, value in found:
        if tag in attributes:
            attributes[tag].add(attr)
        if attr in danger.URL_ATTRIBUTES:
            scheme = danger.url_scheme(value)
            if scheme:
                schemes.add(scheme)
    return tags, {k: frozenset(v) for k, v in attributes.items()}, frozenset(schemes)
