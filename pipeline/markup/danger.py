"""What a browser could run: the one model of raw HTML, link targets and tokens.

Every judge of a translation reads markup through this module — the sanitizer gate
(`pipeline.markup.gate`), `check` (`pipeline.review.checks`) and machine pretranslation
(`pipeline.pretranslate`) — so what one of them lets through, the others do too.
It is written as browsers and Python-Markdown read text, not as a narrower guess:

* a **tag** is what Python-Markdown's inline HTML pattern passes through raw
  (`markdown.inlinepatterns.HTML_RE`, derived here, not rewritten): its tag name is
  `[a-zA-Z][^\\s"'<>@]*`, so `<x:y onmouseover=...>` and `<a.b ...>` are tags. Its
  attributes are read as the browser's HTML tokenizer reads them (`html.parser`),
  so `<x:y/onfocus=...>` has an `onfocus` attribute;
* a **URL's scheme** is found as the WHATWG URL parser finds it: entities decoded,
  leading and trailing C0 controls and spaces stripped, every TAB, LF and CR
  removed anywhere, then `scheme:` read. `java<TAB>script:` is `javascript:`;
* Python-Markdown's **stash placeholders** (`\\x02wzxhzdk:N\\x03`, any STX/ETX) and
  the pipeline's own **tokens** (`⟦N⟧`) never belong in a translation.

The source is the clinic's text and trusted: a target or tag the source has
verbatim is allowed; only what a translation adds is judged.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown import inlinepatterns

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Python-Markdown compiles its inline patterns with DOTALL | UNICODE; the pattern
# uses possessive quantifiers, so it runs in linear time on hostile text.
HTML_RE = re.compile(inlinepatterns.HTML_RE, re.DOTALL | re.UNICODE)
# Markdown's autolink and automail patterns run before the HTML one: `<https://x>`
# and `<a@b.org>` are links, not tags.
_AUTOLINK_RE = re.compile(inlinepatterns.AUTOLINK_RE, re.DOTALL | re.UNICODE)
_AUTOMAIL_RE = re.compile(inlinepatterns.AUTOMAIL_RE, re.DOTALL | re.UNICODE)
# The stash's STX/ETX, and the pretranslation tokens ⟦N⟧ (also their bare brackets).
STASH_CHARS = ("\x02", "\x03")
TOKEN_RE = re.compile(r"⟦[^⟦⟧]{0,20}⟧|[⟦⟧]")
# Attributes whose value a browser loads or navigates to.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "poster", "data", "cite", "background", "xlink:href", "ping"}
    | {"lowsrc", "dynsrc", "longdesc", "codebase", "manifest", "icon", "itemtype", "profile", "usemap"}
)
# WHATWG: C0 controls and space are stripped at both ends; TAB, LF, CR anywhere.
_C0_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")
_ALL_CONTROLS_RE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Tag:
    """One raw HTML tag, comment or processing instruction of a text."""

    raw: str
    start: int
    name: str  # lower case, as the browser reads it; "!--" for a comment, "?" / "![cdata[" for the others
    closing: bool
    attrs: tuple[tuple[str, str], ...]  # (lower-case name, value with entities decoded)

    @property
    def handlers(self) -> list[str]:
        """Its event-handler attributes (`onclick`, `onfocus`, ...)."""
        return [name for name, _ in self.attrs if name.startswith("on")]


def html_matches(text: str) -> Iterator[re.Match[str]]:
    """Every piece of `text` Python-Markdown would pass through as raw HTML (not its
    autolinks `<https://...>`, `<a@b.org>`, which its earlier patterns take)."""
    for m in HTML_RE.finditer(text):
        start = m.start()
        if not (_AUTOLINK_RE.match(text, start) or _AUTOMAIL_RE.match(text, start)):
            yield m


def tags(text: str) -> list[Tag]:
    """Every raw HTML tag, comment or processing instruction of `text`, parsed."""
    return [parse_tag(m.group(0), m.start()) for m in html_matches(text)]


def parse_tag(raw: str, start: int = 0) -> Tag:
    """A raw tag's name and attributes as the browser's tokenizer reads them."""
    body = raw[1:]
    if body.startswith("!--"):
        return Tag(raw, start, "!--", False, ())
    if body.startswith(("?", "![")):
        return Tag(raw, start, body[:1] if body[0] == "?" else "![cdata[", False, ())
    reader = _TagReader()
    reader.feed(raw)
    reader.close()
    name, closing, attrs = reader.result or (_name_of(raw), raw.startswith("</"), ())
    return Tag(raw, start, name, closing, attrs)


def _name_of(raw: str) -> str:
    m = re.match(r"</?([a-zA-Z][^\t\n\f\r />\x00]*)", raw)
    return m.group(1).lower() if m else raw[1:].lower()


class _TagReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result: tuple[str, bool, tuple[tuple[str, str], ...]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.result is None:
            self.result = (tag, False, tuple((k.lower(), v or "") for k, v in attrs))

    def handle_endtag(self, tag: str) -> None:
        if self.result is None:
            self.result = (tag, True, ())


def element_attributes(fragment: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) of every element of an HTML fragment, as a browser reads it."""
    reader = _Elements()
    reader.feed(fragment)
    reader.close()
    return reader.found


def element_names(fragment: str) -> set[str]:
    """The names of every element of an HTML fragment."""
    reader = _Elements()
    reader.feed(fragment)
    reader.close()
    return reader.names


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.found.extend((tag, k.lower(), v or "") for k, v in attrs)

    handle_startendtag = handle_starttag


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads from an `href`/`src` value, lower case, or None
    for a relative URL. Entities are decoded (several levels: `&amp;#106;`)."""
    target = _decode(url)
    target = _TAB_NEWLINE_RE.sub("", target.strip(_C0_SPACE))
    m = _SCHEME_RE.match(target)
    return m.group(1).lower() if m else None


def unsafe_url(url: str) -> bool:
    """Whether a browser could run or embed something from this link target: its
    scheme is not http(s) or mailto — as the URL parser reads it, or once every
    control character and space is gone (a reader more lenient than any browser)."""
    scheme = url_scheme(url)
    if scheme is not None and scheme not in SAFE_SCHEMES:
        return True
    m = _SCHEME_RE.match(_ALL_CONTROLS_RE.sub("", _decode(url)))
    return bool(m) and m.group(1).lower() not in SAFE_SCHEMES


def _decode(text: str) -> str:
    for _ in range(4):  # entities within entities: &amp;#106; ...
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def link_targets(text: str) -> Iterator[str]:
    """The start of the `(...)` part of every inline link and image: what follows
    `](` up to the first `)`, spaces, tabs and newlines included, `<` unwrapped.
    A scheme holds no `)`, so that is all a browser reads it from; one linear regex
    scan. Yields the target and, where a title or a space follows, also the part
    before the first space (Python-Markdown's href when a title follows)."""
    for m in _TARGET_START_RE.finditer(text):
        inner = m.group(1).strip(_C0_SPACE)
        if inner.startswith("<"):
            inner = inner[1:].split(">", 1)[0]
        yield inner
        first = _TAB_NEWLINE_RE.sub("", inner).split(" ", 1)[0]
        if first != inner:
            yield first


_TARGET_START_RE = re.compile(r"\]\(([^)]*)")


def text_refusal(msgid: str, msgstr: str) -> str | None:
    """Why `msgstr`, as text, may not replace `msgid` on a page, or None.

    Refused: a stash placeholder or pipeline token, raw HTML (of any tag name) that
    the source does not have verbatim, an event-handler attribute, and a link or
    image target with a scheme other than http(s)/mailto that is not the source's.
    """
    for ch in STASH_CHARS:
        if ch in msgstr:
            return "a Markdown stash placeholder (U+0002/U+0003), which would pull in other content"
    # Each test only where the translation has what it looks for (a token bracket, a
    # `<`, a `](`): a substring test in C, where most translations have none of them.
    if "⟦" in msgstr or "⟧" in msgstr:
        tokens = Counter(TOKEN_RE.findall(msgstr)) - Counter(TOKEN_RE.findall(msgid))
        if tokens:
            return f"a pretranslation token {next(iter(tokens))!r} the source does not have"
    if "<" in msgstr:
        source_tags = Counter(t.raw for t in tags(msgid))
        for tag in tags(msgstr):
            if source_tags[tag.raw] <= 0:
                if tag.handlers:
                    return f"an event handler ({tag.handlers[0]}=) in raw HTML: {tag.raw[:60]}"
                return f"raw HTML the source does not have: {tag.raw[:60]}"
            source_tags[tag.raw] -= 1
    if "](" in msgstr:
        source_targets = set(link_targets(msgid))
        for target in link_targets(msgstr):
            if target not in source_targets and unsafe_url(target):
                return f"unsafe link target: {target[:60]!r}"
    return None


def html_refusal(fragment: str, source_fragment: Callable[[], str]) -> str | None:
    """Why a rendered translation may not go on a page, judged on its HTML as a
    browser reads it: an event handler or an unsafe URL the rendered source does
    not have. `source_fragment()` renders the source segment alike (called only
    when something suspicious is found)."""
    suspicious = [
        (tag, attr, value)
        for tag, attr, value in element_attributes(fragment)
        if attr.startswith("on") or (attr in URL_ATTRIBUTES and unsafe_url(value))
    ]
    if not suspicious:
        return None
    allowed = set(element_attributes(source_fragment()))
    for tag, attr, value in suspicious:
        if (tag, attr, value) not in allowed:
            what = "an event handler" if attr.startswith("on") else "an unsafe URL"
            return f"{what} in its HTML: <{tag} {attr}={value[:40]!r}>"
    return None
