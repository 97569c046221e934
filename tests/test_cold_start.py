"""Cold start: `analytics --help` and `import analytics` load none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analytics.project import PROJECT_ROOT

HEAVY = ("duckdb", "polars", "altair", "vl_convert", "pyarrow")

HELP_THEN_REPORT = """
import json, sys
from analytics.cli.app import main
sys.argv = ["analytics", *{args!r}]
try:
    main()
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)), file=sys.stderr)
"""


def heavy_modules_after(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args", [["--help"], ["query", "--help"], ["sql", "--help"], ["db", "--help"], ["ingest", "--help"]]
)
def test_cli_help_imports_no_heavy_library(args):
    assert heavy_modules_after(HELP_THEN_REPORT.format(args=args, heavy=HEAVY)) == []


def test_importing_analytics_imports_no_heavy_library():
    code = (
        "import json, sys, analytics\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)),"
        " file=sys.stderr)\n"
    )
    assert heavy_modules_after(code) == []


def test_the_importtime_log_of_help_names_no_heavy_library():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "analytics", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert not imported & set(HEAVY)
