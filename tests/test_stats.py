"""`stats`: entries and words per state, per article and language, as a table and JSON."""

from __future__ import annotations

import json

import polib

from tests.support import make_project, run

ARTICLE = """\
---
title: Tablets
slug: tablets
---

Take two tablets daily.

Drink a glass of water.

Ask your doctor first.

Keep them dry.

Store below twenty degrees.
"""


def project(tmp_path):
    root = make_project(tmp_path / "p", {"tablets": ARTICLE, "other": "Just one paragraph here.\n"})
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/tablets.po"
    po = polib.pofile(str(path))
    states = {
        "Tablets": ("Tabletten", [], ""),
        "Take two tablets daily.": ("Nehmen Sie täglich zwei Tabletten.", ["fuzzy"], "pretranslated: libre 2026-11-27"),
        "Drink a glass of water.": (
            "Trinken Sie ein Glas Wasser.",
            ["fuzzy"],
            "pretranslated: memory 2026-11-27 (87%)",
        ),
        "Ask your doctor first.": ("Fragen Sie zuerst Ihren Arzt.", ["fuzzy"], ""),
        "Keep them dry.": ("Trocken lagern.", [], ""),
    }
    for e in po:
        if e.msgid in states:
            e.msgstr, e.flags, e.tcomment = states[e.msgid]
    po.save(str(path))
    return root


def test_json_has_every_state_and_keeps_the_old_keys(tmp_path):
    root = project(tmp_path)
    result = run(root, "stats", "--json", "--lang", "de")
    assert result.code == 0
    data = {s["article"]: s for s in json.loads(result.out)}
    s = data["tablets"]
    # tablets: title, slug (untranslated), 5 paragraphs
    assert s["states"] == {
        "approved": {"entries": 0, "words": 0},
        "reviewed": {"entries": 2, "words": 4},
        "machine": {"entries": 1, "words": 4},
        "memory": {"entries": 1, "words": 5},
        "fuzzy": {"entries": 1, "words": 4},
        "untranslated": {"entries": 2, "words": 4},
    }
    assert s["entries"]["total"] == 7 and s["words"]["total"] == 21
    assert s["translated"] == {"entries": 2, "words": 4}
    assert s["fuzzy"] == {"entries": 3, "words": 13}
    assert s["untranslated"] == {"entries": 2, "words": 4}
    assert s["percent_reviewed"] == round(100 * 4 / 21, 1)
    assert data["other"]["percent_reviewed"] == 0.0


def test_table_columns(tmp_path):
    root = project(tmp_path)
    result = run(root, "stats", "--lang", "de")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "article",
        "lang",
        "approved",
        "reviewed",
        "machine",
        "draft",
        "memory",
        "draft",
        "fuzzy",
        "untranslated",
        "total",
        "%",
        "reviewed",
        "%",
        "approved",
    ]
    rows = {line.split(" de ")[0].strip(): line.split(" de ")[1].split() for line in lines[1:] if " de " in line}
    assert rows["tablets"] == ["0/0", "2/4", "1/4", "1/5", "1/4", "2/4", "7/21", "19.0%", "0.0%"]
    assert rows["other"] == ["0/0", "0/0", "0/0", "0/0", "0/0", "2/4", "2/4", "0.0%", "0.0%"]
    assert "site" in rows  # the page chrome's catalog is counted like an article's
    sums = [
        "/".join(str(sum(int(rows[name][i].split("/")[k]) for name in ("tablets", "other", "site"))) for k in (0, 1))
        for i in range(7)
    ]
    assert rows["(all)"][:7] == sums
    assert "entries/words" in lines[-3]
