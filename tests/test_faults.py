"""Faults: `kill -9` at random moments, a full disk, a read-only file system, two
writers at once, a failed build. Real processes, real signals, real file systems.

The kill trials run `python -m pipeline` as a subprocess on a project of 30
articles whose sources changed since the last run, so there is work to cut short,
and kill it with SIGKILL after a seeded random delay spread over the length of a
whole run. Afterwards: every catalog passes `msgfmt -c`; no reviewed translation
is lost; no temporary file is left in `locales/`; no process of the run is left
alive (its workers would hold the project lock); `output/` is the old site or the
new one, whole; and the next run completes. What phase each kill landed in is
printed at the end of the module.

Disk full and read-only: the project is copied into a tmpfs inside a user and
mount namespace (`unshare`), filled up or remounted read-only, and the command
must answer with one line, exit 1 and change nothing.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import textwrap
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import polib
import pytest

from pipeline.base.errors import PipelineError, WriteError
from pipeline.base.lock import project_lock
from pipeline.build.staging import Output
from pipeline.catalog.model import state
from pipeline.catalog.pofile import read_po
from tests.libre_server import LibreServer
from tests.support import ROOT, build_repo, cli_command, reviewed_chrome, run, run_cli, snapshot, start_cli

ARTICLES = 30
SEED = 20261127
TRIALS = {"update": 8, "build": 8, "pretranslate": 6}
LOCALE = {"LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}  # added to the environment of every run
ENV = {**os.environ, **LOCALE}
BASE_URL = "http://127.0.0.1:8000/"
PYPROJECT = """\
[tool.pipeline]
project_name = "Faults"
languages = ["en", "de", "fr"]

[tool.pipeline.mt]
engine = "libre"
workers = 2
backoff = 0.05
save_every = 10
save_seconds = 0.2
"""
LANDED: list[tuple[str, float, str]] = []  # (command, delay, phase) of every kill trial


def source(i: int, version: int) -> str:
    """Article `i`; version 2 changes one paragraph, replaces one and adds one."""
    paragraphs = [
        f"Paragraph {j} of article {i}: vaccines are *safe*, see [the leaflet](https://example.org/{i}/{j})."
        for j in range(10)
    ]
    if version == 2:
        paragraphs[2] = paragraphs[2].replace("vaccines are", "flu vaccines are")  # → fuzzy, keeps its translation
        paragraphs[5] = f"A new paragraph of article {i} about side effects."  # → the old one goes obsolete
        paragraphs.append(f"Talk to your doctor about article {i}.")
    head = f"---\ntitle: Article {i}\ndate: 2020-01-{i % 28 + 1:02}\n---\n\n# Heading {i}\n\n"
    return head + "\n\n".join(paragraphs) + "\n"


def write_sources(root: Path, version: int) -> None:
    for i in range(ARTICLES):
        (root / "source" / f"a{i:02}.md").write_text(source(i, version), encoding="utf-8")


def translate(root: Path) -> None:
    """A translator reviewed every German entry and two thirds of the French ones."""
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/a*.po")):
        lang = path.parts[-3]
        po = read_po(path)
        for n, entry in enumerate(po):
            if entry.msgctxt != "slug" and (lang == "de" or n % 3 != 2):
                entry.msgstr = f"{lang.upper()}: {entry.msgid}"
        po.save(str(path))


def catalogs(root: Path) -> list[Path]:
    return sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))


def reviewed_pairs(root: Path) -> dict[Path, set[tuple[str | None, str, str]]]:
    """(msgctxt, msgid, msgstr) of every reviewed entry, per catalog."""
    return {
        path.relative_to(root): {(e.msgctxt, e.msgid, e.msgstr) for e in read_po(path) if state(e) == "reviewed"}
        for path in catalogs(root)
    }


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


@pytest.fixture(scope="module")
def server():
    with LibreServer(latency=0.01) as srv:
        yield srv


@pytest.fixture(scope="module")
def stages(tmp_path_factory, server) -> dict[str, Path | float | dict]:
    """The project at each point the trials start from, and reference runs.

    * `update`: sources at version 2, catalogs and site from version 1;
    * `build`: the same after a complete `update` (site still version 1);
    * `old_site` / `new_site`: output/ before and after a complete build;
    * `timing`: (duration, first write, last write) of an uninterrupted run of each command.
    """
    base = tmp_path_factory.mktemp("faults")
    v1 = base / "v1"
    (v1 / "source").mkdir(parents=True)
    (v1 / "locales").mkdir()
    (v1 / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    write_sources(v1, 1)
    reviewed_chrome(v1)  # min_reviewed holds for the page chrome too
    assert run(v1, "update").code == 0
    translate(v1)
    result = run(v1, "build")
    assert result.code == 0, result.err
    write_sources(v1, 2)

    timing = {}
    update_done = copy(v1, base / "update-done")
    timing["update"] = timed(update_done, "locales", "update")
    build_done = copy(update_done, base / "build-done")
    timing["build"] = timed(build_done, "output", "build")
    pretranslated = copy(update_done, base / "pretranslated")
    timing["pretranslate"] = timed(pretranslated, "locales", *pretranslate_args(server))
    return {
        "update": v1,
        "build": update_done,
        "pretranslate": update_done,
        "old_site": snapshot(v1 / "output"),
        "new_site": snapshot(build_done / "output"),
        "timing": timing,
    }


def pretranslate_args(server: LibreServer) -> list[str]:
    return ["pretranslate", "--lang", "fr", "--engine-url", server.url]


def timed(root: Path, folder: str, *args: str) -> tuple[float, float, float]:
    """Run a command to the end: (its duration, when it wrote its first and its
    last file under `folder`), in seconds from its start."""
    before = snapshot(root / folder)
    started = time.time()
    done = run_cli(root, *args, env=LOCALE)
    duration = time.time() - started
    assert done.returncode == 0, done.stderr
    changed = [rel for rel, data in snapshot(root / folder).items() if before.get(rel) != data]
    assert changed
    mtimes = sorted((root / folder / rel).stat().st_mtime - started for rel in changed)
    return duration, mtimes[0], mtimes[-1]


@pytest.fixture(scope="module", autouse=True)
def landed(request):
    """Print where the kills landed, after the module's tests (shown without -s too)."""
    yield
    if not LANDED:
        return
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"kill -9 trials: {len(LANDED)}")
        for command, delay, phase in LANDED:
            reporter.write_line(f"  {command:12} killed after {delay:5.2f} s: {phase}")
        for phase, n in sorted(Counter(p.split(" (")[0] for _c, _d, p in LANDED).items()):
            reporter.write_line(f"  {n:3} × {phase}")


# -- kill -9 -----------------------------------------------------------------------------


def kill_after(root: Path, args: list[str], delay: float) -> int | None:
    """Run the command and SIGKILL it after `delay` seconds (only the main process,
    as `kill -9 PID` does). Returns its exit code if it finished first, else None.
    Waits until no process of the run is left: a worker orphaned by the kill
    would hold the project lock, and every later run would wait for it."""
    proc = start_cli(
        root,
        *args,
        env=LOCALE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: its workers can be found
    )
    try:
        try:
            return proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        deadline = time.monotonic() + 3
        while survivors(proc.pid):
            assert time.monotonic() < deadline, f"processes of the killed run still alive: {survivors(proc.pid)}"
            time.sleep(0.01)
        return None
    finally:
        # Test hygiene only (the assertion above failed): leave nothing running.
        for pid in survivors(proc.pid):
            os.kill(pid, signal.SIGKILL)


def survivors(group: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] not in "ZX":
            found.append(int(entry))
    return found


def delays(command: str, timing: tuple[float, float, float]) -> list[float]:
    """Seeded random moments, stratified so that each phase of a whole run gets its
    share: a quarter of the kills before the first write (start-up, reading,
    merging), more than half between the first and the last write, the rest after
    the last write (the swap, the manifests) or just past the end."""
    duration, first, last = timing
    rng = random.Random(f"{SEED}-{command}")
    n = TRIALS[command]
    moments = []
    for k in range(n):
        u = (k + rng.random()) / n
        if u < 0.25:
            moments.append(first * (0.2 + 0.8 * u / 0.25))
        elif u < 0.85:
            moments.append(first + (last - first) * (u - 0.25) / 0.6)
        else:
            moments.append(last + (duration * 1.05 - last) * (u - 0.85) / 0.15)
    return [round(m, 3) for m in moments]


def all_catalogs_valid(root: Path) -> None:
    procs = [
        (path, subprocess.Popen(["msgfmt", "-c", "-o", "/dev/null", str(path)], stderr=subprocess.PIPE, text=True))
        for path in catalogs(root)
    ]
    assert procs
    for path, proc in procs:
        _, err = proc.communicate()
        assert proc.returncode == 0, f"{path}: {err}"


def no_temp_files(root: Path, killed: bool = False) -> None:
    """No temporary file in `locales/`. Right after a kill, the one a writer was
    renaming at that instant may be there (a hidden `.NAME.*.tmp`, never a `.po`);
    the next run, holding the lock, removes it."""
    left = sorted(str(p.relative_to(root)) for p in (root / "locales").rglob(".*.tmp"))
    if killed:
        assert len(left) <= 2, left  # at most one per writing process (--jobs 2)
    else:
        assert left == [], left


def translations_kept(root: Path, before: dict[Path, set[tuple[str | None, str, str]]]) -> None:
    """Every reviewed (msgid → msgstr) pair is still in its catalog: under the same
    msgid, or — its source paragraph changed or went away — fuzzy with the old
    msgid as `#| msgid`, or obsolete (`#~`). The msgstr text itself is never lost."""
    for rel, pairs in before.items():
        po = read_po(root / rel)
        have = {(e.msgctxt, e.msgid, e.msgstr) for e in po} | {
            (e.previous_msgctxt if e.previous_msgid else e.msgctxt, e.previous_msgid, e.msgstr)
            for e in po
            if e.previous_msgid
        }
        missing = pairs - have
        assert not missing, f"{rel}: translations lost: {sorted(missing)[:3]}"


def site_is_whole(output: Path) -> None:
    """Every page the sitemap lists exists and is a complete document."""
    sitemap = ET.fromstring((output / "sitemap.xml").read_bytes())
    locs = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) >= ARTICLES
    for loc in locs:
        assert loc and loc.startswith(BASE_URL), loc
        page = (output / loc.removeprefix(BASE_URL)).read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>"), loc
        if not loc.endswith("/index.html"):
            assert page.count("<article") == 1 and "</article>" in page, loc


def changed_files(root: Path, before: dict[str, bytes], folder: str = "locales") -> int:
    now = snapshot(root / folder)
    return sum(1 for rel, data in now.items() if rel.endswith(".po") and before.get(rel) != data)


@pytest.mark.parametrize("trial", range(TRIALS["update"]))
def test_kill_update(trial, stages, tmp_path):
    root = copy(stages["update"], tmp_path / "p")
    before = reviewed_pairs(root)
    locales = snapshot(root / "locales")
    delay = delays("update", stages["timing"]["update"])[trial]

    code = kill_after(root, ["update"], delay)

    written = changed_files(root, locales)
    total = len(catalogs(root))
    if code is not None:
        assert code == 0
        phase = "completed before the kill"
    elif written == 0:
        phase = "killed before the first catalog write"
    else:
        phase = f"killed after the first catalog write ({written} of {total} catalogs written)"
    LANDED.append(("update", delay, phase))
    all_catalogs_valid(root)
    translations_kept(root, before)
    no_temp_files(root, killed=True)
    assert snapshot(root / "output") == stages["old_site"]

    result = run(root, "update")
    assert result.code == 0, result.err
    all_catalogs_valid(root)
    translations_kept(root, before)
    no_temp_files(root)
    # The interrupted run and the next one together did what one run does.
    assert snapshot(root / "locales") == snapshot(stages["build"] / "locales")


@pytest.mark.parametrize("trial", range(TRIALS["build"]))
def test_kill_build(trial, stages, tmp_path):
    root = copy(stages["build"], tmp_path / "p")
    locales = snapshot(root / "locales")
    delay = delays("build", stages["timing"]["build"])[trial]

    code = kill_after(root, ["build"], delay)

    leftovers = sorted(p.name for p in root.glob(".output.*"))
    output = root / "output"
    if code is not None:
        assert code == 0
        phase = "completed before the kill"
        assert snapshot(output) == stages["new_site"]
    elif output.is_dir():
        site = snapshot(output)
        assert site in (stages["old_site"], stages["new_site"]), "output/ is neither the old site nor the new one"
        if site == stages["new_site"]:
            phase = "killed after the swap (new site)"
        elif leftovers:
            phase = "killed while staging (old site; stage left behind)"
        else:
            phase = "killed before staging (old site)"
    else:
        # Between the two renames of the swap: the old site is aside, whole.
        (old,) = root.glob(".output.old-*")
        assert snapshot(old) == stages["old_site"]
        phase = "killed between the two renames of the swap"
    LANDED.append(("build", delay, phase))
    if output.is_dir():
        site_is_whole(output)
    assert snapshot(root / "locales") == locales
    no_temp_files(root)

    result = run(root, "build")
    assert result.code == 0, result.err
    assert snapshot(output) == stages["new_site"]
    site_is_whole(output)
    assert sorted(p.name for p in root.glob(".output.*")) == []  # the leftover stage is cleaned up


def entry_blocks(text: str) -> dict[tuple[str | None, str], str]:
    """Each entry's block of lines, as written in the file, by (msgctxt, msgid)."""
    blocks = {}
    for block in re.split(r"\n\n+", text):
        po = polib.pofile(block)
        if len(po) == 1:
            blocks[(po[0].msgctxt, po[0].msgid)] = block
    return blocks


@pytest.mark.parametrize("trial", range(TRIALS["pretranslate"]))
def test_kill_pretranslate(trial, stages, server, tmp_path):
    root = copy(stages["pretranslate"], tmp_path / "p")
    german = snapshot(root / "locales/de")
    reviewed = {}
    drafts_before = 0
    for path in sorted((root / "locales/fr").rglob("*.po")):
        po = read_po(path)
        keys = {(e.msgctxt, e.msgid) for e in po if state(e) == "reviewed"}
        drafts_before += sum(1 for e in po if e.msgstr and state(e) != "reviewed")
        blocks = entry_blocks(path.read_text(encoding="utf-8"))
        reviewed[path] = {key: blocks[key] for key in keys}
    assert sum(len(r) for r in reviewed.values()) > ARTICLES
    delay = delays("pretranslate", stages["timing"]["pretranslate"])[trial]

    code = kill_after(root, pretranslate_args(server), delay)

    drafts = sum(
        1 for p in (root / "locales/fr").rglob("*.po") for e in read_po(p) if e.msgstr and state(e) != "reviewed"
    )
    if code is not None:
        assert code == 0
        phase = "completed before the kill"
    elif drafts == drafts_before:
        phase = "killed before the first save"
    else:
        phase = f"killed after the first save ({drafts - drafts_before} drafts saved)"
    LANDED.append(("pretranslate", delay, phase))

    def check(killed: bool) -> None:
        all_catalogs_valid(root)
        no_temp_files(root, killed)
        assert snapshot(root / "locales/de") == german
        for path, blocks in reviewed.items():
            text = path.read_text(encoding="utf-8")
            for key, block in blocks.items():
                assert block in text, f"{path.name}: reviewed entry {key} changed"
        assert snapshot(root / "output") == stages["old_site"]

    check(killed=True)
    result = run(root, *pretranslate_args(server))
    assert result.code == 0, result.err
    check(killed=False)
    untranslated = [
        (p.name, e.msgid)
        for p in (root / "locales/fr").rglob("a*.po")
        for e in read_po(p)
        if not e.obsolete and not e.msgstr and e.msgctxt != "slug"
    ]
    assert untranslated == []


# -- disk full, read-only --------------------------------------------------------------


# A private mount namespace: through a user namespace where the kernel allows it
# (no privileges needed), else — as root, e.g. on a CI host that forbids user
# namespaces — directly.
NAMESPACES = [["unshare", "--user", "--map-root-user", "--mount"]] + (
    [["unshare", "--mount", "--propagation", "private"]] if os.geteuid() == 0 else []
)


def in_namespace(tmp_path: Path, project: Path, setup: str, *args: str) -> tuple[int, str, Path]:
    """Copy `project` into a fresh tmpfs (in a private user and mount namespace),
    run `setup` there (shell, $P is the project), then the command. Returns the
    exit code, stderr and a copy of the project as the command left it."""
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    command = shlex.join(cli_command(mnt / "p", *args))
    script = textwrap.dedent(f"""\
        set -e
        mount -t tmpfs -o size=64m tmpfs {mnt}
        cp -a {project} {mnt}/p
        P={mnt}/p
        {setup}
        set +e
        {command} >{out}/stdout 2>{out}/stderr
        echo $? >{out}/rc
        set -e
        rm -f {mnt}/fill
        mount -o remount,rw {mnt} 2>/dev/null || true
        cp -a {mnt}/p {out}/after
    """)
    done = None
    for unshare in NAMESPACES:
        done = subprocess.run(
            [*unshare, "sh", "-c", script], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60
        )
        if done.returncode == 0 or "unshare:" not in done.stderr:
            break  # the namespace worked (whatever the script then did)
    assert done is not None and done.returncode == 0, done.stderr
    return int((out / "rc").read_text()), (out / "stderr").read_text(), out / "after"


FILL = "dd if=/dev/zero of=$P/../fill bs=64k 2>/dev/null || true"


@pytest.mark.parametrize(
    ("command", "setup", "expected"),
    [
        ("update", FILL, "no space left on the device"),
        ("build", FILL, "no space left on the device"),
        ("update", "mount -o remount,ro $P/..", "read-only file system"),
        ("build", "mount -o remount,ro $P/..", "read-only file system"),
        (
            "update",
            "mount --bind $P/locales $P/locales && mount -o remount,ro,bind $P/locales",
            "read-only file system",
        ),
    ],
    ids=["disk-full-update", "disk-full-build", "read-only-update", "read-only-build", "read-only-locales-update"],
)
def test_unwritable(command, setup, expected, stages, tmp_path):
    project = stages[command]
    code, err, after = in_namespace(tmp_path, project, setup, command)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0], err
    assert code == 1
    for folder in ("locales", "source", "output"):
        assert snapshot(after / folder) == snapshot(project / folder), f"{folder}/ changed"
    all_catalogs_valid(after)
    assert sorted(str(p.relative_to(after)) for p in after.rglob(".*.tmp")) == []
    assert sorted(p.name for p in after.glob(".output.*")) == []


# -- the lock --------------------------------------------------------------------------


def test_a_second_writer_waits_for_the_first(stages, tmp_path):
    root = copy(stages["update"], tmp_path / "p")
    locales = snapshot(root / "locales")
    second = None
    try:
        with project_lock(root, "build"):  # the first writer: this test
            second = start_cli(root, "update", env=LOCALE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            line = second.stderr.readline()  # blocks until it says it waits
            assert line == f"waiting for `build` (pid {os.getpid()}) to finish ...\n"
            time.sleep(0.3)
            assert second.poll() is None  # still waiting ...
            assert snapshot(root / "locales") == locales  # ... without writing anything
        rest = second.communicate(timeout=30)[1]  # the lock is released: it runs
    finally:
        if second is not None and second.poll() is None:
            second.kill()
    assert second.returncode == 0, rest
    assert re.fullmatch(r"\.\.\. waited \d+\.\d s\n", rest), rest
    assert snapshot(root / "locales") != locales
    all_catalogs_valid(root)


def test_two_concurrent_updates_both_finish(stages, tmp_path):
    root = copy(stages["update"], tmp_path / "p")
    before = reviewed_pairs(root)
    runs = [
        start_cli(root, "update", env=LOCALE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=60) for proc in runs]
    assert [proc.returncode for proc in runs] == [0, 0], results
    # The one that waited names the other (or "another run", if it looked in the
    # instant between the other taking the lock and writing its name into it).
    waited = [
        err for _out, err in results if re.match(r"waiting for (`update` \(pid \d+\)|another run) to finish", err)
    ]
    assert all(err == "" for _out, err in results if err not in waited), results
    # One of them did the work; the other found nothing left to do (or merged nothing new).
    written = [int(re.search(r"(\d+) written", out).group(1)) for out, _err in results]
    assert sorted(written)[0] == 0 and sorted(written)[1] > 0, results
    all_catalogs_valid(root)
    translations_kept(root, before)
    assert snapshot(root / "locales") == snapshot(stages["build"] / "locales")


def test_lock_without_waiting_says_who_holds_it(tmp_path):
    with project_lock(tmp_path, "update"), pytest.raises(PipelineError) as caught:  # noqa: SIM117
        with project_lock(tmp_path, "build", wait=False):
            pass
    assert str(caught.value) == f"`update` (pid {os.getpid()}) is writing this project; try again when it has finished"
    with project_lock(tmp_path, "build", wait=False):  # released: free again
        pass


# -- failed and interrupted builds ----------------------------------------------------


def test_a_failed_build_leaves_output_untouched(stages, tmp_path):
    root = copy(stages["build"], tmp_path / "p")
    site = snapshot(root / "output")
    catalog = root / "locales/de/LC_MESSAGES/a17.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('msgstr "DE: ', 'msgstr "DE: \\q', 1))
    result = run(root, "build")
    assert result.code == 1
    assert result.err.splitlines() == [result.err.splitlines()[0]]
    assert result.err.startswith("locales/de/LC_MESSAGES/a17.po:") and "invalid escape sequence '\\q'" in result.err
    assert "nothing built: output/ is unchanged" in result.out
    assert snapshot(root / "output") == site
    assert sorted(p.name for p in root.glob(".output.*")) == []


def dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_the_next_build_removes_a_killed_builds_stage(stages, tmp_path):
    root = copy(stages["build"], tmp_path / "p")
    stage = root / f".output.staging-{dead_pid()}"
    shutil.copytree(root / "output", stage)
    (stage / "de/a03.html").write_text("<!DOCTYPE html><p>half a page")
    result = run(root, "build")
    assert result.code == 0, result.err
    assert not stage.exists()
    assert snapshot(root / "output") == stages["new_site"]


def test_the_next_build_puts_back_a_site_left_aside_by_a_kill(stages, tmp_path):
    """Killed between the two renames of the swap: output/ is gone, the old site is
    `.output.old-PID`; the next build puts it back first (and then builds)."""
    root = copy(stages["build"], tmp_path / "p")
    aside = root / f".output.old-{dead_pid()}"
    (root / "output").rename(aside)
    stage = root / f".output.staging-{dead_pid()}"
    shutil.copytree(aside, stage)
    result = run(root, "stats")  # a reader does not touch it
    assert result.code == 0 and aside.exists()
    result = run(root, "build")
    assert result.code == 0, result.err
    assert not aside.exists() and not stage.exists()
    assert snapshot(root / "output") == stages["new_site"]


# -- issue 11: links, special files, hostile sizes, pipes ------------------------------

SMALL = "---\ntitle: Title\ndate: 2020-08-28\n---\n\nFirst paragraph.\n"


def small_project(root: Path, pyproject: str = '[tool.pipeline]\nlanguages = ["en", "de"]\n') -> Path:
    (root / "source").mkdir(parents=True)
    (root / "source/article.md").write_text(SMALL, encoding="utf-8")
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def cli(root: Path, *args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m pipeline` in a subprocess, as a user runs it (from `cwd`, default: the project)."""
    return run_cli(None, *args, cwd=cwd or root, env=LOCALE, timeout=timeout)


def test_a_fifo_catalog_is_refused_without_waiting(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "update").returncode == 0
    catalog = root / "locales/de/LC_MESSAGES/article.po"
    catalog.unlink()
    os.mkfifo(catalog)
    for command in ("stats", "check", "build"):
        result = cli(root, command, timeout=30)  # opening a FIFO for reading blocked for ever
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines()[-1:] == [
            "locales/de/LC_MESSAGES/article.po: is not a regular file (a named pipe); refusing to read it"
        ]
    assert "1 error(s)" in cli(root, "check").stdout  # the unreadable catalog counts


def test_a_build_manifest_that_is_a_fifo_is_rebuilt_not_waited_for(tmp_path):
    # The manifest is only a record of the last build: one that cannot be read
    # safely is as good as none. Reading a FIFO there blocked `build` for ever.
    root = small_project(tmp_path / "p")
    assert cli(root, "publish").returncode == 0
    manifest = root / "output/.manifest.json"
    record = manifest.read_bytes()
    manifest.unlink()
    os.mkfifo(manifest)
    result = cli(root, "build", timeout=30)
    assert result.returncode == 0, result.stderr
    assert manifest.read_bytes() == record  # a regular file again, the same record
    assert "0 file(s) written" in cli(root, "build").stdout


def test_a_build_manifest_that_is_a_link_is_refused_not_followed(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "publish").returncode == 0
    manifest = root / "output/.manifest.json"
    victim = tmp_path / "victim.json"
    victim.write_text('{"not": "a manifest"}', encoding="utf-8")
    manifest.unlink()
    manifest.symlink_to(victim)
    result = cli(root, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "output/.manifest.json: is a symbolic link; refusing to write or delete through it"
    ]
    assert victim.read_text(encoding="utf-8") == '{"not": "a manifest"}'


def test_a_catalog_over_the_size_limit_is_refused_unread(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "update").returncode == 0
    catalog = root / "locales/de/LC_MESSAGES/article.po"
    with catalog.open("ab") as handle:
        handle.truncate(6 * 1024 * 1024)  # sparse: no 6 MB written to the disk
    result = cli(root, "stats")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "locales/de/LC_MESSAGES/article.po: file is 6 MB; the limit for a catalog is 5 MB"
    ]


def test_the_lock_file_is_never_followed(tmp_path):
    root = small_project(tmp_path / "p")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (root / ".cache/pipeline").mkdir(parents=True)
    (root / ".cache/pipeline/lock").symlink_to(victim)
    for command in ("update", "build", "review"):
        result = cli(root, command)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [".cache/pipeline/lock: is a symbolic link; refusing to write through it"]
    assert victim.read_text(encoding="utf-8") == "precious\n"  # was truncated to 0 bytes


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_the_translation_cache_is_never_followed_and_named_in_the_project(tmp_path, suffix):
    # sqlite writes its log and shared memory beside the database: a link there
    # is written through as readily as one at the database itself.
    root = small_project(tmp_path / "p")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (root / ".cache/pretranslate").mkdir(parents=True)
    (root / f".cache/pretranslate/cache.sqlite3{suffix}").symlink_to(victim)
    result = cli(root, "pretranslate", "--lang", "de", "--engine", "libre", "--engine-url", "http://127.0.0.1:9/")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f".cache/pretranslate/cache.sqlite3{suffix}: is a symbolic link; refusing to open it"
    ]
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_review_page_that_is_a_fifo_is_replaced_not_waited_for(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "update").returncode == 0
    assert cli(root, "review").returncode == 0
    page = root / "review/de.html"
    page.unlink()
    os.mkfifo(page)  # reading it to compare blocked `review` for ever
    result = cli(root, "review", timeout=30)
    assert result.returncode == 0, result.stderr
    assert "review/de.html: written" in result.stdout
    assert page.is_file() and "<html" in page.read_text(encoding="utf-8")


def test_a_review_page_that_is_a_link_is_refused_by_its_path_in_the_project(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "update").returncode == 0
    assert cli(root, "review").returncode == 0
    victim = tmp_path / "victim.html"
    victim.write_text("keep", encoding="utf-8")
    page = root / "review/de.html"
    page.unlink()
    page.symlink_to(victim)
    for _ in range(2):  # also when nothing changed since the page was written
        result = cli(root, "--project", str(root), "review", cwd=tmp_path)  # from outside it
        assert result.returncode == 1
        assert result.stderr.splitlines() == ["review/de.html: is a symbolic link; refusing to write through it"]
    assert victim.read_text(encoding="utf-8") == "keep"


def test_an_output_folder_linked_elsewhere_is_not_written_or_emptied(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "publish").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("mine", encoding="utf-8")
    shutil.rmtree(root / "output/en")
    (root / "output/en").symlink_to(elsewhere)
    (root / "source/article.md").write_text(SMALL + "\nA new paragraph.\n", encoding="utf-8")
    result = cli(root, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["output/en: is a symbolic link; refusing to write or delete through it"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.html"]  # was deleted as "no longer built"
    assert list(root.glob(".output.staging-*")) == []


def test_no_stage_is_left_behind_when_an_article_fails(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "publish").returncode == 0
    body = "".join("    " * i + "- x\n" for i in range(300))
    (root / "source/deep.md").write_text("---\ntitle: Deep\n---\n\n" + body, encoding="utf-8")
    result = cli(root, "publish")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "source/deep.md:105: lists, block quotes or emphasis nested more than 100 levels deep (the project's limit)"
    ]
    assert [p.name for p in root.iterdir() if p.name.startswith(".output")] == []


def test_a_source_file_name_with_a_control_character_is_refused(tmp_path):
    root = small_project(tmp_path / "p")
    (root / "source/abc\n.md").write_text(SMALL, encoding="utf-8")
    result = cli(root, "update")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "source/abc\\n.md: the file name contains a control character; rename the file"
    ]
    assert not (root / "locales/de/LC_MESSAGES/abc\n.po").exists()


@pytest.mark.parametrize("name", ["evil", "this"])
def test_an_extension_name_runs_no_code_from_the_project(tmp_path, name):
    pyproject = f'[tool.pipeline]\nlanguages = ["en", "de"]\nextensions = ["{name}"]\n'
    root = small_project(tmp_path / "p", pyproject)
    marker = root / "evil-ran"
    (root / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\nprint('EVIL')\n", encoding="utf-8")
    result = cli(root, "stats", "--json")  # from the project folder, as `make` runs it
    assert result.returncode == 2
    assert result.stdout == ""  # `this` printed the Zen of Python into the JSON
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(
        "pyproject.toml: [tool.pipeline] extensions: cannot load"
    )
    assert not marker.exists()


@pytest.mark.parametrize("args", [["render", "source/article.md", "--lang", "de"], ["stats", "--json"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path, args):
    long = SMALL + "".join(f"\nParagraph {i} with some words in it.\n" for i in range(3000))
    root = small_project(tmp_path / "p")
    (root / "source/article.md").write_text(long, encoding="utf-8")
    assert cli(root, "update").returncode == 0
    with start_cli(None, *args, cwd=root, env=LOCALE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        proc.stdout.read(10)
        proc.stdout.close()  # `| head -c 10`
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert code in (0, 141)


def test_an_installed_extension_with_a_syntax_error_is_one_line(tmp_path):
    packages = tmp_path / "site-packages"
    packages.mkdir()
    (packages / "broken_ext.py").write_text("def makeExtension(:\n", encoding="utf-8")
    root = small_project(tmp_path / "p", '[tool.pipeline]\nlanguages = ["en", "de"]\nextensions = ["broken_ext"]\n')
    result = run_cli(None, "update", cwd=root, env=LOCALE | {"PYTHONPATH": f"{ROOT}{os.pathsep}{packages}"}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "pyproject.toml: [tool.pipeline] extensions: cannot load the Markdown extensions ['broken_ext']: "
        "SyntaxError: invalid syntax (broken_ext.py, line 1)"
    ]


def test_a_search_index_that_cannot_be_built_is_one_line_and_leaves_the_site(tmp_path):
    root = small_project(tmp_path / "p")
    assert cli(root, "publish").returncode == 0
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    (root / "source/article.md").write_text(
        SMALL.replace("First paragraph.", "First paragraph, changed."), encoding="utf-8"
    )
    # A Pagefind binary chosen by its own variable that is not there: its wrapper runs, and fails.
    result = run_cli(None, "publish", cwd=root, env={**LOCALE, "PAGEFIND_BINARY_PATH": str(tmp_path / "none")})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "output/pagefind: the search index could not be built: FileNotFoundError: [Errno 2] No such file or directory"
    ]
    assert {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()} == before


def test_a_staged_page_replaces_its_link_to_the_live_one_and_follows_no_link(tmp_path):
    live = tmp_path / "output"
    (live / "en").mkdir(parents=True)
    (live / "en/a.html").write_bytes(b"published")
    output = Output(live)
    stage = output.ensure_stage()
    assert (stage / "en/a.html").stat().st_ino == (live / "en/a.html").stat().st_ino  # a hard link
    assert output.write("en/a.html", b"rebuilt")
    assert (live / "en/a.html").read_bytes() == b"published"
    assert (stage / "en/a.html").read_bytes() == b"rebuilt"
    (stage / "en/b.html").symlink_to(tmp_path / "elsewhere")  # planted in the stage during the build
    with pytest.raises(WriteError, match="symbolic link"):
        output.write("en/b.html", b"page")
    assert not (tmp_path / "elsewhere").exists()
    output.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert (live / "en/a.html").read_bytes() == b"published"


@pytest.mark.parametrize("cache", ["jinja-cache-cold", "jinja-cache-warm"])
def test_publish_on_a_full_disk_is_one_line_and_leaves_output(cache, tmp_path):
    """Jinja's compiled templates are a cache: a full disk while writing them costs
    speed only; what fails is the page, in one line, and `output/` stays as it was."""
    project = build_repo(tmp_path / "p")
    (project / "output" / ".manifest.json").unlink()  # every page is rendered again
    if cache == "jinja-cache-cold":
        shutil.rmtree(project / ".cache" / "pipeline" / "jinja")
    (tmp_path / "ns").mkdir()
    code, err, after = in_namespace(tmp_path / "ns", project, FILL, "publish")
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and "no space left on the device" in lines[0], err
    assert code == 1
    for folder in ("locales", "source", "output"):
        assert snapshot(after / folder) == snapshot(project / folder), f"{folder}/ changed"
    assert sorted(str(p.relative_to(after)) for p in after.rglob(".*.tmp")) == []
