"""`serve`: the live preview, driven for real — a server process on a free port, an
HTTP client, an event-stream reader, and files saved as an editor would.

Nothing here sleeps to make a point: every wait is for an event (a line from the
server, a reload notice) with a generous timeout.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.support import ROOT, copy_repo, run, run_cli, start_cli

DE_PAGE = "/de/stammzelltherapie-als.html"
EN_PAGE = "/en/als-stem-cell-therapy.html"
PO = "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Preview:
    """A `python -m pipeline serve` process and what it printed."""

    def __init__(
        self, project: Path, *args: str, startup: float = TIMEOUT, package: Path = ROOT, files: int | None = None
    ) -> None:
        self.project = project
        self.port = free_port()
        limit = None if files is None else (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (files, files)))
        self.proc = start_cli(
            project,
            "serve",
            "--port",
            str(self.port),
            *args,
            cwd=package,  # `-m` imports from the working folder first
            env={"PYTHONPATH": str(package)},  # `package`: where `import pipeline` is found
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=limit,  # `files`: the descriptor limit of the server (the usual soft limit is 1,024)
        )
        self.out: list[str] = []
        self.err: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.out.append), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err.append), daemon=True).start()
        ready = self.said("previewing on http://127.0.0.1:", startup)  # it first brings output/ up to date
        assert ready and self.out[0].startswith("previewing on http://127.0.0.1:"), (self.out, self.err)

    @staticmethod
    def _read(stream, put) -> None:
        for line in stream:
            put(line.rstrip("\n"))

    def said(self, fragment: str, timeout: float = TIMEOUT) -> bool:
        """Whether a line with `fragment` reaches its stdout or stderr within `timeout`:
        other threads read them, so a line written before a reload event or an exit
        may not be there yet."""
        deadline = time.monotonic() + timeout
        while not any(fragment in line for line in self.out + self.err):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def get(self, path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, body

    def events(self) -> EventStream:
        return EventStream(self.port)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=TIMEOUT)


class EventStream:
    """A reader of `/__live/events`: each reload notice's pages land in a queue."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.conn.request("GET", "/__live/events")
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.notices: queue.Queue[list[str] | None] = queue.Queue()
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.ready.wait(TIMEOUT)

    def _read(self) -> None:
        event = None
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line == ": connected":
                    self.ready.set()
                elif line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "reload":
                    self.notices.put(json.loads(line[len("data: ") :])["pages"])
                    event = None
        except (OSError, ValueError):
            pass

    def wait_for(self, page: str) -> list[str] | None:
        """The next notice that concerns `page` (None: every page)."""
        while True:
            pages = self.notices.get(timeout=TIMEOUT)
            if pages is None or page in pages:
                return pages

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    project = copy_repo(tmp_path_factory.mktemp("preview"))
    server = Preview(project)
    yield server
    assert server.stop() == 0
    assert server.said("preview stopped")


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def test_a_saved_catalog_reloads_the_page_with_the_change(preview):
    status, before = preview.get(DE_PAGE)
    assert status == 200 and "Stammzell" in before
    assert '<script src="/__live/reload.js"></script>\n</body>' in before
    stream = preview.events()
    po = preview.project / PO
    edit(po, 'msgstr "Wirkt eine Stammzelltherapie', 'msgstr "LIVE: Wirkt eine Stammzelltherapie')
    assert DE_PAGE in stream.wait_for(DE_PAGE)
    status, after = preview.get(DE_PAGE)
    assert status == 200 and "LIVE: Wirkt eine Stammzelltherapie" in after
    stream.close()


SITE_PAGES = ("/de/index.html", "/de/feed.xml", "/en/index.html", "/index.html", "/sitemap.xml")
RELOAD_TAG = '<script src="/__live/reload.js"></script>\n'


def test_a_changed_title_changes_the_index_and_the_feed(preview):
    assert preview.get("/de/index.html")[0] == 200  # an index is open
    stream = preview.events()
    edit(preview.project / PO, 'bei Amyotropher Lateralsklerose?"', 'bei ALS? (INDEX)"')
    pages = stream.wait_for("/de/index.html")
    assert {"/de/index.html", "/de/", "/de/feed.xml"} <= set(pages) and "/en/index.html" not in pages
    for path in ("/de/index.html", "/de/", "/de/feed.xml"):
        status, page = preview.get(path)
        assert status == 200 and "Stammzelltherapie bei ALS? (INDEX)</" in page, path
    assert RELOAD_TAG not in preview.get("/de/feed.xml")[1]  # XML: nothing injected
    stream.close()


def test_the_site_pages_are_what_publish_writes(preview):
    stream = preview.events()
    edit(preview.project / PO, 'msgstr ""\n"Erfahren Sie mehr', 'msgstr ""\n"Lesen Sie mehr')
    stream.wait_for("/de/index.html")
    served = {path: preview.get(path) for path in SITE_PAGES}
    assert "Lesen Sie mehr" in served["/de/index.html"][1]
    assert run(preview.project, "publish").code == 0
    for path, (status, page) in served.items():
        published = (preview.project / "output" / path.lstrip("/")).read_text(encoding="utf-8")
        assert status == 200 and page.replace(RELOAD_TAG, "") == published, path
    stream.close()


def test_a_half_written_catalog_shows_its_error_and_the_next_save_recovers(preview):
    """On the article page and on every site page (publish would refuse the whole
    site), escaped; one line in the terminal; the next good save shows them again."""
    po = preview.project / PO
    good = po.read_text(encoding="utf-8")
    stream = preview.events()
    po.write_text(good + '\nmsgid "<b>half a line\n', encoding="utf-8")
    assert "/en/index.html" in stream.wait_for(DE_PAGE)
    for path in (DE_PAGE, "/de/index.html", "/en/index.html", "/de/feed.xml"):
        status, page = preview.get(path)
        assert status == 200 and "This page cannot be shown" in page, path
        assert f"{PO}:" in page and "&quot;" in page and "<b>half" not in page, path  # escaped
    po.write_text(good, encoding="utf-8")
    stream.wait_for(DE_PAGE)
    for path, text in ((DE_PAGE, "Stammzell"), ("/de/index.html", "Stammzelltherapie")):
        status, page = preview.get(path)
        assert status == 200 and "This page cannot be shown" not in page and text in page, path
    assert preview.said(f"{PO}:")  # and one line in the terminal
    stream.close()


def test_a_source_edit_is_previewed_without_touching_the_catalogs(preview):
    source = preview.project / "source/als-stem-cell-therapy.md"
    catalogs = {p: p.read_bytes() for p in (preview.project / "locales").rglob("*.p*")}
    stream = preview.events()
    text = source.read_text(encoding="utf-8")
    source.write_text(text + "\n\nA brand-new closing paragraph.\n", encoding="utf-8")
    stream.wait_for(EN_PAGE)
    status, page = preview.get(EN_PAGE)
    assert status == 200 and "<p>A brand-new closing paragraph.</p>" in page
    status, page = preview.get(DE_PAGE)  # untranslated yet, as `publish` would show it: the source text, marked
    assert 'lang="en">' in page and "A brand-new closing paragraph.</p>" in page
    source.write_text(text, encoding="utf-8")  # and undone
    stream.wait_for(EN_PAGE)
    assert "A brand-new closing paragraph." not in preview.get(DE_PAGE)[1]
    assert {p: p.read_bytes() for p in (preview.project / "locales").rglob("*.p*")} == catalogs
    stream.close()


def test_a_deleted_catalog_shows_the_source_and_the_preview_keeps_running(preview):
    po = preview.project / PO
    good = po.read_bytes()
    stream = preview.events()
    po.unlink()
    stream.wait_for(DE_PAGE)
    assert preview.get(EN_PAGE)[0] == 200
    po.write_bytes(good)
    stream.wait_for(DE_PAGE)
    status, page = preview.get(DE_PAGE)
    assert status == 200 and "Stammzell" in page
    assert preview.proc.poll() is None
    stream.close()


def test_nothing_of_the_preview_reaches_output(preview):
    pages = list((preview.project / "output").rglob("*.html"))
    assert pages
    assert not any("__live" in p.read_text(encoding="utf-8") for p in pages)


def test_paths_outside_the_site_are_not_served(preview):
    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/de/../../source/als-stem-cell-therapy.md"):
        assert preview.get(path)[0] == 404, path


def test_a_mistyped_address_is_404_and_the_pages_are_still_served(preview):
    for path in ("/de/stammzelltherapie-alz.html", "/en/als-stem-cell.html", "/fr/als-stem-cell-therapy.html"):
        assert preview.get(path)[0] == 404, path
    assert preview.get(DE_PAGE)[0] == 200


def test_a_mistyped_address_converts_no_article(tmp_path):
    # A stale bookmark or a typo once rendered every article of the project to look
    # for a translated slug (5 s at N = 200, each time). Front matter gives the source
    # slugs and a catalog's `slug` entry the translated ones: nothing is converted.
    from pipeline.catalog.project import load_project
    from pipeline.preview.live import LiveSite
    from pipeline.review.registry import REGISTRY

    site = LiveSite(load_project(copy_repo(tmp_path / "p"), REGISTRY), drafts=True)
    assert site.page("de/stammzelltherapie-alz.html") is None
    assert site.parsed and all(converted is None for _, _, converted in site.parsed.values())
    assert site.page(DE_PAGE.lstrip("/")) is not None  # and a real address is rendered


def test_review_pages_are_served_from_the_review_folder(preview):
    folder = preview.project / "review"
    folder.mkdir(exist_ok=True)
    (folder / "de.html").write_text("<!DOCTYPE html><html><body><p>to do</p></body></html>", encoding="utf-8")
    status, page = preview.get("/review/de.html")
    assert status == 200 and "<p>to do</p>" in page and "/__live/reload.js" in page


@pytest.mark.parametrize("args", [(), ("--no-watch",)], ids=["watching", "no-watch"])
def test_sigterm_stops_it_cleanly_as_ctrl_c_does(tmp_path, args):
    # `make serve` is stopped by SIGTERM (a service manager, `kill`, the make test).
    # Its handler once set a threading.Event, and about one stop in 150 deadlocked:
    # the signal came while the main thread held that event's lock in its wait.
    # Now it only sets a flag, which no moment of the loop can hold.
    server = Preview(copy_repo(tmp_path / "p"), *args)
    assert server.get(DE_PAGE)[0] == 200
    for _ in range(3):  # however many come, and whenever
        server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=TIMEOUT) == 0, server.err
    assert server.said("preview stopped")


def test_drafts_are_shown_marked_in_the_preview_only(tmp_path):
    project = copy_repo(tmp_path / "p")
    po = project / PO
    edit(po, "#: source/als-stem-cell-therapy.md:10\n", "#: source/als-stem-cell-therapy.md:10\n#, fuzzy\n")
    edit(po, 'msgstr ""\n"Die Amyotrophe', 'msgstr ""\n"ENTWURF Die Amyotrophe')
    server = Preview(project, "--drafts", "--no-watch")
    try:
        status, page = server.get(DE_PAGE)
        assert status == 200
        # a person's draft says so (the page's machine-translation notice is not for it)
        assert (
            '<mark class="draft" data-state="fuzzy" data-label="a translator&#x27;s draft, not reviewed">ENTWURF'
            in page
        )
        assert "machine-translated" not in page
        published = (project / "output" / DE_PAGE.lstrip("/")).read_text(encoding="utf-8")
        assert "ENTWURF" not in published and "<mark" not in published
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("drafts", [False, True])
def test_an_edition_the_build_withholds_is_withheld_in_the_preview_unless_drafts(tmp_path, drafts):
    project = copy_repo(tmp_path / "p")
    with (project / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n[tool.pipeline.publish.de]\nmin_reviewed = 100\n")
    edit(project / PO, "#: source/als-stem-cell-therapy.md:10\n", "#: source/als-stem-cell-therapy.md:10\n#, fuzzy\n")
    server = Preview(project, *(["--drafts"] if drafts else []), "--no-watch")
    try:
        status, body = server.get(DE_PAGE)
        assert status == (200 if drafts else 404)
        if not drafts:  # the preview says why, and how to see it
            assert "The de edition is withheld: " in body and "below min_reviewed = 100%" in body
            assert "make serve DRAFTS=1" in body
        _, english = server.get(EN_PAGE)
        assert ('hreflang="de"' in english) is drafts  # the switcher links what the preview shows
        assert not (project / "output" / DE_PAGE.lstrip("/")).exists()  # withheld from the published site
    finally:
        assert server.stop() == 0


def test_a_translation_a_check_refuses_says_why_in_the_draft_preview(tmp_path):
    project = copy_repo(tmp_path / "p")
    edit(project / PO, "ein bis zwei von 100.000", "ein bis zwei von 10.000")  # a changed number
    server = Preview(project, "--drafts", "--no-watch")
    try:
        status, page = server.get(DE_PAGE)
        assert status == 200
        marks = re.findall(r'<mark class="draft" data-state="refused" data-label="([^"]*)">([^<]*)', page)
        assert marks and marks[0][0].startswith("not shown: numbers: ")
        assert "100,000" in marks[0][1]  # the source text, shown in its place
    finally:
        assert server.stop() == 0


def test_a_page_open_in_chromium_reloads_itself_on_save_and_after_a_broken_one(tmp_path):
    # What a translator sees: the page in a real browser, the reload script run by
    # it (under the page's own Content-Security-Policy), no hand on the reload button.
    from selenium.webdriver.support.wait import WebDriverWait

    from tests.chromium import chromium

    project = copy_repo(tmp_path / "p")
    server = Preview(project)
    po = project / PO
    good = po.read_text(encoding="utf-8")
    try:
        with chromium(tmp_path / "profile") as browser:
            browser.get(f"http://127.0.0.1:{server.port}{DE_PAGE}")
            wait = WebDriverWait(browser, TIMEOUT)
            connected = "return document.documentElement.getAttribute('data-live-preview') === 'connected'"
            wait.until(lambda b: b.execute_script(connected))

            def save(content: str, shown: str) -> bool:
                """Whether the page, once `content` is saved, reloads itself to show `shown`."""
                browser.execute_script("window.__stale = true")  # gone once the page reloads
                po.write_text(content, encoding="utf-8")
                wait.until(lambda b: shown in b.execute_script("return document.body ? document.body.innerText : ''"))
                return browser.execute_script("return window.__stale === undefined")

            assert save(good.replace('msgstr "Wirkt eine', 'msgstr "IM BROWSER: Wirkt eine', 1), "IM BROWSER: Wirkt")
            assert save(good + '\nmsgid "half a line\n', "This page cannot be shown")
            assert save(good, "Wirkt eine Stammzelltherapie")
            problems = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
            assert not problems, problems  # a CSP refusal of the script would be one
    finally:
        assert server.stop() == 0


def test_a_withheld_edition_is_found_at_its_slug_however_its_lines_are_split(tmp_path):
    # An edition the build withholds is in no build manifest: with --drafts the
    # preview finds its slug in the catalogs, skipping those whose bytes cannot hold
    # it; a string continued mid-word (as a hand or another tool may write it) still
    # holds it.
    project = copy_repo(tmp_path / "p")
    with (project / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n[tool.pipeline.publish.de]\nmin_reviewed = 100\n")
    edit(project / PO, "#: source/als-stem-cell-therapy.md:10\n", "#: source/als-stem-cell-therapy.md:10\n#, fuzzy\n")
    edit(project / PO, 'msgstr "stammzelltherapie-als"', 'msgstr ""\n"stammzellthe"  \r\n  "rapie-bei-als"')
    server = Preview(project, "--drafts", "--no-watch")
    try:
        assert server.get("/de/stammzelltherapie-bei-alz.html")[0] == 404
        status, page = server.get("/de/stammzelltherapie-bei-als.html")
        assert status == 200 and "Stammzell" in page
        assert not (project / "output/de/stammzelltherapie-bei-als.html").exists()  # withheld from the site
    finally:
        assert server.stop() == 0


def test_a_template_with_a_jinja_error_shows_it_and_the_next_save_recovers(tmp_path):
    # The templates live in the package: a copy of it, imported first, is the
    # developer's checkout being edited.
    shutil.copytree(ROOT / "pipeline", tmp_path / "pkg" / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    template = tmp_path / "pkg" / "pipeline" / "templates" / "page.html"
    project = copy_repo(tmp_path / "p")
    server = Preview(project, package=tmp_path / "pkg")
    try:
        stream = server.events()
        good = template.read_text(encoding="utf-8")
        template.write_text(good.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
        stream.wait_for(DE_PAGE)
        status, page = server.get(DE_PAGE)
        assert status == 200 and "This page cannot be shown" in page
        assert "page.html:" in page and "endblok" in page
        assert server.said("page.html:")
        template.write_text(good, encoding="utf-8")
        stream.wait_for(DE_PAGE)
        status, page = server.get(DE_PAGE)
        assert status == 200 and "This page cannot be shown" not in page and "Stammzell" in page
        assert server.proc.poll() is None
        stream.close()
    finally:
        assert server.stop() == 0


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path):
    project = copy_repo(tmp_path / "p")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(project, "serve", "--port", str(port), timeout=TIMEOUT)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in result.stderr


def raw(port: int, request: bytes) -> bytes:
    """One request as bytes on a real socket, and everything the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_head_is_answered_from_the_site_only(preview):
    host = f"Host: 127.0.0.1:{preview.port}\r\n".encode()
    # The server runs in the repository folder: HEAD was answered from its working directory.
    for path in (b"/pyproject.toml", b"/README.md", b"/../pyproject.toml", b"/%2e%2e/Makefile"):
        assert (
            status_of(raw(preview.port, b"HEAD " + path + b" HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n"))
            == 404
        )
    answer = raw(preview.port, f"HEAD {DE_PAGE} HTTP/1.1\r\n".encode() + host + b"Connection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == 200 and body == b"" and b"Content-Length: " in head


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "127.0.0.1", "127.0.0.1:1", "localhost.evil.example", ""]
)
def test_another_host_gets_403(preview, host):
    """DNS rebinding: a page on another site whose name now points at 127.0.0.1 sends
    its own name as Host; it must not read the preview or the reviewer's page."""
    header = f"Host: {host}\r\n" if host else ""
    for path in (DE_PAGE, "/review/de.html", "/"):
        answer = raw(preview.port, f"GET {path} HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode())
        assert status_of(answer) == 403, (host, path)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_its_own_host_names_are_served(preview, host):
    answer = raw(
        preview.port, f"GET {DE_PAGE} HTTP/1.1\r\nHost: {host}:{preview.port}\r\nConnection: close\r\n\r\n".encode()
    )
    assert status_of(answer) == 200


@pytest.mark.parametrize("path", ["/de/%00.html", "/%00", "/de/a%0Ab.html", "/%ff%fe.html", "/review/%00"])
def test_a_malformed_path_is_400_and_the_server_goes_on(preview, path):
    answer = raw(
        preview.port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\nConnection: close\r\n\r\n".encode()
    )
    assert status_of(answer) == 400
    assert preview.get(DE_PAGE)[0] == 200
    assert not preview.said("Traceback", timeout=0.1)


def test_a_thousand_held_connections_leave_it_serving_and_watching(tmp_path):
    """1,100 connections opened and held idle, with the server at the usual limit of
    1,024 descriptors: pages are still served and a save still reloads them."""
    server = Preview(copy_repo(tmp_path / "p"), files=1024)
    held = []
    try:
        for _ in range(1100):  # more than the server may have descriptors
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT))
        assert server.get(DE_PAGE)[0] == 200
        stream = server.events()
        po = server.project / "locales/de/LC_MESSAGES/als-stem-cell-therapy.po"
        edit(po, "Stammzell", "Stammzel\u200bl")  # a save
        stream.wait_for(DE_PAGE)
        stream.close()
        assert server.get("/de/index.html")[0] == 200
    finally:
        for conn in held:
            conn.close()
        assert server.stop() == 0
    assert not any("Too many open files" in line or "Traceback" in line for line in server.err)
