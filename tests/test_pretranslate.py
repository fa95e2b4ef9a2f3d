"""Machine pretranslation, end to end: real catalogs, a real HTTP server speaking
LibreTranslate's API, driven through deep-translator's own `LibreTranslator`.

No mocks: `tests.libre_server.LibreServer` listens on 127.0.0.1 and can be slow,
hang, fail the first N requests, demand an API key or answer garbage.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import textwrap
import time
from collections import Counter
from pathlib import Path

import polib
import pytest

from pipeline.catalog.model import provenance, state
from pipeline.catalog.pofile import read_po, serialize
from pipeline.markup.spans import protected_spans
from tests.libre_server import LibreServer
from tests.support import ROOT, msgfmt_check, run, run_cli, snapshot, start_cli

ALS = "als-stem-cell-therapy"
GUIDE = "patient-guide"
NCT = re.compile(r"NCT\d{8}")
REPEATED = (
    "Currently, there is no known cure for ALS, but stem cell-based therapies may give patients, "
    "their doctors and scientists hope in dealing with this condition."
)
GUIDE_MD = f"""\
---
title: Stem cell therapy at a glance
date: 2021-01-10
lang: en
---

{REPEATED}

See [the registry entry](https://clinicaltrials.gov/study/NCT01933321 "ClinicalTrials.gov") for trial NCT01933321, \
or write to <info@example.org>.

Run `pipeline --lang fr` and read https://example.org/faq?x=1&y=2 before the visit.[^1]

The <abbr title="motor neuron disease">MND</abbr> clinic&nbsp;team answers within **two days**\x20\x20
by phone or e-mail: care@example.org.

![A motor neuron under the microscope](images/neuron.png "Motor neuron")

Our intrathecal treatment uses [autologous cells][auto] from bone marrow.

## Contact {{#contact}}

[auto]: https://example.org/autologous "Autologous cells"
[^1]: The FAQ is updated every month.
"""
MT_CONFIG = """
[tool.pipeline.mt]
engine = "libre"
backoff = 0.05
"""
STARTED = dt.date.today()


def days() -> str:
    """The dates a provenance written during this run can carry, as a regex (a run
    may cross midnight)."""
    first, last = STARTED, dt.date.today()
    return "|".join(sorted({first.isoformat(), last.isoformat()}))


def make(
    root: Path, mt: str = MT_CONFIG, langs: str = '["en", "de", "fr"]', guide: bool = True, als: bool = True
) -> Path:
    """A project with the ALS article (and its reviewed German catalog), the
    patient guide, the glossary; `update` has made fresh catalogs."""
    (root / "source").mkdir(parents=True)
    (root / "locales" / "de" / "LC_MESSAGES").mkdir(parents=True)
    if als:
        shutil.copy(ROOT / "source" / f"{ALS}.md", root / "source")
    shutil.copy(ROOT / "locales" / "glossary.csv", root / "locales")
    shutil.copy(ROOT / "locales" / "de" / "LC_MESSAGES" / f"{ALS}.po", root / "locales" / "de" / "LC_MESSAGES")
    if guide:
        (root / "source" / f"{GUIDE}.md").write_text(GUIDE_MD, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        f'[tool.pipeline]\nproject_name = "Test"\nlanguages = {langs}\n' + textwrap.dedent(mt), encoding="utf-8"
    )
    result = run(root, "update")
    assert result.code == 0, result.err
    return root


def fr(root: Path, name: str = ALS) -> Path:
    return root / "locales" / "fr" / "LC_MESSAGES" / f"{name}.po"


def french(root: Path) -> list[Path]:
    """Every French catalog: the articles' and the page chrome's (`site`)."""
    return sorted((root / "locales" / "fr").rglob("*.po"))


def reviewed_ui(root: Path, lang: str) -> None:
    """A translator has reviewed the page chrome (so only articles remain)."""
    path = root / "locales" / lang / "LC_MESSAGES" / "site.po"
    po = read_po(path)
    for entry in po:
        entry.msgstr = entry.msgid
    po.save(str(path))


def pretranslate(root: Path, server: LibreServer | str, *args: str, lang: str = "fr"):
    url = server if isinstance(server, str) else server.url
    return run(root, "pretranslate", "--lang", lang, "--engine-url", url, *args)


def spans(text: str) -> Counter:
    return Counter((s.kind, s.text) for s in protected_spans(text, (r"\bNCT\d{8}\b",)))


def drafts(path: Path, origin: str = "libre") -> list[polib.POEntry]:
    return [e for e in read_po(path) if (provenance(e) or "").startswith(origin)]


def assert_sound(path: Path) -> None:
    """A valid catalog whose every translation keeps its source's protected spans."""
    check = msgfmt_check(path)
    assert check.returncode == 0, check.stderr
    for entry in read_po(path):
        if entry.msgstr and provenance(entry):
            assert "⟦" not in entry.msgstr and "⟧" not in entry.msgstr, entry.msgstr
            assert spans(entry.msgstr) == spans(entry.msgid), (entry.msgid, entry.msgstr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    with LibreServer() as s:
        yield s


# -- the ALS article into a fresh language ---------------------------------------


def test_fresh_language_gets_sound_drafts_and_reviewed_work_is_untouched(tmp_path, server):
    root = make(tmp_path / "p")
    # A translator already reviewed two entries, left a fuzzy translation of a
    # changed paragraph, marked one entry keep-source — and saved with Poedit's
    # tool (msgcat re-wraps lines differently from polib).
    po = read_po(fr(root))
    by_id = {e.msgid: e for e in po}
    by_id["Clinical Trials"].msgstr = "Essais cliniques"
    by_id["References"].msgstr = "Références"
    by_id["Study Name"].msgstr, by_id["Study Name"].flags = "Nom de l'étude (ancien)", ["fuzzy"]
    by_id["Status"].tcomment = "keep-source"
    po.save(str(fr(root)))
    subprocess.run(["msgcat", "--width=60", "-o", str(fr(root)), str(fr(root))], check=True)
    before = fr(root).read_text(encoding="utf-8")
    german = snapshot(root / "locales" / "de")

    result = pretranslate(root, server)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err

    entries = read_po(fr(root))
    for entry in entries:
        if entry.msgctxt == "slug" or entry.msgid == "Status":
            assert entry.msgstr == "", entry.msgid  # the slug and keep-source stay empty
        elif entry.msgid in ("Clinical Trials", "References"):
            assert state(entry) == "reviewed"
        elif entry.msgid == "Study Name":
            assert entry.msgstr == "Nom de l'étude (ancien)" and provenance(entry) is None
        else:
            assert entry.fuzzy and entry.msgstr, entry.msgid
            assert re.fullmatch(rf"(libre|copy) ({days()})", provenance(entry) or ""), entry.tcomment
    assert_sound(fr(root))
    assert_sound(fr(root, GUIDE))
    # Every block the run did not fill is byte for byte what the translator saved.
    after = fr(root).read_text(encoding="utf-8")
    kept = [b for b in before.split("\n\n") if "Essais cliniques" in b or "Références" in b or "ancien" in b]
    assert len(kept) == 3 and all(b in after for b in kept)
    assert snapshot(root / "locales" / "de") == german

    # Links, URLs, code, e-mail addresses and trial IDs never reach the engine.
    sent = "\n".join(server.texts)
    for secret in ("http", "clinicaltrials.gov", "example.org", "`", "<abbr", "&nbsp;", "[^1]", "{#contact}"):
        assert secret not in sent
    assert not NCT.search(sent)
    assert not re.search(r"(?<!\w)ALS(?!\w)", sent)  # glossary: do not translate
    # Each unique text once; the paragraph both articles share, once.
    assert server.requests == len(server.texts) == len(set(server.texts))
    assert sum(1 for t in server.texts if "dealing with this condition" in t) == 1

    guide = {e.msgid: e.msgstr for e in read_po(fr(root, GUIDE))}
    assert guide[REPEATED] == {e.msgid: e.msgstr for e in entries}[REPEATED]
    link = next(m for m in guide if m.startswith("See [the registry"))
    assert guide[link] == (
        'Voir [le REGISTRY ENTRY](https://clinicaltrials.gov/study/NCT01933321 "ClinicalTrials.gov") pour TRIAL '
        "NCT01933321, OR WRITE TO <info@example.org>."
    )
    hard_break = next(m for m in guide if m.startswith("The <abbr"))
    assert "**" in guide[hard_break] and "  \n" in guide[hard_break]

    # A second run sends nothing.
    server.reset()
    again = pretranslate(root, server)
    assert again.code == 0 and server.requests == 0
    # The cache: with the drafts gone (a fresh catalog again), still nothing is sent.
    fresh = fr(root).read_text(encoding="utf-8")
    fr(root).write_text(before, encoding="utf-8")
    third = pretranslate(root, server)
    assert third.code == 0 and server.requests == 0, third.out
    assert fr(root).read_text(encoding="utf-8") == fresh


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(tmp_path, server):
    root = make(tmp_path / "p")
    locales = snapshot(root / "locales")
    result = pretranslate(root, server, "--dry-run")
    assert result.code == 0, result.err
    assert server.requests == 0
    assert snapshot(root / "locales") == locales
    lines = [line.split(None, 1) for line in result.out.splitlines() if line.strip()[:1].isdigit()]
    texts = [json.loads(text) for _, text in lines]
    assert len(texts) > 50 and len(set(texts)) == len(texts)
    assert all(int(size.replace(",", "")) == len(text) for (size, _), text in zip(lines, texts, strict=True))
    assert not any("http" in t or NCT.search(t) for t in texts)
    total = sum(len(t) for t in texts)
    assert f"would send {len(texts)} text(s), {total:,} characters" in result.out


def test_limit_sends_at_most_n_texts(tmp_path, server):
    root = make(tmp_path / "p")
    result = pretranslate(root, server, "--limit", "5")
    assert result.code == 0, result.err
    assert server.requests == 5
    assert "left for a later run" in result.out


def test_requests_run_concurrently(tmp_path):
    root = make(tmp_path / "p", guide=False)
    with LibreServer(latency=0.1) as server:
        assert pretranslate(root, server, "--workers", "1", "--limit", "6").code == 0
        assert server.max_inflight == 1
        server.reset()
        assert pretranslate(root, server, "--limit", "24").code == 0
        assert server.max_inflight >= 4  # default: 8 workers


# -- an unreliable engine --------------------------------------------------------


def test_a_server_that_never_answers_ends_the_run_in_bounded_time(tmp_path):
    root = make(tmp_path / "p", mt='[tool.pipeline.mt]\nengine = "libre"\nretries = 3\nbackoff = 0.2\n')
    with LibreServer(hang=True) as server:
        start = time.monotonic()
        result = pretranslate(root, server, "--timeout", "2")
        elapsed = time.monotonic() - start
    # (retries + 1) attempts of 2 s, plus backoff 0.2 + 0.4 + 0.8 (x 1.5 jitter at most), plus slack
    assert elapsed < 4 * 2 + 1.4 * 1.5 + 3 < 40, elapsed
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.strip().splitlines()[-1] == (
        f"python -m pipeline: no answer from libre at {server.url} within 2 s (after 4 attempts)"
    )
    for path in (fr(root), fr(root, GUIDE)):
        assert_sound(path)
        assert drafts(path) == []  # nothing from the engine; only copies of link-only cells


def test_a_flaky_server_succeeds_after_its_first_three_503s(tmp_path):
    root = make(tmp_path / "p")
    with LibreServer(fail_first=3, fail_status=503) as server:
        result = pretranslate(root, server)
        assert result.code == 0, result.err
        assert server.failed == 3
        assert server.requests == len(set(server.texts)) + 3
    assert_sound(fr(root))
    assert all(e.msgstr for e in read_po(fr(root)) if e.msgctxt != "slug")


def test_429_is_retried_and_retry_after_is_honoured(tmp_path):
    root = make(tmp_path / "p", guide=False)
    with LibreServer(fail_first=1, fail_status=429, retry_after="1") as server:
        start = time.monotonic()
        result = pretranslate(root, server, "--workers", "1", "--limit", "1")
        assert result.code == 0, result.err
        assert server.requests == 2
    assert time.monotonic() - start >= 1.0  # Retry-After: 1, not our 0.05 s backoff


def test_offline_is_one_clear_line(tmp_path):
    root = make(tmp_path / "p")
    url = f"http://127.0.0.1:{free_port()}/"
    result = pretranslate(root, url)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.strip().splitlines()[-1] == (
        f"python -m pipeline: cannot reach libre at {url}: connection refused (is the server running?) (after 4 attempts)"
    )
    assert_sound(fr(root))


def test_an_unauthorized_key_is_one_clear_line_and_not_retried(tmp_path, monkeypatch):
    root = make(tmp_path / "p")
    monkeypatch.setenv("LIBRE_API_KEY", "wrong")
    with LibreServer(api_key="secret") as server:
        result = pretranslate(root, server)
        assert server.requests <= 8  # at most one per worker, no retries
    assert result.code == 2
    assert result.err.strip() == "python -m pipeline: libre refused the API key (HTTP 403); check LIBRE_API_KEY"
    assert_sound(fr(root))
    monkeypatch.setenv("LIBRE_API_KEY", "secret")
    with LibreServer(api_key="secret") as server:
        assert pretranslate(root, server).code == 0


@pytest.mark.parametrize("garbage", ["html", "no-field", "drop-token", "dup-token", "mangle-token"])
def test_garbage_answers_leave_entries_untranslated_and_reported(tmp_path, garbage):
    root = make(tmp_path / "p", als=False)
    with LibreServer(garbage=garbage) as server:
        result = pretranslate(root, server)
    assert result.code == 0, result.err
    assert "left untranslated" in result.err and "Traceback" not in result.err
    for path in french(root):
        assert_sound(path)  # nothing broken was written
    link = next(e for e in read_po(fr(root, GUIDE)) if e.msgid.startswith("See [the registry"))
    assert link.msgstr == ""
    assert f"{fr(root, GUIDE).relative_to(root).as_posix()}:" in result.err
    # Broken answers are not cached: a good server gets asked again.
    with LibreServer() as server:
        assert pretranslate(root, server).code == 0
        assert server.requests > 0
    assert link.msgid in {e.msgid for e in drafts(fr(root, GUIDE))}


def test_spacing_engines_add_around_tokens_is_tolerated(tmp_path):
    root = make(tmp_path / "p", als=False)
    with LibreServer(garbage="space-tokens") as server:
        result = pretranslate(root, server)
    assert result.code == 0 and "left untranslated" not in result.err, result.err
    guide = {e.msgid: e.msgstr for e in read_po(fr(root, GUIDE))}
    link = next(m for m in guide if m.startswith("See [the registry"))
    # " ⟦ 1 ⟧ le" → "[le": no space inside the link, runs of spaces collapsed
    assert guide[link].startswith("Voir [le REGISTRY ENTRY](https://clinicaltrials.gov/study/NCT01933321")
    hard_break = next(m for m in guide if m.startswith("The <abbr"))
    assert guide[hard_break].count("  \n") == 1  # the hard break, and no accidental one
    assert " \n" not in guide[hard_break].replace("  \n", "")
    assert_sound(fr(root, GUIDE))


def test_kill_9_leaves_valid_catalogs_with_the_saved_drafts(tmp_path):
    root = make(tmp_path / "p", mt='[tool.pipeline.mt]\nengine = "libre"\nworkers = 2\nsave_every = 3\n')
    with LibreServer(latency=0.15) as server:
        proc = start_cli(
            root, "pretranslate", "--lang", "fr", "--engine-url", server.url,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(len(drafts(p)) for p in french(root)) < 6:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        sent_before = server.requests
    saved = {(p.name, e.msgid): e.msgstr for p in french(root) for e in drafts(p)}
    assert len(saved) >= 6
    assert sent_before < 60  # killed in the middle, not at the end
    for path in (root / "locales").rglob("*.po"):
        assert_sound(path)
    db = sqlite3.connect(root / ".cache" / "pretranslate" / "cache.sqlite3")
    cached = {row[0] for row in db.execute("SELECT text FROM translations")}
    db.close()
    assert len(cached) >= 3
    with LibreServer() as server:
        result = pretranslate(root, server)
        assert result.code == 0, result.err
        # What was answered before the kill is not asked again.
        assert server.requests > 0 and cached.isdisjoint(server.texts)
    after = {(p.name, e.msgid): e.msgstr for p in french(root) for e in drafts(p)}
    assert all(after[k] == v for k, v in saved.items())
    assert all(e.msgstr for p in french(root) for e in read_po(p) if e.msgctxt != "slug")


def test_ctrl_c_saves_what_was_answered_and_exits_at_once(tmp_path):
    root = make(tmp_path / "p", mt='[tool.pipeline.mt]\nengine = "libre"\nworkers = 2\nsave_every = 1000\n')
    # Ctrl-C as a terminal delivers it: a suite started in the background of a shell
    # without job control runs with SIGINT ignored, and an ignored signal is inherited.
    was = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _interrupt_a_run(root)
    finally:
        signal.signal(signal.SIGINT, was)


def _interrupt_a_run(root: Path) -> None:
    with LibreServer(latency=0.3) as server:
        proc = start_cli(
            root, "pretranslate", "--lang", "fr", "--engine-url", server.url,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.requests < 8:
            time.sleep(0.02)
        server.hang = True  # from now on no request is ever answered
        stuck = server.requests
        while time.monotonic() < deadline and server.requests == stuck and not server.inflight:
            time.sleep(0.02)  # until a worker waits for an answer that will not come
        proc.send_signal(signal.SIGINT)
        # Requests in flight are abandoned, not awaited: awaiting them would take the
        # request timeout (30 s) and then retries. No clock read: a margin, not a time.
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "python -m pipeline: interrupted"
    # Nothing was due for saving yet (save_every 1000, 10 s): Ctrl-C saved it.
    assert sum(len(drafts(p)) for p in french(root)) >= 5
    for path in french(root):
        assert_sound(path)


# -- translation memory and glossary ---------------------------------------------


MEMORY_MD = """\
---
title: Does Stem Cell Therapy for Amyotrophic Lateral Sclerosis Work?
lang: en
---

Currently, there is no known cure for ALS, but stem cell-based therapies may give patients, their doctors and \
scientists hope in dealing with this serious condition.

## Clinical Trials

| Study Name | ID and Link |
| --- | --- |
| completed | [NCT09999999](https://clinicaltrials.gov/study/NCT09999999) |
"""


def test_memory_serves_exact_and_near_matches_without_network(tmp_path):
    root = make(tmp_path / "p", guide=False)
    (root / "source" / "brief.md").write_text(MEMORY_MD, encoding="utf-8")
    assert run(root, "update", "--lang", "de").code == 0
    reviewed_ui(root, "de")
    catalog = root / "locales" / "de" / "LC_MESSAGES" / "brief.po"
    closed = f"http://127.0.0.1:{free_port()}/"  # nothing listens: memory must not need it
    result = pretranslate(root, closed, lang="de")
    assert result.code == 0, result.err
    entries = {e.msgid: e for e in read_po(catalog)}
    exact = entries["Clinical Trials"]
    assert state(exact) == "reviewed" and exact.msgstr == "Klinische Studien"
    assert re.fullmatch(rf"memory ({days()}) \(100%\)", provenance(exact) or "")
    near = next(e for m, e in entries.items() if m.startswith("Currently"))
    assert state(near) == "memory" and near.fuzzy
    assert re.fullmatch(rf"memory ({days()}) \((9\d)%\)", provenance(near) or "")
    assert near.previous_msgid == REPEATED  # the reviewer sees what the match translated
    cell = entries["[NCT09999999](https://clinicaltrials.gov/study/NCT09999999)"]
    assert cell.msgstr == cell.msgid  # the matched row's NCT ID was replaced, in text and URL
    assert_sound(catalog)
    assert msgfmt_check(catalog).returncode == 0


def test_exact_matches_can_be_drafts(tmp_path):
    mt = '[tool.pipeline.mt]\nengine = "libre"\nexact_matches = "draft"\n'
    root = make(tmp_path / "p", mt=mt, guide=False)
    (root / "source" / "brief.md").write_text(MEMORY_MD, encoding="utf-8")
    assert run(root, "update", "--lang", "de").code == 0
    reviewed_ui(root, "de")
    assert pretranslate(root, f"http://127.0.0.1:{free_port()}/", lang="de").code == 0
    exact = next(
        e for e in read_po(root / "locales" / "de" / "LC_MESSAGES" / "brief.po") if e.msgid == "Clinical Trials"
    )
    assert state(exact) == "memory" and exact.fuzzy


def test_glossary_terms_are_applied_and_ignored_ones_reported(tmp_path):
    md = "---\ntitle: MND\n---\n\nALS is a motor neuron disease of the spinal cord.\n"
    root = tmp_path / "p"
    (root / "source").mkdir(parents=True)
    (root / "locales").mkdir()
    shutil.copy(ROOT / "locales" / "glossary.csv", root / "locales")
    (root / "source" / "mnd.md").write_text(md, encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.pipeline]\nlanguages = ["en", "de"]\n' + MT_CONFIG, encoding="utf-8")
    assert run(root, "update").code == 0
    catalog = root / "locales" / "de" / "LC_MESSAGES" / "mnd.po"
    with LibreServer(replace={"Motoneuronerkrankung": "Nervenleiden"}) as server:
        result = pretranslate(root, server, lang="de")
        sent = list(server.texts)
    assert result.code == 0, result.err
    body = next(t for t in sent if "Motoneuronerkrankung" in t)
    assert "Rückenmark" in body and "ALS" not in body and "motor neuron" not in body
    draft = next(e for e in read_po(catalog) if e.msgid.startswith("ALS is"))
    assert draft.msgstr.startswith("ALS ") and "Nervenleiden" in draft.msgstr
    assert "glossary term 'motor neuron disease' → 'Motoneuronerkrankung'" in result.err
    assert "'spinal cord'" not in result.err  # the engine kept that one


# -- configuration ----------------------------------------------------------------


def test_unknown_mt_key_is_a_usage_error(tmp_path):
    root = make(tmp_path / "p", mt='[tool.pipeline.mt]\nengine = "libre"\n', guide=False)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("workerz = 3\n")
    for result in (pretranslate(root, "http://127.0.0.1:1/"), run(root, "update")):  # checked at load, by every command
        assert result.code == 2
        assert "[tool.pipeline.mt] workerz: unknown key" in result.err


def test_libre_needs_a_url_and_lang_is_required(tmp_path):
    root = make(tmp_path / "p", guide=False)
    result = run(root, "pretranslate", "--lang", "fr")
    assert result.code == 2 and "needs --engine-url" in result.err
    assert run(root, "pretranslate").code == 2


def test_no_engine_chosen_is_one_line_and_exit_2_at_once(tmp_path):
    """Nothing configured: no text goes to any third party; memory and copies are
    still drafted, and the one line says how to choose an engine."""
    root = make(tmp_path / "p", mt="")
    reviewed_ui(root, "fr")
    result = run_cli(None, "pretranslate", "--lang", "fr", cwd=root, env={"LANG": "C.UTF-8"}, timeout=30)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "need a machine translation engine and none is chosen" in last
    assert "set engine in [tool.pipeline.mt]" in last and "--engine NAME" in last
    assert "Traceback" not in result.stderr
    assert drafts(fr(root), "libre") == [] and drafts(fr(root), "google") == []  # no engine's text


def test_the_summary_counts_what_came_back(tmp_path):
    root = make(tmp_path / "p")
    result = pretranslate(root, f"http://127.0.0.1:{free_port()}/")  # nobody answers
    assert result.code == 1
    assert re.search(r"sent (\d+) text\(s\), [\d,]+ characters, 0 answered", result.out), result.out


def discard_drafts(root: Path) -> None:
    """Empty every machine draft of the French catalogs, as a translator who throws them away."""
    for path in french(root):
        po = read_po(path)
        for entry in po:
            if (provenance(entry) or "").startswith("libre"):
                entry.msgstr, entry.flags, entry.tcomment = "", [], ""
        path.write_text(serialize(po), encoding="utf-8")


def test_refresh_forgets_the_engines_cached_answers(tmp_path):
    root = make(tmp_path / "p")
    with LibreServer(append=" XXBROKENXX") as server:  # a server's bug, answered once
        assert pretranslate(root, server).code == 0
    assert any(e.msgstr.endswith(" XXBROKENXX") for e in drafts(fr(root)))
    discard_drafts(root)  # a translator throws the drafts away
    with LibreServer() as server:  # fixed; but the broken answers come back from the cache
        assert pretranslate(root, server).code == 0
    assert any(e.msgstr.endswith(" XXBROKENXX") for e in drafts(fr(root)))
    discard_drafts(root)
    with LibreServer() as server:
        assert pretranslate(root, server, "--refresh").code == 0
        assert server.requests > 0
    assert drafts(fr(root)) and not any(e.msgstr.endswith(" XXBROKENXX") for e in drafts(fr(root)))
