"""`check`'s memory between runs: findings per catalog, per entry and per source.

Three levels, all in `.cache/pipeline/check.json` (one `manifest.Memo`):

* a catalog whose file is unchanged (its content hash, found through the shared
  stat-checked `FileHashes`) gets its recorded findings back without being read;
* in a changed catalog, an entry whose source, translation, flags and comments are
  the same as last time gets its recorded findings back without any check running
  (only its line is taken from where it is now);
* a source file whose content is unchanged gets its recorded lint findings back,
  and each source's and catalog's address claim (`claim`) is not read again.

With it, `verdicts.json` holds each entry's findings of enforced checks (`Recorded`):
an entry `check` judged gets its verdict from there in a build, not from running
the enforced checks again.

The memo's stamp holds the pipeline's version, `pyproject.toml` (the QA settings,
the protected patterns, the extensions) and the glossary, so changing any of them
checks everything again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib

from pipeline.base.manifest import (
    FileHashes,
    Memo,
    cache_dir,
    code_digest,
    digest,
    load,
    project_hashes,
    save_quietly,
    stamp,
)
from pipeline.catalog.project import CatalogRef
from pipeline.catalog.signoffs import inputs as signoff_inputs
from pipeline.config.load import Config
from pipeline.review.registry import Finding
from pipeline.review.severity import enforced

# What a cached finding keeps: the rest (file, line, language, article) is where
# the entry is now.
_FIELDS = ("check", "severity", "msgid", "msgstr", "message")


class CheckCache:
    """Findings of unchanged catalogs, entries and sources (see the module doc)."""

    def __init__(self, config: Config, hashes: FileHashes | None = None) -> None:
        self.config = config
        self.hashes = hashes if hashes is not None else project_hashes(config.root)
        self.memo = Memo(cache_dir(config.root) / "check.json", check_stamp(config, self.hashes))

    def catalog(self, path: Path) -> tuple[str | None, list[Finding] | None]:
        """The catalog file's digest and its recorded findings (None: check it)."""
        current = self.hashes(path)
        if current is None:
            return None, None
        value = self.memo.get(f"po:{path}", current)
        if not isinstance(value, dict):
            return current, None
        file, lang, article = value["where"]
        found = []
        new = object.__new__  # see `_finding`: this loop makes most of a no-op run's objects
        for line, rows in value["entries"].values():
            for check, severity, msgid, msgstr, message in rows:
                finding = new(Finding)
                finding.__dict__.update(
                    check=check,
                    severity=severity,
                    file=file,
                    line=line,
                    msgid=msgid,
                    msgstr=msgstr,
                    message=message,
                    lang=lang,
                    article=article,
                )
                found.append(finding)
        return current, found

    def known_entries(self, path: Path) -> dict[str, list]:
        """Per-entry findings recorded for an earlier version of the catalog."""
        known = self.memo.entries.get(f"po:{path}")
        if isinstance(known, list) and len(known) == 2 and isinstance(known[1], dict):
            entries = known[1].get("entries")
            return entries if isinstance(entries, dict) else {}
        return {}

    def store_catalog(self, path: Path, current: str, findings: list[Finding], entries: dict[str, list]) -> None:
        """Record a catalog's findings: `entries` (`{key: [line, findings]}` in the
        catalog's order, see `cached_entry`) holds them all, compactly."""
        where = [findings[0].file, findings[0].lang, findings[0].article] if findings else [None, None, None]
        self.memo.put(f"po:{path}", current, {"where": where, "entries": entries})

    def source(self, path: Path) -> tuple[str | None, str | None, Callable[[], list[Finding]] | None]:
        """A source file's digest, its language and its lint findings as recorded
        (made when called: a `--lang` run wants few of them), or None, None: lint it
        (also when an image it shows was added, changed or removed since)."""
        current = self.hashes(path)
        value = self.memo.get(f"md:{path}", current) if current is not None else None
        if not isinstance(value, dict) or value.get("media", "") != self._media(value.get("files", [])):
            return current, None, None
        return current, value.get("lang"), lambda: [_finding(f) for f in value.get("findings", [])]

    def store_source(
        self, path: Path, current: str, lang: str, findings: list[Finding], media: list[str] | None = None
    ) -> None:
        """Record a source's lint findings, with the files its images were looked for as."""
        files = list(media or ())
        value = {"lang": lang, "findings": [f.as_dict() for f in findings], "files": files, "media": self._media(files)}
        self.memo.put(f"md:{path}", current, value)

    def _media(self, files: list[str]) -> str:
        """The state of a source's images (project paths): their hashes, None when absent."""
        return digest(*(self.hashes(self.config.root / file) for file in files))

    def claim(self, path: Path, extra: str, make: Callable[[], Any]) -> Any:
        """What `make` says of the file `path` (its address claim: `collide`),
        remembered while its bytes and `extra` are the same. The claim of a file
        that cannot be hashed is made each time."""
        current = self.hashes(path)
        if current is None:
            return make()
        key, version = f"claim:{path}", digest(current, extra)
        known = self.memo.get(key, version)
        if isinstance(known, list) and len(known) == 1:
            return known[0]
        value = make()
        self.memo.put(key, version, [value])
        return value

    def save(self) -> None:
        """Keep what was learnt (a failed write only costs the next run the work),
        and the enforced checks' verdicts of every entry for the build (`Recorded`)."""
        if self.memo.changed:
            verdicts = Memo(cache_dir(self.config.root) / VERDICTS, self.memo.stamp)
            verdicts.entries = _verdicts(self.memo.entries, enforced(self.config.qa))
            verdicts.changed = True
            save_quietly(verdicts)
        save_quietly(self.memo, self.hashes)


def check_stamp(config: Config, hashes: FileHashes) -> str:
    """What every finding `check` records depends on besides the entry: the code,
    the settings, the glossary and the sign-off inputs."""
    glossary, signoffs = hashes(config.locales_dir / "glossary.csv"), signoff_inputs(config.locales_dir, hashes)
    return stamp("check 2", code_digest(hashes), hashes(config.pyproject), glossary, signoffs)


VERDICTS = "verdicts.json"  # beside check.json: entry key → its enforced findings, [check, message]


def _verdicts(entries: dict[str, object], enforce: frozenset[str]) -> dict[str, list]:
    """Of `check`'s memo, each entry's findings of enforced checks as [check, message]
    (a tenth of the memo's size: no texts), by entry key."""
    found: dict[str, list] = {}
    for name, value in entries.items():
        if not (name.startswith("po:") and isinstance(value, list) and len(value) == 2 and isinstance(value[1], dict)):
            continue
        known = value[1].get("entries")
        for key, item in known.items() if isinstance(known, dict) else ():
            rows = item[1] if isinstance(item, list) and len(item) == 2 and isinstance(item[1], list) else None
            if rows is not None and all(isinstance(row, list) and len(row) == len(_FIELDS) for row in rows):
                found[key] = [[row[0], row[4]] for row in rows if row[0] in enforce]  # else: judged in the build
    return found


class Recorded:
    """The enforced checks' verdicts `check` (or `review`) last recorded, by entry key
    (`entry_key`), while its cache is current (the same code, settings, glossary
    and sign-off inputs: the stamp). The build's enforced checks take an entry's
    verdict from it (`enforce.Enforcer`), so a build after a check judges no entry
    `check` has judged. Its own small file, `verdicts.json`: the build never
    loads `check.json` (with every finding's texts, 27 MB for 1,000 articles)."""

    def __init__(self, verdicts: dict[str, list]) -> None:
        self._verdicts = verdicts

    @classmethod
    def load(cls, config: Config, hashes: FileHashes | None = None) -> Recorded | None:
        """The recorded verdicts, or None (none, or not current)."""
        hashes = hashes if hashes is not None else project_hashes(config.root)
        path = cache_dir(config.root) / VERDICTS
        verdicts = load(path, check_stamp(config, hashes)) if path.is_file() else {}
        return cls(verdicts) if verdicts else None

    def findings(self, entry: polib.POEntry, lang: str, source_lang: str) -> list[tuple[str, str]] | None:
        """`entry`'s findings of enforced checks, as (check, message) in the checks'
        order, or None: not recorded, or not readable (anyone can edit a cache)."""
        rows = self._verdicts.get(entry_key(entry, lang, source_lang))
        if not isinstance(rows, list):
            return None
        found = []
        for row in rows:
            if not (isinstance(row, list) and len(row) == 2 and all(isinstance(x, str) for x in row)):
                return None
            found.append((row[0], row[1]))
        return found


def _finding(fields: dict, **more: object) -> Finding:
    """A `Finding` from recorded fields. A no-op `check` of a thousand catalogs makes
    tens of thousands: the frozen dataclass's `__init__` (a guarded setattr per
    field) would be most of its time, so the fields are set in one go."""
    finding = object.__new__(Finding)
    finding.__dict__.update(fields, **more)
    return finding


def entry_key(entry: polib.POEntry, lang: str, source_lang: str) -> str:
    """Everything of an entry a check may look at (besides the project settings)."""
    plural = "\x00".join(f"{k}={v}" for k, v in sorted(entry.msgstr_plural.items(), key=lambda kv: str(kv[0])))
    return digest(
        lang,
        source_lang,
        entry.msgctxt,
        entry.msgid,
        entry.msgid_plural or None,
        entry.msgstr,
        plural,
        ",".join(entry.flags),
        entry.tcomment,
        str(entry.obsolete),
    )


def cached_entry(
    known: dict[str, list], fresh: dict[str, list], key: str, where: Finding, run: Callable[[], list[Finding]]
) -> list[Finding]:
    """An entry's findings: recorded under `key`, else `run()`; `where` carries the
    entry's current file, line, language and article. `fresh` collects the
    entries of the catalog as it is now, `{key: [line, findings]}` in order."""
    stored = known.get(key)
    if isinstance(stored, list) and len(stored) == 2:
        rows = stored[1]
        fresh[key] = [where.line, rows]
        here = {"file": where.file, "line": where.line, "lang": where.lang, "article": where.article}
        return [_finding(dict(zip(_FIELDS, values, strict=True)), **here) for values in rows]
    found = run()
    fresh[key] = [where.line, [[getattr(f, name) for name in _FIELDS] for f in found]]
    return found


def review_digest(config: Config, lang: str, refs: list[CatalogRef], hashes: FileHashes) -> str:
    """Everything a language's review page is made from: the page's template and
    each of its catalogs' sections (`section_digest`)."""
    from pipeline.catalog.chrome import templates_dir

    sections = [section_digest(config, ref, hashes) for ref in refs if ref.lang == lang]
    return stamp(lang, hashes(templates_dir() / REVIEW_TEMPLATES[0]), *sections)


def section_digest(config: Config, ref: CatalogRef, hashes: FileHashes) -> str:
    """Everything one catalog's section of its review page is made from: the
    catalog (or its template), its source language, the glossary, the settings and
    the section's template."""
    from pipeline.catalog.chrome import templates_dir

    parts = [hashes(config.pyproject), hashes(config.locales_dir / "glossary.csv")]
    parts += [hashes(templates_dir() / REVIEW_TEMPLATES[1]), signoff_inputs(config.locales_dir, hashes)]
    return stamp(ref.lang, str(ref.path), ref.source_lang, hashes(ref.path), hashes(ref.template), *parts)


REVIEW_TEMPLATES = ("review.html", "review_article.html")  # the page, and each catalog's section of it
