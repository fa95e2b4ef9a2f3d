"""`publish`: parallel, incremental, and the same bytes whatever the number of jobs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.support import make_project, run, snapshot

ARTICLES = {
    f"a{i:02d}": f"---\ntitle: Article {i}\ndate: 2021-01-{1 + i:02d}\n---\n\nParagraph {i} with **bold**.\n\n- item {i}\n"
    for i in range(12)
}


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path / "p", ARTICLES, "[tool.pipeline.publish]\nmin_reviewed = 0\n")
    result = run(root, "publish")
    assert result.code == 0, result.err
    return root


def test_output_is_byte_identical_whatever_the_number_of_jobs(project, tmp_path):
    reference = snapshot(project / "output")
    for jobs in ("1", "3"):
        copy = tmp_path / f"jobs{jobs}"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output", ".cache"))
        assert run(copy, "publish", "--jobs", jobs).code == 0
        assert snapshot(copy / "output") == reference
        assert snapshot(copy / "locales") == snapshot(project / "locales")


def test_a_rerun_with_nothing_changed_skips_every_article(project):
    before = {p: p.stat().st_mtime_ns for p in (project / "output").rglob("*") if p.is_file()}
    result = run(project, "publish")
    assert result.code == 0
    assert "12 unchanged article(s) skipped" in result.out
    assert "0 file(s) written" in result.out
    after = {p: p.stat().st_mtime_ns for p in (project / "output").rglob("*") if p.is_file()}
    assert after == before  # not even swapped: nothing was staged


def test_one_changed_article_rebuilds_its_pages_and_the_site_files_only(project):
    source = project / "source/a03.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Paragraph 3", "Paragraph three"), encoding="utf-8")
    result = run(project, "publish", "-v")
    assert result.code == 0
    assert "11 unchanged article(s) skipped" in result.out
    written = {line.split(": ")[0] for line in result.out.splitlines() if line.endswith(": written")}
    assert "locales/de/LC_MESSAGES/a03.po: 1 new, 0 fuzzy, 0 obsolete, 3 unchanged" in result.out
    pages = {w for w in written if w.endswith(".html") and not w.endswith("index.html")}
    assert pages == {"output/en/a03.html", "output/de/a03.html"}
    # the search index follows the pages' text: the English part and the entry file. The
    # German page shows the new paragraph in English, which its index leaves out: its
    # indexed text and so its part of the index are unchanged.
    index = {w for w in written if w.startswith("output/pagefind/")}
    assert "output/pagefind/pagefind-entry.json" in index
    assert {w.split("/")[-1][:3] for w in index if "/fragment/" in w} == {"en_"}
    german = (project / "output/de/a03.html").read_text(encoding="utf-8")
    mark = r'<span class="i18n-mark i18n-untranslated"[^>]*>[^<]*</span> '
    assert re.search(rf'<p data-pagefind-ignore="" lang="en">{mark}Paragraph three', german)
    assert written - pages - index <= {
        "locales/templates/a03.pot",
        "output/sitemap.xml",
        "output/en/index.html",
        "output/de/index.html",
        "output/en/feed.xml",
        "output/de/feed.xml",
    }


def test_a_changed_template_setting_rebuilds_everything(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.pipeline.site]\nbase_url = "https://example.org/"\n')
    result = run(project, "build")
    assert result.code == 0
    assert "https://example.org/en/a00.html" in (project / "output/en/a00.html").read_text(encoding="utf-8")
    assert "unchanged article(s) skipped" not in result.out


def test_deleting_the_output_rebuilds_it(project):
    shutil.rmtree(project / "output")
    result = run(project, "build")
    assert result.code == 0
    assert len(list((project / "output/en").glob("a*.html"))) == 12


def test_a_page_deleted_by_hand_is_rebuilt(project):
    (project / "output/en/a05.html").unlink()
    result = run(project, "build")
    assert result.code == 0
    assert (project / "output/en/a05.html").exists()


def test_a_site_file_deleted_by_hand_is_rebuilt(project):
    (project / "output/sitemap.xml").unlink()
    result = run(project, "publish")
    assert result.code == 0
    assert (project / "output/sitemap.xml").is_file()


# -- one cache for every command ----------------------------------------------------


def translate_all(root) -> None:
    import polib

    for path in (root / "locales/de/LC_MESSAGES").glob("a*.po"):
        po = polib.pofile(str(path))
        for e in po:
            e.msgstr = e.msgid if e.msgctxt == "slug" else f"{e.msgid} (de)"
        po.save(str(path))


def test_no_command_undoes_another_commands_work(project):
    assert "0 template(s) written" in run(project, "extract").out
    result = run(project, "publish")
    assert "12 unchanged article(s) skipped" in result.out and "0 file(s) written" in result.out
    assert "12 unchanged article(s) skipped" in run(project, "update", "--lang", "de").out
    assert "12 unchanged article(s) skipped" in run(project, "update").out
    result = run(project, "build", "--lang", "de")
    assert "0 file(s) written" in result.out


def test_update_for_one_language_then_all_merges_the_rest(project):
    source = project / "source/a04.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    result = run(project, "update", "--lang", "de")
    assert "11 unchanged article(s) skipped" in result.out
    assert "locales/de/LC_MESSAGES/a04.po: 1 new" in result.out
    # Nothing left to merge: the only other language is the articles' own.
    assert "12 unchanged article(s) skipped" in run(project, "update").out


def test_extract_then_update_merges_what_extract_only_templated(project):
    source = project / "source/a05.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nAnother paragraph.\n", encoding="utf-8")
    assert "1 template(s) written" in run(project, "extract").out
    result = run(project, "update")
    assert "locales/de/LC_MESSAGES/a05.po: 1 new" in result.out
    assert "11 unchanged article(s) skipped" in result.out


def test_check_and_stats_reruns_give_the_same_answers_and_see_every_change(project):
    translate_all(project)
    first = run(project, "check", "--json")
    assert first.code == 0
    assert run(project, "check", "--json").out == first.out
    stats = run(project, "stats", "--json").out
    assert run(project, "stats", "--json").out == stats
    path = project / "locales/de/LC_MESSAGES/a07.po"
    text = path.read_text(encoding="utf-8")
    broken = text.replace('msgstr "Paragraph 7 with **bold**. (de)"', 'msgstr "Paragraph 8 with **bold. (de)"')
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    findings = json.loads(run(project, "check", "--json").out)
    mine = {(f["check"], f["file"]) for f in findings if f["file"].endswith("a07.po")}
    assert ("emphasis", "locales/de/LC_MESSAGES/a07.po") in mine and (
        "numbers",
        path.relative_to(project).as_posix(),
    ) in mine
    assert json.loads(run(project, "check", "--json").out) == findings  # cached, same answer
    path.write_text(text, encoding="utf-8")
    assert run(project, "check", "--json").out == first.out
    # A changed QA setting checks again.
    pyproject = project / "pyproject.toml"
    path.write_text(broken, encoding="utf-8")
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + '\n[tool.pipeline.qa]\ndisable = ["numbers"]\n')
    again = json.loads(run(project, "check", "--json").out)
    names = {f["check"] for f in again if f["file"].endswith("a07.po")}
    assert "emphasis" in names and "numbers" not in names


def test_stats_follow_a_saved_catalog(project):
    before = {(s["article"], s["lang"]): s for s in json.loads(run(project, "stats", "--json").out)}
    translate_all(project)
    after = {(s["article"], s["lang"]): s for s in json.loads(run(project, "stats", "--json").out)}
    assert before[("a03", "de")]["entries"]["reviewed"] == 0
    assert after[("a03", "de")]["entries"]["reviewed"] == after[("a03", "de")]["entries"]["total"]


def test_a_cached_check_points_at_the_lines_where_entries_are_now(project):
    translate_all(project)
    path = project / "locales/de/LC_MESSAGES/a02.po"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgstr "Paragraph 2 with **bold**. (de)"', 'msgstr "Paragraph 2 with bold. (de)"'))
    first = [f for f in json.loads(run(project, "check", "--json").out) if f["file"].endswith("a02.po")]
    assert first
    # A translator comment above every entry moves them all down; the entries are unchanged.
    moved = path.read_text(encoding="utf-8").replace("\n#: source/", "\n# note\n#: source/")
    path.write_text(moved, encoding="utf-8")
    second = [f for f in json.loads(run(project, "check", "--json").out) if f["file"].endswith("a02.po")]
    assert [f["line"] for f in second] != [f["line"] for f in first]
    lines = moved.split("\n")
    assert all(lines[f["line"] - 1].startswith("msgstr") for f in second)


def test_a_link_planted_in_the_cache_is_not_followed(project, tmp_path):
    secret = tmp_path / "elsewhere.json"
    secret.write_text('{"format": 1, "stamp": "x", "entries": {}}', encoding="utf-8")
    manifest = project / ".cache/pipeline/update.json"
    manifest.unlink()
    manifest.symlink_to(secret)
    result = run(project, "update")
    assert "Traceback" not in result.err
    assert result.code == 0 or "symbolic link" in result.err  # refused in one line, or replaced
    assert secret.read_text(encoding="utf-8") == '{"format": 1, "stamp": "x", "entries": {}}'


def test_the_code_digest_covers_every_package_of_the_pipeline(tmp_path, monkeypatch):
    """`code_digest` lives in `pipeline/base/` but hashes the whole package: editing a
    check in `review/` (another package) must invalidate what the caches hold."""
    import pipeline
    from pipeline.base import manifest

    assert Path(pipeline.__file__).resolve().parent == manifest.CODE_ROOT
    copy = tmp_path / "pipeline"
    shutil.copytree(Path(pipeline.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(manifest, "CODE_ROOT", copy)
    before = manifest.code_digest(manifest.FileHashes())
    assert manifest.code_digest(manifest.FileHashes()) == before
    checks = copy / "review" / "checks.py"
    checks.write_text(checks.read_text(encoding="utf-8") + "\n# an edited check\n", encoding="utf-8")
    assert manifest.code_digest(manifest.FileHashes()) != before


def test_a_cold_run_hashes_each_articles_files_once_after_its_update_not_also_before(tmp_path, monkeypatch):
    from pipeline.build import publish
    from pipeline.catalog import update

    root = make_project(tmp_path / "p", ARTICLES, "[tool.pipeline.publish]\nmin_reviewed = 0\n")
    hashed: list[str] = []
    original = update.update_digest

    def update_digest(config, path, name, *rest):
        hashed.append(name)
        return original(config, path, name, *rest)

    for module in (update, publish):  # the plan asks in one, each article's task in the other
        monkeypatch.setattr(module, "update_digest", update_digest)
    assert run(root, "publish", "--jobs", "1").code == 0
    assert sorted(hashed) == sorted(ARTICLES)  # no record yet: updated without asking its files
    hashed.clear()
    assert run(root, "publish", "--jobs", "1").code == 0
    assert sorted(hashed) == sorted(ARTICLES)  # recorded: each asked once, none redone
    hashed.clear()
    (root / ".cache/pipeline/update.json").unlink()
    assert run(root, "publish", "--jobs", "1").code == 0
    assert sorted(hashed) == sorted(ARTICLES)  # the record gone: redone, hashed once more each


def test_the_manifests_form_of_an_articles_record_is_dataclasses_own(project):
    import dataclasses

    from pipeline.build.record import ArticlePages

    manifest = json.loads((project / "output/.manifest.json").read_bytes())
    entries = [ArticlePages.from_json(e["pages"]) for e in manifest["entries"].values()]
    assert entries and all(e.files and e.tally and e.slugs for e in entries)
    full = ArticlePages(
        "a",
        "en",
        "2020-01-01",
        {"de": "a"},
        {"de": {"html": "<li>"}},
        "<url/>",
        ["de/a.html"],
        [("a", "de", "why")],
        [("c.po", 3, "numbers: x")],
        {"fr": "a"},
        [("de", "a", "r", "c.po", None)],
        {"de": {"words": 3}},
        {"m.png": "s/m.png"},
        ["s/m.png"],
        [("f.md", 2, "m")],
    )
    assert all(getattr(full, f.name) for f in dataclasses.fields(full))  # every field holds something
    for record in (*entries, full):
        assert json.dumps(record.to_json()) == json.dumps(dataclasses.asdict(record))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_after_a_cold_one_reads_no_article_file_to_know_it_is_unchanged(tmp_path, monkeypatch, jobs):
    from pipeline.base import manifest

    root = make_project(tmp_path / "p", ARTICLES, "[tool.pipeline.publish]\nmin_reviewed = 0\n")
    assert run(root, "publish", "--jobs", jobs).code == 0  # the workers hash what the run remembers
    read: list[str] = []
    original = manifest.file_bytes
    monkeypatch.setattr(manifest, "file_bytes", lambda path, *a: (read.append(str(path)), original(path, *a))[1])
    result = run(root, "publish")
    assert result.code == 0 and "12 unchanged article(s) skipped" in result.out
    assert [p for p in read if "/source/" in p or p.endswith((".po", ".pot"))] == []
