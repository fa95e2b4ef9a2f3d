"""Images in a real browser: the published page's images load from `output/` at a
phone's and a desktop's width (tests/chromium.py: Debian's Chromium, headless)."""

from __future__ import annotations

from tests.chromium import chromium, serve, viewport
from tests.test_assets import project, publish_german  # noqa: F401 (the fixture)


def test_images_load_in_both_editions_at_390_and_1280_px(project, tmp_path):  # noqa: F811
    publish_german(project)
    with serve(project / "output") as url, chromium(tmp_path / "profile") as driver:
        for width in (390, 1280):
            viewport(driver, width)
            for page in ("/en/knie.html", "/de/knie.html"):
                driver.get(url + page)
                loaded = driver.execute_async_script(
                    "const done = arguments[0];"
                    "Promise.all([...document.images].map(i => i.decode().catch(() => null)))"
                    ".then(() => done([...document.images].map(i => [i.alt, i.naturalWidth, i.width])));"
                )
                loaded = [x for x in loaded if x[0] != "Photo"]  # a JPEG header only: sizes, no pixels
                assert len(loaded) == 2, (page, loaded)
                assert all(natural > 0 for _alt, natural, _shown in loaded), (page, width, loaded)
                assert all(shown <= width for _alt, _natural, shown in loaded), (page, width, loaded)
