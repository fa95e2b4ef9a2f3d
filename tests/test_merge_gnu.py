"""`update` merges as GNU msgmerge does, on real files, checked against GNU's tools;
and it leaves alone a catalog that lost most of its translations."""

from __future__ import annotations

import re
import subprocess

import polib
import pytest

from pipeline.catalog.pofile import read_po
from tests.support import gnu, make_project, msgfmt_check, run

PARAGRAPHS = [f"Paragraph number {i} says something about stem cells and {i} patients." for i in range(1, 19)]
ARTICLE = "\n\n".join(
    [
        "<!-- i18n: context button -->",
        "Book now",
        "Some text between the two buttons.",
        "Book now",
        "A paragraph that is going to change a little soon.",
        *PARAGRAPHS,
    ]
)


def catalog(root):
    return root / "locales/de/LC_MESSAGES/a.po"


def template(root):
    return root / "locales/templates/a.pot"


def project(tmp_path, text=ARTICLE):
    root = make_project(tmp_path / "p", {"a": "---\ntitle: T\n---\n\n" + text + "\n"})
    assert run(root, "update").code == 0
    path = catalog(root)
    po = polib.pofile(str(path))
    for e in po:
        if e.msgctxt != "slug":
            e.msgstr = "DE " + e.msgid
    po.save(str(path))
    assert run(root, "update").code == 0  # the last successful run: every entry translated
    return root


def edit(root, old, new):
    path = root / "source/a.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def msgmerge(tmp_path, old_text, pot):
    """GNU `msgmerge --previous` of a catalog as it was with the new template."""
    old, new = tmp_path / "before.po", tmp_path / "gnu.po"
    old.write_text(old_text, encoding="utf-8")
    gnu("msgmerge", "--previous", "--quiet", str(old), str(pot), "-o", str(new))
    return read_po(new)  # polib would not see `#~|`


def summary(po):
    return sorted(
        (
            bool(e.obsolete),
            e.msgctxt or "",
            e.msgid,
            e.msgstr,
            e.fuzzy,
            e.previous_msgctxt or "",
            e.previous_msgid or "",
        )
        for e in po
    )


def test_stale_previous_msgid_is_dropped_once_a_reviewer_removed_fuzzy(tmp_path):
    root = project(tmp_path)
    edit(root, "going to change a little soon", "going to change a bit soon")
    assert run(root, "update").code == 0
    path = catalog(root)
    text = path.read_text(encoding="utf-8")
    assert '#| msgid "A paragraph that is going to change a little soon."' in text
    text = text.replace("#, fuzzy\n", "", 1)  # the reviewer's edit: only the flag removed
    path.write_text(text, encoding="utf-8")
    edit(root, "Book now\n\nSome", "Zebra quartz xylophone.\n\nBook now\n\nSome")  # so the file is rewritten
    assert run(root, "update").code == 0
    ours = read_po(path)
    reviewed = next(e for e in ours if e.msgid == "A paragraph that is going to change a bit soon.")
    assert not reviewed.fuzzy and reviewed.previous_msgid is None
    assert "#|" not in path.read_text(encoding="utf-8")
    assert summary(ours) == summary(msgmerge(tmp_path, text, template(root)))


def test_renamed_context_offers_the_same_text_as_fuzzy_like_msgmerge(tmp_path):
    root = project(tmp_path, "<!-- i18n: context button -->\n\nSign up today\n\nOther text.")
    before = catalog(root).read_text(encoding="utf-8")
    edit(root, "<!-- i18n: context button -->", "<!-- i18n: context cta -->")
    result = run(root, "update")
    assert result.code == 0 and "1 fuzzy" in result.out, result.out
    ours = read_po(catalog(root))
    entry = next(e for e in ours if e.msgctxt == "cta")
    assert (entry.msgstr, entry.fuzzy, entry.previous_msgctxt, entry.previous_msgid) == (
        "DE Sign up today",
        True,
        "button",
        "Sign up today",
    )
    assert summary(ours) == summary(msgmerge(tmp_path, before, template(root)))


def test_previous_msgids_of_obsolete_entries_survive_a_rewrite(tmp_path):
    root = project(tmp_path)
    edit(root, "going to change a little soon", "going to change a bit soon")
    assert run(root, "update").code == 0
    path = catalog(root)
    fuzzy = path.read_text(encoding="utf-8")
    edit(root, "A paragraph that is going to change a bit soon.\n\n", "")
    assert run(root, "update").code == 0
    # A fuzzy entry whose source went away is obsolete with its `#~|`, as msgmerge makes it.
    previous = '#~| msgid "A paragraph that is going to change a little soon."'
    assert previous in path.read_text(encoding="utf-8")
    assert summary(read_po(path)) == summary(msgmerge(tmp_path, fuzzy, template(root)))
    edit(root, "Paragraph number 2 says", "Paragraph number two says")
    assert run(root, "update").code == 0
    text = path.read_text(encoding="utf-8")
    assert previous in text  # kept through the rewrite
    assert gnu("msgcat", "--width=79", str(path)).stdout == text
    assert msgfmt_check(path).returncode == 0


def test_revived_obsolete_entries_are_reported_as_revived(tmp_path):
    root = project(tmp_path)
    edit(root, PARAGRAPHS[0] + "\n\n", "")
    edit(root, PARAGRAPHS[1] + "\n\n", "")
    assert "2 obsolete" in run(root, "update").out
    edit(root, PARAGRAPHS[2], "\n\n".join(PARAGRAPHS[:3]))
    result = run(root, "update")
    assert "locales/de/LC_MESSAGES/a.po: 0 new, 0 fuzzy, 2 revived, 0 obsolete, 22 unchanged" in result.out, result.out
    revived = next(e for e in read_po(catalog(root)) if e.msgid == PARAGRAPHS[0])
    assert not revived.obsolete and not revived.fuzzy and revived.msgstr == "DE " + PARAGRAPHS[0]


def test_repeated_identical_blocks_each_get_their_own_line(tmp_path):
    root = project(tmp_path, "Book now\n\nBetween.\n\nBook now\n\n| Yes | Yes |\n|---|---|\n| No | No |")
    lines = (root / "source/a.md").read_text(encoding="utf-8").split("\n")
    entry = next(e for e in read_po(template(root)) if e.msgid == "Book now")
    numbers = [int(n) for _f, n in entry.occurrences]
    assert numbers == [i + 1 for i, line in enumerate(lines) if line == "Book now"] and len(set(numbers)) == 2
    cells = next(e for e in read_po(template(root)) if e.msgid == "Yes")
    assert [n for _f, n in cells.occurrences] == [str(lines.index("| Yes | Yes |") + 1)]  # one line, one reference
    assert re.search(r"#: source/a\.md:\d+ source/a\.md:\d+\n", template(root).read_text(encoding="utf-8"))


def test_obsolete_entries_before_the_header_are_accepted_as_msgfmt_accepts_them(tmp_path):
    root = project(tmp_path)
    path = catalog(root)
    text = path.read_text(encoding="utf-8")
    old = '#~ msgid "Gone one"\n#~ msgstr "Weg eins"\n\n#~ msgid "Gone two"\n#~ msgstr "Weg zwei"\n\n'
    path.write_text(old + text, encoding="utf-8")
    check = msgfmt_check(path)
    assert check.returncode == 0, check.stderr
    edit(root, "Paragraph number 3 says", "Paragraph number three says")
    result = run(root, "update")
    assert result.code == 0, result.err
    gone = {e.msgid: e.msgstr for e in read_po(path) if e.obsolete}
    assert gone["Gone one"] == "Weg eins" and gone["Gone two"] == "Weg zwei"


ADVICE = {
    None: "restore it from a backup or your editor's history",
    "untracked": "it was never committed to git: restore it from a backup or your editor's history",
    "tracked": "restore it from git (git checkout -- locales/de/LC_MESSAGES/a.po)",
}


@pytest.mark.parametrize("git_state", [None, "untracked", "tracked"])
def test_a_catalog_that_lost_most_translations_is_left_alone(tmp_path, git_state):
    """Left as it is, with advice that fits the file's git state (`git checkout` fails
    for a file never committed), and `--accept-loss` (make: ACCEPT_LOSS=1) to go on."""
    root = project(tmp_path)
    path = catalog(root)
    if git_state is not None:
        git = ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org"]
        subprocess.run([*git, "init", "-q"], check=True)
        if git_state == "tracked":
            subprocess.run([*git, "add", "locales"], check=True)
            subprocess.run([*git, "commit", "-q", "-m", "catalogs"], check=True)
    po = read_po(path)
    fragment = polib.POFile()
    fragment.metadata = po.metadata
    for e in [e for e in po if e.msgstr][:3]:
        fragment.append(e)
    fragment.save(str(path))  # overwritten by mistake with a fragment of itself
    damaged = path.read_bytes()
    for command in ("update", "publish"):
        result = run(root, command)
        assert result.code == 1, result.out
        assert result.err.splitlines() == [
            "locales/de/LC_MESSAGES/a.po: holds 3 translations, 23 at the last successful run; left as it is: "
            f"{ADVICE[git_state]}, or run again with --accept-loss (make: ACCEPT_LOSS=1)"
        ]
        assert path.read_bytes() == damaged
    result = run(root, "update", "--accept-loss")
    assert result.code == 0, result.err
    assert "20 new" in result.out
    assert run(root, "update").code == 0  # the loss is the new normal


def test_a_small_loss_is_ordinary_work(tmp_path):
    root = project(tmp_path)
    path = catalog(root)
    po = polib.pofile(str(path))
    for e in list(po)[:4]:  # four translations cleared: fewer than 5
        e.msgstr = ""
    po.save(str(path))
    assert run(root, "update").code == 0


def test_deleting_machine_drafts_is_not_lost_work(tmp_path):
    root = make_project(tmp_path / "p", {"a": "---\ntitle: T\n---\n\n" + ARTICLE + "\n"})
    assert run(root, "update").code == 0
    path = catalog(root)
    po = polib.pofile(str(path))
    for e in po:
        if e.msgctxt != "slug":  # what pretranslate writes: fuzzy drafts with their origin
            e.msgstr, e.flags, e.tcomment = "DE " + e.msgid, ["fuzzy"], "pretranslated: libre 2026-11-27"
    po.save(str(path))
    assert run(root, "update").code == 0
    for e in po:
        e.msgstr = ""  # the translator throws the drafts away
    po.save(str(path))
    assert run(root, "update").code == 0
