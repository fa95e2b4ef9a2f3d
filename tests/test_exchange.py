"""Agency exchange: XLIFF 1.2 and TMX 1.4 out and back, read by translate-toolkit
(Weblate's XLIFF and TMX layer) as the real consumer.

One project per module: the ALS article with its reviewed German catalog, the
patient guide (links, code, trial IDs, HTML, a hard break), a German-authored
article, French machine drafts from a LibreTranslate-compatible server on
127.0.0.1, and a German entry whose source changed (fuzzy, with `#| msgid`).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from translate.storage.tmx import tmxfile
from translate.storage.xliff import xlifffile

from pipeline.catalog.model import provenance, state
from pipeline.catalog.pofile import read_po
from pipeline.config.load import load_config
from pipeline.exchange.catalogs import is_reviewed, unit_id
from pipeline.exchange.codes import codes as code_list
from pipeline.exchange.codes import split
from pipeline.markup.spans import entry_patterns
from tests.libre_server import LibreServer
from tests.support import DOCUMENTS, ROOT, approve_args, make_project, msgfmt_check, run, run_cli, snapshot
from tests.test_pretranslate import ALS, free_port, make, pretranslate, reviewed_ui

GERMAN_MD = """\
---
title: Sprechstunde
lang: de
---

Die Sprechstunde ist **dienstags** in [Raum 3](https://example.org/raum "Plan").
"""
CHANGED = "Currently, there is no known cure for ALS, but stem cell-based therapies may give patients hope."


def catalog(root: Path, lang: str, name: str = ALS) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{name}.po"


def live(path: Path) -> list[polib.POEntry]:
    return [e for e in read_po(path) if not e.obsolete and e.msgid and not e.msgid_plural]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make(tmp_path_factory.mktemp("exchange") / "p")
    (root / "source" / "sprechstunde.md").write_text(GERMAN_MD, encoding="utf-8")
    md = root / "source" / f"{ALS}.md"
    text = md.read_text(encoding="utf-8")
    old = re.search(r"^Currently, there is no known cure.*$", text, re.M).group(0)
    md.write_text(text.replace(old, CHANGED), encoding="utf-8")
    assert run(root, "update").code == 0
    with LibreServer() as server:
        assert pretranslate(root, server).code == 0
    for lang in ("de", "fr", "en"):
        assert run(root, "export", "--lang", lang, "-o", str(root / f"{lang}.xlf")).code == 0
    return root


@pytest.fixture
def copy(project, tmp_path) -> Path:
    """A fresh copy of the module's project, for tests that import."""
    root = tmp_path / "p"
    shutil.copytree(project, root)
    return root


def test_xliff_loads_in_translate_toolkit_with_every_unit_state_note_and_code(project):
    store = xlifffile.parsefile(str(project / "de.xlf"))
    entries = {
        (f"locales/de/LC_MESSAGES/{name}.po", unit_id(e)): e
        for name in (ALS, "patient-guide", "site")
        for e in live(catalog(project, "de", name))
    }
    units = {tuple(u.getid().split("\x04")): u for u in store.units}
    assert units.keys() == entries.keys() and len(units) == len(store.units)
    config = load_config(project)
    for key, unit in units.items():
        entry = entries[key]
        assert (unit.source, unit.target) == (entry.msgid, entry.msgstr)
        want = [c.text for c in code_list(split(entry.msgid, entry_patterns(config.protected_patterns, entry.flags)))]
        assert [str(p) for p in unit.rich_source[0].sub if type(p).__name__ == "UnknownXML"] == want
        assert unit.isfuzzy() == (bool(entry.msgstr) and not is_reviewed(entry)), entry.msgid
    fuzzy = next(e for e in entries.values() if e.msgid == CHANGED)
    assert fuzzy.previous_msgid and fuzzy.fuzzy
    xml = (project / "de.xlf").read_text(encoding="utf-8")
    block = xml[xml.index(f'id="{unit_id(fuzzy)}"') :].split("</trans-unit>")[0]
    assert 'state="needs-review-translation" state-qualifier="fuzzy-match"' in block
    assert '<alt-trans alttranstype="previous-version">' in block
    assert f"<source>{fuzzy.previous_msgid}</source>" in block
    slug = next(u for u in store.units if u.xmlelement.get("resname") == "slug")
    assert slug.source == ALS and slug.target == "stammzelltherapie-als"
    heading = next(u for u in store.units if u.source == "What is Amyotrophic Lateral Sclerosis – ALS?")
    assert heading.getnotes("developer") == "heading" and not heading.isfuzzy()
    # Inline codes: every protected piece is a <ph> holding the original, in source and target.
    french = xlifffile.parsefile(str(project / "fr.xlf"))
    link = next(u for u in french.units if u.source.startswith("See [the registry entry]"))
    codes = [(p.id, str(p)) for p in link.rich_source[0].sub if type(p).__name__ == "UnknownXML"]
    # A link's title is prose (a tooltip): its words are translatable, between two codes.
    assert codes == [
        ("1", "["),
        ("2", '](https://clinicaltrials.gov/study/NCT01933321 "'),
        ("3", '")'),
        ("4", "NCT01933321"),
        ("5", "<info@example.org>"),
    ]
    target_codes = [(p.id, str(p)) for p in link.rich_target[0].sub if type(p).__name__ == "UnknownXML"]
    assert target_codes == codes
    prose = "".join(str(p) for p in link.rich_source[0].sub if type(p).__name__ != "UnknownXML")
    assert "the registry entry" in prose and "](" not in prose
    assert link.isfuzzy() and 'state-qualifier="mt-suggestion"' in (project / "fr.xlf").read_text(encoding="utf-8")


def test_a_german_authored_article_says_source_language_de(project):
    store = xlifffile.parsefile(str(project / "en.xlf"))
    xml = (project / "en.xlf").read_text(encoding="utf-8")
    assert 'original="locales/en/LC_MESSAGES/sprechstunde.po" source-language="de" target-language="en"' in xml
    unit = next(u for u in store.units if u.source.startswith("Die Sprechstunde"))
    assert unit.source == 'Die Sprechstunde ist **dienstags** in [Raum 3](https://example.org/raum "Plan").'
    assert "<source>Die Sprechstunde ist **dienstags** in <ph" in xml  # emphasis stays text


def test_export_then_import_without_edits_leaves_every_catalog_byte_identical(copy):
    before = snapshot(copy / "locales")
    for lang in ("de", "fr", "en"):
        for extra in ((), ("--reviewed",)):
            result = run(copy, "import", str(copy / f"{lang}.xlf"), *extra)
            assert result.code == 0, result.err
            assert " 0 translations imported" in result.out and "0 stale, 0 refused" in result.out
    # ... and through translate-toolkit's writer (a tool that re-saves the file)
    store = xlifffile.parsefile(str(copy / "de.xlf"))
    (copy / "resaved.xlf").write_bytes(bytes(store))
    assert run(copy, "import", str(copy / "resaved.xlf"), "--reviewed").code == 0
    assert snapshot(copy / "locales") == before


def _blank(paths: list[Path]) -> None:
    for path in paths:
        po = read_po(path)
        for e in po:
            if not e.obsolete and e.msgid:
                e.msgstr, e.flags = "", [f for f in e.flags if f != "fuzzy"]
                e.previous_msgid = None
        po.save(str(path))


def test_round_trip_is_lossless_on_the_als_catalog(copy):
    """Export, empty the catalog, import: every translation comes back exactly."""
    path = catalog(copy, "de")
    original = {(e.msgctxt, e.msgid): (e.msgstr, is_reviewed(e)) for e in live(path)}
    _blank([path])
    result = run(copy, "import", str(copy / "de.xlf"), "--reviewed")
    assert result.code == 0, result.err
    back = {(e.msgctxt, e.msgid): (e.msgstr, is_reviewed(e)) for e in live(path)}
    assert back == original
    assert back[("slug", ALS)] == ("stammzelltherapie-als", True)  # the page address too
    assert msgfmt_check(path).returncode == 0


def test_round_trip_is_lossless_on_the_test_corpus(tmp_path):
    docs = {p.stem: p.read_text(encoding="utf-8") for p in sorted(DOCUMENTS.glob("*.md"))}
    root = make_project(tmp_path / "corpus", docs, '[tool.pipeline]\nlanguages = ["en", "de"]\n')
    assert run(root, "update").code == 0
    paths = sorted((root / "locales" / "de" / "LC_MESSAGES").glob("*.po"))
    for i, path in enumerate(paths):  # a "translation" that keeps every code
        po = read_po(path)
        for e in po:
            if e.msgid and not e.msgid_plural:
                e.msgstr = e.msgid + (" \r\u00a0x" if i % 3 == 0 and e.msgctxt != "slug" else "")
                if i % 2:
                    e.flags.append("fuzzy")
        po.save(str(path))
    expected = {p.name: [(e.msgctxt, e.msgid, e.msgstr) for e in live(p)] for p in paths}
    assert run(root, "export", "--lang", "de", "-o", str(root / "de.xlf")).code == 0
    store = xlifffile.parsefile(str(root / "de.xlf"))
    assert len(store.units) == sum(len(v) for v in expected.values())
    before = snapshot(root / "locales")
    assert run(root, "import", str(root / "de.xlf"), "--reviewed").code == 0
    assert snapshot(root / "locales") == before
    _blank(paths)
    result = run(root, "import", str(root / "de.xlf"), "--reviewed")
    assert result.code == 0, result.err
    assert {p.name: [(e.msgctxt, e.msgid, e.msgstr) for e in live(p)] for p in paths} == expected


def _edit(xml: str, uid: str, old: str, new: str, state: str | None = None) -> str:
    start = xml.index(f'<trans-unit id="{uid}"')
    end = xml.index("</trans-unit>", start)
    block = xml[start:end]
    target = re.search(r"<target[^>]*>.*?</target>|<target[^>]*/>", block, re.S).group(0)
    edited = target.replace(old, new, 1)
    assert edited != target or old == new, (old, target)
    if state:
        edited = re.sub(r'state="[^"]*"', f'state="{state}"', edited, count=1)
    return xml[:start] + block.replace(target, edited) + xml[end:]


def test_stale_and_code_altered_units_are_refused_and_the_rest_imported(copy):
    path = catalog(copy, "fr", "patient-guide")
    entries = {e.msgid[:12]: e for e in live(path)}
    see, run_, the, our = (entries[k] for k in ("See [the reg", "Run `pipelin", "The <abbr ti", "Our intrathe"))
    stats = entries["Stem cell th"]
    xml = (copy / "fr.xlf").read_text(encoding="utf-8")
    xml = _edit(xml, unit_id(see), "NCT01933321</ph>", "NCT01933322</ph>")  # a code altered
    xml = _edit(xml, unit_id(run_), '<ph id="1" ctype="x-md-code">`pipeline --lang fr`</ph>', "")  # lost
    xml = _edit(xml, unit_id(the), "mnd", "`mnd`")  # markup typed as text
    xml = _edit(xml, unit_id(our), "oUR", "Notre", state="translated")
    xml = _edit(xml, unit_id(stats), stats.msgstr, "La thérapie cellulaire en bref", state="translated")
    slug = next(e for e in live(path) if e.msgctxt == "slug")
    at = xml.index(f'<trans-unit id="{unit_id(slug)}"')
    empty = '<target state="needs-translation"/>'
    xml = xml[:at] + xml[at:].replace(empty, '<target state="translated">Guide Patient</target>', 1)  # not a slug
    (copy / "delivery.xlf").write_text(xml, encoding="utf-8")
    # Meanwhile the editors changed the guide's title: that unit is stale.
    md = copy / "source" / "patient-guide.md"
    md.write_text(md.read_text(encoding="utf-8").replace("at a glance", "in brief"), encoding="utf-8")
    assert run(copy, "update").code == 0
    result = run(copy, "import", str(copy / "delivery.xlf"), "--reviewed")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 5, result.err
    assert re.match(r"delivery\.xlf:\d+: unit \w+: its source changed or was removed since the export", lines[0])
    assert "code 4 was altered: 'NCT01933321' became 'NCT01933322'" in result.err
    assert "code 1 ('`pipeline --lang fr`') is missing" in result.err
    assert "the translation adds markup '`mnd`' as text" in result.err
    assert "'Guide Patient' is not a valid page address" in result.err
    assert "1 translations imported (1 as reviewed, 0 fuzzy)" in result.out and "1 stale, 4 refused" in result.out
    after = {e.msgid[:12]: e for e in live(path)}
    for key in ("See [the reg", "Run `pipelin", "The <abbr ti"):
        assert after[key].msgstr == entries[key].msgstr and provenance(after[key]).startswith("libre")
    ours = after["Our intrathe"]
    assert ours.msgstr.startswith("Notre ") and state(ours) == "reviewed"
    assert (
        f"imported: delivery.xlf {ours.tcomment.split()[-1]}" in ours.tcomment and "pretranslated" not in ours.tcomment
    )
    assert msgfmt_check(path).returncode == 0


def test_imported_translations_are_fuzzy_unless_reviewed_is_asked_for(copy):
    path = catalog(copy, "fr", "patient-guide")
    entry = next(e for e in live(path) if e.msgid.startswith("Our intrathecal"))
    xml = _edit((copy / "fr.xlf").read_text(encoding="utf-8"), unit_id(entry), "oUR", "Notre", state="translated")
    (copy / "a.xlf").write_text(xml, encoding="utf-8")
    assert run(copy, "import", str(copy / "a.xlf")).code == 0  # translated, but no --reviewed
    got = next(e for e in live(path) if e.msgid == entry.msgid)
    assert got.msgstr.startswith("Notre ") and got.fuzzy and state(got) == "fuzzy"
    xml = _edit(xml, unit_id(entry), "Notre", "Notre", state="needs-review-translation")
    (copy / "b.xlf").write_text(xml, encoding="utf-8")
    assert run(copy, "import", str(copy / "b.xlf"), "--reviewed").code == 0  # reviewed asked, unit is not
    assert next(e for e in live(path) if e.msgid == entry.msgid).fuzzy
    xml = _edit(xml, unit_id(entry), "Notre", "Notre", state="signed-off")
    (copy / "c.xlf").write_text(xml, encoding="utf-8")
    assert run(copy, "import", str(copy / "c.xlf"), "--reviewed").code == 0
    assert state(next(e for e in live(path) if e.msgid == entry.msgid)) == "reviewed"
    # A changed source's entry keeps its `#| msgid` while fuzzy, and loses it once reviewed (as GNU does).
    german = catalog(copy, "de")
    changed = next(e for e in live(german) if e.msgid == CHANGED)
    xml = _edit((copy / "de.xlf").read_text(encoding="utf-8"), unit_id(changed), "Derzeit", "Zurzeit")
    (copy / "d.xlf").write_text(xml, encoding="utf-8")
    assert run(copy, "import", str(copy / "d.xlf")).code == 0
    got = next(e for e in live(german) if e.msgid == CHANGED)
    assert got.msgstr.startswith("Zurzeit") and got.fuzzy and got.previous_msgid == changed.previous_msgid
    (copy / "e.xlf").write_text(_edit(xml, unit_id(changed), "Zurzeit", "Zurzeit", state="translated"), "utf-8")
    assert run(copy, "import", str(copy / "e.xlf"), "--reviewed").code == 0
    got = next(e for e in live(german) if e.msgid == CHANGED)
    assert not got.fuzzy and got.previous_msgid is None and msgfmt_check(german).returncode == 0


BAD = {
    "not-xml.xlf": ("<xliff version='1.2'>\n<file>\n", 3, "is not well-formed XML"),
    "namespace.xlf": ('<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:x"/>\n', 2, "not an XLIFF 1.2 file"),
    "no-source.xlf": (
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        '<file original="locales/de/LC_MESSAGES/site.po" source-language="en" target-language="de" datatype="x">\n'
        '<body>\n<trans-unit id="a">\n<target>x</target></trans-unit></body></file></xliff>\n',
        4,
        "<trans-unit id='a'> has no <source>",
    ),
    "language.xlf": (
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        '<file original="x.po" source-language="en" target-language="qq-zz" datatype="x"><body/></file></xliff>\n',
        2,
        "target-language: unknown language code 'qq-zz'",
    ),
    "laughs.xlf": (
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>\n<xliff>&a;</xliff>\n',
        2,
        "has a DOCTYPE with declarations",
    ),
    "external.xlf": (
        '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">\n<xliff>\n&a;</xliff>\n',
        4,
        "refers to an undeclared entity 'a'",
    ),
    "tmx-no-source.tmx": (
        '<tmx version="1.4"><header srclang="en" segtype="block" o-tmf="x" adminlang="en" datatype="x"'
        ' creationtool="x" creationtoolversion="1"/>\n<body>\n<tu>\n<tuv xml:lang="de"><seg>Hallo</seg></tuv>'
        "</tu></body></tmx>\n",
        3,
        "<tu> has no source",
    ),
    "tmx-language.tmx": (
        '<tmx version="1.4"><header srclang="en"/>\n<body><tu><tuv xml:lang="en"><seg>Hi</seg></tuv>\n'
        '<tuv xml:lang="qq-zz"><seg>Hallo</seg></tuv></tu></body></tmx>\n',
        3,
        "xml:lang: unknown language code 'qq-zz'",
    ),
    "tmx-namespace.tmx": ('<tmx xmlns="urn:x" version="1.4"/>', 1, "not a TMX file"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_deliveries_are_one_line_exit_1_and_nothing_is_touched(copy, name):
    text, line, message = BAD[name]
    (copy / name).write_text(text, encoding="utf-8")
    before = snapshot(copy / "locales")
    result = run(copy, "import", str(copy / name), "--reviewed")
    assert result.code == 1, result.err
    assert result.err.count("\n") == 1 and result.err.startswith(f"{name}:{line}: "), result.err
    assert message in result.err
    assert snapshot(copy / "locales") == before


def test_an_import_for_a_language_the_project_does_not_have_is_exit_2(copy):
    xml = (copy / "de.xlf").read_text(encoding="utf-8").replace('target-language="de"', 'target-language="it"')
    (copy / "it.xlf").write_text(xml, encoding="utf-8")
    before = snapshot(copy / "locales")
    result = run(copy, "import", str(copy / "it.xlf"))
    assert result.code == 2 and re.match(r"it\.xlf:3: target-language: language 'it' is not one of", result.err)
    assert snapshot(copy / "locales") == before
    assert run(copy, "export", "--lang", "it").code == 2


# -- TMX --------------------------------------------------------------------------


def test_tmx_export_holds_the_reviewed_translations_and_loads_in_translate_toolkit(project, tmp_path):
    out = tmp_path / "de.tmx"
    result = run(project, "export", "--lang", "de", "--format", "tmx", "-o", str(out))
    assert result.code == 0, result.err
    store = tmxfile.parsefile(str(out))
    reviewed = {
        (e.msgid, e.msgstr)
        for name in (ALS, "patient-guide", "site")
        for e in live(catalog(project, "de", name))
        if is_reviewed(e) and e.msgctxt != "slug"
    }
    assert {(u.source, u.target) for u in store.units} == reviewed and len(store.units) == len(reviewed)
    assert all(u.source != CHANGED for u in store.units)  # a fuzzy entry is not memory


def test_an_imported_tmx_feeds_pretranslate_memory(tmp_path):
    root = make(tmp_path / "p", guide=False)
    reviewed_ui(root, "fr")
    heading = "What is Amyotrophic Lateral Sclerosis – ALS?"
    store = tmxfile()
    store.addtranslation(heading, "en", "Qu'est-ce que la sclérose latérale amyotrophique (SLA) ?", "fr")
    store.addtranslation("A [link](https://x.org) here", "en", "Un lien ici", "fr")  # loses the link
    store.addtranslation("Hello", "en", "Hallo", "it")  # a language the project does not have
    (root / "agency.tmx").write_bytes(bytes(store))
    result = run(root, "import", str(root / "agency.tmx"))
    assert result.code == 1
    assert "refused: the translation loses markup '](https://x.org)'" in result.err
    assert "locales/fr/memory.po: written" in result.out and "ignored languages not in this project: it" in result.out
    assert msgfmt_check(root / "locales" / "fr" / "memory.po").returncode == 0
    again = run(root, "import", str(root / "agency.tmx"))
    assert "0 memory entries imported" in again.out and "1 unchanged" in again.out
    closed = f"http://127.0.0.1:{free_port()}/"  # nothing listens: only the memory can answer
    pretranslate(root, closed)
    entry = next(e for e in read_po(catalog(root, "fr")) if e.msgid == heading)
    assert entry.msgstr == "Qu'est-ce que la sclérose latérale amyotrophique (SLA) ?"
    # Imported without --reviewed: the agency's match is a memory draft to review.
    assert provenance(entry).startswith("memory ") and "(100%, agency memory not reviewed)" in provenance(entry)
    assert state(entry) == "memory"


def test_the_repository_catalog_exports_as_valid_xliff(tmp_path):
    """The shipped ALS catalog: every entry is a unit, all reviewed."""
    root = tmp_path / "r"
    for name in ("source", "locales"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root)
    result = run(root, "export", "--lang", "de", ALS, "-o", str(root / "als.xlf"))
    assert result.code == 0, result.err
    n = len(live(catalog(root, "de")))
    assert f"(1 catalog(s), {n} unit(s): {n} translated)" in result.out
    assert len(xlifffile.parsefile(str(root / "als.xlf")).units) == len(live(catalog(root, "de")))
    assert run(root, "export", "--lang", "de", "no-such-article").code == 2


def test_unit_ids_survive_moved_paragraphs_and_an_older_export_still_imports(copy):
    ids = set(re.findall(r'<trans-unit id="(\w+)"', (copy / "de.xlf").read_text(encoding="utf-8")))
    md = copy / "source" / f"{ALS}.md"
    paragraphs = md.read_text(encoding="utf-8").split("\n\n")
    paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]  # two paragraphs swap places
    md.write_text("\n\n".join(paragraphs), encoding="utf-8")
    assert run(copy, "update").code == 0
    assert run(copy, "export", "--lang", "de", "-o", str(copy / "moved.xlf")).code == 0
    moved = (copy / "moved.xlf").read_text(encoding="utf-8")
    assert set(re.findall(r'<trans-unit id="(\w+)"', moved)) == ids and moved != (copy / "de.xlf").read_text()
    result = run(copy, "import", str(copy / "de.xlf"))
    assert result.code == 0 and "0 stale, 0 refused" in result.out


def test_a_signed_off_translation_is_signed_off_in_xliff(copy):
    path = catalog(copy, "de")
    po = read_po(path)
    heading = next(e for e in po if e.msgid == "What is Amyotrophic Lateral Sclerosis – ALS?")
    where = f"{path.relative_to(copy)}:{heading.linenum}"
    signed = run(copy, *approve_args(copy, "Anna Weber"), "--entries", where)
    assert signed.code == 0 and "1 entry signed off" in signed.out, signed.err
    assert run(copy, "export", "--lang", "de", ALS, "-o", str(copy / "s.xlf")).code == 0
    unit = next(u for u in xlifffile.parsefile(str(copy / "s.xlf")).units if u.source == heading.msgid)
    assert unit.get_state_n() == unit.S_SIGNED_OFF and unit.isapproved()
    before = snapshot(copy / "locales")
    assert run(copy, "import", str(copy / "s.xlf"), "--reviewed").code == 0
    assert snapshot(copy / "locales") == before


def test_a_unit_edited_through_translate_toolkit_keeps_its_codes_and_imports(copy):
    """Weblate's XLIFF layer as the editor: a rich target that keeps the placeables
    imports; a plain-text target with the markup typed in is refused."""
    store = xlifffile.parsefile(str(copy / "fr.xlf"))
    link = next(u for u in store.units if u.source.startswith("See [the registry entry]"))
    rich = link.rich_source[0].__class__(
        sub=[
            n.__class__(sub=["la fiche du registre"]) if str(n) == "the registry entry" else n
            for n in link.rich_source[0].sub
        ]
    )
    link.rich_target = [rich]
    link.set_state_n(link.S_TRANSLATED)
    run_ = next(u for u in store.units if u.source.startswith("Run `pipeline"))
    # Plain text with the code typed in (translate-toolkit keeps the old <ph>s after it)
    run_.target = "Lancez `pipeline --lang fr` avant la visite."
    (copy / "weblate.xlf").write_bytes(bytes(store))
    result = run(copy, "import", str(copy / "weblate.xlf"), "--reviewed")
    assert result.code == 1 and "the translation adds markup '`pipeline --lang fr`' as text" in result.err
    entry = next(e for e in live(catalog(copy, "fr", "patient-guide")) if e.msgid.startswith("See [the"))
    assert entry.msgstr.startswith("See [la fiche du registre](https://clinicaltrials.gov/study/NCT01933321 ")
    assert is_reviewed(entry)


def test_a_delivery_for_a_removed_article_is_stale_not_an_error(copy):
    (copy / "source" / "patient-guide.md").unlink()
    guide_units = (
        (copy / "fr.xlf").read_text(encoding="utf-8").split('original="locales/fr/LC_MESSAGES/patient-guide.po"')
    )
    count = guide_units[1].split("</file>")[0].count("<trans-unit ")
    before = snapshot(copy / "locales")
    result = run(copy, "import", str(copy / "fr.xlf"))
    assert result.code == 1
    assert result.err.count("the article of locales/fr/LC_MESSAGES/patient-guide.po no longer exists") == count > 5
    assert f"{count} stale, 0 refused" in result.out
    assert snapshot(copy / "locales") == before


@pytest.mark.parametrize(
    "target",
    [
        "pyproject.toml",
        "source/als-stem-cell-therapy.md",
        "locales/de/LC_MESSAGES/als-stem-cell-therapy.po",
        "locales/de/memory.po",
        "locales/de/LC_MESSAGES/als.xlf",  # named as an export, inside the project's folders
        "locales/glossary.xlf",
        "output/de/page.xlf",
        "review/de.xlf",
        "source/agency.tmx",
        "de.po",
    ],
)
def test_export_never_writes_over_a_project_file(tmp_path, target):
    root = tmp_path / "p"
    for name in ("source", "locales"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for folder in ("output/de", "review"):
        (root / folder).mkdir(parents=True)
    path = root / target
    before = path.read_bytes() if path.exists() else None
    fmt = "tmx" if target.endswith(".tmx") else "xliff"
    done = run_cli(None, "export", "--lang", "de", "--format", fmt, "-o", target, cwd=root, env={"LANG": "C.UTF-8"})
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert (path.read_bytes() if path.exists() else None) == before


def test_export_writes_beside_the_project_files_and_outside(tmp_path):
    root = tmp_path / "p"
    for name in ("source", "locales"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "agency").mkdir()
    for target in ("de.xlf", "agency/de.xliff", "../de.tmx"):
        fmt = "tmx" if target.endswith(".tmx") else "xliff"
        done = run_cli(None, "export", "--lang", "de", "--format", fmt, "-o", target, cwd=root, env={"LANG": "C.UTF-8"})
        assert done.returncode == 0, done.stderr
        assert (root / target).read_bytes().startswith(b"<?xml")
