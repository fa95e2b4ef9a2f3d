"""A project grown the way a clinic's grows, and every feature run on it, through the
command line in a subprocess as a user runs it.

Three articles — one with two images (one with a German variant), a table and a
footnote; one written in German; a short one — in English, German and Arabic (right
to left); a reviewer with an SSH key of her own; an agency's XLIFF. On it: publish,
a renamed German page, check, review and approve, an agency's delivery, the live
preview over HTTP, a build after `check` taking its verdicts, the search index
kept bundle by bundle through an edit and a rename, and each edition's index holding
the words of its own language only.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import shutil
from pathlib import Path

import polib
import pytest

from pipeline.build import bundles, search
from pipeline.config.load import load_config
from pipeline.review.cached import Recorded
from pipeline.review.enforce import Enforcer
from tests.support import add_reviewer, make_project, png, reviewed_chrome, run, run_cli, translate
from tests.test_preview import Preview

ENV = {"LANG": "C.UTF-8"}
KNEE = """\
---
title: Knee pain after a fall
date: 2026-11-02
---

![Knee joint](images/knee.png "The knee") After a fall, rest the knee for two days.[^1]

| Medicine | Dose |
| --- | --- |
| Ibuprofen | 400 mg |

Take 5 mg twice a day, as the trial NCT01933321 did.

![A splint](images/splint.png)

[^1]: Rest means a pause from sport.
"""
SCHMERZ = """\
---
title: Schmerzen verstehen
lang: de
---

Schmerz ist ein Warnsignal des Körpers.

| Stufe | Bedeutung |
| --- | --- |
| 1 | leicht |
"""
ABOUT = "---\ntitle: About us\n---\n\nWe write for patients and their families.\n"
SETTINGS = """\
[tool.pipeline]
languages = ["en", "de", "ar"]

[tool.pipeline.publish]
min_reviewed = 0
"""
PREFIX = {"de": "DE ", "ar": "نص ", "en": "EN "}
DOCTOR = "Dr. Anna Weber"


def cli(root: Path, *args: str, code: int = 0):
    done = run_cli(None, *args, cwd=root, env=ENV)
    assert done.returncode == code, (args, done.stdout, done.stderr)
    return done


def translated(lang: str):
    """A translator's work: each message, in `lang`, with its Markdown as it is."""
    return lambda e: None if not e.msgid or e.msgctxt == "slug" else PREFIX[lang] + e.msgid


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    images = {
        "images/knee.png": png(8, 6),
        "images/knee.de.png": png(8, 6, b"\x20\xc0\x20"),
        "images/splint.png": png(4, 4),
    }
    root = make_project(
        tmp_path_factory.mktemp("grown") / "p", {"knee": KNEE, "schmerz": SCHMERZ, "about": ABOUT}, SETTINGS, images
    )
    reviewed_chrome(root)
    cli(root, "update")
    for name, langs in (("knee", ("de", "ar")), ("about", ("de", "ar")), ("schmerz", ("en", "ar"))):
        for lang in langs:
            translate(root, name, translated(lang), lang)
    cli(root, "publish")
    return root


@pytest.fixture
def project(grown, tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(grown, root, symlinks=True)
    return root


def page(root: Path, lang: str, slug: str) -> str:
    return (root / "output" / lang / f"{slug}.html").read_text(encoding="utf-8")


def test_every_edition_is_published_with_its_images_and_tables(grown):
    for lang, slug in (("en", "knee"), ("de", "knee"), ("ar", "knee")):
        html = page(grown, lang, slug)
        images = re.findall(r'<img [^>]*src="\.\./assets/media/([^"]+)"[^>]*>', html)
        assert len(images) == 2, (lang, images)
        for name in images:
            assert (grown / "output/assets/media" / name).is_file()
        variant = any(name.startswith("knee.de.") for name in images)
        assert variant is (lang == "de")  # the German variant on the German page only
        assert '<th scope="col">' in html and "footnote-ref" in html
    assert "EN Schmerz ist ein Warnsignal" in page(grown, "en", "schmerz")  # a German-authored article
    arabic = page(grown, "ar", "knee")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<bdi dir="ltr">NCT01933321</bdi>' in arabic and '<bdi dir="ltr">5 mg</bdi>' in arabic


def test_check_passes_and_a_changed_dose_is_refused(project):
    cli(project, "check")
    catalog = project / "locales/ar/LC_MESSAGES/knee.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Take 5 mg twice", "Take 5 µg twice", 1), "utf-8")
    done = cli(project, "check", code=1)
    assert re.search(r"locales/ar/LC_MESSAGES/knee\.po:\d+: error: units:", done.stdout), done.stdout


def test_a_renamed_german_page_keeps_its_old_address(project):
    catalog = project / "locales/de/LC_MESSAGES/knee.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace('msgctxt "slug"\nmsgid "knee"\nmsgstr ""', 'msgctxt "slug"\nmsgid "knee"\nmsgstr "knie"')
    )
    cli(project, "publish")
    assert "After a fall, rest the knee" in page(project, "de", "knie")  # the page, at its new address
    moved = page(project, "de", "knee")
    assert 'http-equiv="refresh"' in moved and "knie.html" in moved
    assert "de,knee," in (project / "locales/addresses.csv").read_text(encoding="utf-8")
    english = page(project, "en", "knee")
    assert 'hreflang="de" href="../de/knie.html"' in english or "../de/knie.html" in english


def test_review_approve_with_a_key_and_the_page_says_approved(project):
    key = add_reviewer(project, DOCTOR)
    cli(project, "review", "--lang", "de")
    done = cli(project, "approve", "--lang", "de", "--by", DOCTOR, "--key", str(key))
    assert f"signed off by {DOCTOR}" in done.stdout
    assert list((project / "locales/de/signoffs").glob("*.txt.sig"))
    cli(project, "check")  # every sign-off verifies
    assert "approved" in cli(project, "stats", "--lang", "de").stdout


def test_an_agencys_xliff_comes_back_into_the_arabic_catalogs(project):
    cli(project, "export", "--lang", "ar", "-o", "ar.xlf")
    delivery = project / "ar.xlf"
    xliff = delivery.read_text(encoding="utf-8")
    assert xliff.count('target-language="ar"') >= 3
    delivery.write_text(xliff.replace("نص We write for patients", "نص (agency) We write for patients"), "utf-8")
    cli(project, "import", "ar.xlf", "--reviewed")
    cli(project, "publish")
    assert "(agency) We write for patients" in page(project, "ar", "about")


def test_the_live_preview_serves_every_edition_and_its_images(project):
    server = Preview(project, "--no-watch")
    try:
        for path in ("/ar/knee.html", "/de/knee.html", "/en/schmerz.html"):
            assert server.get(path)[0] == 200, path
        german = server.get("/de/knee.html")[1]
        media = re.search(r'src="\.\./(assets/media/knee\.de\.[^"]+)"', german)
        assert media
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", f"/{media.group(1)}")
        answer = conn.getresponse()
        assert answer.status == 200 and answer.read() == (project / "source/images/knee.de.png").read_bytes()
    finally:
        assert server.stop() == 0


def _verdicts(root: Path, recorded: bool) -> tuple[dict, Enforcer]:
    """Every translated entry's enforced verdict, as the build asks for it."""
    config = load_config(root)
    enforcer = Enforcer(config, recorded=Recorded.load(config) if recorded else None)
    found = {}
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        lang = path.parent.parent.name
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                source = "de" if path.stem == "schmerz" else "en"
                found[path, entry.msgctxt, entry.msgid] = enforcer.refusal(
                    entry, entry.msgid, entry.msgstr, lang, source, gated=True
                )
    return found, enforcer


def test_a_build_after_check_takes_each_verdict_from_what_check_recorded(project):
    catalog = project / "locales/ar/LC_MESSAGES/knee.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Take 5 mg twice", "Take 5 µg twice", 1), "utf-8")
    fresh, _ = _verdicts(project, recorded=False)
    assert any(v is not None and v.check == "units" for v in fresh.values())  # the changed dose is refused
    cli(project, "check", code=1)
    taken, enforcer = _verdicts(project, recorded=True)
    assert taken == fresh and len(taken) > 20
    assert enforcer._judged.cache_info().misses == 0  # no entry judged again
    # The pages are the same: with the record, and with none (`.cache` gone).
    cli(project, "publish")
    with_record = {p.relative_to(project): p.read_bytes() for p in (project / "output").rglob("*.html")}
    shutil.rmtree(project / ".cache")
    shutil.rmtree(project / "output")
    cli(project, "publish")
    assert {p.relative_to(project): p.read_bytes() for p in (project / "output").rglob("*.html")} == with_record


def test_a_record_that_is_not_verdicts_is_judged_again(project):
    cli(project, "check")
    memo = project / ".cache/pipeline/verdicts.json"
    data = json.loads(memo.read_text(encoding="utf-8"))
    assert data["entries"]
    for key in data["entries"]:
        data["entries"][key] = [["units", 1]]  # not [check, message]
    memo.write_text(json.dumps(data), encoding="utf-8")
    fresh, _ = _verdicts(project, recorded=False)
    taken, enforcer = _verdicts(project, recorded=True)
    assert taken == fresh and enforcer._judged.cache_info().misses > 0


def _inodes(root: Path) -> dict[str, int]:
    site = root / "output"
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.glob("*/*.html")}


def _index(root: Path) -> dict[str, bytes]:
    index = root / "output/pagefind"
    return {p.relative_to(index).as_posix(): p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}


def test_a_changed_article_and_a_renamed_page_index_only_the_bundles_with_a_page_written(project, monkeypatch):
    """One page a bundle: each article's page of each edition is its own bundle. After
    an edit and after a German rename, exactly the bundles holding a page the build
    wrote are indexed again, and the index is what a cold build writes."""
    monkeypatch.setattr(bundles, "PAGES_PER_BUNDLE", 1)
    runs: list[list[str]] = []
    original = search.run
    monkeypatch.setattr(
        search,
        "run",
        lambda site, out, glob: (
            runs.append(sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))),
            original(site, out, glob),
        ),
    )
    shutil.rmtree(project / "output")  # a cold build: cut into bundles of one page
    assert run(project, "publish").code == 0
    knee = project / "source/knee.md"
    catalog = project / "locales/de/LC_MESSAGES/knee.po"
    steps = [
        lambda: knee.write_text(knee.read_text(encoding="utf-8").replace("for two days", "for 2 days"), "utf-8"),
        lambda: catalog.write_text(
            catalog.read_text(encoding="utf-8").replace(
                'msgctxt "slug"\nmsgid "knee"\nmsgstr ""', 'msgctxt "slug"\nmsgid "knee"\nmsgstr "knie"'
            ),
            "utf-8",
        ),
    ]
    for change in steps:
        before = _inodes(project)
        runs.clear()
        change()
        result = run(project, "publish")
        assert result.code == 0, result.err
        after = _inodes(project)
        written = {rel for rel, ino in after.items() if before.get(rel) != ino}
        articles = {rel for rel in after if "data-pagefind-body" in (project / "output" / rel).read_text("utf-8")}
        assert written & articles and articles - written  # some bundles changed, some did not
        assert sorted(runs) == sorted([rel] for rel in written & articles)
        incremental = _index(project)
        shutil.rmtree(project / "output")
        shutil.rmtree(project / ".cache")
        assert run(project, "publish").code == 0
        assert _index(project) == incremental
    assert "After a fall, rest the knee for 2 days" in page(project, "de", "knie")


def _indexed(root: Path, lang: str) -> dict[str, str]:
    """The text `lang`'s search index holds for each of its pages (Pagefind's fragments)."""
    found = {}
    for path in (root / "output/pagefind").rglob("*.pf_fragment"):
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        if fragment["url"].startswith(f"/{lang}/"):
            found[fragment["url"]] = fragment["content"]
    return found


def test_an_editions_search_index_holds_the_words_of_its_own_language(project):
    """A reference list kept in English (`<!-- i18n: skip -->`) and a paragraph not yet
    translated are shown on the German and Arabic pages, marked as English, and left out
    of those editions' indexes; the English index has them."""
    source = project / "source/knee.md"
    added = "\nA paragraph nobody has translated.\n\n<!-- i18n: skip -->\n\n1. Meniscus study. *Knee J.* 2020;4:1–9.\n"
    source.write_text(source.read_text(encoding="utf-8") + added, encoding="utf-8")
    cli(project, "publish")
    for lang in ("de", "ar"):
        html = page(project, lang, "knee")
        assert re.search(r'<ol data-pagefind-ignore="" [^>]*lang="en"', html), lang
        assert re.search(r'<p data-pagefind-ignore="" [^>]*lang="en"[^>]*>.*A paragraph nobody', html), lang
        text = _indexed(project, lang)[f"/{lang}/knee.html"]
        assert PREFIX[lang] + "After a fall, rest the knee" in text  # the translation is indexed
        assert "Meniscus" not in text and "nobody" not in text, lang
    text = _indexed(project, "en")["/en/knee.html"]
    assert "Meniscus study" in text and "A paragraph nobody has translated" in text
    # The German-authored article's English edition: its German text is not in the English index.
    assert "EN Schmerz ist ein Warnsignal" in _indexed(project, "en")["/en/schmerz.html"]
