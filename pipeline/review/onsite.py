"""A block on the reviewer's page as a reader sees it on the site.

Each block is rendered alone, without the rest of its article, so two things the
site shows would be wrong on the review page: a footnote reference has no
definition to link (Python-Markdown leaves `[^1]` as text), and an image's address
is the one written in the article, relative to the article's folder under
`source/`, not to `review/<lang>.html`. Here a reference becomes the superscript the
site shows, and an image points at its file under `source/` — the language's own
variant (`knee.de.png`) in the translation's column where there is one — so the
page opened from the disk shows it. An address that is absolute, has a scheme, or
leaves `source/` stays as written (it is shown broken rather than followed).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from pipeline.config.load import Config

_TAG_RE = re.compile(r"(<[^<>]*>)")
_FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s<>&\"']+)\]")
_IMG_SRC_RE = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")')
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def rewrite(html: str, prose: Callable[[str], str], tag: Callable[[str], str] = str) -> Markup:
    """`html` (one rendered block) with `prose` applied to each run of text outside
    `<code>` and `<pre>` and `tag` to each tag: the one walk the review page's
    touches (footnote references, images, negation marks) share."""
    parts, code = _TAG_RE.split(html), 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag: the words inside code are not prose
            code += 1 if re.match(r"<(code|pre)\b", part) else -1 if re.match(r"</(code|pre)>", part) else 0
            parts[i] = tag(part)
        elif not code and part:
            parts[i] = prose(part)
    return Markup("".join(parts))


def as_on_site(html: Markup | None, config: Config, article: str, lang: str, source_lang: str) -> Markup | None:
    """`html` (one block, rendered by the page's gate) with footnote references as
    superscripts and images pointing at their files under `source/`."""
    if html is None:
        return None

    def image(m: re.Match[str]) -> str:
        return m[1] + _image(m[2], config, article, lang, source_lang) + m[3]

    def tag(part: str) -> str:
        return _IMG_SRC_RE.sub(image, part) if part.startswith("<img") else part

    def prose(part: str) -> str:
        return _FOOTNOTE_REF_RE.sub(r'<sup class="footnote-ref">\1</sup>', part) if "[^" in part else part

    return rewrite(str(html), prose, tag)


def _image(src: str, config: Config, article: str, lang: str, source_lang: str) -> str:
    """The address of an image written `src` in `article`, from `review/<lang>.html`."""
    written = urllib.parse.unquote(src.replace("&amp;", "&"))
    if not written or _SCHEME_RE.match(written) or written.startswith(("/", "#", "?")):
        return src
    folder = PurePosixPath(article).parent
    parts: list[str] = []
    for part in (folder / written.split("#")[0].split("?")[0]).parts:
        if part == "..":
            if not parts:
                return src  # it leaves source/: shown as written, never followed
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    if not parts:
        return src
    path = PurePosixPath(*parts)
    if lang != source_lang:
        variant = path.with_name(f"{path.stem}.{lang}{path.suffix}")
        if _is_file(config.source_dir / variant):
            path = variant
    return urllib.parse.quote(f"../{config.rel(config.source_dir)}/{path.as_posix()}")


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()
