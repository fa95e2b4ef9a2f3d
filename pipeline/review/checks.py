"""The QA checks on one catalog entry: each a small pure function, registered by name.

Every check compares a msgid with its msgstr through the shared markup model
(`pipeline.markup.inline.inventory`), the same one machine pretranslation protects, so
what an engine must leave alone is exactly what QA verifies. A check returns one
message per problem; `registry.Check` turns messages into findings.

These are the errors: the published page would be wrong (a broken bold, a lost link,
a changed number, a trial ID that points at another study, injected HTML). The
warnings, which say a person should look, are `warnings`'.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from pipeline.markup.danger import URL_ATTRIBUTES, parse_tag
from pipeline.markup.inline import EMPTY, Inventory, emphasis_key, emphasis_tags, inventory, prose
from pipeline.markup.spans import DEFAULT_PATTERNS, protected_spans
from pipeline.review.negation import differs as negation_differs
from pipeline.review.numbers import Number, compare
from pipeline.review.registry import ERROR, Context, register
from pipeline.review.units import changed as units_changed
from pipeline.source.article import slug_problem

_PLACEHOLDER_RE = re.compile(r"<!--ph:\d+-->")
# Variables of the page chrome's strings (`%(date)s`, `{name}`): Jinja2 fills them in.
_VARIABLE_RE = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|\{\w+\}")
# Content a reader never sees; the `html` check reports the element itself, so its
# content must not also count as changed numbers or URLs.
_HIDDEN_OPEN_RE = re.compile(r"<(script|style|template)\b[^<>]*>", re.I)
_HIDDEN_CLOSE_RE = re.compile(r"</(script|style|template)\s*>", re.I)
# Sentence-final marks, with their full-width and Arabic forms mapped to the same mark.


def visible(text: str) -> str:
    """`text` with the content of script/style/template elements blanked out."""
    if "<" not in text:
        return text
    # Each element's first closing tag by bisection: a lazy `(.*?)</\2>` scanned to
    # the end for every unclosed opening tag (20,000 `<script>`: a minute).
    closes: dict[str, list[int]] = {}
    for m in _HIDDEN_CLOSE_RE.finditer(text):
        closes.setdefault(m.group(1).lower(), []).append(m.start())
    out: list[str] = []
    at = 0
    for m in _HIDDEN_OPEN_RE.finditer(text):
        if m.start() < at:
            continue  # inside an element already blanked
        starts = closes.get(m.group(1).lower(), [])
        i = bisect.bisect_left(starts, m.end())
        if i == len(starts):
            continue
        out += [text[at : m.end()], " " * (starts[i] - m.end())]
        at = starts[i]
    return "".join(out) + text[at:]


@lru_cache(maxsize=4096)
def _inventory(text: str, patterns: tuple[str, ...]) -> Inventory:
    return inventory(visible(text), patterns)


def _both(msgid: str, msgstr: str, ctx: Context) -> tuple[Inventory, Inventory]:
    return _inventory(msgid, ctx.patterns), _inventory(msgstr, ctx.patterns)


def same_markup(msgid: str, msgstr: str, ctx: Context) -> bool:
    """Whether the two texts' markup inventories are equal: then no check registered
    with `markup=True` finds anything, each comparing a part of them (`Check.markup`)."""
    a, b = _both(msgid, msgstr, ctx)
    return a is b or a == b


def _spans(inv: Inventory, *kinds: str) -> Counter[str]:
    """The texts of `inv`'s spans of these kinds, counted (not to be changed: it may
    be the inventory's own)."""
    present = [inv.spans[kind] for kind in kinds if kind in inv.spans]
    if len(present) <= 1:
        return present[0] if present else EMPTY
    found: Counter[str] = Counter()
    for counted in present:
        found.update(counted)
    return found


def _changed(what: str, source: Counter[str], target: Counter[str]) -> list[str]:
    """One message naming what the translation lost and what it added."""
    if dict.__eq__(source, target):  # counts from counting are all positive: equal as dicts
        return []
    missing, extra = source - target, target - source
    if not missing and not extra:
        return []
    parts = []
    if missing:
        parts.append("missing " + ", ".join(_quote(t) for t in sorted(missing.elements())))
    if extra:
        parts.append("not in the source " + ", ".join(_quote(t) for t in sorted(extra.elements())))
    return [f"{what} changed: {'; '.join(parts)}"]


def _quote(text: str) -> str:
    text = text if len(text) <= 60 else text[:57] + "..."
    return "'" + text.replace("\n", "\\n") + "'"


# -- Markdown structure (errors) --------------------------------------------------


@register(
    "emphasis", ERROR, "bold and italic (<strong>, <em>) as Python-Markdown renders them: the same number of each"
)
def check_emphasis(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    # The renderer's own count: `**Label:**` and `**Label**:` are one bold each.
    if emphasis_key(visible(msgid)) == emphasis_key(visible(msgstr)):
        return []
    source, target = emphasis_tags(visible(msgid)), emphasis_tags(visible(msgstr))
    return [
        f"emphasis differs: the source renders {_describe(source)}, the translation {_describe(target)} "
        "(a bold or italic is broken or lost)"
    ]


def _describe(tags: Counter[str]) -> str:
    names = {"strong": "bold", "em": "italic"}
    found = [f"{tags[t]}× {names[t]}" for t in ("strong", "em") if tags[t]]
    return ", ".join(found) or "no bold or italic"


@register(
    "code", ERROR, "code spans are carried over with their content unchanged (code is never translated)", markup=True
)
def check_code(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    return _changed("code span", _spans(a, "code"), _spans(b, "code"))


@register("links", ERROR, "the same number of links, with the same targets (translate the link text only)", markup=True)
def check_links(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    if a.links != b.links:
        return [f"the source has {a.links} link(s), the translation {b.links}"]
    return _changed("link target", a.link_targets, b.link_targets)


@register(
    "images", ERROR, "the same number of images, with the same sources (translate the alt text only)", markup=True
)
def check_images(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    if a.images != b.images:
        return [f"the source has {a.images} image(s), the translation {b.images}"]
    return _changed("image source", a.image_targets, b.image_targets)


@register("footnotes", ERROR, "footnote references ([^1]) are carried over", markup=True)
def check_footnotes(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    return _changed("footnote reference", _spans(a, "footnote"), _spans(b, "footnote"))


@register("breaks", ERROR, "hard line breaks (two spaces at the end of a line) are carried over", markup=True)
def check_breaks(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    if a.breaks == b.breaks:
        return []
    return [f"the source has {a.breaks} hard line break(s) (two spaces before a newline), the translation {b.breaks}"]


@register("attr-list", ERROR, "attribute lists ({#id .class}) are carried over unchanged", markup=True)
def check_attr_list(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    return _changed("attribute list", _spans(a, "attr"), _spans(b, "attr"))


@register("placeholders", ERROR, "placeholder tokens (<!--ph:1-->) and variables (%(date)s) are carried over")
def check_placeholders(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    problems = []
    # The renderer refuses a translation with a placeholder changed and shows the source instead.
    for what, pattern, needs, note in _TOKENS:
        if not any(literal in msgid or literal in msgstr for literal in needs):
            continue  # every match holds one of these: most texts have none
        source, target = pattern.findall(msgid), pattern.findall(msgstr)
        if (source or target) and sorted(source) != sorted(target):
            problems += [p + note for p in _changed(what, Counter(source), Counter(target))]
    return problems


_TOKENS = (
    ("placeholder", _PLACEHOLDER_RE, ("<!--ph:",), " (the page would show the source text)"),
    ("variable", _VARIABLE_RE, ("%", "{"), ""),
)


# -- content that must not change (errors) ---------------------------------------


@register("urls", ERROR, "bare URLs, autolinks and e-mail addresses are carried over unchanged", markup=True)
def check_urls(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    kinds = ("url", "email", "autolink")
    return _changed("URL or e-mail address", _spans(a, *kinds), _spans(b, *kinds))


@register("numbers", ERROR, "the same numbers, compared by value in each language's format (1.6 = 1,6 in German)")
def check_numbers(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    source = prose(visible(msgid), ctx.patterns)
    target = prose(visible(msgstr), ctx.patterns)
    missing, extra = compare(source, ctx.source_lang, target, ctx.lang)
    if not missing and not extra:
        return []
    parts = []
    if missing:
        parts.append("missing " + ", ".join(_number(n) for n in missing))
    if extra:
        parts.append(f"not in the source {', '.join(_number(n, ctx.lang) for n in extra)}")
    return ["numbers changed: " + "; ".join(parts)]


def _number(n: Number, lang: str | None = None) -> str:
    value = format(n.value.normalize(), "f")
    plain = re.sub(r"[^\d]", "", n.text) == value.replace(".", "")
    if lang and not plain:
        return f"'{n.text}' (reads as {value} in {lang})"
    return f"'{n.text}'"


@register("units", ERROR, "each number keeps its unit, compared by meaning (5 mg = 5 Milligramm; 5 mg ≠ 5 µg)")
def check_units(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    source = prose(visible(msgid), ctx.patterns)
    target = prose(visible(msgstr), ctx.patterns)
    return [f"unit changed: {p}" for p in units_changed(source, ctx.source_lang, target, ctx.lang)]


@register("negation", ERROR, "a negation (not, no, never, without; nicht, kein, ohne) is carried over, none added")
def check_negation(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    if ctx.keep_source or msgstr.strip() == msgid.strip():
        return []  # text kept in the source language: `untranslated` speaks of it
    found = negation_differs(
        prose(visible(msgid), ctx.patterns), ctx.source_lang, prose(visible(msgstr), ctx.patterns), ctx.lang
    )
    return [found] if found else []


@register(
    "protected",
    ERROR,
    "protected patterns (protected_patterns, e.g. NCT trial IDs) are carried over unchanged",
    markup=True,
)
def check_protected(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    a, b = _both(msgid, msgstr, ctx)
    return _changed("protected text", _spans(a, "pattern"), _spans(b, "pattern"))


@register(
    "html",
    ERROR,
    "no raw HTML, unsafe link target or attribute list that the source segment does not have "
    "(the page refuses such a translation and shows the source)",
    context=("gate",),
)
def check_html(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    problems = unexpected_html(msgid, msgstr, ctx.patterns)
    if _breaks_out(msgstr) and not _breaks_out(msgid):
        # Harmless on our pages (attributes are escaped), but never an honest translation.
        problems.append("text that tries to break out of an HTML attribute (a quote before '>' or on...=)")
    if problems:
        return problems
    # What the build's sanitizer gate would refuse, for the same reason it would.
    reason = ctx.gate.refusal(msgid, msgstr, ctx.patterns) if ctx.gate is not None else None
    return [f"refused on the page: {reason}"] if reason else []


_BREAKOUT_RE = re.compile(r"""["'`]\s*(?:/?>|on[a-z]+\s*=)""", re.I)


def _breaks_out(text: str) -> bool:
    # Every match ends with `>` or `=`, which prose seldom has: `in` skips the scan.
    return (">" in text or "=" in text) and _BREAKOUT_RE.search(text) is not None


def unexpected_html(msgid: str, msgstr: str, patterns: Sequence[str] = DEFAULT_PATTERNS) -> list[str]:
    """HTML in `msgstr` that `msgid` does not have: a tag name, an attribute of a
    tag, or a changed URL in an attribute (`javascript:` in an `href`)."""
    source, target = _tags(msgid, patterns), _tags(msgstr, patterns)
    names = {name for name, _ in source}
    attributes: dict[str, set[str]] = {}
    urls: dict[tuple[str, str], set[str]] = {}
    for name, attrs in source:
        attributes.setdefault(name, set()).update(attrs)
        for attr, value in attrs.items():
            urls.setdefault((name, attr), set()).add(value)
    problems: list[str] = []
    for name, attrs in target:
        label = "an HTML comment" if name == "!--" else f"<{name}>"
        if name not in names:
            problems.append(f"raw HTML {label} that the source does not have")
            continue
        for attr, value in attrs.items():
            if attr not in attributes[name]:
                problems.append(f"<{name}> has an attribute '{attr}' the source does not have")
            elif attr in URL_ATTRIBUTES and value not in urls[(name, attr)]:
                problems.append(f"<{name} {attr}> changed to {_quote(value)}")
    return list(dict.fromkeys(problems))


def _tags(text: str, patterns: Sequence[str]) -> list[tuple[str, dict[str, str]]]:
    """(lower-case tag name, {attribute: value}) of the HTML spans, comments as `!--`
    (placeholder tokens aside: they have their own check)."""
    tags = []
    for span in protected_spans(text, patterns):
        if span.kind != "html" or _PLACEHOLDER_RE.fullmatch(span.text):
            continue
        tag = parse_tag(span.text)  # as Python-Markdown passes it and a browser reads it
        tags.append((tag.name, {name: value.strip() for name, value in tag.attrs}))
    return tags


@register("slug", ERROR, "a translated slug is lowercase ASCII letters, digits and single hyphens", scope="slug")
def check_slug(msgid: str, msgstr: str, ctx: Context) -> list[str]:
    if msgstr == msgid:
        return []
    problem = slug_problem(msgstr)  # the one slug rule: also reserved (`index`) or too long
    return [problem] if problem else []
