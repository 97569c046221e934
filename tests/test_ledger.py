"""Ledger rollups on DuckDB: real Parquet ledgers in tmp_path, facts read back through SQL."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics.errors import InputError
from analytics.ledger import demo, rollup
from tests.hostile.conftest import assert_refused, fingerprint

TINY = "Tiny Co"
COLUMNS = {
    "txn_id": "BIGINT",
    "booked_at": "TIMESTAMP",
    "company": "VARCHAR",
    "stream": "VARCHAR",
    "counterparty": "VARCHAR",
    "amount": "DECIMAL(18,2)",
    "currency": "VARCHAR",
}
AD, VAS, SHOP = "advertising", "value_added_services", "partner_ecommerce_share"
#: 12 transactions over 2019Q1-Q2; Big Partner is known, every other payer is pooled.
TWELVE = [
    (1, "2019-01-01 09:00:00", TINY, AD, "Big Partner", "100.10", "USD"),
    (2, "2019-01-15 10:00:00", TINY, AD, "small_a", "20.05", "USD"),
    (3, "2019-02-10 11:00:00", TINY, AD, "small_b", "30.00", "USD"),
    (4, "2019-03-31 23:59:59", TINY, AD, "Big Partner", "0.90", "USD"),
    (5, "2019-02-01 00:00:00", TINY, VAS, "member_1", "9.99", "USD"),
    (6, "2019-03-05 12:00:00", TINY, VAS, "member_2", "0.01", "USD"),
    (7, "2019-04-01 00:00:00", TINY, AD, "small_a", "50.50", "USD"),
    (8, "2019-05-20 08:00:00", TINY, AD, "Big Partner", "200.00", "USD"),
    (9, "2019-06-30 18:00:00", TINY, SHOP, "Big Partner", "12.34", "USD"),
    (10, "2019-04-02 07:00:00", TINY, VAS, "member_1", "5.55", "USD"),
    (11, "2019-06-15 13:00:00", TINY, AD, "small_c", "44.45", "USD"),
    (12, "2019-06-30 23:59:59", TINY, VAS, "member_3", "1.11", "USD"),
]
D = Decimal


def write_ledger(path: Path, rows: list[tuple], types: dict[str, str | None] | None = None) -> Path:
    """A Parquet ledger of rows in COLUMNS order, with these types (None drops a column)."""
    chosen = {**COLUMNS, **(types or {})}
    kept = [i for i, sql_type in enumerate(chosen.values()) if sql_type is not None]
    columns = [f"{c} {t}" for c, t in chosen.items() if t is not None]
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE t ({', '.join(columns)})")
        con.executemany(
            f"INSERT INTO t VALUES ({', '.join('?' * len(kept))})",
            [tuple(row[i] for i in kept) for row in rows],
        )
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    return path


def add_counterparties(data_dir: Path, tmp_path: Path, company: str, *names: str) -> None:
    list_counterparties(
        data_dir, tmp_path, company, *((name, "strategic_partner", name, False) for name in names)
    )


def list_counterparties(
    data_dir: Path, tmp_path: Path, company: str, *rows: tuple[str, str, str, bool]
) -> None:
    """Ingest counterparties as (name, class, group, is_pool)."""
    listing = tmp_path / f"counterparties_{len(list(tmp_path.glob('counterparties_*')))}.csv"
    with listing.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["company", "counterparty", "counterparty_class", "counterparty_group", "is_pool"])
        writer.writerows([company, *row] for row in rows)
    analytics.ingest(listing, "counterparties", data_dir)


def facts(data_dir: Path, company: str = TINY) -> dict[tuple[str, str, str], Decimal]:
    """Leaves and printed totals (counterparty `all`) by (period, stream, counterparty)."""
    frame = analytics.sql(
        f"SELECT period, stream, counterparty, amount FROM revenue WHERE company = '{company}' "
        f"UNION ALL SELECT period, stream, 'all', amount FROM reported_totals "
        f"WHERE company = '{company}'",
        data_dir=data_dir,
    )
    return {(p, s, c): a for p, s, c, a in frame.rows()}


@pytest.fixture
def tiny(tmp_path: Path, data_dir: Path) -> Path:
    add_counterparties(data_dir, tmp_path, TINY, "Big Partner")
    return write_ledger(tmp_path / "tiny.parquet", TWELVE)


def test_twelve_transactions_give_the_hand_computed_leaves_and_totals(tiny, data_dir):
    summary = rollup(tiny, TINY, data_dir=data_dir)
    assert facts(data_dir) == {
        ("2019Q1", AD, "Big Partner"): D("101.00"),
        ("2019Q1", AD, "third_parties"): D("50.05"),
        ("2019Q1", VAS, "third_parties"): D("10.00"),
        ("2019Q1", AD, "all"): D("151.05"),
        ("2019Q1", VAS, "all"): D("10.00"),
        ("2019Q1", "total", "all"): D("161.05"),
        ("2019Q2", AD, "Big Partner"): D("200.00"),
        ("2019Q2", AD, "third_parties"): D("94.95"),
        ("2019Q2", VAS, "third_parties"): D("6.66"),
        ("2019Q2", SHOP, "Big Partner"): D("12.34"),
        ("2019Q2", AD, "all"): D("294.95"),
        ("2019Q2", VAS, "all"): D("6.66"),
        ("2019Q2", SHOP, "all"): D("12.34"),
        ("2019Q2", "total", "all"): D("313.95"),
    }
    assert (summary.periods, summary.partial_periods, summary.transactions) == (("2019Q1", "2019Q2"), (), 12)
    assert analytics.validate(data_dir) == []


def test_the_source_names_the_ledger_its_transactions_and_dates(tiny, data_dir):
    rollup(tiny, TINY, data_dir=data_dir)
    sources = analytics.sql(
        f"SELECT DISTINCT source, derived, precision FROM revenue WHERE company = '{TINY}'", data_dir=data_dir
    ).rows()
    assert sources == [(f"ledger {tiny}, 12 transactions, booked 2019-01-01 to 2019-06-30", False, D("0.00"))]


def test_a_year_the_ledger_covers_only_partly_is_marked_in_its_note(tiny, data_dir):
    summary = rollup(tiny, TINY, "year", data_dir=data_dir)
    assert facts(data_dir)[("2019", "total", "all")] == D("475.00")
    notes = analytics.sql(
        f"SELECT DISTINCT period, note FROM revenue WHERE company = '{TINY}'", data_dir=data_dir
    ).rows()
    assert notes == [("2019", "partial period: ledger covers 2019-01-01 to 2019-06-30")]
    assert summary.partial_periods == ("2019",)


def test_a_ledger_starting_mid_quarter_marks_only_that_quarter(tmp_path, data_dir):
    ledger = write_ledger(tmp_path / "late.parquet", [r for r in TWELVE if r[1] >= "2019-02-03"])
    rollup(ledger, TINY, data_dir=data_dir)
    notes = dict(
        analytics.sql(
            f"SELECT DISTINCT period, note FROM reported_totals WHERE company = '{TINY}'", data_dir=data_dir
        ).rows()
    )
    assert notes == {"2019Q1": "partial period: ledger covers 2019-02-10 to 2019-06-30", "2019Q2": None}


def test_a_rerun_replaces_every_fact_and_changes_nothing(tiny, data_dir):
    first = rollup(tiny, TINY, data_dir=data_dir)
    before = facts(data_dir)
    again = rollup(tiny, TINY, data_dir=data_dir)
    assert facts(data_dir) == before
    assert (again.inserted, again.replaced) == (0, first.facts)


def test_a_stream_gone_from_a_corrected_ledger_is_written_as_zero(tiny, tmp_path, data_dir):
    rollup(tiny, TINY, data_dir=data_dir)
    corrected = write_ledger(tmp_path / "fixed.parquet", [r for r in TWELVE if r[3] != SHOP])
    rollup(corrected, TINY, data_dir=data_dir)
    after = facts(data_dir)
    assert after[("2019Q2", SHOP, "Big Partner")] == after[("2019Q2", SHOP, "all")] == D("0.00")
    assert after[("2019Q2", "total", "all")] == D("301.61")
    assert analytics.validate(data_dir) == []


def test_payers_the_counterparties_table_does_not_name_are_pooled(tmp_path, data_dir):
    hostile = [
        (1, "2019-01-05 00:00:00", TINY, AD, "\x1b]0;pwned\x07", "5.00", "USD"),
        (2, "2019-01-06 00:00:00", TINY, AD, "x" * 500, "7.00", "USD"),
    ]
    rollup(write_ledger(tmp_path / "pooled.parquet", hostile), TINY, data_dir=data_dir)
    assert facts(data_dir)[("2019Q1", AD, "third_parties")] == D("12.00")


#: The counterparties table pools by group: a listed payer whose counterparty_group is a pool
#: (a counterparty with is_pool: the built-ins or the company's own) is written as that pool.
POOLED_BY_CLASS = (
    ("Big Partner", "strategic_partner", "Big Partner", False),
    ("small_a", "related_party", "related_parties", False),
    ("member_1", "third_party", "third_parties", False),
    ("agencies", "mixed", "agencies", True),
    ("small_b", "third_party", "agencies", False),
)
#: TWELVE, plus payers named as pools themselves: they keep the pool's name.
FOURTEEN = [
    *TWELVE,
    (13, "2019-05-01 00:00:00", TINY, AD, "agencies", "5.00", "USD"),
    (14, "2019-06-01 00:00:00", TINY, VAS, "related_parties", "0.50", "USD"),
]


def test_payers_grouped_into_a_pool_give_the_hand_computed_pooled_facts(tmp_path, data_dir):
    list_counterparties(data_dir, tmp_path, TINY, *POOLED_BY_CLASS)
    ledger = write_ledger(tmp_path / "fourteen.parquet", FOURTEEN)
    summary = rollup(ledger, TINY, data_dir=data_dir)
    assert facts(data_dir) == {
        ("2019Q1", AD, "Big Partner"): D("101.00"),
        ("2019Q1", AD, "related_parties"): D("20.05"),
        ("2019Q1", AD, "agencies"): D("30.00"),
        ("2019Q1", VAS, "third_parties"): D("10.00"),
        ("2019Q1", AD, "all"): D("151.05"),
        ("2019Q1", VAS, "all"): D("10.00"),
        ("2019Q1", "total", "all"): D("161.05"),
        ("2019Q2", AD, "Big Partner"): D("200.00"),
        ("2019Q2", AD, "related_parties"): D("50.50"),
        ("2019Q2", AD, "agencies"): D("5.00"),
        ("2019Q2", AD, "third_parties"): D("44.45"),
        ("2019Q2", VAS, "third_parties"): D("6.66"),
        ("2019Q2", VAS, "related_parties"): D("0.50"),
        ("2019Q2", SHOP, "Big Partner"): D("12.34"),
        ("2019Q2", AD, "all"): D("299.95"),
        ("2019Q2", VAS, "all"): D("7.16"),
        ("2019Q2", SHOP, "all"): D("12.34"),
        ("2019Q2", "total", "all"): D("319.45"),
    }
    assert summary.transactions == 14
    assert analytics.validate(data_dir) == []


def test_pooled_leaves_keep_exact_decimals_and_a_source_counting_the_transactions(tmp_path, data_dir):
    list_counterparties(data_dir, tmp_path, TINY, *POOLED_BY_CLASS)
    ledger = write_ledger(tmp_path / "fourteen.parquet", FOURTEEN)
    rollup(ledger, TINY, data_dir=data_dir)
    pooled = analytics.sql(
        f"SELECT DISTINCT typeof(amount), source, note, derived FROM revenue WHERE company = "
        f"'{TINY}' AND counterparty IN ('related_parties', 'agencies', 'third_parties')",
        data_dir=data_dir,
    ).rows()
    assert pooled == [
        ("DECIMAL(18,2)", f"ledger {ledger}, 14 transactions, booked 2019-01-01 to 2019-06-30", None, False)
    ]
    by_class = dict(
        analytics.sql(
            f"SELECT c.counterparty_class, sum(r.amount) FROM revenue AS r JOIN counterparties AS c "
            f"USING (company, counterparty) WHERE company = '{TINY}' GROUP BY 1",
            data_dir=data_dir,
        ).rows()
    )
    assert by_class == {
        "strategic_partner": D("313.34"),
        "related_party": D("71.05"),
        "mixed": D("35.00"),
        "third_party": D("61.11"),
    }


def test_a_payer_grouped_into_a_pool_of_another_class_is_refused(tmp_path, cli, data_dir):
    list_counterparties(
        data_dir, tmp_path, TINY, *POOLED_BY_CLASS, ("small_c", "strategic_partner", "third_parties", False)
    )
    ledger = write_ledger(tmp_path / "fourteen.parquet", FOURTEEN)
    before = fingerprint(data_dir)
    assert_refused(
        cli("ledger", "rollup", str(ledger), "--company", TINY),
        2,
        f"counterparties of {TINY}, column 'counterparty_group'",
        "'small_c' is strategic_partner but its group 'third_parties' is a third_party pool",
        "give it class third_party",
    )
    assert fingerprint(data_dir) == before


def test_the_readme_pooling_example_pools_as_it_says(tmp_path, data_dir):
    from analytics.project import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Revenue ledgers", 1)[1].split("```csv", 1)[1].split("```", 1)[0]
    listing = tmp_path / "readme-counterparties.csv"
    listing.write_text(
        "\n".join(line.strip() for line in example.strip().splitlines()) + "\n", encoding="utf-8"
    )
    analytics.ingest(listing, "counterparties", data_dir)
    payers = ("Orchard Group", "Orchard Media", "Blue Agency", "Red Agency", "someone else")
    rows = [
        (i, "2019-01-02 00:00:00", "Lumen Social", AD, payer, "1.00", "USD") for i, payer in enumerate(payers)
    ]
    rollup(write_ledger(tmp_path / "readme.parquet", rows), "Lumen Social", data_dir=data_dir)
    assert {k[2]: v for k, v in facts(data_dir, "Lumen Social").items() if k[2] != "all"} == {
        "Orchard Group": D("1.00"),
        "related_parties": D("1.00"),
        "agency_network": D("2.00"),
        "third_parties": D("1.00"),
    }


def test_timestamps_with_a_time_zone_fall_in_the_utc_quarter(tmp_path, data_dir):
    rows = [
        (1, "2019-03-31 23:30:00-02:00", TINY, AD, "a", "1.00", "USD"),
        (2, "2019-04-01 00:30:00+02:00", TINY, AD, "a", "2.00", "USD"),
    ]
    ledger = write_ledger(tmp_path / "tz.parquet", rows, {"booked_at": "TIMESTAMPTZ"})
    rollup(ledger, TINY, data_dir=data_dir)
    assert facts(data_dir)[("2019Q2", "total", "all")] == D("1.00")
    assert facts(data_dir)[("2019Q1", "total", "all")] == D("2.00")


def test_double_amounts_to_the_cent_sum_exactly(tmp_path, data_dir):
    rows = [(i, "2019-01-02 00:00:00", TINY, AD, "a", 0.1, "USD") for i in range(10)]
    rollup(write_ledger(tmp_path / "double.parquet", rows, {"amount": "DOUBLE"}), TINY, data_dir=data_dir)
    assert facts(data_dir)[("2019Q1", "total", "all")] == D("1.00")


def test_other_companies_rows_are_ignored_and_a_ledger_without_company_is_all_one(tmp_path, data_dir):
    rows = [*TWELVE, (13, "2019-01-03 00:00:00", "Other Co", AD, "a", "999.00", "USD")]
    rollup(write_ledger(tmp_path / "two.parquet", rows), TINY, data_dir=data_dir)
    assert facts(data_dir)[("2019Q1", "total", "all")] == D("161.05")
    no_company = write_ledger(tmp_path / "bare.parquet", TWELVE, {"company": None})
    rollup(no_company, "Bare Co", data_dir=data_dir)
    assert facts(data_dir, "Bare Co")[("2019Q2", "total", "all")] == D("313.95")


def _bad(**changes: object) -> list[tuple]:
    """TWELVE with the named transactions (by txn_id) replaced field by field."""
    names = list(COLUMNS)
    return [
        tuple(changes.get(f"t{r[0]}", {}).get(n, v) for n, v in zip(names, r, strict=True)) for r in TWELVE
    ]


REFUSALS = {
    "missing column": ({"currency": None}, None, ("'currency'", "missing column")),
    "date as text": ({"booked_at": "VARCHAR"}, None, ("'booked_at'", "VARCHAR")),
    "amount as text": ({"amount": "VARCHAR"}, None, ("'amount'", "expected a number")),
    "amount as float": ({"amount": "FLOAT"}, None, ("'amount'", "FLOAT")),
    "null amounts": (
        {},
        _bad(t3={"amount": None}, t9={"amount": None}),
        ("tiny.parquet", "'amount'", "2 rows with no amount", "txn_id 3, txn_id 9"),
    ),
    "null dates": ({}, _bad(t5={"booked_at": None}), ("'booked_at'", "1 row with no date")),
    "mixed currencies": (
        {},
        _bad(t7={"currency": "EUR"}, t8={"currency": "EUR"}),
        ("'currency'", "2 rows not in USD", "txn_id 7, txn_id 8"),
    ),
    "duplicate ids": (
        {},
        _bad(t2={"txn_id": 1}, t4={"txn_id": 3}),
        ("'txn_id'", "4 rows share 2 transaction ids", "1 (2 rows), 3 (2 rows)"),
    ),
    "control character": ({}, _bad(t1={"stream": "ads\x1b[31m"}), ("'stream'", "control")),
    "long stream": ({}, _bad(t1={"stream": "s" * 201}), ("'stream'", "over 200 characters")),
    "stream named total": ({}, _bad(t1={"stream": "Total"}), ("'stream'", "reserved")),
    "sub-cent": (
        {"amount": "DECIMAL(18,4)"},
        _bad(t6={"amount": "0.0125"}),
        ("'amount'", "1 row finer than a cent", "txn_id 6"),
    ),
    "negative leaf": ({}, _bad(t2={"amount": "-90.00"}), ("'amount'", "1 revenue leaf below zero")),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_ledger_is_refused_in_one_line_and_nothing_is_written(case, tiny, cli, data_dir):
    types, rows, needles = REFUSALS[case]
    write_ledger(tiny, rows or TWELVE, types)
    before = fingerprint(data_dir)
    assert_refused(cli("ledger", "rollup", str(tiny), "--company", TINY), 2, *needles)
    assert fingerprint(data_dir) == before


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (("--company", "Nobody"), "no transactions of company 'Nobody' (the ledger holds: Tiny Co)"),
        (("--company", TINY, "--period-kind", "month"), "choose quarter, half or year"),
        (("--company", TINY, "--since", "last week"), "--since 'last week'"),
        (("--company", TINY, "--since", "2030-01-01"), "no transactions booked on or after 2030-01-01"),
        (("--company", TINY, "--spark-master", "local[2]"), "--spark-master needs --engine spark"),
        (("--company", TINY, "--engine", "polars"), "--engine polars"),
        (("--company", "Weibo"), "no transactions of company 'Weibo'"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(options, needle, tiny, cli, data_dir):
    before = fingerprint(data_dir)
    assert_refused(cli("ledger", "rollup", str(tiny), *options), 2, needle)
    assert fingerprint(data_dir) == before


def test_a_ledger_in_another_currency_than_the_stored_figures_is_refused(tmp_path, cli, data_dir):
    rows = [(1, "2019-01-02 00:00:00", "Weibo", AD, "a", "1.00", "EUR")]
    ledger = write_ledger(tmp_path / "eur.parquet", rows)
    before = fingerprint(data_dir)
    assert_refused(
        cli("ledger", "rollup", str(ledger), "--company", "Weibo"),
        2,
        "'currency'",
        "Weibo's stored figures are in USD",
    )
    assert fingerprint(data_dir) == before


def test_a_missing_ledger_is_refused(tmp_path, cli):
    assert_refused(
        cli("ledger", "rollup", str(tmp_path / "nope.parquet"), "--company", TINY),
        2,
        "nope.parquet",
        "ledger not found",
    )


@pytest.fixture
def partitioned(tmp_path: Path, data_dir: Path) -> Path:
    summary = demo(tmp_path / "ledger", 20_000, partition_by="year", data_dir=data_dir)
    analytics.ingest(summary.counterparties, "counterparties", data_dir)
    return summary.ledger


def test_since_reads_only_the_partitions_it_needs_and_leaves_older_periods_alone(
    partitioned, tmp_path, data_dir
):
    rollup(partitioned, "Lumen Social", data_dir=data_dir)
    before = facts(data_dir, "Lumen Social")
    for year in (2020, 2021, 2022):  # unreadable: a rollup that opened them would fail
        next((partitioned / f"year={year}").glob("*.parquet")).write_bytes(b"not parquet")
    newer = demo(tmp_path / "newer", 20_000, seed=7, partition_by="year", data_dir=data_dir)
    latest = next((partitioned / "year=2023").glob("*.parquet"))
    latest.write_bytes(next((newer.ledger / "year=2023").glob("*.parquet")).read_bytes())
    summary = rollup(partitioned, "Lumen Social", since=date(2023, 5, 17), data_dir=data_dir)
    after = facts(data_dir, "Lumen Social")
    assert summary.periods == ("2023Q2", "2023Q3", "2023Q4")
    assert {k: v for k, v in after.items() if k[0] < "2023Q2"} == {
        k: v for k, v in before.items() if k[0] < "2023Q2"
    }
    assert after[("2023Q4", "total", "all")] != before[("2023Q4", "total", "all")]
    with pytest.raises(InputError, match="cannot read the ledger"):
        rollup(partitioned, "Lumen Social", data_dir=data_dir)


def test_duckdb_prunes_the_year_partitions_before_since(partitioned):
    from analytics.ledger.definition import PERIOD_KINDS, LedgerShape, aggregate_sql
    from analytics.ledger.duckdb_engine import DuckDBLedger
    from analytics.ledger.pooling import Pooling
    from analytics.sql.sandbox import Limits

    shape = LedgerShape(True, True, True, True, partition_year=True)
    sql = aggregate_sql(shape, PERIOD_KINDS["quarter"], date(2022, 4, 1), Pooling())
    with DuckDBLedger(str(partitioned), Limits()) as ledger:
        assert ledger.partitioned_by_year
        assert ledger.connection is not None
        plan = ledger.connection.execute(f"EXPLAIN ANALYZE {sql}", {"company": "Lumen Social"}).fetchall()[0][
            1
        ]
    assert re.search(r"Total Files Read: 2\b", plan), plan


def test_after_a_rollup_the_partner_query_and_charts_work(partitioned, cli, data_dir, tmp_path):
    rolled = cli("ledger", "rollup", str(partitioned), "--company", "Lumen Social")
    assert rolled.exit_code == 0, rolled.stderr
    written = [Path(line) for line in rolled.stdout.splitlines()]
    assert written and all(p.is_relative_to(data_dir) and p.exists() for p in written)
    assert "20,000 transactions of Lumen Social" in rolled.stderr
    query = cli(
        "query",
        "run",
        "partner_dependence",
        "-p",
        "company=Lumen Social",
        "-p",
        "partner=Orchard Group",
        "--format",
        "csv",
    )
    assert query.exit_code == 0, query.stderr
    assert len(query.stdout.splitlines()) == 21  # header + 20 quarters, no gaps
    charts = cli(
        "charts",
        "build",
        "partner_dependence",
        "--company",
        "Lumen Social",
        "--partner",
        "Orchard Group",
        "--out",
        str(tmp_path / "charts"),
        "--format",
        "svg,csv",
    )
    assert charts.exit_code == 0, charts.stderr
    assert (tmp_path / "charts" / "partner_dependence.svg").read_text().startswith("<svg")


def test_the_demo_is_the_same_for_a_seed_and_says_it_is_synthetic(tmp_path, cli):
    for name in ("a.parquet", "b.parquet"):
        result = cli("ledger", "demo", str(tmp_path / name), "--rows", "5000")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.split() == [
            str(tmp_path / name),
            str(tmp_path / f"{name[0]}-counterparties.csv"),
        ]
    with duckdb.connect() as con:
        differing = con.execute(
            f"SELECT count(*) FROM (SELECT * FROM '{tmp_path}/a.parquet' "
            f"EXCEPT SELECT * FROM '{tmp_path}/b.parquet')"
        ).fetchone()
        sources = con.execute(f"SELECT DISTINCT source FROM '{tmp_path}/a.parquet'").fetchall()
    assert differing == (0,)
    assert sources == [("synthetic: analytics ledger demo, seed 42",)]


def test_the_demo_refuses_an_existing_folder_and_the_data_folder(tmp_path, cli, data_dir):
    (tmp_path / "taken").mkdir()
    assert_refused(
        cli("ledger", "demo", str(tmp_path / "taken"), "--partition-by", "year"), 2, "already exists"
    )
    before = fingerprint(data_dir)
    assert_refused(cli("ledger", "demo", str(data_dir / "x.parquet")), 2, "data folder")
    assert fingerprint(data_dir) == before


def test_ledger_help_imports_no_heavy_library():
    from tests.test_cold_start import HELP_THEN_REPORT, heavy_modules_after

    heavy = ("duckdb", "polars", "altair", "vl_convert", "pyarrow", "pyspark", "sqlglot")
    for args in (["ledger", "--help"], ["ledger", "rollup", "--help"]):
        assert heavy_modules_after(HELP_THEN_REPORT.format(args=args, heavy=heavy)) == []
