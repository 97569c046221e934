"""Open a local HTML file in headless Chromium with networking cut; return the DOM and console
errors. Shared by the chart and report browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=8000",
    "--enable-logging=stderr",
    "--v=0",
    "--dump-dom",
]


def find_chromium() -> str:
    """Chromium's path; fails on CI (it must be installed there), skips elsewhere."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing on CI: apt-get install chromium")
    pytest.skip("install Debian's chromium: apt-get install chromium")


def render_in_chromium(html_path: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and the console error lines, for a file opened offline."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        completed = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", Path(html_path).resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    console = [line for line in completed.stderr.splitlines() if "CONSOLE" in line]
    return completed.stdout, console
