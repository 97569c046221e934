"""A set-based screen for `analytics validate`: which companies might break an invariant.

Set-based DuckDB queries over every table (memory-limited, spilling to a private folder) find
the companies any invariant of validate.py could flag; only those are loaded and checked in Python,
which stays the one definition of each violation's message. The screen may flag more than
validate.py reports, never less: a company it passes has no violation.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.sql.period_dates import PERIOD_DATES, create_period_dates
from analytics.store.derive import BATCH_ROWS
from analytics.store.schema import COUNTERPARTY_CLASSES, PERIOD_TABLES, TABLES
from analytics.store.vintages import STATE_TABLES, create_state_views

if TYPE_CHECKING:
    import duckdb

_CLASSES = ", ".join(f"'{c}'" for c in COUNTERPARTY_CLASSES)
_REMAINDERS = "('stream_remainder', 'total_remainder')"


def _duplicates(name: str) -> str:
    """Rows sharing a grain (in a figure table's state: within one publication snapshot)."""
    grain = ", ".join((*TABLES[name].grain, *(("snapshot",) if name in STATE_TABLES else ())))
    return f"SELECT company FROM {{{name}}} GROUP BY {grain} HAVING count(*) > 1"


def _bad_periods(name: str) -> str:
    """A label that is not `YYYY`, `YYYYHn` or `YYYYQn` in range, or dates and kind that do not
    match it in its company's fiscal calendar (`period_dates`: dated by periods.py)."""
    return f"""
        SELECT t.company FROM {{{name}}} t
        LEFT JOIN {{companies}} c ON c.company = t.company
        LEFT JOIN {PERIOD_DATES} d
               ON d.period = t.period AND d.year_end_month = year_end_month(c.fiscal_year_end)
        WHERE d.period_kind IS NULL OR t.period_kind IS DISTINCT FROM d.period_kind
           OR t.period_start IS DISTINCT FROM d.period_start
           OR t.period_end IS DISTINCT FROM d.period_end"""


SCREENS = [
    *(_duplicates(name) for name in TABLES),
    *(_bad_periods(name) for name in PERIOD_TABLES),
    """SELECT company FROM (SELECT company, currency FROM {revenue}
                           UNION ALL SELECT company, currency FROM {reported_totals})
       GROUP BY company
       HAVING count(DISTINCT currency) > 1 OR bool_or(currency IS NULL)""",
    """SELECT r.company FROM {revenue} r
       WHERE NOT EXISTS (SELECT 1 FROM {counterparties} c
                         WHERE c.company = r.company AND c.counterparty = r.counterparty)""",
    """SELECT d.company FROM {disclosed_shares} d
       WHERE NOT EXISTS (SELECT 1 FROM {counterparties} c WHERE c.company = d.company
                         AND d.partner IN (c.counterparty, c.counterparty_group))""",
    f"""SELECT t.company FROM {{reported_totals}} t
        JOIN {{revenue}} l ON l.company = t.company AND l.period = t.period
                      AND l.basis = t.basis AND l.snapshot = t.snapshot
                      AND (t.stream = 'total' OR l.stream = t.stream)
        GROUP BY t.company, t.basis, t.snapshot, t.period, t.stream, t.amount, t.precision
        HAVING abs(sum(l.amount) - t.amount) > coalesce(t.precision, 0) + coalesce(
            sum(l.precision) FILTER (WHERE l.derivation IS NULL
                                        OR l.derivation NOT IN {_REMAINDERS}), 0)""",
    # A part by its dates (no label parsed): dates that do not match the label are flagged above.
    """WITH printed AS (SELECT * FROM {reported_totals} WHERE NOT coalesce(derived, false))
       SELECT y.company FROM printed y
       JOIN printed q ON q.company = y.company AND q.stream = y.stream
                     AND q.basis = y.basis AND q.snapshot = y.snapshot
                     AND q.period_start >= y.period_start AND q.period_end <= y.period_end
                     AND kind_months(q.period_kind) < kind_months(y.period_kind)
       GROUP BY y.company, y.basis, y.snapshot, y.period, y.period_kind, y.stream, y.amount,
                y.precision, q.period_kind
       HAVING count(DISTINCT q.period) = kind_months(y.period_kind) // kind_months(q.period_kind)
          AND abs(sum(q.amount) - y.amount) > coalesce(y.precision, 0)
                                              + coalesce(sum(q.precision), 0)""",
    """SELECT c.company FROM {companies} c
       WHERE NOT coalesce(regexp_full_match(c.fiscal_year_end, '(0[1-9]|1[0-2])-[0-3][0-9]'),
                          false)
          OR EXISTS (SELECT 1 FROM {revenue} r
                     WHERE r.company = c.company AND r.currency <> c.currency)
          OR EXISTS (SELECT 1 FROM {reported_totals} t
                     WHERE t.company = c.company AND t.currency <> c.currency)""",
    """WITH printed AS (
           SELECT company, period, basis, snapshot, amount, coalesce(precision, 0) AS rounding
           FROM {reported_totals} WHERE stream <> 'total' AND NOT coalesce(derived, false))
       SELECT p.company FROM printed p
       JOIN (SELECT company, period, basis, snapshot, sum(amount) AS everything,
                    sum(rounding) AS rounding, count(*) AS streams
             FROM printed GROUP BY ALL) a USING (company, period, basis, snapshot)
       WHERE a.streams >= 3 AND abs(a.everything - 2 * p.amount) <= a.rounding""",
    f"""SELECT company FROM {{counterparties}}
        WHERE coalesce(counterparty_class, '') NOT IN ({_CLASSES})""",
    """SELECT a.company FROM {counterparties} a
       JOIN {counterparties} b ON a.company = b.company AND a.counterparty = b.counterparty
                              AND a.valid_from IS DISTINCT FROM b.valid_from
       WHERE coalesce(a.valid_from, DATE '0001-01-01') <= coalesce(b.valid_to, DATE '9999-12-31')
         AND coalesce(b.valid_from, DATE '0001-01-01') <= coalesce(a.valid_to, DATE '9999-12-31')""",
    """SELECT company FROM {partnerships}
       WHERE end_date < start_date OR stake_percent < 0 OR stake_percent > 100""",
]


#: Companies validate.warnings may have something to say about: any negative leaf, any
#: disclosed share.
WARNING_SCREEN = "SELECT company FROM {revenue} WHERE amount < 0 UNION SELECT company FROM {disclosed_shares}"


def stored_relations() -> dict[str, str]:
    """The relations of every stored row of a connection's data folder, per table."""
    from analytics.sql.engine import stored_view

    return {name: stored_view(name) for name in TABLES}


def suspects(connection: duckdb.DuckDBPyConnection, relations: Mapping[str, str]) -> set[str]:
    """Every company some invariant might flag (a superset of those validate.py flags), over
    the stored rows in `relations` (table -> relation; the figure tables are screened as their
    publication states, vintages.py). One screen at a time and a batch of companies at a time:
    run together, their hash tables would add up past the memory limit."""
    labels = " UNION ALL ".join(f"SELECT company, period FROM {relations[name]}" for name in PERIOD_TABLES)
    create_period_dates(
        connection,
        f"""
        SELECT t.period, year_end_month(c.fiscal_year_end) AS year_end_month FROM ({labels}) t
        LEFT JOIN {relations["companies"]} c ON c.company = t.company""",
    )
    return _in_batches(connection, relations, SCREENS)


def warned(connection: duckdb.DuckDBPyConnection, relations: Mapping[str, str]) -> set[str]:
    """Every company validate.warnings may warn about, over the same tables as `suspects`."""
    return _in_batches(connection, relations, [WARNING_SCREEN])


def _in_batches(
    connection: duckdb.DuckDBPyConnection, relations: Mapping[str, str], screens: list[str]
) -> set[str]:
    """The companies `screens` flag, each batch of companies (derive.BATCH_ROWS rows of any
    table) screened over its own publication states."""
    every = " UNION ALL ".join(f"SELECT company FROM {relations[name]}" for name in TABLES)
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE screen_batches AS
        SELECT company, (sum(rows) OVER (ORDER BY company) - 1) // {BATCH_ROWS} AS batch
        FROM (SELECT company, count(*) AS rows FROM ({every}) GROUP BY company)""").fetchall()
    batches = [
        row[0]
        for row in connection.execute("SELECT DISTINCT batch FROM screen_batches ORDER BY batch").fetchall()
    ]
    found: set[str] = set()
    for batch in batches:
        scoped = {
            name: relation
            if len(batches) == 1
            else f"(SELECT * FROM {relation} WHERE company IN "
            f"(SELECT company FROM screen_batches WHERE batch = {int(batch)}))"
            for name, relation in relations.items()
        }
        states = create_state_views(connection, scoped, prefix="screen")
        found |= {company for screen in screens for company in _companies(connection, screen, states)}
    return found


def _companies(connection: duckdb.DuckDBPyConnection, sql: str, relations: Mapping[str, str]) -> set[str]:
    for name in TABLES:  # `{revenue}` -> the relation (not str.format: regexes hold braces)
        sql = sql.replace("{" + name + "}", relations[name])
    return {row[0] for row in connection.sql(sql).fetchall()}


def suspect_companies(folder: Path) -> set[str]:
    """`suspects` over what is stored in a data folder."""
    from analytics.sql.engine import connect

    connection = connect(folder, sandboxed=False)
    try:
        return suspects(connection, stored_relations())
    finally:
        connection.close()
