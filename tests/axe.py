"""axe-core, the accessibility engine browsers' dev tools use, run in Chromium.

The engine is npm's `axe-core` (its `axe.min.js`), installed on first use into
`.cache/axe/` (gitignored) with `npm install --ignore-scripts`, like the Nu checker
(tests/vnu.py); `make test` installs it first. An `AXE_JS` environment variable
points at another copy. `violations(driver)` injects it into the page Selenium has
open and runs `axe.run()` with the WCAG 2.2 AA rule tags.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "4.14.1"  # keep in step with AXE_VERSION in the Makefile
CACHE = ROOT / ".cache" / "axe"
SCRIPT = CACHE / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class AxeUnavailable(RuntimeError):
    """axe-core cannot be installed here (no npm, or the install failed)."""


def script(install: bool = True) -> str:
    """The text of `axe.min.js`: `$AXE_JS`, the cached copy, or a fresh npm install."""
    if override := os.environ.get("AXE_JS"):
        path = Path(override)
        if not path.is_file():
            raise AxeUnavailable(f"AXE_JS={override} is not a file")
        return path.read_text(encoding="utf-8")
    if not SCRIPT.is_file() and install:
        npm = shutil.which("npm")
        if npm is None:
            raise AxeUnavailable("npm is not installed; it installs axe-core (apt-get install npm, or run .ci/run)")
        command = [npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--ignore-scripts"]
        result = subprocess.run([*command, f"axe-core@{VERSION}"], capture_output=True, text=True, check=False)
        if result.returncode != 0 or not SCRIPT.is_file():
            raise AxeUnavailable(f"npm install axe-core@{VERSION} failed:\n{result.stdout}{result.stderr}")
    return SCRIPT.read_text(encoding="utf-8")


RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then((r) => done({version: axe.version, violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary)}))}))
  .catch((e) => done({error: String(e)}));
"""


def violations(driver, source: str) -> tuple[str, list[str]]:
    """(axe's version, one line per violation) for the page open in `driver`."""
    driver.execute_script(source)
    result = driver.execute_async_script(RUN, TAGS)
    if "error" in result:
        raise AxeUnavailable(f"axe.run failed: {result['error']}")
    lines = [f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(v['nodes'])}" for v in result["violations"]]
    return result["version"], lines
