"""`extract` and `update` for one article (or the page chrome): template → catalogs.

Per article, everything is read and checked before anything is written: a broken
catalog stops that article only (its files stay as they were) and is reported with
its file and line. The loop over articles, the parallelism and the skipping of
unchanged articles live in `publish`; what `update` knows across articles (its
manifest, its digests, the lost-work guard's counts) is `UpdateStep`, below.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polib
from babel import Locale

from pipeline.base.errors import PipelineError
from pipeline.base.files import ABSENT, Changed
from pipeline.base.manifest import (
    TRANSLATIONS,
    FileHashes,
    cache_dir,
    digest,
    load,
    load_counts,
    lost_work,
    save,
    save_counts,
    stamp,
)
from pipeline.catalog.approval import has_stale, strip_stale
from pipeline.catalog.chrome import CHROME, chrome_messages, templates_dir
from pipeline.catalog.merge import MergeCounts, merge, up_to_date
from pipeline.catalog.model import state, template
from pipeline.catalog.pofile import read_po_seen, write_po, write_template
from pipeline.catalog.project import chrome_languages, target_languages
from pipeline.catalog.signoffs import bind
from pipeline.config.load import Config
from pipeline.source.article import Article
from pipeline.source.convert import Converted, Converter
from pipeline.source.messages import article_messages


@dataclass
class CatalogResult:
    """One language catalog of one article after `update`."""

    lang: str
    path: str
    written: bool
    counts: MergeCounts
    translations: int = 0  # live entries with a translation, after the merge


@dataclass(frozen=True)
class Guard:
    """Against lost work: what each catalog held after the last successful run
    (`manifest.load_counts`), and whether the user accepts a loss this time."""

    recorded: dict[str, int] = field(default_factory=dict)
    accept_loss: bool = False
    root: Path | None = None  # the project, to say how the file can be restored

    def check(self, rel: str, old: polib.POFile) -> None:
        """Refuse a catalog that holds far fewer translations than it did."""
        before, now = self.recorded.get(rel), translations(old)
        if not self.accept_loss and lost_work(before, now):
            raise PipelineError(
                f"holds {now} translations, {before} at the last successful run; left as it is: "
                f"{restore_advice(self.root, rel)}, or run again with --accept-loss (make: ACCEPT_LOSS=1)",
                rel,
            )


def restore_advice(root: Path | None, rel: str) -> str:
    """How to get a catalog back, by its git state: `git checkout` restores a file git
    knows (it fails for one never committed); otherwise a backup or the editor's history."""
    if root is not None and shutil.which("git"):
        try:
            known = subprocess.run(
                ["git", "-C", str(root), "ls-files", "--error-unmatch", "--", rel],
                capture_output=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            known = None
        if known is not None and known.returncode == 0:
            return f"restore it from git (git checkout -- {rel})"
        if known is not None and b"not a git repository" not in known.stderr:
            return "it was never committed to git: restore it from a backup or your editor's history"
    return "restore it from a backup or your editor's history"


def translations(po: polib.POFile) -> int:
    """The live entries of `po` that hold human work: reviewed translations, and
    fuzzy ones a translator wrote (machine and memory drafts are not counted: a
    translator who deletes bad drafts loses nothing `pretranslate` cannot redo)."""
    return sum(1 for e in po if not e.obsolete and state(e) in ("approved", "reviewed", "fuzzy"))


@dataclass
class ArticleResult:
    """What `extract`/`update` did for one article."""

    name: str
    template_written: bool = False
    catalogs: list[CatalogResult] = field(default_factory=list)
    error: PipelineError | None = None
    # "file:line: sign-off by NAME of DATE voided: why", one per sign-off `update` removed
    voided: list[str] = field(default_factory=list)


def update_chrome(
    config: Config, langs: list[str] | None, templates_only: bool = False, guard: Guard | None = None
) -> ArticleResult:
    """Extract the templates' UI strings and merge them into the `site` catalogs."""
    result = ArticleResult(CHROME)
    try:
        pot = template(chrome_messages(), config.project_name, _CHROME_HEADER)
        langs = chrome_languages(config, langs)
        merge_into(config, CHROME, pot, langs, templates_only, result, "the page chrome", guard)
    except PipelineError as exc:
        result.error = exc
    return result


def update_article(
    converter: Converter,
    config: Config,
    article: Article,
    langs: list[str] | None,
    templates_only: bool,
    result: ArticleResult,
    guard: Guard | None = None,
) -> tuple[Converted, dict[str, polib.POFile]]:
    """Extract one article and merge its template into its catalogs.

    Returns the source conversion (its HTML is the source edition's body: one parse
    serves extraction and the source build) and the catalogs as they now are.
    """
    result.name = article.name
    converted = converter.convert(article.body, snapshot=True)
    pot = article_template(config, article, converted)
    targets = target_languages(article, config, langs)
    catalogs = merge_into(config, article.name, pot, targets, templates_only, result, article.relpath, guard)
    return converted, catalogs


def article_template(config: Config, article: Article, converted: Converted) -> polib.POFile:
    """The template (`.pot`) of an article from its conversion: its messages in reading order."""
    return template(article_messages(article, converted.segments, config), config.project_name, _pot_header(article))


def merged_now(config: Config, article: Article, pot: polib.POFile, old: polib.POFile, lang: str) -> polib.POFile:
    """What `update` would make of one catalog now (`pot`: the article's template, as
    `article_template` makes it), in memory and never written: the live preview
    renders a source edit through it, so typing and undoing in an editor never
    touches a translator's file."""
    if up_to_date(old, pot) and not has_stale(old):
        return old
    po, _counts = merge(old, pot, lang, _po_header(article.relpath, lang))
    bind(po, config.locales_dir, lang, article.name)
    for entry in po:
        strip_stale(entry)
    return po


# A person saving the same catalog again and again during one update is not
# plausible; past this many fresh starts the last `Changed` is the one line.
ATTEMPTS = 5


def merge_into(
    config: Config,
    name: str,
    pot: polib.POFile,
    langs: list[str],
    templates_only: bool,
    result: ArticleResult,
    origin: str,
    guard: Guard | None = None,
) -> dict[str, polib.POFile]:
    """Write template `name` and merge it into its catalogs; every catalog is read
    (and checked, also against lost work) before anything is written. Returns the
    merged catalogs.

    A catalog a person saved while this ran (`files.Changed` at its write) is not
    overwritten: the merge starts over from the files as they are now (a merge is
    the same work on any catalog, so nothing of theirs or ours is lost)."""
    written: set[str] = set()  # what an earlier attempt wrote (the next one finds it done)
    attempts = ATTEMPTS
    while True:
        attempts -= 1
        try:
            return _merge_once(config, name, pot, langs, templates_only, result, origin, guard, written)
        except Changed:
            result.catalogs.clear()
            if not attempts:
                raise


def _merge_once(
    config: Config,
    name: str,
    pot: polib.POFile,
    langs: list[str],
    templates_only: bool,
    result: ArticleResult,
    origin: str,
    guard: Guard | None,
    written: set[str],
) -> dict[str, polib.POFile]:
    pot_path = config.template_path(name)
    merged: list[tuple[str, Path, polib.POFile, polib.POFile | None, MergeCounts, str]] = []
    if not templates_only:
        for lang in langs:
            path = config.catalog_path(lang, name)
            old, seen = None, ABSENT
            if path.exists():
                old, _text, seen = read_po_seen(path, config.rel(path), lang)
            if old is not None and guard is not None:
                guard.check(config.rel(path), old)
            if old is not None and up_to_date(old, pot) and not has_stale(old):
                # A rerun's usual case: nothing to merge, nothing to compare or write.
                merged.append((lang, path, old, old, MergeCounts(kept=len(pot)), seen))
            else:
                po, counts = merge(old, pot, lang, _po_header(origin, lang))
                bind(po, config.locales_dir, lang, name)
                _strip_and_list(po, old, config.rel(path), result)
                merged.append((lang, path, po, old, counts, seen))
    result.template_written = write_template(pot, pot_path, config.po_width)
    for lang, path, po, old, counts, seen in merged:
        rel = config.rel(path)
        if po is not old and write_po(po, path, old, config.po_width, expect=seen):
            written.add(rel)
        result.catalogs.append(CatalogResult(lang, rel, rel in written, counts, translations(po)))
    return {lang: po for lang, _path, po, _old, _counts, _seen in merged}


def _strip_and_list(po: polib.POFile, old: polib.POFile | None, rel: str, result: ArticleResult) -> None:
    """Remove every sign-off of a text that changed since, and list each one, at its
    line in the catalog as it was (never silent: a voided sign-off is a fact to know)."""
    lines = {}
    for entry in old or ():
        for line in (entry.tcomment or "").split("\n"):
            lines[line.strip()] = entry.linenum
    for entry in po:
        for gone in strip_stale(entry):
            where = lines.get(gone.comment(), entry.linenum)
            result.voided.append(
                f"{rel}:{where}: sign-off by {gone.name} of {gone.date.isoformat()} voided: the text changed since"
            )


def _pot_header(article: Article) -> str:
    return (
        f"Messages of {article.relpath}.\n"
        "Generated by `python -m pipeline extract`; do not edit. Translate in\n"
        f"locales/<lang>/LC_MESSAGES/{article.name}.po."
    )


def _po_header(origin: str, lang: str) -> str:
    return f"{_english_name(lang)} translation of {origin}."


@cache
def _english_name(lang: str) -> str:
    return Locale.parse(lang).english_name or lang


_CHROME_HEADER = (
    "UI strings of the page templates (pipeline/templates/).\n"
    "Generated by `python -m pipeline extract`; do not edit. Translate in\n"
    "locales/<lang>/LC_MESSAGES/site.po."
)


# -- the update step of a pass over all articles (`publish` runs the pass) ------------

CHROME_KEY = "(site)"  # the update manifest's entry for the page chrome (no article has parentheses)


class UpdateStep:
    """What `update` knows across articles: which ones are as its last run left them
    (the update manifest, `.cache/pipeline/update.json`), and what each catalog held
    then (the lost-work guard's counts)."""

    def __init__(
        self, config: Config, hashes: FileHashes, langs: list[str] | None, templates_only: bool, accept_loss: bool
    ) -> None:
        self.config, self.hashes = config, hashes
        self.langs, self.templates_only, self.accept_loss = langs, templates_only, accept_loss
        # One stamp for extract, update and update --lang L: each entry says which
        # languages its last run merged (`covered`), so no command undoes another's work.
        self.stamp = stamp(hashes(config.pyproject))
        self.merged = [] if templates_only else (langs or list(config.languages))
        self.cache = cache_dir(config.root)
        self.old = load(self.cache / "update.json", self.stamp)
        self.new = dict(self.old)
        self.counts = load_counts(self.cache / TRANSLATIONS)
        self.chrome: ArticleResult | None = None

    def update_chrome(self) -> ArticleResult | None:
        """The page chrome's catalogs, unless the templates and catalogs are as last time."""
        old = self.new.get(CHROME_KEY)
        if covered(old, chrome_digest(self.config, self.stamp, self.hashes), self.merged):
            return None
        self.chrome = update_chrome(self.config, self.langs, self.templates_only, self.guard(CHROME))
        if self.chrome.error:
            self.new.pop(CHROME_KEY, None)
        else:  # hashed after the writes: the entry describes the files as this run left them
            after = FileHashes()
            self.new[CHROME_KEY] = record(old, chrome_digest(self.config, self.stamp, after), self.merged)
            self.hashes.learn(after.table)  # the next run need not read them again
        return self.chrome

    def needed(self, path: Path, name: str, slug: str) -> bool:
        """Whether an article's template or catalogs may differ from what `update` makes
        (`slug`: its default address, `article.derived_slugs`)."""
        old = self.old.get(name)
        if old is None:  # never updated, or the record is gone: redone whatever its files hold
            return True  # (hashing them here was a cold run's serial start: 0.2 s at 1,000 articles)
        return not covered(old, update_digest(self.config, path, name, self.stamp, self.hashes, slug), self.merged)

    def guard(self, name: str) -> Guard:
        """The lost-work guard of one article's catalogs."""
        rels = (self.config.rel(self.config.catalog_path(lang, name)) for lang in self.config.languages)
        return Guard({rel: self.counts[rel] for rel in rels if rel in self.counts}, self.accept_loss, self.config.root)

    def count(self, result: ArticleResult | None) -> None:
        """Remember what a successfully updated article's catalogs now hold."""
        if result is not None and result.error is None:
            self.counts.update((cat.path, cat.translations) for cat in result.catalogs)

    def done(self, name: str, digest: str, source_lang: str | None) -> None:
        """An article updated: its files are as `digest` says (its own language has
        no catalog, so it counts as merged too)."""
        merged = [*self.merged, source_lang] if self.merged and source_lang else self.merged
        self.new[name] = record(self.old.get(name), digest, merged)

    def failed(self, name: str) -> None:
        """An article failed: the next run does its work again."""
        self.new.pop(name, None)

    def save(self) -> None:
        """Write the manifest and the counts (raises PipelineError on a failed write)."""
        save(self.cache / "update.json", self.stamp, dict(sorted(self.new.items())))
        self.count(self.chrome)
        save_counts(self.cache / TRANSLATIONS, self.counts)


def covered(entry: object, current: str, langs: list[str]) -> bool:
    """Whether an update manifest entry `[digest, merged languages]` says the files
    are as `update` (or `extract`, which merges none) left them and `langs` were merged."""
    return isinstance(entry, list) and len(entry) == 2 and entry[0] == current and set(langs) <= set(entry[1] or ())


def record(entry: object, current: str, langs: list[str]) -> list:
    """The manifest entry after merging `langs`: an earlier run's languages still
    count when its files are the ones this run left (nothing was written)."""
    if isinstance(entry, list) and len(entry) == 2 and entry[0] == current:
        langs = sorted(set(langs) | set(entry[1] or ()))
    return [current, sorted(langs)]


def catalog_hashes(config: Config, name: str, hashes: FileHashes) -> list[str | None]:
    """The content hashes of one article's catalogs, one per language."""
    # Plain strings: this runs for every article of every run, pathlib costs more here.
    locales = str(config.locales_dir)
    return [hashes(f"{locales}/{lang}/LC_MESSAGES/{name}.po") for lang in config.languages]


def update_digest(config: Config, path: Path, name: str, update_stamp: str, hashes: FileHashes, slug: str) -> str:
    """What an article's update reads and writes: its source, template and catalogs,
    and its default address (`slug`: the names of other files may change it)."""
    template = hashes(f"{config.locales_dir}/templates/{name}.pot")
    return digest(update_stamp, hashes(path), slug, template, *catalog_hashes(config, name, hashes))


def chrome_inputs(config: Config, hashes: FileHashes) -> list[str | None]:
    """What the page chrome comes from: the templates and the `site` catalogs."""
    templates = [hashes(p) for p in sorted(templates_dir().iterdir()) if p.is_file()]
    return [*templates, *catalog_hashes(config, CHROME, hashes)]


def chrome_digest(config: Config, update_stamp: str, hashes: FileHashes) -> str:
    """What the page chrome's update reads and writes: its inputs and its template."""
    return digest(update_stamp, *chrome_inputs(config, hashes), hashes(config.template_path(CHROME)))
