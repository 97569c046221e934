"""SQL never parses a period label (issue 13, "One source of truth"): periods.py is the one rule.
Stored rows are dated in Python (sql/period_dates.py), scope checks bind dates, and analysts'
`period_start_of` looks labels up in `period_calendar`, rendered from periods.py. Marlow Holdings
(tests/fixtures/marlow) has fiscal years to 31 March, so a label parsed as a calendar period
gives other dates than periods.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics.charts.subject import resolve_subject
from analytics.errors import QueryError
from analytics.periods import FIRST_YEAR, LAST_YEAR, Period, parse_period
from analytics.project import PROJECT_ROOT
from analytics.sql.engine import connect
from analytics.sql.period_dates import create_period_dates, create_period_parts
from analytics.sql.scope import check_scope
from analytics.store.schema import PERIOD_TABLES
from tests.shapes import ingest_fixture

PACKAGE = PROJECT_ROOT / "analytics"
#: Label slicing as the old macros and store SQL did it: `label[1:4]`, `period[6]`, `left(period, 4)`.
SLICING = re.compile(r"label\[|period\[|\[1:4\]|left\(\s*\w*\.?period\s*,|label_kind\s*\(")


def _code(path: Path) -> str:
    """A source file without its SQL and Python comments."""
    return "\n".join(re.split(r"--|#", line, maxsplit=1)[0] for line in path.read_text().splitlines())


@pytest.fixture(scope="module")
def marlow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("marlow") / "data"
    folder.mkdir()
    return ingest_fixture(folder, "marlow")


@pytest.mark.parametrize(
    "path",
    [
        PACKAGE / "sql" / "views.sql",
        PACKAGE / "store" / "derive.py",
        PACKAGE / "store" / "screen.py",
        PACKAGE / "store" / "working_set.py",
        PACKAGE / "store" / "ingest_checks.py",
        PACKAGE / "sql" / "scope.py",
        PACKAGE / "charts" / "subject.py",
    ],
    ids=lambda p: p.name,
)
def test_no_sql_of_the_tool_slices_a_period_label(path: Path):
    code = _code(path)
    assert not SLICING.search(code), SLICING.search(code)
    if path.suffix == ".py":  # the store and the scope checks join dates, never call the lookups
        assert not re.search(r"period_(start|end)_(of|in)\s*\(", code)


def test_the_period_calendar_is_periods_py_for_every_label_and_calendar():
    connection = connect()
    try:
        rows = connection.execute(
            "SELECT period, year_end_month, period_kind, period_start, period_end FROM period_calendar"
        ).fetchall()
    finally:
        connection.close()
    expected = set()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        periods = [Period(year), *(part for split in Period(year).parts() for part in split)]
        expected |= {
            (p.label, month, p.kind, p.start(month), p.end(month)) for p in periods for month in range(1, 13)
        }
    assert len(rows) == len(expected) == (LAST_YEAR - FIRST_YEAR + 1) * 7 * 12
    assert set(rows) == expected


def test_every_stored_marlow_row_is_dated_as_periods_py_dates_it(marlow):
    connection = connect(marlow)
    try:
        stored = {
            name: connection.execute(
                f"SELECT DISTINCT period, period_kind, period_start, period_end FROM {relation} "
                "WHERE company = 'Marlow'"
            ).fetchall()
            for name, relation in (
                ("revenue", "revenue_vintages"),
                ("reported_totals", "reported_totals_vintages"),
            )
        }
    finally:
        connection.close()
    assert set(stored) <= set(PERIOD_TABLES)
    labels = set()
    for rows in stored.values():
        for label, kind, start, end in rows:
            period = parse_period(label)
            assert (kind, start, end) == (period.kind, period.start(3), period.end(3)), label
            labels.add(label)
    # Printed halves and years, and the derived second halves (dated after derivation).
    assert {"2022", "2022H1", "2022H2", "2025H1"} <= labels
    h2 = next(r for r in stored["reported_totals"] if r[0] == "2024H2")
    assert h2[2:] == (dt.date(2023, 10, 1), dt.date(2024, 3, 31))


def test_ad_hoc_sql_dates_a_label_in_the_companys_calendar(marlow):
    found = analytics.sql(
        "SELECT period_start_of('2024Q1', 'Marlow') AS marlow_start, "
        "period_end_of('2024Q1', 'Marlow') AS marlow_end, "
        "period_start_of('2024Q1') AS calendar_start, period_end_in('2024', 6) AS june_end, "
        "period_start_of(NULL, 'Marlow') AS nothing",
        data_dir=marlow,
    )
    assert found.rows() == [
        (dt.date(2023, 4, 1), dt.date(2023, 6, 30), dt.date(2024, 1, 1), dt.date(2024, 6, 30), None)
    ]
    # Over a column of labels, each row's own label (no row of the lookup is mixed up).
    ranges = analytics.sql(
        "SELECT period, period_start_of(period, 'Marlow') = period_start AS ok "
        "FROM reported_totals WHERE company = 'Marlow'",
        data_dir=marlow,
    )
    assert ranges.height > 5 and all(ranges["ok"])


@pytest.mark.parametrize("label", ["2016Q7", "1899", "2016-Q1", "Q1 2016"])
def test_ad_hoc_sql_refuses_a_label_that_is_not_a_period(marlow, label):
    with pytest.raises(QueryError, match=f"'{label}' is not a period label: use 2016Q1"):
        analytics.sql(f"SELECT period_start_of('{label}', 'Marlow')", data_dir=marlow)


def test_the_scope_check_reads_a_range_in_the_companys_calendar(marlow):
    # FY2025 is April 2024 to March 2025: it holds 2025H1. Read as calendar 2025 it holds nothing.
    assert check_scope("Marlow", "Orbis", "2025", "2025", marlow) == (
        dt.date(2024, 4, 1),
        dt.date(2025, 3, 31),
    )
    assert check_scope("Marlow", None, None, None, marlow) == (None, None)
    with pytest.raises(QueryError, match="No revenue for Marlow between 2025H2 and the end"):
        check_scope("Marlow", None, "2025H2", None, marlow)
    subject = resolve_subject("Marlow", "Orbis", "2025", "2025", data_dir=marlow)
    assert (subject.period_kind, subject.year_end_month) == ("half", 3)


def test_period_dates_leave_a_label_that_is_not_a_stored_period_undated():
    connection = duckdb.connect()
    try:
        table = create_period_dates(
            connection,
            """
            SELECT * FROM (VALUES ('2024H2', 3), ('2024H2', 12), ('2024Q5', 3), ('2016-Q1', 12),
                                  ('1899', 12), ('2024', 13), ('2024', 3), (NULL, 3))
            AS pairs(period, year_end_month)""",
        )
        dated = {
            (p, m): rest
            for p, m, *rest in connection.execute(
                f"SELECT period, year_end_month, period_kind, period_start, period_end FROM {table}"
            ).fetchall()
        }
        wholes = create_period_parts(
            connection, "SELECT * FROM (VALUES ('2024'), ('2024H2'), ('2024Q1'), ('2024H3')) AS t(period)"
        )
        parts = connection.execute(f"SELECT whole, part FROM {wholes} ORDER BY ALL").fetchall()
    finally:
        connection.close()
    assert dated == {
        ("2024H2", 3): ["half", dt.date(2023, 10, 1), dt.date(2024, 3, 31)],
        ("2024H2", 12): ["half", dt.date(2024, 7, 1), dt.date(2024, 12, 31)],
        ("2024", 3): ["year", dt.date(2023, 4, 1), dt.date(2024, 3, 31)],
        **{key: [None, None, None] for key in (("2024Q5", 3), ("2016-Q1", 12), ("1899", 12), ("2024", 13))},
    }
    assert parts == [("2024", p) for p in ("2024H1", "2024H2", "2024Q1", "2024Q2", "2024Q3", "2024Q4")] + [
        ("2024H2", "2024Q3"),
        ("2024H2", "2024Q4"),
    ]
