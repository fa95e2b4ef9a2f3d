"""Sign-offs nobody can forge: each forgery is refused, named by `check`, never counted,
and its entry is published as what it is (reviewed, not approved).

Keys are made here with `ssh-keygen -t ed25519 -N ''` (tests/support.add_reviewer);
the repository itself ships an empty `locales/reviewers`.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import polib
import pytest

from pipeline.base import sshsig
from pipeline.catalog import signoffs
from pipeline.catalog.approval import entry_digest, is_approved, previous_approval, problems
from pipeline.catalog.model import state
from pipeline.catalog.pofile import read_po, write_po
from pipeline.catalog.signoffs import Manifest, scope_of
from pipeline.config.load import load_config
from pipeline.review.approve import approve
from tests.support import ROOT, add_reviewer, approve_args, copy_repo, run

ALS = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
GERMAN = "output/de/stammzelltherapie-als.html"
REQUIRE = '\n[tool.pipeline.publish.de]\nrequire = "approved"\nchanged = "previous"\n'
DOCTOR = "Dr. Anna Weber"


def entries(root: Path) -> list[polib.POEntry]:
    return [e for e in read_po(root / ALS) if not e.obsolete and e.msgid]


def save(root: Path, po_entries: list[polib.POEntry]) -> None:
    """Write the catalog back with these entries changed (read again: polib entries)."""
    po = read_po(root / ALS)
    by_id = {(e.msgctxt, e.msgid): e for e in po_entries}
    for e in po:
        new = by_id.get((e.msgctxt, e.msgid))
        if new is not None:
            e.tcomment, e.flags, e.msgstr = new.tcomment, new.flags, new.msgstr
            e.previous_msgid, e.previous_msgctxt = new.previous_msgid, new.previous_msgctxt
    write_po(po, root / ALS)  # GNU's layout, as Poedit saves (polib's own writer wraps comments)
    signoffs.forget()


@pytest.fixture
def signed(tmp_path) -> Path:
    """The project, every German entry of one article signed by Dr. Weber with her own key."""
    root = copy_repo(tmp_path / "p")
    add_reviewer(root, "Dr. Eve Mallory")  # a second reviewer, listed: her key is not Dr. Weber's
    # the article and the page chrome: under require = "approved" the chrome is held to it too
    result = run(root, *approve_args(root, DOCTOR), "als-stem-cell-therapy", "site")
    assert result.code == 0 and "signed off by Dr. Anna Weber" in result.out, result.err
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(REQUIRE)
    return root


def _errors(root: Path) -> list[str]:
    found = run(root, "check", "--lang", "de")
    return [line for line in found.out.splitlines() if ": error: approval: " in line]


def test_a_real_key_signs_and_the_manifest_verifies(signed):
    [manifest] = (signed / "locales/de/signoffs").glob("*.txt")
    assert manifest.read_text(encoding="utf-8").startswith("pipeline approval manifest 1\nlanguage: de\n")
    signature = manifest.with_name(manifest.name + ".sig")
    verified = sshsig.verify(manifest.read_bytes(), signature.read_bytes(), signed / "locales/reviewers", DOCTOR)
    assert verified is not None and verified.startswith("SHA256:")
    assert (
        sshsig.verify(manifest.read_bytes(), signature.read_bytes(), signed / "locales/reviewers", "Dr. Eve Mallory")
        is None
    )
    assert all(is_approved(e) for e in entries(signed)) and _errors(signed) == []
    line = next(e.tcomment for e in entries(signed) if e.tcomment)
    assert re.fullmatch(r"approved: Dr\. Anna Weber \d{4}-\d\d-\d\d [0-9a-f]{64}", line.split("\n")[-1])


def test_forgery_1_a_hand_written_line_with_a_recomputed_digest(signed):
    po = entries(signed)
    target = po[5]
    target.msgstr += " Nehmen Sie es mit Alkohol ein."  # the forger's change
    target.tcomment = ""
    save(signed, [target])
    target = next(e for e in entries(signed) if e.msgid == target.msgid)
    hexdigest = entry_digest(target, scope_of(target))  # SHA-256 of public text: anyone can compute it
    target.tcomment = f"approved: {DOCTOR} {dt.date.today().isoformat()} {hexdigest}"
    save(signed, [target])
    again = next(e for e in entries(signed) if e.msgid == target.msgid)
    assert not is_approved(again) and state(again) == "reviewed"
    assert any("no verified manifest" in p for p in problems(again))
    assert len(_errors(signed)) == 1


def test_forgery_2_a_copied_line_and_a_replayed_previous_sign_off(signed):
    a, b = entries(signed)[5], entries(signed)[6]
    line = a.tcomment.split("\n")[-1]
    b.tcomment = f"{b.tcomment}\n{line}"  # copied onto another entry
    save(signed, [b])
    assert [p for e in entries(signed) if e.msgid == b.msgid for p in problems(e)]
    # under changed = "previous": another entry's genuine sign-off with its #| msgid and text
    b = next(e for e in entries(signed) if e.msgid == b.msgid)
    b.tcomment = line
    b.flags = ["fuzzy"]
    b.previous_msgid, b.msgstr = a.msgid, a.msgstr
    save(signed, [b])
    replayed = next(e for e in entries(signed) if e.msgid == b.msgid)
    assert previous_approval(replayed) is None
    assert any("another live entry" in p for p in problems(replayed))
    assert run(signed, "build").code == 0
    html = (signed / GERMAN).read_text(encoding="utf-8")
    assert html.count(a.msgstr.split(".")[0]) == 1  # a's translation is on the page once: its own place


def test_forgery_3_the_old_short_digest_collision_is_no_sign_off(signed):
    target = entries(signed)[7]
    genuine = target.tcomment.split("\n")[-1]
    name_date, full = genuine.rsplit(" ", 1)
    target.tcomment = f"{name_date} {full[:12]}"  # the old format: 48 bits, collisions found in minutes
    save(signed, [target])
    assert not is_approved(next(e for e in entries(signed) if e.msgid == target.msgid))
    # a text sharing the first 12 hex digits of a signed one: the full digest differs
    target = next(e for e in entries(signed) if e.msgid == target.msgid)
    target.tcomment = f"{name_date} {full[:12]}{'0' * 52}"
    save(signed, [target])
    again = next(e for e in entries(signed) if e.msgid == target.msgid)
    assert not is_approved(again) and problems(again)


def test_forgery_4_a_future_date_even_genuinely_signed(tmp_path):
    root = copy_repo(tmp_path / "p")
    key = add_reviewer(root, DOCTOR)
    config = load_config(root)
    result = approve(config, "de", DOCTOR, ["als-stem-cell-therapy"], today=dt.date(2099, 12, 31), key=key)
    assert result.signed  # signed with her key, but dated in the future
    signoffs.forget()
    assert not any(is_approved(e) for e in entries(root))
    errors = _errors(root)
    assert any("dated 2099-12-31, in the future" in e for e in errors)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(REQUIRE)
    built = run(root, "build")
    assert built.code == 0 and "withheld: 0% of its words approved" in built.out  # reviewed, not approved
    assert not any("2099" in p.read_text(encoding="utf-8") for p in (root / "output").rglob("*.html"))


def test_a_manifest_altered_or_signed_by_another_key_is_refused(signed):
    [manifest] = (signed / "locales/de/signoffs").glob("*.txt")
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + "0" * 64 + " als-stem-cell-therapy\n", encoding="utf-8")  # one digest added
    signoffs.forget()
    assert not any(is_approved(e) for e in entries(signed))
    assert any("does not verify" in line for line in _errors(signed))
    # Eve signs a manifest in Dr. Weber's name with her own (listed) key
    manifest.write_text(text, encoding="utf-8")
    eve = add_reviewer(signed, "Dr. Eve Mallory")
    manifest.with_name(manifest.name + ".sig").write_bytes(sshsig.sign(text.encode(), eve))
    signoffs.forget()
    assert not any(is_approved(e) for e in entries(signed))


def test_approve_with_a_key_not_the_reviewers_writes_nothing(tmp_path):
    root = copy_repo(tmp_path / "p")
    add_reviewer(root, DOCTOR)
    other = add_reviewer(root, "Dr. Eve Mallory")
    before = (root / ALS).read_bytes()
    result = run(root, "approve", "--lang", "de", "--by", DOCTOR, "--key", str(other))
    assert result.code != 0 and "is not Dr. Anna Weber's" in result.err
    assert (root / ALS).read_bytes() == before and not (root / "locales/de/signoffs").exists()


def test_verification_runs_ssh_keygen_once_per_manifest_then_never(signed, monkeypatch):
    calls = []
    real = sshsig.verify

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(signoffs, "verify", counting)
    (signed / ".cache/pipeline/signoffs.json").unlink(missing_ok=True)
    signoffs.forget()
    assert all(is_approved(e) for e in entries(signed))
    assert len(calls) == 1  # one manifest: one ssh-keygen, however many entries
    signoffs.forget()  # a new process: the verified manifest is remembered on disk
    assert all(is_approved(e) for e in entries(signed)) and len(calls) == 1


def test_the_repository_ships_no_sign_off_and_an_empty_reviewers_file():
    lines = (ROOT / "locales/reviewers").read_text(encoding="utf-8").splitlines()
    assert lines and all(line.startswith("#") for line in lines)
    assert not list(ROOT.glob("locales/*/signoffs/*"))
    for path in ROOT.glob("locales/*/LC_MESSAGES/*.po"):
        assert "approved:" not in path.read_text(encoding="utf-8")


def test_missing_ssh_keygen_is_one_line(signed, monkeypatch):
    monkeypatch.setattr(sshsig.shutil, "which", lambda _name: None)
    (signed / ".cache/pipeline/signoffs.json").unlink(missing_ok=True)
    signoffs.forget()
    assert not any(is_approved(e) for e in entries(signed))
    assert any("ssh-keygen not found" in why for _rel, why in signoffs.ledger(signed / "locales", "de").refused)


def test_a_sign_off_survives_msgcat_and_translate_toolkit(signed):
    from translate.storage import po as ttk_po

    path = signed / ALS
    subprocess.run(["msgcat", "--width=79", "-o", str(path), str(path)], check=True)
    path.write_bytes(bytes(ttk_po.pofile.parsefile(str(path))))
    assert all(is_approved(e) for e in entries(signed))


def test_a_manifest_round_trips(tmp_path):
    manifest = Manifest("de", DOCTOR, dt.date(2026, 12, 7), (("a" * 64, "als-stem-cell-therapy"),))
    assert signoffs.parse_manifest(manifest.text()) == manifest
    assert isinstance(signoffs.parse_manifest(manifest.text().replace("reviewer:", "by:")), str)
