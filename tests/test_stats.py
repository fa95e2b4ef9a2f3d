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


# -- prose words and the CAT-style analysis ------------------------------------------

P1 = "Patients with amyotrophic lateral sclerosis should talk to their neurologist about every new therapy."
REVIEWED = f"---\ntitle: Stem cell therapy\n---\n\n{P1}\n"
TO_DO = f"""\
---
title: Stem cell therapy
---

{P1}

Patients with amyotrophic lateral sclerosis should talk to the neurologist about every new therapy.

Patients with amyotrophic lateral sclerosis should talk to their doctor about any new therapy.

Patients with amyotrophic lateral sclerosis must ask a doctor about each new therapy.

Completely different text about something else entirely.

Visit https://example.org or write to info@example.org: NCT01234567, `dose = 2`, 100,000 times.

Completely different text about something else entirely.

| Trial | Patients |
|---|---|
| NCT01234567 | 1,200 |
"""


def analysis_project(tmp_path):
    root = make_project(tmp_path / "p", {"a": REVIEWED, "b": TO_DO})
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/a.po"
    po = polib.pofile(str(path))
    po.find("Stem cell therapy").msgstr = "Stammzelltherapie"
    po.find(P1).msgstr = "Patienten mit ALS sollten mit ihrem Neurologen über jede neue Therapie sprechen."
    po.save(str(path))
    return root


def test_words_are_prose_words_only(tmp_path):
    root = analysis_project(tmp_path)
    data = {s["article"]: s for s in json.loads(run(root, "stats", "--json", "--lang", "de").out)}
    # 3 + 14 + 14 + 14 + 13 + 7 (the repeated paragraph is one entry), "Visit or write to
    # times" (5), "Trial", "Patients": no URL, e-mail address, trial ID, code span or number.
    assert data["b"]["words"]["total"] == 3 + 14 + 14 + 14 + 13 + 7 + 5 + 2
    assert data["a"]["words"] == {
        "total": 17,
        "approved": 0,
        "reviewed": 17,
        "fuzzy": 0,
        "machine": 0,
        "memory": 0,
        "untranslated": 0,
    }


def test_analysis_breaks_the_words_to_do_down_by_memory_match(tmp_path):
    root = analysis_project(tmp_path)
    result = run(root, "stats", "--analysis", "--json", "--lang", "de")
    assert result.code == 0, result.err
    (de,) = json.loads(result.out)
    b = next(a for a in de["articles"] if a["article"] == "b")
    assert {key: (band["segments"], band["words"]) for key, band in b["bands"].items()} == {
        "repetitions": (1, 7),  # the second "Completely different ..."
        "100": (2, 17),  # the title and P1: reviewed in article a
        "95-99": (1, 14),
        "85-94": (1, 14),
        "75-84": (1, 13),
        "no-match": (4, 14),  # "Completely ...", the link/ID line, the table's two header cells
    }
    assert b["total"] == {"segments": 10, "words": 79}
    assert next(a for a in de["articles"] if a["article"] == "a")["total"] == {"segments": 0, "words": 0}
    table = run(root, "stats", "--analysis", "--lang", "de").out.splitlines()
    assert table[0].split() == [
        "article",
        "lang",
        "repetitions",
        "100%",
        "95-99%",
        "85-94%",
        "75-84%",
        "no",
        "match",
        "total",
    ]
    assert "b de 1/7 2/17 1/14 1/14 1/13 4/14 10/79" in " ".join(" ".join(line.split()) for line in table)
