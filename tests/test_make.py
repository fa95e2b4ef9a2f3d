"""The Makefile's targets, run by `make` itself in a clean copy of the repository.

The copy holds what a clone has (Makefile, pyproject.toml, source/, locales/) and no
.venv: `VENV=` points make at the environment running these tests, and
`-o $(VENV)/.runtime` tells it not to reinstall it (the copy's pyproject.toml is newer
than the environment's stamp). So each target runs exactly its recipe, fast.

Not run here: `test` (this suite), `bench` and `bench-mt` (benchmarks, minutes),
`validate` (Java; tests/test_validate.py runs the checker), `pretranslate` (an
engine on the internet; tests/test_pretranslate.py runs it against a local server),
`lint` (`make test` runs ruff).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ROOT, copy_repo

VENV = Path(sys.prefix)
GERMAN = "output/de/stammzelltherapie-als.html"
ENGLISH = "output/en/als-stem-cell-therapy.html"


def make(root: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    assert shutil.which("make"), "GNU make is not installed"
    command = ["make", "--no-print-directory", "-C", str(root), f"VENV={VENV}", "-o", f"{VENV}/.runtime", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    root = copy_repo(tmp_path_factory.mktemp("clone"))
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    (root / "output").mkdir()
    return root


def test_help_lists_the_targets(clone):
    result = make(clone, "help")
    assert result.returncode == 0
    targets = [line.split()[0] for line in result.stdout.splitlines()]
    for name in ("publish", "publish-%", "extract", "update", "build", "stats", "check", "review", "approve", "serve"):
        assert name in targets


def test_publish_de_and_publish_en_build_their_edition(clone):
    result = make(clone, "publish-de")
    assert result.returncode == 0, result.stderr
    assert (clone / GERMAN).is_file() and "Nothing to be done" not in result.stdout
    (clone / GERMAN).unlink()
    result = make(clone, "publish-de")
    assert result.returncode == 0, result.stderr
    assert (clone / GERMAN).is_file(), result.stdout  # it is back
    result = make(clone, "publish-en")
    assert result.returncode == 0 and (clone / ENGLISH).is_file()
    (clone / ENGLISH).unlink()
    result = make(clone, "publish-en")
    assert result.returncode == 0 and (clone / ENGLISH).is_file()
    assert make(clone, "publish-xx").returncode != 0  # not a configured language


def test_publish_and_strict(clone):
    shutil.rmtree(clone / "output")
    result = make(clone, "publish", "STRICT=1")
    assert result.returncode == 0, result.stderr
    for page in (GERMAN, ENGLISH, "output/index.html", "output/sitemap.xml", "output/de/feed.xml"):
        assert (clone / page).is_file(), page
    po = clone / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
    saved = po.read_bytes()
    try:
        po.write_text(saved.decode("utf-8").replace("100.000", "10.000", 1), encoding="utf-8")
        assert make(clone, "publish").returncode == 0
        strict = make(clone, "publish", "STRICT=1")
        assert strict.returncode != 0 and "--strict: edition de" in strict.stderr
    finally:
        po.write_bytes(saved)


@pytest.mark.parametrize(
    ("target", "expect"),
    [
        ("extract", "template(s) written"),
        ("update", "catalog(s) merged"),
        ("build", "file(s) written"),
        ("stats", "% approved"),
        ("check", "0 error(s)"),
        ("review LANG=de", "review/de.html"),
    ],
)
def test_each_target_runs(clone, target, expect):
    result = make(clone, *target.split())
    assert result.returncode == 0, result.stderr
    assert expect in result.stdout


def test_review_page_is_outside_output(clone):
    assert make(clone, "review", "LANG=de").returncode == 0
    assert (clone / "review/de.html").is_file() and not (clone / "output/review").exists()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["approve", "LANG=de"], 'make approve needs LANG and BY: make approve LANG=de BY="Reviewer Name"'),
        (["approve", "BY=Dr. A"], 'make approve needs LANG and BY: make approve LANG=de BY="Reviewer Name"'),
        (["review"], "make review needs LANG: make review LANG=de"),
    ],
)
def test_approve_and_review_need_a_language_and_say_so_in_one_line(clone, args, line):
    before = {p: p.read_bytes() for p in (clone / "locales").rglob("*.po")}
    result = make(clone, *args)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == line and result.stdout == ""
    assert before == {p: p.read_bytes() for p in (clone / "locales").rglob("*.po")}  # nothing signed


def test_serve_answers(clone):
    assert make(clone, "build").returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = ["make", "-C", str(clone), f"VENV={VENV}", "-o", f"{VENV}/.runtime", "serve", f"PORT={port}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(f"GET /{GERMAN[len('output/') :]} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                    answer = conn.recv(64)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("make serve did not listen")
        assert answer.startswith(b"HTTP/1.0 200")
    finally:
        import os
        import signal

        os.killpg(server.pid, signal.SIGTERM)  # the group this test started: make and its python
        server.wait(timeout=10)


def test_clean_removes_output(clone):
    assert make(clone, "clean").returncode == 0
    assert not (clone / GERMAN).exists()


@pytest.mark.parametrize("target", ["publish", "update", "publish-de"])
def test_accept_loss_reaches_the_commands_that_merge(clone, target):
    lines = make(clone, "-n", target, "ACCEPT_LOSS=1").stdout.splitlines()
    assert any("--accept-loss" in line and (" update" in line or " publish" in line) for line in lines), lines
    assert not any("--accept-loss" in line for line in make(clone, "-n", target).stdout.splitlines())


@pytest.mark.parametrize("target", ["stats LANG=de", "check", "help"])
def test_a_closed_pipe_is_no_error_for_make(clone, target):
    """`make stats LANG=de | head -1`: the reader stops; make reports no Error 141."""
    command = [
        "make",
        "--no-print-directory",
        "-C",
        str(clone),
        f"VENV={VENV}",
        "-o",
        f"{VENV}/.runtime",
        *target.split(),
    ]
    shell = " ".join(f"'{part}'" for part in command) + " | head -c 1 > /dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120)
    assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
