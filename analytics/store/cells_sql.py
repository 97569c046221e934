"""The cell rules (cell_rules.py) for the common case, as DuckDB SQL over a staged file: the fast path.

A revenue row whose every cell is in the plain shape filings produce (`2016Q1`, `1,234.5`,
`millions`, `USD`, names without control characters) is typed here, set-based, in one pass.
Every other row, bad or merely unusual (`2016 - Q1`, `1.5e3`, `+5`), is left to parse.py, row
by row, which stays the one definition of what a cell means and of every error message. So
this module may only ever accept less than parse.py, never more or differently: the property
test in tests/test_cells_sql.py holds the two to the same typed values. The columns come from
the schema, each by its `Column.rule`, as in records.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics.periods import FIRST_YEAR, LAST_YEAR
from analytics.sql.sandbox import sql_literal
from analytics.store.cell_rules import STAGED_PERIOD_END
from analytics.store.parse import MAX_TEXT_LENGTH, UNIT_MULTIPLIERS
from analytics.store.records import FORMATS
from analytics.store.schema import AS_REPORTED, TOTAL_COUNTERPARTY, TOTAL_STREAM
from analytics.text import CONTROL_CLASS_RE2, FREE_TEXT_CONTROL_CLASS_RE2, MAX_NAME_LENGTH

#: Powers of ten of the units parse.py knows (`thousands` -> 3).
_UNIT_POWERS = {name: len(str(int(value))) - 1 for name, value in UNIT_MULTIPLIERS.items()}
#: The plain number shape: digits with optional comma thousands, an optional decimal part.
_PLAIN_NUMBER = r"([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?"
#: Digits an amount keeps before the point (DECIMAL(18,2)).
_AMOUNT_DIGITS = 16
_TRUE, _FALSE = ("true", "yes", "1", "y"), ("false", "no", "0", "n")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_literal(v) for v in values) + ")"


def name_ok(cell: str) -> str:
    """A required name: not empty, at most MAX_NAME_LENGTH characters, no control character."""
    return (
        f"({cell} <> '' AND length({cell}) <= {MAX_NAME_LENGTH} "
        f"AND NOT regexp_matches({cell}, {sql_literal(CONTROL_CLASS_RE2)}))"
    )


def free_text_ok(cell: str) -> str:
    """Optional free text: at most MAX_TEXT_LENGTH characters, tabs and line breaks only."""
    return (
        f"(length({cell}) <= {MAX_TEXT_LENGTH} "
        f"AND NOT regexp_matches({cell}, {sql_literal(FREE_TEXT_CONTROL_CLASS_RE2)}))"
    )


def period_sql(cell: str) -> dict[str, str]:
    """`2016Q1`, `2016-Q1`, `2016q1`, `2016H1`, `2016`, `FY2016` with the year in range: the
    condition, and the label, kind and calendar-year dates of the period (ingest re-dates it in
    its company's fiscal calendar)."""
    year = f"TRY_CAST(regexp_extract({cell}, '^(FY)?([0-9]{{4}})', 2) AS INTEGER)"
    letter = f"upper(regexp_extract({cell}, '([QqHh])[0-9]$', 1))"
    part = f"TRY_CAST(regexp_extract({cell}, '[QqHh]([0-9])$', 1) AS INTEGER)"
    is_part = f"regexp_full_match({cell}, '[0-9]{{4}}-?([Qq][1-4]|[Hh][12])')"
    ok = (
        f"((regexp_full_match({cell}, '(FY)?[0-9]{{4}}') OR {is_part}) "
        f"AND {year} BETWEEN {FIRST_YEAR} AND {LAST_YEAR})"
    )
    months = f"CASE WHEN NOT {is_part} THEN 12 WHEN {letter} = 'H' THEN 6 ELSE 3 END"
    start = f"make_date({year}, CASE WHEN {is_part} THEN {months} * ({part} - 1) + 1 ELSE 1 END, 1)"
    return {
        "ok": ok,
        "period": f"CASE WHEN {is_part} THEN {year}::VARCHAR || {letter} || {part}::VARCHAR "
        f"ELSE {year}::VARCHAR END",
        "period_kind": f"CASE WHEN NOT {is_part} THEN 'year' WHEN {letter} = 'H' THEN 'half' "
        "ELSE 'quarter' END",
        "period_start": start,
        "period_end": f"({start} + to_months({months}) - INTERVAL 1 DAY)::DATE",
    }


def unit_power(cell: str) -> str:
    """The power of ten of a known unit, NULL for anything else."""
    cases = " ".join(f"WHEN {sql_literal(name)} THEN {power}" for name, power in _UNIT_POWERS.items())
    return f"CASE WHEN regexp_full_match({cell}, '[A-Za-z]+') THEN CASE lower({cell}) {cases} END END"


def amount_sql(cell: str, power: str) -> dict[str, str]:
    """A plain non-negative number times 10^power, exact to the cent and within DECIMAL(18,2):
    the condition, the amount (shifted as text, never through a float or a rounding) and the
    precision its printed digits imply (half the last digit, rounded half-even to the cent)."""
    whole = f"replace(split_part({cell}, '.', 1), ',', '')"
    fraction = f"split_part({cell}, '.', 2)"
    significant = f"length(rtrim({fraction}, '0'))"
    is_zero = f"(ltrim({whole}, '0') = '' AND rtrim({fraction}, '0') = '')"
    ok = (
        f"(regexp_full_match({cell}, {sql_literal(_PLAIN_NUMBER)}) "
        f"AND length(ltrim({whole}, '0')) + {power} <= {_AMOUNT_DIGITS} "
        f"AND ({significant} <= {power} + 2 OR {is_zero}))"
    )
    digits = f"({whole} || rpad({fraction}, greatest(length({fraction}), {power})::INTEGER, '0'))"
    units = f"left({digits}, length({whole}) + {power})"
    cents = f"left(substr({digits}, length({whole}) + {power} + 1) || '00', 2)"
    half_digit = f"({power} - length({fraction}) - 1)"
    return {
        "ok": ok,
        "amount": f"CAST(coalesce(nullif(ltrim({units}, '0'), ''), '0') || '.' || {cents} AS DECIMAL(18,2))",
        "precision": f"CASE WHEN {half_digit} >= 0 THEN CAST('5' || repeat('0', {half_digit}) "
        f"AS DECIMAL(18,2)) WHEN {half_digit} = -1 THEN 0.50::DECIMAL(18,2) "
        f"WHEN {half_digit} = -2 THEN 0.05::DECIMAL(18,2) "
        "ELSE 0.00::DECIMAL(18,2) END",
    }


def boolean_sql(cell: str) -> dict[str, str]:
    """true/yes/1/y or false/no/0/n in any case, empty meaning false."""
    text = f"lower(coalesce(nullif({cell}, ''), 'false'))"
    return {
        "ok": f"(regexp_full_match(coalesce(nullif({cell}, ''), 'false'), '[A-Za-z01]+') "
        f"AND {text} IN {_in(_TRUE + _FALSE)})",
        "value": f"({text} IN {_in(_TRUE)})",
    }


def date_sql(cell: str) -> dict[str, str]:
    """An optional day `YYYY-MM-DD` (a real date, the year in range), empty meaning NULL."""
    day = f"TRY_CAST({cell} AS DATE)"
    return {
        "ok": f"({cell} = '' OR (regexp_full_match({cell}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        f" AND {day} IS NOT NULL AND year({day}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR}))",
        "value": f"CASE WHEN {cell} <> '' THEN {day} END",
    }


#: The SQL of a cell rule (schema `Column.rule`): (cells, column) -> (condition, {field: value}).
SqlRule = Callable[["Cells", str], tuple[str, dict[str, str]]]


@dataclass(frozen=True)
class Cells:
    """A staged file's text cells: `cell(name)` is a format column's SQL ('' when the file has
    no such column)."""

    cell: Callable[[str], str]
    file_name: str

    def unit_power(self) -> str:
        return unit_power(self.cell("unit"))


def _one(ok: Callable[[str], str], value: Callable[[str], str]) -> SqlRule:
    """A rule filling its own column: `ok(cell)` and `value(cell)`."""
    return lambda cells, column: (ok(cells.cell(column)), {column: value(cells.cell(column))})


def _typed(sql: Callable[[str], dict[str, str]], field: str | None = None) -> SqlRule:
    """A rule from a {"ok", "value"} builder, filling its column (or `field`)."""

    def rule(cells: Cells, column: str) -> tuple[str, dict[str, str]]:
        typed = sql(cells.cell(column))
        return typed["ok"], {field or column: typed["value"]}

    return rule


def _period(cells: Cells, column: str) -> tuple[str, dict[str, str]]:
    period = period_sql(cells.cell(column))
    return period.pop("ok"), period


def _amount(cells: Cells, column: str) -> tuple[str, dict[str, str]]:
    amount = amount_sql(cells.cell(column), cells.unit_power())
    return amount["ok"], {column: amount["amount"]}


def _amount_precision(cells: Cells, column: str) -> tuple[str, dict[str, str]]:
    """The precision given, else the one the printed amount implies."""
    given = amount_sql(cells.cell(column), cells.unit_power())
    printed = amount_sql(cells.cell("amount"), cells.unit_power())
    cell = cells.cell(column)
    return (
        f"({cell} = '' OR {given['ok']})",
        {column: f"CASE WHEN {cell} = '' THEN {printed['precision']} ELSE {given['amount']} END"},
    )


def _source(cells: Cells, column: str) -> tuple[str, dict[str, str]]:
    cell = cells.cell(column)
    return free_text_ok(cell), {
        column: f"coalesce(nullif({cell}, ''), "
        f"{sql_literal(cells.file_name + ', row ')} "
        "|| row_number::VARCHAR)"
    }


SQL_RULES: dict[str, SqlRule] = {
    "name": _one(name_ok, lambda cell: cell),
    "free_text": _one(free_text_ok, lambda cell: f"nullif({cell}, '')"),
    "source": _source,
    "boolean": _typed(boolean_sql),
    "date": _typed(date_sql),
    "stated_period_end": _typed(date_sql, STAGED_PERIOD_END),
    "period": _period,
    "currency": _one(
        lambda cell: f"({name_ok(cell)} AND regexp_full_match({cell}, '[A-Za-z]{{3}}'))",
        lambda cell: f"upper({cell})",
    ),
    "basis": _one(
        lambda cell: f"({cell} = '' OR {name_ok(cell)})",
        lambda cell: f"coalesce(nullif({cell}, ''), {sql_literal(AS_REPORTED)})",
    ),
    "unit": lambda cells, column: (
        f"({name_ok(cells.cell(column))} AND {unit_power(cells.cell(column))} IS NOT NULL)",
        {},
    ),
    "amount": _amount,
    "amount_precision": _amount_precision,
}


def revenue_select(cell: Callable[[str], str], file_name: str) -> tuple[str, str]:
    """(condition, select list) typing a staged revenue row as records.py's revenue format would:
    each column by its rule's SQL, then the revenue row rules (records._check_revenue and
    _finish_revenue). A plain number is never negative, so no printed total here is either.

    `cell(name)` is the SQL of a format column's text ('' when the file has no such column)."""
    cells = Cells(cell, file_name)
    conditions: list[str] = []
    columns: dict[str, str] = {}
    for column in FORMATS["revenue"].ingest_columns:
        ok, fields = SQL_RULES[column.rule](cells, column.name)
        conditions.append(ok)
        columns |= fields
    is_total = f"lower({cell('counterparty')}) = {sql_literal(TOTAL_COUNTERPARTY)}"
    stream_is_total = f"lower({cell('stream')}) = {sql_literal(TOTAL_STREAM)}"
    conditions += [
        f"NOT ({is_total} AND {columns['one_off']})",
        f"(NOT {columns['split_is_exhaustive']} OR ({is_total} AND NOT {stream_is_total}))",
    ]
    columns |= {
        "stream": f"CASE WHEN {is_total} AND {stream_is_total} THEN {sql_literal(TOTAL_STREAM)} "
        f"ELSE {cell('stream')} END",
        "counterparty": f"CASE WHEN {is_total} THEN NULL ELSE {cell('counterparty')} END",
        "derivation": f"CASE WHEN {columns['derived']} THEN 'source' END",
    }
    condition = " AND ".join(conditions)
    return condition, ", ".join(f"{expression} AS {name}" for name, expression in columns.items())


def _covered(table: str) -> bool:
    """Whether every column of the format has a rule in SQL: else its rows take the row rules."""
    return all(column.rule in SQL_RULES for column in FORMATS[table].ingest_columns)


#: The formats with a fast path: its (condition, select list) builder. A column whose rule has
#: no SQL yet sends every row of its format to the row builder: slower, never different.
FAST_PATHS: dict[str, Callable[[Callable[[str], str], str], tuple[str, str]]] = (
    {
        "revenue": revenue_select,
    }
    if _covered("revenue")
    else {}
)
