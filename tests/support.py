"""Shared test helpers: projects on disk, the CLI in-process and in a subprocess, and `assertRenders`."""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import time
import unittest
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import polib

from pipeline.build.render import Translations
from pipeline.cli.main import main
from pipeline.config.load import Config
from pipeline.source.convert import Converter

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = Path(__file__).resolve().parent / "documents"
DEFAULT_EXTENSIONS = ["extra", "toc", "sane_lists", "admonition"]


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(project: Path, *args: str) -> Result:
    """`python -m pipeline --project PROJECT ARGS...`, in-process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--project", str(project), *args])
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def cli_command(project: Path | None, *args: str) -> list[str]:
    """The command line of `python -m pipeline [--project PROJECT] ARGS...` with this
    interpreter; without a project the command finds it from its working directory."""
    return [sys.executable, "-m", "pipeline", *(["--project", str(project)] if project else []), *args]


def cli_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI subprocess: this one, the worktree importable, then `env`."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}


def run_cli(
    project: Path | None,
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """`python -m pipeline [--project PROJECT] ARGS...` in a subprocess, as a user runs it:
    from `cwd` (default: the repository), `env` added to this environment, text captured."""
    return subprocess.run(
        cli_command(project, *args),
        cwd=cwd or ROOT,
        env=cli_env(env),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def measured_cli(
    project: Path | None, *args: str, timeout: float = 300
) -> tuple[subprocess.CompletedProcess, int, float]:
    """`run_cli`, with the command's peak memory (RSS, bytes) and wall time.
    `RUSAGE_CHILDREN` holds the largest of all children ever waited for, so the
    command runs under a fresh intermediate process that reports its own child's."""
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.buffer.write(r.stdout); sys.stderr.buffer.write(r.stderr)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "sys.stderr.write(f'\\npeak-kib {peak}\\n'); sys.exit(r.returncode)\n"
    )
    command = cli_command(project, *args)
    start = time.monotonic()
    result = subprocess.run(
        [command[0], "-c", probe, *command], cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout
    )
    elapsed = time.monotonic() - start
    err, _, peak = result.stderr.rpartition("\npeak-kib ")
    result.stderr = err
    return result, int(peak) * 1024, elapsed


def start_cli(
    project: Path | None, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, **popen
) -> subprocess.Popen:
    """`run_cli` without waiting: the running process (`popen`: Popen's stdout, stderr, ...)."""
    return subprocess.Popen(cli_command(project, *args), cwd=cwd or ROOT, env=cli_env(env), **popen)


def make_project(
    root: Path, articles: dict[str, str], pyproject: str = "", files: dict[str, bytes] | None = None
) -> Path:
    """A project folder with `source/<name>.md` files, `files` beside them under
    `source/` (the images they show), and an optional [tool.pipeline]."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(pyproject), encoding="utf-8")
    for name, text in articles.items():
        path = root / "source" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    for name, data in (files or {}).items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "locales").mkdir(exist_ok=True)
    return root


def reviewed_chrome(root: Path, lang: str = "de") -> Path:
    """The repository's reviewed page chrome (`site.po`) in `root`'s `lang`: the
    policy's `min_reviewed` holds for the chrome too, so a test about an article's
    own edition gives it a translated frame."""
    folder = root / "locales" / lang / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "locales" / lang / "LC_MESSAGES" / "site.po", folder / "site.po")
    return root


def copy_repo(root: Path) -> Path:
    """The repository's own project (sources, catalogs, settings) copied to `root`, so
    a test can build it without touching the repository's output/."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("source", "locales"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def add_reviewer(root: Path, name: str) -> Path:
    """A reviewer of the project in `root`: an ed25519 key of their own, made here by
    `ssh-keygen` (outside the project), listed under `name` in `locales/reviewers`.
    Returns the private key file, for `approve --key`. The same name twice: one key."""
    keys = root.parent / f"{root.name}-keys"
    keys.mkdir(exist_ok=True)
    key = keys / re.sub(r"\W+", "-", name).strip("-")
    if not key.exists():
        made = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)]
        subprocess.run(made, check=True, capture_output=True, timeout=30)
        public = " ".join(Path(f"{key}.pub").read_text(encoding="utf-8").split()[:2])
        with (root / "locales" / "reviewers").open("a", encoding="utf-8") as signers:
            signers.write(f'"{name}" {public}\n')
    return key


def approve_args(root: Path, name: str, lang: str = "de") -> list[str]:
    """`approve --lang LANG --by NAME --key KEY` for a reviewer `add_reviewer` sets up."""
    return ["approve", "--lang", lang, "--by", name, "--key", str(add_reviewer(root, name))]


def build_repo(root: Path) -> Path:
    """`copy_repo`, then update and build it: the published site in `root/output`."""
    copy_repo(root)
    assert run(root, "update").code == 0
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    """GNU msgfmt's own verdict on a catalog."""
    return subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )


def gnu(*args: str) -> subprocess.CompletedProcess:
    """Run a GNU gettext tool, failing the test if it fails."""
    assert shutil.which(args[0]), f"{args[0]} (GNU gettext) is not installed"
    return subprocess.run(list(args), capture_output=True, text=True, check=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to prove nothing was overwritten."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def translate(root: Path, name: str, msgstr: Callable[[polib.POEntry], str | None], lang: str = "de") -> None:
    """Set each entry of an article's catalog to `msgstr(entry)` (None: as it is),
    as a translator's editor saves it."""
    path = root / "locales" / lang / "LC_MESSAGES" / f"{name}.po"
    po = polib.pofile(str(path))
    for e in po:
        new = msgstr(e)
        if new is not None:
            e.msgstr = new
    po.save(str(path))


def entry(msgstr: str, *, fuzzy: bool = False, comment: str = "", msgctxt: str | None = None) -> polib.POEntry:
    """A catalog entry for `assertRenders`; its msgid is the dict key."""
    e = polib.POEntry(msgid="", msgstr=msgstr, tcomment=comment, msgctxt=msgctxt)
    if fuzzy:
        e.flags.append("fuzzy")
    return e


class RenderTestCase(unittest.TestCase):
    """Python-Markdown's style: source, catalog, expected HTML."""

    maxDiff = None
    extensions = DEFAULT_EXTENSIONS
    source_lang = "en"

    def converter(self) -> Converter:
        return Converter(Config(root=ROOT, extensions=tuple(self.extensions)))

    def catalog(self, catalog: dict[str, str | polib.POEntry]) -> polib.POFile:
        po = polib.POFile()
        for msgid, value in catalog.items():
            e = value if isinstance(value, polib.POEntry) else entry(value)
            e.msgid = msgid
            po.append(e)
        return po

    def assertRenders(self, source: str, catalog: dict[str, str | polib.POEntry] | None, expected_html: str) -> None:
        """Render `source` through `catalog` (None: in its own language) and compare."""
        source = textwrap.dedent(source)
        if catalog is None:
            html = self.converter().convert(source).html
        else:
            translations = Translations(self.catalog(catalog), self.source_lang)
            html = self.converter().convert(source, translations.lookup, self.source_lang).html
        self.assertMultiLineEqual(html, textwrap.dedent(expected_html).strip("\n"))

    def assertExtracts(self, source: str, expected: list[str | tuple]) -> None:
        """The segments of `source`: msgids, or (msgid, comment[, msgctxt]) tuples."""
        segments = self.converter().convert(textwrap.dedent(source)).segments
        got = []
        for seg, want in zip(segments, expected, strict=False):
            if isinstance(want, tuple):
                got.append((seg.msgid, seg.comment, seg.msgctxt)[: len(want)])
            else:
                got.append(seg.msgid)
        self.assertEqual(len(segments), len(expected), [s.msgid for s in segments])
        self.assertEqual(got, expected)


# -- whole fragments of a built page ----------------------------------------------------

_SELECTOR_RE = re.compile(r'([a-z][a-z0-9]*)?((?:[.#][\w-]+|\[[\w-]+(?:="[^"]*")?\])*)')
_PART_RE = re.compile(r'([.#])([\w-]+)|\[([\w-]+)(?:="([^"]*)")?\]')
# Elements without an end tag (HTML's void elements): the fragment is the start tag.
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)


def _matcher(selector: str):
    """A test of (tag, attrs) for a simple CSS selector: `tag`, `.class`, `#id`,
    `[attr]`, `[attr="value"]`, combined (`nav.languages`, `p.notice[role="note"]`)."""
    found = _SELECTOR_RE.fullmatch(selector)
    assert found and selector, f'selector {selector!r}: use tag, .class, #id, [attr] or [attr="value"]'
    tag, parts = found.group(1), _PART_RE.findall(found.group(2))

    def matches(name: str, attrs: dict[str, str | None]) -> bool:
        if tag and name != tag:
            return False
        for kind, value, attr, wanted in parts:
            if kind == ".":
                if value not in (attrs.get("class") or "").split():
                    return False
            elif kind == "#":
                if attrs.get("id") != value:
                    return False
            elif attr not in attrs or (wanted and attrs[attr] != wanted):
                return False
        return True

    return matches


class _Fragments(HTMLParser):
    """The source text of every element a selector matches, start tag to end tag."""

    def __init__(self, html: str, selector: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html, self.matches = html, _matcher(selector)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.open: list[tuple[str, int | None]] = []  # (tag, start offset if it matched)
        self.found: list[tuple[int, str]] = []  # (start offset, outer HTML)
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        hit = self.matches(tag, dict(attrs))
        if tag in _VOID:
            if hit:
                self.found.append((start, self.get_starttag_text()))
            return
        self.open.append((tag, start if hit else None))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.matches(tag, dict(attrs)):
            self.found.append((self._offset(), self.get_starttag_text()))

    def handle_endtag(self, tag: str) -> None:
        if tag not in (name for name, _start in self.open):
            return  # a stray end tag: nothing to close
        end = self.html.index(">", self._offset()) + 1
        while self.open:
            name, start = self.open.pop()
            if start is not None:
                self.found.append((start, self.html[start:end]))
            if name == tag:
                break


def fragments(html: str, selector: str) -> list[str]:
    """Every element of `html` that `selector` matches, as written in the page (outer
    HTML, byte for byte), in document order."""
    return [text for _start, text in sorted(_Fragments(html, selector).found)]


def fragment(html: str, selector: str) -> str:
    """The one element of `html` that `selector` matches, as written in the page."""
    found = fragments(html, selector)
    assert len(found) == 1, f"{len(found)} elements match {selector!r}"
    return found[0]


def assert_fragment(html: str, selector: str, expected: str) -> None:
    """The element `selector` picks out of a page is exactly `expected` (dedented);
    a mismatch shows as a line diff of the two."""
    got, want = fragment(html, selector), textwrap.dedent(expected).strip("\n")
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "page", lineterm="")
        raise AssertionError(f"{selector} differs from the expected HTML:\n" + "\n".join(diff))


def png(width: int, height: int, rgb: bytes = b"\xc0\x20\x20") -> bytes:
    """A valid PNG of one colour (8-bit RGB, no filter): an image for an article to show."""
    rows = b"".join(b"\x00" + rgb * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
