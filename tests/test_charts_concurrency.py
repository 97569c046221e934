"""Two chart builds at once into one folder never leave a half-written or temp file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_two_concurrent_builds_leave_only_complete_files(tmp_path: Path) -> None:
    out = tmp_path / "charts"
    command = [
        sys.executable,
        "-m",
        "analytics",
        "charts",
        "build",
        "partner_dependence",
        "concentration",
        "--format",
        "html,png",
        "--out",
        str(out),
    ]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [build.communicate(timeout=300) for build in builds]
    assert [build.returncode for build in builds] == [0, 0], results
    for name in ("partner_dependence", "concentration"):
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert (out / f"{name}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
