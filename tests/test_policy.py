"""The publishing policy, end to end through `build`."""

from __future__ import annotations

import shutil

import polib
import pytest

from tests.support import ROOT, fragment, fragments, make_project, run, translate

# Five paragraphs of equal length: each is 20% of the article's words.
ARTICLE = """\
Alpha beta gamma delta epsilon.

Zeta eta theta iota kappa.

Lambda mu nu xi omicron.

Pi rho sigma tau upsilon.

Phi chi psi omega end.
"""
REVIEWED = {
    "Alpha beta gamma delta epsilon.": "Eins zwei drei vier fünf.",
    "Zeta eta theta iota kappa.": "Sechs sieben acht neun zehn.",
}
MACHINE = {"Lambda mu nu xi omicron.": "Maschinell übersetzt hier."}
OUTDATED = {"Pi rho sigma tau upsilon.": "Alte Übersetzung hier."}


def project(tmp_path, publish: str, reviewed=REVIEWED):
    root = make_project(tmp_path / "p", {"greek": ARTICLE}, publish)
    # The page chrome reviewed (the repository's German site.po): `min_reviewed` holds
    # for it too, and these tests are about the article's own share.
    (root / "locales/de/LC_MESSAGES").mkdir(parents=True)
    shutil.copy(ROOT / "locales/de/LC_MESSAGES/site.po", root / "locales/de/LC_MESSAGES/site.po")
    assert run(root, "update").code == 0
    path = root / "locales/de/LC_MESSAGES/greek.po"
    po = polib.pofile(str(path))
    for e in po:
        if e.msgid in reviewed:
            e.msgstr = reviewed[e.msgid]
        elif e.msgid in MACHINE:
            e.msgstr, e.tcomment = MACHINE[e.msgid], "pretranslated: libre 2026-11-27"
            e.flags.append("fuzzy")
        elif e.msgid in OUTDATED:
            e.msgstr, e.previous_msgid = OUTDATED[e.msgid], "Pi rho sigma."
            e.flags.append("fuzzy")
        elif e.msgctxt == "slug":
            e.msgstr = "griechisch"
    po.save(str(path))
    return root


def body(html: str) -> list[str]:
    """The article's own paragraphs: those between the facts and the page address."""
    article = fragment(html, "article")
    paragraphs = fragments(article[article.index("</div>") :], "p")
    assert paragraphs[-1].startswith('<p class="print-only">')
    return paragraphs[:-1]


def test_edition_below_threshold_is_withheld_and_not_linked(tmp_path):
    root = project(tmp_path, "")  # default: 80%
    result = run(root, "build")
    assert result.code == 0
    assert "greek [de]: withheld: 40% of its words reviewed, below min_reviewed = 80%" in result.out
    assert not (root / "output/de").exists()
    english = (root / "output/en/greek.html").read_text(encoding="utf-8")
    assert "hreflang" not in english and "Deutsch" not in english


def test_withholding_a_page_published_before_keeps_its_address_with_a_notice(tmp_path):
    root = project(tmp_path, "[tool.pipeline.publish]\nmin_reviewed = 30\n")
    assert run(root, "build").code == 0
    assert (root / "output/de/griechisch.html").exists()
    (root / "pyproject.toml").write_text("[tool.pipeline.publish]\nmin_reviewed = 50\n", encoding="utf-8")
    result = run(root, "build")
    assert "greek [de]: withheld: 40% of its words reviewed, below min_reviewed = 50%" in result.out
    assert "warning: output/de/griechisch.html: the de edition of source/greek.md was published" in result.err
    html = (root / "output/de/griechisch.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in html and 'href="../en/greek.html"' in html
    assert "griechisch" not in (root / "output/sitemap.xml").read_text(encoding="utf-8")


def test_per_language_threshold(tmp_path):
    root = project(
        tmp_path, "[tool.pipeline.publish]\nmin_reviewed = 95\n[tool.pipeline.publish.de]\nmin_reviewed = 40\n"
    )
    result = run(root, "build")
    assert "withheld" not in result.out
    assert (root / "output/de/griechisch.html").exists()


def test_source_policy_shows_source_text_marked(tmp_path):
    root = project(tmp_path, "[tool.pipeline.publish]\nmin_reviewed = 40\n")
    assert run(root, "build").code == 0
    html = (root / "output/de/griechisch.html").read_text(encoding="utf-8")
    # the labels in the page's language (the chrome is German), the blocks marked English
    assert body(html) == [
        "<p>Eins zwei drei vier fünf.</p>",
        "<p>Sechs sieben acht neun zehn.</p>",
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> Lambda mu nu xi omicron.</p>',
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-changed" lang="de">Im Original aktualisiert</span> Pi rho sigma tau upsilon.</p>',
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> Phi chi psi omega end.</p>',
    ]
    assert "Maschinell" not in html and 'class="notice" role' not in html


def test_label_policy_shows_machine_drafts_with_a_notice(tmp_path):
    root = project(tmp_path, '[tool.pipeline.publish.de]\nmin_reviewed = 40\nunreviewed = "label"\n')
    assert run(root, "build").code == 0
    html = (root / "output/de/griechisch.html").read_text(encoding="utf-8")
    assert fragments(html, "p.notice")[0] == (
        '<p class="notice" role="note">Teile dieser Seite wurden maschinell übersetzt und noch nicht geprüft.</p>'
    )
    assert html.index('class="notice"') < html.index("<h1")
    # the machine draft shown; a human translation of an older source text is not a
    # machine draft: source shown, as for the untranslated paragraph
    assert body(html) == [
        "<p>Eins zwei drei vier fünf.</p>",
        "<p>Sechs sieben acht neun zehn.</p>",
        "<p>Maschinell übersetzt hier.</p>",
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-changed" lang="de">Im Original aktualisiert</span> Pi rho sigma tau upsilon.</p>',
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> Phi chi psi omega end.</p>',
    ]
    assert "Alte" not in html


def test_label_policy_without_drafts_has_no_notice(tmp_path):
    reviewed = REVIEWED | {"Lambda mu nu xi omicron.": "Elf zwölf dreizehn vierzehn fünfzehn."}
    root = project(tmp_path, '[tool.pipeline.publish]\nmin_reviewed = 40\nunreviewed = "label"\n', reviewed)
    assert run(root, "build").code == 0
    assert 'class="notice"' not in (root / "output/de/griechisch.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("publish", "message"),
    [
        (
            '[tool.pipeline.publish]\nunreviewed = "maybe"\n',
            '[tool.pipeline.publish] unreviewed: must be "source" or "label"',
        ),
        (
            "[tool.pipeline.publish]\nmin_reviewed = 120\n",
            "[tool.pipeline.publish] min_reviewed: must be a number from 0 to 100",
        ),
        ("[tool.pipeline.publish]\nthreshold = 1\n", "[tool.pipeline.publish] threshold: unknown key"),
    ],
)
def test_policy_errors(tmp_path, publish, message):
    root = project(tmp_path, "")
    (root / "pyproject.toml").write_text(publish, encoding="utf-8")
    for command in ("build", "update"):  # checked at load: every command refuses it
        result = run(root, command)
        assert result.code == 2 and message in result.err


def test_the_policy_counts_words_as_stats_does_with_the_configured_patterns(tmp_path):
    # Trial IDs matched by a configured protected pattern are no words anyone translates:
    # the build's decision, `stats` and the review page count the same words.
    root = make_project(
        tmp_path / "p",
        {"trial": "Trial ABC-123 ABC-124 ABC-125 ABC-126.\n\nThree more words.\n"},
        '[tool.pipeline]\nprotected_patterns = ["ABC-\\\\d+"]\n[tool.pipeline.publish]\nmin_reviewed = 50\n',
    )
    assert run(root, "update").code == 0
    translate(
        root, "trial", lambda e: "Studie ABC-123 ABC-124 ABC-125 ABC-126." if e.msgid.startswith("Trial") else None
    )
    result = run(root, "build")
    assert "trial [de]: withheld: 25% of its words reviewed, below min_reviewed = 50%" in result.out
    stats = run(root, "stats", "--lang", "de", "--json")
    assert '"percent_reviewed": 25.0' in stats.out
    assert run(root, "review", "--lang", "de").code == 0
    assert "25.0% reviewed" in (root / "review/de.html").read_text(encoding="utf-8")
