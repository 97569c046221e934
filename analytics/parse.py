"""Parse one cell of user input into a typed value, or raise an InputError naming the cell.

Amounts are parsed as exact decimals from their text; a float never touches money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from analytics.errors import InputError
from analytics.periods import Period, parse_period
from analytics.readers import SourceRow

UNIT_MULTIPLIERS = {
    "units": Decimal(1),
    "unit": Decimal(1),
    "thousands": Decimal(1_000),
    "millions": Decimal(1_000_000),
    "billions": Decimal(1_000_000_000),
}
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")


def text(row: SourceRow, column: str, required: bool = True) -> str | None:
    value = row.cells.get(column, "")
    if required and not value:
        raise InputError("is empty; a value is required", row.where(column))
    return value or None


def required_text(row: SourceRow, column: str) -> str:
    value = text(row, column)
    assert value is not None
    return value


def period(row: SourceRow, column: str = "period") -> Period:
    raw = required_text(row, column)
    parsed = parse_period(raw)
    if parsed is None:
        raise InputError(
            f"unknown period format '{raw}': expected 2016Q1 (a quarter) or 2016 (a fiscal year)",
            row.where(column),
        )
    return parsed


def number(row: SourceRow, column: str) -> Decimal:
    """A non-negative decimal number as typed (thousands separators allowed)."""
    raw = required_text(row, column)
    try:
        value = Decimal(raw.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise InputError(f"'{raw}' is not a number", row.where(column)) from None
    if not value.is_finite():
        raise InputError(f"'{raw}' is not a finite number", row.where(column))
    if value < 0:
        raise InputError(f"negative amount '{raw}': amounts must be zero or more",
                         row.where(column))
    return value


def unit_multiplier(row: SourceRow, column: str = "unit") -> Decimal:
    raw = required_text(row, column).lower()
    if raw not in UNIT_MULTIPLIERS:
        raise InputError(f"unknown unit '{raw}': use units, thousands or millions",
                         row.where(column))
    return UNIT_MULTIPLIERS[raw]


def amount(row: SourceRow, column: str, multiplier: Decimal) -> Decimal:
    """An amount in full currency units, exact to the cent."""
    value = number(row, column) * multiplier
    if value != value.quantize(CENT):
        raise InputError(f"'{row.cells[column]}' is finer than a cent once in full units",
                         row.where(column))
    if value > MAX_AMOUNT:
        raise InputError(f"'{row.cells[column]}' is too large", row.where(column))
    return value.quantize(CENT)


def printed_precision(row: SourceRow, column: str, multiplier: Decimal) -> Decimal:
    """Half of the last printed digit, in full units: 67.5 millions is ±0.05M."""
    exponent = Decimal(row.cells[column].replace(",", "")).as_tuple().exponent
    assert isinstance(exponent, int)
    return (Decimal(5).scaleb(exponent - 1) * multiplier).quantize(CENT)


def currency(row: SourceRow, column: str = "currency") -> str:
    raw = required_text(row, column).upper()
    if len(raw) != 3 or not raw.isalpha():
        raise InputError(f"'{raw}' is not a currency code such as USD or CNY", row.where(column))
    return raw


def iso_date(row: SourceRow, column: str, required: bool = True) -> tuple[date | None, str]:
    """A date as YYYY-MM-DD, or YYYY-MM (month precision, first of the month)."""
    raw = text(row, column, required)
    if raw is None:
        return None, "day"
    try:
        if len(raw) == 7:
            return date.fromisoformat(raw + "-01"), "month"
        return date.fromisoformat(raw), "day"
    except ValueError:
        raise InputError(f"'{raw}' is not a date: use YYYY-MM-DD or YYYY-MM",
                         row.where(column)) from None


def boolean(row: SourceRow, column: str) -> bool:
    raw = (row.cells.get(column) or "false").lower()
    if raw in ("true", "yes", "1", "y"):
        return True
    if raw in ("false", "no", "0", "n"):
        return False
    raise InputError(f"'{raw}' is not true or false", row.where(column))


def choice(row: SourceRow, column: str, allowed: tuple[str, ...]) -> str:
    raw = required_text(row, column).lower()
    if raw not in allowed:
        raise InputError(f"'{raw}' is not one of: {', '.join(allowed)}", row.where(column))
    return raw
