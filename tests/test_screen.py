"""The set-based validate screen never lets a violation through: for each kind of hand edit,
`analytics.validate` reports exactly what the row-by-row checks report over the whole data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.store.parquet import partition_path, read_table
from analytics.store.schema import TABLES
from analytics.store.screen import suspect_companies
from analytics.store.validate import validate as row_by_row

NIMBUS = "Nimbus Cloud"


def edit(folder: Path, table: str, company: str, change: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
    path = partition_path(folder, table, company)
    frame = pl.read_parquet(path)
    change(frame).cast(frame.schema).write_parquet(path)


def first_row(column: str, value: object) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def change(frame: pl.DataFrame) -> pl.DataFrame:
        first = pl.int_range(pl.len()) == 0
        return frame.with_columns(pl.when(first).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))

    return change


EDITS: dict[str, tuple[str, str, Callable[[pl.DataFrame], pl.DataFrame]]] = {
    "leaf_times_ten": ("revenue", NIMBUS, lambda f: f.with_columns(pl.col("amount") * 10)),
    "negative_leaf": ("revenue", NIMBUS, first_row("amount", -1)),
    "duplicate_row": ("kpis", "Weibo", lambda f: pl.concat([f, f.head(1)])),
    "second_currency": ("reported_totals", NIMBUS, first_row("currency", "EUR")),
    "unknown_counterparty": ("revenue", NIMBUS, first_row("counterparty", "Nobody")),
    "bad_class": ("counterparties", NIMBUS, first_row("counterparty_class", "bogus")),
    "ends_before_start": ("partnerships", NIMBUS, first_row("end_date", date(1901, 1, 1))),
    "stake_over_100": ("partnerships", "Weibo", first_row("stake_percent", 150)),
    "wrong_period_start": ("revenue", "Weibo", first_row("period_start", date(2001, 1, 1))),
    "bad_period_label": ("kpis", "Weibo", first_row("period", "2016Q7")),
    "overlapping_spans": (
        "counterparties",
        NIMBUS,
        lambda f: pl.concat([f, f.head(1).with_columns(pl.lit(date(2020, 1, 1)).alias("valid_from"))]),
    ),
    "year_total_off": (
        "reported_totals",
        "Weibo",
        lambda f: f.with_columns(
            pl.when(pl.col("period") == "2017").then(pl.col("amount") + 10**9).otherwise(pl.col("amount"))
        ),
    ),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_the_screen_lets_no_violation_through(name, two_company_data_dir):
    table, company, change = EDITS[name]
    edit(two_company_data_dir, table, company, change)
    expected = sorted(
        str(v)
        for v in row_by_row({name: read_table(two_company_data_dir, name).to_dicts() for name in TABLES})
    )
    assert expected, "the edit should break an invariant"
    assert company in suspect_companies(two_company_data_dir)
    assert sorted(analytics.validate(two_company_data_dir)) == expected


@pytest.mark.parametrize("name", ["leaf_times_ten", "bad_class", "year_total_off"])
def test_screening_a_batch_of_companies_at_a_time_lets_no_violation_through(
    name, two_company_data_dir, monkeypatch
):
    """Thousands of companies are screened a batch at a time (derive.BATCH_ROWS rows): with a
    batch of 50 rows each company is screened on its own, and nothing slips between batches."""
    from analytics.store import screen

    monkeypatch.setattr(screen, "BATCH_ROWS", 50)
    table, company, change = EDITS[name]
    edit(two_company_data_dir, table, company, change)
    assert suspect_companies(two_company_data_dir) == {company}
    assert analytics.validate(two_company_data_dir)


def test_sound_data_passes_the_screen_without_row_by_row_checks(two_company_data_dir):
    assert suspect_companies(two_company_data_dir) == set()
