"""Shared fixtures: real Parquet data folders in tmp_path and the in-process CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.charts.bundle_cache import CACHE_DIR_ENV
from analytics.project import PROJECT_ROOT

SHIPPED_DATA = PROJECT_ROOT / "data"
NIMBUS = Path(__file__).parent / "fixtures" / "nimbus"
#: Environment variables the package reads (data folder, query folders, limits, fault hooks):
#: a developer's shell must not change what the tests see.
AMBIENT_PREFIX = "ANALYTICS_"


@pytest.fixture(scope="session", autouse=True)
def _no_ambient_analytics_environment() -> Iterator[None]:
    """Remove every ANALYTICS_* variable for the whole session, before any module-scoped
    fixture reads the data through the library's defaults; a test that needs one sets it with
    `monkeypatch`, which restores this clean state afterwards."""
    with pytest.MonkeyPatch.context() as session_patch:
        for name in [name for name in os.environ if name.startswith(AMBIENT_PREFIX)]:
            session_patch.delenv(name)
        yield


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(
    _no_ambient_analytics_environment: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Point the package's per-user cache (vl-convert's bundle) at one folder for the session:
    tests never write the developer's ~/.cache, and CLI subprocesses inherit the folder, so the
    bundle is built once per session. Tests about the cache set their own with `monkeypatch`."""
    folder = tmp_path_factory.mktemp("analytics-cache")
    with pytest.MonkeyPatch.context() as session_patch:
        session_patch.setenv(CACHE_DIR_ENV, str(folder))
        yield folder


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped Weibo data: tests may write to it freely."""
    target = tmp_path / "data"
    copy_tables(SHIPPED_DATA, target)
    return target


def copy_tables(source: Path, target: Path) -> None:
    """Copy a data folder's tables (every table's partition files), not its sources."""
    from analytics.store.schema import TABLES

    target.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)


@pytest.fixture
def two_company_data_dir(data_dir: Path) -> Path:
    """Weibo plus Nimbus Cloud (fictional, CNY, partner = its parent group), ingested through
    the documented CSV formats exactly as an analyst would."""
    from analytics.store.ingest import ingest

    for table, name in [
        ("counterparties", "counterparties.csv"),
        ("revenue", "revenue.csv"),
        ("partnerships", "partnerships.csv"),
        ("events", "events.csv"),
    ]:
        ingest(NIMBUS / name, table, data_dir)
    return data_dir


@pytest.fixture
def cli(data_dir: Path) -> Callable[..., object]:
    """Run the CLI in-process against the copied data; returns the click Result."""
    from analytics.cli.app import app

    runner = CliRunner()

    def invoke(*args: str, data: Path | None = None) -> object:
        return runner.invoke(app, ["--data-dir", str(data or data_dir), *args], catch_exceptions=False)

    return invoke


def weibo_file(folder: Path, table: str) -> Path:
    """The file holding Weibo's rows of a table."""
    from analytics.store.parquet import partition_path

    return partition_path(folder, table, "Weibo")


def stored_bytes(folder: Path) -> dict[str, bytes]:
    """Every Parquet file of a data folder, by its path inside the folder."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


@pytest.fixture
def spec_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Altair classes whose spec is validated while the test runs (real validation, only
    counted); making a whole Altair chart from a spec again fails the test."""
    import altair as alt
    from altair.utils import schemapi

    validated: list[str] = []
    validate = schemapi.SchemaBase.validate.__func__  # type: ignore[attr-defined]
    from_dict = schemapi.SchemaBase.from_dict.__func__  # type: ignore[attr-defined]

    def counted(cls, instance, schema=None):  # type: ignore[no-untyped-def]
        validated.append(cls.__name__)
        return validate(cls, instance, schema)

    def no_chart_again(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Altair makes channels from dicts itself; a whole chart made from a spec is refused."""
        if issubclass(cls, alt.TopLevelMixin):
            raise AssertionError("an Altair chart was made from its spec again")
        return from_dict(cls, *args, **kwargs)

    monkeypatch.setattr(schemapi.SchemaBase, "validate", classmethod(counted))
    monkeypatch.setattr(schemapi.SchemaBase, "from_dict", classmethod(no_chart_again))
    return validated
