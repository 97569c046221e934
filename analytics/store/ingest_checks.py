"""Checks of a staged file against itself and the store, each refusing at the first bad row.

Each check is one SQL query over the staged file and the working set (set-based, so a million
rows cost one scan), and names the file row and column at fault, as parse.py does for a cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.errors import InputError
from analytics.store import parquet
from analytics.store.records import STAGED_PERIOD_END, STATED_PERIOD_END
from analytics.store.schema import TABLES
from analytics.store.staging import StagedFile
from analytics.store.working_set import WorkingSet

if TYPE_CHECKING:
    import duckdb


def check_unique(connection: duckdb.DuckDBPyConnection, staged: StagedFile, table: str) -> None:
    """Two rows of one file with the same grain: an error at the second, naming the first."""
    grain = TABLES[table].grain
    found = connection.execute(
        f"SELECT row_number, first_row, {', '.join(grain)} FROM (SELECT *, min(row_number) "
        f"OVER (PARTITION BY {', '.join(grain)}) AS first_row FROM {staged.table}) "
        "WHERE row_number > first_row ORDER BY row_number LIMIT 1"
    ).fetchall()
    if found:
        row, first, *key = found[0]
        shown = ", ".join(f"{c}={v}" for c, v in zip(grain, key, strict=True) if v is not None)
        raise InputError(f"duplicate of row {first} ({shown})", staged.location(row))


def checked_companies(connection: duckdb.DuckDBPyConnection, staged: StagedFile) -> list[str]:
    """The file's companies, each checked once: its name must fit a partition folder."""
    rows = connection.execute(
        f"SELECT company, min(row_number) FROM {staged.table} GROUP BY company ORDER BY min(row_number)"
    ).fetchall()
    for company, first in rows:
        if (problem := parquet.check_company_name(company)) is not None:
            raise InputError(problem, staged.location(first, "company"))
    return [company for company, _ in rows]


def check_currency(work: WorkingSet, staged: StagedFile) -> None:
    """A company keeps one currency: across the file and against what is declared for it in
    `companies`, or else stored."""
    found = work.connection.execute(f"""
        WITH stored AS (
            SELECT company, arg_min(currency, origin) AS currency, min(origin) AS origin FROM (
                SELECT company, currency, 'its companies row' AS origin
                FROM {work.table("companies")}
                UNION ALL SELECT company, currency, 'the stored data'
                FROM {work.table("revenue")}
                UNION ALL SELECT company, currency, 'the stored data'
                FROM {work.table("reported_totals")})
            GROUP BY company),
        first_in_file AS (
            SELECT company, arg_min(currency, row_number) AS currency,
                   min(row_number) AS first_row
            FROM {staged.table} GROUP BY company),
        reference AS (
            SELECT f.company, coalesce(s.currency, f.currency) AS currency,
                   CASE WHEN s.currency IS NULL THEN 'row ' || f.first_row
                        ELSE s.origin END AS origin
            FROM first_in_file f LEFT JOIN stored s USING (company))
        SELECT i.row_number, i.company, r.origin, r.currency, i.currency
        FROM {staged.table} i JOIN reference r USING (company)
        WHERE i.currency <> r.currency ORDER BY i.row_number LIMIT 1""").fetchall()
    if found:
        row, company, origin, first, currency = found[0]
        raise InputError(
            f"mixed currencies for {company}: {origin} is in {first}, this row is in {currency}",
            staged.location(row, "currency"),
        )


def check_declared_currency(work: WorkingSet, staged: StagedFile) -> None:
    """A company's declared currency is that of its stored figures."""
    found = work.connection.execute(f"""
        SELECT i.row_number, i.company, i.currency, s.currency
        FROM {staged.table} i
        JOIN (SELECT company, min(currency) AS currency FROM (
                  SELECT company, currency FROM {work.table("revenue")}
                  UNION ALL SELECT company, currency FROM {work.table("reported_totals")})
              GROUP BY company) s USING (company)
        WHERE i.currency <> s.currency ORDER BY i.row_number LIMIT 1""").fetchall()
    if found:
        row, company, declared, stored = found[0]
        raise InputError(
            f"{company}'s stored figures are in {stored}, not {declared}: declare "
            f"{stored} (or re-ingest the figures in {declared})",
            staged.location(row, "currency"),
        )


def check_stated_period_ends(work: WorkingSet, staged: StagedFile) -> None:
    """A period end the file states is the label's in its company's calendar (dated by
    periods.py): the check that catches a fiscal year named by the year it starts in (FY2024 =
    April 2024 to March 2025)."""
    dates = work.period_dates(
        f"SELECT company, period FROM {staged.table} WHERE {STAGED_PERIOD_END} IS NOT NULL"
    )
    found = work.connection.execute(f"""
        SELECT i.row_number, i.company, i.period, i.{STAGED_PERIOD_END}, d.period_end,
               m.year_end_month
        FROM {staged.table} i
        JOIN ({work.year_end_months()}) m USING (company)
        JOIN {dates} d ON d.period = i.period AND d.year_end_month = m.year_end_month
        WHERE i.{STAGED_PERIOD_END} <> d.period_end
        ORDER BY i.row_number LIMIT 1""").fetchall()
    if found:
        row, company, period, stated, expected, month = found[0]
        calendar = (
            "calendar years (no fiscal_year_end in companies)"
            if month == 12
            else f"fiscal years ending in month {month}, named by the year they end in"
        )
        raise InputError(
            f"{period} of {company} ends on {expected} in its calendar ({calendar}),"
            f" not {stated}: check the label, or the company's fiscal_year_end",
            staged.location(row, STATED_PERIOD_END),
        )


def check_counterparties_known(work: WorkingSet, staged: StagedFile) -> None:
    """Every counterparty a revenue row names is in its company's counterparties table."""
    known = work.table("counterparties")
    found = work.connection.execute(f"""
        SELECT i.row_number, i.company, i.counterparty,
               (SELECT list_sort(list(counterparty)) FROM {known} k WHERE k.company = i.company)
        FROM {staged.table} i
        WHERE i.counterparty IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {known} k
            WHERE k.company = i.company AND k.counterparty = i.counterparty)
        ORDER BY i.row_number LIMIT 1""").fetchall()
    if found:
        row, company, name, names = found[0]
        raise InputError(
            f"unknown counterparty '{name}' for {company}: ingest it first with "
            f"`analytics ingest FILE --table counterparties` (known: "
            f"{', '.join(names or [])})",
            staged.location(row, "counterparty"),
        )
