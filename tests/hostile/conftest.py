"""The hostile-input catalogue's harness: run the CLI as a user would and check each refusal.

Every refusal must exit with its documented code, print exactly one line on stderr that names
what is wrong, print nothing on stdout, and leave the data folder byte-identical.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from analytics.project import PROJECT_ROOT


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones and temp files too) with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_cli(
    *args: str,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
    cwd: Path | None = None,
    **popen: Any,
) -> subprocess.CompletedProcess[str]:
    """`python -m analytics ARGS` in a child process, as a user runs it (text stdout/stderr)."""
    command = [sys.executable, "-m", "analytics"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd or PROJECT_ROOT,
        check=False,
        **popen,
    )


def _streams(result: Any) -> tuple[int, str, str]:
    code = result.returncode if hasattr(result, "returncode") else result.exit_code
    return code, result.stdout, result.stderr


def assert_refused(result: Any, exit_code: int, *needles: str) -> str:
    """Exact exit code, stdout empty, one stderr line naming each needle; returns that line."""
    code, stdout, stderr = _streams(result)
    assert code == exit_code, f"exit {code}, expected {exit_code}; stderr: {stderr!r}"
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}: {stderr!r}"
    assert stdout == "", f"stdout should be empty on a refusal: {stdout[:300]!r}"
    for needle in needles:
        assert needle.lower() in lines[0].lower(), f"{needle!r} not in {lines[0]!r}"
    return lines[0]


@pytest.fixture
def untouched(data_dir: Path):
    """Yields the data folder; afterwards asserts it is byte-identical to before the test."""
    before = fingerprint(data_dir)
    yield data_dir
    assert fingerprint(data_dir) == before, "the data folder changed"
