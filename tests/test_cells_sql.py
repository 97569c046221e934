"""The set-based fast path (cells_sql.py) never types a cell differently from parse.py.

It may leave a row to parse.py (which then types it or refuses it); it must never accept a row
parse.py refuses, nor give any cell another value. Checked on random rows built from plain and
tricky cell texts, and on the shipped Weibo file (whose rows should nearly all be fast).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import InputError
from analytics.store.cells_sql import revenue_select
from analytics.store.readers import SourceRow
from analytics.store.records import FORMATS

COLUMNS = FORMATS["revenue"].columns
FILE = Path("figures.csv")

AMOUNTS = [
    "0",
    "7",
    "007",
    "1234",
    "1,234",
    "1,234,567.5",
    "12.30",
    "12.345",
    "0.005",
    "5.",
    ".5",
    "1e3",
    "-5",
    "+5",
    "1,23",
    "1.234,5",
    "12 000",
    "0.00",
    "9999999999999999",
    "9999999999999999.99",
    "10000000000000000",
    "123456789012.5",
    "0.0000000001",
    "99.999",
    "1.10",
    "3.14159",
    "2,500.25",
    "nan",
    "",
]
UNITS = ["units", "Units", "THOUSANDS", "millions", "billions", "unit", "bogus", "", "ｍillions"]
PERIODS = [
    "2016Q1",
    "2016q4",
    "2016-Q2",
    "FY2016",
    "2016",
    "2016 Q1",
    "1899",
    "1900Q1",
    "2200Q4",
    "2201",
    "2016Q5",
    "2016Q0",
    "16Q1",
    "",
    "２０１６Q1",
    "FY 2016",
    "2016H1",
    "2016h2",
    "2016-H1",
    "2016H3",
    "2016H0",
    "2016 H2",
]
CURRENCIES = ["USD", "usd", "Cny", "US", "USDX", "ÜSD", "", "U$D"]
NAMES = [
    "Weibo",
    "Alibaba",
    "third_parties",
    "all",
    "ALL",
    "total",
    "Total",
    "advertising",
    "新浪",
    "a\x1bb",
    "x" * 200,
    "x" * 201,
    "",
    "a\u202eb",
    "line\nbreak",
]
FREE_TEXT = [
    "",
    "20-F 2016, p. 12",
    "two\nlines",
    "tab\there",
    "esc\x1b",
    "\u2066hidden",
    "y" * 10_000,
    "y" * 10_001,
]
DATES = [
    "",
    "2016-05-10",
    "2016-02-30",
    "2016-5-10",
    "2016-05",
    "1899-12-31",
    "2201-01-01",
    "2016/05/10",
    "２０１６-05-10",
    "20160510",
]
BOOLEANS = ["", "true", "FALSE", "Yes", "n", "1", "0", "maybe", "ｙes"]


def _row() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {
            "company": st.sampled_from(NAMES),
            "period": st.sampled_from(PERIODS),
            "stream": st.sampled_from(NAMES),
            "counterparty": st.sampled_from(NAMES),
            "amount": st.sampled_from(AMOUNTS),
            "currency": st.sampled_from(CURRENCIES),
            "unit": st.sampled_from(UNITS),
            "source": st.sampled_from(FREE_TEXT),
            "precision": st.sampled_from(AMOUNTS),
            "derived": st.sampled_from(BOOLEANS),
            "one_off": st.sampled_from(BOOLEANS),
            "split_is_exhaustive": st.sampled_from(BOOLEANS),
            "basis": st.sampled_from([*NAMES, "ASC 606", "as reported"]),
            "reported_on": st.sampled_from(DATES),
            "period_end": st.sampled_from(DATES),
            "note": st.sampled_from(FREE_TEXT),
        }
    )


def fast_rows(rows: list[dict[str, str]]) -> dict[int, dict[str, object]]:
    """Row number -> typed record, for the rows the fast path accepts."""
    connection = duckdb.connect()
    staged = ", ".join(f"c{i} VARCHAR" for i in range(len(COLUMNS)))
    connection.execute(f"CREATE TABLE t (row_number BIGINT, {staged})")
    connection.executemany(
        f"INSERT INTO t VALUES (?, {', '.join('?' * len(COLUMNS))})",
        [[n, *(row[c] for c in COLUMNS)] for n, row in enumerate(rows, 2)],
    )
    condition, select = revenue_select(lambda c: f"c{COLUMNS.index(c)}", FILE.name)
    result = connection.sql(f"SELECT row_number, {select} FROM t WHERE coalesce({condition}, false)")
    names = result.columns[1:]
    return {number: dict(zip(names, values, strict=True)) for number, *values in result.fetchall()}


def python_record(number: int, row: dict[str, str]) -> dict[str, object] | InputError:
    try:
        record = FORMATS["revenue"].build(SourceRow(FILE, number, row))
    except InputError as error:
        return error
    record.setdefault("counterparty", None)
    return record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_row(), min_size=1, max_size=40))
def test_the_fast_path_types_exactly_as_parse_does(rows):
    for number, typed in fast_rows(rows).items():
        expected = python_record(number, rows[number - 2])
        assert not isinstance(expected, InputError), (rows[number - 2], str(expected))
        assert typed == expected, rows[number - 2]


def test_plain_rows_take_the_fast_path_and_tricky_ones_do_not():
    plain = {
        "company": "Weibo",
        "period": "2016Q2",
        "stream": "advertising",
        "counterparty": "Alibaba",
        "amount": "1,234.5",
        "currency": "usd",
        "unit": "Millions",
        "source": "",
        "precision": "",
        "derived": "",
        "one_off": "",
        "split_is_exhaustive": "",
        "basis": "",
        "reported_on": "",
        "period_end": "",
        "note": "",
    }
    tricky = [
        dict(plain, amount="1.5e3"),
        dict(plain, period="2016 - Q2"),
        dict(plain, amount="-1"),
        dict(plain, unit="bogus"),
        dict(plain, reported_on="2016-08"),
    ]
    accepted = fast_rows([plain, *tricky])
    assert list(accepted) == [2]
    assert accepted[2]["amount"] == Decimal("1234500000.00")
    assert accepted[2]["precision"] == Decimal("50000.00")
    assert accepted[2]["source"] == "figures.csv, row 2"
    assert accepted[2]["basis"] == "as reported" and accepted[2]["reported_on"] is None


def test_nearly_every_shipped_weibo_row_takes_the_fast_path():
    path = Path(__file__).parent.parent / "data" / "sources" / "weibo" / "revenue.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [{c: (r.get(c) or "").strip() for c in COLUMNS} for r in csv.DictReader(handle)]
    accepted = fast_rows(rows)
    assert len(accepted) >= 0.9 * len(rows)
    for number, typed in accepted.items():
        assert typed == python_record(number, rows[number - 2])
