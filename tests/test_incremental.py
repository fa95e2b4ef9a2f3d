"""`publish`: parallel, incremental, and the same bytes whatever the number of jobs."""

from __future__ import annotations

import shutil

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
    result = run(project, "publish")
    assert result.code == 0
    assert "11 unchanged article(s) skipped" in result.out
    written = {line.split(": ")[0] for line in result.out.splitlines() if line.endswith(": written")}
    assert "locales/de/LC_MESSAGES/a03.po: 1 new, 0 fuzzy, 0 obsolete, 3 unchanged" in result.out
    pages = {w for w in written if w.endswith(".html") and not w.endswith("index.html")}
    assert pages == {"output/en/a03.html", "output/de/a03.html"}
    assert written - pages <= {
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
