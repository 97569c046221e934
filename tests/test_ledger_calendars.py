"""Ledger rollups in a company's fiscal calendar: quarters, halves and years of a company whose
year ends in March, with transactions on the days periods turn over and totals summed by hand.

Maple Co declares `fiscal_year_end` 03-31, so FY2024 runs from 2023-04-01 to 2024-03-31, 2024H1 is
April to September 2023 and 2024Q1 April to June 2023. Big Partner is known; every other payer is
pooled as `third_parties`.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics.ledger import rollup
from analytics.ledger.definition import PERIOD_KINDS
from analytics.periods import CALENDAR_YEAR_END, MONTHS, period_of
from tests.test_ledger import AD, TINY, VAS, add_counterparties, write_ledger

MAPLE = "Maple Co"
D = Decimal
#: Ten transactions from FY2023Q4 to FY2024Q4, four of them on 2023-03-31 / 04-01 and
#: 2023-09-30 / 10-01, where quarters, halves and (on 03-31 / 04-01) years turn over.
MAPLE_LEDGER = [
    (1, "2023-01-01 00:00:00", MAPLE, AD, "Big Partner", "10.00", "USD"),
    (2, "2023-03-31 23:59:59", MAPLE, AD, "small_a", "1.25", "USD"),
    (3, "2023-04-01 00:00:00", MAPLE, AD, "Big Partner", "100.00", "USD"),
    (4, "2023-06-30 12:00:00", MAPLE, VAS, "member_1", "2.50", "USD"),
    (5, "2023-07-01 08:00:00", MAPLE, AD, "small_b", "20.00", "USD"),
    (6, "2023-09-30 23:59:59", MAPLE, AD, "Big Partner", "30.00", "USD"),
    (7, "2023-10-01 00:00:00", MAPLE, AD, "Big Partner", "40.00", "USD"),
    (8, "2023-12-31 18:00:00", MAPLE, VAS, "member_2", "5.00", "USD"),
    (9, "2024-01-01 00:00:00", MAPLE, AD, "small_a", "7.00", "USD"),
    (10, "2024-03-31 23:59:59", MAPLE, AD, "Big Partner", "3.00", "USD"),
]
PARTNER, POOL = "Big Partner", "third_parties"
#: By hand, per fiscal period: (period, stream, counterparty) -> amount; `all` is the printed
#: total of a stream, ("total", "all") the period's total revenue.
EXPECTED = {
    "quarter": {
        ("2023Q4", AD, PARTNER): D("10.00"),
        ("2023Q4", AD, POOL): D("1.25"),
        ("2023Q4", AD, "all"): D("11.25"),
        ("2023Q4", "total", "all"): D("11.25"),
        ("2024Q1", AD, PARTNER): D("100.00"),
        ("2024Q1", VAS, POOL): D("2.50"),
        ("2024Q1", AD, "all"): D("100.00"),
        ("2024Q1", VAS, "all"): D("2.50"),
        ("2024Q1", "total", "all"): D("102.50"),
        ("2024Q2", AD, PARTNER): D("30.00"),
        ("2024Q2", AD, POOL): D("20.00"),
        ("2024Q2", AD, "all"): D("50.00"),
        ("2024Q2", "total", "all"): D("50.00"),
        ("2024Q3", AD, PARTNER): D("40.00"),
        ("2024Q3", VAS, POOL): D("5.00"),
        ("2024Q3", AD, "all"): D("40.00"),
        ("2024Q3", VAS, "all"): D("5.00"),
        ("2024Q3", "total", "all"): D("45.00"),
        ("2024Q4", AD, PARTNER): D("3.00"),
        ("2024Q4", AD, POOL): D("7.00"),
        ("2024Q4", AD, "all"): D("10.00"),
        ("2024Q4", "total", "all"): D("10.00"),
    },
    "half": {
        ("2023H2", AD, PARTNER): D("10.00"),
        ("2023H2", AD, POOL): D("1.25"),
        ("2023H2", AD, "all"): D("11.25"),
        ("2023H2", "total", "all"): D("11.25"),
        ("2024H1", AD, PARTNER): D("130.00"),
        ("2024H1", AD, POOL): D("20.00"),
        ("2024H1", VAS, POOL): D("2.50"),
        ("2024H1", AD, "all"): D("150.00"),
        ("2024H1", VAS, "all"): D("2.50"),
        ("2024H1", "total", "all"): D("152.50"),
        ("2024H2", AD, PARTNER): D("43.00"),
        ("2024H2", AD, POOL): D("7.00"),
        ("2024H2", VAS, POOL): D("5.00"),
        ("2024H2", AD, "all"): D("50.00"),
        ("2024H2", VAS, "all"): D("5.00"),
        ("2024H2", "total", "all"): D("55.00"),
    },
    "year": {
        ("2023", AD, PARTNER): D("10.00"),
        ("2023", AD, POOL): D("1.25"),
        ("2023", AD, "all"): D("11.25"),
        ("2023", "total", "all"): D("11.25"),
        ("2024", AD, PARTNER): D("173.00"),
        ("2024", AD, POOL): D("27.00"),
        ("2024", VAS, POOL): D("7.50"),
        ("2024", AD, "all"): D("200.00"),
        ("2024", VAS, "all"): D("7.50"),
        ("2024", "total", "all"): D("207.50"),
    },
}
#: The periods' dates in Maple's calendar, written out by hand.
DATES = {
    "2023Q4": ("2023-01-01", "2023-03-31"),
    "2024Q1": ("2023-04-01", "2023-06-30"),
    "2024Q2": ("2023-07-01", "2023-09-30"),
    "2024Q3": ("2023-10-01", "2023-12-31"),
    "2024Q4": ("2024-01-01", "2024-03-31"),
    "2023H2": ("2022-10-01", "2023-03-31"),
    "2024H1": ("2023-04-01", "2023-09-30"),
    "2024H2": ("2023-10-01", "2024-03-31"),
    "2023": ("2022-04-01", "2023-03-31"),
    "2024": ("2023-04-01", "2024-03-31"),
}


def declare_company(data_dir: Path, tmp_path: Path, fiscal_year_end: str = "03-31") -> None:
    """Ingest Maple's companies row: USD, its fiscal year ending on `fiscal_year_end`."""
    listing = tmp_path / "companies.csv"
    with listing.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["company", "display_name", "currency", "fiscal_year_end", "source"])
        writer.writerow([MAPLE, "Maple Company", "USD", fiscal_year_end, "test fixture"])
    analytics.ingest(listing, "companies", data_dir)


@pytest.fixture
def maple(tmp_path: Path, data_dir: Path) -> Path:
    """Maple declared with a March year end, Big Partner listed, and its ledger."""
    declare_company(data_dir, tmp_path)
    add_counterparties(data_dir, tmp_path, MAPLE, PARTNER)
    return write_ledger(tmp_path / "maple.parquet", MAPLE_LEDGER)


def rolled_up(data_dir: Path, kind: str, company: str = MAPLE) -> dict[tuple[str, str, str], Decimal]:
    """The ledger's facts of one period kind, as stored (leaves and printed totals)."""
    mine = f"company = '{company}' AND period_kind = '{kind}' AND starts_with(source, 'ledger ')"
    frame = analytics.sql(
        f"SELECT period, stream, counterparty, amount FROM revenue WHERE {mine} "
        f"UNION ALL SELECT period, stream, 'all', amount FROM reported_totals WHERE {mine}",
        data_dir=data_dir,
    )
    return {(p, s, c): a for p, s, c, a in frame.rows()}


@pytest.mark.parametrize("kind", ["quarter", "half", "year"])
def test_a_march_year_end_company_rolls_up_into_its_fiscal_periods(kind, maple, data_dir):
    summary = rollup(maple, MAPLE, kind, data_dir=data_dir)
    assert rolled_up(data_dir, kind) == EXPECTED[kind]
    assert summary.periods == tuple(dict.fromkeys(p for p, _, _ in EXPECTED[kind]))
    assert (summary.year_end_month, summary.transactions) == (3, 10)
    assert analytics.validate(data_dir) == []


def test_quarters_halves_and_years_of_one_ledger_are_stored_together_and_validate(maple, data_dir):
    for kind in ("quarter", "half", "year"):
        rollup(maple, MAPLE, kind, data_dir=data_dir)
    for kind in ("quarter", "half", "year"):
        assert rolled_up(data_dir, kind) == EXPECTED[kind]
    derived = analytics.sql(
        f"SELECT count(*) AS n FROM reported_totals WHERE company = '{MAPLE}' AND derived", data_dir=data_dir
    )["n"][0]
    assert derived == 0  # no remainder made up for the halves and quarters the ledger lacks
    assert analytics.validate(data_dir) == []


@pytest.mark.parametrize("kind", ["quarter", "half", "year"])
def test_rolled_up_periods_are_dated_in_the_companys_calendar(kind, maple, data_dir):
    rollup(maple, MAPLE, kind, data_dir=data_dir)
    mine = f"company = '{MAPLE}' AND period_kind = '{kind}'"
    dated = analytics.sql(
        f"SELECT DISTINCT period, period_start, period_end FROM revenue WHERE {mine} UNION "
        f"SELECT DISTINCT period, period_start, period_end FROM reported_totals WHERE {mine}",
        data_dir=data_dir,
    ).rows()
    assert {p: (str(s), str(e)) for p, s, e in dated} == {p: DATES[p] for p, _, _ in EXPECTED[kind]}


@pytest.mark.parametrize(("kind", "partial"), [("quarter", ()), ("half", ("2023H2",)), ("year", ("2023",))])
def test_only_a_fiscal_period_the_ledger_covers_partly_is_marked(kind, partial, maple, data_dir):
    summary = rollup(maple, MAPLE, kind, data_dir=data_dir)
    notes = analytics.sql(
        f"SELECT DISTINCT period, note FROM reported_totals WHERE company = "
        f"'{MAPLE}' AND period_kind = '{kind}' AND note IS NOT NULL",
        data_dir=data_dir,
    ).rows()
    assert summary.partial_periods == partial
    assert notes == [(p, "partial period: ledger covers 2023-01-01 to 2024-03-31") for p in partial]


def test_since_in_the_middle_of_a_fiscal_half_recomputes_that_whole_half(maple, tmp_path, data_dir):
    rollup(maple, MAPLE, "half", data_dir=data_dir)
    corrected = [row for row in MAPLE_LEDGER if row[0] != 1]  # gone, but before --since
    corrected[1] = (3, "2023-04-01 00:00:00", MAPLE, AD, PARTNER, "110.00", "USD")
    ledger = write_ledger(tmp_path / "corrected.parquet", corrected)
    summary = rollup(ledger, MAPLE, "half", since="2023-08-15", data_dir=data_dir)
    after = rolled_up(data_dir, "half")
    assert (summary.periods, summary.partial_periods, summary.transactions) == (
        ("2024H1", "2024H2"),
        (),
        8,
    )  # from 2023-04-01, the first day of 2024H1
    assert after[("2024H1", "total", "all")] == D("162.50")
    assert after[("2024H1", AD, PARTNER)] == D("140.00")
    assert {k: v for k, v in after.items() if k[0] == "2023H2"} == {
        k: v for k, v in EXPECTED["half"].items() if k[0] == "2023H2"
    }


def test_a_company_with_no_declared_calendar_rolls_up_calendar_halves(tmp_path, data_dir):
    add_counterparties(data_dir, tmp_path, TINY, PARTNER)
    rows = [
        (1, "2019-06-30 23:59:59", TINY, AD, PARTNER, "5.00", "USD"),
        (2, "2019-07-01 00:00:00", TINY, AD, PARTNER, "6.00", "USD"),
    ]
    summary = rollup(write_ledger(tmp_path / "tiny.parquet", rows), TINY, "half", data_dir=data_dir)
    dated = analytics.sql(
        f"SELECT period, period_start, period_end, amount FROM reported_totals "
        f"WHERE company = '{TINY}' AND stream = 'total' ORDER BY period",
        data_dir=data_dir,
    ).rows()
    assert summary.year_end_month == CALENDAR_YEAR_END
    assert dated == [
        ("2019H1", date(2019, 1, 1), date(2019, 6, 30), D("5.00")),
        ("2019H2", date(2019, 7, 1), date(2019, 12, 31), D("6.00")),
    ]


def test_after_a_half_year_rollup_the_partner_query_runs_on_halves(maple, cli, data_dir):
    rolled = cli("ledger", "rollup", str(maple), "--company", MAPLE, "--period-kind", "half")
    assert rolled.exit_code == 0, rolled.stderr
    assert "into 3 halves of fiscal years ending in March (2023H2 to 2024H2" in rolled.stderr
    query = cli(
        "query",
        "run",
        "partner_dependence",
        "--param",
        f"company={MAPLE}",
        "--param",
        f"partner={PARTNER}",
        "--param",
        "period_kind=half",
        "--format",
        "csv",
    )
    assert query.exit_code == 0, query.stderr
    rows = list(csv.DictReader(query.stdout.splitlines()))
    assert [(r["period"], r["period_start"], r["period_end"]) for r in rows] == [
        (p, *DATES[p]) for p in ("2023H2", "2024H1", "2024H2")
    ]
    assert [D(r["partner_revenue"]) for r in rows] == [D("10.00"), D("130.00"), D("43.00")]


@pytest.mark.parametrize("kind", sorted(MONTHS))
def test_the_rollups_period_rule_is_the_periods_modules_in_every_calendar(kind):
    """The SQL both engines run starts every day's period where periods.period_of says."""
    from analytics.ledger.definition import month_start_sql

    days = [date(2019, 1, 1) + timedelta(days=n) for n in range(0, 800, 3)]
    with duckdb.connect() as con:
        for year_end_month in range(1, 13):
            periods = PERIOD_KINDS[kind].in_calendar(year_end_month)
            found = con.execute(
                f"SELECT d, {month_start_sql(periods.start_month_sql('d'))} "
                "FROM unnest($days::DATE[]) AS t(d) ORDER BY d",
                {"days": days},
            ).fetchall()
            assert found == [
                (day, period_of(day, kind, year_end_month).start(year_end_month)) for day in days
            ], (kind, year_end_month)
