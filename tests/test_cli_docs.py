"""The README's tables hold for the command line as it is: every command and option
the Commands table names exists (and every command is in the table), every make
target it names is in the Makefile, and each command exits as the README's exit
codes say — 0 ok, 1 content problems, 2 usage or configuration errors — run as a
user runs it, in a subprocess.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT, copy_repo, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
TABLE = README[README.index("## Commands") : README.index("### The live preview")]
ROWS = [line for line in TABLE.splitlines() if line.startswith("| ")][2:]
ENV = {"LANG": "C.UTF-8"}


def documented() -> dict[str, set[str]]:
    """{command: its options} of every `python -m pipeline COMMAND ...` in the table."""
    found: dict[str, set[str]] = {}
    for row in ROWS:
        for usage in re.findall(r"`python -m pipeline ([a-z]+)([^`]*)`", row):
            found.setdefault(usage[0], set()).update(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage[1]))
    return found


def subcommands() -> set[str]:
    """The commands `--help` lists (each at the start of a line under COMMAND)."""
    done = run_cli(None, "--help", env=ENV)
    listing = done.stdout.split("COMMAND\n", 2)[-1]
    return set(re.findall(r"^    ([a-z]+)\b", listing, re.M))


def test_every_command_is_in_the_table_and_every_documented_option_exists():
    commands = documented()
    assert set(commands) == subcommands()
    for command, options in commands.items():
        help_text = run_cli(None, command, "--help", env=ENV).stdout
        missing = [option for option in options if not re.search(rf"(?<![\w-]){re.escape(option)}\b", help_text)]
        assert missing == [], f"{command}: {missing}"


def test_every_make_target_in_the_table_is_in_the_makefile():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = {m for row in ROWS for m in re.findall(r"`make ([a-z%-]+)", row)}
    assert targets
    for target in targets:
        rule = "publish-%" if target.startswith("publish-") else target
        assert re.search(rf"^{re.escape(rule)}:", makefile, re.M), target


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_repo(tmp_path_factory.mktemp("exit") / "p")
    assert run_cli(None, "publish", cwd=root, env=ENV).returncode == 0
    return root


LANG_COMMANDS = [
    ["update", "--lang", "xx"],
    ["build", "--lang", "xx"],
    ["publish", "--lang", "xx"],
    ["stats", "--lang", "xx"],
    ["check", "--lang", "xx"],
    ["review", "--lang", "xx"],
    ["approve", "--lang", "xx", "--by", "Dr. A"],
    ["pretranslate", "--lang", "xx"],
    ["export", "--lang", "xx"],
    ["render", "source/als-stem-cell-therapy.md", "--lang", "xx"],
]


@pytest.mark.parametrize("args", LANG_COMMANDS, ids=lambda a: a[0])
def test_an_unknown_language_is_a_usage_error(project, args):
    done = run_cli(None, *args, cwd=project, env=ENV)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args", [["import", "missing.xlf"], ["import", "locales"], ["render", "source/missing.md", "--lang", "de"]]
)
def test_a_missing_file_is_a_usage_error(project, args):
    done = run_cli(None, *args, cwd=project, env=ENV)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1


CONTENT_COMMANDS = [["update"], ["build"], ["publish"], ["stats"], ["check"], ["review", "--lang", "de"]]


@pytest.mark.parametrize("args", CONTENT_COMMANDS, ids=lambda a: a[0])
def test_a_broken_catalog_is_a_content_problem(project, tmp_path, args):
    root = tmp_path / "p"
    subprocess.run(["cp", "-a", str(project), str(root)], check=True)
    catalog = root / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('msgstr "', 'msgstr "x" junk "', 1), "utf-8")
    done = run_cli(None, *args, cwd=root, env=ENV)
    assert done.returncode == 1, done.stderr
    assert any(line.startswith("locales/de/LC_MESSAGES/als-stem-cell-therapy.po:") for line in done.stderr.splitlines())


@pytest.mark.parametrize(
    "args", [["update"], ["build"], ["stats"], ["check"], ["review", "--lang", "de"], ["export", "--lang", "de"]]
)
def test_a_good_project_is_ok(project, args):
    done = run_cli(None, *args, cwd=project, env=ENV)
    assert done.returncode == 0, done.stderr
