"""The W3C Nu HTML Checker (vnu.jar) over built pages.

The checker is the `vnu.jar` of npm's `vnu-jar` package, run with the machine's
Java (17 or newer). It is installed on first use into `.cache/vnu/` (gitignored) with
`npm install --ignore-scripts`: the package's postinstall script would download a
Java runtime from GitHub when it finds none, and we use the system's. A `VNU_JAR`
environment variable points at another copy of the jar.

One JVM checks all files: the checker takes a few seconds to start.

    python -m tests.vnu [DIR]      # every *.html under DIR (default: output)

prints each error as `file:line:column: message` and exits 1 if there is any
(2 if the checker cannot run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VERSION = "26.9.27"  # keep in step with VNU_VERSION in the Makefile
CACHE = ROOT / ".cache" / "vnu"
JAR = CACHE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TIMEOUT = 300  # seconds; a whole site takes a few


class VnuUnavailable(RuntimeError):
    """The checker cannot run here: no Java, no npm, or the install failed."""


@dataclass(frozen=True)
class Problem:
    """One error the checker reports."""

    file: str
    line: int | None
    column: int | None
    message: str
    extract: str = ""

    def __str__(self) -> str:
        where = ":".join(str(x) for x in (self.file, self.line, self.column) if x is not None)
        return f"{where}: {self.message}"


def jar(install: bool = True) -> Path:
    """The checker's jar: `$VNU_JAR`, the cached copy, or a fresh npm install."""
    if override := os.environ.get("VNU_JAR"):
        path = Path(override)
        if not path.is_file():
            raise VnuUnavailable(f"VNU_JAR={override} is not a file")
        return path
    if JAR.is_file() or not install:
        return JAR
    npm = shutil.which("npm")
    if npm is None:
        raise VnuUnavailable("npm is not installed; it installs the checker (apt-get install npm, or run .ci/run)")
    command = [npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--ignore-scripts"]
    result = subprocess.run([*command, f"vnu-jar@{VERSION}"], capture_output=True, text=True, check=False)
    if result.returncode != 0 or not JAR.is_file():
        raise VnuUnavailable(f"npm install vnu-jar@{VERSION} failed:\n{result.stdout}{result.stderr}")
    return JAR


def check(files: Iterable[Path], base: Path | None = None) -> list[Problem]:
    """Every error in `files`, in one run of the checker; file names relative to `base`."""
    paths = [Path(f).resolve() for f in files]
    if not paths:
        return []
    java = shutil.which("java")
    if java is None:
        raise VnuUnavailable("java is not installed; the checker needs Java 17+ (apt-get install default-jre-headless)")
    command = [java, "-jar", str(jar()), "--errors-only", "--no-langdetect", "--format", "json", "--stdout"]
    try:
        result = subprocess.run(
            [*command, *map(str, paths)], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise VnuUnavailable(f"the checker did not finish in {TIMEOUT} s") from None
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise VnuUnavailable(
            f"the checker failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        ) from None
    base = (base or Path.cwd()).resolve()
    return [_problem(m, base) for m in report.get("messages", []) if m.get("type") != "info"]


def check_dir(directory: Path) -> list[Problem]:
    """Every error in the `*.html` files under `directory`."""
    return check(sorted(directory.rglob("*.html")), base=directory)


def _problem(message: dict, base: Path) -> Problem:
    url = message.get("url", "")
    path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else Path(url)
    try:
        name = path.relative_to(base).as_posix()
    except ValueError:
        name = str(path) or "?"
    kind = message.get("type", "error")
    text = message.get("message", "").strip()
    return Problem(
        name,
        message.get("lastLine"),
        message.get("firstColumn") or message.get("lastColumn"),
        text if kind == "error" else f"{kind}: {text}",
        message.get("extract", ""),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m tests.vnu [DIR]", file=sys.stderr)
        return 2
    directory = Path(args[0] if args else "output")
    if not directory.is_dir():
        print(f"{directory}/ does not exist; build the site first (make publish)", file=sys.stderr)
        return 2
    files = sorted(directory.rglob("*.html"))
    try:
        problems = check(files)
    except VnuUnavailable as exc:
        print(f"vnu: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    print(f"vnu {VERSION}: {len(files)} file(s), {len(problems)} error(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
