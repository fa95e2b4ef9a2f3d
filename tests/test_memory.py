"""A build's memory does not grow with the site: what it keeps per article is what
the site around the articles, the summary and the build manifest need, once.

The figures are the bench's (`python -m tests.bench`, "peak RSS of the pipeline");
these tests hold the pieces that keep them flat to their promised behaviour: the
manifest written in pieces is the manifest, and entries carried over from the last
build are written as they were.
"""

from __future__ import annotations

import json

from pipeline.base.manifest import manifest_chunks, recorded, save
from pipeline.build.staging import stage_file
from tests.support import make_project, run

ARTICLES = {
    f"a{i:02d}": f"---\ntitle: Artikel {i} — ü\ndate: 2021-01-{1 + i:02d}\n---\n\nParagraph {i} with **bold**.\n"
    for i in range(6)
}


def test_a_manifest_in_pieces_is_the_manifest_in_one_piece(tmp_path):
    entries = {
        "a": {"digest": "d1", "langs": ["en", "de"], "pages": {"title": 'Größe \u2028 "quoted"', "n": [1, (2, 3)]}},
        "ß-b": {"digest": None, "langs": [], "pages": {}},
    }
    for case in (entries, {}):
        whole = tmp_path / "whole.json"
        save(whole, "stamp-1", case)
        pieces = tmp_path / "pieces.json"
        stage_file(pieces, manifest_chunks("stamp-1", iter(case.items())))
        assert pieces.read_bytes() == whole.read_bytes()
        assert recorded(pieces) == ("stamp-1", json.loads(json.dumps(case)))


def test_entries_carried_over_are_written_as_a_cold_build_writes_them(tmp_path):
    # The build keeps each article's pages once and makes its manifest entry only when
    # the manifest is written: a kept article's entry comes back byte for byte.
    root = make_project(tmp_path / "p", ARTICLES, "[tool.pipeline.publish]\nmin_reviewed = 0\n")
    assert run(root, "publish").code == 0
    cold = (root / "output/.manifest.json").read_bytes()
    source = root / "source/a02.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Paragraph 2", "Paragraph two"), encoding="utf-8")
    result = run(root, "publish")
    assert result.code == 0, result.err
    assert "5 unchanged article(s) skipped" in result.out
    source.write_text(text, encoding="utf-8")  # back as it was: the same manifest as the first build
    assert run(root, "publish").code == 0
    assert (root / "output/.manifest.json").read_bytes() == cold
