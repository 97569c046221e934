"""Acceptance: the figures the filings and press reported, from the shipped data through the
shipped queries (issue 2, section 2)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.store.schema import TABLES


@pytest.fixture(scope="module")
def dependence() -> dict[str, dict]:
    frame = analytics.query("partner_dependence", company="Weibo", partner="Alibaba")
    return {row["period"]: row for row in frame.to_dicts()}


def test_alibaba_was_about_forty_percent_of_total_revenue_in_2013q4(dependence):
    row = dependence["2013Q4"]
    assert row["share_of_total"] == pytest.approx(28.5 / 71.42, abs=0.005)
    assert row["share_of_total"] == pytest.approx(0.40, abs=0.005)


@pytest.mark.parametrize(("period", "share"), [("2016Q1", 0.093), ("2016Q2", 0.087), ("2017Q3", 0.079)])
def test_alibaba_share_of_total_matches_the_reported_figure(dependence, period, share):
    assert round(dependence[period]["share_of_total"], 3) == share


@pytest.mark.parametrize(("year", "share"), [("2013", 0.347), ("2014", 0.510), ("2015", 0.484)])
def test_related_party_share_of_advertising_matches_the_annual_reports(year, share):
    frame = analytics.query("related_party_share", company="Weibo", period_kind="year")
    row = frame.filter((pl.col("period") == year) & (pl.col("stream") == "advertising"))
    assert row.height == 1
    assert round(row["related_party_share"][0], 3) == share


@pytest.mark.parametrize("period", ["2015Q1", "2016Q3"])
def test_an_undisclosed_quarter_has_a_null_share_never_zero(dependence, period):
    row = dependence[period]
    assert row["partner_revenue"] is None
    assert row["share_of_total"] is None
    assert row["ttm_share_of_total"] is None


def test_no_quarter_shows_a_zero_partner_share_for_weibo(dependence):
    assert all(row["share_of_total"] != 0 for row in dependence.values())


def test_amounts_are_in_full_currency_units(dependence):
    assert dependence["2013Q4"]["partner_revenue"] == Decimal("28500000")
    assert dependence["2013Q4"]["total_revenue"] == Decimal("71420000")


@pytest.mark.parametrize("table", ["revenue", "reported_totals", "partnerships", "events", "kpis"])
def test_every_shipped_figure_has_a_non_empty_source(table):
    frame = analytics.sql(f"SELECT source FROM {table}")
    assert frame.height > 0
    assert frame.filter(pl.col("source").is_null() | (pl.col("source").str.strip_chars() == "")).height == 0


def test_every_partner_dependence_row_with_a_share_cites_a_source(dependence):
    for row in dependence.values():
        if row["share_of_total"] is not None:
            assert row["source"]


def test_the_2013q4_advertising_remainder_is_a_derived_unattributed_leaf():
    frame = analytics.sql(
        "SELECT amount, derived, derivation, source FROM revenue WHERE company = 'Weibo' "
        "AND period = '2013Q4' AND stream = 'advertising' AND counterparty = 'unattributed'"
    )
    assert frame.height == 1
    row = frame.row(0, named=True)
    assert row["amount"] == Decimal("27550000")
    assert row["derived"] is True
    assert row["source"].startswith("derived")


def test_a_total_remainder_counts_each_printed_rounding_once():
    """2014Q2: 77.3M total minus advertising (59.6M, completed to its printed total) leaves
    17.7M, uncertain by the two printed roundings (±50K each), not by the advertising leaves'
    roundings on top: ±100K, not ±200K."""
    rest = analytics.sql(
        "SELECT amount, precision FROM revenue WHERE period = '2014Q2' AND derivation = 'total_remainder'"
    )
    assert rest.rows() == [(Decimal("17700000.00"), Decimal("100000.00"))]


def test_an_unsplit_printed_total_keeps_its_note_when_it_becomes_a_leaf():
    leaves = analytics.sql(
        "SELECT r.note AS leaf_note, t.note AS total_note FROM revenue r "
        "JOIN reported_totals t USING (company, period, stream) "
        "WHERE r.derivation = 'printed_total' AND t.note IS NOT NULL"
    )
    assert leaves.height > 0
    assert leaves["leaf_note"].to_list() == leaves["total_note"].to_list()


def test_the_2016q2_total_is_derived_from_fiscal_2016(dependence):
    frame = analytics.sql(
        "SELECT amount, derived, derivation, source FROM reported_totals WHERE company = 'Weibo' "
        "AND period = '2016Q2' AND stream = 'total'"
    )
    row = frame.row(0, named=True)
    assert row["amount"] == Decimal("146900000")
    assert row["derived"] is True
    assert row["derivation"] == "fiscal_year_remainder"
    assert "FY2016" in row["source"]
    assert dependence["2016Q2"]["derived"] is True


def test_growth_reconciles_wherever_both_parts_are_known():
    frame = analytics.query("growth", company="Weibo", partner="Alibaba")
    known = frame.filter(pl.col("partner_change").is_not_null() & pl.col("rest_change").is_not_null())
    assert known.height > 0
    for row in known.to_dicts():
        assert row["partner_change"] + row["rest_change"] == row["total_change"]
        assert row["reconciles"] is True


def test_growth_reconciliation_is_never_false():
    frame = analytics.query("growth", company="Weibo", partner="Alibaba")
    assert frame.filter(pl.col("reconciles") == False).height == 0  # noqa: E712


def test_concentration_hhi_stays_on_the_0_to_10000_scale():
    frame = analytics.query("concentration", company="Weibo")
    hhi = frame["hhi"].drop_nulls()
    assert hhi.len() > 0
    assert hhi.min() >= 0
    assert hhi.max() <= 10000
    with_n = frame.filter(pl.col("effective_n").is_not_null())
    for row in with_n.to_dicts():
        assert row["effective_n"] == pytest.approx(10000 / row["hhi"])


def test_the_shipped_data_rebuilds_reproducibly(tmp_path: Path):
    from analytics.project import PROJECT_ROOT
    from analytics.store.parquet import partition_path
    from analytics.weibo import seed

    target = tmp_path / "rebuilt"
    seed.build(target)
    for name in TABLES:
        shipped, rebuilt = (
            partition_path(folder, name, "Weibo") for folder in (PROJECT_ROOT / "data", target)
        )
        assert shipped.exists() == rebuilt.exists(), name  # Weibo discloses no bare shares
        if shipped.exists():
            assert pl.read_parquet(rebuilt).equals(pl.read_parquet(shipped)), name
