"""Four-eyes approval: `approve`, the `# approved:` sign-off, and `require = "approved"`,
on a copy of the ALS project, through the tools translators save with (GNU msgcat,
translate-toolkit's PO writer, which Weblate uses)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from translate.storage import po as ttk_po

from pipeline.catalog.approval import approval_digest, is_approved, parse, problems
from pipeline.catalog.model import state
from pipeline.catalog.pofile import read_po
from tests.support import add_reviewer, approve_args, copy_repo, gnu, run, snapshot

ALS = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
SITE = "locales/de/LC_MESSAGES/site.po"
GERMAN = "output/de/stammzelltherapie-als.html"
REQUIRE = '\n[tool.pipeline.publish.de]\nrequire = "approved"\n'


def live(path: Path) -> list[polib.POEntry]:
    """The live entries, read as the pipeline reads them (it knows where they are)."""
    return [e for e in read_po(path) if not e.obsolete and e.msgid]


def test_the_marker_digest_binds_msgctxt_msgid_and_msgstr():
    e = polib.POEntry(msgid="a", msgstr="b")
    digest = approval_digest(e)
    assert re.fullmatch(r"[0-9a-f]{12}", digest)
    for other in (
        polib.POEntry(msgid="a", msgstr="c"),
        polib.POEntry(msgid="a ", msgstr="b"),
        polib.POEntry(msgid="a", msgstr="b", msgctxt=""),  # an empty context is a context
        polib.POEntry(msgid='a","b', msgstr=""),  # no concatenation collides
    ):
        assert approval_digest(other) != digest


@pytest.mark.parametrize(
    "comment",
    [
        "approved: Anna 2026-12-01 000000000000",  # the old unsigned short digest
        "approved: 2026-12-01",  # fields missing
        "approved: Anna 2026-13-01 " + "0" * 64,  # not a date
        "approved: Anna 2026-12-01 " + "0" * 65,  # digest too long
        "approved: Anna 2026-12-01 " + "0" * 64,  # no entry has that digest
    ],
)
def test_forged_or_mangled_sign_offs_are_no_approval(tmp_path, comment):
    root = copy_repo(tmp_path / "p")
    po = read_po(root / ALS)
    e = next(e for e in po if e.msgstr and not e.fuzzy and e.msgid)
    e.tcomment = comment
    assert not is_approved(e) and state(e) == "reviewed"
    assert problems(e) and "is no approval" in problems(e)[0]


def test_without_reviewers_keys_approve_and_require_approved_stop_in_one_line(tmp_path):
    root = copy_repo(tmp_path / "p")
    before = snapshot(root / "locales")
    refused = run(root, "approve", "--lang", "de", "--by", "Dr. A")
    assert refused.code == 2 and len(refused.err.strip().splitlines()) == 1
    assert "locales/reviewers" in refused.err and snapshot(root / "locales") == before
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(REQUIRE)
    built = run(root, "build")
    assert built.code == 2 and len(built.err.strip().splitlines()) == 1 and "locales/reviewers" in built.err


def test_a_draft_is_never_approved():
    e = polib.POEntry(msgid="a", msgstr="b", flags=["fuzzy"])
    e.tcomment = "approved: Anna 2026-12-01 " + "0" * 64
    assert not is_approved(e) and state(e) == "fuzzy"
    assert isinstance(parse("approved: Anna Maria Weber 2026-12-01 " + "0" * 64).name, str)


@pytest.fixture(scope="module")
def approved(tmp_path_factory) -> tuple[Path, object]:
    """The ALS project under `require = "approved"`, approved by a reviewer."""
    root = copy_repo(tmp_path_factory.mktemp("approved"))
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(REQUIRE)
    add_reviewer(root, "Dr. Anna Weber")
    before = run(root, "publish")
    assert before.code == 0 and "als-stem-cell-therapy [de]: withheld: 0% of its words approved" in before.out
    result = run(root, *approve_args(root, "Dr. Anna Weber"))
    assert result.code == 0, result.err
    return root, result


def test_approve_signs_every_reviewed_entry_and_says_so(approved):
    root, result = approved
    entries = live(root / ALS) + live(root / SITE)
    assert entries and all(is_approved(e) for e in entries)
    assert f"de: {len(entries)} entries signed off by Dr. Anna Weber; 2 catalog(s) written; signed " in result.out
    assert re.search(rf"^{ALS}:\d+: approved by Dr. Anna Weber$", result.out, re.M)
    assert gnu("msgfmt", "-c", "-o", "/dev/null", str(root / ALS)).returncode == 0
    stats = run(root, "stats", "--json")
    assert '"percent_approved": 100.0' in stats.out


def test_publish_under_require_approved(approved):
    root, _ = approved
    result = run(root, "publish", "--strict")
    assert result.code == 0, result.err
    assert "edition de: 2 page(s) published; words 100.0% reviewed, 100.0% approved" in result.out
    html = (root / GERMAN).read_text(encoding="utf-8")
    assert "Wirkt eine Stammzelltherapie" in html
    # every block approved: the page says when (the newest sign-off)
    assert re.search(r'Übersetzung freigegeben am <time datetime="\d{4}-\d\d-\d\d">', html)


def test_round_trip_through_msgcat_and_translate_toolkit(approved, tmp_path):
    root, _ = approved
    copy = copy_repo(tmp_path / "copy")
    path = copy / ALS
    path.write_bytes((root / ALS).read_bytes())
    (copy / SITE).write_bytes((root / SITE).read_bytes())
    (copy / "pyproject.toml").write_bytes((root / "pyproject.toml").read_bytes())
    shutil.rmtree(copy / "locales")
    shutil.copytree(root / "locales", copy / "locales")  # the reviewers file and the signed manifests too
    gnu("msgcat", "--width=79", "-o", str(path), str(path))  # what Poedit saves through
    store = ttk_po.pofile.parsefile(str(path))  # Weblate's PO layer
    path.write_bytes(bytes(store))
    entries = live(path)
    assert len(entries) == 72 and all(is_approved(e) for e in entries)
    # a translator changes one msgstr (in Weblate): that sign-off is void, the others stand
    store = ttk_po.pofile.parsefile(str(path))
    unit = next(u for u in store.units if u.source.startswith("About one to two out of 100,000"))
    unit.target = unit.target.replace("Jahr", "Jahr.", 1).replace("..", ".")
    unit.target += " "
    path.write_bytes(bytes(store))
    states = [(e.msgid, state(e)) for e in live(path)]
    assert [s for m, s in states if m.startswith("About one to two out of 100,000")] == ["reviewed"]
    assert sum(1 for _, s in states if s == "approved") == 71
    check = run(copy, "check", "--lang", "de")
    assert re.search(
        rf"{ALS}:\d+: error: approval: '# approved: Dr. Anna Weber [\d-]+ [0-9a-f]{{12}}…' is no approval", check.out
    )
    result = run(copy, "build")
    assert result.code == 0
    html = (copy / GERMAN).read_text(encoding="utf-8")
    assert (
        '<p data-pagefind-ignore="" lang="en"><span class="i18n-mark i18n-unapproved" lang="de">Übersetzung in Prüfung</span> About one to two'
        in html
    )
    assert re.search(r"1 block in English \(not approved\)", result.out)
    # update removes the stale sign-off; a new approval signs the entry again
    updated = run(copy, "update")
    assert updated.code == 0
    assert re.search(
        rf"^{ALS}:\d+: sign-off by Dr. Anna Weber of [\d-]+ voided: the text changed since$", updated.out, re.M
    )
    assert problems(next(e for e in live(path) if e.msgid.startswith("About one to two"))) == []
    again = run(copy, *approve_args(root, "Dr. Anna Weber"), "als-stem-cell-therapy")
    assert "de: 1 entry signed off by Dr. Anna Weber, 71 already approved; 1 catalog(s) written" in again.out


def test_approve_never_signs_drafts_or_errors(tmp_path):
    root = copy_repo(tmp_path / "p")
    po = polib.pofile(str(root / ALS))
    number = next(e for e in po if "100.000" in e.msgstr)
    number.msgstr = number.msgstr.replace("100.000", "10.000", 1)
    draft = next(e for e in po if e.msgid.startswith("ALS affects almost"))
    draft.flags.append("fuzzy")
    po.save(str(root / ALS))
    result = run(root, *approve_args(root, "R"))
    assert result.code == 0
    entries = {e.msgid: e for e in live(root / ALS)}
    assert not is_approved(entries[number.msgid]) and not is_approved(entries[draft.msgid])
    assert re.search(rf"{ALS}:\d+: not signed: numbers: numbers changed", result.err)
    assert "1 not reviewed" in result.out and "1 with errors of enforced checks" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "xx", "--by", "R"], "unknown language code 'xx'"),
        (["--lang", "de", "--by", "R", "no-such-article"], "no article 'no-such-article'"),
        (["--lang", "de", "--by", "R", "--entries", f"{ALS}:3"], f"{ALS}:3: --entries: no entry at this line"),
        (["--lang", "de", "--by", "R", "--entries", "locales/x.po:3"], "is not one of the"),
        (["--lang", "de", "--by", "  "], "--by needs the reviewer's name"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, args, message):
    root = copy_repo(tmp_path / "p")
    add_reviewer(root, "R")
    before = snapshot(root / "locales")
    result = run(root, "approve", *args)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and message in result.err, result.err
    assert snapshot(root / "locales") == before


def test_entries_signs_only_the_entries_named(tmp_path):
    root = copy_repo(tmp_path / "p")
    text = (root / ALS).read_text(encoding="utf-8").split("\n")
    line = next(
        i + 1
        for i, t in enumerate(text)
        if t.startswith("msgstr") and "Lateralsklerose (ALS) ist" in "".join(text[i : i + 3])
    )
    result = run(root, *approve_args(root, "R"), "--entries", f"{ALS}:{line}")
    assert result.code == 0 and "de: 1 entry signed off by R" in result.out
    assert sum(is_approved(e) for e in live(root / ALS)) == 1
