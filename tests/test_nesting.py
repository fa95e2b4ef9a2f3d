"""The project's own nesting limit: an article nested deeper than `MAX_NESTING` is
refused before Python-Markdown sees it, and anything within the limit renders.

Where Python-Markdown's recursion gives up is an accident of its version (3.11.3
refused a list 300 deep, 3.11.4 renders it); these tests hold the pipeline to its
own rule whatever version is installed.
"""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.source.article import MAX_NESTING, TOO_DEEP, nesting_problem
from tests.support import run_cli

EXTENSIONS = ["extra", "toc", "sane_lists", "admonition"]


def nested_list(depth: int) -> str:
    return "".join("    " * i + "- x\n" for i in range(depth))


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (nested_list(MAX_NESTING + 1), MAX_NESTING + 1),
        ("text\n\n" + "> " * (MAX_NESTING + 1) + "quoted\n", 3),
        ("* " * (MAX_NESTING + 1) + "x\n", 1),
        ("1. " * (MAX_NESTING + 1) + "x\n", 1),
        ("a\n" + "*" * (MAX_NESTING + 1) + "word" + "*" * (MAX_NESTING + 1) + "\n", 2),
        ("\t" * (MAX_NESTING + 1) + "- x\n", 1),
    ],
)
def test_deeper_than_the_limit_is_refused_at_its_line(body, line):
    assert nesting_problem(body) == line


@pytest.mark.parametrize(
    "body",
    [
        nested_list(MAX_NESTING),
        "> " * MAX_NESTING + "quoted\n",
        "* " * MAX_NESTING + "x\n",
        "*" * MAX_NESTING + "word" + "*" * MAX_NESTING + "\n",
        "*" * 5000 + "\n",  # a thematic break, however long, nests nothing
        "- - -\n\n___\n",
    ],
)
def test_up_to_the_limit_is_accepted_and_renders(body):
    assert nesting_problem(body) is None
    assert markdown.markdown(body, extensions=EXTENSIONS)


PIECE = st.sampled_from(["    ", "\t", "> ", "- ", "* ", "+ ", "1. ", "2) "])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(PIECE, max_size=MAX_NESTING), min_size=1, max_size=4), st.integers(0, MAX_NESTING))
def test_whatever_the_limit_accepts_python_markdown_renders(lines, stars):
    """Mixed indentation, markers and quotes, and emphasis runs, within the limit:
    Python-Markdown renders them (no RecursionError, on the version installed)."""
    body = "".join("".join(pieces) + "x " + "*" * stars + "y" + "*" * stars + "\n" for pieces in lines)
    if nesting_problem(body) is None:
        markdown.markdown(body, extensions=EXTENSIONS)


def test_every_command_gives_the_same_line(tmp_path):
    root = tmp_path / "p"
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.pipeline]\nlanguages = ["en", "de"]\n', encoding="utf-8")
    (root / "source/deep.md").write_text("---\ntitle: Deep\n---\n\n" + nested_list(300), encoding="utf-8")
    for command in ("update", "check", "build", "publish"):
        result = run_cli(None, command, cwd=root, env={"LANG": "C.UTF-8"})
        assert result.returncode == 1, command
        assert f"source/deep.md:{4 + MAX_NESTING + 1}: {TOO_DEEP}" in result.stderr.splitlines(), command
