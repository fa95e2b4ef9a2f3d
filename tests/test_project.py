"""One loader for every command: a typo in any `[tool.pipeline.*]` table, or an
article that takes the page chrome's reserved name, stops every command alike with
one line (`pyproject.toml: [tool.pipeline.X] key: problem`), before anything is
written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support import make_project, run, run_cli

# Every command, with the arguments it needs to get as far as loading the project.
COMMANDS = {
    "extract": (),
    "update": (),
    "build": (),
    "publish": (),
    "render": ("source/a.md", "--lang", "de"),
    "stats": (),
    "serve": ("--port", "8765", "--no-watch"),
    "pretranslate": ("--lang", "de", "--dry-run"),
    "check": (),
    "review": (),
    "approve": ("--lang", "de", "--by", "Tester"),
    "export": ("--lang", "de", "-o", "de.xlf"),
    "import": ("de.xlf",),
}
# A typo or a wrong type in each table, and the one line every command answers with.
TYPOS = {
    "pipeline": ("[tool.pipeline]\nlanguage = ['en', 'de']\n", "[tool.pipeline] language: unknown key (known: "),
    "qa": ("[tool.pipeline.qa]\nlenght_min = 3\n", "[tool.pipeline.qa] lenght_min: unknown key (known: "),
    "qa-check": ("[tool.pipeline.qa]\ndisable = ['nubmers']\n", "[tool.pipeline.qa] disable: unknown check 'nubmers'"),
    "mt": ("[tool.pipeline.mt]\nworkers = 'eight'\n", "[tool.pipeline.mt] workers: must be a whole number"),
    "mt-engine": ("[tool.pipeline.mt]\nengine = 'gogle'\n", '[tool.pipeline.mt] engine: must be "google", '),
    "publish": ("[tool.pipeline.publish]\nmin_reviewd = 50\n", "[tool.pipeline.publish] min_reviewd: unknown key"),
    "publish-lang": (
        "[tool.pipeline.publish.de]\nunreviewed = 'show'\n",
        '[tool.pipeline.publish.de] unreviewed: must be "source" or "label"',
    ),
    "site": ("[tool.pipeline.site]\nport = 'http'\n", "[tool.pipeline.site] port: must be a whole number from 1"),
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """One small project per typo, nothing built."""
    base = tmp_path_factory.mktemp("typos")
    return {
        name: make_project(base / name, {"a": "# A\n\nText.\n"}, '[tool.pipeline]\nlanguages = ["en", "de"]\n' + table)
        if name != "pipeline"
        else make_project(base / name, {"a": "# A\n\nText.\n"}, table)
        for name, (table, _message) in TYPOS.items()
    }


def subprocess_run(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in a process of its own, from the project folder."""
    return run_cli(root, *args, cwd=root, timeout=120)


@pytest.mark.parametrize("typo", TYPOS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_typo_in_any_table_stops_every_command(projects, typo, command):
    root = projects[typo]
    result = run(root, command, *COMMANDS[command])
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith("pyproject.toml: " + TYPOS[typo][1]), result.err
    assert len(result.err.splitlines()) == 1 and result.out == ""
    assert sorted(p.name for p in root.iterdir()) == ["locales", "pyproject.toml", "source"]  # nothing written


@pytest.mark.parametrize(
    ("command", "typo"), [("publish", "qa"), ("serve", "mt-engine"), ("pretranslate", "site"), ("check", "publish")]
)
def test_in_a_process_of_its_own_it_is_one_line_and_exit_2(projects, command, typo):
    result = subprocess_run(projects[typo], command, *COMMANDS[command])
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("pyproject.toml: " + TYPOS[typo][1]), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def named_site(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("site") / "p", {"a": "# A\n\nText.\n", "site": "# Site\n\nText.\n"})


SITE_REFUSED = (
    "source/site.md: the article name 'site' is reserved for the page chrome's catalog "
    "(locales/<lang>/LC_MESSAGES/site.po); rename the file\n"
)


@pytest.mark.parametrize("command", ["publish", "build", "update", "check"])
def test_an_article_named_site_is_refused(named_site, command):
    result = subprocess_run(named_site, command)
    assert (result.returncode, result.stderr) == (1, SITE_REFUSED)
    assert sorted(p.name for p in named_site.iterdir()) == ["locales", "pyproject.toml", "source"]


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"publish", "build", "update", "check"}))
def test_an_article_named_site_is_refused_by_every_other_command_too(named_site, command):
    result = run(named_site, command, *COMMANDS[command])
    assert (result.code, result.err) == (1, SITE_REFUSED)
    assert sorted(p.name for p in named_site.iterdir()) == ["locales", "pyproject.toml", "source"]
