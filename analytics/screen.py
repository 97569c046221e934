"""A set-based screen for `analytics validate`: which companies might break an invariant.

One DuckDB pass over every table (memory-limited, spilling to a private folder) finds the
companies any invariant of validate.py could flag; only those are loaded and checked in Python,
which stays the one definition of each violation's message. The screen may flag more than
validate.py reports, never less: a company it passes has no violation.
"""

from __future__ import annotations

from pathlib import Path

from analytics.periods import FIRST_YEAR, LAST_YEAR
from analytics.schema import COUNTERPARTY_CLASSES, TABLES

_CLASSES = ", ".join(f"'{c}'" for c in COUNTERPARTY_CLASSES)
_REMAINDERS = "('stream_remainder', 'total_remainder')"


def _duplicates(name: str) -> str:
    grain = ", ".join(TABLES[name].grain)
    return f"SELECT company FROM {name} GROUP BY {grain} HAVING count(*) > 1"


def _bad_periods(name: str) -> str:
    """A label that is not `YYYY` or `YYYYQn` in range, or dates and kind that do not match it."""
    return f"""
        SELECT company FROM {name}
        WHERE CASE WHEN coalesce(regexp_full_match(period, '[0-9]{{4}}(Q[1-4])?'), false)
                     AND period[1:4]::INTEGER BETWEEN {FIRST_YEAR} AND {LAST_YEAR}
                   THEN period_kind IS DISTINCT FROM
                            CASE WHEN length(period) = 4 THEN 'year' ELSE 'quarter' END
                        OR period_start IS DISTINCT FROM period_start_of(period)
                        OR period_end IS DISTINCT FROM period_end_of(period)
                   ELSE true END"""


SCREENS = [
    *(_duplicates(name) for name in TABLES),
    *(_bad_periods(name) for name in ("revenue", "reported_totals", "kpis")),
    """SELECT company FROM (SELECT company, currency FROM revenue
                           UNION ALL SELECT company, currency FROM reported_totals)
       GROUP BY company
       HAVING count(DISTINCT currency) > 1 OR bool_or(currency IS NULL)""",
    """SELECT r.company FROM revenue r
       WHERE NOT EXISTS (SELECT 1 FROM counterparties c
                         WHERE c.company = r.company AND c.counterparty = r.counterparty)""",
    f"""SELECT t.company FROM reported_totals t
        JOIN revenue l ON l.company = t.company AND l.period = t.period
                      AND (t.stream = 'total' OR l.stream = t.stream)
        GROUP BY t.company, t.period, t.stream, t.amount, t.precision
        HAVING abs(sum(l.amount) - t.amount) > coalesce(t.precision, 0) + coalesce(
            sum(l.precision) FILTER (WHERE l.derivation IS NULL
                                        OR l.derivation NOT IN {_REMAINDERS}), 0)""",
    """WITH printed AS (SELECT * FROM reported_totals WHERE NOT coalesce(derived, false))
       SELECT y.company FROM printed y
       JOIN printed q ON q.company = y.company AND q.stream = y.stream AND length(y.period) = 4
                     AND q.period IN (y.period || 'Q1', y.period || 'Q2', y.period || 'Q3',
                                      y.period || 'Q4')
       GROUP BY y.company, y.period, y.stream, y.amount, y.precision
       HAVING count(DISTINCT q.period) = 4
          AND abs(sum(q.amount) - y.amount) > coalesce(y.precision, 0)
                                              + coalesce(sum(q.precision), 0)""",
    """SELECT l.company FROM revenue l
       LEFT JOIN reported_totals t ON t.company = l.company AND t.period = l.period
                                  AND t.stream = 'total'
       WHERE l.amount < 0
          OR l.amount > t.amount + coalesce(t.precision, 0) + coalesce(l.precision, 0)""",
    f"""SELECT company FROM counterparties
        WHERE coalesce(counterparty_class, '') NOT IN ({_CLASSES})""",
    """SELECT company FROM partnerships
       WHERE end_date < start_date OR stake_percent < 0 OR stake_percent > 100""",
]


def suspect_companies(folder: Path) -> set[str]:
    """Every company some invariant might flag (a superset of those validate.py flags)."""
    from analytics.engine import connect

    connection = connect(folder, sandboxed=False)
    try:
        union = "\nUNION\n".join(f"({screen})" for screen in SCREENS)
        return {row[0] for row in connection.sql(union).fetchall()}
    finally:
        connection.close()
