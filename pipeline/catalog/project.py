"""A project, loaded once: its configuration (every `[tool.pipeline.*]` table
validated), its articles and its catalogs.

Every command starts from `load_project`: a typo in `pyproject.toml` or an article
with a reserved name stops every command alike, before anything is read or written.
The default page address of each article is made from that one list of articles
(`default_slugs`), so every command gives an article the same one; two articles at
one address are a collision, settled by one rule (`collisions`).
The catalog references (`catalog_refs`) are the one list of "which catalogs does
this project have": the page chrome's `site` catalogs first, then each article's,
in every language but the article's own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.base.errors import PipelineError, UsageError
from pipeline.base.manifest import FileHashes, Memo, cache_dir, project_hashes, save_quietly, stamp
from pipeline.catalog.chrome import CHROME, CHROME_LANG
from pipeline.config.load import Config, load_config
from pipeline.source.article import Article, article_name, derived_slugs, load_article, source_files


@dataclass(frozen=True)
class Project:
    """A project as every command sees it: the validated configuration and the
    source files of its articles (reserved names refused)."""

    config: Config
    sources: tuple[Path, ...]


# The articles of a project as `load_project` found them, for the functions a
# command calls (None: those functions list them themselves).
Sources = Sequence[Path] | None


@dataclass(frozen=True)
class CatalogRef:
    """One catalog of the project: an article's or the page chrome's, in one language."""

    name: str
    lang: str
    source_lang: str
    path: Path
    template: Path


def load_project(root: Path, checks: Collection[str] | None = None) -> Project:
    """Load the project in `root`: configuration validated (`checks`: the QA check
    names `[tool.pipeline.qa]` may use), articles discovered. Problems are one-line
    `PipelineError`s (a configuration problem: `UsageError`)."""
    config = load_config(root, checks)
    return Project(config, tuple(discover(config)))


def discover(config: Config) -> list[Path]:
    """Every `*.md` under `source/`, in a stable order. An article may not take the
    name of the page chrome's catalog (`source/site.md` would share `site.po`)."""
    if not config.source_dir.is_dir():
        raise UsageError(f"no source folder: {config.source_dir}")
    paths = source_files(config)
    for path in paths:
        if article_name(path, config) == CHROME:
            raise PipelineError(
                f"the article name '{CHROME}' is reserved for the page chrome's catalog "
                f"(locales/<lang>/LC_MESSAGES/{CHROME}.po); rename the file",
                config.rel(path),
            )
    return paths


def default_slugs(names: Mapping[Path, str]) -> dict[Path, str]:
    """The page address of each of a project's articles (`names`: path → article
    name, all of them) when its front matter sets none: `article.derived_slugs`."""
    slugs = derived_slugs(names.values())
    return {path: slugs[name] for path, name in names.items()}


def target_languages(article: Article, config: Config, only: Iterable[str] | None = None) -> list[str]:
    """The languages an article is translated into: all but its own."""
    wanted = set(only) if only else None
    return [lang for lang in config.languages if lang != article.lang and (wanted is None or lang in wanted)]


def chrome_languages(config: Config, only: Iterable[str] | None = None) -> list[str]:
    """The languages the page chrome is translated into: all but the templates' own."""
    wanted = set(only) if only else None
    return [lang for lang in config.languages if lang != CHROME_LANG and (wanted is None or lang in wanted)]


def catalog_refs(
    config: Config,
    langs: Iterable[str] | None = None,
    hashes: FileHashes | None = None,
    loaded: dict[Path, Article] | None = None,
    sources: Sources = None,
) -> tuple[list[CatalogRef], list[PipelineError]]:
    """Every catalog `update` maintains for `langs` (all when None): the page chrome's
    `site` catalogs first, then each article's. Articles that cannot be read are
    returned as errors, not skipped silently. An article's language and written slug
    are remembered per source content (`.cache/pipeline/articles.json`), so an
    unchanged source is not read again; an article that is read is put into `loaded`,
    for a caller that needs it too (`check` lints it) not to read it a second time."""
    refs = [
        CatalogRef(CHROME, lang, CHROME_LANG, config.catalog_path(lang, CHROME), config.template_path(CHROME))
        for lang in chrome_languages(config, langs)
    ]
    own = hashes is None
    hashes = project_hashes(config.root) if hashes is None else hashes
    known = Memo(cache_dir(config.root) / "articles.json", stamp(hashes(config.pyproject)))
    errors = []
    wanted = set(langs) if langs else None
    names = {path: article_name(path, config) for path in (discover(config) if sources is None else sources)}
    slugs = default_slugs(names)
    for path, name in names.items():
        current = hashes(path)
        remembered = known.get(name, current) if current is not None else None
        if _remembered(remembered):
            lang, written = remembered
        else:
            try:
                article = load_article(path, config, slugs[path])
            except PipelineError as exc:
                errors.append(exc)
                continue
            lang, written = article.lang, article.meta.get("slug")
            if loaded is not None:
                loaded[path] = article
            if current is not None:
                known.put(name, current, [lang, written])
        refs.extend(
            CatalogRef(name, target, lang, config.catalog_path(target, name), config.template_path(name))
            for target in config.languages
            if target != lang and (wanted is None or target in wanted)
        )
    save_quietly(known, *([hashes] if own else []))
    return refs, errors


def _remembered(value: object) -> bool:
    """Whether a memo entry is an article's `[language, written slug or None]`."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and (value[1] is None or isinstance(value[1], str))
    )
