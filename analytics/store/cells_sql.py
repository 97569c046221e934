"""parse.py's cell rules for the common case, as DuckDB SQL over a staged file: the fast path.

A revenue row whose every cell is in the plain shape filings produce (`2016Q1`, `1,234.5`,
`millions`, `USD`, names without control characters) is typed here, set-based, in one pass.
Every other row, bad or merely unusual (`2016 - Q1`, `1.5e3`, `+5`), is left to parse.py, row
by row, which stays the one definition of what a cell means and of every error message. So
this module may only ever accept less than parse.py, never more or differently: the property
test in tests/test_cells_sql.py holds the two to the same typed values.
"""

from __future__ import annotations

from collections.abc import Callable

from analytics.periods import FIRST_YEAR, LAST_YEAR
from analytics.sql.sandbox import sql_literal
from analytics.store.parse import MAX_TEXT_LENGTH, UNIT_MULTIPLIERS
from analytics.store.records import STAGED_PERIOD_END, STATED_PERIOD_END
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
    return (f"({cell} <> '' AND length({cell}) <= {MAX_NAME_LENGTH} "
            f"AND NOT regexp_matches({cell}, {sql_literal(CONTROL_CLASS_RE2)}))")


def free_text_ok(cell: str) -> str:
    """Optional free text: at most MAX_TEXT_LENGTH characters, tabs and line breaks only."""
    return (f"(length({cell}) <= {MAX_TEXT_LENGTH} "
            f"AND NOT regexp_matches({cell}, {sql_literal(FREE_TEXT_CONTROL_CLASS_RE2)}))")


def period_sql(cell: str) -> dict[str, str]:
    """`2016Q1`, `2016-Q1`, `2016q1`, `2016H1`, `2016`, `FY2016` with the year in range: the
    condition, and the label, kind and calendar-year dates of the period (ingest re-dates it in
    its company's fiscal calendar)."""
    year = f"TRY_CAST(regexp_extract({cell}, '^(FY)?([0-9]{{4}})', 2) AS INTEGER)"
    letter = f"upper(regexp_extract({cell}, '([QqHh])[0-9]$', 1))"
    part = f"TRY_CAST(regexp_extract({cell}, '[QqHh]([0-9])$', 1) AS INTEGER)"
    is_part = f"regexp_full_match({cell}, '[0-9]{{4}}-?([Qq][1-4]|[Hh][12])')"
    ok = (f"((regexp_full_match({cell}, '(FY)?[0-9]{{4}}') OR {is_part}) "
          f"AND {year} BETWEEN {FIRST_YEAR} AND {LAST_YEAR})")
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
    cases = " ".join(f"WHEN {sql_literal(name)} THEN {power}" for name, power in
                     _UNIT_POWERS.items())
    return (f"CASE WHEN regexp_full_match({cell}, '[A-Za-z]+') "
            f"THEN CASE lower({cell}) {cases} END END")


def amount_sql(cell: str, power: str) -> dict[str, str]:
    """A plain non-negative number times 10^power, exact to the cent and within DECIMAL(18,2):
    the condition, the amount (shifted as text, never through a float or a rounding) and the
    precision its printed digits imply (half the last digit, rounded half-even to the cent)."""
    whole = f"replace(split_part({cell}, '.', 1), ',', '')"
    fraction = f"split_part({cell}, '.', 2)"
    significant = f"length(rtrim({fraction}, '0'))"
    is_zero = f"(ltrim({whole}, '0') = '' AND rtrim({fraction}, '0') = '')"
    ok = (f"(regexp_full_match({cell}, {sql_literal(_PLAIN_NUMBER)}) "
          f"AND length(ltrim({whole}, '0')) + {power} <= {_AMOUNT_DIGITS} "
          f"AND ({significant} <= {power} + 2 OR {is_zero}))")
    digits = f"({whole} || rpad({fraction}, greatest(length({fraction}), {power})::INTEGER, '0'))"
    units = f"left({digits}, length({whole}) + {power})"
    cents = f"left(substr({digits}, length({whole}) + {power} + 1) || '00', 2)"
    half_digit = f"({power} - length({fraction}) - 1)"
    return {
        "ok": ok,
        "amount": f"CAST(coalesce(nullif(ltrim({units}, '0'), ''), '0') || '.' || {cents} "
                  "AS DECIMAL(18,2))",
        "precision": f"CASE WHEN {half_digit} >= 0 THEN CAST('5' || repeat('0', {half_digit}) "
                     f"AS DECIMAL(18,2)) WHEN {half_digit} = -1 THEN 0.50::DECIMAL(18,2) "
                     f"WHEN {half_digit} = -2 THEN 0.05::DECIMAL(18,2) "
                     "ELSE 0.00::DECIMAL(18,2) END",
    }


def boolean_sql(cell: str) -> dict[str, str]:
    """true/yes/1/y or false/no/0/n in any case, empty meaning false."""
    text = f"lower(coalesce(nullif({cell}, ''), 'false'))"
    return {"ok": f"(regexp_full_match(coalesce(nullif({cell}, ''), 'false'), '[A-Za-z01]+') "
                  f"AND {text} IN {_in(_TRUE + _FALSE)})",
            "value": f"({text} IN {_in(_TRUE)})"}


def date_sql(cell: str) -> dict[str, str]:
    """An optional day `YYYY-MM-DD` (a real date, the year in range), empty meaning NULL."""
    day = f"TRY_CAST({cell} AS DATE)"
    return {"ok": f"({cell} = '' OR (regexp_full_match({cell}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
                  f" AND {day} IS NOT NULL AND year({day}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR}))",
            "value": f"CASE WHEN {cell} <> '' THEN {day} END"}


def revenue_select(cell: Callable[[str], str], file_name: str) -> tuple[str, str]:
    """(condition, select list) typing a staged revenue row as parse.py's revenue_record would.

    `cell(name)` is the SQL of a format column's text ('' when the file has no such column)."""
    power = unit_power(cell("unit"))
    period = period_sql(cell("period"))
    amount = amount_sql(cell("amount"), power)
    given_precision = amount_sql(cell("precision"), power)
    derived = boolean_sql(cell("derived"))
    one_off = boolean_sql(cell("one_off"))
    exhaustive = boolean_sql(cell("split_is_exhaustive"))
    reported_on = date_sql(cell("reported_on"))
    stated_end = date_sql(cell(STATED_PERIOD_END))
    is_total = f"lower({cell('counterparty')}) = {sql_literal(TOTAL_COUNTERPARTY)}"
    source, note = cell("source"), cell("note")
    ok = " AND ".join([
        *(name_ok(cell(c)) for c in ("company", "stream", "counterparty", "unit", "currency")),
        period["ok"], f"{power} IS NOT NULL", amount["ok"],
        f"({cell('precision')} = '' OR {given_precision['ok']})",
        f"regexp_full_match({cell('currency')}, '[A-Za-z]{{3}}')", derived["ok"],
        one_off["ok"], f"NOT ({is_total} AND {one_off['value']})", exhaustive["ok"],
        f"(NOT {exhaustive['value']} OR ({is_total} AND lower({cell('stream')}) <> "
        f"{sql_literal(TOTAL_STREAM)}))",
        f"({cell('basis')} = '' OR {name_ok(cell('basis'))})", reported_on["ok"],
        stated_end["ok"],
        free_text_ok(source), free_text_ok(note),
    ])
    columns = {
        "company": cell("company"),
        **{k: v for k, v in period.items() if k != "ok"},
        "stream": f"CASE WHEN {is_total} AND lower({cell('stream')}) = "
                  f"{sql_literal(TOTAL_STREAM)} THEN {sql_literal(TOTAL_STREAM)} "
                  f"ELSE {cell('stream')} END",
        "counterparty": f"CASE WHEN {is_total} THEN NULL ELSE {cell('counterparty')} END",
        "amount": amount["amount"],
        "currency": f"upper({cell('currency')})",
        "precision": f"CASE WHEN {cell('precision')} = '' THEN {amount['precision']} "
                     f"ELSE {given_precision['amount']} END",
        "derived": derived["value"],
        "derivation": f"CASE WHEN {derived['value']} THEN 'source' END",
        "one_off": one_off["value"],
        "split_is_exhaustive": exhaustive["value"],
        "basis": f"coalesce(nullif({cell('basis')}, ''), {sql_literal(AS_REPORTED)})",
        "reported_on": reported_on["value"],
        STAGED_PERIOD_END: stated_end["value"],
        "source": f"coalesce(nullif({source}, ''), {sql_literal(file_name + ', row ')} "
                  "|| row_number::VARCHAR)",
        "note": f"nullif({note}, '')",
    }
    return ok, ", ".join(f"{expression} AS {name}" for name, expression in columns.items())


#: The formats with a fast path: its (condition, select list) builder.
FAST_PATHS: dict[str, Callable[[Callable[[str], str], str], tuple[str, str]]] = {
    "revenue": revenue_select,
}
