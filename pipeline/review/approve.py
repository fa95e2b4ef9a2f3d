"""`approve`: a second person's sign-off on reviewed entries (four-eyes principle).

`python -m pipeline approve --lang de --by "Dr. Anna Weber" [ARTICLE ...]
[--entries FILE:LINE,...] [--key FILE]` signs, with the reviewer's own SSH key, one
manifest of the digests of every entry it signs (`pipeline.catalog.signoffs`,
written to `locales/<lang>/signoffs/`), checks that signature against
`locales/reviewers` for NAME, and only then adds `# approved: NAME DATE DIGEST` (see
`pipeline.catalog.approval`) to every reviewed entry — translated, not fuzzy — that passes
the enforced checks: never a draft, never an entry with an error. ARTICLE names an
article (`als-stem-cell-therapy`) or `site`, the page chrome; without one, every
catalog of the language. `--entries` narrows it to the entries at those lines (any
line of an entry counts). Everything is read and checked before anything is written;
a bad argument is one line, exit 2, and no file changes. A catalog that the
reviewer's page on disk (`review/<lang>.html`) could not show is not signed: the
command stops naming it (exit 1) until `review` has shown it.

A sign-off is the reviewer's decision on the text they read: a catalog a person
saved while `approve` ran (its bytes are no longer those read) is never written
over — the command stops with one line naming it (exit 1); nothing of the save is
lost, and running `approve` again signs what is reviewed in it now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline.base import sshsig
from pipeline.base.errors import PipelineError, UsageError
from pipeline.base.files import Changed, atomic_write, on_disk
from pipeline.base.manifest import cache_dir
from pipeline.catalog.approval import Approval, entry_digest, sign
from pipeline.catalog.model import state
from pipeline.catalog.pofile import read_po_seen, write_po
from pipeline.catalog.project import CatalogRef, catalog_refs
from pipeline.catalog.signoffs import FOLDER, REVIEWERS, SET_UP, Manifest, forget, has_reviewers, scope_of
from pipeline.config.load import Config
from pipeline.review.enforce import Enforcer
from pipeline.review.page import unshown_catalogs


@dataclass
class ApproveResult:
    """What `approve` signed, and what it would not sign (and why)."""

    lang: str
    by: str
    signed: list[str] = field(default_factory=list)  # "file:line: approved by NAME"
    skipped: list[str] = field(default_factory=list)  # "file:line: not signed: why"
    already: int = 0
    drafts: int = 0
    written: list[str] = field(default_factory=list)
    manifest: str = ""  # "locales/de/signoffs/....txt (key SHA256:...)", when one was signed

    def summary(self) -> str:
        parts = [f"{len(self.signed)} entr{'y' if len(self.signed) == 1 else 'ies'} signed off by {self.by}"]
        if self.already:
            parts.append(f"{self.already} already approved")
        if self.drafts:
            parts.append(f"{self.drafts} not reviewed (drafts or untranslated: never signed)")
        if self.skipped:
            parts.append(f"{len(self.skipped)} with errors of enforced checks (not signed)")
        signed = f"; signed {self.manifest}" if self.manifest else ""
        return f"{self.lang}: " + ", ".join(parts) + f"; {len(self.written)} catalog(s) written{signed}"


def approve(
    config: Config,
    lang: str,
    by: str,
    articles: list[str] | None = None,
    entries: str | None = None,
    today: dt.date | None = None,
    key: Path | None = None,
) -> ApproveResult:
    """Sign off the reviewed entries of `lang` (see the module's docstring)."""
    name = " ".join(by.split())
    if not name:
        raise UsageError("--by needs the reviewer's name")
    if not has_reviewers(config.locales_dir):
        raise UsageError(SET_UP)
    refs, errors = catalog_refs(config, [lang])
    if errors:
        raise errors[0]
    refs = _chosen(config, refs, lang, articles or [])
    unshown = unshown_catalogs(config, lang)
    for ref in refs:
        if config.rel(ref.path) in unshown:
            raise PipelineError(
                f"the reviewer's page could not show this catalog; fix it, run `make review LANG={lang}`"
                " and read it before approving",
                config.rel(ref.path),
            )
    read = [(ref, *read_po_seen(ref.path, config.rel(ref.path), lang)) for ref in refs if ref.path.exists()]
    seen = {ref.path: digest for ref, _po, _text, digest in read}
    catalogs = [(ref, po, text) for ref, po, text, _digest in read]
    selection = _selection(config, catalogs, entries) if entries is not None else None
    enforcer = Enforcer(config)
    result = ApproveResult(lang, name)
    date = today or dt.datetime.now(dt.UTC).date()
    chosen_entries: list[tuple[CatalogRef, polib.POFile, polib.POEntry]] = []
    for ref, po, _text in catalogs:
        rel = config.rel(ref.path)
        chosen = selection.get(rel, set()) if selection is not None else None
        if chosen is not None and not chosen:
            continue
        for entry in _signable(po, rel, ref, chosen, enforcer, result):
            chosen_entries.append((ref, po, entry))
    if chosen_entries:
        _sign_all(config, lang, name, date, key, chosen_entries, result, seen)
    return result


def _sign_all(
    config: Config,
    lang: str,
    name: str,
    date: dt.date,
    key: Path | None,
    chosen: list[tuple[CatalogRef, polib.POFile, polib.POEntry]],
    result: ApproveResult,
    seen: dict[Path, str],
) -> None:
    """One manifest over every chosen entry's digest, signed and verified; then the
    `# approved:` lines and the catalogs. Nothing is written unless the signature
    verifies for `name` against locales/reviewers, and no catalog a person saved since
    it was read (`seen`: what was read) is signed over."""
    digests = []
    for ref, _po, entry in chosen:
        scope = scope_of(entry)
        if scope is None:  # read_po_text binds every catalog it reads
            raise PipelineError("cannot tell where this catalog is (language, article)", config.rel(ref.path))
        digests.append((entry_digest(entry, scope), ref.name))
    manifest = Manifest(lang, name, date, tuple(digests))
    data = manifest.text().encode("utf-8")
    signature = _signature(config, name, data, key)
    signers = config.locales_dir / REVIEWERS
    fingerprint = sshsig.verify(data, signature, signers, name)
    if fingerprint is None:
        raise PipelineError(f"this key is not {name}'s in locales/reviewers: nothing signed", config.rel(signers))
    # Every catalog to write is checked first, so a save found now stops the command
    # before anything is signed; each write checks again just before its rename.
    for ref in {ref.path: ref for ref, _po, _entry in chosen}.values():
        if on_disk(ref.path) != seen[ref.path]:
            raise Changed(config.rel(ref.path))
    folder = config.locales_dir / lang / FOLDER
    path = folder / manifest.file_name()
    atomic_write(path, data)
    atomic_write(path.with_name(path.name + ".sig"), signature)
    forget()  # the new manifest counts from now on, in this process too
    changed: dict[Path, tuple[CatalogRef, polib.POFile]] = {}
    for (ref, po, entry), (hexdigest, _article) in zip(chosen, digests, strict=True):
        sign(entry, Approval(name, date, hexdigest))
        result.signed.append(f"{config.rel(ref.path)}:{entry.linenum}: approved by {name}")
        changed[ref.path] = (ref, po)
    for ref, po in changed.values():
        write_po(po, ref.path, expect=seen[ref.path])
        result.written.append(config.rel(ref.path))
    result.manifest = f"{config.rel(path)} (key {fingerprint})"


def _signature(config: Config, name: str, data: bytes, key: Path | None) -> bytes:
    """`data` signed with `--key`, else ssh-agent (the reviewer's public key from
    locales/reviewers chooses the key), else ~/.ssh/id_ed25519."""
    if key is not None:
        return sshsig.sign(data, key)
    found = sshsig.default_key()
    if found is not None and found[1]:
        public = _public_key(config, name)
        if public is not None:
            try:
                return sshsig.sign(data, public, agent=True)
            except PipelineError:
                pass  # the agent does not hold it: try the key file
        found = sshsig.default_key_file()
    if found is None:
        raise UsageError("no key to sign with: give --key FILE, add the key to ssh-agent, or create ~/.ssh/id_ed25519")
    return sshsig.sign(data, found[0])


def _public_key(config: Config, name: str) -> Path | None:
    """The reviewer's public key from locales/reviewers, as a file ssh-keygen can
    read (ssh-agent signs with the private key it holds for it), or None."""
    for line in (config.locales_dir / REVIEWERS).read_text(encoding="utf-8").splitlines():
        principals, key = sshsig.split_signer(line)
        if key and name in principals:
            path = cache_dir(config.root) / "reviewer.pub"
            atomic_write(path, key + "\n", durable=False)
            return path
    return None


def _signable(
    po: polib.POFile,
    rel: str,
    ref: CatalogRef,
    chosen: set[int] | None,
    enforcer: Enforcer,
    result: ApproveResult,
) -> list[polib.POEntry]:
    """The entries of one catalog `approve` signs: reviewed, not yet approved, no
    enforced error (each one it will not sign is counted or listed, with why)."""
    found = []
    for entry in po:
        if entry.obsolete or not entry.msgid or (chosen is not None and entry.linenum not in chosen):
            continue
        kind = state(entry)
        if kind == "approved":
            result.already += 1
            continue
        if kind != "reviewed":
            result.drafts += 1
            if chosen is not None:
                result.skipped.append(f"{rel}:{entry.linenum}: not signed: {kind}, not reviewed")
            continue
        refused = _refusal(enforcer, entry, ref)
        if refused is not None:
            result.skipped.append(f"{rel}:{entry.linenum}: not signed: {refused}")
            continue
        found.append(entry)
    return found


def _refusal(enforcer: Enforcer, entry: polib.POEntry, ref: CatalogRef) -> str | None:
    pairs = [(entry.msgid, entry.msgstr)]
    if entry.msgid_plural:
        pairs = [(entry.msgid if int(i) == 0 else entry.msgid_plural, t) for i, t in entry.msgstr_plural.items() if t]
    for msgid, msgstr in pairs:
        found = enforcer.refusal(entry, msgid, msgstr, ref.lang, ref.source_lang)
        if found is not None:
            return f"{found.check}: {found.message}"
    return None


def _chosen(config: Config, refs: list[CatalogRef], lang: str, articles: list[str]) -> list[CatalogRef]:
    """The catalogs the ARTICLE arguments name (all without any)."""
    if not articles:
        return refs
    by_name = {ref.name: ref for ref in refs}
    chosen = []
    for article in articles:
        key = article.removesuffix(".md").removeprefix("source/")
        if key not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise UsageError(f"no article '{article}' with a {lang} catalog (known: {known})")
        chosen.append(by_name[key])
    return list(dict.fromkeys(chosen))


def _selection(config: Config, catalogs: list[tuple[CatalogRef, polib.POFile, str]], spec: str) -> dict[str, set[int]]:
    """`FILE:LINE,...` → catalog → the entries' first lines (polib's `linenum`)."""
    by_rel = {config.rel(ref.path): (po, text.split("\n")) for ref, po, text in catalogs}
    chosen: dict[str, set[int]] = {rel: set() for rel in by_rel}
    for item in (part.strip() for part in spec.split(",")):
        file, sep, number = item.rpartition(":")
        if not sep or not number.isdigit() or not file:
            raise UsageError(f"--entries: '{item}' is not FILE:LINE")
        rel = config.rel(Path(file).resolve()) if Path(file).is_absolute() else Path(file).as_posix()
        if rel not in by_rel:
            raise UsageError(f"--entries: {file} is not one of the {len(by_rel)} catalog(s) chosen")
        po, lines = by_rel[rel]
        start = _entry_at(lines, po, int(number))
        if start is None:
            raise UsageError("--entries: no entry at this line", rel, int(number))
        chosen[rel].add(start)
    return chosen


def _entry_at(lines: list[str], po: polib.POFile, number: int) -> int | None:
    """The `linenum` of the live entry whose lines (comments to last string) hold line
    `number`; `lines` are the catalog's, as `read_po_text` read them (one read)."""
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        lo = hi = entry.linenum
        while lo > 1 and lines[lo - 2].strip():
            lo -= 1
        while hi < len(lines) and lines[hi].strip():
            hi += 1
        if lo <= number <= hi:
            return entry.linenum
    return None
