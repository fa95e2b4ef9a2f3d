"""The gate between a translation and a page: a msgstr cannot add markup or script.

Translations come from outside the editorial team (freelancers, engines), so each
one is checked before it is put into a page, against its own msgid:

1. raw HTML: every tag in the translation must occur, verbatim, in the source
   segment (so `<ScRiPt>`, `<img onerror=...>`, `<base>`, `<meta http-equiv>`,
   `<form>`, `<iframe>` cannot come in);
2. link and image targets and autolinks must be `http(s)`, `mailto:`, relative or
   `#...` — after undoing what browsers undo (entities, case, spaces and control
   characters), so `JaVaScRiPt:`, `&#106;avascript:`, `data:` and `vbscript:` fail;
3. attribute lists (`{: onclick=...}`) only as the source has them;
4. a translation with raw HTML or an attribute list must render to HTML that
   passes an allow-list sanitizer (nh3, configured for Python-Markdown's output
   plus the source's own tags) unchanged, serialization details aside. nh3 is a gate here, never a rewriter:
   a refused translation is not cleaned and shown, its source text is shown (and
   `check` reports it), so a page built only from source text stays byte-identical
   to Python-Markdown's output.

The source is the clinic's own text and is trusted; only what a translation adds
is judged.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

import nh3

from pipeline.markup import protected_spans

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
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
# A tag, not an autolink (`<https://...>`, `<a@b.org>`): the name ends at a space, / or >.
_TAG_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^>]*>")
_ATTR_RE = re.compile(r"""\s([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Without these characters a translation cannot carry a tag, a link target or an
# attribute list: most translations are plain prose and pass at once.
_MARKUP_CHARS = ("<", "(", "{")
# Raw HTML and attribute lists are what the sanitizer gate has to judge; a link
# target is judged by its scheme, whatever HTML it becomes.
_HEAVY = ("<", "{")

Render = Callable[[str], str]


def unsafe_url(url: str) -> bool:
    """Whether a browser could run or embed something from this link target."""
    target = url.strip().removeprefix("<").removesuffix(">")
    for _ in range(3):  # entities within entities: &amp;#106; ...
        decoded = html.unescape(target)
        if decoded == target:
            break
        target = decoded
    target = _CONTROL_RE.sub("", target).lower()
    m = _SCHEME_RE.match(target)
    return bool(m) and m.group(1) not in SAFE_SCHEMES


def refusal(msgid: str, msgstr: str, render: Render | None = None, patterns: tuple[str, ...] = ()) -> str | None:
    """Why `msgstr` may not replace `msgid` on a page, or None if it may.

    `render` turns inline Markdown into HTML (for the sanitizer gate); without it
    only the cheap structural checks run.
    """
    if msgstr == msgid or not any(c in msgstr for c in _MARKUP_CHARS):
        return None
    source_tags = Counter(m.group(0) for m in _TAG_RE.finditer(msgid))
    for m in _TAG_RE.finditer(msgstr):
        if source_tags[m.group(0)] <= 0:
            return f"raw HTML the source does not have: {m.group(0)[:60]}"
        source_tags[m.group(0)] -= 1
    source_spans = Counter((s.kind, s.text) for s in protected_spans(msgid, patterns))
    for span in protected_spans(msgstr, patterns):
        if span.kind in ("target", "autolink", "url") and _target_unsafe(span.text):
            return f"unsafe link target: {span.text[:60]}"
        if span.kind == "attr" and source_spans[("attr", span.text)] <= 0:
            return f"attribute list the source does not have: {span.text[:60]}"
    if render is not None and any(marker in msgstr for marker in _HEAVY):
        fragment = render(msgstr)
        if sanitized(fragment, msgid) != normalized(fragment):
            return "the sanitizer would change its HTML"
    return None


def sanitized(fragment: str, msgid: str) -> str:
    """`fragment` through the allow-list: Markdown's tags plus the source's own."""
    extra = {m.group(1).lower() for m in _TAG_RE.finditer(msgid)}
    attributes = {k: set(v) for k, v in MARKDOWN_ATTRIBUTES.items()}
    for m in _TAG_RE.finditer(msgid):  # the source is trusted: its attributes are allowed
        names = {a.group(1).lower() for a in _ATTR_RE.finditer(m.group(0))}
        attributes.setdefault(m.group(1).lower(), set()).update(names)
    return nh3.clean(
        fragment,
        tags=set(MARKDOWN_TAGS | extra) - {"script", "style"},
        attributes=attributes,
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
        strip_comments=False,
    )


def normalized(fragment: str) -> str:
    """`fragment` reserialized the way nh3 writes it, with nothing removed, so that
    only real removals differ from `sanitized` (`<br />` vs `<br>` does not)."""
    tags = {m.group(1).lower() for m in _TAG_RE.finditer(fragment)} - {"script", "style"}
    attributes = {
        tag: {a.group(1).lower() for m in _TAG_RE.finditer(fragment) for a in _ATTR_RE.finditer(m.group(0))}
        for tag in tags
    }
    return nh3.clean(
        fragment,
        tags=tags,
        attributes=attributes,
        url_schemes=_schemes(fragment),
        link_rel=None,
        strip_comments=False,
        clean_content_tags=set(),
    )


def _target_unsafe(span_text: str) -> bool:
    # `](target "title")` or `<scheme:...>` or a bare URL: judge the target part.
    text = span_text
    if text.startswith("]("):
        inner = text[2:-1].strip()
        if inner.startswith("<"):
            inner = inner[1 : inner.find(">")] if ">" in inner else inner[1:]
        else:
            inner = inner.split()[0] if inner.split() else ""
        text = inner
    return unsafe_url(text)


@lru_cache(maxsize=256)
def _schemes_cached(fragment: str) -> frozenset[str]:
    found = set()
    for m in re.finditer(r"""(?:href|src)\s*=\s*["']?([^"'\s>]+)""", fragment, re.I):
        scheme = urlsplit(html.unescape(m.group(1))).scheme.lower()
        if scheme:
            found.add(scheme)
    return frozenset(found | SAFE_SCHEMES)


def _schemes(fragment: str) -> set[str]:
    return set(_schemes_cached(fragment))
