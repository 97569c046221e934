"""Numeric cells: one grammar for every number, exact decimals, columns of fixed precision.

Amounts are parsed as exact decimals from their text; a float never touches money. Every numeric
cell goes through `number`, so one grammar decides what is unambiguous, and every DECIMAL column
is filled through `fixed_point`, which refuses a value the column would not keep exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from analytics.errors import InputError
from analytics.store.parse_text import name, required_text, shown
from analytics.store.readers import SourceRow

UNIT_MULTIPLIERS = {
    "units": Decimal(1),
    "unit": Decimal(1),
    "thousands": Decimal(1_000),
    "millions": Decimal(1_000_000),
    "billions": Decimal(1_000_000_000),
}
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")

# ASCII digits; thousands separators only as commas between groups of exactly three digits.
_NUMBER = re.compile(
    r"[-+]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
)
_DECIMAL_COMMA = re.compile(r"[-+]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]+")
_NOT_FINITE = ("inf", "infinity", "nan", "snan")


@dataclass(frozen=True)
class FixedPoint:
    """A DECIMAL column as ingest fills it: the largest value it takes and its decimals."""

    largest: Decimal
    scale: int
    too_large: str


AMOUNT = FixedPoint(
    MAX_AMOUNT,
    2,
    "too large for DECIMAL(18,2): the maximum is 9,999,999,999,999,999.99 in full currency units",
)
STAKE = FixedPoint(Decimal(100), 2, "over 100: a stake is a percentage from 0 to 100")
SHARE = FixedPoint(Decimal(100), 4, "over 100: a disclosed share is a percentage from 0 to 100")


def number(row: SourceRow, column: str, allow_negative: bool = False) -> Decimal:
    """A number exactly as typed: the one parser for every numeric cell; zero or more unless
    `allow_negative` (a revenue leaf: a loss, a refund, contra-revenue).

    Only unambiguous text is read: `1,234.5` yes; `1.234,5`, `12,34` or `1 234` no, since
    guessing the locale is how a thousand becomes one.
    """
    raw = required_text(row, column)
    if not _NUMBER.fullmatch(raw):
        raise InputError(f"'{shown(raw)}' {_number_problem(raw)}", row.where(column))
    if raw.startswith("-") and not allow_negative:
        raise InputError(f"'{shown(raw)}' is negative: {column} must be zero or more", row.where(column))
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:  # an exponent beyond what Decimal can hold
        raise InputError(f"'{shown(raw)}' is out of range", row.where(column)) from None


def _number_problem(raw: str) -> str:
    """Why text the number grammar refused is not a number, with the fix when there is one."""
    if any(ch.isspace() for ch in raw):
        return "has a space in it: write 1234 or 1,234 (no spaces inside a number)"
    if raw.lstrip("+-").lower() in _NOT_FINITE:
        return "is not a finite number"
    if _DECIMAL_COMMA.fullmatch(raw) and ("." in raw or not re.search(r",[0-9]{3}$", raw)):
        return (
            "has a decimal comma: use a point as the decimal separator (1234.5); commas "
            "only separate thousands, in groups of three digits (1,234,567)"
        )
    if "," in raw:
        return (
            "is not a number: thousands separators must be commas between groups of three digits (1,234,567)"
        )
    if raw.count(".") > 1:
        return (
            "is not a number: use a point as the decimal separator, once, and commas "
            "for thousands (1,234,567.5)"
        )
    return "is not a number"


def unit_multiplier(row: SourceRow, column: str = "unit") -> Decimal:
    raw = name(row, column).lower()
    if raw not in UNIT_MULTIPLIERS:
        raise InputError(f"unknown unit '{shown(raw)}': use units, thousands or millions", row.where(column))
    return UNIT_MULTIPLIERS[raw]


def amount(row: SourceRow, column: str, multiplier: Decimal) -> Decimal:
    """An amount in full currency units, exact to the cent."""
    return fixed_point(row, column, number(row, column), multiplier, AMOUNT)


def stake_percent(row: SourceRow, column: str = "stake_percent") -> Decimal:
    """A stake in percent, 0-100 with at most two decimals (DECIMAL(5,2))."""
    return fixed_point(row, column, number(row, column), Decimal(1), STAKE)


def share_percent(row: SourceRow, column: str = "share_percent") -> Decimal:
    """A disclosed share in percent, 0-100 with at most four decimals (DECIMAL(7,4))."""
    return fixed_point(row, column, number(row, column), Decimal(1), SHARE)


def share_precision(row: SourceRow, column: str = "precision", share: str = "share_percent") -> Decimal:
    """A disclosed share's rounding: the `precision` cell, else half the last printed digit of
    the share (85 is ±0.5)."""
    if row.cells.get(column):
        return fixed_point(row, column, number(row, column), Decimal(1), SHARE)
    return printed_precision(row, share, number(row, share), Decimal(1), SHARE)


def fixed_point(
    row: SourceRow, column: str, value: Decimal, multiplier: Decimal, kind: FixedPoint
) -> Decimal:
    """`value * multiplier` as the column stores it, refused when it would not fit exactly.

    The checks compare before multiplying, so `1e999999` never reaches decimal arithmetic.
    """
    raw = shown(row.cells[column])
    if value.copy_abs() > kind.largest / multiplier:  # copy_abs: no context, no Overflow
        raise InputError(f"'{raw}' is {kind.too_large}", row.where(column))
    if not value.is_zero() and _decimals(value) - multiplier.adjusted() > kind.scale:
        unit_note = " once in full units" if multiplier != 1 else ""
        raise InputError(
            f"'{raw}' has more decimals than the column keeps ({kind.scale}){unit_note}", row.where(column)
        )
    exact = (value * multiplier).quantize(Decimal(1).scaleb(-kind.scale))
    return abs(exact) if exact.is_zero() else exact  # `-0` is zero, not a negative zero


def _decimals(value: Decimal) -> int:
    """Significant decimals of a non-zero value: trailing zeros do not count (18.120 has 2)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -(exponent + trailing_zeros)


def printed_precision(
    row: SourceRow, column: str, printed: Decimal, multiplier: Decimal, kind: FixedPoint = AMOUNT
) -> Decimal:
    """Half of the last printed digit, in full units: 67.5 millions is ±0.05M (kept to the
    column's decimals: an amount's cents, a share's four decimals).

    `printed` is the value `number` parsed from the same cell, so its exponent is the text's.
    """
    exponent = printed.as_tuple().exponent
    assert isinstance(exponent, int)
    half = Decimal(5).scaleb(min(max(exponent, -20), 20) - 1) * multiplier
    if half > kind.largest:  # only a zero written as 0E+20 gets here
        raise InputError(
            f"'{shown(row.cells[column])}' is printed so coarsely that its "
            "rounding is too large: give a precision column",
            row.where(column),
        )
    return half.quantize(Decimal(1).scaleb(-kind.scale))


def double(row: SourceRow, column: str) -> float:
    """A DOUBLE value (a KPI): refused when the double would not be the number typed."""
    value = number(row, column)
    as_float = float(value)
    raw = shown(row.cells[column])
    if as_float == float("inf"):
        raise InputError(
            f"'{raw}' is too large for a DOUBLE: the maximum is about 1.8e308", row.where(column)
        )
    if Decimal(repr(as_float)) != value:
        raise InputError(
            f"'{raw}' cannot be stored exactly in a DOUBLE (up to 15 significant "
            "digits, magnitudes from 1e-307)",
            row.where(column),
        )
    return as_float
