"""Bad input: one line naming file and line, the right exit code, nothing overwritten."""

from __future__ import annotations

import pytest

from tests.support import make_project, run, snapshot

ARTICLE = "---\ntitle: Title\n---\n\nFirst paragraph.\n\nSecond paragraph.\n"
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n\n'

BROKEN_CATALOGS = {
    "syntax error": (HEADER + 'msgid "First paragraph."\nmsgstrr "Erster Absatz."\n', 7, "unknown keyword 'msgstrr'"),
    "unterminated string": (HEADER + 'msgid "First paragraph."\nmsgstr "Erster Absatz.\n', 7, "unterminated string"),
    "wrong encoding": (
        (HEADER + 'msgid "First paragraph."\nmsgstr "Erster Absatz \xe4."\n').encode("latin-1"),
        7,
        "not valid UTF-8",
    ),
    "duplicate msgid": (
        HEADER + 'msgid "First paragraph."\nmsgstr "A"\n\nmsgid "First paragraph."\nmsgstr "B"\n',
        9,
        "duplicate message (first defined at line 6)",
    ),
    "broken header": (
        'msgid ""\nmsgstr ""\n"this is not a header\\n"\n\nmsgid "a"\nmsgstr "b"\n',
        1,
        "broken header line",
    ),
    "wrong charset": (HEADER.replace("UTF-8", "ISO-8859-1") + 'msgid "a"\nmsgstr "b"\n', 1, "charset=UTF-8"),
    "wrong language": (HEADER.replace("Language: de", "Language: fr") + 'msgid "a"\nmsgstr "b"\n', 1, "Language: fr"),
    "byte-order mark": ("\ufeff" + HEADER + 'msgid "a"\nmsgstr "b"\n', 1, "byte-order mark"),
    "plural mismatch": (
        HEADER.replace('"Language: de\\n"', '"Language: de\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"')
        + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n',
        7,
        "has 1 plural form(s), but Plural-Forms says nplurals=2",
    ),
}


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path / "p", {"article": ARTICLE})
    assert run(root, "update").code == 0
    assert run(root, "build").code == 0
    return root


@pytest.mark.parametrize("case", BROKEN_CATALOGS, ids=str)
@pytest.mark.parametrize("command", ["update", "build", "stats"])
def test_broken_catalog(project, case, command):
    content, line, message = BROKEN_CATALOGS[case]
    path = project / "locales/de/LC_MESSAGES/article.po"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = snapshot(project / "locales") | {f"output/{k}": v for k, v in snapshot(project / "output").items()}
    result = run(project, command)
    after = snapshot(project / "locales") | {f"output/{k}": v for k, v in snapshot(project / "output").items()}
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines == [lines[0]], result.err  # exactly one line
    assert lines[0].startswith(f"locales/de/LC_MESSAGES/article.po:{line}: "), lines[0]
    assert message in lines[0]
    assert "Traceback" not in result.err
    assert after == before


def test_one_broken_catalog_does_not_stop_other_articles(project):
    (project / "source/other.md").write_text("Other text.\n", encoding="utf-8")
    (project / "locales/de/LC_MESSAGES/article.po").write_text(HEADER + 'msgid "x"\nmsgstr "unterminated\n')
    result = run(project, "update")
    assert result.code == 1
    assert (project / "locales/de/LC_MESSAGES/other.po").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["update", "--lang", "xx"], "unknown language code 'xx'"),
        (["build", "--lang", "fr"], "unknown language code 'fr'"),
        (["render", "source/missing.md", "--lang", "de"], "source/missing.md: file not found"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(project, args, message):
    result = run(project, *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('[tool.pipeline]\nlanguages = ["en", "xx-nope"]\n', "unknown language code 'xx-nope'"),
        ("[tool.pipeline]\nsource_langg = 'en'\n", "[tool.pipeline] source_langg: unknown key"),
        ("[tool.pipeline\n", "invalid TOML"),
        ('[tool.pipeline]\nextensions = ["no_such_extension"]\n', "cannot load the Markdown extensions"),
    ],
)
def test_configuration_errors_exit_2(tmp_path, pyproject, message):
    root = make_project(tmp_path / "p", {"article": ARTICLE}, pyproject)
    result = run(root, "update")
    assert result.code == 2, result.err
    assert message in result.err
    assert result.err.startswith("pyproject.toml") or "pyproject.toml" in result.err


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("---\ntitle: [unclosed\n---\n\nText.\n", 2, "invalid front matter"),
        ("---\ntitle: ok\n\nText without closing front matter.\n", 1, "no closing '---'"),
        ("---\nlang: xx\n---\n\nText.\n", 2, "front matter lang 'xx'"),
        ("---\ndate: not a date\n---\n\nText.\n", 2, "front matter 'date' must be a date"),
        ("---\nslug: Not A Slug\n---\n\nText.\n", 2, "slug 'Not A Slug'"),
    ],
)
def test_bad_source_files(tmp_path, source, line, message):
    root = make_project(tmp_path / "p", {})
    (root / "source").mkdir()
    (root / "source/bad.md").write_text(source, encoding="utf-8")
    result = run(root, "update")
    assert result.code == 1
    assert result.err.strip().startswith(f"source/bad.md:{line}: "), result.err
    assert message in result.err
    assert not (root / "locales/de/LC_MESSAGES/bad.po").exists()


def test_source_with_invalid_utf8_names_the_line(tmp_path):
    root = make_project(tmp_path / "p", {})
    (root / "source").mkdir()
    (root / "source/bad.md").write_bytes(b"Line one.\n\nLine \xff three.\n")
    result = run(root, "extract")
    assert result.code == 1
    assert result.err.strip() == "source/bad.md:3: is not valid UTF-8 (save it as UTF-8)"
