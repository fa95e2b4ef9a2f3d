"""What a pretranslation run did, for the command line to print."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.base.errors import PipelineError


@dataclass(frozen=True)
class Problem:
    """An entry left untranslated, or a glossary term an engine ignored."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Report:
    """What one language's run did (or, with `dry_run`, would do)."""

    lang: str
    engine: str
    dry_run: bool = False
    catalogs: int = 0
    untranslated: int = 0  # entries eligible for a draft
    memory_exact: int = 0
    memory_near: int = 0
    machine: int = 0  # entries drafted from an engine answer (cached or not)
    copied: int = 0  # entries with nothing to translate (only links, code, IDs)
    texts: int = 0  # unique texts needing an engine
    cached: int = 0  # ... answered by the cache
    sent: int = 0  # ... sent (or, dry run, to be sent)
    answered: int = 0  # ... of those, answered with a draft that passed the checks
    chars: int = 0  # characters in those
    requests: int = 0  # HTTP requests, retries included
    seconds: float = 0.0  # time spent sending
    deferred: int = 0  # entries left for a later run by --limit
    failed: list[Problem] = field(default_factory=list)
    glossary: list[Problem] = field(default_factory=list)
    errors: list[PipelineError] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    error: PipelineError | None = None  # the run stopped early

    def summary(self) -> str:
        """One line for the command line."""
        memory = f"{self.memory_exact + self.memory_near} from memory ({self.memory_exact} exact)"
        parts = [
            f"{self.lang}: {self.untranslated} untranslated entr{'y' if self.untranslated == 1 else 'ies'} in "
            f"{self.catalogs} catalog(s)",
            memory,
            f"{self.copied} copied (nothing to translate)",
            f"{self.machine} machine draft(s)" if not self.dry_run else f"{self.texts} text(s) need {self.engine}",
            f"{self.cached} text(s) from cache",
            f"{'would send' if self.dry_run else 'sent'} {self.sent} text(s), {self.chars:,} characters"
            + (
                ""
                if self.dry_run
                else f", {self.answered} answered, {self.requests} request(s) in {self.seconds:.1f} s"
            ),
        ]
        if self.deferred:
            parts.append(f"{self.deferred} left for a later run (--limit)")
        if self.failed:
            parts.append(f"{len(self.failed)} left untranslated")
        if self.glossary:
            parts.append(f"{len(self.glossary)} glossary warning(s)")
        return "; ".join(parts)
