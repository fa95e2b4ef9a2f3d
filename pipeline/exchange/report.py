"""What an export or an import did, for the command line to print."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """A unit that was not imported, and why."""

    where: str  # file:line of the unit in the delivered file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Exported:
    """An export: the file's text and what is in it."""

    text: str
    format: str
    lang: str
    files: int = 0
    units: int = 0
    states: Counter[str] = field(default_factory=Counter)


@dataclass
class ImportReport:
    """An import: counts, the units left out, and the files written."""

    file: str
    format: str
    imported: int = 0  # translations written (fuzzy or reviewed)
    reviewed: int = 0  # ... of which as reviewed (--reviewed, translated/signed-off units)
    unchanged: int = 0
    empty: int = 0  # units delivered without a translation
    stale: list[Problem] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    ignored_langs: list[str] = field(default_factory=list)  # TMX languages the project does not have

    @property
    def failed(self) -> bool:
        return bool(self.stale or self.refused)

    def summary(self) -> str:
        kind = "memory entries" if self.format == "tmx" else "translations"
        parts = [f"{self.imported} {kind} imported"]
        parts[0] += f" ({self.reviewed} as reviewed, {self.imported - self.reviewed} fuzzy)"
        parts += [f"{self.unchanged} unchanged", f"{len(self.stale)} stale", f"{len(self.refused)} refused"]
        if self.empty:
            parts.append(f"{self.empty} empty")
        return f"{self.file}: " + ", ".join(parts)
