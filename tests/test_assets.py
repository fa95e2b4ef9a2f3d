"""Images and linked files are part of the article: published beside the pages in
every edition, checked, incremental, served by the preview. Real files (made here
with the standard library), the command line in a subprocess."""

from __future__ import annotations

import hashlib
import http.client
import os
import posixpath
import re
import struct
from pathlib import Path

import pytest

from pipeline.base.imagesize import image_size
from tests.support import make_project, png, reviewed_chrome, run_cli, translate

ARTICLE = """\
---
title: Knee
---

# The knee

![Knee joint](knee.png "The knee")

![Diagram][chart] and a photo ![Photo](images/photo.jpg).

Read the [leaflet](leaflet.pdf) or [the clinic](https://example.org/).

[chart]: images/chart.svg
"""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20"/></svg>'


def jpeg_header(width: int, height: int) -> bytes:
    """The start of a baseline JPEG: SOI, a JFIF segment, the frame header (SOF0)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def imgs(page: str) -> dict[str, dict[str, str]]:
    """alt → the attributes of each `<img>` of a page."""
    found = {}
    for tag in re.findall(r"<img\s[^>]*>", page):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        found[attrs["alt"]] = attrs
    return found


@pytest.fixture
def project(tmp_path) -> Path:
    root = reviewed_chrome(make_project(tmp_path / "p", {"knie": ARTICLE}))
    source = root / "source"
    (source / "images").mkdir()
    (source / "knee.png").write_bytes(png(3, 2))
    (source / "knee.de.png").write_bytes(png(4, 5, b"\x20\x20\xc0"))
    (source / "images" / "chart.svg").write_bytes(SVG)
    (source / "images" / "photo.jpg").write_bytes(jpeg_header(640, 480))
    (source / "leaflet.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return root


def publish(root: Path, *args: str):
    return run_cli(root, "publish", "--jobs", "1", *args, env={"LANG": "C.UTF-8"})


def publish_german(root: Path) -> None:
    assert publish(root).returncode == 0
    translate(root, "knie", lambda e: "knie" if e.msgctxt == "slug" else e.msgid.replace("Knee joint", "Kniegelenk"))
    result = publish(root)
    assert result.returncode == 0, result.stderr


def published(root: Path, src: str, page: str) -> bytes:
    """The bytes of the file a page at output/<lang>/ addresses as `src`."""
    assert src.startswith("../assets/media/"), src
    return (root / "output" / page).parent.joinpath(src).resolve().read_bytes()


def test_every_edition_shows_its_images_from_output(project):
    publish_german(project)
    en_page = (project / "output/en/knie.html").read_text(encoding="utf-8")
    de_page = (project / "output/de/knie.html").read_text(encoding="utf-8")
    en, de = imgs(en_page), imgs(de_page)
    source = project / "source"
    # The source language shows knee.png; German its variant knee.de.png, and its alt text.
    assert published(project, en["Knee joint"]["src"], "en/knie.html") == (source / "knee.png").read_bytes()
    assert (en["Knee joint"]["width"], en["Knee joint"]["height"]) == ("3", "2")
    assert en["Knee joint"]["title"] == "The knee"
    assert re.fullmatch(r"\.\./assets/media/knee\.[0-9a-f]{8}\.png", en["Knee joint"]["src"])
    assert "Knee joint" not in de
    assert published(project, de["Kniegelenk"]["src"], "de/knie.html") == (source / "knee.de.png").read_bytes()
    assert (de["Kniegelenk"]["width"], de["Kniegelenk"]["height"]) == ("4", "5")
    for page, found in (("en/knie.html", en), ("de/knie.html", de)):
        assert published(project, found["Diagram"]["src"], page) == SVG  # byte for byte, not inlined
        assert (found["Diagram"]["width"], found["Diagram"]["height"]) == ("40", "20")
        assert (found["Photo"]["width"], found["Photo"]["height"]) == ("640", "480")
    assert "<svg" not in en_page
    leaflet = re.search(r'<a href="([^"]+)">leaflet</a>', de_page).group(1)
    assert published(project, leaflet, "de/knie.html") == (source / "leaflet.pdf").read_bytes()
    assert 'href="https://example.org/"' in en_page
    media = sorted(p.name for p in (project / "output/assets/media").iterdir())
    assert len(media) == 5  # knee.png, knee.de.png, chart.svg, photo.jpg, leaflet.pdf


def test_a_width_the_author_set_is_kept(project):
    text = (project / "source/knie.md").read_text(encoding="utf-8")
    text = text.replace('"The knee")', '"The knee"){: width="300" }')
    (project / "source/knie.md").write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.pipeline]\nextensions = ["extra", "toc", "sane_lists", "admonition", "attr_list"]\n'
    )
    assert publish(project).returncode == 0
    knee = imgs((project / "output/en/knie.html").read_text(encoding="utf-8"))["Knee joint"]
    assert knee["width"] == "300" and "height" not in knee


def test_a_missing_image_is_one_line_and_exit_1_in_publish_and_check(project):
    (project / "source/knee.png").unlink()
    result = publish(project)
    expected = "source/knie.md:7: image 'knee.png' not found (put it under source/)"
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if "knee.png" in line] == [expected]
    assert (project / "output/en/knie.html").is_file()  # the rest of the page is published
    again = publish(project)  # nothing changed: still said, still exit 1
    assert again.returncode == 1 and expected in again.stderr
    check = run_cli(project, "check", env={"LANG": "C.UTF-8"})
    assert check.returncode == 1
    assert "source/knie.md:7: error: source-media: image 'knee.png' not found (put it under source/)" in check.stdout
    (project / "source/knee.png").write_bytes(png(3, 2))  # put back: check sees it, without a source change
    assert run_cli(project, "check", env={"LANG": "C.UTF-8"}).returncode == 0
    assert publish(project).returncode == 0


def test_nothing_outside_source_is_published(project, tmp_path):
    secret = project / "secret.png"
    secret.write_bytes(png(1, 1, b"\x01\x02\x03"))
    (project / "source/etc.png").symlink_to("/etc/passwd")
    (project / "source/outside.png").symlink_to(secret)
    text = ARTICLE + "\n![Secret](../secret.png)\n\n![Etc](etc.png)\n\n![Out](outside.png)\n\n![Abs](/etc/hosts)\n"
    (project / "source/knie.md").write_text(text, encoding="utf-8")
    result = publish(project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "source/knie.md:15: image '../secret.png' is outside source/; it is not published" in lines
    assert any(line.startswith("source/knie.md:17: image 'etc.png': is a link") for line in lines), lines
    assert any(line.startswith("source/knie.md:19: image 'outside.png': is a link") for line in lines), lines
    page = imgs((project / "output/en/knie.html").read_text(encoding="utf-8"))
    assert page["Secret"]["src"] == "../secret.png" and page["Etc"]["src"] == "etc.png"
    assert page["Abs"]["src"] == "/etc/hosts"  # an address of the site, not a file of the project
    published_bytes = {p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    assert secret.read_bytes() not in published_bytes
    assert Path("/etc/passwd").read_bytes() not in published_bytes


def test_unchanged_images_are_not_rewritten_and_a_changed_one_updates_its_pages(project):
    publish_german(project)
    media = project / "output/assets/media"
    before = {p.name: p.stat().st_mtime_ns for p in media.iterdir()}
    again = publish(project)
    assert again.returncode == 0
    assert "0 file(s) written" in again.stdout and "assets/media" not in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in media.iterdir()} == before
    new = png(6, 3, b"\x10\x80\x10")
    (project / "source/knee.png").write_bytes(new)
    result = publish(project)
    assert result.returncode == 0
    assert "output/en/knie.html: written" in result.stdout
    knee = imgs((project / "output/en/knie.html").read_text(encoding="utf-8"))["Knee joint"]
    assert published(project, knee["src"], "en/knie.html") == new
    assert (knee["width"], knee["height"]) == ("6", "3")
    name = f"knee.{hashlib.sha256(new).hexdigest()[:8]}.png"
    old = {n for n in before if n.startswith("knee.") and not n.startswith("knee.de.")}
    assert set(os.listdir(media)) == set(before) - old | {name}  # the old copy no page uses is gone
    assert f"output/assets/media/{old.pop()}: removed (no longer built)" in result.stdout


def test_image_sizes_from_headers_only():
    assert image_size(png(3, 2), ".png") == (3, 2)
    assert image_size(jpeg_header(640, 480), ".jpg") == (640, 480)
    assert image_size(b"GIF89a" + struct.pack("<HH", 7, 9) + b"\x00" * 8, ".gif") == (7, 9)
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
    assert image_size(vp8x, ".webp") == (100, 50)
    assert image_size(b'<?xml version="1.0"?><svg width="120px" height="60" viewBox="0 0 1 1">', ".svg") == (120, 60)
    assert image_size(b"<svg width='100%' viewBox='0 0 300 150'/>", ".svg") == (300, 150)
    # Not trusted: a huge or zero side, a truncated or foreign header.
    assert image_size(png(3, 2)[:16] + struct.pack(">II", 10**9, 2), ".png") is None
    assert image_size(b'<svg viewBox="0 0 0 0">', ".svg") is None
    assert image_size(png(3, 2)[:20], ".png") is None
    assert image_size(b"\xff\xd8\xff\xe0\xff\xff", ".jpg") is None
    assert image_size(b"not an image", ".png") is None


def fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", posixpath.normpath(path))  # as a browser resolves ../ in an address
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def test_the_preview_serves_images_at_the_built_address_even_new_ones(project):
    from tests.test_preview import Preview

    assert publish(project).returncode == 0
    preview = Preview(project, "--no-watch")
    try:
        status, _, page = fetch(preview.port, "/en/knie.html")
        assert status == 200
        found = imgs(page.decode("utf-8"))
        status, headers, data = fetch(preview.port, "/en/" + found["Knee joint"]["src"])
        assert status == 200 and data == (project / "source/knee.png").read_bytes()
        assert headers["content-type"] == "image/png"
        status, headers, data = fetch(preview.port, "/en/" + found["Diagram"]["src"])
        assert status == 200 and data == SVG
        assert headers["content-type"] == "image/svg+xml"
        assert headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
        # An image changed after the last build: the page rendered now shows it, from source/.
        new = png(5, 5, b"\x00\x00\x00")
        (project / "source/knee.png").write_bytes(new)
        knee = imgs(fetch(preview.port, "/en/knie.html")[2].decode("utf-8"))["Knee joint"]
        assert (knee["width"], knee["height"]) == ("5", "5")
        status, _, data = fetch(preview.port, "/en/" + knee["src"])
        assert status == 200 and data == new
    finally:
        assert preview.stop() == 0
