"""Addresses are permanent, and one colliding address never blocks the site.

The repository's own project: its German ALS edition is renamed by its translator
(the catalog's `slug` entry, kept reviewed), its German-authored article is
deleted, another article takes an old address over; the commands run as a user
runs them, in a subprocess, and the old addresses are fetched over HTTP.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests import vnu
from tests.support import copy_repo, make_project, run, run_cli

ALS_DE = Path("locales/de/LC_MESSAGES/als-stem-cell-therapy.po")
OLD, NEW = "stammzelltherapie-als", "als-stammzelltherapie"
DATE = r"\d{4}-\d{2}-\d{2}"


def rename(root: Path, old: str, new: str) -> None:
    """The translator's new German slug (the entry stays reviewed: no fuzzy flag)."""
    path = root / ALS_DE
    text = path.read_text(encoding="utf-8")
    assert f'msgctxt "slug"\nmsgid "als-stem-cell-therapy"\nmsgstr "{old}"\n' in text
    path.write_text(text.replace(f'msgstr "{old}"', f'msgstr "{new}"', 1), encoding="utf-8")


def publish(root: Path, *args: str) -> str:
    result = run_cli(root, "publish", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Path:
    """The repository's project published, then its German ALS slug renamed and published."""
    root = copy_repo(tmp_path_factory.mktemp("renamed") / "p")
    publish(root)
    rename(root, OLD, NEW)
    out = publish(root)
    assert f"output/de/{OLD}.html: address retired; it redirects to de/{NEW}.html" in out
    assert not re.search(r"\.html: removed", out), out
    return root


def refresh_target(html: str) -> str:
    found = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert found, html
    return found.group(1)


def test_a_renamed_page_answers_at_its_old_address_with_a_redirect(renamed):
    output = renamed / "output"
    old = (output / "de" / f"{OLD}.html").read_text(encoding="utf-8")
    assert (output / "de" / f"{NEW}.html").is_file()
    assert refresh_target(old) == f"../de/{NEW}.html"
    assert f'<link rel="canonical" href="https://clinic.example/de/{NEW}.html">' in old
    assert '<meta name="robots" content="noindex">' in old
    assert '<html lang="de" dir="ltr">' in old
    assert f'Diese Seite ist umgezogen: <a href="../de/{NEW}.html">https://clinic.example/de/{NEW}.html</a>' in old
    assert "data-pagefind-body" not in old
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"/de/{NEW}.html" in sitemap and f"/de/{OLD}.html" not in sitemap
    for name in ("de/index.html", "de/feed.xml", "en/als-stem-cell-therapy.html"):
        assert f"{OLD}.html" not in (output / name).read_text(encoding="utf-8"), name


def test_the_history_file_is_written_sorted_and_stable(renamed):
    history = renamed / "locales" / "addresses.csv"
    text = history.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "article,lang,address,retired"
    assert f"als-stem-cell-therapy,de,{NEW}," in lines
    assert any(re.fullmatch(f"als-stem-cell-therapy,de,{OLD},{DATE}", line) for line in lines), text
    assert lines[1:] == sorted(lines[1:])
    before = history.read_bytes(), history.stat().st_mtime_ns
    out = publish(renamed)
    assert "0 file(s) written" in out
    assert (history.read_bytes(), history.stat().st_mtime_ns) == before  # not even rewritten


def test_the_old_address_answers_over_http_and_leads_to_a_page(renamed):
    handler = functools.partial(_QuietHandler, directory=str(renamed / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/de/{OLD}.html"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            moved = response.read().decode("utf-8")
        target = urljoin(url, refresh_target(moved))
        assert urlsplit(target).path == f"/de/{NEW}.html"
        with urllib.request.urlopen(target, timeout=10) as response:
            assert response.status == 200
            assert "data-pagefind-body" in response.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_fresh_clone_with_the_history_file_writes_the_redirect(renamed, tmp_path):
    clone = tmp_path / "clone"
    for name in ("source", "locales"):
        shutil.copytree(renamed / name, clone / name)
    shutil.copy(renamed / "pyproject.toml", clone / "pyproject.toml")
    history = (clone / "locales" / "addresses.csv").read_bytes()
    publish(clone)
    assert refresh_target((clone / "output" / "de" / f"{OLD}.html").read_text(encoding="utf-8")) == f"../de/{NEW}.html"
    assert (clone / "locales" / "addresses.csv").read_bytes() == history


def test_a_chain_of_renames_collapses_and_an_old_address_can_be_taken_over(renamed, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(renamed, root, ignore=shutil.ignore_patterns(".cache"))
    rename(root, NEW, "stammzellen-bei-als")
    publish(root)
    for old in (OLD, NEW):
        page = (root / "output" / "de" / f"{old}.html").read_text(encoding="utf-8")
        assert refresh_target(page) == "../de/stammzellen-bei-als.html", old
    # A new German article at the first old address: the address is its page now.
    article = "---\ntitle: Stammzellen\nslug: stammzelltherapie-als\nlang: de\n---\n\nEin Absatz.\n"
    (root / "source" / "stammzellen.md").write_text(article, encoding="utf-8")
    out = publish(root)
    assert (
        f"output/de/{OLD}.html: the old address of source/als-stem-cell-therapy.md (retired " in out
        and "is now the page of source/stammzellen.md; its redirect is dropped" in out
    ), out
    assert "Ein Absatz." in (root / "output" / "de" / f"{OLD}.html").read_text(encoding="utf-8")
    assert f"stammzellen,de,{OLD},\n" in (root / "locales" / "addresses.csv").read_text(encoding="utf-8")


def test_a_deleted_article_s_addresses_lead_to_the_edition_s_home_page(renamed, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(renamed, root, ignore=shutil.ignore_patterns(".cache"))
    (root / "source" / "ueber-unsere-informationen.md").unlink()
    (root / "locales" / "en" / "LC_MESSAGES" / "ueber-unsere-informationen.po").unlink()
    settings = (root / "pyproject.toml").read_text(encoding="utf-8")
    settings = re.sub(r'^(nav|footer_pages) = \["ueber-unsere-informationen"\]\n', "", settings, flags=re.M)
    (root / "pyproject.toml").write_text(settings, encoding="utf-8")  # the site no longer links it
    publish(root)
    for lang, slug in (("de", "ueber-unsere-informationen"), ("en", "about-our-information")):
        page = (root / "output" / lang / f"{slug}.html").read_text(encoding="utf-8")
        assert refresh_target(page) == f"../{lang}/index.html"


def test_publishing_one_language_after_a_rename_leaves_no_link_to_a_missing_file(tmp_path):
    root = copy_repo(tmp_path / "p")
    publish(root)
    rename(root, OLD, NEW)
    assert run_cli(root, "update").returncode == 0  # make publish-de: update, then build --lang de
    result = run_cli(root, "build", "--lang", "de")
    assert result.returncode == 0, result.stderr
    output = root / "output"
    english = (output / "en" / "als-stem-cell-therapy.html").read_text(encoding="utf-8")
    assert f"/de/{NEW}.html" in english and f"/de/{OLD}.html" not in english  # switcher and hreflang
    missing = []
    for page in sorted(output.rglob("*.html")):
        for link in _links(page.read_text(encoding="utf-8")):
            target = _internal(page, output, link)
            if target is not None and not target.is_file():
                missing.append(f"{page.relative_to(output)}: {link}")
    assert missing == []


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def _internal(page: Path, output: Path, link: str) -> Path | None:
    """The file an internal link names, or None for an external one (or the site's own URLs,
    `https://clinic.example/...`, which are the same files)."""
    parts = urlsplit(link)
    if parts.scheme in ("mailto", "tel") or (parts.netloc and parts.netloc != "clinic.example"):
        return None
    if parts.netloc:
        return output / parts.path.lstrip("/")
    if not parts.path:
        return None  # a fragment of the page itself
    if parts.path.startswith("/"):
        return output / parts.path.lstrip("/")
    target = (page.parent / parts.path).resolve()
    return target / "index.html" if target.is_dir() else target


def test_a_redirect_page_passes_the_nu_html_checker(renamed):
    page = renamed / "output" / "de" / f"{OLD}.html"
    try:
        problems = vnu.check([page], base=page.parent)
    except vnu.VnuUnavailable as exc:
        pytest.fail(f"the W3C Nu HTML Checker cannot run: {exc}")
    assert not problems, "\n".join(map(str, problems))


# -- collisions ---------------------------------------------------------------------

CLASH = "ueber-unsere-informationen"  # the German-authored article's own address


@pytest.fixture
def clash(tmp_path) -> Path:
    """The repository's project, built, then the ALS German slug set to the other
    German article's address."""
    root = copy_repo(tmp_path / "p")
    publish(root)
    rename(root, OLD, CLASH)
    return root


def test_check_names_both_articles_of_a_collision(clash):
    result = run_cli(clash, "check")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "is also the address" in line]
    assert len(lines) == 1, result.stdout
    assert re.fullmatch(
        rf"{ALS_DE}:\d+: error: slug: slug '{CLASH}' is also the address of source/{CLASH}.md in de", lines[0]
    )
    line = int(lines[0].split(":")[1])
    assert (clash / ALS_DE).read_text(encoding="utf-8").splitlines()[line - 1] == f'msgstr "{CLASH}"'


def test_publish_withholds_only_the_colliding_page(clash):
    result = run_cli(clash, "publish")
    assert result.returncode == 0, result.stderr
    assert (
        f"als-stem-cell-therapy [de]: withheld: address collision: de/{CLASH}.html is the page of source/{CLASH}.md"
        in result.stdout
    )
    assert "edition de: 1 page(s) published; 1 withheld (als-stem-cell-therapy)" in result.stdout
    output = clash / "output"
    german = (output / "de" / f"{CLASH}.html").read_text(encoding="utf-8")
    assert "<h1>Über unsere Informationen</h1>" in german and "Amyotroph" not in german
    for name in ("en/als-stem-cell-therapy.html", "en/about-our-information.html", "de/index.html", "en/index.html"):
        assert (output / name).is_file(), name
    english = (output / "en" / "als-stem-cell-therapy.html").read_text(encoding="utf-8")
    assert f"de/{CLASH}.html" not in english  # no switcher link to another article's page
    # The edition was published at its old address: a notice page keeps it (as for any
    # withheld edition), linking the source edition; nothing is retired.
    old = (output / "de" / f"{OLD}.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://clinic.example/en/als-stem-cell-therapy.html">' in old
    assert "http-equiv" not in old
    assert f"als-stem-cell-therapy,de,{OLD},\n" in (clash / "locales" / "addresses.csv").read_text(encoding="utf-8")
    strict = run_cli(clash, "build", "--strict")
    assert strict.returncode == 1
    assert "--strict: edition de: 1 edition(s) withheld" in strict.stderr
    assert "<h1>Über unsere Informationen</h1>" in (output / "de" / f"{CLASH}.html").read_text(encoding="utf-8")


def test_a_fresh_build_settles_a_collision_the_same_way(clash):
    shutil.rmtree(clash / "output")
    result = run_cli(clash, "build")
    assert result.returncode == 0, result.stderr
    german = (clash / "output" / "de" / f"{CLASH}.html").read_text(encoding="utf-8")
    assert "<h1>Über unsere Informationen</h1>" in german  # the source edition beats a translation


def test_import_refuses_a_slug_that_is_another_article_s_address(tmp_path):
    root = copy_repo(tmp_path / "p")
    assert run(root, "export", "--lang", "de", "-o", str(root / "de.xlf")).code == 0
    xml = (root / "de.xlf").read_text(encoding="utf-8")
    assert xml.count(f">{OLD}</target>") == 1
    (root / "de.xlf").write_text(xml.replace(f">{OLD}</target>", f">{CLASH}</target>"), encoding="utf-8")
    before = (root / ALS_DE).read_bytes()
    result = run_cli(root, "import", str(root / "de.xlf"), "--reviewed")
    assert result.returncode == 1
    assert re.search(
        rf"de\.xlf:\d+: unit \w+ refused: slug '{CLASH}' is also the address of source/{CLASH}.md in de",
        result.stderr,
    ), result.stderr
    assert (root / ALS_DE).read_bytes() == before


def test_deleting_a_row_of_the_history_retires_the_address_for_good(renamed, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(renamed, root, ignore=shutil.ignore_patterns(".cache"))
    history = root / "locales" / "addresses.csv"
    lines = history.read_text(encoding="utf-8").splitlines(keepends=True)
    history.write_text("".join(line for line in lines if f",de,{OLD}," not in line), encoding="utf-8")
    out = publish(root)
    assert f"output/de/{OLD}.html: removed (no longer built)" in out
    assert not (root / "output" / "de" / f"{OLD}.html").exists()
    assert f",{OLD}," not in history.read_text(encoding="utf-8")


TWO_SOURCES = {
    "article": "---\ntitle: Article\n---\n\nThe first text.\n",
    "other": "---\ntitle: Another\nslug: article\n---\n\nAnother text.\n",
}


def test_two_sources_with_one_slug_withhold_one_article_and_build_the_rest(tmp_path):
    root = make_project(tmp_path / "p", TWO_SOURCES, '[tool.pipeline]\nlanguages = ["en"]\n')
    (root / "source" / "third.md").write_text("---\ntitle: Third\n---\n\nA third text.\n", encoding="utf-8")
    check = run_cli(root, "check")
    assert check.returncode == 1
    assert "source/other.md:3: error: slug: slug 'article' is also the address of source/article.md in en" in (
        check.stdout
    )
    result = run_cli(root, "publish")
    assert result.returncode == 0, result.stderr
    assert "other [en]: withheld: address collision: en/article.html is the page of source/article.md" in result.stdout
    assert "The first text." in (root / "output" / "en" / "article.html").read_text(encoding="utf-8")
    assert (root / "output" / "en" / "third.html").is_file()
    assert run_cli(root, "publish", "--strict").returncode == 1


def test_two_workers_writing_one_name_of_the_stage_never_fail(tmp_path):
    """Two articles at one address are both written by the workers (`settle` builds
    them again after): a file created by one between the other's unlink and its
    exclusive create was "File exists" and stopped the build."""
    import threading

    from pipeline.build.staging import stage_file

    path, errors = tmp_path / "stage" / "en" / "page.html", []

    def write(data: bytes) -> None:
        for _ in range(500):
            try:
                stage_file(path, data)
            except Exception as exc:  # the test's finding, not a crash of the thread
                errors.append(exc)
                return

    threads = [threading.Thread(target=write, args=(bytes([65 + i]) * 100,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and path.read_bytes() in (b"A" * 100, b"B" * 100)


def test_a_check_with_nothing_changed_reads_no_file_for_the_addresses(tmp_path, monkeypatch):
    from pipeline.review import collide

    root = make_project(tmp_path / "p", {"other": TWO_SOURCES["other"]}, '[tool.pipeline]\nlanguages = ["en"]\n')
    (root / "source" / "a").mkdir()
    (root / "source" / "a" / "article.md").write_text(TWO_SOURCES["article"], encoding="utf-8")
    first = run(root, "check")
    assert "slug 'article' is also the address of source/a/article.md" in first.out
    read: list[tuple] = []
    with monkeypatch.context() as patch:
        patch.setattr(collide, "load_article", lambda *args: read.append(args))
        patch.setattr(collide, "read_regular", lambda *args: read.append(args))
        again = run(root, "check")
    assert read == [] and again.code == first.code == 1 and again.out == first.out
    # A namesake in another folder changes a/article's address to `a-article`: its
    # claim is made again, and `other` no longer collides with it.
    (root / "source" / "b").mkdir()
    (root / "source" / "b" / "article.md").write_text("---\ntitle: B\n---\n\nB text.\n", encoding="utf-8")
    after = run(root, "check")
    assert "is also the address" not in after.out
    shutil.rmtree(root / ".cache")
    assert run(root, "check").out == after.out
