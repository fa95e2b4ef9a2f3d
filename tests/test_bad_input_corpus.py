"""The bad-input corpus: every case answered with its one-line message and exit code,
and nothing under `locales/`, `source/` or `output/` changed.

`tests/bad_input/_base/` is a small project (one article, a reviewed German
catalog). It is updated and built once; each case then gets a copy of it, with the
files of its folder put over the copy (`source/article.md` replaced,
`source/empty.md` added, ...), and runs one command. `case.toml` says:

    command = ["update"]          # the command line after --project DIR
    exit = 1                      # 1: content problems, 2: usage and configuration
    message = "file:line: ..."    # the one line expected on stderr; {project} is the
                                  # project folder, where a message names it in full

and, for what files in a folder cannot express (or an editor or a tool would "fix"):

    pyproject = '''...'''         # the project's pyproject.toml (as a file, ruff
                                  # would read a broken one as its own configuration)
    encode = "latin-1"            # re-encode the case's files from UTF-8
    bom = true                    # put a UTF-8 byte-order mark before them
    symlink = "LINK -> TARGET"    # create a symbolic link in the project
    generate = "source/huge.md"   # write a Markdown file of generate_mb megabytes
    generate_mb = 50
    remove = ["source"]           # delete these from the project
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from tests.support import msgfmt_check, reviewed_chrome, run, snapshot

CORPUS = Path(__file__).resolve().parent / "bad_input"
CASES = sorted(p.parent for p in CORPUS.glob("*/case.toml"))
KEYS = {"command", "exit", "message", "pyproject", "encode", "bom", "symlink", "generate", "generate_mb", "remove"}
WATCHED = ("locales", "source", "output")


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The base project, updated and built once: output/ exists, catalogs are merged."""
    root = tmp_path_factory.mktemp("corpus") / "base"
    shutil.copytree(CORPUS / "_base", root)
    reviewed_chrome(root)  # min_reviewed holds for the page chrome too
    for command in ("update", "build"):
        result = run(root, command)
        assert result.code == 0, result.err
        assert result.err == ""
    assert (root / "output/de/article.html").is_file()  # the German edition is published
    assert msgfmt_check(root / "locales/de/LC_MESSAGES/article.po").returncode == 0
    return root


def state(root: Path) -> dict[str, dict[str, bytes]]:
    return {name: snapshot(root / name) if (root / name).is_dir() else {} for name in WATCHED}


def prepare(case: Path, built: Path, root: Path) -> dict:
    """Copy the built base project to `root` and put the case's files over it."""
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    unknown = set(spec) - KEYS
    assert not unknown, f"{case.name}/case.toml: unknown keys {unknown}"
    shutil.copytree(built, root, symlinks=True)
    for rel in spec.get("remove", []):  # first, so a case can put a folder where a file was
        target = root / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.name == "case.toml":
            continue
        data = path.read_bytes()
        if "encode" in spec:
            data = data.decode("utf-8").encode(spec["encode"])
        if spec.get("bom"):
            data = b"\xef\xbb\xbf" + data
        target = root / path.relative_to(case)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if "pyproject" in spec:
        (root / "pyproject.toml").write_text(spec["pyproject"], encoding="utf-8")
    if "symlink" in spec:
        link, target = (part.strip() for part in spec["symlink"].split("->"))
        (root / link).symlink_to(target)
    if "generate" in spec:
        paragraph = b"Influenza vaccines are safe, and the side effects are mild. " * 16 + b"\n\n"
        size = spec["generate_mb"] * 1024 * 1024
        body = b"---\ntitle: Huge\n---\n\n" + paragraph * (size // len(paragraph) + 1)
        (root / spec["generate"]).write_bytes(body[:size])
    return spec


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_input(case, built, tmp_path):
    root = tmp_path / "project"
    spec = prepare(case, built, root)
    before = state(root)
    result = run(root, *spec["command"])
    after = state(root)

    expected = spec["message"].replace("{project}", str(root))
    assert "Traceback" not in result.err + result.out
    assert result.err.splitlines() == [expected], result.err
    assert result.code == spec["exit"], result.err
    for name in WATCHED:
        assert after[name] == before[name], f"{name}/ changed"
    # The German catalog, whatever the case did to it, was not replaced by a
    # "repaired" one; where the case did not touch it, it is still valid.
    catalog = root / "locales/de/LC_MESSAGES/article.po"
    if not (case / "locales").exists() and catalog.is_file() and not catalog.is_symlink():
        assert msgfmt_check(catalog).returncode == 0


@pytest.mark.parametrize("case", [c for c in CASES if (c / "locales").exists()], ids=lambda p: p.name)
def test_msgfmt_agrees_the_catalog_is_broken_or_we_say_why(case, built, tmp_path):
    """Each broken catalog is one GNU msgfmt rejects too, except the ones we reject
    for a reason of our own (named here), so the corpus tests real breakage."""
    ours = {
        "po-broken-header-line": "msgfmt only warns, and the header line is lost",
        "po-wrong-charset": "msgfmt would read the UTF-8 bytes as Latin-1: mojibake on the page",
        "po-language-of-another-folder": "msgfmt does not know which folder the file is in",
        "po-keyword-without-space": "msgfmt reads it, polib (our catalog model) cannot",
        "po-comment-without-space": "msgfmt reads it, polib cannot",
        "po-reserved-slug": "msgfmt knows nothing of page addresses: `index` would replace the edition's index",
        "po-slug-too-long": "msgfmt knows nothing of file names",
    }
    root = tmp_path / "project"
    prepare(case, built, root)
    name = case.name.split("-", 1)[1]
    verdict = msgfmt_check(root / "locales/de/LC_MESSAGES/article.po")
    assert (verdict.returncode == 0) == (name in ours), verdict.stderr
