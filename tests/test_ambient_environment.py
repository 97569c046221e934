"""The tests see the shipped data whatever the developer's shell exports. Module-scoped fixtures
read the data through the library's defaults before any test's `monkeypatch` runs, so
conftest.py clears every ANALYTICS_* variable for the whole session; this proves it does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import analytics
from analytics.project import DATA_DIR_ENV, PROJECT_ROOT, QUERIES_DIR_ENV
from analytics.sql import queries


@pytest.fixture(scope="module")
def read_by_default() -> tuple[dict[str, float | None], list[str]]:
    """Alibaba's share of Weibo's revenue by quarter and the named queries, through the
    defaults (no data_dir), as test_acceptance.py, test_deck.py and test_report.py read them."""
    frame = analytics.query("partner_dependence")
    shares = {row["period"]: row["share_of_total"] for row in frame.to_dicts()}
    return shares, sorted(queries.discover())


def test_a_module_fixture_reads_the_shipped_data_through_the_defaults(read_by_default):
    shares, query_names = read_by_default
    assert shares["2013Q4"] == pytest.approx(28.5 / 71.42)  # 39.9%
    assert shares["2016Q2"] == pytest.approx(12.8 / 146.9)  # 8.71%
    assert query_names == sorted(p.stem for p in (PROJECT_ROOT / "queries").glob("*.sql"))


FIXTURE_TEST = f"{__file__}::{test_a_module_fixture_reads_the_shipped_data_through_the_defaults.__name__}"


def run_fixture_test_with_a_bogus_environment(tmp_path: Path, *pytest_args: str):
    """Run the test above in a fresh pytest whose environment names a bogus data folder (one
    that exists and holds no tables) and a query folder holding one extra query."""
    bogus = tmp_path / "bogus"
    bogus.mkdir()
    (bogus / "stray.sql").write_text("-- A developer's own query.\nSELECT 1 AS x\n", encoding="utf-8")
    env = {**os.environ, DATA_DIR_ENV: str(bogus), QUERIES_DIR_ENV: str(bogus)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={tmp_path / 'inner'}",
            *pytest_args,
            FIXTURE_TEST,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_bogus_data_dir_in_the_environment_changes_no_module_fixture(tmp_path):
    result = run_fixture_test_with_a_bogus_environment(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_without_conftest_the_same_environment_would_change_the_fixture(tmp_path):
    """The control: the variables do reach the run, and only conftest.py keeps them out."""
    result = run_fixture_test_with_a_bogus_environment(tmp_path, "--noconftest")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Unknown company 'Weibo'. Known: (none)" in result.stdout  # the empty bogus folder
