"""The cycle collector's pace during a batch (`pipeline.base.jobs.batch_pace`): slower
while a publish, a build, a check or the review pages are made, the caller's own pace
back afterwards.

The figures (1,000 collections → about 50 in a cold publish of 1,000 articles, 4 % of
its time) are the bench's and the README's; these tests hold the behaviour: the
commands run under the slower pace, and it never leaks out of them.
"""

from __future__ import annotations

import gc
import shutil

import pytest

from pipeline.base import jobs
from pipeline.base.jobs import batch_pace
from pipeline.build import publish
from pipeline.config.load import load_config
from pipeline.review.page import write_reviews
from pipeline.review.runner import check_project
from tests.support import make_project, reviewed_chrome, translate

ARTICLES = {
    f"a{i:02d}": (
        f"---\ntitle: Article {i}\ndate: 2021-01-{1 + i:02d}\n---\n\n"
        + "".join(f"Paragraph {j} with **bold**, `code` and [a link](https://example.org/{j}).\n\n" for j in range(120))
    )
    for i in range(8)
}


@pytest.fixture
def pace():
    """The test's own pace (Python's default), whatever the session runs with."""
    old = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*old)


def test_the_pace_is_raised_inside_and_the_callers_is_back_after(pace):
    with batch_pace(5_000) as inside:
        assert gc.get_threshold() == inside == (5_000, 10, 10)
        with batch_pace(1_000):  # a slower pace is never made faster
            assert gc.get_threshold() == (5_000, 10, 10)
        assert gc.get_threshold() == (5_000, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(KeyError), batch_pace(5_000):
        raise KeyError("a failed build")
    assert gc.get_threshold() == (700, 10, 10)


RUNS = {
    "publish": lambda config: publish.publish(config, jobs=1).errors,
    "check": lambda config: check_project(config, jobs=1).errors,
    "review": lambda config: write_reviews(config, ["de"])[1],
}


@pytest.mark.parametrize("command", list(RUNS))
def test_the_batch_commands_run_at_the_batch_pace(tmp_path, pace, monkeypatch, command):
    # The same cold run twice, once with the batch pace set to Python's own: the
    # slower pace must make far fewer young collections, and leave the pace as it was.
    # A first run, not counted, makes what a process makes once (the page templates,
    # the locale data, the memos), so that both counted runs do the same work.
    batch = jobs.BATCH_YOUNG
    counts = {}
    for young in (700, batch, 700):
        root = make_project(tmp_path / str(young), ARTICLES, '[tool.pipeline]\nlanguages = ["en", "de"]\n')
        reviewed_chrome(root)
        config = load_config(root)
        if command != "publish":  # translated catalogs: every entry to judge and show
            publish.update(config, jobs=1)
            for name in ARTICLES:
                translate(root, name, lambda e: e.msgid.replace("Paragraph", "Absatz"))
        monkeypatch.setattr(jobs, "BATCH_YOUNG", young)
        before = gc.get_stats()[0]["collections"]
        assert not RUNS[command](config)
        counts[young] = gc.get_stats()[0]["collections"] - before
        assert gc.get_threshold() == (700, 10, 10)
        shutil.rmtree(root)
    assert counts[700] >= 10, counts  # enough work for the pace to show
    assert counts[batch] * 5 <= counts[700], counts
