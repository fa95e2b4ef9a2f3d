"""Page addresses made from file names: a docs tree shaped like Python-Markdown's own
`docs/` (`index.md` at the top and in folders, `sane_lists.md`, `markdown.util.md`)
publishes as it is; only a `slug:` a person writes is held to the slug rule; two
articles at one address are one error naming both files."""

from __future__ import annotations

import random

from hypothesis import example, given
from hypothesis import strategies as st

from pipeline.catalog.project import load_project
from pipeline.preview.live import LiveSite
from pipeline.review.registry import REGISTRY
from pipeline.source.article import MAX_SLUG_LENGTH, derived_slugs, slug_problem
from tests.support import ROOT, make_project, run, run_cli, snapshot

# source/<name>.md → the address of its page (the README's table is this one).
TREE = {
    "index": "home",
    "extensions/index": "extensions",
    "change_log/index": "change-log",
    "extensions/sane_lists": "sane-lists",
    "reference/markdown.util": "markdown-util",
    "flu_shots": "flu-shots",
    "Über Schmerzen": "uber-schmerzen",
    "a/intro": "a-intro",
    "b/intro": "b-intro",
    "search": "search-page",
}
SITE_PAGES = {"index.html", "search.html", "404.html"}  # each edition's own, besides the articles


def page(title: str) -> str:
    return f"# {title}\n\nA paragraph of {title}.\n"


def test_a_docs_tree_publishes_as_it_is(tmp_path):
    root = make_project(tmp_path / "docs", {name: page(name) for name in TREE}, "[tool.pipeline]\n")
    result = run_cli(None, "publish", cwd=root)  # as a user runs it, in the project folder
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    pages = {p.relative_to(root).as_posix() for p in (root / "output/en").glob("*.html")}
    assert pages == {f"output/en/{slug}.html" for slug in TREE.values()} | {f"output/en/{p}" for p in SITE_PAGES}
    # The article's name, and so its catalogs, is still its path.
    assert (root / "locales/de/LC_MESSAGES/extensions/index.po").is_file()
    assert (root / "locales/de/LC_MESSAGES/Über Schmerzen.po").is_file()
    # Every command gives each article the same address: nothing to redo, nothing to report.
    before = snapshot(root / "output")
    for command in ("publish", "build", "check"):
        again = run_cli(None, command, cwd=root)
        assert again.returncode == 0 and again.stderr == "", (command, again.stderr)
    assert snapshot(root / "output") == before
    assert run(root, "render", "source/extensions/index.md", "--lang", "en").code == 0


def test_the_readme_table_is_this_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `") and ".md`" in line]
    for name, slug in TREE.items():
        assert any(f"`{name}.md`" in row and f"`{slug}.html`" in row for row in rows), name


def test_a_written_slug_is_still_held_to_the_slug_rule(tmp_path):
    root = make_project(tmp_path / "p", {"flu_shots": "---\ntitle: Flu shots\nslug: Bad_Slug\n---\n\nText.\n"})
    result = run(root, "publish")
    assert result.code == 1
    assert result.err.splitlines() == [
        "source/flu_shots.md:3: slug 'Bad_Slug' is not a valid page address: use lowercase a-z, digits and single hyphens"
    ]


def test_two_articles_at_one_address_are_one_line_naming_both(tmp_path):
    """`check` names both; the build withholds the one that loses the address (the
    name that sorts later, neither having been published there) and publishes the rest."""
    root = make_project(
        tmp_path / "p",
        {"a": "---\ntitle: A\nslug: flu-shots\n---\n\nText a.\n", "flu_shots": "# Flu shots\n\nText.\n"},
    )
    result = run_cli(root, "check")
    assert result.returncode == 1
    assert (
        "source/flu_shots.md:1: error: slug: slug 'flu-shots' is also the address of source/a.md in en"
        in (result.stdout + result.stderr).splitlines()
    )
    result = run_cli(root, "publish")
    assert result.returncode == 0, result.stderr
    assert (
        "flu_shots [en]: withheld: address collision: en/flu-shots.html is the page of source/a.md"
        in result.stdout.splitlines()
    )
    assert "Text a." in (root / "output/en/flu-shots.html").read_text(encoding="utf-8")
    assert run_cli(root, "publish", "--strict").returncode == 1


def test_a_folders_index_beside_a_page_of_its_name_is_a_collision(tmp_path):
    """`source/article/index.md` is the folder's page, `article`: so is `source/article.md`."""
    root = make_project(tmp_path / "p", {"article": page("Article"), "article/index": page("Index")})
    result = run_cli(root, "check")
    assert result.returncode == 1
    line = "source/article/index.md:1: error: slug: slug 'article' is also the address of source/article.md in en"
    assert line in result.stdout.splitlines()
    assert run_cli(root, "publish").returncode == 0
    assert "Article" in (root / "output/en/article.html").read_text(encoding="utf-8")


def test_a_file_added_beside_another_of_its_name_moves_both_to_longer_addresses(tmp_path):
    root = make_project(tmp_path / "p", {"a/intro": page("Intro A")})
    assert run(root, "publish").code == 0
    assert (root / "output/en/intro.html").is_file()
    (root / "source/b").mkdir()
    (root / "source/b/intro.md").write_text(page("Intro B"), encoding="utf-8")
    result = run(root, "publish")
    assert result.code == 0, result.err
    assert {p.name for p in (root / "output/en").glob("*intro.html")} == {"a-intro.html", "b-intro.html", "intro.html"}
    assert 'href="../en/a-intro.html"' in (root / "output/en/intro.html").read_text(
        encoding="utf-8"
    )  # the old address redirects
    assert 'msgid "a-intro"' in (root / "locales/templates/a/intro.pot").read_text(encoding="utf-8")


def test_the_preview_moves_a_page_when_a_file_of_its_name_is_added(tmp_path):
    root = make_project(tmp_path / "p", {"a/intro": page("Intro A")})
    assert run(root, "publish").code == 0
    site = LiveSite(load_project(root, REGISTRY))
    assert site.page("en/intro.html")[0] == 200
    (root / "source/b").mkdir()
    added = root / "source/b/intro.md"
    added.write_text(page("Intro B"), encoding="utf-8")
    done = site.apply({added}, set())
    assert {"/en/a-intro.html", "/en/b-intro.html"} <= set(done.pages)
    assert site.page("en/intro.html") is None
    assert site.page("en/a-intro.html")[0] == 200
    assert b"a-intro.html" in site.page("en/index.html")[2]
    added.unlink()
    site.apply(set(), {added})
    assert site.page("en/intro.html")[0] == 200 and site.page("en/a-intro.html") is None


def test_derived_slugs():
    names = [
        *TREE,
        "Straße",
        "Ærø Łódź",
        "feed",
        "404",
        "news/index",
        "x/a/t",
        "y/a/t",
        "t",
        "Привет",
        "علاج",
        "İlaç ılık",
    ]
    slugs = derived_slugs(names)
    assert {name: slugs[name] for name in TREE} == TREE
    assert slugs["Straße"] == "strasse"
    assert slugs["Ærø Łódź"] == "aero-lodz"
    assert (slugs["feed"], slugs["404"]) == ("feed-page", "404-page")
    assert slugs["news/index"] == "news"
    # As many folders as make them differ; a name no other file shares keeps its short form.
    assert (slugs["x/a/t"], slugs["y/a/t"], slugs["t"]) == ("x-a-t", "y-a-t", "t")
    assert slugs["Привет"] == "privet"  # Cyrillic transliterated (source.translit)
    assert slugs["علاج"] == "page-d9cb4524"  # nothing has an ASCII form: a hash of the name
    assert slugs["İlaç ılık"] == "ilac-ilik"  # Turkish dotted and dotless i
    shuffled = names[:]
    random.Random(1).shuffle(shuffled)
    assert derived_slugs(shuffled) == slugs


def test_a_long_name_is_cut_at_a_hyphen():
    slug = derived_slugs(["word " * 60])["word " * 60]
    assert slug == "-".join(["word"] * 40) and len(slug) == MAX_SLUG_LENGTH - 1


name_part = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1, max_size=60)
names = st.lists(st.lists(name_part, min_size=1, max_size=4).map("/".join), max_size=12, unique=True)


@given(names)
@example(["index", "search", "a/index", "b/a/index", "c/a/index", "feed/index", "Index"])
@example(["_", "...", "ß" * 300, "a-" * 150, "x" * 250])
def test_a_derived_slug_always_keeps_the_slug_rule(found):
    slugs = derived_slugs(found)
    assert set(slugs) == set(found)
    assert [(name, slug) for name, slug in slugs.items() if slug_problem(slug) is not None] == []
    assert derived_slugs(reversed(found)) == slugs
