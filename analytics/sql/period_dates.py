"""Period labels dated by periods.py, the one rule, so no SQL ever parses a label.

Stored rows are dated set-based: `create_period_dates` reads the distinct (label, year-end month)
pairs of a relation, dates those few in Python and leaves a temp table for the store's SQL to
join. Analysts' ad hoc SQL and a database export run no Python per query, so `calendar_sql`
renders periods.py's dates as the view `period_calendar` (every label, every calendar), which
`period_start_in`/`period_end_in` look up; a test holds the view equal to periods.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from analytics.periods import FIRST_YEAR, LAST_YEAR, MONTHS, Period, parse_period, period_problem
from analytics.sql.sandbox import sql_literal

if TYPE_CHECKING:
    import duckdb

#: The temp table `create_period_dates` leaves: (period, year_end_month, period_kind,
#: period_start, period_end); kind and dates NULL for a label that is not a stored period.
PERIOD_DATES = "period_dates"
#: The temp table `create_period_parts` leaves: (whole, part_kind, part), a row per part.
PERIOD_PARTS = "period_parts"
_DATED_COLUMNS = {
    "period": "VARCHAR",
    "year_end_month": "INTEGER",
    "period_kind": "VARCHAR",
    "period_start": "DATE",
    "period_end": "DATE",
}
_PART_COLUMNS = {"whole": "VARCHAR", "part_kind": "VARCHAR", "part": "VARCHAR"}
#: The year whose periods seed `period_calendar`: any other year's fall as many months after its 1 January.
_SEED_YEAR = 2000
_NOT_A_PERIOD = (
    " is not a period label: use 2016Q1 (a quarter), 2016H1 (a half-year) or "
    f"2016 (a fiscal year), years {FIRST_YEAR}-{LAST_YEAR}"
)

DatedRow = tuple[str, int, str | None, date | None, date | None]


def create_period_dates(
    connection: duckdb.DuckDBPyConnection, pairs_sql: str, table: str = PERIOD_DATES
) -> str:
    """Date every distinct pair of `pairs_sql` (columns `period` and `year_end_month`, the month
    its company's fiscal year ends in) into the temp table `table`, returned. A label ingest
    refuses, or not in its stored spelling, gets no kind and no dates: a LEFT JOIN shows it."""
    pairs = connection.execute(
        f"SELECT DISTINCT period, year_end_month FROM ({pairs_sql}) AS pairs "
        "WHERE period IS NOT NULL AND year_end_month IS NOT NULL"
    ).fetchall()
    _fill(connection, table, _DATED_COLUMNS, [dated(label, int(month)) for label, month in pairs])
    return table


def dated(label: str, year_end_month: int) -> DatedRow:
    """One row of `period_dates`: the label's kind and days in a calendar whose fiscal year
    ends with `year_end_month` (none for a label that is not a stored period, or a month that
    is not 1-12)."""
    period = None if period_problem(label) else parse_period(label)
    if period is None or period.label != label or not 1 <= year_end_month <= 12:
        return label, year_end_month, None, None, None
    return (label, year_end_month, period.kind, period.start(year_end_month), period.end(year_end_month))


def create_period_parts(
    connection: duckdb.DuckDBPyConnection, wholes_sql: str, table: str = PERIOD_PARTS
) -> str:
    """The parts of every distinct label `wholes_sql` selects (column `period`) into the temp
    table `table`, returned: a year's four quarters and two halves, a half's two quarters
    (`Period.parts`); other labels have none."""
    labels = connection.execute(
        f"SELECT DISTINCT period FROM ({wholes_sql}) AS wholes WHERE period IS NOT NULL"
    ).fetchall()
    rows = []
    for (label,) in labels:
        whole = None if period_problem(label) else parse_period(label)
        if whole is not None and whole.label == label:
            rows += [(label, part.kind, part.label) for split in whole.parts() for part in split]
    _fill(connection, table, _PART_COLUMNS, rows)
    return table


def _fill(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, str],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """(Re)create the temp table with `rows`, bound as one list per column."""
    declared = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({declared})").fetchall()
    if not rows:
        return
    values = ", ".join(f"unnest(${i}::{kind}[])" for i, kind in enumerate(columns.values(), 1))
    connection.execute(
        f"INSERT INTO {table} SELECT {values}", [list(column) for column in zip(*rows, strict=True)]
    ).fetchall()


def calendar_sql() -> list[str]:
    """`kind_months(kind)`, the view `period_calendar` (period, year_end_month, period_kind,
    period_start, period_end: every label of FIRST_YEAR-LAST_YEAR in the 12 calendars) and
    the macros `period_start_in(label, month)`/`period_end_in` looking a label up in it (NULL
    month: December; a label not in it is an error). Only SQL, so a database export keeps it; a
    view is computed only when read, so a connection pays for creating it alone (~2 ms)."""
    kinds = " ".join(f"WHEN '{kind}' THEN {months}" for kind, months in MONTHS.items())
    refused, quote = sql_literal(_NOT_A_PERIOD), sql_literal("'")
    # Columns no caller's table has: an argument naming a caller's column (`period`) would bind
    # to a column of the same name inside the lookup.
    lookup = (
        "CREATE MACRO period_{day}_in(label, month) AS CASE WHEN label IS NULL THEN NULL "
        "ELSE coalesce((SELECT looked_up_ FROM (SELECT period AS period_label_, "
        "year_end_month AS year_end_month_, period_{day} AS looked_up_ "
        "FROM period_calendar) WHERE period_label_ = label "
        "AND year_end_month_ = coalesce(month, 12)), "
        f"error(concat({quote}, label, {quote}, {refused}))) END"
    )
    first_day = "make_date(year::INTEGER, 1, 1) + to_months(months_in[year_end_month]"
    return [
        f"CREATE MACRO kind_months(kind) AS CASE kind {kinds} END",
        f"""CREATE VIEW period_calendar AS
                SELECT year::VARCHAR || suffix AS period, year_end_month, period_kind,
                       ({first_day}))::DATE AS period_start,
                       ({first_day} + months) - INTERVAL 1 DAY)::DATE AS period_end
                FROM range({FIRST_YEAR}, {LAST_YEAR + 1}) AS years(year),
                     range(1, 13) AS calendars(year_end_month), ({_seed()}) AS seed""",
        lookup.format(day="start"),
        lookup.format(day="end"),
    ]


def _seed() -> str:
    """periods.py's dates of one year's periods, as a SQL relation: per period the label after
    the year, the kind, the months it spans and, per year-end month 1-12, the months from 1
    January of the label's year to its first day. Lists, not VALUES rows: DuckDB binds a list
    of constants several times faster, and every connection binds this."""
    year = Period(_SEED_YEAR)
    periods = [year, *(part for split in year.parts() for part in split)]
    months_in = [
        [
            (start.year - _SEED_YEAR) * 12 + start.month - 1
            for start in (period.start(month) for month in range(1, 13))
        ]
        for period in periods
    ]
    columns = {
        "suffix": [f"'{p.label.removeprefix(str(_SEED_YEAR))}'" for p in periods],
        "period_kind": [f"'{p.kind}'" for p in periods],
        "months": [str(MONTHS[p.kind]) for p in periods],
        "months_in": [str(offsets).replace(" ", "") for offsets in months_in],
    }
    return "SELECT " + ", ".join(
        f"unnest([{', '.join(values)}]) AS {name}" for name, values in columns.items()
    )
