"""The search index in bundles of a bounded number of pages (pipeline/build/search.py).

A small site of six articles in English and German is built with two pages a
bundle (`PAGES_PER_BUNDLE`, read at each build): three bundles per edition, the
first in `output/pagefind/`, the others under `output/pagefind/more/<lang>/<n>/`,
listed in `bundles.json`; a cold build indexes them while later articles render
(`early`). Everything is real: Pagefind's command line indexes,
and headless Chromium searches the served site (tests/chromium.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from pipeline.base.errors import WriteError
from pipeline.build import bundles, early, indexer, kept, search, step
from pipeline.build.bundles import Chunk, plan
from pipeline.build.early import EarlyIndex
from pipeline.build.kept import carried
from pipeline.build.search import index_site
from pipeline.build.staging import Output
from tests.chromium import chromium, serve
from tests.support import make_project, run, snapshot, translate

# One word of each article that no other article has; the German pages have it too.
WORDS = ("aardvark", "bison", "chameleon", "dugong", "echidna", "zeppelin")
PYPROJECT = """\
[tool.pipeline]
project_name = "Chunks"
languages = ["en", "de"]
[tool.pipeline.publish]
min_reviewed = 0
"""


def article(i: int, word: str) -> str:
    return (
        f"---\ntitle: Article {i} on {word}\ndate: 2020-01-0{i}\nslug: article-{i}\n---\n\n"
        f"The {word} lives here. Patients read about the {word} and its habitat.\n\n"
        f"Its trial is NCT0{i}{str(i) * 6}.\n"
    )


@pytest.fixture
def small(monkeypatch) -> None:
    """Two pages a bundle, for every build of the test."""
    monkeypatch.setattr(bundles, "PAGES_PER_BUNDLE", 2)


def make_site(root: Path) -> Path:
    """Six articles, all translated into German (each sentence with "Deutschland")."""
    make_project(root, {f"a{i}": article(i, word) for i, word in enumerate(WORDS, 1)}, PYPROJECT)
    assert run(root, "update").code == 0
    for i in range(1, len(WORDS) + 1):
        translate(root, f"a{i}", lambda e: e.msgid if e.msgctxt == "slug" else f"{e.msgid} Deutschland")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bundles, "PAGES_PER_BUNDLE", 2)
        root = make_site(tmp_path_factory.mktemp("chunks"))
        result = run(root, "build")
        assert result.code == 0, result.err
        yield root


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_each_edition_is_cut_into_bundles_of_at_most_k_pages(site):
    index = site / "output/pagefind"
    listing = json.loads((index / "bundles.json").read_bytes())
    assert listing == {
        "pages_per_bundle": 2,
        "bundles": {lang: [f"more/{lang}/2/", f"more/{lang}/3/"] for lang in ("de", "en")},
    }
    entry = json.loads((index / "pagefind-entry.json").read_bytes())
    assert {key: record["page_count"] for key, record in entry["languages"].items()} == {"de": 2, "en": 2}
    for lang in ("de", "en"):
        for n in (2, 3):
            more = bundle_files(index / f"more/{lang}/{n}")
            assert json.loads(more["pagefind-entry.json"])["languages"][lang]["page_count"] == 2
            # a merged bundle is searched by the first bundle's script and WebAssembly
            assert not [rel for rel in more if rel.startswith(("pagefind.js", "pagefind-worker", "wasm."))]
            assert [rel for rel in more if rel.endswith(".pf_meta")]


def test_a_bundle_is_one_pagefind_run_over_its_pages(site, tmp_path):
    """Chunks follow the pages sorted by path: each further bundle is byte for byte
    what Pagefind writes for a site of just its pages."""
    chunks = plan(site / "output", ["de", "en"], 2)
    assert [(c.lang, c.number, c.pages) for c in chunks if c.lang == "en"] == [
        ("en", 1, ("en/article-1.html", "en/article-2.html")),
        ("en", 2, ("en/article-3.html", "en/article-4.html")),
        ("en", 3, ("en/article-5.html", "en/article-6.html")),
    ]
    for chunk in chunks:
        if chunk.number == 1:
            continue
        pages = indexer.scratch_site(site / "output", chunk.pages, tmp_path / f"{chunk.lang}{chunk.number}")
        argv = [sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path", str(tmp_path / "out")]
        for selector in indexer.EXCLUDE:
            argv += ["--exclude-selectors", selector]
        subprocess.run([*argv, "--silent"], check=True, capture_output=True)
        expected = bundle_files(tmp_path / "out")
        expected = {rel: data for rel, data in expected.items() if not rel.startswith(search.FIRST_ONLY)}
        expected = {rel: data for rel, data in expected.items() if not rel.startswith(search.UNUSED)}
        assert bundle_files(site / "output" / chunk.folder) == expected, chunk.folder
        subprocess.run(["rm", "-rf", str(tmp_path / "out")], check=True)


def test_chunks_are_as_even_as_they_can_be(tmp_path):
    (tmp_path / "en").mkdir()
    for i in range(7):
        (tmp_path / f"en/p{i}.html").write_text("<html><article data-pagefind-body>x</article></html>")
    (tmp_path / "en/index.html").write_text("<html><p>data-pagefind-body in a text</p></html>")  # not an article
    sizes = [len(chunk.pages) for chunk in plan(tmp_path, ["en"], 3)]
    assert sizes == [2, 2, 3]
    assert [len(chunk.pages) for chunk in plan(tmp_path, ["en"], 7)] == [7]
    assert plan(tmp_path, ["en"], 3)[0] == Chunk("en", 1, ("en/p0.html", "en/p1.html"))


def test_the_same_site_gives_the_same_bytes_and_nothing_is_rewritten(site, small):
    before = snapshot(site / "output")
    output = Output(site / "output")
    index_site(output, ["de", "en"], jobs=2)  # every edition again, side by side
    assert output.written == []
    output.commit()
    assert snapshot(site / "output") == before


def test_an_unchanged_edition_keeps_its_bundles(site):
    kept = carried(site / "output/pagefind", ["en"], 2)
    assert kept is not None and kept.langs == {"en"}
    assert kept.bundles == {"en": ["more/en/2/", "more/en/3/"]}
    assert kept.pages == 6
    assert {f for f in kept.files if f.startswith("pagefind/more/")} == {
        f"pagefind/{rel}" for rel in bundle_files(site / "output/pagefind") if rel.startswith("more/en/")
    }
    assert carried(site / "output/pagefind", ["en"], 3) is None  # cut otherwise: indexed again


def test_a_changed_edition_is_indexed_again_and_stale_bundles_go(tmp_path, small):
    root = make_site(tmp_path / "p")
    assert run(root, "build").code == 0
    index = root / "output/pagefind"
    english = {rel: (index / rel).stat().st_ino for rel in bundle_files(index) if "/en/" in rel or "en_" in rel}
    # the German translation of the last article changes: its bundle is written again
    translate(root, "a6", lambda e: None if e.msgctxt == "slug" else f"{e.msgid} Deutschland Zeppelinfahrt")
    result = run(root, "build", "-v")
    assert result.code == 0, result.err
    assert "output/pagefind/more/de/3/pagefind-entry.json" in result.out
    assert "output/pagefind/more/en/" not in result.out
    assert english == {rel: (index / rel).stat().st_ino for rel in english}  # the same files, not rewritten
    # two articles fewer: two bundles of two pages per edition, the third ones removed
    for name in ("a5", "a6"):
        (root / f"source/{name}.md").unlink()
    assert run(root, "build").code == 0
    assert not (index / "more/en/3").exists() and not (index / "more/de/3").exists()
    listing = json.loads((index / "bundles.json").read_bytes())
    assert listing["bundles"] == {"de": ["more/de/2/"], "en": ["more/en/2/"]}


def test_one_article_changed_indexes_its_bundles_only_and_gives_the_cold_builds_bytes(tmp_path, small, monkeypatch):
    root = make_site(tmp_path / "p")
    assert run(root, "build").code == 0
    runs = []
    original = search.run
    monkeypatch.setattr(
        search, "run", lambda site, out, glob: (runs.append(sorted(_pages(site))), original(site, out, glob))
    )
    (root / "source/a3.md").write_text(article(3, "chameleon").replace("lives here", "lives there"), encoding="utf-8")
    assert run(root, "build").code == 0
    # Bundle 2 of each edition holds articles 3 and 4: only those two runs.
    assert sorted(runs) == [["de/article-3.html", "de/article-4.html"], ["en/article-3.html", "en/article-4.html"]]
    incremental = bundle_files(root / "output/pagefind")
    # A cold build of the same site writes the same index, byte for byte.
    (root / "output").rename(tmp_path / "before")
    shutil.rmtree(root / ".cache")
    assert run(root, "build").code == 0
    assert bundle_files(root / "output/pagefind") == incremental


def test_a_bundle_is_kept_only_when_the_record_and_the_published_bundle_agree(tmp_path, small, monkeypatch):
    root = make_site(tmp_path / "p")
    assert run(root, "build").code == 0
    runs = []
    original = search.run
    monkeypatch.setattr(search, "run", lambda site, out, glob: (runs.append(glob), original(site, out, glob)))
    record = root / ".cache/pipeline" / kept.RECORD_NAME

    def change(word: str) -> list[str]:
        runs.clear()
        (root / "source/a1.md").write_text(article(1, "aardvark").replace("here", word), encoding="utf-8")
        assert run(root, "build").code == 0
        return list(runs)

    assert len(change("nearby")) == 2  # the first bundle of each edition
    record.write_text("{not json", encoding="utf-8")  # no record: every bundle of a changed edition again
    assert len(change("yonder")) == 6
    # A further bundle that is not the one recorded (its pages' index replaced): indexed again.
    entry = root / "output/pagefind/more/en/3/pagefind-entry.json"
    entry.write_bytes(entry.read_bytes().replace(b'"hash":"en_', b'"hash":"en_x'))
    assert len(change("afar")) == 3
    after = bundle_files(root / "output/pagefind")
    (root / "output").rename(tmp_path / "before")
    shutil.rmtree(root / ".cache")
    assert run(root, "build").code == 0
    assert bundle_files(root / "output/pagefind") == after  # what a cold build writes, nothing left over


def _pages(site: Path) -> list[str]:
    return [p.relative_to(site).as_posix() for p in site.rglob("*.html")]


def test_a_failed_run_leaves_the_published_index(tmp_path, small, monkeypatch):
    root = make_site(tmp_path / "p")
    assert run(root, "build").code == 0
    before = snapshot(root / "output")
    (root / "source/a1.md").write_text(article(1, "aardwolf"), encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "none"))  # Pagefind's wrapper runs, and fails
    indexer._command.cache_clear()
    try:
        result = run(root, "build")
    finally:
        monkeypatch.delenv("PAGEFIND_BINARY_PATH")
        indexer._command.cache_clear()
    assert result.code == 1 and "the search index could not be built" in result.err
    assert snapshot(root / "output") == before


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def results(driver, url: str) -> list[str]:
    """The result links' paths of a search page, once the script has shown them."""
    driver.get(url)
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results .search-summary"))
    return [urlsplit(a.get_attribute("href")).path for a in driver.find_elements(By.CSS_SELECTOR, ".search-results a")]


def test_a_search_merges_every_bundle_of_its_language(site, browser):
    with serve(site / "output") as server:
        # the first bundle's page and the last bundle's: both found
        assert results(browser, server + "/en/search.html?q=aardvark") == ["/en/article-1.html"]
        assert results(browser, server + "/en/search.html?q=zeppelin") == ["/en/article-6.html"]
        assert results(browser, server + "/de/search.html?q=zeppelin") == ["/de/article-6.html"]
        # a word of every page: all six, one ranked list from three bundles
        found = results(browser, server + "/de/search.html?q=habitat")
        assert sorted(found) == [f"/de/article-{i}.html" for i in range(1, 7)]
        # German pages only on the German search page, English only on the English one
        assert sorted(results(browser, server + "/de/search.html?q=Deutschland")) == sorted(found)
        assert results(browser, server + "/en/search.html?q=Deutschland") == []
        # A trial ID finds its page only: the bundles without it answer with a prefix
        # ("nct0", every page with a trial ID), which the search page sets aside.
        assert results(browser, server + "/en/search.html?q=NCT06666666") == ["/en/article-6.html"]
        assert results(browser, server + "/de/search.html?q=NCT01111111") == ["/de/article-1.html"]
        # Nothing has the word itself: Pagefind's prefix is all there is, and is shown.
        assert results(browser, server + "/en/search.html?q=aardvarkzzzzzz") == ["/en/article-1.html"]
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
        assert errors == []


def test_a_listing_deleted_by_hand_is_made_again_by_a_build_with_nothing_changed(tmp_path, small):
    root = make_site(tmp_path / "p")
    assert run(root, "build").code == 0
    listing = root / "output/pagefind/bundles.json"
    before = listing.read_bytes()
    listing.unlink()
    assert run(root, "build").code == 0
    assert listing.read_bytes() == before


def test_a_cold_build_indexes_its_bundles_beside_the_rendering(tmp_path, small, monkeypatch):
    late = []
    original = search.run
    monkeypatch.setattr(search, "run", lambda site, out, glob: (late.append(glob), original(site, out, glob)))
    root = make_site(tmp_path / "early")
    assert run(root, "build").code == 0
    assert late == []  # every bundle was indexed while the articles rendered, none at the end
    beside = bundle_files(root / "output/pagefind")
    # The same bytes as an index made after the last page.
    monkeypatch.setattr(step.BuildStep, "start_index", lambda self, output, names: None)
    (root / "output").rename(tmp_path / "first")
    assert run(root, "build").code == 0
    assert len(late) == 6 and bundle_files(root / "output/pagefind") == beside


def test_the_last_runs_go_side_by_side_the_others_one_at_a_time(tmp_path, monkeypatch):
    """While articles render, one Pagefind run at a time; once the last article is
    given, the runs left go on as many cores as the build used (`lanes`). Each run of
    the last bundle waits here for its other language's: with one lane they would
    wait for ever (the barrier's timeout fails the test)."""
    site = tmp_path / "site"
    for lang in ("en", "de"):
        (site / lang).mkdir(parents=True)
        for name in ("a", "b"):
            (site / f"{lang}/{name}.html").write_text(
                f"<html><body><article data-pagefind-body>{name}</article></body></html>"
            )
    meet, lock, busy, most = threading.Barrier(2, timeout=60), threading.Lock(), [0], {}

    def index(site, pages, lang, scratch, name):
        with lock:
            busy[0] += 1
            most[name] = busy[0]
        if name.endswith("-1"):
            meet.wait()
        with lock:
            busy[0] -= 1
        return scratch / name

    monkeypatch.setattr(early, "_index", index)
    runs = EarlyIndex(site, tmp_path / "s", ["a", "b"], 1, lanes=2)
    runs.add("a", {"en": "a", "de": "a"})
    assert [runs.take(Chunk(lang, 0, (f"{lang}/a.html",))) for lang in ("de", "en")] == [
        tmp_path / "s/de-0",
        tmp_path / "s/en-0",
    ]
    assert most == {"de-0": 1, "en-0": 1}  # the first bundle's, while b was still to come
    runs.add("b", {"en": "b", "de": "b"})
    assert runs.take(Chunk("de", 1, ("de/b.html",))) == tmp_path / "s/de-1"
    assert runs.take(Chunk("en", 1, ("en/b.html",))) == tmp_path / "s/en-1"
    assert max(most["de-1"], most["en-1"]) == 2
    runs.close()


def test_a_run_waiting_for_its_turn_when_the_build_stops_is_not_run(tmp_path, monkeypatch):
    site = tmp_path / "site"
    for lang in ("en", "de"):
        (site / lang).mkdir(parents=True)
        (site / f"{lang}/a.html").write_text("<html><body><article data-pagefind-body>a</article></body></html>")
    started, release, ran = threading.Event(), threading.Event(), []

    def index(site, pages, lang, scratch, name):
        ran.append(name)
        started.set()
        release.wait(60)
        return scratch / name

    monkeypatch.setattr(early, "_index", index)
    runs = EarlyIndex(site, tmp_path / "s", ["a", "b"], 1, lanes=2)
    runs.add("a", {"en": "a", "de": "a"})  # b is still to come: one run at a time
    assert started.wait(60)
    closing = threading.Thread(target=runs.close)
    closing.start()
    for _ in range(60_000):  # close() says so first, then waits for de-0
        if runs.stopped:
            break
        time.sleep(0.001)
    release.set()
    closing.join(60)
    assert ran == ["de-0"]  # en-0 waited for its turn, then the build had stopped


def test_a_page_written_again_after_its_bundle_was_indexed_is_indexed_again(tmp_path):
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    for name in ("a", "b"):
        (site / f"en/{name}.html").write_text(
            f"<html><body><article data-pagefind-body>{name} word</article></body></html>"
        )
    chunk = Chunk("en", 1, ("en/a.html", "en/b.html"))
    taken = EarlyIndex(site, tmp_path / "s1", ["a", "b"], 2)
    for name in ("a", "b"):
        taken.add(name, {"en": name})
    out = taken.take(chunk)
    assert out is not None and (out / "pagefind-entry.json").is_file()
    taken.close()
    again = EarlyIndex(site, tmp_path / "s2", ["a", "b"], 2)
    again.add("b", {"en": "b"})
    again.add("a", {"en": "a"})  # in any order: the run starts once both are in
    (site / "en/b.html").unlink()  # the stage writes a page again as a new file
    (site / "en/b.html").write_text("<html><body><article data-pagefind-body>b other</article></body></html>")
    assert again.take(chunk) is None
    again.close()
    assert not (tmp_path / "s2").exists()


def test_a_new_bundle_is_staged_in_one_rename_with_the_files_and_bytes_of_staging_each(tmp_path, small, monkeypatch):
    moved: list[str] = []
    original = Output.move_folder

    def move_folder(self, rel, source, files):
        done = original(self, rel, source, files)
        moved.extend([rel] if done else [])
        return done

    monkeypatch.setattr(Output, "move_folder", move_folder)
    root = make_site(tmp_path / "p")
    whole = run(root, "build", "-v")
    assert whole.code == 0, whole.err
    assert sorted(moved) == [f"pagefind/more/{lang}/{n}" for lang in ("de", "en") for n in (2, 3)]
    site = snapshot(root / "output")
    # The same cold build with each file of every bundle staged on its own.
    monkeypatch.setattr(Output, "move_folder", lambda self, rel, source, files: False)
    (root / "output").rename(tmp_path / "whole")
    shutil.rmtree(root / ".cache")
    each = run(root, "build", "-v")
    assert each.code == 0, each.err
    assert snapshot(root / "output") == site
    assert sorted(each.out.splitlines()) == sorted(whole.out.splitlines())  # the same files listed as written
    assert not any(name.startswith(("pagefind-ui", "wasm.", "pagefind.js")) for name in site if "/more/" in name)


def test_a_bundle_folder_with_a_link_in_it_is_staged_file_by_file(tmp_path):
    out = tmp_path / "out"
    (out / "fragment").mkdir(parents=True)
    for rel in ("pagefind-entry.json", "pagefind.js", "wasm.en.pagefind", "pagefind-ui.css", "fragment/a.pf"):
        (out / rel).write_bytes(rel.encode())
    (out / "fragment/pagefind-ui.js").write_bytes(b"an interface's name, deeper down: dropped too")
    (out / "fragment/link.pf").symlink_to(out / "fragment/a.pf")
    before = snapshot(out)
    assert search._bundle_files(out) is None
    assert snapshot(out) == before  # nothing deleted: the caller stages each file as before
    (out / "fragment/link.pf").unlink()
    assert search._bundle_files(out) == ["fragment/a.pf", "pagefind-entry.json"]
    assert sorted(snapshot(out)) == ["fragment/a.pf", "pagefind-entry.json"]


def test_a_folder_is_moved_into_the_stage_only_where_nothing_is(tmp_path):
    live = tmp_path / "output"
    (live / "kept").mkdir(parents=True)
    (live / "kept/old.txt").write_text("live")
    output = Output(live)
    for name in ("new", "kept", "staged"):
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub/f.txt").write_text(name)
    (output.ensure_stage() / "staged").mkdir()
    assert output.move_folder("a/b/new", tmp_path / "new", ["sub/f.txt"])
    assert (output.stage / "a/b/new/sub/f.txt").read_text() == "new" and not (tmp_path / "new").exists()
    assert not output.move_folder("kept", tmp_path / "kept", ["sub/f.txt"])  # live has it: file by file
    assert not output.move_folder("staged", tmp_path / "staged", ["sub/f.txt"])
    assert (tmp_path / "kept/sub/f.txt").exists() and (tmp_path / "staged/sub/f.txt").exists()
    assert output.written == ["a/b/new/sub/f.txt"]
    (output.stage / "c").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(WriteError, match="symbolic link"):
        output.move_folder("c/d", tmp_path / "staged", ["sub/f.txt"])
    assert not any((tmp_path / "elsewhere").iterdir())
    output.commit()
    assert (live / "a/b/new/sub/f.txt").read_text() == "new" and (live / "kept/old.txt").read_text() == "live"
