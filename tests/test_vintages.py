"""Accounting bases and publication dates (issue 9), checked on a company made for it.

Harborline Logistics (tests/fixtures/harbor, fictional) reports quarterly: freight forwarding
and contract logistics, with one strategic partner, Corvid Ocean Lines. Its 2022Q4 release
corrects three 2022Q3 lines (same basis, later `reported_on`); in March 2024 it sells its
cold-chain depots and the 2023 annual report re-presents the four 2023 quarters on basis
`continuing operations`; 2024 is published on that basis only. Every number below is computed
by hand in tests/fixtures/harbor/README.md (US$ millions as printed; the store holds full
units).

The contract: every figure has a `basis` (empty = `as reported`) and a `reported_on` date; by
default a period shows the basis of its latest total revenue and, per line, the latest
publication on that basis; `basis=` picks a basis (other periods are gaps), `as_of=` ignores
later publications; growth and TTM across two bases are NULL with `basis_break` true.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import analytics
from analytics.errors import InputError, ValidationError
from analytics.project import PROJECT_ROOT
from tests.conftest import SHIPPED_DATA, copy_tables, stored_bytes
from tests.shapes import FIXTURES, ingest_fixture

HARBOR = FIXTURES / "harbor"
COMPANY = "Harborline Logistics"
PARTNER = "Corvid Ocean Lines"
AR = "as reported"
CO = "continuing operations"
MILLION = Decimal("1000000")
HEADER = "company,period,stream,counterparty,amount,currency,unit,basis,reported_on,source\n"


def usd(millions: str) -> Decimal:
    """A printed figure in US$ millions, in full units as stored (exact)."""
    return Decimal(millions) * MILLION


def ratio(numerator: str, denominator: str) -> float:
    """A share computed by hand from two printed figures."""
    return float(Decimal(numerator) / Decimal(denominator))


def close(value: Any, expected: float) -> bool:
    return value is not None and abs(float(value) - expected) < 1e-9


# --- the data folders -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Weibo's shipped data plus Harborline, ingested once for the read-only tests."""
    folder = tmp_path_factory.mktemp("vintages") / "data"
    copy_tables(SHIPPED_DATA, folder)
    return ingest_fixture(folder, "harbor")


@pytest.fixture
def writable_harbor(data_dir: Path) -> Path:
    """A folder of its own, for the tests that ingest more."""
    return ingest_fixture(data_dir, "harbor")


def run(folder: Path, name: str, **params: Any) -> dict[str, dict[str, Any]]:
    """A one-row-per-period named query, as {period: row}."""
    frame = analytics.query(name, data_dir=folder, company=COMPANY, **params)
    rows = frame.rows(named=True)
    by_period = {row["period"]: row for row in rows}
    assert len(by_period) == len(rows), f"{name}: more than one row per period"
    return by_period


def dependence(folder: Path, **params: Any) -> dict[str, dict[str, Any]]:
    return run(folder, "partner_dependence", partner=PARTNER, **params)


def growth(folder: Path, **params: Any) -> dict[str, dict[str, Any]]:
    return run(folder, "growth", partner=PARTNER, **params)


def assert_gap(rows: dict[str, dict[str, Any]], period: str) -> None:
    """A period with no figure (on the basis asked for, or as of the date): absent, or a row
    whose amounts are NULL. Never 0."""
    row = rows.get(period)
    if row is None:
        return
    assert row["partner_revenue"] is None, (period, row["partner_revenue"])
    assert row["total_revenue"] is None, (period, row["total_revenue"])
    if "share_of_total" in row:
        assert row["share_of_total"] is None, (period, row["share_of_total"])


def assert_share(row: dict[str, Any], basis: str, partner: str, total: str) -> None:
    assert row["basis"] == basis, (row["period"], row["basis"])
    assert row["partner_revenue"] == usd(partner), (row["period"], row["partner_revenue"])
    assert row["total_revenue"] == usd(total), (row["period"], row["total_revenue"])
    assert close(row["share_of_total"], ratio(partner, total)), (row["period"], row["share_of_total"])


def assert_ttm(row: dict[str, Any], partner: str, total: str) -> None:
    assert row["basis_break"] is False, (row["period"], row["basis_break"])
    assert row["ttm_partner_revenue"] == usd(partner), (row["period"], row["ttm_partner_revenue"])
    assert row["ttm_total_revenue"] == usd(total), (row["period"], row["ttm_total_revenue"])
    assert close(row["ttm_share_of_total"], ratio(partner, total)), (row["period"], row["ttm_share_of_total"])


def assert_ttm_break(row: dict[str, Any]) -> None:
    assert row["basis_break"] is True, (row["period"], row["basis_break"])
    assert row["ttm_partner_revenue"] is None, row["period"]
    assert row["ttm_total_revenue"] is None, row["period"]
    assert row["ttm_share_of_total"] is None, row["period"]


def sql_rows(folder: Path, text: str) -> list[dict[str, Any]]:
    return analytics.sql(text, data_dir=folder).rows(named=True)


# --- the fixture ------------------------------------------------------------------------------


def test_the_fixture_ingests_and_validates_without_warnings(harbor):
    report = analytics.check(harbor)
    assert [v for v in report.violations if COMPANY in v] == []
    assert [w for w in report.warnings if COMPANY in w] == []


def test_no_remainder_is_derived_for_any_quarter(harbor):
    """Leaves add up to every printed total, on every basis and publication: nothing derived
    (a remainder would mean figures of two bases or two snapshots were mixed)."""
    derived = sql_rows(
        harbor,
        f"SELECT period, basis, reported_on, stream, counterparty, amount "
        f"FROM revenue_vintages WHERE company = '{COMPANY}' "
        "AND period_kind = 'quarter' AND derived",
    )
    assert derived == []


# --- the default view: the latest basis of each period, the latest publication per line -------

DEFAULT = {  # period: (basis, Corvid, total), README "partner_dependence, default"
    "2022Q1": (AR, "35.0", "120.0"),
    "2022Q2": (AR, "36.5", "126.0"),
    "2022Q3": (AR, "39.5", "130.6"),  # 34.0 (corrected) + 5.5
    "2022Q4": (AR, "41.5", "135.0"),
    "2023Q1": (CO, "36.2", "120.0"),  # 35.2 + 1.0
    "2023Q2": (CO, "37.8", "124.0"),
    "2023Q3": (CO, "39.0", "128.0"),
    "2023Q4": (CO, "40.7", "132.0"),
    "2024Q1": (CO, "38.5", "132.0"),
    "2024Q2": (CO, "39.5", "136.0"),
}


def test_partner_dependence_by_default_shows_each_periods_latest_basis(harbor):
    rows = dependence(harbor)
    assert list(rows) == list(DEFAULT)
    for period, (basis, partner, total) in DEFAULT.items():
        assert_share(rows[period], basis, partner, total)


def test_partner_dependence_ttm_by_default_breaks_where_the_window_crosses_bases(harbor):
    rows = dependence(harbor)
    for period in ("2022Q1", "2022Q2", "2022Q3"):  # fewer than four quarters, one basis
        assert rows[period]["basis_break"] is False, period
        assert rows[period]["ttm_share_of_total"] is None, period
    assert_ttm(rows["2022Q4"], "152.5", "511.6")  # 35.0 + 36.5 + 39.5 + 41.5; 120 + ... + 135
    for period in ("2023Q1", "2023Q2", "2023Q3"):  # 2022 as reported + 2023 continuing
        assert_ttm_break(rows[period])
    assert_ttm(rows["2023Q4"], "153.7", "504.0")  # 36.2 + 37.8 + 39.0 + 40.7
    assert_ttm(rows["2024Q1"], "156.0", "516.0")  # 37.8 + 39.0 + 40.7 + 38.5
    assert_ttm(rows["2024Q2"], "157.7", "528.0")  # 39.0 + 40.7 + 38.5 + 39.5


def test_revenue_by_source_by_default_2023q1_is_continuing_operations(harbor):
    frame = analytics.query(
        "revenue_by_source",
        data_dir=harbor,
        company=COMPANY,
        partner=PARTNER,
        from_period="2023Q1",
        to_period="2023Q1",
    )
    rows = frame.rows(named=True)
    assert [(r["stream"], r["portion"], r["amount"]) for r in rows] == [
        ("contract_logistics", PARTNER, usd("1.0")),
        ("contract_logistics", "rest", usd("31.0")),
        ("freight_forwarding", PARTNER, usd("35.2")),
        ("freight_forwarding", "rest", usd("52.8")),
    ]
    assert {r["basis"] for r in rows} == {CO}
    assert {r["total_revenue"] for r in rows} == {usd("120.0")}
    for row, part in zip(rows, ("1.0", "31.0", "35.2", "52.8"), strict=True):
        assert close(row["share_of_total"], ratio(part, "120.0")), row
    assert sum(r["amount"] for r in rows) == usd("120.0")


def test_revenue_by_source_by_default_2022q3_takes_each_line_from_its_latest_publication(harbor):
    """The correction reprinted Corvid's freight forwarding (34.0) but not third parties'
    (53.6) nor contract logistics: those stay from the first release."""
    frame = analytics.query(
        "revenue_by_source",
        data_dir=harbor,
        company=COMPANY,
        partner=PARTNER,
        from_period="2022Q3",
        to_period="2022Q3",
    )
    rows = frame.rows(named=True)
    assert [(r["stream"], r["portion"], r["amount"]) for r in rows] == [
        ("contract_logistics", PARTNER, usd("5.5")),
        ("contract_logistics", "rest", usd("37.5")),
        ("freight_forwarding", PARTNER, usd("34.0")),
        ("freight_forwarding", "rest", usd("53.6")),
    ]
    assert {r["basis"] for r in rows} == {AR}
    assert {r["total_revenue"] for r in rows} == {usd("130.6")}
    assert sum(r["amount"] for r in rows) == usd("130.6")  # 5.5 + 37.5 + 34.0 + 53.6
    partner_ff = rows[2]
    assert close(partner_ff["share_of_total"], ratio("34.0", "130.6"))


def test_revenue_mix_by_default_2023q1(harbor):
    frame = analytics.query(
        "revenue_mix", data_dir=harbor, company=COMPANY, from_period="2023Q1", to_period="2023Q1"
    )
    rows = frame.rows(named=True)
    assert [(r["stream"], r["counterparty_class"], r["amount"]) for r in rows] == [
        ("contract_logistics", "strategic_partner", usd("1.0")),
        ("contract_logistics", "third_party", usd("31.0")),
        ("freight_forwarding", "strategic_partner", usd("35.2")),
        ("freight_forwarding", "third_party", usd("52.8")),
    ]
    assert {r["basis"] for r in rows} == {CO}
    assert {r["period_leaves_total"] for r in rows} == {usd("120.0")}
    for row, part in zip(rows, ("1.0", "31.0", "35.2", "52.8"), strict=True):
        assert close(row["share_of_period"], ratio(part, "120.0")), row
    assert close(sum(r["share_of_period"] for r in rows), 1.0)


def test_growth_by_default_is_null_across_the_divestiture_with_basis_break(harbor):
    rows = growth(harbor)
    for period in ("2023Q1", "2023Q2", "2023Q3", "2023Q4"):
        row = rows[period]
        assert row["basis"] == CO, period
        assert row["basis_break"] is True, period
        for column in (
            "total_yoy",
            "ex_partner_yoy",
            "partner_change",
            "rest_change",
            "total_change",
            "partner_contribution",
            "rest_contribution",
        ):
            assert row[column] is None, (period, column, row[column])
    # The period's own amounts stay.
    assert rows["2023Q1"]["total_revenue"] == usd("120.0")
    assert rows["2023Q1"]["partner_revenue"] == usd("36.2")
    assert rows["2023Q1"]["revenue_ex_partner"] == usd("83.8")  # 120.0 - 36.2
    for period in ("2022Q1", "2022Q2", "2022Q3", "2022Q4"):  # no prior year at all
        assert rows[period]["basis_break"] is not True, period
        assert rows[period]["total_yoy"] is None, period


def test_growth_by_default_is_like_for_like_in_2024(harbor):
    rows = growth(harbor)
    q1 = rows["2024Q1"]  # against 2023Q1, both continuing operations
    assert q1["basis"] == CO
    assert q1["basis_break"] is False
    assert q1["prior_period"] == "2023Q1"
    assert q1["total_revenue"] == usd("132.0")
    assert q1["prior_total_revenue"] == usd("120.0")
    assert close(q1["total_yoy"], 0.1)  # 132.0 / 120.0 - 1
    assert q1["revenue_ex_partner"] == usd("93.5")  # 132.0 - 38.5
    assert q1["prior_revenue_ex_partner"] == usd("83.8")  # 120.0 - 36.2
    assert close(q1["ex_partner_yoy"], ratio("93.5", "83.8") - 1)
    assert q1["partner_change"] == usd("2.3")  # 38.5 - 36.2
    assert q1["rest_change"] == usd("9.7")  # 93.5 - 83.8
    assert q1["total_change"] == usd("12.0")
    assert close(q1["partner_contribution"], ratio("2.3", "120.0"))
    assert close(q1["rest_contribution"], ratio("9.7", "120.0"))
    assert q1["reconciles"] is True

    q2 = rows["2024Q2"]  # against 2023Q2
    assert q2["basis_break"] is False
    assert close(q2["total_yoy"], ratio("12.0", "124.0"))  # 136.0 / 124.0 - 1
    assert q2["revenue_ex_partner"] == usd("96.5")  # 136.0 - 39.5
    assert q2["prior_revenue_ex_partner"] == usd("86.2")  # 124.0 - 37.8
    assert close(q2["ex_partner_yoy"], ratio("96.5", "86.2") - 1)
    assert q2["partner_change"] == usd("1.7")
    assert q2["rest_change"] == usd("10.3")
    assert q2["total_change"] == usd("12.0")
    assert close(q2["partner_contribution"], ratio("1.7", "124.0"))
    assert close(q2["rest_contribution"], ratio("10.3", "124.0"))


# --- basis= -----------------------------------------------------------------------------------

AS_REPORTED_2023 = {
    "2023Q1": ("41.2", "135.0"),
    "2023Q2": ("42.8", "140.0"),
    "2023Q3": ("44.5", "145.0"),
    "2023Q4": ("45.7", "150.0"),
}


def test_partner_dependence_as_reported_shows_the_original_2023_and_no_2024(harbor):
    rows = dependence(harbor, basis=AR)
    for period in ("2022Q1", "2022Q2", "2022Q3", "2022Q4"):
        basis, partner, total = DEFAULT[period]
        assert_share(rows[period], basis, partner, total)
    for period, (partner, total) in AS_REPORTED_2023.items():
        assert_share(rows[period], AR, partner, total)
    assert_gap(rows, "2024Q1")
    assert_gap(rows, "2024Q2")


def test_partner_dependence_as_reported_ttm_runs_across_2022_and_2023(harbor):
    rows = dependence(harbor, basis=AR)
    assert_ttm(rows["2022Q4"], "152.5", "511.6")
    assert_ttm(rows["2023Q1"], "158.7", "526.6")  # 36.5 + 39.5 + 41.5 + 41.2
    assert_ttm(rows["2023Q2"], "165.0", "540.6")  # 39.5 + 41.5 + 41.2 + 42.8
    assert_ttm(rows["2023Q3"], "170.0", "555.0")  # 41.5 + 41.2 + 42.8 + 44.5
    assert_ttm(rows["2023Q4"], "174.2", "570.0")  # 41.2 + 42.8 + 44.5 + 45.7


def test_partner_dependence_on_continuing_operations_leaves_2022_as_gaps(harbor):
    rows = dependence(harbor, basis=CO)
    for period in ("2022Q1", "2022Q2", "2022Q3", "2022Q4"):
        assert_gap(rows, period)
    for period in ("2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"):
        assert_share(rows[period], *DEFAULT[period])  # every one on continuing operations
    assert_ttm(rows["2023Q4"], "153.7", "504.0")
    assert rows["2023Q1"]["ttm_share_of_total"] is None  # 2022 quarters are gaps on this basis


def test_revenue_by_source_as_reported_2023q1_and_nothing_in_2024(harbor):
    frame = analytics.query("revenue_by_source", data_dir=harbor, company=COMPANY, partner=PARTNER, basis=AR)
    q1 = frame.filter(pl.col("period") == "2023Q1").rows(named=True)
    assert [(r["stream"], r["portion"], r["amount"]) for r in q1] == [
        ("contract_logistics", PARTNER, usd("6.0")),
        ("contract_logistics", "rest", usd("41.0")),
        ("freight_forwarding", PARTNER, usd("35.2")),
        ("freight_forwarding", "rest", usd("52.8")),
    ]
    assert {r["total_revenue"] for r in q1} == {usd("135.0")}
    assert {r["basis"] for r in q1} == {AR}
    later = frame.filter(pl.col("period").is_in(["2024Q1", "2024Q2"]))
    assert later.filter(pl.col("amount").is_not_null()).height == 0


def test_growth_as_reported_compares_2023_with_2022(harbor):
    rows = growth(harbor, basis=AR)
    q1 = rows["2023Q1"]
    assert q1["basis"] == AR
    assert q1["basis_break"] is False
    assert close(q1["total_yoy"], 0.125)  # 135.0 / 120.0 - 1
    assert q1["revenue_ex_partner"] == usd("93.8")  # 135.0 - 41.2
    assert q1["prior_revenue_ex_partner"] == usd("85.0")  # 120.0 - 35.0
    assert close(q1["ex_partner_yoy"], ratio("93.8", "85.0") - 1)
    assert q1["partner_change"] == usd("6.2")
    assert q1["rest_change"] == usd("8.8")
    assert q1["total_change"] == usd("15.0")
    q3 = rows["2023Q3"]  # against the corrected 2022Q3
    assert q3["prior_total_revenue"] == usd("130.6")
    assert close(q3["total_yoy"], ratio("145.0", "130.6") - 1)
    assert q3["partner_change"] == usd("5.0")  # 44.5 - 39.5
    assert q3["rest_change"] == usd("9.4")  # 100.5 - 91.1
    assert q3["total_change"] == usd("14.4")
    for period in ("2024Q1", "2024Q2"):
        row = rows.get(period)
        if row is not None:
            assert row["total_revenue"] is None, period
            assert row["total_yoy"] is None, period


# --- as_of= -----------------------------------------------------------------------------------


def test_as_of_before_the_correction_shows_the_first_2022q3(harbor):
    rows = dependence(harbor, as_of="2023-01-31")
    assert_share(rows["2022Q3"], AR, "37.9", "129.0")  # 32.4 + 5.5
    assert_share(rows["2022Q1"], AR, "35.0", "120.0")
    for period in ("2022Q4", "2023Q1", "2024Q2"):  # released 2023-02-21 and later
        assert_gap(rows, period)
    frame = analytics.query(
        "revenue_by_source",
        data_dir=harbor,
        company=COMPANY,
        partner=PARTNER,
        as_of="2023-01-31",
        from_period="2022Q3",
        to_period="2022Q3",
    )
    assert [(r["stream"], r["portion"], r["amount"], r["total_revenue"]) for r in frame.rows(named=True)] == [
        ("contract_logistics", PARTNER, usd("5.5"), usd("129.0")),
        ("contract_logistics", "rest", usd("37.5"), usd("129.0")),
        ("freight_forwarding", PARTNER, usd("32.4"), usd("129.0")),
        ("freight_forwarding", "rest", usd("53.6"), usd("129.0")),
    ]


def test_as_of_before_a_quarters_release_leaves_it_out(harbor):
    rows = dependence(harbor, as_of="2023-08-01")  # 2023Q2 released 2023-08-08
    assert_share(rows["2023Q1"], AR, "41.2", "135.0")
    assert_gap(rows, "2023Q2")
    assert_share(rows["2022Q3"], AR, "39.5", "130.6")  # corrected on 2023-02-21


def test_as_of_before_the_annual_report_shows_2023_as_reported(harbor):
    rows = dependence(harbor, as_of="2024-03-01")
    for period, (partner, total) in AS_REPORTED_2023.items():
        assert_share(rows[period], AR, partner, total)
    assert_share(rows["2022Q3"], AR, "39.5", "130.6")
    assert_ttm(rows["2023Q1"], "158.7", "526.6")
    assert_ttm(rows["2023Q4"], "174.2", "570.0")
    assert_gap(rows, "2024Q1")
    assert_gap(rows, "2024Q2")
    grown = growth(harbor, as_of="2024-03-01")
    assert grown["2023Q1"]["basis_break"] is False
    assert close(grown["2023Q1"]["total_yoy"], 0.125)


def test_as_of_the_annual_reports_own_date_counts_it(harbor):
    rows = dependence(harbor, as_of="2024-03-20")
    assert_share(rows["2023Q1"], CO, "36.2", "120.0")
    assert_share(rows["2023Q4"], CO, "40.7", "132.0")
    assert_gap(rows, "2024Q1")  # released 2024-05-07


def test_a_basis_with_nothing_published_yet_is_a_gap(harbor):
    rows = dependence(harbor, basis=CO, as_of="2024-03-01")
    for period in ("2023Q1", "2023Q2", "2023Q3", "2023Q4"):
        assert_gap(rows, period)


# --- years and disclosed shares ---------------------------------------------------------------


def test_years_follow_the_same_rules_with_their_disclosed_shares(harbor):
    rows = dependence(harbor, period_kind="year")
    fy23 = rows["2023"]
    assert fy23["basis"] == CO
    assert fy23["total_revenue"] == usd("504.0")
    assert fy23["partner_revenue"] is None  # no split by customer for a year: unknown
    assert close(fy23["disclosed_share_of_total"], 0.30)
    assert rows["2022"]["basis"] == AR
    assert rows["2022"]["total_revenue"] == usd("511.6")
    assert rows["2022"]["disclosed_share_of_total"] is None
    reported = dependence(harbor, period_kind="year", basis=AR)["2023"]
    assert reported["basis"] == AR
    assert reported["total_revenue"] == usd("570.0")
    assert close(reported["disclosed_share_of_total"], 0.31)
    before = dependence(harbor, period_kind="year", as_of="2024-03-01")["2023"]
    assert before["total_revenue"] == usd("570.0")
    assert close(before["disclosed_share_of_total"], 0.31)


def test_growth_by_year_breaks_between_fy2022_and_fy2023(harbor):
    rows = growth(harbor, period_kind="year")
    assert rows["2023"]["basis"] == CO
    assert rows["2023"]["basis_break"] is True  # continuing operations against as reported
    assert rows["2023"]["total_yoy"] is None
    assert rows["2023"]["total_revenue"] == usd("504.0")
    reported = growth(harbor, period_kind="year", basis=AR)["2023"]
    assert reported["basis_break"] is False
    assert close(reported["total_yoy"], ratio("58.4", "511.6"))  # 570.0 / 511.6 - 1


def test_concentration_follows_the_basis(harbor):
    """Corvid is the only named counterparty (third parties are a pool): top share and HHI
    come from its share alone."""

    def first_quarter(**params: Any) -> dict[str, Any]:
        return run(harbor, "concentration", from_period="2023Q1", to_period="2023Q1", **params)["2023Q1"]

    shown = first_quarter()
    assert shown["basis"] == CO
    assert shown["top_counterparty"] == PARTNER
    assert close(shown["top_share"], ratio("36.2", "120.0"))
    assert shown["hhi"] == pytest.approx((100 * 36.2 / 120) ** 2, abs=1e-6)  # 910.03
    reported = first_quarter(basis=AR)
    assert reported["basis"] == AR
    assert close(reported["top_share"], ratio("41.2", "135.0"))
    assert first_quarter(as_of="2024-03-01")["top_share"] == reported["top_share"]


@pytest.mark.parametrize(
    "name",
    [
        "partner_dependence",
        "revenue_by_source",
        "revenue_mix",
        "growth",
        "concentration",
        "related_party_share",
    ],
)
def test_every_period_query_takes_basis_and_as_of_and_returns_basis(harbor, name):
    params: dict[str, Any] = {"company": COMPANY, "basis": AR, "as_of": "2024-03-01"}
    if name in ("partner_dependence", "revenue_by_source", "growth"):
        params["partner"] = PARTNER
    frame = analytics.query(name, data_dir=harbor, **params)
    assert "basis" in frame.columns
    assert set(frame["basis"].drop_nulls().to_list()) <= {AR}


@pytest.mark.parametrize("name", ["partner_dependence", "growth", "revenue_by_source"])
def test_as_of_after_every_publication_is_the_default_view(harbor, name):
    """The default view and a point in time after the last publication are the same figures
    (the default is read from rows marked at ingest, the point in time chosen afresh)."""
    default = analytics.query(name, data_dir=harbor, company=COMPANY, partner=PARTNER)
    later = analytics.query(name, data_dir=harbor, company=COMPANY, partner=PARTNER, as_of="2099-12-31")
    assert later.equals(default)


def test_sql_as_of_after_every_publication_is_the_default_view(harbor):
    text = f"SELECT * FROM revenue WHERE company = '{COMPANY}' ORDER BY period, stream, counterparty"
    assert analytics.sql(text, data_dir=harbor, as_of=date(2099, 12, 31)).equals(
        analytics.sql(text, data_dir=harbor)
    )


# --- restatements -----------------------------------------------------------------------------

FF, CL, ALL, TP = "freight_forwarding", "contract_logistics", "all", "third_parties"

# (period, stream, counterparty): (first, latest), README "restatements"
RESTATED = {
    ("2022Q1", "total", ALL): ("120.0", "120.0"),
    ("2022Q3", "total", ALL): ("129.0", "130.6"),
    ("2022Q3", FF, ALL): ("86.0", "87.6"),
    ("2022Q3", FF, PARTNER): ("32.4", "34.0"),
    ("2023Q1", "total", ALL): ("135.0", "120.0"),
    ("2023Q1", FF, ALL): ("88.0", "88.0"),
    ("2023Q1", FF, PARTNER): ("35.2", "35.2"),
    ("2023Q1", FF, TP): ("52.8", "52.8"),
    ("2023Q1", CL, ALL): ("47.0", "32.0"),
    ("2023Q1", CL, PARTNER): ("6.0", "1.0"),
    ("2023Q1", CL, TP): ("41.0", "31.0"),
    ("2023Q2", "total", ALL): ("140.0", "124.0"),
    ("2023Q2", FF, ALL): ("92.0", "92.0"),
    ("2023Q2", FF, PARTNER): ("36.8", "36.8"),
    ("2023Q2", FF, TP): ("55.2", "55.2"),
    ("2023Q2", CL, ALL): ("48.0", "32.0"),
    ("2023Q2", CL, PARTNER): ("6.0", "1.0"),
    ("2023Q2", CL, TP): ("42.0", "31.0"),
    ("2023Q3", "total", ALL): ("145.0", "128.0"),
    ("2023Q3", FF, ALL): ("95.0", "95.0"),
    ("2023Q3", FF, PARTNER): ("38.0", "38.0"),
    ("2023Q3", FF, TP): ("57.0", "57.0"),
    ("2023Q3", CL, ALL): ("50.0", "33.0"),
    ("2023Q3", CL, PARTNER): ("6.5", "1.0"),
    ("2023Q3", CL, TP): ("43.5", "32.0"),
    ("2023Q4", "total", ALL): ("150.0", "132.0"),
    ("2023Q4", FF, ALL): ("98.0", "98.0"),
    ("2023Q4", FF, PARTNER): ("39.2", "39.2"),
    ("2023Q4", FF, TP): ("58.8", "58.8"),
    ("2023Q4", CL, ALL): ("52.0", "34.0"),
    ("2023Q4", CL, PARTNER): ("6.5", "1.5"),
    ("2023Q4", CL, TP): ("45.5", "32.5"),
    ("2023", "total", ALL): ("570.0", "504.0"),
}


def restatements(folder: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    frame = analytics.query("restatements", data_dir=folder, company=COMPANY)
    rows = frame.rows(named=True)
    keyed = {(r["period"], r["stream"], r["counterparty"]): r for r in rows}
    assert len(keyed) == len(rows), "one row per period and line"
    assert {r["company"] for r in rows} <= {COMPANY}
    return keyed


def test_restatements_lists_every_line_published_more_than_once(harbor):
    rows = restatements(harbor)
    quarterly = {key for key in rows if len(key[0]) == 6}
    assert quarterly == {key for key in RESTATED if len(key[0]) == 6}  # 32 rows
    assert len(quarterly) == 32
    assert ("2023", "total", ALL) in rows


def test_restatements_gives_first_latest_difference_and_percentage(harbor):
    rows = restatements(harbor)
    for key, (first, latest) in RESTATED.items():
        row = rows[key]
        assert row["first_amount"] == usd(first), (key, row["first_amount"])
        assert row["latest_amount"] == usd(latest), (key, row["latest_amount"])
        difference = Decimal(latest) - Decimal(first)
        assert row["difference"] == difference * MILLION, (key, row["difference"])
        assert close(row["difference_pct"], float(difference / Decimal(first))), (key, row["difference_pct"])


def test_restatements_name_bases_dates_and_sources(harbor):
    rows = restatements(harbor)
    q1 = rows[("2023Q1", "total", ALL)]  # three publications: 2023-05-09, 2024-03-20, 2024-05-07
    assert (q1["first_basis"], q1["first_reported_on"]) == (AR, date(2023, 5, 9))
    assert (q1["latest_basis"], q1["latest_reported_on"]) == (CO, date(2024, 5, 7))
    assert q1["difference"] == usd("-15.0")
    assert close(q1["difference_pct"], -1 / 9)  # -15.0 / 135.0
    assert "2023Q1 earnings release" in q1["first_source"]
    assert "2024Q1 earnings release" in q1["latest_source"]
    depots = rows[("2023Q1", CL, PARTNER)]
    assert (depots["first_basis"], depots["first_reported_on"]) == (AR, date(2023, 5, 9))
    assert (depots["latest_basis"], depots["latest_reported_on"]) == (CO, date(2024, 3, 20))
    assert "annual report 2023" in depots["latest_source"]
    corrected = rows[("2022Q3", FF, PARTNER)]
    assert (corrected["first_basis"], corrected["first_reported_on"]) == (AR, date(2022, 11, 8))
    assert (corrected["latest_basis"], corrected["latest_reported_on"]) == (AR, date(2023, 2, 21))
    assert corrected["difference"] == usd("1.6")
    assert close(corrected["difference_pct"], 1.6 / 32.4)
    year = rows[("2023", "total", ALL)]
    assert (year["first_basis"], year["latest_basis"]) == (AR, CO)
    assert year["difference"] == usd("-66.0")
    assert close(year["difference_pct"], -66 / 570)


def test_restatements_leave_out_lines_published_once_and_derived_leaves(harbor):
    rows = restatements(harbor)
    # Lines the correction did not repeat were published once.
    assert ("2022Q3", FF, TP) not in rows
    assert ("2022Q3", CL, ALL) not in rows
    assert ("2022Q1", FF, ALL) not in rows  # the 2023Q1 release reprinted 2022Q1's total only
    assert not any(key[0].startswith("2024") for key in rows)
    # FY2023's only leaf is its printed total, not a line read from a filing: the total's own
    # row says it once.
    assert [key for key in rows if key[0] == "2023"] == [("2023", "total", ALL)]


def test_restatements_as_of_and_on_one_basis(harbor):
    """As of 2024-03-01 the 2023 lines were published once: only the 2022 ones (the 2022Q1
    comparative and the three corrected 2022Q3 lines). On continuing operations alone, only
    2023Q1's total was published twice (2024-03-20, 2024-05-07, unchanged)."""
    known = analytics.query("restatements", data_dir=harbor, company=COMPANY, as_of="2024-03-01")
    assert [(r["period"], r["stream"], r["counterparty"]) for r in known.rows(named=True)] == [
        ("2022Q1", "total", ALL),
        ("2022Q3", FF, PARTNER),
        ("2022Q3", FF, ALL),
        ("2022Q3", "total", ALL),
    ]
    assert known["difference"].to_list() == [usd("0.0"), usd("1.6"), usd("1.6"), usd("1.6")]
    continuing = analytics.query("restatements", data_dir=harbor, company=COMPANY, basis=CO)
    assert [
        (
            r["period"],
            r["stream"],
            r["counterparty"],
            r["first_reported_on"],
            r["latest_reported_on"],
            r["difference"],
        )
        for r in continuing.rows(named=True)
    ] == [("2023Q1", "total", ALL, date(2024, 3, 20), date(2024, 5, 7), usd("0.0"))]


# --- the views: one basis per period vs every publication -------------------------------------


def test_revenue_holds_one_basis_per_period_and_vintages_every_row(harbor):
    where = f"company = '{COMPANY}' AND period = '2023Q1'"
    shown = sql_rows(
        harbor,
        f"SELECT sum(amount) AS s, count(*) AS n, "
        f"list(DISTINCT basis) AS b, list(DISTINCT reported_on) AS d "
        f"FROM revenue WHERE {where}",
    )[0]
    assert shown["s"] == usd("120.0")  # the continuing-operations total
    assert shown["n"] == 4
    assert shown["b"] == [CO]
    assert shown["d"] == [date(2024, 3, 20)]
    every = sql_rows(
        harbor,
        f"SELECT basis, reported_on, count(*) AS n, sum(amount) AS s "
        f"FROM revenue_vintages WHERE {where} "
        "GROUP BY ALL ORDER BY reported_on",
    )
    assert every == [
        {"basis": AR, "reported_on": date(2023, 5, 9), "n": 4, "s": usd("135.0")},
        {"basis": CO, "reported_on": date(2024, 3, 20), "n": 4, "s": usd("120.0")},
    ]


def test_revenue_takes_each_line_from_its_latest_publication(harbor):
    leaves = sql_rows(
        harbor,
        f"SELECT stream, counterparty, amount, basis, reported_on "
        f"FROM revenue WHERE company = '{COMPANY}' AND period = '2022Q3' "
        "ORDER BY stream, counterparty",
    )
    assert leaves == [
        {
            "stream": CL,
            "counterparty": PARTNER,
            "amount": usd("5.5"),
            "basis": AR,
            "reported_on": date(2022, 11, 8),
        },
        {
            "stream": CL,
            "counterparty": TP,
            "amount": usd("37.5"),
            "basis": AR,
            "reported_on": date(2022, 11, 8),
        },
        {
            "stream": FF,
            "counterparty": PARTNER,
            "amount": usd("34.0"),
            "basis": AR,
            "reported_on": date(2023, 2, 21),
        },
        {
            "stream": FF,
            "counterparty": TP,
            "amount": usd("53.6"),
            "basis": AR,
            "reported_on": date(2022, 11, 8),
        },
    ]
    every = sql_rows(
        harbor,
        f"SELECT count(*) AS n, sum(amount) AS s FROM revenue_vintages "
        f"WHERE company = '{COMPANY}' AND period = '2022Q3'",
    )[0]
    assert every == {"n": 5, "s": usd("163.0")}  # 129.0 + 34.0: never sum this view


def test_reported_totals_and_their_vintages(harbor):
    totals = sql_rows(
        harbor,
        f"SELECT period, stream, amount, basis, reported_on "
        f"FROM reported_totals WHERE company = '{COMPANY}' "
        "AND period IN ('2022Q1', '2023Q1') ORDER BY period, stream",
    )
    assert totals == [
        {
            "period": "2022Q1",
            "stream": CL,
            "amount": usd("40.0"),
            "basis": AR,
            "reported_on": date(2022, 5, 10),
        },
        {
            "period": "2022Q1",
            "stream": FF,
            "amount": usd("80.0"),
            "basis": AR,
            "reported_on": date(2022, 5, 10),
        },
        {
            "period": "2022Q1",
            "stream": "total",
            "amount": usd("120.0"),
            "basis": AR,
            "reported_on": date(2023, 5, 9),
        },
        {
            "period": "2023Q1",
            "stream": CL,
            "amount": usd("32.0"),
            "basis": CO,
            "reported_on": date(2024, 3, 20),
        },
        {
            "period": "2023Q1",
            "stream": FF,
            "amount": usd("88.0"),
            "basis": CO,
            "reported_on": date(2024, 3, 20),
        },
        {
            "period": "2023Q1",
            "stream": "total",
            "amount": usd("120.0"),
            "basis": CO,
            "reported_on": date(2024, 5, 7),
        },
    ]
    every = sql_rows(
        harbor,
        f"SELECT amount, basis, reported_on FROM reported_totals_vintages "
        f"WHERE company = '{COMPANY}' AND period = '2023Q1' "
        "AND stream = 'total' ORDER BY reported_on",
    )
    assert every == [
        {"amount": usd("135.0"), "basis": AR, "reported_on": date(2023, 5, 9)},
        {"amount": usd("120.0"), "basis": CO, "reported_on": date(2024, 3, 20)},
        {"amount": usd("120.0"), "basis": CO, "reported_on": date(2024, 5, 7)},
    ]


def test_disclosed_shares_and_their_vintages(harbor):
    shown = sql_rows(
        harbor, f"SELECT share_percent, basis, reported_on FROM disclosed_shares WHERE company = '{COMPANY}'"
    )
    assert shown == [{"share_percent": Decimal("30"), "basis": CO, "reported_on": date(2024, 3, 20)}]
    every = sql_rows(
        harbor,
        f"SELECT share_percent, basis FROM disclosed_shares_vintages "
        f"WHERE company = '{COMPANY}' ORDER BY reported_on",
    )
    assert every == [
        {"share_percent": Decimal("31"), "basis": AR},
        {"share_percent": Decimal("30"), "basis": CO},
    ]


def test_every_period_shows_one_basis_in_every_table(harbor):
    """Over the whole folder (Weibo too): one basis per company and period in `revenue`, and
    the same one in `reported_totals`."""
    mixed = sql_rows(
        harbor, "SELECT company, period FROM revenue GROUP BY ALL HAVING count(DISTINCT basis) > 1"
    )
    assert mixed == []
    disagree = sql_rows(
        harbor,
        """
        SELECT DISTINCT r.company, r.period, r.basis, t.basis AS total_basis
        FROM revenue r JOIN reported_totals t USING (company, period)
        WHERE r.basis <> t.basis""",
    )
    assert disagree == []


def test_cli_sql_sums_revenue_on_one_basis(harbor, cli):
    text = f"SELECT sum(amount) AS revenue FROM revenue WHERE company = '{COMPANY}' AND period = '2023Q1'"

    def revenue(*options: str) -> Decimal:
        result = cli("sql", text, *options, "--format", "csv", data=harbor)
        assert result.exit_code == 0, result.stderr
        return Decimal(next(csv.DictReader(io.StringIO(result.stdout)))["revenue"])

    assert revenue() == usd("120.0")  # continuing operations
    assert revenue("--basis", AR) == usd("135.0")
    assert revenue("--as-of", "2024-03-19") == usd("135.0")  # the day before the annual report


# --- ingest: the grain includes basis and reported_on -----------------------------------------

LINE = (
    f"{COMPANY},2024Q2,freight_forwarding,{PARTNER},38.0,USD,millions,"
    f"continuing operations,2024-08-06,Fictional reprint"
)


def write(path: Path, *lines: str) -> Path:
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_two_rows_of_one_file_with_the_same_full_grain_are_refused(writable_harbor, tmp_path):
    path = write(tmp_path / "twice.csv", LINE, LINE)
    before = stored_bytes(writable_harbor)
    with pytest.raises(InputError) as caught:
        analytics.ingest(path, data_dir=writable_harbor)
    assert caught.value.location.row == 3
    assert "row 3" in str(caught.value)
    assert "duplicate of row 2" in str(caught.value)
    assert stored_bytes(writable_harbor) == before


def test_an_empty_basis_is_as_reported_in_the_grain(writable_harbor, tmp_path):
    first = f"{COMPANY},2022Q1,freight_forwarding,{PARTNER},30.0,USD,millions,,2022-05-10,Fictional reprint"
    second = first.replace(",,2022-05-10,", ",as reported,2022-05-10,")
    path = write(tmp_path / "same_basis.csv", first, second)
    before = stored_bytes(writable_harbor)
    with pytest.raises(InputError, match="duplicate of row 2") as caught:
        analytics.ingest(path, data_dir=writable_harbor)
    assert caught.value.location.row == 3
    assert stored_bytes(writable_harbor) == before


def test_the_same_line_published_on_another_date_is_stored_beside_it(writable_harbor, tmp_path):
    later = LINE.replace(
        "2024-08-06,Fictional reprint", "2024-11-05,Harborline Logistics 2024Q3 earnings release (fictional)"
    )
    summary = analytics.ingest(write(tmp_path / "reprint.csv", later), data_dir=writable_harbor)
    assert (summary.inserted, summary.replaced) == (1, 0)
    where = (
        f"company = '{COMPANY}' AND period = '2024Q2' AND counterparty = '{PARTNER}' "
        f"AND stream = 'freight_forwarding'"
    )
    every = sql_rows(
        writable_harbor,
        f"SELECT amount, reported_on FROM revenue_vintages WHERE {where} ORDER BY reported_on",
    )
    assert every == [
        {"amount": usd("38.0"), "reported_on": date(2024, 8, 6)},
        {"amount": usd("38.0"), "reported_on": date(2024, 11, 5)},
    ]
    shown = sql_rows(writable_harbor, f"SELECT amount, reported_on FROM revenue WHERE {where}")
    assert shown == [{"amount": usd("38.0"), "reported_on": date(2024, 11, 5)}]
    assert analytics.check(writable_harbor).violations == []


def test_a_later_correction_ingested_apart_replaces_only_its_lines(writable_harbor, tmp_path):
    """A correction of 2024Q2 in a later file: Corvid's freight forwarding 38.0 -> 38.4 with
    its stream and total (100.4, 136.4); the lines not reprinted stay. Corvid 38.4 + 1.5 =
    39.9 of 136.4."""
    source = '"Harborline Logistics 2024Q3 earnings release, 2024-11-05 (fictional), as revised"'
    path = write(
        tmp_path / "revised.csv",
        f"{COMPANY},2024Q2,total,all,136.4,USD,millions,{CO},2024-11-05,{source}",
        f"{COMPANY},2024Q2,freight_forwarding,all,100.4,USD,millions,{CO},2024-11-05,{source}",
        f"{COMPANY},2024Q2,freight_forwarding,{PARTNER},38.4,USD,millions,{CO},2024-11-05,{source}",
    )
    analytics.ingest(path, data_dir=writable_harbor)
    assert analytics.check(writable_harbor).violations == []
    rows = dependence(writable_harbor)
    assert_share(rows["2024Q2"], CO, "39.9", "136.4")
    assert_ttm(rows["2024Q2"], "158.1", "528.4")  # 39.0 + 40.7 + 38.5 + 39.9; 128 + 132 + 132 + 136.4
    before = dependence(writable_harbor, as_of="2024-11-04")
    assert_share(before["2024Q2"], CO, "39.5", "136.0")
    assert dependence(writable_harbor, as_of="2099-12-31") == rows  # the default, kept at ingest


def test_a_deleted_quarter_comes_back_from_its_fiscal_year_on_its_basis(writable_harbor):
    """Deleting 2022Q3 (every publication of it): FY2022 (as reported, 2023-02-21) and the other
    three quarters stay, so 2022Q3's total is derived: 511.6 - (120.0 + 126.0 + 135.0) = 130.6,
    as reported. Before FY2022 was published (as of 2023-01-31) there is nothing to derive it
    from."""
    analytics.delete(COMPANY, period="2022Q3", data_dir=writable_harbor)
    query = (
        f"SELECT stream, amount, basis, derived, derivation FROM reported_totals "
        f"WHERE company = '{COMPANY}' AND period = '2022Q3'"
    )
    assert sql_rows(writable_harbor, query) == [
        {
            "stream": "total",
            "amount": usd("130.6"),
            "basis": AR,
            "derived": True,
            "derivation": "fiscal_year_remainder",
        }
    ]
    assert analytics.sql(query, data_dir=writable_harbor, as_of=date(2023, 1, 31)).height == 0
    read = sql_rows(
        writable_harbor,
        f"SELECT count(*) AS n FROM revenue_vintages WHERE company "
        f"= '{COMPANY}' AND period = '2022Q3' AND derivation IS NULL",
    )
    assert read == [{"n": 0}]
    rows = dependence(writable_harbor)
    assert rows["2022Q3"]["total_revenue"] == usd("130.6")
    assert rows["2022Q3"]["partner_revenue"] is None  # unknown, not zero
    assert dependence(writable_harbor, as_of="2099-12-31") == rows


def test_re_ingesting_the_fixture_changes_nothing(writable_harbor):
    def snapshot() -> dict[str, pl.DataFrame]:
        return {
            view: analytics.sql(
                f"SELECT * FROM {view} WHERE company = '{COMPANY}' ORDER BY ALL", data_dir=writable_harbor
            )
            for view in (
                "revenue_vintages",
                "reported_totals_vintages",
                "revenue",
                "reported_totals",
                "disclosed_shares_vintages",
            )
        }

    first = snapshot()
    summary = analytics.ingest(HARBOR / "revenue.csv", data_dir=writable_harbor)
    assert summary.rows_read == 106
    assert summary.inserted == 0
    assert summary.replaced == 106
    again = snapshot()
    for view, frame in first.items():
        assert again[view].equals(frame), view


def test_row_counts_of_the_views(harbor):
    """README "Views": leaves read 10 x 4 first publications + 4 x 4 continuing + 1 correction
    = 57 (shown: 10 x 4, plus the 2 years' printed-total leaves = 42); printed totals 10 x 3 +
    4 x 3 + 2 corrected + 2 comparatives + 3 years = 49 (shown: 10 x 3 + 2 = 32)."""
    counts = sql_rows(
        harbor,
        f"""
        SELECT (SELECT count(*) FROM revenue_vintages WHERE company = '{COMPANY}'
                AND NOT derived AND derivation IS NULL) AS read_leaves,
               (SELECT count(*) FROM revenue WHERE company = '{COMPANY}') AS revenue,
               (SELECT count(*) FROM reported_totals_vintages
                WHERE company = '{COMPANY}') AS reported_totals_vintages,
               (SELECT count(*) FROM reported_totals WHERE company = '{COMPANY}')
                   AS reported_totals""",
    )[0]
    assert counts == {"read_leaves": 57, "revenue": 42, "reported_totals_vintages": 49, "reported_totals": 32}


def test_a_years_printed_total_leaf_carries_its_fiscal_years_publication_dates(harbor):
    """A remainder (here the unsplit FY total as a leaf) is derived per basis, fiscal year and
    publication date: again whenever something of its fiscal year on its basis is published,
    never when another year's figures are. FY2022 (as reported) is published 2023-02-21 and its
    2022Q1 total reprinted 2023-05-09: two leaves. FY2023 as reported: 2024-02-13 only (no
    later as-reported figure of 2023). FY2023 on continuing operations: 2024-03-20, and
    2024-05-07 (the 2023Q1 comparative reprinted): two. The 2024 releases on their own year
    (2024-08-06) do not restamp 2023's leaves."""
    leaves = sql_rows(
        harbor,
        f"SELECT period, basis, reported_on, amount FROM revenue_vintages "
        f"WHERE company = '{COMPANY}' AND period_kind = 'year' "
        "ORDER BY period, basis, reported_on",
    )
    assert leaves == [
        {"period": "2022", "basis": AR, "reported_on": date(2023, 2, 21), "amount": usd("511.6")},
        {"period": "2022", "basis": AR, "reported_on": date(2023, 5, 9), "amount": usd("511.6")},
        {"period": "2023", "basis": AR, "reported_on": date(2024, 2, 13), "amount": usd("570.0")},
        {"period": "2023", "basis": CO, "reported_on": date(2024, 3, 20), "amount": usd("504.0")},
        {"period": "2023", "basis": CO, "reported_on": date(2024, 5, 7), "amount": usd("504.0")},
    ]
    shown = sql_rows(
        harbor,
        f"SELECT period, reported_on FROM revenue WHERE company = "
        f"'{COMPANY}' AND period_kind = 'year' ORDER BY period",
    )
    assert shown == [
        {"period": "2022", "reported_on": date(2023, 5, 9)},
        {"period": "2023", "reported_on": date(2024, 5, 7)},
    ]


def test_quarters_are_checked_against_the_fiscal_year_of_their_own_basis(writable_harbor, tmp_path):
    """FY2023 on continuing operations reprinted as 505.0 (a typo: its quarters on that basis
    sum to 120.0 + 124.0 + 128.0 + 132.0 = 504.0) is refused; reprinted as 504.0 it is fine.
    The as-reported quarters (570.0) never enter the check."""
    source = "Fictional reprint"
    typo = write(
        tmp_path / "typo.csv", f"{COMPANY},2023,total,all,505.0,USD,millions,{CO},2024-04-01,{source}"
    )
    before = stored_bytes(writable_harbor)
    with pytest.raises(ValidationError, match="504"):
        analytics.ingest(typo, data_dir=writable_harbor)
    assert stored_bytes(writable_harbor) == before
    same = write(
        tmp_path / "same.csv", f"{COMPANY},2023,total,all,504.0,USD,millions,{CO},2024-04-01,{source}"
    )
    analytics.ingest(same, data_dir=writable_harbor)
    assert analytics.check(writable_harbor).violations == []


PIER = "Pier Nine Terminals"


def test_unknown_publication_dates_are_the_oldest_and_remainders_follow_each_snapshot(data_dir, tmp_path):
    """Pier Nine Terminals (fictional, README "Pier Nine"): 2020Q1 transcribed without dates:
    total 100.0, stevedoring 60.0 of which third parties 50.0 (rest 10.0 unattributed),
    storage 40.0 unsplit. A release of 2020-08-01 corrects third parties' stevedoring to 55.0
    alone: the rest becomes 60.0 - 55.0 = 5.0."""
    undated = '"Pier Nine Terminals 2020 annual report (fictional), date not transcribed"'
    dated = '"Pier Nine Terminals 2020Q2 release, 2020-08-01 (fictional)"'
    path = write(
        tmp_path / "pier.csv",
        f"{PIER},2020Q1,total,all,100.0,USD,millions,,,{undated}",
        f"{PIER},2020Q1,stevedoring,all,60.0,USD,millions,,,{undated}",
        f"{PIER},2020Q1,stevedoring,third_parties,50.0,USD,millions,,,{undated}",
        f"{PIER},2020Q1,storage,all,40.0,USD,millions,,,{undated}",
        f"{PIER},2020Q1,stevedoring,third_parties,55.0,USD,millions,,2020-08-01,{dated}",
        # 2020Q2 has no total: its basis is that of its most recent figure.
        f"{PIER},2020Q2,storage,third_parties,30.0,USD,millions,,2020-08-01,{dated}",
        f"{PIER},2020Q2,storage,third_parties,28.0,USD,millions,IFRS 16,2021-03-02,{dated}",
    )
    analytics.ingest(path, data_dir=data_dir)
    assert [v for v in analytics.check(data_dir).violations if PIER in v] == []

    def mix(**params: Any) -> list[tuple[str, str, Decimal]]:
        frame = analytics.query("revenue_mix", data_dir=data_dir, company=PIER, **params)
        return [(r["stream"], r["counterparty_class"], r["amount"]) for r in frame.rows(named=True)]

    assert mix(to_period="2020Q1") == [
        ("stevedoring", "mixed", usd("5.0")),
        ("stevedoring", "third_party", usd("55.0")),
        ("storage", "mixed", usd("40.0")),
    ]
    second = analytics.query("revenue_mix", data_dir=data_dir, company=PIER, from_period="2020Q2").rows(
        named=True
    )
    assert [(r["basis"], r["amount"]) for r in second] == [("IFRS 16", usd("28.0"))]
    second = analytics.query(
        "revenue_mix", data_dir=data_dir, company=PIER, from_period="2020Q2", as_of="2021-03-01"
    ).rows(named=True)
    assert [(r["basis"], r["amount"]) for r in second] == [(AR, usd("30.0"))]
    before_correction = [
        ("stevedoring", "mixed", usd("10.0")),
        ("stevedoring", "third_party", usd("50.0")),
        ("storage", "mixed", usd("40.0")),
    ]
    assert mix(as_of="2020-07-31", to_period="2020Q1") == before_correction
    assert mix(as_of="1999-12-31") == before_correction  # unknown dates always count
    remainders = sql_rows(
        data_dir,
        f"SELECT amount, reported_on FROM revenue_vintages "
        f"WHERE company = '{PIER}' AND stream = 'stevedoring' "
        "AND derivation = 'stream_remainder' ORDER BY amount",
    )
    assert [r["amount"] for r in remainders] == [usd("5.0"), usd("10.0")]
    assert remainders[0]["reported_on"] == date(2020, 8, 1)
    restated = analytics.query("restatements", data_dir=data_dir, company=PIER).rows(named=True)
    assert [(r["period"], r["stream"], r["counterparty"]) for r in restated] == [
        ("2020Q1", "stevedoring", "third_parties"),  # read figures only: not the remainder
        ("2020Q2", "storage", "third_parties"),
    ]
    other = restated[1]  # 30.0 as reported (2020-08-01), 28.0 on IFRS 16 (2021-03-02)
    assert (other["first_basis"], other["latest_basis"]) == (AR, "IFRS 16")
    assert other["difference"] == usd("-2.0")
    assert close(other["difference_pct"], -2 / 30)
    line = restated[0]
    assert line["difference"] == usd("5.0")
    assert close(line["difference_pct"], 0.1)  # 5.0 / 50.0
    assert (line["latest_reported_on"], line["latest_amount"]) == (date(2020, 8, 1), usd("55.0"))
    assert line["first_source"] == "Pier Nine Terminals 2020 annual report (fictional), date not transcribed"
    assert (line["first_reported_on"], line["first_amount"]) == (None, usd("50.0"))  # unknown


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_query_run_with_basis_prints_the_basis(harbor, cli):
    result = cli(
        "query",
        "run",
        "partner_dependence",
        "--param",
        f"company={COMPANY}",
        "--param",
        f"partner={PARTNER}",
        "--param",
        f"basis={AR}",
        "--param",
        "from_period=2023Q1",
        "--param",
        "to_period=2023Q4",
        "--format",
        "csv",
        data=harbor,
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["period"] for r in rows] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert {r["basis"] for r in rows} == {AR}
    assert Decimal(rows[0]["partner_revenue"]) == usd("41.2")
    assert Decimal(rows[0]["total_revenue"]) == usd("135.0")


def test_cli_end_to_end_in_a_subprocess(harbor):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "--data-dir",
            str(harbor),
            "query",
            "run",
            "partner_dependence",
            "--param",
            f"company={COMPANY}",
            "--param",
            f"partner={PARTNER}",
            "--param",
            f"basis={CO}",
            "--param",
            "as_of=2024-12-31",
            "--param",
            "from_period=2024Q1",
            "--format",
            "csv",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["period"], r["basis"], Decimal(r["total_revenue"])) for r in rows] == [
        ("2024Q1", CO, usd("132.0")),
        ("2024Q2", CO, usd("136.0")),
    ]


def test_what_a_period_shows_is_chosen_again_when_a_publication_goes(data_dir, tmp_path):
    """Quay One's 2021Q1 is published on 2021-05-01 (100.0) and corrected on 2021-08-01
    (110.0): the correction shows. Replaced by the first publication alone (`--replace`), the
    year has one publication again and those rows are what it shows (100.0): what a period
    shows is chosen afresh, never left from before."""
    quay = "Quay One"
    first = [
        f"{quay},2021Q1,total,all,100.0,USD,millions,,2021-05-01,Q1 release",
        f"{quay},2021Q1,ads,third_parties,100.0,USD,millions,,2021-05-01,Q1 release",
    ]
    fixed = [
        f"{quay},2021Q1,total,all,110.0,USD,millions,,2021-08-01,Q2 release",
        f"{quay},2021Q1,ads,third_parties,110.0,USD,millions,,2021-08-01,Q2 release",
    ]

    def shown() -> list[dict[str, Any]]:
        return sql_rows(
            data_dir,
            f"SELECT sum(amount) AS amount, max(reported_on) AS reported_on "
            f"FROM revenue WHERE company = '{quay}'",
        )

    analytics.ingest(write(tmp_path / "both.csv", *first, *fixed), data_dir=data_dir)
    assert shown() == [{"amount": usd("110.0"), "reported_on": date(2021, 8, 1)}]
    analytics.ingest(write(tmp_path / "first.csv", *first), data_dir=data_dir, replace=True)
    assert shown() == [{"amount": usd("100.0"), "reported_on": date(2021, 5, 1)}]
    assert analytics.check(data_dir).violations == []
