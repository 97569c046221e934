"""Parse one cell of user input into a typed value, or raise an InputError naming the cell.

The one definition of what a cell means (cells_sql.py may only accept less): text and names in
parse_text.py, numbers and amounts in parse_numbers.py, both re-exported here; periods, dates,
codes and choices below. A float never touches money, and names and free text are refused when
they carry control characters or exceed a documented length.
"""

from __future__ import annotations

import re
from datetime import date

from analytics.errors import InputError
from analytics.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    normal_year_end,
    parse_period,
    period_problem,
    year_end_problem,
    year_in_range,
)
from analytics.store.parse_numbers import (
    AMOUNT,
    CENT,
    MAX_AMOUNT,
    SHARE,
    STAKE,
    UNIT_MULTIPLIERS,
    FixedPoint,
    amount,
    double,
    fixed_point,
    number,
    printed_precision,
    share_percent,
    share_precision,
    stake_percent,
    unit_multiplier,
)
from analytics.store.parse_text import (
    MAX_TEXT_LENGTH,
    SHOWN_LENGTH,
    free_text,
    name,
    optional_name,
    required_text,
    shown,
    text,
)
from analytics.store.readers import SourceRow

__all__ = [
    "AMOUNT",
    "CENT",
    "MAX_AMOUNT",
    "MAX_TEXT_LENGTH",
    "SHARE",
    "SHOWN_LENGTH",
    "STAKE",
    "UNIT_MULTIPLIERS",
    "FixedPoint",
    "amount",
    "boolean",
    "choice",
    "currency",
    "double",
    "fiscal_year_end",
    "fixed_point",
    "free_text",
    "iso_date",
    "name",
    "number",
    "optional_name",
    "period",
    "printed_precision",
    "required_text",
    "share_percent",
    "share_precision",
    "shown",
    "stake_percent",
    "text",
    "unit_multiplier",
]

_ISO_DATE = re.compile(r"([0-9]{4})-[0-9]{2}(?:-[0-9]{2})?")


def period(row: SourceRow, column: str = "period") -> Period:
    raw = required_text(row, column)
    problem = period_problem(raw)
    parsed = parse_period(raw)
    if problem is not None or parsed is None:
        raise InputError(f"'{shown(raw)}' is not a valid period: {problem}", row.where(column))
    return parsed


def currency(row: SourceRow, column: str = "currency") -> str:
    raw = name(row, column).upper()
    if len(raw) != 3 or not (raw.isascii() and raw.isalpha()):
        raise InputError(f"'{shown(raw)}' is not a currency code such as USD or CNY", row.where(column))
    return raw


def fiscal_year_end(row: SourceRow, column: str = "fiscal_year_end") -> str:
    """`MM-DD`, the last day of a month (December's when empty), stored as `03-31`."""
    raw = text(row, column, required=False)
    if raw is None:
        return "12-31"
    if (problem := year_end_problem(raw)) is not None:
        raise InputError(f"'{shown(raw)}' is not a fiscal year end: {problem}", row.where(column))
    return normal_year_end(raw)


def iso_date(row: SourceRow, column: str, required: bool = True) -> tuple[date | None, str]:
    """A date as YYYY-MM-DD, or YYYY-MM (month precision, first of the month)."""
    raw = text(row, column, required)
    if raw is None:
        return None, "day"
    match = _ISO_DATE.fullmatch(raw)
    if match and not year_in_range(int(match[1])):
        raise InputError(
            f"'{shown(raw)}': the year must be between {FIRST_YEAR} and {LAST_YEAR}", row.where(column)
        )
    try:
        if match and len(raw) == 7:
            return date.fromisoformat(raw + "-01"), "month"
        if match:
            return date.fromisoformat(raw), "day"
    except ValueError:
        pass
    raise InputError(f"'{shown(raw)}' is not a date: use YYYY-MM-DD or YYYY-MM", row.where(column))


def boolean(row: SourceRow, column: str) -> bool:
    raw = (row.cells.get(column) or "false").lower()
    if raw in ("true", "yes", "1", "y"):
        return True
    if raw in ("false", "no", "0", "n"):
        return False
    raise InputError(f"'{shown(raw)}' is not true or false", row.where(column))


def choice(row: SourceRow, column: str, allowed: tuple[str, ...]) -> str:
    raw = name(row, column).lower()
    if raw not in allowed:
        raise InputError(f"'{shown(raw)}' is not one of: {', '.join(allowed)}", row.where(column))
    return raw
