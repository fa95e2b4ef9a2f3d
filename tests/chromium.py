"""Headless Chromium for the browser tests (test_browser, test_a11y): Debian's
`chromium` and `chromium-driver`, driven by Selenium, and the preview server on
127.0.0.1 for a built `output/`.

When Chromium or its driver is missing or does not start, the test fails, it is
not skipped. Selenium Manager is never asked for anything (it would try to download
a browser or driver): the driver's path is given and SE_OFFLINE is set.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

from pipeline.preview.server import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # the machine is offline: no update checks, component downloads or sync
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` on http://127.0.0.1:<free port> (the preview server)."""
    httpd = make_server(folder, 0)
    thread = threading.Thread(target=httpd.serve_forever, name="preview", daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[webdriver.Chrome]:
    """One headless Chromium session with its own profile folder."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")  # Selenium Manager, if ever reached, must not download
        try:
            driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        except (WebDriverException, OSError) as exc:
            pytest.fail(
                f"headless Chromium did not start ({CHROMIUM}, {CHROMEDRIVER}): {getattr(exc, 'msg', None) or exc}"
            )
    driver.set_page_load_timeout(15)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver: webdriver.Chrome, width: int, height: int = 900) -> None:
    """Emulate a screen `width` CSS pixels wide (a phone below 500: mobile viewport rules)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
