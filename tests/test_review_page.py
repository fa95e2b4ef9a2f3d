"""`review`: the translator's page for a partly reviewed ALS catalog.

The scenario (`partly_reviewed`) is the real article and its reviewed German
catalog with a third of the entries turned back into work: blank, machine drafts,
memory drafts, marked for review; one reviewed entry with a changed number; one
injected `<script>`; and one source paragraph edited, so `update` keeps its old
translation as fuzzy with `#| msgid`.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from pipeline.review.diff import tokens, word_diff
from tests import vnu
from tests.support import (
    ROOT,
    approve_args,
    assert_fragment,
    copy_repo,
    fragments,
    make_project,
    png,
    run,
    run_cli,
    translate,
)

CATALOG = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
CHANGED_OLD = "About one to two out of 100,000 people develop ALS each year."
CHANGED_NEW = "About one to three out of 100,000 people develop ALS every year."
VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr", "col", "area", "base", "embed", "track"}


def partly_reviewed(root: Path) -> Path:
    """Copy the ALS project to `root` and make about a third of the German entries need work."""
    copy_repo(root)
    path = root / CATALOG
    po = polib.pofile(str(path), wrapwidth=79)
    body = [e for e in po if e.msgid and e.msgctxt is None and "keep-source" not in e.tcomment]
    for i, entry in enumerate(body):
        if i % 9 == 1:
            entry.msgstr = ""
        elif i % 9 == 4:
            entry.flags.append("fuzzy")
            entry.tcomment = "pretranslated: libre 2026-11-27"
        elif i % 9 == 7:
            entry.flags.append("fuzzy")
            entry.tcomment = "pretranslated: memory 2026-11-27 (87%)"
        elif i % 18 == 3:
            entry.flags.append("fuzzy")  # a reviewer's "needs work"
    by_id = {e.msgid: e for e in po}
    # A reviewed entry with a real error: a changed number (2-5 years → 2-6).
    broken = next(e for e in po if e.msgid.startswith("Amyotrophic lateral sclerosis (ALS) is a fatal"))
    broken.msgstr = broken.msgstr.replace("2–5", "2–6")
    broken.flags = [f for f in broken.flags if f != "fuzzy"]
    broken.tcomment = ""
    # A machine draft that injected markup, to show it is escaped, never run.
    injected = by_id[
        "Recent research has focused on the disease modifying effects of mesenchymal "
        "stem cell (MSC) secretome. Although it is still unclear which ingredients of "
        "the MSC-secretome are responsible for its effectiveness in ALS, several "
        "bioactive compounds have been identified, such as BDNF, GDNF, NGF, IGF-1 and "
        "VEGF, amongst others. These compounds have the potential to"
    ]
    original = polib.pofile(str(ROOT / CATALOG)).find(injected.msgid)
    injected.msgstr = original.msgstr + ' <script>alert("x")</script>'
    injected.flags = ["fuzzy"]
    injected.tcomment = "pretranslated: libre 2026-11-27"
    po.save(str(path))
    source = root / "source/als-stem-cell-therapy.md"
    text = source.read_text(encoding="utf-8")
    assert CHANGED_OLD in text
    source.write_text(text.replace(CHANGED_OLD, CHANGED_NEW), encoding="utf-8")
    result = run(root, "update")
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return partly_reviewed(tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def page(project):
    result = run(project, "review", "--lang", "de")
    assert result.code == 0, result.err
    assert "review/de.html: written" in result.out
    return (project / "review/de.html").read_text(encoding="utf-8")


class Structure(HTMLParser):
    """Tag balance, ids, and anything executable, with the standard library's parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def structure(text: str) -> Structure:
    parser = Structure()
    parser.feed(text)
    parser.close()
    return parser


def test_page_is_well_formed_html_without_javascript(page):
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    parsed = structure(page)
    assert parsed.problems == [] and parsed.stack == []
    assert len(parsed.ids) == len(set(parsed.ids)), "ids are unique"
    assert [t for t, _ in parsed.tags if t == "script"] == []
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]


def test_page_passes_the_nu_html_checker(page, project):
    try:
        problems = vnu.check([project / "review/de.html"], base=project)
    except vnu.VnuUnavailable as exc:
        pytest.fail(f"the W3C Nu HTML Checker cannot run: {exc}")
    assert not problems, "\n".join(map(str, problems))


def test_progress_bar_per_article(page, project):
    result = run(project, "stats", "--lang", "de", "--json")
    [als] = [s for s in json.loads(result.out) if s["article"] == "als-stem-cell-therapy"]
    percent = als["percent_reviewed"]
    assert 40 < percent < 90
    assert f'aria-label="{percent}% of ' in page
    assert f"<strong>{percent}% reviewed</strong>" in page
    for label in ("reviewed", "machine draft", "memory draft", "needs review", "untranslated"):
        assert f"</span>{label}: " in page
    assert re.search(r'<span class="reviewed" style="width: [\d.]+%"', page)


def test_entries_needing_attention_are_listed_with_state_and_location(page):
    for label in ("untranslated", "machine draft", "memory draft", "marked for review", "source changed"):
        assert f">{label}</span>" in page, label
    assert "pretranslated: libre 2026-11-27" in page
    assert "pretranslated: memory 2026-11-27 (87%)" in page
    assert re.search(r"<code>locales/de/LC_MESSAGES/als-stem-cell-therapy\.po:\d+</code>", page)
    assert "not translated yet" in page
    assert 'lang="en">' in page and 'lang="de">' in page


def test_every_block_is_shown_in_document_order_side_by_side(page):
    # a reviewed entry without findings is on the page too: the reviewer reads everything
    assert '<span class="badge reviewed">reviewed</span>' in page
    assert page.index("Was verursacht ALS?") < page.index("NCT01933321")
    # rendered as on the site, not raw Markdown: the trial link is a link on both sides
    assert '<a href="https://clinicaltrials.gov/study/NCT01933321">NCT01933321</a>' in page
    assert page.count('<div class="pair">') > 60


def test_reviewers_page_is_private_and_prints(page, project):
    assert '<meta name="robots" content="noindex">' in page
    assert not (project / "output/review").exists()
    assert "<pre><code>python -m pipeline approve --lang de --by &#34;YOUR NAME&#34;</code></pre>" in page
    assert re.search(r"It signs the \d+ reviewed entries that pass the checks", page)
    assert "@media print" in page and "break-inside: avoid" in page


def test_publish_refreshes_an_existing_review_page(project, page, tmp_path):
    path = project / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
    saved = path.read_bytes()
    try:
        po = polib.pofile(str(path))
        entry = next(e for e in po if e.msgid == "What Causes ALS?")
        entry.flags.append("fuzzy")
        po.save(str(path))
        result = run(project, "publish")
        assert "review/de.html: written" in result.out
        new = (project / "review/de.html").read_text(encoding="utf-8")
        assert new.count(">marked for review</span>") == page.count(">marked for review</span>") + 1
    finally:
        path.write_bytes(saved)
        run(project, "review", "--lang", "de")


def test_reviewed_entry_with_a_qa_error_is_listed(page):
    # the only reviewed entry with an error: both sides rendered, the finding, and
    # that the page shows the source until it is fixed
    assert_fragment(
        page,
        "article.state-reviewed.has-errors",
        """
        <article class="entry state-reviewed has-errors" id="article-als-stem-cell-therapy-l96" aria-labelledby="article-als-stem-cell-therapy-l96-h">
        <h3 id="article-als-stem-cell-therapy-l96-h"><span class="badge reviewed">reviewed</span>
        <span class="where"><code>locales/de/LC_MESSAGES/als-stem-cell-therapy.po:96</code></span>



        <span class="blocked">kept off the page (the source is shown) until the error is fixed</span></h3>
        <div class="pair">
        <div class="side"><h4>Source (en)</h4>
        <div class="rendered" lang="en"><p>Amyotrophic lateral sclerosis (ALS) is a fatal neurodegenerative disease with an expected survival of 2-5 years after the clinical onset. In Europe alone, 7-6 individuals out of 100,000 suffer from this condition, making it the most common motor neuron disease in adults above the age of 50 years. It is also more common in females than in males.</p></div></div>
        <div class="side"><h4>Translation (de)</h4>
        <div class="rendered" lang="de"><p>Die Amyotrophe Lateralsklerose (ALS) ist eine tödlich verlaufende neurodegenerative Erkrankung mit einer erwarteten Überlebenszeit von 2–6 Jahren nach dem klinischen Krankheitsbeginn. Allein in Europa sind 7–6 von 100.000 Menschen von dieser Erkrankung betroffen; damit ist sie die häufigste Motoneuronerkrankung bei Erwachsenen über 50 Jahren. Zudem tritt sie bei Frauen häufiger auf als bei Männern.</p></div></div>
        </div>
        <dl>
        <dt>QA</dt>
        <dd><ul class="findings">
        <li class="finding-error"><strong>error</strong> <code>numbers</code>: numbers changed: missing &#39;5&#39;; not in the source &#39;6&#39;</li>
        </ul></dd>
        </dl>
        </article>
        """,
    )


def test_changed_source_shows_a_word_diff(page):
    # the entry whose source paragraph was edited: the new source beside the old
    # translation, and the edit word by word
    [changed] = [entry for entry in fragments(page, "article.state-fuzzy") if "<del>" in entry]
    assert changed == textwrap.dedent(
        """
        <article class="entry state-fuzzy" id="article-als-stem-cell-therapy-l64" aria-labelledby="article-als-stem-cell-therapy-l64-h">
        <h3 id="article-als-stem-cell-therapy-l64-h"><span class="badge fuzzy">source changed</span>
        <span class="where"><code>locales/de/LC_MESSAGES/als-stem-cell-therapy.po:64</code></span>



        </h3>
        <div class="pair">
        <div class="side"><h4>Source (en)</h4>
        <div class="rendered" lang="en"><p>About one to three out of 100,000 people develop ALS every year. The disease usually begins between the ages of 50 and 70; younger adults are rarely affected. Men are affected slightly more often than women (1.6:1). The frequency of ALS appears to be increasing worldwide. Disease progress varies greatly from patient to patient, and life expectancy is significantly shortened.</p></div></div>
        <div class="side"><h4>Translation (de)</h4>
        <div class="rendered" lang="de"><p>Jedes Jahr erkranken etwa ein bis zwei von 100.000 Menschen an ALS. Die Erkrankung beginnt meist im Alter zwischen 50 und 70 Jahren; jüngere Erwachsene sind selten betroffen. Männer sind etwas häufiger betroffen als Frauen (1,6:1). Die Häufigkeit der ALS scheint weltweit zuzunehmen. Der Krankheitsverlauf ist von Patient zu Patient sehr unterschiedlich, und die Lebenserwartung ist deutlich verkürzt.</p></div></div>
        </div>
        <dl>
        <dt>Change in the source since it was reviewed</dt>
        <dd><p class="text" lang="en">About one to <del>two</del><ins>three</ins> out of 100,000 people develop ALS <del>each</del><ins>every</ins> year. The disease usually begins between the ages of 50 and 70; younger adults are rarely affected. Men are affected slightly more often than women (1.6:1). The frequency of ALS appears to be increasing worldwide. Disease progress varies greatly from patient to patient, and life expectancy is significantly shortened.</p></dd>
        </dl>
        </article>
        """
    ).strip("\n")


def test_translations_are_escaped_not_run(page):
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<code>html</code>: raw HTML &lt;script&gt; that the source does not have" in page


def test_same_input_same_bytes(project, page):
    result = run(project, "review", "--lang", "de")
    assert "unchanged" in result.out
    assert (project / "review/de.html").read_text(encoding="utf-8") == page


def test_review_without_lang_writes_every_target_language(project):
    result = run(project, "review")
    assert result.code == 0
    # German for the English articles, English for the German-authored one
    assert "review/de.html" in result.out and "review/en.html" in result.out
    assert "output/review" not in result.out


def test_unknown_language_is_a_usage_error(project):
    assert run(project, "review", "--lang", "xx").code == 2


def test_article_without_a_catalog_lists_its_template(tmp_path):
    root = tmp_path / "p"
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "source/a.md").write_text("---\ntitle: Hello\n---\n\nOne **paragraph**.\n", encoding="utf-8")
    assert run(root, "extract").code == 0
    result = run(root, "review", "--lang", "de")
    assert result.code == 0, result.err
    text = (root / "review/de.html").read_text(encoding="utf-8")
    assert "no catalog yet" in text and "<p>One <strong>paragraph</strong>.</p>" in text
    assert "<strong>0.0% reviewed</strong>" in text


def test_word_diff_is_lossless_and_word_level():
    old, new = "Take 2 tablets, twice a day.", "Take 3 tablets, twice daily."
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "insert") == old
    assert "".join(t for op, t in pieces if op != "delete") == new
    assert ("delete", "2") in pieces and ("insert", "3") in pieces
    assert tokens("100,000 people") == ["100,000", " ", "people"]


def _two_articles(root: Path) -> Path:
    make_project(root, {"alpha": "First alpha paragraph.\n\nSecond alpha paragraph.\n", "beta": "Only beta.\n"})
    assert run(root, "update").code == 0
    for name in ("alpha", "beta"):
        translate(root, name, lambda e: e.msgid if e.msgctxt == "slug" else f"{e.msgid} (de)")
    return root


def _sections(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (root / ".cache/pipeline/review").glob("*.html")}


def test_after_one_catalog_changes_only_its_section_is_made_again(tmp_path):
    root = _two_articles(tmp_path / "p")
    assert run(root, "review", "--lang", "de").code == 0
    before = _sections(root)
    assert len(before) == 3  # the page chrome's, alpha's and beta's
    path = root / "locales/de/LC_MESSAGES/alpha.po"
    path.write_text(path.read_text(encoding="utf-8").replace("Second alpha paragraph. (de)", "Zweiter."), "utf-8")
    assert run(root, "review", "--lang", "de").code == 0
    after = _sections(root)
    kept = before.keys() & after.keys()
    assert len(kept) == 2 and all(before[name] == after[name] for name in kept)  # not written again
    assert len(after) == 3  # alpha's old section is dropped, its new one kept
    page = (root / "review/de.html").read_bytes()
    assert b"Zweiter." in page and b'id="article-beta"' in page and b'href="#article-alpha"' in page
    shutil.rmtree(root / ".cache")
    assert run(root, "review", "--lang", "de").code == 0
    assert (root / "review/de.html").read_bytes() == page  # the same bytes as a page made from scratch


def test_a_kept_section_that_is_a_link_is_not_followed(tmp_path):
    root = _two_articles(tmp_path / "p")
    assert run(root, "review", "--lang", "de").code == 0
    page = (root / "review/de.html").read_bytes()
    bait = tmp_path / "bait.html"
    bait.write_text("<script>planted</script>", encoding="utf-8")
    for section in (root / ".cache/pipeline/review").glob("*.html"):
        section.unlink()
        section.symlink_to(bait)
    (root / "review/de.html").unlink()
    assert run(root, "review", "--lang", "de").code == 0
    assert (root / "review/de.html").read_bytes() == page
    assert bait.read_text(encoding="utf-8") == "<script>planted</script>"


def test_a_page_for_another_language_keeps_this_ones_sections(tmp_path):
    root = make_project(tmp_path / "p", {"alpha": "Alpha.\n"}, '[tool.pipeline]\nlanguages = ["en", "de", "fr"]\n')
    assert run(root, "update").code == 0
    assert run(root, "review", "--lang", "de").code == 0
    german = _sections(root)
    assert run(root, "review", "--lang", "fr").code == 0
    both = _sections(root)
    assert german.items() <= both.items() and len(both) == 2 * len(german)


def test_a_catalog_the_page_could_not_show_is_a_banner_until_fixed_and_approve_waits(tmp_path):
    """Break one line of the catalog: the page says so at the top (file:line), `approve`
    refuses that catalog; fix it: the next `review` shows the article again (the memo of
    the good page does not say "unchanged" over the page that lacks it), and `approve`
    signs."""
    root = copy_repo(tmp_path / "p")
    review, page = ["review", "--lang", "de"], root / "review/de.html"
    assert run_cli(None, *review, cwd=root, env={"LANG": "C.UTF-8"}).returncode == 0
    whole = page.read_bytes()
    path = root / CATALOG
    good = path.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    broken_at = next(i for i, line in enumerate(lines) if line.startswith("msgstr ") and i > 30)
    lines[broken_at] = lines[broken_at].rstrip("\n") + " junk\n"
    path.write_text("".join(lines), encoding="utf-8")
    done = run_cli(None, *review, cwd=root, env={"LANG": "C.UTF-8"})
    assert done.returncode == 1 and done.stderr.startswith(f"{CATALOG}:{broken_at + 1}: ")
    text = page.read_text(encoding="utf-8")
    assert "This page is incomplete" in text and f"<code>{CATALOG}:{broken_at + 1}: " in text
    assert 'id="article-als-stem-cell-therapy"' not in text
    approving = approve_args(root, "Dr. A")
    refused = run_cli(None, *approving, cwd=root, env={"LANG": "C.UTF-8"})
    assert refused.returncode == 1 and refused.stderr.startswith(f"{CATALOG}: the reviewer's page could not show")
    path.write_text(good, encoding="utf-8")  # fixed
    refused = run_cli(None, *approving, cwd=root, env={"LANG": "C.UTF-8"})
    assert refused.returncode == 1  # the page on disk has still not shown it
    done = run_cli(None, *review, cwd=root, env={"LANG": "C.UTF-8"})
    assert done.returncode == 0 and "written" in done.stdout
    assert page.read_bytes() == whole
    signed = run_cli(None, *approving, cwd=root, env={"LANG": "C.UTF-8"})
    assert signed.returncode == 0 and "signed off by Dr. A" in signed.stdout


def test_articles_come_first_and_the_page_chrome_last(tmp_path):
    root = copy_repo(tmp_path / "p")
    assert run_cli(None, "review", "--lang", "de", cwd=root, env={"LANG": "C.UTF-8"}).returncode == 0
    page = (root / "review/de.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section id="([^"]+)"', page)
    assert sections[0] == "article-als-stem-cell-therapy" and sections[-1] == "article-site", sections
    assert "alt inside" not in page


def test_footnote_references_and_images_show_as_on_the_site(tmp_path):
    """Each block is rendered alone: a footnote reference is the site's superscript,
    not `[^1]`; an image shows from its file under source/ (the German variant in the
    German column), from review/de.html opened on the disk."""
    article = "---\ntitle: Knee\n---\n\nThe knee![Knee joint](images/knee.png) hurts.[^1]\n\n[^1]: A source.\n"
    files = {"images/knee.png": png(4, 3), "images/knee.de.png": png(5, 3)}
    root = make_project(tmp_path / "p", {"knee": article}, "[tool.pipeline.publish]\nmin_reviewed = 0\n", files)
    assert run(root, "update").code == 0
    german = {
        "The knee![Knee joint](images/knee.png) hurts.[^1]": "Das Knie![Kniegelenk](images/knee.png) tut weh.[^1]"
    }
    translate(root, "knee", lambda e: german.get(e.msgid))
    assert run(root, "review", "--lang", "de").code == 0
    page = (root / "review/de.html").read_text(encoding="utf-8")
    assert "[^1]" not in page and '<sup class="footnote-ref">1</sup>' in page
    sources = re.findall(r'<img alt="([^"]*)" src="([^"]*)"', page)
    assert ("Knee joint", "../source/images/knee.png") in sources
    assert ("Kniegelenk", "../source/images/knee.de.png") in sources
    for _alt, src in sources:
        assert (root / "review" / src).resolve().is_file()
