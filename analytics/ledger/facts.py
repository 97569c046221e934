"""From the checked aggregate to revenue facts in the documented ingest format, as a CSV.

Leaves per period x stream x counterparty, each stream's printed total and `total`, exact to the
cent; ingest is then the one door that validates and commits them. A grain an earlier rollup of
this company wrote for a recomputed period, and which the ledger no longer has, is written as 0,
so a corrected ledger replaces its old figures instead of leaving them to contradict the new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import periods
from analytics.ledger.definition import PeriodKind
from analytics.ledger.duckdb_engine import first_row
from analytics.periods import CALENDAR_YEAR_END
from analytics.store.schema import TOTAL_COUNTERPARTY, TOTAL_STREAM
from analytics.text import for_terminal, shorten

if TYPE_CHECKING:
    import duckdb

#: How every fact's source starts: how a later rollup recognises the figures a ledger wrote.
SOURCE_PREFIX = "ledger "
INGEST_COLUMNS = (
    "company",
    "period",
    "stream",
    "counterparty",
    "amount",
    "currency",
    "unit",
    "source",
    "precision",
    "note",
)
GONE_NOTE = "no transactions in the ledger any more"


@dataclass(frozen=True)
class Coverage:
    """What the rows read span: how many, first and last booking, and their one source if any."""

    transactions: int
    first_booked: date
    last_booked: date
    ledger_source: str | None

    def partial_note(self) -> str:
        return f"partial period: ledger covers {self.first_booked} to {self.last_booked}"


@dataclass(frozen=True)
class Facts:
    """The facts written to the CSV: periods in order, those only partly covered, row count."""

    periods: tuple[str, ...]
    partial_periods: tuple[str, ...]
    rows: int


def stored_currency(db: duckdb.DuckDBPyConnection, company: str) -> str | None:
    row = first_row(
        db,
        "SELECT currency FROM revenue_of($company) UNION "
        "SELECT currency FROM reported_totals_of($company) LIMIT 1",
        {"company": company},
    )
    return None if row is None else str(row[0])


def coverage(db: duckdb.DuckDBPyConnection, ledger_source: str | None) -> Coverage:
    """What the aggregate spans, with the rows' one source (None when they say several)."""
    row = first_row(db, "SELECT SUM(transactions), MIN(first_booked), MAX(last_booked) FROM ledger_aggregate")
    assert row is not None and row[0], "check_rows refuses an empty ledger first"
    transactions, first, last = row
    return Coverage(int(transactions), first, last, ledger_source)


def source_text(ledger: str, cover: Coverage) -> str:
    """`ledger <path>, <n> transactions, booked <first> to <last>`, plus the rows' own source."""
    text = (
        f"{SOURCE_PREFIX}{for_terminal(shorten(ledger, 500))}, {cover.transactions:,} "
        f"transactions, booked {cover.first_booked} to {cover.last_booked}"
    )
    if cover.ledger_source:
        text += f" ({for_terminal(shorten(cover.ledger_source, 500))})"
    return text


def year_end_month(db: duckdb.DuckDBPyConnection, company: str) -> int:
    """The month the company's fiscal year ends in (`companies.fiscal_year_end`, else 12)."""
    (year_end,) = first_row(
        db, "SELECT any_value(fiscal_year_end) FROM companies_of($company)", {"company": company}
    ) or (None,)
    return CALENDAR_YEAR_END if year_end is None else periods.year_end_month(str(year_end))


def _label_periods(db: duckdb.DuckDBPyConnection, kind: PeriodKind) -> None:
    """The table `ledger_periods`: each period the aggregate holds, labelled in the company's
    fiscal calendar by periods.period_of (views.sql's `period_label` is the same rule, held
    equal by a test): a few dozen rows, labelled in Python so the session needs no views.sql."""
    starts = [
        start
        for (start,) in db.execute(
            "SELECT DISTINCT period_start FROM ledger_aggregate WHERE period_start IS NOT NULL"
        ).fetchall()
    ]
    labels = [periods.period_of(start, kind.name, kind.year_end_month).label for start in starts]
    db.execute(
        "CREATE OR REPLACE TEMP TABLE ledger_periods AS SELECT "
        "unnest(CAST($starts AS DATE[])) AS period_start, "
        "unnest(CAST($labels AS VARCHAR[])) AS period",
        {"starts": starts, "labels": labels},
    )


def _facts_sql(kind: PeriodKind) -> str:
    """The facts of the aggregate's periods, labelled in the company's fiscal calendar
    (`ledger_periods`, _label_periods)."""
    return f"""
CREATE OR REPLACE TEMP TABLE ledger_facts AS
WITH leaves AS (
  SELECT period_start, stream, counterparty, SUM(amount) AS amount
  FROM ledger_aggregate GROUP BY ALL
), figures AS (
  SELECT * FROM leaves
  UNION ALL SELECT period_start, stream, '{TOTAL_COUNTERPARTY}', SUM(amount) FROM leaves GROUP BY ALL
  UNION ALL SELECT period_start, '{TOTAL_STREAM}', '{TOTAL_COUNTERPARTY}', SUM(amount)
    FROM leaves GROUP BY ALL
), labelled AS (
  SELECT period, period_start,
    CAST(period_start + INTERVAL {kind.months} MONTH - INTERVAL 1 DAY AS DATE) AS period_end,
    stream, counterparty, amount, NULL AS gone
  FROM figures JOIN ledger_periods USING (period_start)
), earlier AS (
  SELECT period, stream, counterparty FROM revenue_of($company)
  WHERE period_kind = $kind AND NOT derived AND starts_with(source, $prefix)
  UNION SELECT period, stream, '{TOTAL_COUNTERPARTY}' FROM reported_totals_of($company)
  WHERE period_kind = $kind AND NOT derived AND starts_with(source, $prefix)
), gone AS (
  SELECT period, stream, counterparty FROM earlier
  WHERE period IN (SELECT period FROM labelled)
  EXCEPT SELECT period, stream, counterparty FROM labelled
), every AS (
  SELECT * FROM labelled
  UNION ALL SELECT g.period, p.period_start, p.period_end, g.stream, g.counterparty,
    CAST(0 AS DECIMAL(38, 2)), true
  FROM gone AS g JOIN (SELECT DISTINCT period, period_start, period_end FROM labelled) AS p
    USING (period)
)
SELECT $company AS company, period, stream, counterparty, amount, $currency AS currency,
  'units' AS unit, $source AS source, CAST(0 AS DECIMAL(18, 2)) AS precision,
  CASE WHEN gone THEN '{GONE_NOTE}' WHEN partial THEN $partial END AS note,
  period_start, partial
FROM (SELECT *, period_start < $first OR period_end > $last AS partial FROM every)
"""


def write_csv(
    db: duckdb.DuckDBPyConnection, path: Path, company: str, kind: PeriodKind, source: str, cover: Coverage
) -> Facts:
    """Build the facts from `ledger_aggregate` and write them to `path` in the revenue format,
    labelled in `kind`'s fiscal calendar."""
    (currency,) = first_row(db, "SELECT upper(any_value(currency)) FROM ledger_aggregate") or (None,)
    _label_periods(db, kind)
    db.execute(
        _facts_sql(kind),
        {
            "company": company,
            "kind": kind.name,
            "prefix": SOURCE_PREFIX,
            "currency": currency,
            "source": source,
            "first": cover.first_booked,
            "last": cover.last_booked,
            "partial": cover.partial_note(),
        },
    )
    ordered = (
        f"SELECT {', '.join(INGEST_COLUMNS)} FROM ledger_facts ORDER BY period_start, "
        f"stream = '{TOTAL_STREAM}', stream, counterparty = '{TOTAL_COUNTERPARTY}' DESC, "
        "counterparty"
    )
    db.sql(ordered).write_csv(str(path), header=True)
    periods = db.execute(
        "SELECT period, bool_or(partial) FROM ledger_facts "
        "GROUP BY period, period_start ORDER BY period_start"
    ).fetchall()
    (rows,) = first_row(db, "SELECT count(*) FROM ledger_facts") or (0,)
    return Facts(tuple(p for p, _ in periods), tuple(p for p, partial in periods if partial), int(rows))
