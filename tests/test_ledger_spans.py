"""Ledger rollups pool each transaction as the counterparty span covering its booking date says.

Span Co's partner is named (a strategic partner) from 2013 to 2015 and part of third_parties from
2016; its sums are computed by hand. Spans come in through the normal ingest API.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

import analytics
from analytics.errors import InputError
from analytics.ledger import rollup
from analytics.ledger.definition import PERIOD_KINDS, LedgerShape, aggregate_sql
from tests.test_ledger import facts, write_ledger

SPAN_CO = "Span Co"
AD, VAS = "advertising", "value_added_services"
PARTNER, SWITCH, POOL, RELATED = "Partner X", "Switch Co", "third_parties", "related_parties"
D = Decimal
#: (counterparty, class, group, is_pool, valid_from, valid_to); empty dates are open.
SPANS = (
    (PARTNER, "strategic_partner", PARTNER, False, "2013-01-01", "2015-12-31"),
    (PARTNER, "third_party", POOL, False, "2016-01-01", ""),
    (SWITCH, "strategic_partner", SWITCH, False, "", "2016-02-15"),  # changes mid-quarter
    (SWITCH, "related_party", RELATED, False, "2016-02-16", ""),
)
#: Bookings on and around the days the spans change: valid_to is the last day a span holds.
LEDGER = [
    (1, "2013-01-01 00:00:00", SPAN_CO, AD, PARTNER, "1.00", "USD"),  # first day named
    (2, "2015-06-15 12:00:00", SPAN_CO, AD, PARTNER, "10.00", "USD"),
    (3, "2015-06-20 12:00:00", SPAN_CO, AD, "small_a", "5.00", "USD"),  # never listed
    (4, "2015-12-31 23:59:59", SPAN_CO, AD, PARTNER, "100.00", "USD"),  # last day named
    (5, "2016-01-01 00:00:00", SPAN_CO, AD, PARTNER, "40.00", "USD"),  # first day pooled
    (6, "2016-02-10 08:00:00", SPAN_CO, AD, "small_a", "7.50", "USD"),
    (7, "2016-02-15 23:00:00", SPAN_CO, VAS, SWITCH, "20.00", "USD"),  # last day named
    (8, "2016-02-16 00:00:00", SPAN_CO, VAS, SWITCH, "2.25", "USD"),  # first day pooled
    (9, "2016-03-31 10:00:00", SPAN_CO, AD, PARTNER, "0.60", "USD"),
    (10, "2014-05-05 05:00:00", SPAN_CO, VAS, SWITCH, "3.00", "USD"),  # open start: named
]
#: LEDGER by hand: Partner X named to 2015Q4, third_parties from 2016Q1; Switch Co split in 2016Q1.
EXPECTED = {
    ("2013Q1", AD, PARTNER): D("1.00"),
    ("2013Q1", AD, "all"): D("1.00"),
    ("2013Q1", "total", "all"): D("1.00"),
    ("2014Q2", VAS, SWITCH): D("3.00"),
    ("2014Q2", VAS, "all"): D("3.00"),
    ("2014Q2", "total", "all"): D("3.00"),
    ("2015Q2", AD, PARTNER): D("10.00"),
    ("2015Q2", AD, POOL): D("5.00"),
    ("2015Q2", AD, "all"): D("15.00"),
    ("2015Q2", "total", "all"): D("15.00"),
    ("2015Q4", AD, PARTNER): D("100.00"),
    ("2015Q4", AD, "all"): D("100.00"),
    ("2015Q4", "total", "all"): D("100.00"),
    ("2016Q1", AD, POOL): D("48.10"),
    ("2016Q1", AD, "all"): D("48.10"),
    ("2016Q1", VAS, SWITCH): D("20.00"),
    ("2016Q1", VAS, RELATED): D("2.25"),
    ("2016Q1", VAS, "all"): D("22.25"),
    ("2016Q1", "total", "all"): D("70.35"),
}
#: Bookings outside every span of a listed payer: before Partner X's first, in Gap Co's gap,
#: and before Late Co's only span. Each is written as third_parties, as an unlisted payer's.
GAP, LATE = "Gap Co", "Late Co"
OUT_OF_SPAN_SPANS = (
    *SPANS,
    (GAP, "strategic_partner", GAP, False, "", "2013-06-30"),
    (GAP, "strategic_partner", GAP, False, "2014-01-01", ""),
    (LATE, "strategic_partner", LATE, False, "2016-01-01", ""),
)
OUT_OF_SPAN = [
    *LEDGER,
    (11, "2012-12-31 23:59:59", SPAN_CO, AD, PARTNER, "4.00", "USD"),  # the day before
    (12, "2013-06-30 12:00:00", SPAN_CO, AD, GAP, "8.00", "USD"),  # last day of the first span
    (13, "2013-07-01 00:00:00", SPAN_CO, AD, GAP, "0.50", "USD"),  # in the gap
    (14, "2013-12-31 00:00:00", SPAN_CO, AD, GAP, "0.25", "USD"),  # in the gap
    (15, "2015-11-11 00:00:00", SPAN_CO, AD, LATE, "9.00", "USD"),  # before its only span
    (16, "2016-01-02 00:00:00", SPAN_CO, AD, LATE, "6.00", "USD"),  # in it
]


def list_spans(
    data_dir: Path, tmp_path: Path, *rows: tuple[str, str, str, bool, str, str], company: str = SPAN_CO
) -> None:
    """Ingest counterparties with their spans of dates, as a user would (a CSV through ingest)."""
    listing = tmp_path / f"spans_{len(list(tmp_path.glob('spans_*')))}.csv"
    with listing.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "company",
                "counterparty",
                "counterparty_class",
                "counterparty_group",
                "is_pool",
                "valid_from",
                "valid_to",
            ]
        )
        writer.writerows([company, *row] for row in rows)
    analytics.ingest(listing, "counterparties", data_dir)


@pytest.fixture
def spanned(tmp_path: Path, data_dir: Path) -> Path:
    list_spans(data_dir, tmp_path, *SPANS)
    return write_ledger(tmp_path / "spanned.parquet", LEDGER)


def test_each_transaction_is_pooled_as_the_span_covering_its_booking_date_says(spanned, data_dir):
    summary = rollup(spanned, SPAN_CO, data_dir=data_dir)
    assert facts(data_dir, SPAN_CO) == EXPECTED
    assert (summary.transactions, summary.warnings) == (10, ())
    assert analytics.validate(data_dir) == []


def test_a_year_sums_the_named_and_the_pooled_days_apart(spanned, data_dir):
    rollup(spanned, SPAN_CO, "year", data_dir=data_dir)
    found = facts(data_dir, SPAN_CO)
    assert {key: found[key] for key in found if key[0] in ("2015", "2016")} == {
        ("2015", AD, PARTNER): D("110.00"),
        ("2015", AD, POOL): D("5.00"),
        ("2015", AD, "all"): D("115.00"),
        ("2015", "total", "all"): D("115.00"),
        ("2016", AD, POOL): D("48.10"),
        ("2016", AD, "all"): D("48.10"),
        ("2016", VAS, SWITCH): D("20.00"),
        ("2016", VAS, RELATED): D("2.25"),
        ("2016", VAS, "all"): D("22.25"),
        ("2016", "total", "all"): D("70.35"),
    }


def test_the_partner_counts_as_its_class_of_each_span(spanned, data_dir):
    rollup(spanned, SPAN_CO, data_dir=data_dir)
    by_class = analytics.sql(
        f"SELECT r.period, r.counterparty, c.counterparty_class, r.amount FROM revenue AS r "
        f"JOIN counterparties AS c ON c.company = r.company AND c.counterparty = r.counterparty "
        f"AND in_force(c.valid_from, c.valid_to, r.period_end) WHERE r.company = '{SPAN_CO}' "
        f"AND r.period IN ('2015Q4', '2016Q1') ORDER BY ALL",
        data_dir=data_dir,
    )
    # A leaf counts in the class in force on its period's last day, as every query reads it:
    # Switch Co's leaf of its named days in 2016Q1 too, since it is related_party by 03-31.
    assert by_class.rows() == [
        ("2015Q4", PARTNER, "strategic_partner", D("100.00")),
        ("2016Q1", SWITCH, "related_party", D("20.00")),
        ("2016Q1", RELATED, "related_party", D("2.25")),
        ("2016Q1", POOL, "third_party", D("48.10")),
    ]


def test_a_class_clash_in_an_earlier_span_is_refused_naming_its_days(tmp_path, data_dir):
    list_spans(
        data_dir,
        tmp_path,
        (PARTNER, "strategic_partner", RELATED, False, "", "2015-12-31"),
        (PARTNER, "strategic_partner", PARTNER, False, "2016-01-01", ""),
    )
    ledger = write_ledger(tmp_path / "clash.parquet", LEDGER)
    with pytest.raises(InputError) as refused:
        rollup(ledger, SPAN_CO, data_dir=data_dir)
    assert refused.value.message == (
        f"counterparty '{PARTNER}' is strategic_partner from the start to 2015-12-31 but its "
        f"group '{RELATED}' is a related_party pool, where its revenue would count as "
        "related_party: give it class related_party, or a group that is not a pool"
    )
    assert refused.value.location.column == "counterparty_group"
    assert facts(data_dir, SPAN_CO) == {}


def test_a_class_clash_in_a_later_span_is_refused_and_one_of_another_span_is_not(tmp_path, data_dir):
    list_spans(
        data_dir,
        tmp_path,
        (PARTNER, "related_party", RELATED, False, "", "2015-12-31"),  # matches its pool
        (PARTNER, "strategic_partner", POOL, False, "2016-01-01", ""),
    )
    ledger = write_ledger(tmp_path / "clash.parquet", LEDGER)
    with pytest.raises(
        InputError,
        match=f"'{PARTNER}' is strategic_partner from 2016-01-01 to "
        f"now but its group '{POOL}' is a third_party pool",
    ):
        rollup(ledger, SPAN_CO, data_dir=data_dir)
    list_spans(
        data_dir,
        tmp_path,
        (PARTNER, "related_party", RELATED, False, "", "2015-12-31"),
        (PARTNER, "strategic_partner", PARTNER, False, "2016-01-01", ""),
    )
    rollup(ledger, SPAN_CO, data_dir=data_dir)
    found = facts(data_dir, SPAN_CO)
    assert (found[("2015Q4", AD, RELATED)], found[("2016Q1", AD, PARTNER)]) == (D("100.00"), D("40.60"))


def test_bookings_outside_every_span_are_pooled_as_unlisted_and_counted(tmp_path, data_dir):
    list_spans(data_dir, tmp_path, *OUT_OF_SPAN_SPANS)
    ledger = write_ledger(tmp_path / "out_of_span.parquet", OUT_OF_SPAN)
    summary = rollup(ledger, SPAN_CO, data_dir=data_dir)
    found = facts(data_dir, SPAN_CO)
    assert found[("2012Q4", AD, POOL)] == D("4.00")
    assert (found[("2013Q2", AD, GAP)], found[("2013Q3", AD, POOL)], found[("2013Q4", AD, POOL)]) == (
        D("8.00"),
        D("0.50"),
        D("0.25"),
    )
    assert (found[("2015Q4", AD, POOL)], found[("2015Q4", AD, PARTNER)]) == (D("9.00"), D("100.00"))
    assert found[("2016Q1", AD, LATE)] == D("6.00")
    untouched = ("2013Q1", "2014Q2", "2015Q2")
    assert {key: value for key, value in found.items() if key[0] in untouched} == {
        key: value for key, value in EXPECTED.items() if key[0] in untouched
    }
    assert summary.warnings == (
        "4 transactions booked outside every span of dates (valid_from to valid_to) the "
        "counterparties table gives their payer, so written as third_parties like an unlisted "
        f"payer's: '{GAP}' 2 rows, 2013-07-01 to 2013-12-31; '{LATE}' 1 row, 2015-11-11 to "
        f"2015-11-11; '{PARTNER}' 1 row, 2012-12-31 to 2012-12-31",
    )
    assert analytics.validate(data_dir) == []


def test_since_counts_only_the_rows_it_reads_outside_their_spans(tmp_path, data_dir):
    list_spans(data_dir, tmp_path, *OUT_OF_SPAN_SPANS)
    ledger = write_ledger(tmp_path / "out_of_span.parquet", OUT_OF_SPAN)
    summary = rollup(ledger, SPAN_CO, since="2014-01-01", data_dir=data_dir)
    assert summary.warnings == (
        "1 transaction booked outside every span of dates (valid_from to valid_to) the "
        "counterparties table gives their payer, so written as third_parties like an unlisted "
        f"payer's: '{LATE}' 1 row, 2015-11-11 to 2015-11-11",
    )


def test_spans_that_only_change_the_class_keep_the_cheap_per_row_lookup(tmp_path, data_dir):
    from analytics.ledger.payers import payer_pooling
    from analytics.ledger.session import rollup_session
    from analytics.sql.sandbox import Limits

    list_spans(
        data_dir,
        tmp_path,
        (PARTNER, "third_party", PARTNER, False, "", "2015-12-31"),
        (PARTNER, "strategic_partner", PARTNER, False, "2016-01-01", ""),
        *SPANS[2:],
    )
    with rollup_session(data_dir, Limits()) as db:
        pooling = payer_pooling(db, SPAN_CO)
    assert [dated.payer for dated in pooling.dated] == [SWITCH]
    assert PARTNER in pooling.kept and SWITCH in pooling.kept  # Switch Co: named until...
    assert dict(pooling.pools)[RELATED] == ()  # ...then related_parties, by date, not always
    switch = pooling.dated[0]
    assert (switch.written_as, [str(day) for day in switch.changes]) == ((SWITCH, RELATED), ["2016-02-16"])
    shape = LedgerShape(True, True, True, False, False)
    sql = aggregate_sql(shape, PERIOD_KINDS["quarter"], None, pooling)
    assert sql.count("booked_on < DATE") == 1  # one boundary, for Switch Co only


def test_the_dated_sql_transpiles_to_spark_without_the_measured_traps(tmp_path, data_dir):
    from tests.test_ledger_spark import require

    require("sqlglot")
    from analytics.ledger.payers import payer_pooling
    from analytics.ledger.session import rollup_session
    from analytics.ledger.spark_engine import to_spark_sql
    from analytics.sql.sandbox import Limits

    list_spans(data_dir, tmp_path, *OUT_OF_SPAN_SPANS)
    with rollup_session(data_dir, Limits()) as db:
        pooling = payer_pooling(db, SPAN_CO)
    shape = LedgerShape(True, True, True, False, False)
    spark_sql = to_spark_sql(aggregate_sql(shape, PERIOD_KINDS["quarter"], None, pooling))
    assert "$" not in spark_sql and ":dated_1" in spark_sql and "2016-02-16" in spark_sql


@pytest.mark.spark
def test_spark_and_duckdb_pool_by_span_identically(tmp_path, data_dir):
    from tests.test_ledger_spark import assert_same_data, copy_of, require

    require("pyspark", "sqlglot", java=True)
    from pyspark.sql import SparkSession

    from analytics.ledger.spark_engine import SESSION_SETTINGS

    builder = SparkSession.builder.master("local[2]").appName("analytics span golden test")
    for key, value in {**SESSION_SETTINGS, "spark.sql.shuffle.partitions": "4"}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        list_spans(data_dir, tmp_path, *OUT_OF_SPAN_SPANS)
        ledger = write_ledger(tmp_path / "out_of_span.parquet", OUT_OF_SPAN)
        on_spark = copy_of(data_dir, "spark_data")
        by_duckdb = rollup(ledger, SPAN_CO, data_dir=data_dir)
        by_spark = rollup(ledger, SPAN_CO, engine="spark", data_dir=on_spark)
        assert_same_data(data_dir, on_spark)
        assert by_duckdb.warnings == by_spark.warnings != ()
        assert facts(on_spark, SPAN_CO)[("2016Q1", VAS, RELATED)] == D("2.25")
    finally:
        session.stop()


def test_the_cli_prints_the_out_of_span_warning_and_succeeds(tmp_path, data_dir, cli):
    list_spans(data_dir, tmp_path, *OUT_OF_SPAN_SPANS)
    ledger = write_ledger(tmp_path / "out_of_span.parquet", OUT_OF_SPAN)
    result = cli("ledger", "rollup", str(ledger), "--company", SPAN_CO)
    assert result.exit_code == 0
    assert "Warning: 4 transactions booked outside every span of dates" in result.output
