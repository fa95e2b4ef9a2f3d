"""Sign-offs that can be verified: manifests signed by a reviewer's own SSH key.

One `approve` run writes one manifest, `locales/<lang>/signoffs/<date>-<id>.txt`:

    pipeline approval manifest 1
    language: de
    reviewer: Dr. Anna Weber
    date: 2026-12-07
    <sha256 of one entry> <article>
    ...

and its signature beside it (`.txt.sig`, `ssh-keygen -Y sign`, `pipeline.base.sshsig`).
An entry's digest is SHA-256 over the compact JSON `[lang, article, msgctxt, msgid,
msgstr]` (plural: `[lang, article, msgctxt, msgid, msgid_plural, [forms]]`): the
whole of what was approved, where. A manifest counts only if its signature verifies
for its reviewer's name against `locales/reviewers` (OpenSSH allowed-signers: the
name as the principal, then the public key) and its date is not in the future.

A `Ledger` is one language's verified manifests: digest → `Grant` (who, when, which
key), and every manifest refused, with why. `ssh-keygen -Y verify` runs once per
manifest, and a verified manifest is remembered by the digest of its bytes, its
signature's and the reviewers file's (`.cache/pipeline/signoffs.json`), so a build
verifies nothing it verified before. Entries learn where they are from `bind` (a
catalog's language and article, set when it is read or merged): an entry that does
not know where it is has no sign-off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polib

from pipeline.base.errors import PipelineError
from pipeline.base.files import atomic_write
from pipeline.base.manifest import FileHashes, cache_dir
from pipeline.base.manifest import digest as blake
from pipeline.base.sshsig import verify

REVIEWERS = "reviewers"  # locales/reviewers
FOLDER = "signoffs"  # locales/<lang>/signoffs/
HEADER = "pipeline approval manifest 1"
_CACHE = "signoffs.json"
SET_UP = (
    "no reviewers' keys: add each reviewer's line to locales/reviewers "
    '(`"Dr. Anna Weber" ssh-ed25519 AAAA...`, see README, reviewer\'s guide)'
)


@dataclass(frozen=True)
class Scope:
    """Where a catalog's entries are: the project's locales folder, language, article,
    and the (msgctxt, msgid) of its live entries (a sign-off of a previous source that
    is still a live entry of its own was copied, not kept by a merge)."""

    locales: Path
    lang: str
    article: str
    live: frozenset[tuple[str | None, str]] = frozenset()


def bind(po: polib.POFile, locales: Path, lang: str, article: str) -> None:
    """Tell every entry of `po` where it is (see the module docstring)."""
    live = frozenset((e.msgctxt, e.msgid) for e in po if not e.obsolete)
    scope = Scope(locales, lang, article, live)
    for entry in po:
        entry.signoff_scope = scope


def bind_path(po: polib.POFile, path: Path) -> None:
    """`bind` from a catalog's path, `<locales>/<lang>/LC_MESSAGES/<article>.po`;
    nothing for a file elsewhere (a template, a copy)."""
    parts = path.parts
    if path.suffix != ".po" or "LC_MESSAGES" not in parts:
        return
    at = len(parts) - 1 - parts[::-1].index("LC_MESSAGES")
    if at < 2:
        return
    article = "/".join(parts[at + 1 :]).removesuffix(".po")
    bind(po, Path(*parts[: at - 1]), parts[at - 1], article)


def scope_of(entry: polib.POEntry) -> Scope | None:
    """Where `bind` said the entry is, or None."""
    return getattr(entry, "signoff_scope", None)


def digest(lang: str, article: str, texts: list) -> str:
    """SHA-256 (64 hex digits) of what is approved: language, article and the entry's texts."""
    return _digest(json.dumps([lang, article, *texts], ensure_ascii=False, separators=(",", ":")))


@lru_cache(maxsize=8192)  # a build asks for each entry's digest several times (state, policy, page)
def _digest(data_text: str) -> str:
    return hashlib.sha256(data_text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Grant:
    """A verified sign-off of one digest: who, when, with which key, in which manifest."""

    name: str
    date: dt.date
    fingerprint: str
    manifest: str


@dataclass(frozen=True)
class Manifest:
    """What one `approve` run signed."""

    lang: str
    name: str
    date: dt.date
    entries: tuple[tuple[str, str], ...]  # (digest, article)

    def text(self) -> str:
        """The manifest as signed (UTF-8, one field a line)."""
        lines = [HEADER, f"language: {self.lang}", f"reviewer: {self.name}", f"date: {self.date.isoformat()}"]
        return "\n".join(lines + [f"{d} {a}" for d, a in self.entries]) + "\n"

    def file_name(self) -> str:
        """`<date>-<12 hex of the manifest's SHA-256>.txt`."""
        return f"{self.date.isoformat()}-{hashlib.sha256(self.text().encode()).hexdigest()[:12]}.txt"


def parse_manifest(text: str) -> Manifest | str:
    """A manifest's text → `Manifest`, or why it is none."""
    lines = text.split("\n")
    if len(lines) < 5 or lines[0] != HEADER or lines[-1] != "":
        return "not a sign-off manifest"
    fields = {}
    for line, key in zip(lines[1:4], ("language", "reviewer", "date"), strict=True):
        name, sep, value = line.partition(": ")
        if name != key or not sep or not value.strip():
            return f"no '{key}:' line"
        fields[key] = value
    try:
        day = dt.date.fromisoformat(fields["date"])
    except ValueError:
        return "its date is not YYYY-MM-DD"
    entries = []
    for line in lines[4:-1]:
        hexdigest, _sep, article = line.partition(" ")
        if len(hexdigest) != 64 or not set(hexdigest) <= set("0123456789abcdef") or not article:
            return f"a line is not 'DIGEST ARTICLE': {line[:80]!r}"
        entries.append((hexdigest, article))
    return Manifest(fields["language"], fields["reviewer"], day, tuple(entries))


@dataclass
class Ledger:
    """One language's verified sign-offs, and the manifests refused (file, why)."""

    grants: dict[str, Grant] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)
    reviewers: bool = False  # whether locales/reviewers lists any key
    # digest → (manifest, why) for the entries of a manifest that was read but refused
    refused_digests: dict[str, tuple[str, str]] = field(default_factory=dict)


def has_reviewers(locales: Path) -> bool:
    """Whether `locales/reviewers` lists at least one key (comments aside)."""
    try:
        text = (locales / REVIEWERS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def inputs(locales: Path, hashes: FileHashes) -> str:
    """What every sign-off's validity is made from, for the caches of `check`, the
    review page and the build: the reviewers file, every manifest and signature, and,
    while a manifest is named with a later date than today's, the day (a manifest's
    date must not be in the future; the caches must not outlive that day)."""
    files = sorted(locales.glob(f"*/{FOLDER}/*"))
    parts = [hashes(locales / REVIEWERS), *(f"{p.relative_to(locales)} {hashes(p)}" for p in files)]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    if any(p.name[:10] > today for p in files):  # a manifest dated ahead counts once its day comes
        parts.append(today)
    return blake(*parts)


_LEDGERS: dict[tuple[Path, str], tuple[tuple, Ledger, float]] = {}


def _stamp(locales: Path, lang: str, today: dt.date) -> tuple:
    """What a ledger is made from, by name, size and time: its files and the day."""
    found: list[tuple[str, int, int]] = []
    for path in (locales / REVIEWERS, *_files(locales / lang / FOLDER)):
        try:
            st = path.stat()
        except OSError:
            continue
        found.append((path.name, st.st_size, st.st_mtime_ns))
    return (today, tuple(found))


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(folder) if e.name.endswith((".txt", ".sig")))
    except OSError:
        return []


_FRESH = 1.0  # seconds a ledger is trusted without looking at its files again


def ledger(locales: Path, lang: str, today: dt.date | None = None) -> Ledger:
    """The verified sign-offs of `lang` (remembered while its files are unchanged).

    Asked once per approved entry (a build asks for every entry), so its files are
    looked at again at most once a second: a stat of each costs more than the
    answer. `forget` drops what is remembered (`approve` does, after writing)."""
    key = (locales, lang)
    known = _LEDGERS.get(key)
    now = time.monotonic()
    if known is not None and today is None and now - known[2] < _FRESH:
        return known[1]
    today = today or dt.datetime.now(dt.UTC).date()
    stamp = _stamp(locales, lang, today)
    if known is not None and known[0] == stamp:
        _LEDGERS[key] = (stamp, known[1], now)
        return known[1]
    made = _verify_all(locales, lang, today)
    _LEDGERS[key] = (stamp, made, now)
    return made


def forget() -> None:
    """Drop every remembered ledger: the next question looks at the files again."""
    _LEDGERS.clear()


def _verify_all(locales: Path, lang: str, today: dt.date) -> Ledger:
    result = Ledger(reviewers=has_reviewers(locales))
    manifests = [p for p in _files(locales / lang / FOLDER) if p.suffix == ".txt"]
    if not manifests:
        return result
    signers = locales / REVIEWERS
    remembered = _Remembered(locales.parent)
    for path in manifests:
        rel = f"{locales.name}/{lang}/{FOLDER}/{path.name}"
        why = _verify_one(path, lang, today, signers, result, remembered, rel)
        if why is not None:
            result.refused.append((rel, why))
            read = parse_manifest(path.read_text(encoding="utf-8", errors="replace"))
            for hexdigest, _article in () if isinstance(read, str) else read.entries:
                result.refused_digests.setdefault(hexdigest, (rel, why))
    remembered.save()
    return result


def _verify_one(
    path: Path, lang: str, today: dt.date, signers: Path, result: Ledger, remembered: _Remembered, rel: str
) -> str | None:
    """Verify one manifest into `result.grants`; why it is refused, or None."""
    try:
        data = path.read_bytes()
        signature = path.with_name(path.name + ".sig").read_bytes()
    except OSError:
        return "no signature beside it (.txt.sig)"
    manifest = parse_manifest(data.decode("utf-8", "replace"))
    if isinstance(manifest, str):
        return manifest
    if manifest.lang != lang:
        return f"it signs language '{manifest.lang}', not '{lang}'"
    if manifest.date > today:
        return f"dated {manifest.date.isoformat()}, in the future"
    if not result.reviewers:
        return "locales/reviewers lists no keys: " + SET_UP
    key = hashlib.sha256(b"\0".join([signers.read_bytes(), manifest.name.encode(), data, signature])).hexdigest()
    fingerprint = remembered.get(key)
    if fingerprint is None:
        try:
            fingerprint = verify(data, signature, signers, manifest.name)
        except PipelineError as exc:
            return str(exc)
        if fingerprint is None:
            return f"its signature does not verify for '{manifest.name}' against locales/reviewers (forged or altered)"
        remembered.put(key, fingerprint)
    for hexdigest, _article in manifest.entries:
        result.grants[hexdigest] = Grant(manifest.name, manifest.date, fingerprint, rel)
    return None


class _Remembered:
    """Manifests verified before: digest of (reviewers, name, manifest, signature) →
    the key's fingerprint. A cache: unreadable, it is empty; unwritable, it is skipped."""

    def __init__(self, root: Path) -> None:
        self.path = cache_dir(root) / _CACHE
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.known = {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.known = {}

    def get(self, key: str) -> str | None:
        return self.known.get(key)

    def put(self, key: str, fingerprint: str) -> None:
        self.known[key] = fingerprint
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        with contextlib.suppress(OSError, PipelineError):  # a cache: the next build verifies again
            atomic_write(self.path, json.dumps(self.known, sort_keys=True).encode("utf-8"), durable=False)
