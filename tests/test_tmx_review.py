"""One rule for what is reviewed: an agency's TMX is a draft until the clinic says so.

Through the command line, in subprocesses, as a user runs it: `import agency.tmx`
then `pretranslate` with no engine reachable. Without `--reviewed` the agency's
exact match is a fuzzy memory draft with its provenance (not published); with
`import --reviewed` it may become a reviewed entry, exactly as for XLIFF. A memory
the pipeline would not read (over the 5 MB limit of a catalog) is refused at
import, not written.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from pipeline.catalog.model import provenance, state
from pipeline.catalog.pofile import read_po
from tests.support import run_cli
from tests.test_pretranslate import ALS, free_port, make, reviewed_ui

HEADING = "What is Amyotrophic Lateral Sclerosis – ALS?"
FRENCH = "Qu'est-ce que la sclérose latérale amyotrophique (SLA) ?"


def tmx(pairs: list[tuple[str, str]], lang: str = "fr") -> str:
    units = "".join(
        f'<tu><tuv xml:lang="en"><seg>{escape(s)}</seg></tuv><tuv xml:lang="{lang}"><seg>{escape(t)}</seg></tuv></tu>\n'
        for s, t in pairs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="agency" '
        'creationtoolversion="1" segtype="paragraph" o-tmf="x" adminlang="en" srclang="en" datatype="plaintext"/>'
        f"<body>\n{units}</body></tmx>\n"
    )


@pytest.fixture
def project(tmp_path) -> Path:
    root = make(tmp_path / "p", guide=False)
    reviewed_ui(root, "fr")
    (root / "agency.tmx").write_text(tmx([(HEADING, FRENCH)]), encoding="utf-8")
    return root


def heading(root: Path):
    path = root / "locales" / "fr" / "LC_MESSAGES" / f"{ALS}.po"
    return next(e for e in read_po(path) if e.msgid == HEADING)


def pretranslate_offline(root: Path):
    closed = f"http://127.0.0.1:{free_port()}/"  # nothing listens: only the memory can answer
    return run_cli(root, "pretranslate", "--lang", "fr", "--engine-url", closed)


def test_an_agency_memory_imported_without_reviewed_gives_drafts(project):
    result = run_cli(project, "import", str(project / "agency.tmx"))
    assert result.returncode == 0, result.stderr
    assert "1 memory entries imported (0 as reviewed, 1 fuzzy)" in result.stdout
    memory = [e for e in read_po(project / "locales" / "fr" / "memory.po") if e.msgid]
    assert [(e.msgid, e.msgstr, e.fuzzy) for e in memory] == [(HEADING, FRENCH, True)]
    pretranslate_offline(project)  # the engine is down: exit 1 for what is left, the memory served first
    entry = heading(project)
    assert entry.msgstr == FRENCH and state(entry) == "memory" and entry.fuzzy
    assert "(100%, agency memory not reviewed)" in provenance(entry)
    build = run_cli(project, "build", "--lang", "fr")
    page = next((project / "output" / "fr").glob("*.html"), None)
    assert build.returncode == 0 and (page is None or FRENCH not in page.read_text(encoding="utf-8"))


def test_import_reviewed_is_the_one_way_to_take_an_agency_memory_as_reviewed(project):
    assert run_cli(project, "import", str(project / "agency.tmx")).returncode == 0
    result = run_cli(project, "import", str(project / "agency.tmx"), "--reviewed")
    assert result.returncode == 0, result.stderr
    assert "1 memory entries imported (1 as reviewed, 0 fuzzy)" in result.stdout
    memory = [e for e in read_po(project / "locales" / "fr" / "memory.po") if e.msgid]
    assert [(e.msgstr, e.fuzzy) for e in memory] == [(FRENCH, False)]
    again = run_cli(project, "import", str(project / "agency.tmx"))  # without --reviewed: never a downgrade
    assert "1 unchanged" in again.stdout and not read_po(project / "locales" / "fr" / "memory.po")[0].fuzzy
    pretranslate_offline(project)
    entry = heading(project)
    assert entry.msgstr == FRENCH and state(entry) == "reviewed"


def test_a_memory_over_the_size_limit_is_refused_at_import(project):
    assert run_cli(project, "import", str(project / "agency.tmx")).returncode == 0
    memory = project / "locales" / "fr" / "memory.po"
    before = memory.read_bytes()
    filler = "word " * 200
    big = [(f"Sentence {i}: {filler}", f"Phrase {i} : {filler}") for i in range(6000)]  # ~12 MB as a catalog
    (project / "big.tmx").write_text(tmx(big), encoding="utf-8")
    result = run_cli(project, "import", str(project / "big.tmx"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("locales/fr/memory.po: the memory would be ")
    assert "the limit is 5 MB" in lines[0] and "not written" in lines[0]
    assert memory.read_bytes() == before
    later = run_cli(project, "import", str(project / "agency.tmx"), "--reviewed")  # later imports still work
    assert later.returncode == 0, later.stderr
