"""The identity guarantee, on real documents and real catalogs.

For an article rendered in its own language, and for a target-language catalog
whose every msgstr equals its msgid, the body HTML is byte-identical to
`markdown.markdown(body, extensions=<configured list>)`.
"""

from __future__ import annotations

import markdown
import polib
import pytest

from pipeline.build.render import Translations
from pipeline.catalog.model import Message, template
from pipeline.catalog.pofile import read_po, serialize
from pipeline.config.load import Config
from pipeline.source.convert import Converter
from tests.support import DEFAULT_EXTENSIONS, DOCUMENTS, ROOT, msgfmt_check

DOCS = sorted(DOCUMENTS.glob("*.md"))
# Documents with `<!-- i18n: skip -->` / `off` markers → number of blocks they exclude.
SKIPPED_BLOCKS = {"24-i18n-markers": 3, "31-complex-article": 1}


def test_the_corpus_is_large_enough():
    assert len(DOCS) >= 30


@pytest.fixture(scope="module")
def converter() -> Converter:
    return Converter(Config(root=ROOT))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.stem)
def test_source_rendering_is_plain_markdown(doc, converter):
    body = doc.read_text(encoding="utf-8")
    assert converter.convert(body).html == markdown.markdown(body, extensions=DEFAULT_EXTENSIONS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.stem)
def test_identity_catalog_through_a_real_po_file(doc, converter, tmp_path):
    body = doc.read_text(encoding="utf-8")
    expected = markdown.markdown(body, extensions=DEFAULT_EXTENSIONS)
    segments = converter.convert(body).segments
    pot = template([Message(s.msgid, s.msgctxt, (), ()) for s in segments], "test", "")
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "de",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for e in pot:
        po.append(polib.POEntry(msgid=e.msgid, msgctxt=e.msgctxt, msgstr=e.msgid))
    path = tmp_path / "de.po"
    path.write_text(serialize(po), encoding="utf-8")
    assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
    translations = Translations(read_po(path, lang="de"), "en")
    converted = converter.convert(body, translations.lookup, "en")
    assert converted.rejected == []
    html = converted.html
    # Do-not-translate blocks are the one deliberate difference: in a translated
    # page they carry the source language (WCAG 3.1.2), one attribute per block.
    assert html.count(' lang="en"') == SKIPPED_BLOCKS.get(doc.stem, 0)
    html = html.replace(' lang="en"', "")
    assert html == expected


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.stem)
def test_every_segment_is_found_in_the_source(doc, converter):
    """Locations point at real lines (auto admonition titles aside: they are generated)."""
    body = doc.read_text(encoding="utf-8")
    lines = body.split("\n")
    for seg in converter.convert(body).segments:
        if seg.comment == "admonition title" and seg.line is None:
            continue
        assert seg.line is not None, seg
        assert seg.msgid.split("\n")[0].strip() in lines[seg.line - 1].expandtabs(4)


def test_a_translation_changes_the_page(converter):
    """The identity test above would pass if translations were ignored; they are not."""
    body = (DOCUMENTS / "31-complex-article.md").read_text(encoding="utf-8")
    segments = converter.convert(body).segments
    entries = {(s.msgctxt, s.msgid): s for s in segments}
    po = polib.POFile()
    for ctxt, msgid in entries:
        po.append(polib.POEntry(msgid=msgid, msgctxt=ctxt, msgstr=f"«{msgid}»"))
    html = converter.convert(body, Translations(po, "en").lookup, "en").html
    assert html.count("«") >= len(entries)
    assert html.count('lang="en"') == 1  # only the do-not-translate list
    # heading ids still come from the source text
    assert 'id="top"' in html and 'href="#top"' in html
