"""Publishing a patient can trust (on copies of the ALS project): enforced checks keep
broken translations off the page, `--strict` fails a deploy, changed sources are
visible, and an edition once published never silently disappears."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from tests import vnu
from tests.support import assert_fragment, copy_repo, fragments, run

ALS = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
SITE = "locales/de/LC_MESSAGES/site.po"
GERMAN = "output/de/stammzelltherapie-als.html"
SOURCE = "source/als-stem-cell-therapy.md"


def edit(path: Path, change) -> None:
    """Apply `change(entry)` to every entry of a catalog and save it (as a tool would)."""
    po = polib.pofile(str(path))
    for entry in po:
        change(entry)
    po.save(str(path))


def page(root: Path) -> str:
    return (root / GERMAN).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, object]:
    """Reviewed entries with a changed number, a lost link, a changed NCT ID, and a
    page chrome with `%(SITE)s`, `%(site)d`, a literal `%` and garbage Plural-Forms."""
    root = copy_repo(tmp_path_factory.mktemp("broken"))

    def article(e: polib.POEntry) -> None:
        if "100.000" in e.msgstr and "Jahr" in e.msgstr:
            e.msgstr = e.msgstr.replace("100.000", "10.000", 1)
        elif e.msgstr == "[NCT01933321](https://clinicaltrials.gov/study/NCT01933321)":
            e.msgstr = "NCT01933321"
        elif e.msgstr == "[NCT01494480](https://clinicaltrials.gov/study/NCT01494480)":
            e.msgstr = "[NCT01494408](https://clinicaltrials.gov/study/NCT01494480)"

    def chrome(e: polib.POEntry) -> None:
        if e.msgid == "%(site)s: articles":
            e.msgstr = "%(SITE)s: Artikel"
        elif e.msgid == "Published on %(date)s":
            e.msgstr = "Veröffentlicht am %(date)d"
        elif e.msgid == "Skip to content":
            e.msgstr = "100 % zum Inhalt"

    edit(root / ALS, article)
    edit(root / SITE, chrome)
    po = polib.pofile(str(root / SITE))
    po.metadata["Plural-Forms"] = "nplurals=2; plural=n((;"
    po.save(str(root / SITE))
    return root, run(root, "publish", "--strict")


def test_broken_translations_are_kept_off_the_page_and_listed(broken):
    root, result = broken
    assert "Traceback" not in result.err
    html = page(root)
    # the source is shown where the translation changed a number, lost a link or changed a trial ID
    paragraphs, cells = fragments(html, "p"), fragments(html, "td")
    assert (
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">Noch nicht übersetzt</span> '
        "About one to two out of 100,000 people develop ALS each year. The disease usually begins between the ages "
        "of 50 and 70; younger adults are rarely affected. Men are affected slightly more often than women (1.6:1). "
        "The frequency of ALS appears to be increasing worldwide. Disease progress varies greatly from patient to "
        "patient, and life expectancy is significantly shortened.</p>"
    ) in paragraphs
    assert "10.000" not in html
    assert (
        '<td data-label="ID und Link" data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-untranslated" lang="de">'
        'Noch nicht übersetzt</span> <a href="https://clinicaltrials.gov/study/NCT01933321">NCT01933321</a></td>'
    ) in cells
    assert "NCT01494408" not in html
    # one notice on top for all of them
    assert fragments(html, "p.notice") == [
        '<p class="notice i18n-notice" role="note">Teile dieser Seite sind noch nicht übersetzt. '
        "Sie werden in der Originalsprache angezeigt und sind gekennzeichnet.</p>"
    ]
    # the page chrome: the English strings, never a crash
    assert "Skip to content" in html and "100 % zum Inhalt" not in html
    lines = result.err.splitlines()
    for check, text in (
        ("numbers", "numbers changed"),
        ("links", "link"),
        ("protected", "NCT01494408"),
    ):
        assert any(re.fullmatch(rf"{ALS}:\d+: {check}: .*{text}.* — source shown", line) for line in lines), (
            check,
            result.err,
        )
    assert any(re.fullmatch(rf"{SITE}:\d+: placeholders: .*%\(site\)s.* — source shown", line) for line in lines)
    assert sum(1 for line in lines if line.startswith(f"{SITE}:") and "placeholders" in line) == 3
    assert any("plural-forms" in line for line in lines)


def test_strict_fails_on_refused_translations(broken):
    _root, result = broken
    assert result.code == 1
    assert "--strict: edition de:" in result.err and "refused by enforced checks" in result.err
    assert re.search(
        r"edition de: 2 page\(s\) published; \d+ block\(s\) not in de \(4 refused\); 8 translation\(s\) refused",
        result.out,
    )


def test_without_strict_the_exit_code_stays_0_and_the_summary_says_it(broken):
    root, _ = broken
    result = run(root, "build")
    assert result.code == 0
    assert "8 translation(s) refused" in result.out


def test_clean_catalogs_pass_strict(tmp_path):
    root = copy_repo(tmp_path / "clean")
    result = run(root, "publish", "--strict")
    assert result.code == 0, result.err
    assert "edition de: 2 page(s) published; words 100.0% reviewed, 0.0% approved" in result.out
    assert "i18n-mark" not in page(root) and "i18n-notice" not in page(root)
    assert "Übersetzung freigegeben" not in page(root)  # reviewed, not approved: no such claim


def test_enforce_setting_names_the_checks(tmp_path):
    root = copy_repo(tmp_path / "p")
    edit(root / ALS, lambda e: setattr(e, "msgstr", e.msgstr.replace("100.000", "10.000", 1)))
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.pipeline.qa]\nenforce = ["links"]\n')
    result = run(root, "publish", "--strict")
    assert result.code == 0, result.err  # numbers are not enforced here
    assert "10.000" in page(root)
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text(encoding="utf-8").replace('["links"]', '["nope"]'), encoding="utf-8"
    )
    bad = run(root, "build")
    assert bad.code == 2 and bad.err.startswith("pyproject.toml: [tool.pipeline.qa] enforce: unknown check 'nope'")


def one_word_change(root: Path, mode: str) -> object:
    text = (root / SOURCE).read_text(encoding="utf-8")
    (root / SOURCE).write_text(
        text.replace("is a very serious disease", "is a very grave disease", 1), encoding="utf-8"
    )
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[tool.pipeline.publish]\nchanged = "{mode}"\n')
    return run(root, "publish")


CHANGED_NOTICE = (
    '<p class="notice i18n-notice" role="note">Teile dieser Seite wurden kürzlich im Original aktualisiert. '
)
GERMAN_FIRST = (
    "Die Amyotrophe Lateralsklerose (ALS) ist eine sehr schwere Erkrankung des zentralen und peripheren "
    "Nervensystems. Abgesehen von den seltenen erblichen Formen ist ihre Ursache noch immer unbekannt. Auch wenn "
    "beide häufig miteinander verglichen werden, hat die ALS nichts mit der MS (Multiple Sklerose) zu tun – es "
    "handelt sich um zwei völlig verschiedene Erkrankungen."
)
EDITED_FIRST = (
    "Amyotrophic lateral sclerosis (ALS) is a very grave disease of the central and peripheral nervous system. "
    "With the exception of the rare hereditary forms, its cause is still unknown. Even though they are often "
    "compared, ALS has nothing to do with MS (Multiple Sclerosis) – they are two completely different diseases."
)


@pytest.mark.parametrize(
    ("mode", "notice", "paragraph", "reason"),
    [
        (  # the edited source, in English, marked as English
            "source",
            "Bis ihre Übersetzung geprüft ist, werden sie in der Originalsprache angezeigt und sind gekennzeichnet.</p>",
            '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-changed" lang="de">Im Original aktualisiert</span> '
            f"{EDITED_FIRST}</p>",
            "in English (source changed)",
        ),
        (  # the reviewed translation of the old source, in German
            "previous",
            "Ihre Übersetzung wurde noch nicht angepasst; sie sind gekennzeichnet.</p>",
            f'<p><span class="i18n-mark i18n-previous" lang="de">Noch nicht aktualisiert</span> {GERMAN_FIRST}</p>',
            "in an older translation (source changed, previous translation shown)",
        ),
    ],
)
def test_a_changed_source_is_visible(tmp_path, mode, notice, paragraph, reason):
    root = copy_repo(tmp_path / mode)
    result = one_word_change(root, mode)
    assert result.code == 0, result.err
    html = page(root)
    assert fragments(html, "p.notice") == [CHANGED_NOTICE + notice]
    assert html.count('class="i18n-mark') == 1 and paragraph in fragments(html, "p")
    if mode == "previous":
        assert "very grave" not in html
    assert re.search(
        rf"^output/de/stammzelltherapie-als\.html: 1 block {re.escape(reason)}: {ALS}:\d+$", result.out, re.M
    )
    strict = run(root, "build", "--strict")
    assert strict.code == (1 if mode == "source" else 0)


def test_a_withheld_edition_keeps_its_address_with_a_notice(tmp_path):
    root = copy_repo(tmp_path / "p")
    assert run(root, "publish").code == 0
    text = (root / SOURCE).read_text(encoding="utf-8").split("\n")
    changed = 0
    for i, line in enumerate(text):  # fifteen one-word edits
        if changed < 15 and len(line) > 150 and re.search(r"\bthe\b", line) and line[0] not in "#|-<[":
            text[i] = re.sub(r"\bthe\b", "this", line, count=1)
            changed += 1
    assert changed == 15
    (root / SOURCE).write_text("\n".join(text), encoding="utf-8")
    result = run(root, "publish")
    assert result.code == 0
    assert re.search(
        r"als-stem-cell-therapy \[de\]: withheld: [\d.]+% of its words reviewed, below min_reviewed = 80%", result.out
    )
    assert f"warning: {GERMAN}: the de edition of {SOURCE} was published and is now withheld" in result.err
    html = page(root)
    assert '<meta name="robots" content="noindex">' in html
    assert '<link rel="canonical" href="https://clinic.example/en/als-stem-cell-therapy.html">' in html
    assert_fragment(
        html,
        "main",
        """
        <main id="main">

        <article>
        <h1>Wirkt eine Stammzelltherapie bei Amyotropher Lateralsklerose?</h1>
        <p class="notice" role="note">Die Übersetzung dieser Seite wird gerade überarbeitet und ist im Moment nicht verfügbar.</p>
        <p><a href="../en/als-stem-cell-therapy.html" hreflang="en">Das Original lesen (Englisch)</a></p>
        </article>

        </main>
        """,
    )
    assert "stammzelltherapie" not in (root / "output/sitemap.xml").read_text(encoding="utf-8")
    english = (root / "output/en/als-stem-cell-therapy.html").read_text(encoding="utf-8")
    assert "stammzelltherapie" not in english  # not in the switcher or hreflang
    assert "stammzelltherapie" not in (root / "output/de/feed.xml").read_text(encoding="utf-8")
    problems = vnu.check([root / GERMAN], base=root)  # the notice page is valid HTML
    assert not problems, "\n".join(map(str, problems))
    # the notice page survives a rerun and a changed setting (the manifest's stamp changes)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# a comment\n")
    again = run(root, "build", "--strict")
    assert again.code == 1 and "1 edition(s) withheld" in again.err
    assert "Die Übersetzung dieser Seite wird gerade überarbeitet" in page(root)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '[tool.pipeline.publish]\nrequire = "signed"\n',
            'pyproject.toml: [tool.pipeline.publish] require: must be "reviewed" or "approved"',
        ),
        (
            '[tool.pipeline.publish.de]\nchanged = "old"\n',
            'pyproject.toml: [tool.pipeline.publish.de] changed: must be "source" or "previous"',
        ),
        (
            '[tool.pipeline.qa]\nenforce = "numbers"\n',
            "pyproject.toml: [tool.pipeline.qa] enforce: must be a list of strings",
        ),
    ],
)
def test_bad_settings_are_one_line_exit_2(tmp_path, table, message):
    root = copy_repo(tmp_path / "p")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + table)
    result = run(root, "build")
    assert result.code == 2 and result.err.strip().startswith(message), result.err
    assert len(result.err.strip().splitlines()) == 1 and not (root / "output").exists()


def test_strict_counts_page_chrome_shown_in_english(tmp_path):
    root = copy_repo(tmp_path / "p")

    def unreview(e: polib.POEntry) -> None:
        if e.msgid == "Languages":
            e.flags.append("fuzzy")

    edit(root / SITE, unreview)
    result = run(root, "publish", "--strict")
    assert result.code == 1
    assert (
        "edition de: 2 page(s) published; 1 page chrome string(s) not in de, shown in English: “Languages”;"
        in result.out
    )
    assert "--strict: edition de: 1 page chrome string(s) in the source language" in result.err
