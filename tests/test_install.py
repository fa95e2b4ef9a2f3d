"""Installing the same program twice: the lock files, the environment's stamp, the
script that installs what the suite needs besides Python.

`requirements/runtime.txt` and `requirements/test.txt` pin every direct and
transitive dependency with hashes (`make lock`, pip-tools); `pyproject.toml` keeps
the compatible ranges. The two must name the same direct dependencies, and each pin
must lie in its range. The environment's stamp depends on the lock files only, so
a setting never reinstalls anything and a TOML typo is the pipeline's one line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT, copy_repo

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DIRECT = "clinic-articles (pyproject.toml)"  # how pip-compile marks what pyproject.toml asks for
PIP_RE = re.compile(r"\bpip\b")
_PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$")


def requirements(names: list[str]) -> dict[str, Requirement]:
    found = {}
    for text in names:
        req = Requirement(text)
        found[canonicalize_name(req.name)] = req
    return found


def lock(path: Path) -> dict[str, tuple[str, bool, int]]:
    """{package: (version, asked for by pyproject.toml, number of hashes)} of a lock file."""
    pins: dict[str, tuple[str, bool, int]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _PIN_RE.match(line):
            name = canonicalize_name(m.group(1))
            pins[name] = (m.group(2), False, 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, direct, hashes = pins[name]
            pins[name] = (version, direct, hashes + 1)
        elif name and line.strip().lstrip("#").strip().removeprefix("via ") == DIRECT:
            version, _, hashes = pins[name]
            pins[name] = (version, True, hashes)
    return pins


RUNTIME = requirements(PROJECT["dependencies"])
TEST = {**RUNTIME, **requirements(PROJECT["optional-dependencies"]["test"])}


@pytest.mark.parametrize(("file", "wanted"), [("runtime.txt", RUNTIME), ("test.txt", TEST)])
def test_the_lock_and_pyproject_name_the_same_dependencies(file, wanted):
    pins = lock(ROOT / "requirements" / file)
    direct = {name for name, (_, is_direct, _) in pins.items() if is_direct and name != "setuptools"}
    assert sorted(direct) == sorted(wanted), "run `make lock` after changing a dependency in pyproject.toml"
    for name, req in wanted.items():
        assert req.specifier.contains(pins[name][0], prereleases=True), f"{name}=={pins[name][0]} is not {req}"
    assert all(hashes for _, _, hashes in pins.values()), "every pin carries its hashes"
    assert "setuptools" in pins  # the build backend: the editable install needs no index


def test_both_locks_pin_the_runtime_alike():
    runtime, test = lock(ROOT / "requirements/runtime.txt"), lock(ROOT / "requirements/test.txt")
    assert {n: v[0] for n, v in runtime.items()} == {n: test[n][0] for n in runtime}


def make_copy(tmp_path: Path) -> Path:
    root = copy_repo(tmp_path / "p")
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    shutil.copytree(ROOT / "requirements", root / "requirements")
    shutil.copytree(ROOT / "scripts", root / "scripts")
    return root


def dry_run(root: Path, venv: Path, target: str) -> list[str]:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(root), f"VENV={venv}", target],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_a_setting_installs_nothing_and_a_new_lock_does(tmp_path):
    root = make_copy(tmp_path)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(sys.executable)
    stamp = venv / ".runtime"
    stamp.touch()
    locked = root / "requirements/runtime.txt"
    os.utime(locked, (1_000_000_000, 1_000_000_000))  # the lock is older than the environment
    (root / "pyproject.toml").touch()  # a language, a colour: newer than everything
    assert not [line for line in dry_run(root, venv, "publish") if PIP_RE.search(line)]
    os.utime(locked)  # `make lock` wrote a new lock
    assert [line for line in dry_run(root, venv, "publish") if "pip install" in line and "runtime.txt" in line]


def test_a_toml_typo_through_make_is_the_projects_one_line(tmp_path):
    root = make_copy(tmp_path)
    venv = Path(sys.prefix)
    for lock_file in (root / "requirements").iterdir():  # older than this environment's stamp
        os.utime(lock_file, (1_000_000_000, 1_000_000_000))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('accent = "', "accent = ", 1), encoding="utf-8")
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(root), f"VENV={venv}", "publish"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2  # the pipeline's usage code, passed through make
    lines = done.stderr.splitlines()
    assert lines[0].startswith("pyproject.toml:") and "invalid TOML" in lines[0], lines
    # make's own status line only (`make[1]:` when `make test` runs this), with the pipeline's exit code
    assert lines[1:] and all(
        re.match(r"make(\[\d+\])?: \*\*\* \[Makefile:\d+: publish\] Error 2$", line) for line in lines[1:]
    )
    assert not PIP_RE.search(done.stdout + done.stderr)


def test_without_the_programs_and_without_apt_it_says_which_packages_in_one_line(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("sh", "id", "tr"):  # what the script itself uses; no apt-get, msgfmt, java, npm, chromium
        (bare / tool).symlink_to(shutil.which(tool))
    done = subprocess.run(
        ["sh", str(ROOT / "scripts/system-deps")], capture_output=True, text=True, env={"PATH": str(bare)}
    )
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    for package in ("gettext", "default-jre-headless", "nodejs", "npm", "chromium", "chromium-driver"):
        assert f" {package}" in line


def test_with_everything_present_it_is_silent():
    done = subprocess.run(["sh", str(ROOT / "scripts/system-deps")], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_ci_and_make_test_use_the_same_script():
    assert "scripts/system-deps" in (ROOT / ".ci/run").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: system-deps ", makefile, re.M) and "sh scripts/system-deps" in makefile
    for tool in ("apt-get",):  # the list lives in the script alone
        assert tool not in (ROOT / ".ci/run").read_text(encoding="utf-8") and tool not in makefile


def test_the_console_command_runs_the_pipeline():
    command = Path(sys.prefix) / "bin" / "articles"
    done = subprocess.run([str(command), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"articles {PROJECT['version']}"


def test_the_private_markdown_hooks_were_checked_against_the_installed_release():
    import markdown

    from pipeline.markup.hooks import CHECKED_MARKDOWN

    assert markdown.__version__ in CHECKED_MARKDOWN, "read markup/hooks.py and source/snapshot.py against this release"
    assert lock(ROOT / "requirements/runtime.txt")["markdown"][0] in CHECKED_MARKDOWN
