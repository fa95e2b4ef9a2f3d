"""`check`'s address collisions: a slug that is already another article's address.

The per-entry checks see one catalog at a time; a collision is between two files
(two sources, or a catalog and a source or another catalog), so it is found here,
over the whole project, by the rule the build applies (`pipeline.catalog.collisions`). The
edition that would lose the address is the error, naming the article that keeps it:
`locales/de/LC_MESSAGES/b.po:35: error: slug: slug 'x' is also the address of
source/a.md in de`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.base.errors import PipelineError
from pipeline.base.files import read_regular
from pipeline.catalog.chrome import CHROME
from pipeline.catalog.collisions import Claim, message, settle, slug_entry, translated_slug
from pipeline.catalog.project import CatalogRef, catalog_refs, discover
from pipeline.config.load import Config
from pipeline.review.registry import ERROR, Finding
from pipeline.source.article import Article, load_article


def collision_findings(
    config: Config, paths: list[Path], refs: list[CatalogRef], loaded: dict[Path, Article], wanted: list[str] | None
) -> list[Finding]:
    """An error for each edition whose slug is another article's address in its
    language (among `wanted` languages; all when None). Unreadable files are
    skipped: the rest of `check` reports them."""
    return [
        Finding("slug", ERROR, loser.file, loser.line, loser.slug, loser.slug, message(loser, winner), *where)
        for loser, winner in settle(project_claims(config, paths, refs, loaded))
        if wanted is None or loser.lang in wanted
        for where in [(loser.lang, loser.article)]
    ]


def addresses_in(config: Config, lang: str) -> dict[str, str]:
    """Every address of `lang` the project's files claim: slug → article (`import`
    refuses a translated slug that is another article's)."""
    paths = discover(config)
    refs, _errors = catalog_refs(config, [lang], sources=paths)
    return {c.slug: c.article for c in project_claims(config, paths, refs, {}) if c.lang == lang}


def project_claims(
    config: Config, paths: list[Path], refs: list[CatalogRef], loaded: dict[Path, Article]
) -> list[Claim]:
    """The address each source claims in its own language, and each catalog of `refs`
    whose slug entry is translated and reviewed."""
    articles: dict[str, Article] = {}
    claims = []
    for path in paths:
        article = loaded.get(path)
        if article is None:
            try:
                article = load_article(path, config)
            except PipelineError:
                continue
        articles[article.name] = article
        line = article.meta_lines.get("slug", 1)
        claims.append(Claim(article.name, article.lang, article.slug, source=True, file=article.relpath, line=line))
    for ref in refs:
        article = articles.get(ref.name)
        if ref.name == CHROME or article is None:
            continue
        rel = config.rel(ref.path)
        try:
            text = read_regular(ref.path, rel).decode("utf-8")
        except (FileNotFoundError, PipelineError, UnicodeDecodeError):
            continue
        found = slug_entry(text)
        slug = translated_slug(found[0], article.slug) if found else None
        if found and slug:
            claims.append(Claim(ref.name, ref.lang, slug, file=rel, line=found[1]))
    return claims
