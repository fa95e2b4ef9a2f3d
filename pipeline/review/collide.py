"""`check`'s address collisions: a slug that is already another article's address.

The per-entry checks see one catalog at a time; a collision is between two files
(two sources, or a catalog and a source or another catalog), so it is found here,
over the whole project, by the rule the build applies (`pipeline.catalog.collisions`). The
edition that would lose the address is the error, naming the article that keeps it:
`locales/de/LC_MESSAGES/b.po:35: error: slug: slug 'x' is also the address of
source/a.md in de`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.base.errors import PipelineError
from pipeline.base.files import read_regular
from pipeline.catalog.chrome import CHROME
from pipeline.catalog.collisions import Claim, message, settle, slug_entry, translated_slug
from pipeline.catalog.project import CatalogRef, catalog_refs, default_slugs, discover
from pipeline.config.load import Config
from pipeline.review.registry import ERROR, Finding
from pipeline.source.article import Article, article_name, load_article


def collision_findings(
    config: Config,
    paths: list[Path],
    refs: list[CatalogRef],
    loaded: dict[Path, Article],
    wanted: list[str] | None,
    remember: Remember | None = None,
) -> list[Finding]:
    """An error for each edition whose slug is another article's address in its
    language (among `wanted` languages; all when None). Unreadable files are
    skipped: the rest of `check` reports them. `remember` keeps each file's claim
    between runs (`cached.CheckCache.claim`)."""
    return [
        Finding("slug", ERROR, loser.file, loser.line, loser.slug, loser.slug, message(loser, winner), *where)
        for loser, winner in settle(project_claims(config, paths, refs, loaded, remember))
        if wanted is None or loser.lang in wanted
        for where in [(loser.lang, loser.article)]
    ]


def addresses_in(config: Config, lang: str) -> dict[str, str]:
    """Every address of `lang` the project's files claim: slug → article (`import`
    refuses a translated slug that is another article's)."""
    paths = discover(config)
    refs, _errors = catalog_refs(config, [lang], sources=paths)
    return {c.slug: c.article for c in project_claims(config, paths, refs, {}) if c.lang == lang}


# (file, what besides its bytes the claim depends on, how to make it) → the claim,
# as JSON values, made or remembered.
Remember = Callable[[Path, str, Callable[[], Any]], Any]


def project_claims(
    config: Config,
    paths: list[Path],
    refs: list[CatalogRef],
    loaded: dict[Path, Article],
    remember: Remember | None = None,
) -> list[Claim]:
    """The address each source claims in its own language, and each catalog of `refs`
    whose slug entry is translated and reviewed. With `remember`, a file read
    before is not read again while its bytes are the same (a thousand articles'
    front matter and slug entries were most of a `check` that had nothing to do)."""
    recall = remember or (lambda _path, _extra, make: make())
    # An article's default address depends on its namesakes in other folders too.
    defaults = default_slugs({path: article_name(path, config) for path in paths})
    claims = []
    for path in paths:
        default = defaults.get(path, "")
        made = recall(path, default, lambda path=path, default=default: _source_claim(config, path, loaded, default))
        if made is not None:
            claims.append(Claim(made[0], made[1], made[2], source=True, file=made[3], line=made[4]))
    slugs = {claim.article: claim.slug for claim in claims}
    for ref in refs:
        if ref.name == CHROME or ref.name not in slugs:
            continue
        slug = slugs[ref.name]
        made = recall(ref.path, slug, lambda ref=ref, slug=slug: _catalog_claim(config, ref, slug))
        if made is not None:
            claims.append(Claim(ref.name, ref.lang, made[0], file=config.rel(ref.path), line=made[1]))
    return claims


def _source_claim(config: Config, path: Path, loaded: dict[Path, Article], default: str) -> list | None:
    """[article, lang, slug, file, line] of a source, or None (unreadable)."""
    article = loaded.get(path)
    if article is None:
        try:
            article = load_article(path, config, default or None)
        except PipelineError:
            return None
    return [article.name, article.lang, article.slug, article.relpath, article.meta_lines.get("slug", 1)]


def _catalog_claim(config: Config, ref: CatalogRef, source_slug: str) -> list | None:
    """[slug, line] of a catalog's translated and reviewed slug entry, or None."""
    try:
        text = read_regular(ref.path, config.rel(ref.path)).decode("utf-8")
    except (FileNotFoundError, PipelineError, UnicodeDecodeError):
        return None
    found = slug_entry(text)
    slug = translated_slug(found[0], source_slug) if found else None
    return [slug, found[1]] if found and slug else None
