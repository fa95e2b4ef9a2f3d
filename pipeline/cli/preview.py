"""`serve`: the live preview. The site is published once, then served from memory
while a watcher applies saved files; SIGTERM or Ctrl-C stops it between two polls.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pipeline.base.errors import OK, UsageError
from pipeline.cli.report import report_errors

if TYPE_CHECKING:  # heavy modules, imported by the command when it runs
    from pipeline.preview.live import LiveSite
    from pipeline.preview.server import Events
    from pipeline.preview.watch import Watcher


def cmd_serve(args: argparse.Namespace) -> int:
    import threading

    from pipeline.base.lock import project_lock
    from pipeline.build.publish import publish
    from pipeline.preview.server import Events, make_server

    config = args.config
    port = args.port if args.port is not None else config.site.port
    if not 0 < port < 65536:
        raise UsageError(f"--port must be a number from 1 to 65535, not {port}")
    config.output_dir.mkdir(parents=True, exist_ok=True)
    events = Events()
    holder: dict[str, LiveSite] = {}
    server = make_server(config.output_dir, port, lambda url: holder["site"].page(url), events, config.root / "review")
    try:
        with project_lock(config.root, "serve"):  # the indexes, feeds and stylesheet as of now
            report = publish(config, sources=args.loaded.sources)
        report_errors(report.errors, args.config.root)
        watcher, holder["site"] = _live_site(args)  # watching starts before the ready line
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, name="preview", daemon=True).start()
    drafts = " with drafts shown" if args.drafts else ""
    print(f"previewing on http://127.0.0.1:{server.server_port}/{drafts} (Ctrl-C stops)", flush=True)
    try:
        _serve_until_stopped(watcher, holder["site"], events)
    except KeyboardInterrupt:
        pass
    finally:
        events.close()
        server.shutdown()
        server.server_close()
    print("preview stopped", flush=True)
    return OK


def _live_site(args: argparse.Namespace) -> tuple[Watcher | None, LiveSite]:
    """The watcher of the project's files (None: --no-watch) and the live site."""
    from pipeline.catalog.chrome import templates_dir
    from pipeline.preview.live import LiveSite
    from pipeline.preview.watch import Watcher

    config = args.config
    roots = [(config.source_dir, ".md"), (config.locales_dir, ".po"), (templates_dir(), "")]
    watcher = None if args.no_watch else Watcher(roots, [config.pyproject])
    return watcher, LiveSite(args.loaded, drafts=args.drafts)


def _serve_until_stopped(watcher: Watcher | None, site: LiveSite, events: Events) -> None:
    """Apply saved files to the live site until SIGTERM or Ctrl-C, which end the loop
    at its next poll (after the save being applied); a second Ctrl-C interrupts."""
    import signal

    from pipeline.preview.server import Stop, watch

    stop = Stop()

    def request_stop(*_: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def poll() -> tuple[set, set]:
        changes = watcher.poll()
        return set(changes.changed), set(changes.deleted)

    def apply(changed: set, deleted: set) -> tuple[list[str] | None, list[str]]:
        done = site.apply(changed, deleted)
        return done.pages, done.messages

    if watcher is None:
        while not stop.wait(0.5):
            pass
    else:
        watch(poll, apply, events, stop, log)
