"""A source article: YAML front matter, a Markdown body, a language and a slug.

An article's *name* is its path under `source/` without `.md` (`news/flu`); its
catalogs are `locales/<lang>/LC_MESSAGES/<name>.po`. Front matter fields listed in
`prose_fields` (default `title`, `description`) are messages; the rest (`date`,
`author`, `slug`, `lang`, `updated`, `reviewed`, ...) are data and never translated.

The slug rule (for a `slug:` a person writes in the front matter and the translated
ones in a catalog's `slug` entry alike; `check`, `import` and the build all ask
`slug_problem`): lowercase ASCII letters and digits in runs joined by single hyphens
(`als-stem-cell-therapy`), at most 200 characters, and none of the names the site
writes itself (`RESERVED_SLUGS`). A slug is a file name and a URL path segment: no
`.`, `_`, `/`, spaces or capitals, so no two spellings of one address and nothing a
server or a file system reads specially.

A file's name is not held to that rule: an article without `slug:` gets one made from
its name (`derived_slugs`), so a docs tree publishes as it is. The name's words (its
folders and its stem) are written in lowercase ASCII: accents dropped (`Über` → `uber`,
`ß` → `ss`, `æ` → `ae`, `ø` → `o`, Turkish `İ`/`ı` → `i`, ...), Cyrillic transliterated
(`лечение` → `lechenie`, `translit`), letters of other scripts (Greek, Arabic) left
out, and any run of other characters (`_`, `.`, spaces) one hyphen (`flu_shots` →
`flu-shots`, `markdown.util` → `markdown-util`); a word with nothing left is `page-` and
the first 8 hex digits of its SHA-256. An `index.md` is its folder's page (`news/index.md`
→ `news`, as MkDocs and Hugo publish it; the top one is `home`). The
address is the last word; when two files' addresses would be the same, each of them
takes as many of its folders in front as make them differ (`a/intro.md`, `b/intro.md` →
`a-intro`, `b-intro`; a file that collides with no other keeps its short address). A
reserved name gets `-page` (`search.md` → `search-page`), and an address over 200
characters is cut at a hyphen. Two articles left at one address (`news.md` and
`news/index.md`, or a written `slug:` that is another's derived one) are a collision:
`check` names both, and the build withholds one by the rule of `catalog.collisions`.

The derived slug depends on the names of all the project's articles, and on nothing
else: not on their content, nor on which command asks. Why: made from one file alone,
it could not see a namesake in another folder; made from the other articles' written
slugs too, every command would first have to read every front matter (a no-op run
reads none), and a clash between a written slug and a derived one is better shown
than silently worked around. A command lists the articles
once (`project.discover`) and computes every default address from that list in one
pass (`derived_slugs`); whoever loads an article passes its address to
`load_article`, and the digests that decide what to redo include it (a new
`b/intro.md` renames `a/intro`'s page). Without it, `load_article` lists the source
folder itself, for the odd caller that loads one file (`render`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.base.errors import PipelineError, UsageError
from pipeline.base.files import MAX_FILE_BYTES, read_regular
from pipeline.config.load import Config
from pipeline.source.translit import LETTERS

MAX_SOURCE_BYTES = MAX_FILE_BYTES  # also the limit for a catalog
_FRONT_RE = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
SLUG_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" would let a final newline through
# File names the site itself writes into an edition's folder (`<lang>/index.html`,
# `<lang>/feed.xml`) or may write (a search page, an error page, a sitemap): an
# article with one of these slugs would replace, or be replaced by, that file.
RESERVED_SLUGS = frozenset({"index", "feed", "404", "search", "sitemap", "assets", "review"})
# `<slug>.html` must fit a file name (255 bytes on every common file system).
MAX_SLUG_LENGTH = 200
# How deeply an article may nest lists, block quotes and emphasis: the project's own
# limit, checked before Python-Markdown sees the text. Python-Markdown parses nesting
# recursively, and where it gives up is an accident of its version (3.11.3 raised
# RecursionError on a list 300 deep, 3.11.4 renders it): no reader needs 100 levels.
MAX_NESTING = 100
_TAB = 4  # Python-Markdown's tab_length: one nesting level per four columns
_MARKER_RE = re.compile(r"(?:>|[*+-](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))[ \t]*")
_EMPHASIS_RUN_RE = re.compile(rf"[*_]{{{MAX_NESTING + 1},}}")
_RULE_RE = re.compile(r"[ \t]*(?:[*_-][ \t]*)+")  # a thematic break: a line of markers only
# `_block_depth` reads a line's depth from its opening characters only, each level
# from one or more of these (a tab, four spaces, `>`, `- `, `1. `): a line nests
# deeper than MAX_NESTING only if it opens with more than MAX_NESTING of them.
_OPENING = rf"[ \t>*+\-0-9.)]{{{MAX_NESTING + 1}}}"
_DEEP_FIRST_RE = re.compile(_OPENING)  # matched at the start of the body
_DEEP_LINE_RE = re.compile(rf"\n{_OPENING}")  # a literal first: the engine skips to each newline


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a page, or None. (The slug rule, for the source's
    slugs and the translated ones alike.)"""
    if len(slug) > MAX_SLUG_LENGTH:
        return f"slug is {len(slug)} characters long; the limit is {MAX_SLUG_LENGTH}"
    if not SLUG_RE.match(slug):
        return f"slug {slug!r} is not a valid page address: use lowercase a-z, digits and single hyphens"
    if slug in RESERVED_SLUGS:
        return f"slug {slug!r} is reserved for a file the site writes itself ({', '.join(sorted(RESERVED_SLUGS))})"
    return None


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """`text` in lowercase ASCII letters and digits joined by single hyphens: accents
    dropped, letters with no ASCII form left out ('' when nothing is left)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).lower().translate(LETTERS))
    return _NOT_SLUG.sub("-", text.encode("ascii", "ignore").decode("ascii").lower()).strip("-")


@functools.lru_cache(maxsize=65536)  # a command makes the addresses of the same names two or three times
def _word(text: str) -> str:
    """One folder or stem as a word of an address; `page-<hash>` when nothing is left."""
    word = slugify(text)
    if word:
        return word
    raw = unicodedata.normalize("NFC", text).encode("utf-8", "surrogatepass")
    return "page-" + hashlib.sha256(raw).hexdigest()[:8]


def _words(name: str) -> list[str]:
    """`news/Flu_Shots` → ['news', 'flu-shots']; an index page is its folder's: `news/index` → ['news']."""
    *folders, stem = name.split("/")
    words = [_word(folder) for folder in folders]
    last = _word(stem)
    return words if last == "index" else [*words, last]


def _address(words: list[str]) -> str:
    """The slug the last `words` make: `home` for none (the top `index.md`), at most
    `MAX_SLUG_LENGTH` (cut at a hyphen), `-page` after a reserved name."""
    slug = "-".join(words) or "home"
    if len(slug) > MAX_SLUG_LENGTH:
        cut = slug.rfind("-", 0, MAX_SLUG_LENGTH + 1)
        slug = slug[:cut] if cut > 0 else slug[:MAX_SLUG_LENGTH]
    return f"{slug}-page" if slug in RESERVED_SLUGS else slug


def derived_slugs(names: Iterable[str]) -> dict[str, str]:
    """The default slug of each article of a project, by name (`names`: every
    article's). The last word of its name; folders in front, as few as make them
    differ, for the files that would share one. The same names give the same slugs,
    in any order."""
    words = {name: _words(name) for name in names}
    groups: dict[str, list[str]] = {}
    for name, found in words.items():
        groups.setdefault(_address(found[-1:]), []).append(name)
    slugs: dict[str, str] = {}
    for slug, group in groups.items():
        forms = dict.fromkeys(group, slug)
        if len(group) == 1:
            slugs.update(forms)
            continue
        for depth in range(2, max(len(words[name]) for name in group) + 1):
            if len(set(forms.values())) == len(group):
                break
            forms = {name: _address(words[name][-depth:]) for name in group}
        slugs.update(forms)
    return slugs


def source_files(config: Config) -> list[Path]:
    """Every `*.md` under `source/`, in a stable order (`project.discover` checks them)."""
    return sorted(p for p in config.source_dir.rglob("*.md") if p.is_file() or p.is_symlink())


# Front matter dates: first published, last changed, last medically reviewed.
DATE_FIELDS = ("date", "updated", "reviewed")


@dataclass(frozen=True)
class Article:
    """One Markdown file under `source/`."""

    path: Path
    name: str
    relpath: str
    meta: dict[str, Any]
    body: str
    body_line: int
    lang: str
    slug: str
    meta_lines: dict[str, int]

    @property
    def date(self) -> dt.date | None:
        return self.meta_date("date")

    @property
    def reviewed(self) -> dt.date | None:
        """The date of the last medical review (`reviewed:`), as the clinic set it."""
        return self.meta_date("reviewed")

    @property
    def updated(self) -> dt.date | None:
        """The date of the last change to the content (`updated:`)."""
        return self.meta_date("updated")

    @property
    def last_modified(self) -> dt.date | None:
        """The newest of `date`, `updated` and `reviewed` (feeds, sitemaps, dateModified)."""
        dates = [d for d in (self.date, self.updated, self.reviewed) if d is not None]
        return max(dates) if dates else None

    def meta_date(self, key: str) -> dt.date | None:
        value = self.meta.get(key)
        if isinstance(value, dt.datetime):  # `date: 2020-08-28 10:00` is still a day
            return value.date()
        return value if isinstance(value, dt.date) else None

    def source_line(self, body_line: int | None) -> int | None:
        """A line of the body → the line in the file."""
        return None if body_line is None else body_line + self.body_line - 1


def article_name(path: Path, config: Config) -> str:
    """`source/news/flu.md` → `news/flu`: the name of its template and catalogs."""
    return path.relative_to(config.source_dir).with_suffix("").as_posix()


def load_article(path: Path, config: Config, default_slug: str | None = None) -> Article:
    """Read and validate one source file; problems are `PipelineError`s naming file and line.
    `default_slug`: its address when the front matter sets none, from `derived_slugs`
    over the project's articles (None: the source folder is listed now to make it)."""
    rel = config.rel(path)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in rel):
        # A catalog of that name could not be read back, a page not be linked.
        raise PipelineError("the file name contains a control character; rename the file", rel)
    resolved = path.resolve()
    if not resolved.is_relative_to(config.root.resolve()):
        raise PipelineError("is a link to a file outside the project; refusing to read it", rel)
    try:
        # A regular file only (a FIFO would block, /dev/zero never end), at most 5 MB,
        # refused unread when larger.
        raw = read_regular(resolved, rel, "an article", MAX_SOURCE_BYTES)
    except FileNotFoundError:
        raise UsageError("file not found", rel) from None
    text = decode_source(raw, rel)
    if not text.strip():
        raise PipelineError("is empty; an article needs at least a title or a paragraph", rel)
    meta, body, body_line = split_front_matter(text, rel)
    deep = nesting_problem(body)
    if deep is not None:
        raise PipelineError(TOO_DEEP, rel, deep + body_line - 1)
    lang = meta.get("lang", config.source_lang)
    if not isinstance(lang, str) or lang not in config.languages:
        raise PipelineError(
            f"front matter lang '{lang}' is not one of the project's languages ({', '.join(config.languages)})",
            rel,
            _key_line(text, "lang"),
        )
    name = article_name(path, config)
    if "slug" in meta:  # written by a person: held to the slug rule
        slug = meta["slug"]
        problem = slug_problem(slug) if isinstance(slug, str) else f"slug {slug!r} must be text"
        if problem:
            raise PipelineError(problem, rel, _key_line(text, "slug"))
    elif default_slug is not None:
        slug = default_slug
    else:
        slug = derived_slugs({*(article_name(p, config) for p in source_files(config)), name})[name]
    for key in config.prose_fields:
        if key in meta and not isinstance(meta[key], str):
            raise PipelineError(f"front matter '{key}' must be text", rel, _key_line(text, key))
    for key in DATE_FIELDS:
        if key in meta and not isinstance(meta[key], dt.date):
            raise PipelineError(f"front matter '{key}' must be a date like 2020-08-28", rel, _key_line(text, key))
    lines = _key_lines(text[: len(text) - len(body)])
    meta_lines = {key: lines[str(key)] for key in meta if str(key) in lines}
    return Article(resolved, name, rel, meta, body, body_line, lang, slug, meta_lines)


TOO_DEEP = f"lists, block quotes or emphasis nested more than {MAX_NESTING} levels deep (the project's limit)"


def nesting_problem(body: str) -> int | None:
    """The 1-based body line of the first line that nests deeper than
    `MAX_NESTING`, or None. One pass, linear in the body: a line's depth is its
    indentation in tab stops plus the list and quote markers that open it; a run of
    `*` or `_` longer than the limit counts as emphasis that deep."""
    if not _may_nest_too_deep(body):
        return None
    for number, line in enumerate(body.split("\n"), 1):
        depth, at = _block_depth(line)
        if depth > MAX_NESTING or (_EMPHASIS_RUN_RE.search(line, at) and not _RULE_RE.fullmatch(line)):
            return number
    return None


def _may_nest_too_deep(body: str) -> bool:
    """Whether a line of `body` may nest too deep: one opens with more characters
    that can open a level than the limit, or the body has a run of `*`/`_` longer
    than it. (Exact when False; then no line is read on its own. A regex scan of each
    line for the run cost ten times these searches, which are in C.)"""
    if _DEEP_FIRST_RE.match(body) or _DEEP_LINE_RE.search(body):
        return True
    return "*" * (MAX_NESTING + 1) in body.replace("_", "*")


def _block_depth(line: str) -> tuple[int, int]:
    """(nesting depth, where the line's text starts) of one body line."""
    columns = at = 0
    while at < len(line) and line[at] in " \t":
        columns = columns + _TAB - columns % _TAB if line[at] == "\t" else columns + 1
        at += 1
    depth = columns // _TAB
    while marker := _MARKER_RE.match(line, at):
        depth, at = depth + 1, marker.end()
    return depth, at


def decode_source(raw: bytes, rel: str) -> str:
    """UTF-8 text of a source file, or an error naming the line of the first bad byte."""
    if len(raw) > MAX_SOURCE_BYTES:
        raise PipelineError(f"file is {len(raw) // (1024 * 1024)} MB; the limit for an article is 5 MB", rel)
    if b"\x00" in raw:
        raise PipelineError("is a binary file, not Markdown text", rel, raw.count(b"\n", 0, raw.index(b"\x00")) + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PipelineError("is not valid UTF-8 (save it as UTF-8)", rel, line) from None
    if "\x04" in text:  # gettext's context separator: no catalog can hold it
        line = text.count("\n", 0, text.index("\x04")) + 1
        raise PipelineError("contains the control character U+0004 (EOT), which no catalog can hold", rel, line)
    # A BOM is unambiguous in a Markdown file (editors on Windows add it); drop it.
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def split_front_matter(text: str, rel: str) -> tuple[dict[str, Any], str, int]:
    """(front matter, body, 1-based file line where the body starts)."""
    m = _FRONT_RE.match(text)
    if not m:
        if text.startswith("---\n"):
            raise PipelineError("front matter starts with '---' but has no closing '---'", rel, 1)
        return {}, text, 1
    try:
        meta = yaml.load(m.group(1) or "", Loader=_FrontMatterLoader) or {}
    except RecursionError:
        raise PipelineError("invalid front matter: nested too deeply", rel, 2) from None
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed '[');
        # the problem mark is where the parser gave up, often the end of the block.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise PipelineError(f"invalid front matter: {problem}", rel, line) from None
    if not isinstance(meta, dict):
        raise PipelineError("front matter must be a mapping of 'key: value' lines", rel, 2)
    budget = [MAX_FRONT_MATTER_VALUES]
    for key, value in meta.items():
        if not _within(value, budget):
            line = _key_lines(m.group(0)).get(str(key), 2)
            problem = f"invalid front matter: '{key}' expands to more than {MAX_FRONT_MATTER_VALUES:,} values"
            raise PipelineError(problem + " (YAML aliases of aliases?)", rel, line)
    return meta, text[m.end() :], text.count("\n", 0, m.end()) + 1


# Aliases share one object, so `author: *lol9` of a billion-laughs anchor loads in
# no time and explodes in whatever walks it next (a template, a JSON dump).
MAX_FRONT_MATTER_VALUES = 100_000


def _within(value: Any, budget: list[int]) -> bool:
    """Walk `value` as its readers would (aliases and cycles included), spending one
    unit of `budget` per value; False once it is spent. Iterative: no recursion."""
    stack = [value]
    while stack:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return True


# libyaml's parser when PyYAML has it (about ten times faster), the same rules either way.
class _FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, with every problem a `YAMLError` that has a line: a value
    that does not fit its type (`date: 2020-02-31`, `!!int x`, `!!timestamp nope`) and a key given twice
    (the first value would silently be lost)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, AttributeError) as exc:
            kind = {"timestamp": "date"}.get(node.tag.rsplit(":", 1)[-1], node.tag.rsplit(":", 1)[-1])
            detail = f" ({exc})" if isinstance(exc, ValueError) and str(exc) else ""
            value = repr(node.value[:40]) if isinstance(node, yaml.ScalarNode) else "this value"
            problem = f"{value} is not a valid {kind}{detail}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if (key.tag, key.value) in seen:
                    problem = f"key '{key.value}' given twice"
                    raise yaml.constructor.ConstructorError(None, None, problem, key.start_mark)
                seen.add((key.tag, key.value))
        return super().construct_mapping(node, deep)


def _key_lines(head: str) -> dict[str, int]:
    """The line of each top-level `key:` of the front matter, in one pass (a search
    per key was quadratic: 50,000 keys took 38 s)."""
    found: dict[str, int] = {}
    for number, line in enumerate(head.split("\n"), start=1):
        key, colon, _ = line.partition(":")
        if colon and key[:1] not in ("", " ", "\t"):
            found.setdefault(key.rstrip(), number)
    return found


def _key_line(text: str, key: str) -> int | None:
    m = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None
