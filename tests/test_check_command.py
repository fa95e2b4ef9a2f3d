"""`python -m pipeline check`: a whole catalog, the output, exit codes and settings."""

from __future__ import annotations

import json

import polib
import pytest

from tests.support import approve_args, copy_repo, make_project, run, run_cli

ARTICLE = """\
---
title: Seven defects
slug: seven-defects
---

A paragraph.
"""

# The catalog: seven defects, one each, and two correct German numbers.
DEFECTS = [
    ("Take **two** tablets daily.", "Nehmen Sie täglich **zwei* Tabletten.", "emphasis"),
    ("Read the [leaflet](https://example.org/leaflet) first.", "Lesen Sie zuerst die Packungsbeilage.", "links"),
    ("More at https://clinicaltrials.gov today.", "Mehr heute unter https://clinicaltrials.gov/de.", "urls"),
    ("Take 2 tablets.", "Nehmen Sie 3 Tabletten.", "numbers"),
    ("See trial NCT01933321 for details.", "Siehe Studie NCT01933312 für Details.", "protected"),
    ("Run `make check` first.", "Führen Sie zuerst `make prüfen` aus.", "code"),
    ("Wash your hands.", "Waschen Sie Ihre Hände.<script>alert('x')</script>", "html"),
]
CORRECT = [
    (
        "Men are affected slightly more often than women (1.6:1).",
        "Männer sind etwas häufiger betroffen als Frauen (1,6:1).",
    ),
    (
        "About one to two out of 100,000 people develop ALS each year.",
        "Etwa ein bis zwei von 100.000 Menschen erkranken jährlich an ALS.",
    ),
]


def catalog(entries: list[polib.POEntry]) -> polib.POFile:
    po = polib.POFile(wrapwidth=79)
    po.metadata = {
        "Language": "de",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    po.extend(entries)
    return po


def project_with(tmp_path, entries: list[polib.POEntry], pyproject: str = "", source: str = ARTICLE):
    root = make_project(tmp_path / "p", {"a": source}, pyproject)
    path = root / "locales/de/LC_MESSAGES/a.po"
    path.parent.mkdir(parents=True)
    catalog(entries).save(str(path))
    return root


def entry(msgid: str, msgstr: str, comment: str = "", fuzzy: bool = False, msgctxt: str | None = None) -> polib.POEntry:
    e = polib.POEntry(msgid=msgid, msgstr=msgstr, tcomment=comment, msgctxt=msgctxt)
    if fuzzy:
        e.flags.append("fuzzy")
    return e


def findings(root, *args: str) -> tuple[int, list[dict]]:
    result = run(root, "check", "--json", *args)
    return result.code, json.loads(result.out)


def test_seven_defects_yield_exactly_those_errors(tmp_path):
    root = project_with(tmp_path, [entry(a, b) for a, b, _ in DEFECTS] + [entry(a, b) for a, b in CORRECT])
    code, found = findings(root)
    assert code == 1
    errors = [f for f in found if f["severity"] == "error"]
    assert [f["check"] for f in errors] == [check for _, _, check in DEFECTS]
    assert [f["msgid"] for f in errors] == [msgid for msgid, _, _ in DEFECTS]
    correct = {msgid for msgid, _ in CORRECT}
    assert [f for f in found if f["msgid"] in correct] == []
    assert [f for f in found if f["severity"] == "warning"] == []


def test_finding_objects_have_every_field(tmp_path):
    root = project_with(tmp_path, [entry("Take 2 tablets.", "Nehmen Sie 3 Tabletten.")])
    _, [finding] = findings(root)
    assert set(finding) == {"check", "severity", "file", "line", "msgid", "msgstr", "message", "lang", "article"}
    assert finding["file"] == "locales/de/LC_MESSAGES/a.po"
    text = (root / finding["file"]).read_text(encoding="utf-8").split("\n")
    assert text[finding["line"] - 1] == 'msgstr "Nehmen Sie 3 Tabletten."'  # the line to edit
    assert (finding["lang"], finding["article"]) == ("de", "a")


def test_human_output_is_gnu_style_with_a_summary(tmp_path):
    root = project_with(tmp_path, [entry("Take 2 tablets.", "Nehmen Sie 3 Tabletten.")])
    result = run(root, "check")
    first, summary = result.out.strip().split("\n")
    assert first.startswith("locales/de/LC_MESSAGES/a.po:")
    assert ": error: numbers: numbers changed: missing '2'; not in the source '3'" in first
    assert summary == "1 error(s), 0 warning(s) in 1 catalog(s) and 1 source(s)"


def test_warnings_only_exit_zero(tmp_path):
    root = project_with(tmp_path, [entry("Currently there is no cure.", "Currently there is no cure.")])
    code, found = findings(root)
    assert code == 0 and [f["check"] for f in found] == ["untranslated"]


def test_drafts_are_checked_untranslated_and_obsolete_are_not(tmp_path):
    obsolete = entry("Take 4 tablets.", "Nehmen Sie 5 Tabletten.")
    obsolete.obsolete = True
    root = project_with(
        tmp_path,
        [
            entry("Take 2 tablets.", "Nehmen Sie 3 Tabletten.", "pretranslated: libre 2026-11-27", fuzzy=True),
            entry("Take 3 tablets.", ""),
            obsolete,
        ],
    )
    _, found = findings(root)
    assert [(f["check"], f["msgid"]) for f in found] == [("numbers", "Take 2 tablets.")]


def test_a_comment_silences_one_check_for_one_entry(tmp_path):
    root = project_with(
        tmp_path,
        [
            entry("Take 2 tablets.", "Nehmen Sie zwei Tabletten.", "no-check: numbers"),
            entry("Take 2 pills.", "Nehmen Sie zwei Pillen."),
            entry("A *very* long-winded sentence.", "Ein Satz.", "no-check: emphasis, length"),
            entry("Take 5 tablets.", "Nehmen Sie 6 Tabletten.", "no-check: numbres"),
        ],
    )
    code, found = findings(root)
    assert code == 1
    assert [(f["check"], f["msgid"]) for f in found] == [
        ("numbers", "Take 2 pills."),
        ("no-check", "Take 5 tablets."),
        ("numbers", "Take 5 tablets."),
    ]
    assert "unknown check 'numbres'" in found[1]["message"]


def test_keep_source_and_the_slug(tmp_path):
    title = "Human Neural Stem Cell Transplantation in ALS"
    root = project_with(
        tmp_path,
        [
            entry(title, title, "keep-source"),
            entry("seven-defects-2020", "sieben-fehler-2021", msgctxt="slug"),  # numbers are not checked in a slug
        ],
    )
    assert findings(root) == (0, [])
    root = project_with(tmp_path / "bad", [entry("seven-defects", "Sieben Fehler", msgctxt="slug")])
    code, [finding] = findings(root)
    assert code == 1 and finding["check"] == "slug"


def test_source_linter_reports_the_source_file_and_line(tmp_path):
    source = ARTICLE.replace("A paragraph.", "About 100.000 people develop it.")
    root = project_with(tmp_path, [], source=source)
    code, [finding] = findings(root)
    assert code == 0
    assert (finding["check"], finding["file"], finding["line"]) == ("source-numbers", "source/a.md", 6)
    assert "in 'en' write 100,000" in finding["message"]
    assert findings(root, "--lang", "de") == (0, [])  # a German translator sees German findings only


def test_settings_disable_and_severity(tmp_path):
    entries = [entry("Take 2 tablets.", "Nehmen Sie 3 Tabletten."), entry("No cure.", "No cure.")]
    root = project_with(tmp_path / "a", entries, '[tool.pipeline.qa]\ndisable = ["numbers"]\n')
    assert [f["check"] for f in findings(root)[1]] == ["untranslated"]
    root = project_with(tmp_path / "b", entries, '[tool.pipeline.qa]\nseverity = { untranslated = "error" }\n')
    code, found = findings(root)
    assert code == 1 and {(f["check"], f["severity"]) for f in found} == {
        ("numbers", "error"),
        ("untranslated", "error"),
    }


def test_length_settings(tmp_path):
    entries = [entry("A sentence of some length here.", "Ein Satz.")]
    root = project_with(tmp_path / "a", entries)
    assert [f["check"] for f in findings(root)[1]] == ["length"]
    root = project_with(tmp_path / "b", entries, "[tool.pipeline.qa]\nlength_ratio = [0.2, 3]\n")
    assert findings(root)[1] == []
    root = project_with(tmp_path / "c", entries, "[tool.pipeline.qa]\nlength_min = 40\n")
    assert findings(root)[1] == []


@pytest.mark.parametrize(
    "table",
    [
        "colour = 1",
        'disable = ["numbrs"]',
        'disable = "numbers"',
        'severity = { numbers = "fatal" }',
        'severity = { nope = "error" }',
        "length_ratio = [2, 1]",
        "length_ratio = [0.5]",
        "length_min = -1",
    ],
)
def test_bad_settings_are_usage_errors(tmp_path, table):
    root = project_with(tmp_path, [], f"[tool.pipeline.qa]\n{table}\n")
    result = run(root, "check")
    assert result.code == 2
    assert result.err.startswith("pyproject.toml: ") and "[tool.pipeline.qa]" in result.err


def test_a_broken_catalog_is_reported_and_fails(tmp_path):
    root = project_with(tmp_path, [])
    (root / "locales/de/LC_MESSAGES/a.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "x\n'
    )
    result = run(root, "check")
    assert result.code == 1 and "locales/de/LC_MESSAGES/a.po:4: unterminated string" in result.err


def test_plural_forms_are_checked_against_their_source(tmp_path):
    plural = polib.POEntry(msgid="%d tablet in 2 days", msgid_plural="%d tablets in 2 days")
    plural.msgstr_plural = {0: "%d Tablette in 2 Tagen", 1: "%d Tabletten in 3 Tagen"}
    root = project_with(tmp_path, [plural])
    _, found = findings(root)
    assert [(f["check"], f["msgstr"]) for f in found] == [("numbers", "%d Tabletten in 3 Tagen")]


def test_the_repository_passes(tmp_path):
    copy_repo(tmp_path)
    code, found = findings(tmp_path)
    assert code == 0
    assert [f for f in found if f["severity"] == "error"] == []


def test_the_page_chrome_catalog_is_checked_too(tmp_path):
    root = project_with(tmp_path, [])
    chrome = entry("Published on %(date)s", "Veröffentlicht am %(datum)s")
    chrome.flags.append("python-format")
    catalog([chrome]).save(str(root / "locales/de/LC_MESSAGES/site.po"))
    code, [finding] = findings(root)
    assert code == 1 and (finding["check"], finding["file"]) == ("placeholders", "locales/de/LC_MESSAGES/site.po")


def test_check_build_review_and_approve_name_the_same_line_for_an_entry(tmp_path):
    """One convention: an entry is named by the line of its `msgstr`, where a translator
    types. A translation with a changed number: `check` reports it, `build` refuses it,
    the reviewer's page shows it, `approve` names it as not signed, all at that line."""
    root = copy_repo(tmp_path / "p")
    path = root / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("ein bis zwei von 100.000", "ein bis zwei von 10.000", 1), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines, 1) if "10.000 Menschen" in line)
    msgstr = max(i for i in range(1, at + 1) if lines[i - 1].startswith("msgstr"))
    where = f"locales/de/LC_MESSAGES/als-stem-cell-therapy.po:{msgstr}"
    env = {"LANG": "C.UTF-8"}
    check = run_cli(None, "check", "--lang", "de", cwd=root, env=env)
    assert f"{where}: error: numbers:" in check.stdout
    build = run_cli(None, "build", "--lang", "de", cwd=root, env=env)
    assert any(line.startswith(f"{where}: ") and "source shown" in line for line in build.stderr.splitlines())
    assert run_cli(None, "review", "--lang", "de", cwd=root, env=env).returncode == 0
    assert f"<code>{where}</code>" in (root / "review/de.html").read_text(encoding="utf-8")
    approve = run_cli(None, *approve_args(root, "Dr. A"), "--entries", where, cwd=root, env=env)
    assert f"{where}: not signed:" in approve.stdout + approve.stderr
