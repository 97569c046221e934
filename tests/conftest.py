"""Shared fixtures: real Parquet data folders in tmp_path and the in-process CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.project import PROJECT_ROOT

SHIPPED_DATA = PROJECT_ROOT / "data"
NIMBUS = Path(__file__).parent / "fixtures" / "nimbus"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped Weibo data: tests may write to it freely."""
    target = tmp_path / "data"
    target.mkdir()
    for parquet in SHIPPED_DATA.glob("*.parquet"):
        shutil.copy2(parquet, target / parquet.name)
    return target


@pytest.fixture
def two_company_data_dir(data_dir: Path) -> Path:
    """Weibo plus Nimbus Cloud (fictional, CNY, partner = its parent group), ingested through
    the documented CSV formats exactly as an analyst would."""
    from analytics import ingest

    for table, name in [("counterparties", "counterparties.csv"), ("revenue", "revenue.csv"),
                        ("partnerships", "partnerships.csv"), ("events", "events.csv")]:
        ingest(NIMBUS / name, table, data_dir)
    return data_dir


@pytest.fixture
def cli(data_dir: Path) -> Callable[..., object]:
    """Run the CLI in-process against the copied data; returns the click Result."""
    from analytics.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, data: Path | None = None) -> object:
        return runner.invoke(app, ["--data-dir", str(data or data_dir), *args],
                             catch_exceptions=False)

    return invoke
