"""Remainders: the leaves and totals that follow arithmetically from printed figures.

Filings print a stream total and some of its parts, or a year and three of its quarters. The
rest is a figure too, marked derived, so leaves always add up to the total. Nothing here guesses:
a remainder exists only where a printed total bounds it. Parts larger than their total leave a
negative remainder: a loss or contra-revenue the filing does not itemise, a line like any other
(`analytics validate` warns about it, so a typo does not pass unseen).

Set-based: three statements over the revenue and reported_totals tables of a working set, for
every company in it at once. The tolerance of a figure built from others is the sum of their
printed roundings (`precision`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.sql.period_dates import create_period_parts
from analytics.store.schema import TOTAL_STREAM, UNATTRIBUTED
from analytics.store.vintages import UNKNOWN_DATE, create_state_views

if TYPE_CHECKING:
    import duckdb

TOOL_DERIVATIONS = ("printed_total", "stream_remainder", "total_remainder", "fiscal_year_remainder")
_TOOL = "(" + ", ".join(f"'{d}'" for d in TOOL_DERIVATIONS) + ")"
_TOTAL, _UNATTRIBUTED = f"'{TOTAL_STREAM}'", f"'{UNATTRIBUTED}'"
#: A remainder is stamped with the publication date of the state it was derived from (shown
#: until vintages.mark_shown says otherwise).
_REPORTED_ON = f"nullif(snapshot, {UNKNOWN_DATE}) AS reported_on, true AS shown"
#: Rows one batch of companies holds while its remainders are derived: a universe of thousands
#: of companies is derived a slice at a time, within the memory and spill limits.
BATCH_ROWS = 2_000_000


def _sorted_joined(values: str, separator: str) -> str:
    """Distinct non-NULL values, sorted by code point, joined: like Python's sorted(set(...))."""
    return f"array_to_string(list_sort(list_distinct({values})), '{separator}')"


#: A period's total revenue = the total of the fiscal year (or half) it is part of minus the
#: other parts, when exactly one part is missing and the rest is positive: a quarter from its
#: year and three quarters, a half from its year and the other half, a quarter from its half
#: and the other quarter (the half's, when both could give it: less rounding). The parts of a
#: whole are `{parts}` (periods.py's, sql/period_dates.py): no label is parsed here. Undated
#: here: WorkingSet.date_periods dates them in the company's calendar with every other row.
FISCAL_YEAR_REMAINDERS = f"""
INSERT INTO {{totals}} BY NAME
WITH grand AS (SELECT * FROM {{totals_state}} WHERE stream = {_TOTAL}),
splits(whole_kind, part_kind, other) AS (
    VALUES ('year', 'quarter', 'the other three quarters'),
           ('year', 'half', 'the other half'),
           ('half', 'quarter', 'the other quarter')),
wholes AS (
    SELECT y.company, y.basis, y.snapshot, y.period AS whole, y.period_kind AS whole_kind,
           sp.part_kind, sp.other, y.amount AS whole_amount, y.currency,
           coalesce(y.precision, 0) AS whole_precision, y.source AS whole_source, pp.part
    FROM grand y JOIN splits sp ON sp.whole_kind = y.period_kind
    JOIN {{parts}} pp ON pp.whole = y.period AND pp.part_kind = sp.part_kind),
slots AS (
    SELECT w.*, q.amount AS q_amount, q.precision AS q_precision, q.source AS q_source
    FROM wholes w
    LEFT JOIN grand q ON q.company = w.company AND q.basis = w.basis
                     AND q.snapshot = w.snapshot AND q.period = w.part),
remainders AS (
    SELECT company, basis, snapshot, whole, whole_kind, part_kind, other, whole_amount,
           currency, whole_precision, whole_source,
           any_value(part) FILTER (WHERE q_amount IS NULL) AS period,
           whole_amount - sum(q_amount) AS amount,
           whole_precision + coalesce(sum(q_precision), 0) AS precision,
           list(q_source) AS sources
    FROM slots
    GROUP BY company, basis, snapshot, whole, whole_kind, part_kind, other, whole_amount,
             currency, whole_precision, whole_source
    HAVING count(*) FILTER (WHERE q_amount IS NULL) = 1 AND whole_amount - sum(q_amount) > 0)
SELECT company, period, part_kind AS period_kind, NULL::DATE AS period_start,
       NULL::DATE AS period_end, {_TOTAL} AS stream, amount, currency, precision,
       true AS derived, 'fiscal_year_remainder' AS derivation, basis, {_REPORTED_ON},
       'derived: ' || CASE WHEN whole_kind = 'year' THEN 'FY' ELSE '' END || whole
           || ' total minus ' || other || ' ('
           || {_sorted_joined("list_append(sources, whole_source)", "; ")} || ')' AS source,
       NULL AS note
FROM remainders
QUALIFY row_number() OVER (PARTITION BY company, basis, snapshot, period
                           ORDER BY whole_kind = 'half' DESC) = 1
"""

#: Per printed stream total: an unsplit total becomes one `unattributed` leaf; otherwise what
#: its printed parts leave (beyond their rounding) goes to `related_parties` where the filing
#: splits the stream into third and related parties completely (`split_is_exhaustive`) and the
#: third parties are printed, else to `unattributed`; a negative rest (parts above their total)
#: always to `unattributed`: whose loss it is, nobody says.
STREAM_REMAINDERS = f"""
INSERT INTO {{revenue}} BY NAME
WITH parts AS (
    SELECT t.company, t.period, t.period_kind, t.period_start, t.period_end, t.stream,
           t.amount AS total, t.currency, coalesce(t.precision, 0) AS total_precision,
           t.source AS total_source, t.note AS total_note, t.basis, t.snapshot,
           coalesce(t.split_is_exhaustive, false) AS exhaustive, count(l.amount) AS n,
           sum(l.amount) AS parts_sum,
           coalesce(sum(l.precision), 0) AS parts_precision,
           list(l.counterparty) AS counterparties, list(l.source) AS sources,
           list(l.stream || '/' || l.counterparty) AS named
    FROM {{totals_state}} t
    LEFT JOIN {{revenue_state}} l ON l.company = t.company AND l.period = t.period
                                AND l.stream = t.stream AND l.basis = t.basis
                                AND l.snapshot = t.snapshot
    WHERE t.stream <> {_TOTAL}
    GROUP BY ALL),
remainders AS (
    SELECT *, CASE WHEN exhaustive AND list_contains(counterparties, 'third_parties')
                        AND total > parts_sum
                   THEN 'related_parties' ELSE {_UNATTRIBUTED} END AS rest_to
    FROM parts)
SELECT company, period, period_kind, period_start, period_end, stream,
       CASE WHEN n = 0 THEN {_UNATTRIBUTED} ELSE rest_to END AS counterparty,
       CASE WHEN n = 0 THEN total ELSE total - parts_sum END AS amount, currency,
       total_precision + parts_precision AS precision, n > 0 AS derived,
       CASE WHEN n = 0 THEN 'printed_total' ELSE 'stream_remainder' END AS derivation,
       false AS one_off, basis, {_REPORTED_ON},
       CASE WHEN n = 0 THEN total_source
            ELSE 'derived: ' || stream || ' total minus ' || {_sorted_joined("named", ", ")}
                 || ' (' || {_sorted_joined("list_append(sources, total_source)", "; ")}
                 || ')' END AS source,
       CASE WHEN n = 0 THEN total_note END AS note
FROM remainders
WHERE n = 0 OR (abs(total - parts_sum) > total_precision + parts_precision
                AND NOT list_contains(counterparties, rest_to))
"""

#: Total revenue minus every leaf (stream remainders included): the rest goes to stream
#: `unattributed`, unless one is already there; a total with no leaves at all becomes one.
#: Its rounding: the total's, plus per stream the printed stream total's where the stream's
#: leaves were completed to it (they then sum to it exactly), else its leaves' own.
TOTAL_REMAINDERS = f"""
INSERT INTO {{revenue}} BY NAME
WITH streams AS (
    SELECT l.company, l.basis, l.snapshot, l.period, l.stream, count(*) AS n,
           sum(l.amount) AS amount,
           CASE WHEN bool_or(l.derivation IN ('stream_remainder', 'printed_total'))
                THEN coalesce(any_value(s.precision), 0)
                ELSE coalesce(sum(l.precision), 0) END AS rounding,
           list(l.source) AS sources, list(l.stream || '/' || l.counterparty) AS named
    FROM {{revenue_state}} l
    LEFT JOIN {{totals_state}} s ON s.company = l.company AND s.period = l.period
                                AND s.stream = l.stream AND s.basis = l.basis
                                AND s.snapshot = l.snapshot
    GROUP BY l.company, l.basis, l.snapshot, l.period, l.stream),
parts AS (
    SELECT t.company, t.period, t.period_kind, t.period_start, t.period_end,
           t.amount AS total, t.currency, coalesce(t.precision, 0) AS total_precision,
           t.source AS total_source, t.note AS total_note,
           coalesce(t.derived, false) AS total_derived, t.basis, t.snapshot,
           coalesce(sum(l.n), 0) AS n, sum(l.amount) AS parts_sum,
           coalesce(sum(l.rounding), 0) AS parts_precision,
           coalesce(bool_or(l.stream = {_UNATTRIBUTED}), false) AS has_unattributed,
           flatten(list(l.sources)) AS sources, flatten(list(l.named)) AS named
    FROM {{totals_state}} t
    LEFT JOIN streams l ON l.company = t.company AND l.period = t.period
                       AND l.basis = t.basis AND l.snapshot = t.snapshot
    WHERE t.stream = {_TOTAL}
    GROUP BY ALL)
SELECT company, period, period_kind, period_start, period_end, {_UNATTRIBUTED} AS stream,
       {_UNATTRIBUTED} AS counterparty,
       CASE WHEN n = 0 THEN total ELSE total - parts_sum END AS amount, currency,
       total_precision + parts_precision AS precision,
       CASE WHEN n = 0 THEN total_derived ELSE true END AS derived,
       CASE WHEN n = 0 AND NOT total_derived THEN 'printed_total'
            ELSE 'total_remainder' END AS derivation, false AS one_off, basis, {_REPORTED_ON},
       CASE WHEN n = 0 THEN total_source
            ELSE 'derived: {TOTAL_STREAM} total minus ' || {_sorted_joined("named", ", ")}
                 || ' (' || {_sorted_joined("list_append(sources, total_source)", "; ")}
                 || ')' END AS source,
       CASE WHEN n = 0 THEN total_note END AS note
FROM parts
WHERE n = 0 OR (abs(total - parts_sum) > total_precision + parts_precision
                AND NOT has_unattributed)
"""


def derive(connection: duckdb.DuckDBPyConnection, revenue: str, totals: str) -> None:
    """Recompute every remainder of the companies in `revenue` and `totals` (tables of a
    working set) from their read figures, in place: per company, basis and publication
    snapshot (vintages.py), each from the state of the figures as of that publication; a
    batch of companies (BATCH_ROWS rows) at a time."""
    connection.execute(f"DELETE FROM {revenue} WHERE derivation IN {_TOOL}").fetchall()
    connection.execute(f"DELETE FROM {totals} WHERE derivation IN {_TOOL}").fetchall()
    states = create_state_views(connection, {"revenue": revenue, "reported_totals": totals}, prefix="derive")
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE derive_batches AS
        SELECT company, (sum(rows) OVER (ORDER BY company) - 1) // {BATCH_ROWS} AS batch
        FROM (SELECT company, count(*) AS rows FROM (SELECT company FROM {revenue}
                                                    UNION ALL SELECT company FROM {totals})
              GROUP BY company)""").fetchall()
    batches = [
        row[0]
        for row in connection.execute("SELECT DISTINCT batch FROM derive_batches ORDER BY batch").fetchall()
    ]
    parts = create_period_parts(
        connection, f"SELECT period FROM {totals} WHERE period_kind IN ('year', 'half')"
    )
    for batch in batches:
        of_batch = f"WHERE company IN (SELECT company FROM derive_batches WHERE batch = {int(batch)})"
        names = {
            "{revenue}": revenue,
            "{totals}": totals,
            "{parts}": parts,
            "{revenue_state}": f"(SELECT * FROM {states['revenue']} {of_batch})",
            "{totals_state}": f"(SELECT * FROM {states['reported_totals']} {of_batch})",
        }
        for template in (FISCAL_YEAR_REMAINDERS, STREAM_REMAINDERS, TOTAL_REMAINDERS):
            statement = template
            for placeholder, relation in names.items():  # not str.format: regexes hold braces
                statement = statement.replace(placeholder, relation)
            connection.execute(statement).fetchall()
    for table in ("derive_batches", parts):
        connection.execute(f"DROP TABLE {table}").fetchall()


def derived_by_tool_sql() -> str:
    """The SQL macro telling the rows derive() makes (and remakes) from the read ones."""
    return f"CREATE MACRO derived_by_tool(derivation) AS coalesce(derivation IN {_TOOL}, false)"
