"""Storage partitioned by company: names any file system and DuckDB round-trip, upserts that
touch one company's files only, and folders still in the flat layout migrated on first write."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import InputError
from analytics.project import PROJECT_ROOT
from analytics.store.parquet import partition_path, read_table, stored_companies
from analytics.store.schema import TABLES
from tests.conftest import NIMBUS, stored_bytes

HEADER = ["company", "period", "stream", "counterparty", "amount", "currency", "unit", "source"]
AWKWARD_NAMES = [
    "A/B é",
    "2016",
    "NULL",
    "__HIVE_DEFAULT_PARTITION__",
    "%41",
    ".hidden",
    "x=y",
    "Ünïcode 株式会社",
]


def write_revenue(path: Path, companies: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(
            [company, "2020Q1", "total", "all", "100", "USD", "units", "t"] for company in companies
        )
    return path


def test_awkward_company_names_round_trip_through_their_folders(data_dir, tmp_path):
    analytics.ingest(write_revenue(tmp_path / "r.csv", AWKWARD_NAMES), "revenue", data_dir)
    assert set(AWKWARD_NAMES) <= set(stored_companies(data_dir, "reported_totals"))
    for name in AWKWARD_NAMES:
        frame = analytics.sql(
            f"SELECT company, amount FROM reported_totals "
            f"WHERE company = '{name.replace(chr(39), chr(39) * 2)}'",
            data_dir=data_dir,
        )
        assert frame["company"].to_list() == [name]
    names = [p.name for p in (data_dir / "revenue").iterdir()]
    assert all(n.startswith("company=") and "/" not in n for n in names)


def test_an_upsert_rewrites_only_the_companies_it_touches(data_dir):
    weibo = {k: v for k, v in stored_bytes(data_dir).items() if "company=Weibo" in k}
    analytics.ingest(NIMBUS / "counterparties.csv", "counterparties", data_dir)
    analytics.ingest(NIMBUS / "revenue.csv", "revenue", data_dir)
    after = stored_bytes(data_dir)
    assert {k: v for k, v in after.items() if "company=Weibo" in k} == weibo
    assert partition_path(data_dir, "revenue", "Nimbus Cloud").exists()


def test_a_company_name_too_long_for_a_folder_is_refused_at_its_row(data_dir, tmp_path):
    name = "株" * 100  # 900 bytes percent-encoded
    path = write_revenue(tmp_path / "long.csv", ["Acme", name])
    with pytest.raises(InputError, match="use a shorter name") as caught:
        analytics.ingest(path, "revenue", data_dir)
    assert caught.value.location is not None and caught.value.location.row == 3
    assert caught.value.location.column == "company"


def test_a_flat_folder_is_read_as_is_and_migrated_by_its_first_write(data_dir, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for name in TABLES:
        read_table(data_dir, name).write_parquet(flat / f"{name}.parquet")
    expected = analytics.query("partner_dependence", data_dir=data_dir)
    assert analytics.query("partner_dependence", data_dir=flat).equals(expected)
    analytics.ingest(NIMBUS / "counterparties.csv", "counterparties", flat)
    assert not list(flat.glob("*.parquet"))
    for name in TABLES:
        assert (
            read_table(flat, name).filter(pl.col("company") == "Weibo").equals(read_table(data_dir, name))
        ), name
    assert analytics.query("partner_dependence", data_dir=flat).equals(expected)
    assert analytics.validate(flat) == []


def test_migrating_a_flat_folder_keeps_the_written_companys_other_tables(data_dir, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for name in TABLES:
        read_table(data_dir, name).write_parquet(flat / f"{name}.parquet")
    shipped = PROJECT_ROOT / "data" / "sources" / "weibo" / "counterparties.csv"
    analytics.ingest(shipped, "counterparties", flat)  # Weibo's own table, rewritten
    assert not list(flat.glob("*.parquet"))
    for name in TABLES:
        assert read_table(flat, name).equals(read_table(data_dir, name)), name
