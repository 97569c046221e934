"""The golden test: Spark and DuckDB roll the same ledger up into identical facts.

CI (CI=true) must run it: there a missing pyspark, sqlglot or Java fails the test; elsewhere it
skips with the install hint. Spark runs in local mode, one session for the module.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import InputError
from analytics.ledger import demo, rollup
from analytics.ledger.definition import (
    PERIOD_KINDS,
    LedgerShape,
    aggregate_sql,
    examples_sql,
    month_start_sql,
)
from analytics.ledger.ids import duplicates_sql
from analytics.ledger.pooling import Pooling
from analytics.periods import MONTHS, period_of
from tests.test_ledger import (
    FOURTEEN,
    POOLED_BY_CLASS,
    TINY,
    TWELVE,
    _bad,
    add_counterparties,
    list_counterparties,
    write_ledger,
)
from tests.test_ledger_calendars import MAPLE, MAPLE_LEDGER, declare_company

pytestmark = pytest.mark.spark
HINT = "pip install 'analytics[spark]' (pyspark, sqlglot) and Java 17+ to run the Spark tests"


def require(*modules: str, java: bool = False) -> None:
    """Skip without the module (or Java), but fail in CI, where the golden test must run."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if java and shutil.which("java") is None:
        missing.append("java")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Spark golden test; missing {', '.join(missing)}: {HINT}")
        pytest.skip(f"missing {', '.join(missing)}: {HINT}")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """One local session for the module; the engine reuses the active session."""
    require("pyspark", "sqlglot", java=True)
    from pyspark.sql import SparkSession

    from analytics.ledger.spark_engine import SESSION_SETTINGS

    builder = SparkSession.builder.master("local[2]").appName("analytics golden test")
    for key, value in {**SESSION_SETTINGS, "spark.sql.shuffle.partitions": "4"}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()


def copy_of(data_dir: Path, name: str) -> Path:
    target = data_dir.parent / name
    shutil.copytree(data_dir, target)
    return target


def tables(folder: Path) -> dict[str, pl.DataFrame]:
    """Every row of the tables a rollup writes, read as analysts read them."""
    return {
        name: analytics.sql(f"SELECT * FROM {name}", data_dir=folder).sort(pl.all())
        for name in ("revenue", "reported_totals", "counterparties")
    }


def assert_same_data(left: Path, right: Path) -> None:
    for name, frame in tables(left).items():
        other = tables(right)[name]
        assert frame.equals(other), f"{name} differs:\n{frame}\n{other}"


SHAPE = LedgerShape(
    amount_exact=False, has_company=True, has_txn_id=True, has_source=True, partition_year=True
)


@pytest.mark.parametrize(
    "sql",
    [
        aggregate_sql(
            SHAPE,
            PERIOD_KINDS["quarter"],
            date(2021, 4, 1),
            Pooling(("Big Partner",), (("agencies", ("a", "b")), ("related_parties", ("c",)))),
        ),
        aggregate_sql(SHAPE, PERIOD_KINDS["half"].in_calendar(3), date(2023, 4, 1), Pooling()),
        examples_sql(SHAPE, date(2021, 4, 1), "amount IS NULL", "input_file_name()"),
        duplicates_sql(SHAPE, None),
    ],
)
def test_the_transpiled_sql_avoids_the_measured_sqlglot_traps(sql):
    require("sqlglot")
    import sqlglot

    from analytics.ledger.spark_engine import to_spark_sql

    spark_sql = to_spark_sql(sql)
    assert "$" not in spark_sql and "STRFTIME" not in spark_sql.upper()
    assert "DATE_FORMAT" not in spark_sql.upper() and "QUARTER" not in spark_sql.upper()
    assert "QUALIFY" not in spark_sql.upper()
    if ":company" in spark_sql or "$company" in sql:
        assert ":company" in spark_sql
    outer, inner = sqlglot.parse_one(sql, read="duckdb"), sqlglot.parse_one(spark_sql, "spark")
    assert bool(inner.args.get("order")) == bool(outer.args.get("order"))  # not moved inside


def pool_demo_advertisers(data_dir: Path, tmp_path: Path) -> None:
    """A thousand of the demo's advertisers pooled by group: half into related_parties, half
    into the company's own mixed pool `key_accounts`."""
    advertisers = [f"advertiser_{i:05d}" for i in range(1000)]
    list_counterparties(
        data_dir,
        tmp_path,
        "Lumen Social",
        ("key_accounts", "mixed", "key_accounts", True),
        *((name, "related_party", "related_parties", False) for name in advertisers[:500]),
        *((name, "third_party", "key_accounts", False) for name in advertisers[500:]),
    )


def test_spark_and_duckdb_give_identical_facts_on_a_demo_ledger(spark, tmp_path, data_dir):
    ledger = demo(tmp_path / "ledger", 50_000, partition_by="year", data_dir=data_dir)
    analytics.ingest(ledger.counterparties, "counterparties", data_dir)
    pool_demo_advertisers(data_dir, tmp_path)
    on_spark = copy_of(data_dir, "spark_data")
    by_duckdb = rollup(ledger.ledger, "Lumen Social", data_dir=data_dir)
    by_spark = rollup(ledger.ledger, "Lumen Social", engine="spark", data_dir=on_spark)
    assert by_duckdb.facts == by_spark.facts == 20 * 12  # 8 leaves (2 pooled by group), 4 totals
    assert (by_duckdb.periods, by_duckdb.transactions) == (by_spark.periods, 50_000)
    assert_same_data(data_dir, on_spark)
    by_duckdb = rollup(ledger.ledger, "Lumen Social", "year", since="2022-03-01", data_dir=data_dir)
    by_spark = rollup(
        ledger.ledger, "Lumen Social", "year", engine="spark", since="2022-03-01", data_dir=on_spark
    )
    assert by_duckdb.periods == by_spark.periods == ("2022", "2023")
    assert_same_data(data_dir, on_spark)


def test_awkward_names_and_double_amounts_agree_on_both_engines(spark, tmp_path, data_dir):
    awkward = "O'Hara \\ Sons"  # a quote for SQL, a backslash for Spark's string literals
    add_counterparties(data_dir, tmp_path, TINY, "Big Partner", awkward)
    rows = [*TWELVE, (13, "2019-05-05 05:05:05", TINY, "advertising", awkward, 0.07, "USD")]
    ledger = write_ledger(tmp_path / "awkward.parquet", rows, {"amount": "DOUBLE"})
    on_spark = copy_of(data_dir, "spark_data")
    rollup(ledger, TINY, data_dir=data_dir)
    rollup(ledger, TINY, engine="spark", data_dir=on_spark)
    assert_same_data(data_dir, on_spark)
    kept = tables(on_spark)["revenue"].filter(pl.col("counterparty") == awkward)["amount"]
    assert [str(amount) for amount in kept] == ["0.07"]


def test_pools_from_the_counterparties_table_agree_on_both_engines(spark, tmp_path, data_dir):
    awkward = "O'Neil \\ agencies"  # a pool name bound as a parameter on both engines
    list_counterparties(
        data_dir,
        tmp_path,
        TINY,
        *POOLED_BY_CLASS,
        (awkward, "mixed", awkward, True),
        ("small_c", "third_party", awkward, False),
    )
    ledger = write_ledger(tmp_path / "fourteen.parquet", FOURTEEN)
    on_spark = copy_of(data_dir, "spark_data")
    rollup(ledger, TINY, data_dir=data_dir)
    rollup(ledger, TINY, engine="spark", data_dir=on_spark)
    assert_same_data(data_dir, on_spark)
    pooled = tables(on_spark)["revenue"].filter(pl.col("counterparty") == awkward)
    assert [(p, str(a)) for p, a in pooled.select("period", "amount").rows()] == [("2019Q2", "44.45")]


def test_spark_refuses_a_bad_ledger_with_the_same_message_as_duckdb(spark, tmp_path, data_dir):
    ledger = write_ledger(tmp_path / "bad.parquet", _bad(t3={"amount": None}, t9={"amount": None}))
    errors = []
    for engine in ("duckdb", "spark"):
        with pytest.raises(InputError) as refused:
            rollup(ledger, TINY, engine=engine, data_dir=data_dir)
        errors.append(refused.value)
    assert errors[0].message == errors[1].message == ("2 rows with no amount (NULL), e.g. txn_id 3, txn_id 9")
    assert [e.location.column for e in errors] == ["amount", "amount"]
    assert all(str(e.location.file).endswith("bad.parquet") for e in errors)


def test_spark_and_duckdb_give_identical_fiscal_half_years(spark, tmp_path, data_dir):
    declare_company(data_dir, tmp_path)  # a March year end: 2024H1 is April to September 2023
    add_counterparties(data_dir, tmp_path, MAPLE, "Big Partner")
    ledger = write_ledger(tmp_path / "maple.parquet", MAPLE_LEDGER)
    on_spark = copy_of(data_dir, "spark_data")
    by_duckdb = rollup(ledger, MAPLE, "half", data_dir=data_dir)
    by_spark = rollup(ledger, MAPLE, "half", engine="spark", data_dir=on_spark)
    assert [
        (s.periods, s.partial_periods, s.transactions, s.facts, s.year_end_month)
        for s in (by_duckdb, by_spark)
    ] == 2 * [(("2023H2", "2024H1", "2024H2"), ("2023H2",), 10, 16, 3)]
    assert_same_data(data_dir, on_spark)
    by_duckdb = rollup(ledger, MAPLE, "half", since="2023-08-15", data_dir=data_dir)
    by_spark = rollup(ledger, MAPLE, "half", engine="spark", since="2023-08-15", data_dir=on_spark)
    assert by_duckdb.periods == by_spark.periods == ("2024H1", "2024H2")
    assert by_duckdb.transactions == by_spark.transactions == 8
    assert_same_data(data_dir, on_spark)


@pytest.mark.parametrize("kind", sorted(MONTHS))
def test_spark_starts_every_days_period_where_the_periods_module_does(spark, kind):
    """The transpiled period rule, on Spark, in each of the twelve calendars."""
    from analytics.ledger.spark_engine import to_spark_sql

    days = [date(2019, 1, 1) + timedelta(days=n) for n in range(0, 800, 3)]
    spark.createDataFrame([(day,) for day in days], "d date").createOrReplaceTempView("days")
    starts = ", ".join(
        f"{month_start_sql(PERIOD_KINDS[kind].in_calendar(month).start_month_sql('d'))} AS m{month}"
        for month in range(1, 13)
    )
    found = spark.sql(to_spark_sql(f"SELECT d, {starts} FROM days ORDER BY d")).collect()
    assert [tuple(row) for row in found] == [
        (day, *(period_of(day, kind, month).start(month) for month in range(1, 13))) for day in days
    ]
