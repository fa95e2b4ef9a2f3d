"""One page per address, after the articles are built: an edition that lost a
collision (`pipeline.catalog.collisions`) is withheld, and every other page is built.

Both editions of a collision were written to the same file by the workers, and
the loser's other editions link it, so the articles involved are built again in
this process, the loser without that edition. Their digest is not recorded: the
next build decides again (the winner may have moved away by then).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.build.staging import Output, stage_file
from pipeline.build.step import BuildStep, build_article
from pipeline.catalog.collisions import blocked
from pipeline.source.article import load_article


def settle(step: BuildStep, output: Output, names: list[str], paths: dict[str, Path]) -> list[str]:
    """Withhold the editions that lost their address and build the articles of each
    collision again (`names`: the articles in site order; `paths`, their sources).
    The pages written."""
    ordered = [step.pages[name] for name in names if name in step.pages]
    blocks, involved = blocked(ordered, step.addresses)
    written: list[str] = []
    for name in sorted(involved & set(paths)):
        article = load_article(paths[name], step.config)
        restage = Restaged(output.live, output.ensure_stage())
        pages = build_article(
            step.ctx, article, step.langs, restage, published_before=step.before.get(name), blocked=blocks.get(name)
        )
        written += restage.written
        step.done(pages, None)
    return written


class Restaged(Output):
    """A stage written again after the workers: a page is compared with what the
    stage holds, not with the live file, since a worker may have written another
    article's page at the same address."""

    def write(self, rel: str, data: bytes, source: Path | None = None) -> bool:
        staged = self.ensure_stage() / rel
        if staged.is_file() and not staged.is_symlink() and staged.read_bytes() == data:
            self.unchanged += 1
            return False
        stage_file(staged, data, source)
        self.written.append(rel)
        return True
