"""The one definition of the rollup: period kinds, the rows it reads and the aggregate, as SQL.

The SQL is written once, in DuckDB's dialect, over a view named `ledger`. The DuckDB engine runs
it as written; the Spark engine transpiles the same text with sqlglot, and the golden test holds
the two to identical facts. User text (company, counterparty names) is always a bound parameter;
only values the code makes itself (dates, years, fixed SQL fragments) are rendered into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.periods import CALENDAR_YEAR_END, MONTHS, period_of

if TYPE_CHECKING:
    from analytics.ledger.pooling import Pooling

#: A Hive partition folder of calendar years, as a regular expression over file paths.
YEAR_PARTITION = r"[/\\]year=[0-9]+[/\\]"

#: The table the aggregate lands in, in the rollup's DuckDB, for every check and the facts.
AGGREGATE_TABLE = "ledger_aggregate"
#: The aggregate's columns and types: both engines cast to these, so their results compare.
AGGREGATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("period_start", "DATE"),
    ("stream", "VARCHAR"),
    ("counterparty", "VARCHAR"),
    ("currency", "VARCHAR"),
    ("amount", "DECIMAL(38,2)"),
    ("transactions", "BIGINT"),
    ("null_amounts", "BIGINT"),
    ("null_counterparties", "BIGINT"),
    ("sub_cent_amounts", "BIGINT"),
    ("misplaced_rows", "BIGINT"),
    ("unspanned_rows", "BIGINT"),
    ("first_booked", "DATE"),
    ("last_booked", "DATE"),
)


@dataclass(frozen=True)
class PeriodKind:
    """A period kind as `revenue.period_kind` names it, with its length and start rule, in the
    fiscal calendar whose year ends with month `year_end_month` (December: the calendar year)."""

    name: str
    months: int
    year_end_month: int = CALENDAR_YEAR_END

    def in_calendar(self, year_end_month: int) -> PeriodKind:
        """The same kind in a company's fiscal calendar (`companies.fiscal_year_end`)."""
        return replace(self, year_end_month=year_end_month)

    def start_of(self, day: date) -> date:
        """First day of the period containing `day` (the periods module owns period dates)."""
        return period_of(day, self.name, self.year_end_month).start(self.year_end_month)

    def start_month_sql(self, column: str) -> str:
        """The month (year * 12 + month - 1) the period containing the date `column` starts in."""
        return self.period_month_sql(month_sql(column))

    def period_month_sql(self, month: str) -> str:
        """The month the period containing the month `month` (year * 12 + month - 1) starts in.

        Integer arithmetic, the same in every dialect (sqlglot renders a `%Y-Q` date format as a
        Java pattern where `Q` is something else): shifted by the months from the fiscal year
        end to December, a fiscal period is a calendar one (periods.period_of)."""
        shift = (CALENDAR_YEAR_END - self.year_end_month) % 12
        return f"({month} - ({month} % 12 + {shift:d}) % {self.months:d})"


PERIOD_KINDS: dict[str, PeriodKind] = {name: PeriodKind(name, months) for name, months in MONTHS.items()}


def month_sql(column: str) -> str:
    """The month of the date `column`, counted as year * 12 + month - 1."""
    return f"(YEAR({column}) * 12 + MONTH({column}) - 1)"


def month_start_sql(month: str) -> str:
    """The first day of a month counted as year * 12 + month - 1 (start_month_sql)."""
    return f"MAKE_DATE(CAST({month} // 12 AS INT), CAST({month} % 12 + 1 AS INT), 1)"


@dataclass(frozen=True)
class LedgerShape:
    """What a ledger's columns say about reading it."""

    amount_exact: bool  # DECIMAL with at most 2 decimals, or an integer: no sub-cent check
    has_company: bool
    has_txn_id: bool
    has_source: bool
    partition_year: bool  # Hive partitions `year=2019/`: --since skips older ones
    integer_ids: bool = False  # txn_id is an integer: repeats can be counted in a bitmap
    partitions_listed: bool = False  # the engine's view holds only the partitions --since needs


def bound(sql: str, values: dict[str, Any]) -> dict[str, Any]:
    """The values a query names as `$name`: engines refuse parameters a query does not use."""
    return {name: value for name, value in values.items() if re.search(rf"\${name}\b", sql) is not None}


def transactions_sql(shape: LedgerShape, since: date | None, file_column: str | None = None) -> str:
    """The ledger rows a rollup reads: the company's, from `since` on, only the partitions needed.

    Rows with no date are kept with --since too, so the NULL-date check still sees them.
    """
    optional = [
        (shape.has_txn_id, "txn_id"),
        (shape.has_source, "source"),
        (shape.partition_year, "year AS partition_year"),
        (file_column is not None, f"{file_column} AS ledger_file"),
    ]
    extra = "".join(f", {column}" for present, column in optional if present)
    filters = ["company = $company"] if shape.has_company else []
    if since is not None:
        filters.append(f"(booked_at IS NULL OR booked_at >= DATE '{since.isoformat()}')")
        if shape.partition_year:
            filters.append(f"year >= {since.year:d}")
    where = f" WHERE {' AND '.join(filters)}" if filters else ""
    return (
        f"SELECT CAST(booked_at AS DATE) AS booked_on, stream, counterparty AS payer, amount, "
        f"currency{extra} FROM ledger{where}"
    )


def aggregate_sql(shape: LedgerShape, kind: PeriodKind, since: date | None, pooling: Pooling) -> str:
    """Sum per period x stream x counterparty x currency, with every row check counted.

    Two steps, so that per row there are only a month and an integer code for the payer
    (Pooling.code_sql: bind `pooling.values()`): sums per month x stream x code x currency (at
    most months x streams x counterparties groups), then per period of `kind` (in its fiscal
    calendar, by its first month) and name. A NULL date or stream falls in a group of its own,
    so the checks read the counts from here."""
    amount = "amount" if shape.amount_exact else "CAST(amount AS DECIMAL(38, 2))"
    sub_cent = (
        "CAST(0 AS BIGINT)" if shape.amount_exact else "COUNT(*) FILTER (WHERE amount <> ROUND(amount, 2))"
    )
    misplaced = (
        "COUNT(*) FILTER (WHERE partition_year <> YEAR(booked_on))"
        if shape.partition_year
        else "CAST(0 AS BIGINT)"
    )
    return f"""
SELECT
  {month_start_sql("period_month")} AS period_start, stream, counterparty, currency,
  CAST(SUM(amount) AS DECIMAL(38, 2)) AS amount,
  CAST(SUM(transactions) AS BIGINT) AS transactions,
  CAST(SUM(null_amounts) AS BIGINT) AS null_amounts,
  CAST(SUM(null_counterparties) AS BIGINT) AS null_counterparties,
  CAST(SUM(sub_cent_amounts) AS BIGINT) AS sub_cent_amounts,
  CAST(SUM(misplaced_rows) AS BIGINT) AS misplaced_rows,
  CAST({pooling.unspanned_sql()} AS BIGINT) AS unspanned_rows,
  MIN(first_booked) AS first_booked, MAX(last_booked) AS last_booked
FROM (
  SELECT *, {kind.period_month_sql("booked_month")} AS period_month,
    {pooling.name_sql("payer_code")} AS counterparty
  FROM (
    SELECT booked_month, stream, payer_code, currency,
      SUM({amount}) AS amount,
      COUNT(*) AS transactions,
      COUNT(*) - COUNT(amount) AS null_amounts,
      COUNT(*) - COUNT(payer) AS null_counterparties,
      {sub_cent} AS sub_cent_amounts,
      {misplaced} AS misplaced_rows,
      MIN(booked_on) AS first_booked, MAX(booked_on) AS last_booked
    FROM (
      SELECT *, {month_sql("booked_on")} AS booked_month, {pooling.code_sql()} AS payer_code
      FROM ({transactions_sql(shape, since)}) AS rows_read
    ) AS coded
    GROUP BY booked_month, stream, payer_code, currency
  ) AS by_month
) AS by_period
GROUP BY period_month, stream, counterparty, currency
"""


def examples_sql(shape: LedgerShape, since: date | None, condition: str, file_column: str) -> str:
    """Up to three rows breaking a check: how to find each (txn_id or date) and its file."""
    shown = (
        "'txn_id ' || CAST(txn_id AS VARCHAR)"
        if shape.has_txn_id
        else "'booked ' || COALESCE(CAST(booked_on AS VARCHAR), 'NULL')"
    )
    return (
        f"SELECT {shown} AS example, ledger_file FROM "
        f"({transactions_sql(shape, since, file_column)}) AS tx WHERE {condition} "
        f"ORDER BY booked_on NULLS FIRST, example LIMIT 3"
    )


def files_read_sql(shape: LedgerShape, since: date | None) -> str:
    """Every row of the files a rollup reads: all companies, every date of the partitions
    --since keeps. A superset of transactions_sql's rows, for checks that read a column or two
    and settle the rows read from what holds for them all (DuckDB: from Parquet statistics)."""
    if since is None or not shape.partition_year or shape.partitions_listed:
        return "SELECT * FROM ledger"
    return f"SELECT * FROM ledger WHERE year >= {since.year:d}"


def source_sql(shape: LedgerShape, since: date | None, of_files: bool = False) -> str:
    """The first and last of the rows' own `source` (equal when they all say one thing): of the
    rows read, or with `of_files` of every row of the files read (files_read_sql).

    Apart from the aggregate: a string MIN/MAX per group makes Spark sort every row, while
    alone DuckDB answers it from Parquet statistics."""
    rows = files_read_sql(shape, since) if of_files else transactions_sql(shape, since)
    return f"SELECT MIN(source), MAX(source) FROM ({rows}) AS tx"


def sourced_row_sql(shape: LedgerShape, since: date | None) -> str:
    """The `source` of one row read that has one, if any (the scan stops at the first)."""
    return f"SELECT source FROM ({transactions_sql(shape, since)}) AS tx WHERE source IS NOT NULL LIMIT 1"


def companies_sql() -> str:
    """A few companies the ledger does hold, for the error when the asked one is absent."""
    return (
        "SELECT company FROM (SELECT DISTINCT company FROM ledger WHERE company IS NOT NULL) "
        "AS c ORDER BY company LIMIT 5"
    )
