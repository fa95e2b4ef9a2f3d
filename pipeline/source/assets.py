"""Images and files an article links, published beside its pages.

An article names them by a path relative to its own file, under `source/`: a
Markdown image (`![Kniegelenk](knee.png)`, `![Knie][k]` with `[k]: images/knee.png`)
or a link to a file (`[leaflet](leaflet.pdf)`). Every edition's page points at the
published copy in `output/assets/media/`.

**Names are content-hashed**: `assets/media/knee.3f2a9c1b.png` (the file's stem, the
first 8 hex digits of the SHA-256 of its bytes, its suffix). A changed image gets a
new address, so no browser, proxy or CDN shows the old picture beside the new text,
and a server may cache `assets/media/` for ever. The name also says whether the
published copy is current: a build copies a file only when no file of that name is
there (an unchanged image is neither read back nor rewritten), and removes a name no
page uses any more. `knee.png` in two folders, or a language's `knee.de.png`, cannot
collide. (A folder mirroring `source/` would give readable addresses, but a
replaced image would keep its address and be served stale from caches.)

**Addresses** are relative, as the stylesheet's are: a page at
`output/<lang>/<slug>.html` says `../assets/media/...`, so `output/` works under any
base URL and opened from disk.

**Per-language variants** (mkdocs-static-i18n's convention): `knee.de.png` beside
`knee.png` is what the German edition shows; the source language, and any edition
without a variant, shows `knee.png`.

**Never published**: a URL with a scheme or a host (`https:`, `//host`), an absolute
path (`/x.png`), a path that leaves `source/` (`../secret.png`), a file reached
through a symbolic link that leads out of `source/`, anything but a regular file, a
file over `MAX_ASSET_BYTES`. A missing or refused image is one `file:line` error
naming the article (the page keeps the address as written, and the command exits 1:
the broken image is the author's to fix, the rest of the site is published); a link
to a file that is not there is left as written (it may name a page of the site).

The body is rewritten on the page, after rendering (like `pages.accessible_tables`),
so the body renderer keeps the identity guarantee with plain Python-Markdown. Alt
texts and titles are the translation's: only `src` and `href` change, and `width` and
`height` are added to an image that has neither (`imagesize`).
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from pipeline.base.errors import PipelineError
from pipeline.base.files import read_regular
from pipeline.base.imagesize import image_size
from pipeline.config.load import Config
from pipeline.source.article import Article

MEDIA_DIR = "assets/media"
MAX_ASSET_BYTES = 20 * 1024 * 1024
# Python-Markdown writes every attribute double-quoted; raw HTML written otherwise is left alone.
_TAG_RE = re.compile(r"<(img|a)(\s[^<>]*)>")
_ATTR_RE = re.compile(r'\s([A-Za-z][A-Za-z0-9:_-]*)="([^"]*)"')
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_-]+")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Links to pages (articles, the site's own) are not files to publish.
_PAGES = (".md", ".html", ".htm")


@dataclass(frozen=True)
class Media:
    """One published file."""

    source: str  # its path in the project: "source/images/knee.de.png"
    name: str  # its path in output/: "assets/media/knee.de.3f2a9c1b.png"
    size: tuple[int, int] | None  # an image's width and height in pixels, when known


@dataclass
class Placed:
    """A page body with its files' addresses rewritten, and what that took."""

    body: str
    media: list[Media] = field(default_factory=list)
    problems: list[PipelineError] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # every file looked for, variants too


def place_media(config: Config, article: Article, lang: str, body: str, prefix: str = "../") -> Placed:
    """`body` (an edition of `article` in `lang`) with every image and linked file of
    the project at its published address (`prefix` leads from the page to `output/`)."""
    placed = Placed(body)
    if "<img" not in body and "<a" not in body:
        return placed

    def rewrite(tag: re.Match[str]) -> str:
        kind, attrs = tag.group(1), tag.group(2)
        names = {m.group(1).lower(): m for m in _ATTR_RE.finditer(attrs)}
        found = names.get("src" if kind == "img" else "href")
        if found is None:
            return tag.group(0)
        media, tail = _lookup(config, article, lang, found.group(2), kind == "img", placed)
        if media is None:
            return tag.group(0)
        value = html.escape(prefix + media.name + tail, quote=True)
        extra = ""
        if kind == "img" and media.size and "width" not in names and "height" not in names:
            extra = f' width="{media.size[0]}" height="{media.size[1]}"'
        return f'<{kind}{attrs[: found.start(2)]}{value}"{extra}{attrs[found.end(2) + 1 :]}>'

    placed.body = _TAG_RE.sub(rewrite, body)
    return placed


def _lookup(
    config: Config, article: Article, lang: str, ref: str, image: bool, placed: Placed
) -> tuple[Media | None, str]:
    """The published file `ref` (an attribute's value, as written in the HTML) names,
    and what follows its path (`#page=2`); None: left as written (a problem, if any,
    is in `placed`)."""
    url = html.unescape(ref)
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, tail = url[:cut], url[cut:]
    if not path or _SCHEME_RE.match(path) or path.startswith(("/", "\\")) or "\\" in path:
        return None, ""  # a URL, an absolute path, a fragment: not a file of the project
    if not image and path.lower().endswith(_PAGES):
        return None, ""
    source = config.source_dir
    wanted = os.path.normpath(source / Path(article.name).parent / unquote(path))
    what = "image" if image else "linked file"
    if not wanted.startswith(str(source) + os.sep):
        if image:
            placed.problems.append(_problem(article, ref, f"image '{url}' is outside source/; it is not published"))
        return None, ""
    stem, suffix = os.path.splitext(wanted)
    variants = {x: f"{stem}.{x}{suffix}" for x in config.languages if x != article.lang}
    for candidate in (wanted, *variants.values()):
        if config.rel(Path(candidate)) not in placed.inputs:
            placed.inputs.append(config.rel(Path(candidate)))
    chosen = variants[lang] if lang in variants and os.path.isfile(variants[lang]) else wanted
    if not os.path.lexists(chosen) or (not image and os.path.isdir(chosen)):
        if image:
            placed.problems.append(_problem(article, ref, f"image '{url}' not found (put it under source/)"))
        return None, ""
    try:
        media = _probe(config, chosen, what)
    except PipelineError as exc:
        placed.problems.append(_problem(article, ref, f"{what} '{url}': {exc.message}"))
        return None, ""
    if media.name not in {m.name for m in placed.media}:
        placed.media.append(media)
    return media, tail


# (real path, size, mtime) → its Media: a build renders each image once per edition.
_PROBED: dict[tuple[str, int, int], Media] = {}


def _probe(config: Config, file: str, what: str) -> Media:
    """The published name and the size of one file under `source/` (read once while
    it is unchanged); a link out of `source/`, a non-regular or too large file is a
    `PipelineError`."""
    real = os.path.realpath(file)
    root = os.path.realpath(config.source_dir)
    rel = config.rel(Path(file))
    if not real.startswith(root + os.sep):
        raise PipelineError("is a link to a file outside source/; it is not published", rel)
    try:
        info = os.stat(real)
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    key = (real, info.st_size, info.st_mtime_ns)
    if key in _PROBED:
        return _PROBED[key]
    data = read_regular(Path(real), rel, what if what != "image" else "an image", MAX_ASSET_BYTES)
    media = Media(rel, media_name(file, data), image_size(data, os.path.splitext(file)[1]))
    _PROBED[key] = media
    return media


def media_name(file: str, data: bytes) -> str:
    """`assets/media/<stem>.<8 hex digits of SHA-256>.<suffix>`, in safe characters."""
    stem, suffix = os.path.splitext(os.path.basename(file))
    stem = ".".join(filter(None, (_UNSAFE_RE.sub("-", part).strip("-") for part in stem.split("."))))[:80] or "file"
    suffix = _UNSAFE_RE.sub("", suffix.lower())[:10]
    digest = hashlib.sha256(data).hexdigest()[:8]
    return f"{MEDIA_DIR}/{stem}.{digest}" + (f".{suffix}" if suffix else "")


def _problem(article: Article, ref: str, message: str) -> PipelineError:
    """`message` at the line of the article where `ref` is written."""
    body = article.body
    raw = html.unescape(ref)
    at = next((i for i in (body.find(f"({raw}"), body.find(f"]: {raw}"), body.find(raw)) if i >= 0), -1)
    line = article.source_line(body.count("\n", 0, at) + 1) if at >= 0 else None
    return PipelineError(message, article.relpath, line)


def copy_media(config: Config, media: dict[str, str], write: Callable[[str, bytes], object]) -> None:
    """Write each published file (`media`: name in output/ → path in the project) that
    `output/` does not have yet through `write(name, data)`: a name is its content,
    so a file already there is current. A file changed since its page was made is
    an error (its name would not be its content): run the command again."""
    for name, source in sorted(media.items()):
        if not os.path.isfile(config.output_dir / name):
            write(name, read_media(config, source, name))


def stale_media(config: Config, used: set[str]) -> list[str]:
    """The files of `output/assets/media/` that no page uses."""
    folder = config.output_dir / MEDIA_DIR
    if not folder.is_dir():
        return []
    return sorted(f"{MEDIA_DIR}/{p.name}" for p in folder.iterdir() if f"{MEDIA_DIR}/{p.name}" not in used)


def read_media(config: Config, source: str, name: str) -> bytes:
    """The bytes of the file published as `name` (from `source`, its path in the
    project); an error when the file no longer has those bytes (its name would lie)."""
    real = Path(os.path.realpath(config.root / source))
    if not str(real).startswith(os.path.realpath(config.source_dir) + os.sep):
        raise PipelineError("is a link to a file outside source/; it is not published", source)
    data = read_regular(real, source, "an image", MAX_ASSET_BYTES)
    if media_name(source, data) != name:
        raise PipelineError("changed while the site was being built; run the command again", source)
    return data


class LiveMedia:
    """The live preview's files: learnt from each page it renders, served from
    `source/` at the address the built page uses (so a new image shows before any
    build), each only while it still has the bytes its name says."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.sources: dict[str, str] = {}  # name in output/ → path in the project
        self.inputs: dict[tuple[str, str], list[str]] = {}  # (article, language) → files looked for

    def place(self, article: Article, lang: str, body: str) -> str:
        """`place_media` for one page of the preview, remembering its files."""
        placed = place_media(self.config, article, lang, body)
        self.sources.update((m.name, m.source) for m in placed.media)
        self.inputs[(article.name, lang)] = placed.inputs
        return placed.body

    def files(self, name: str, lang: str) -> list[Path]:
        """The files the last rendering of that page looked for (what it depends on)."""
        return [self.config.root / file for file in self.inputs.get((name, lang), ())]

    def serve(self, url: str) -> tuple[int, str, bytes] | None:
        """(status, content type, bytes) for `assets/media/...`, or None: not one of the
        files learnt (the last build's copy in `output/` may answer)."""
        source = self.sources.get(url)
        if source is None:
            return None
        try:
            data = read_media(self.config, source, url)
        except (PipelineError, FileNotFoundError):
            return None
        kind = mimetypes.guess_type(url)[0] or "application/octet-stream"
        return 200, kind, data
