"""Weibo figures derived from printed ones, each note carrying its arithmetic and rounding.

Derived figures are marked `derived`, and their precision is the widest error the printed
roundings allow (bounds computed exactly with fractions), so no derived figure claims more
precision than the figures it comes from.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from analytics.weibo.reference import read_reference, revenue_row

Row = dict[str, str]
#: Rows by (period, stream, counterparty).
RowsByKey = dict[tuple[str, str, str], Row]


class Arithmetic(NamedTuple):
    """A derived figure's exact value, its bounds, and how the note shows both."""

    exact: Fraction
    low: Fraction
    high: Fraction
    shown: str
    rounding: str


def _k(value: Fraction | int) -> str:
    """A US$ thousands figure as the notes print it: 26,352 or 26,352.3."""
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"


def _ratio(value: Fraction) -> str:
    """A growth factor or a percentage as the notes print it: 1.55, 1.545, 8.65."""
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


def _by_key(rows: list[Row]) -> RowsByKey:
    return {(r["period"], r["stream"], r["counterparty"]): r for r in rows}


def alibaba_from_excluding_rows(rows: list[Row]) -> list[Row]:
    """Alibaba = advertising minus advertising excluding Alibaba (`non_Alibaba`)."""
    by_key = _by_key(rows)
    derived = []
    for (period, stream, counterparty), excluding in by_key.items():
        if counterparty != "non_Alibaba":
            continue
        total = by_key.get((period, stream, "all"))
        if total is None or (period, stream, "Alibaba") in by_key:
            continue
        if total["basis"] != excluding["basis"]:
            raise ValueError(
                f"Weibo {period}: {stream} and its part excluding Alibaba are on different bases"
            )
        derived.append(_alibaba_row(period, stream, total, excluding))
    return derived


def _alibaba_row(period: str, stream: str, total: Row, excluding: Row) -> Row:
    amount = int(total["amount"]) - int(excluding["amount"])
    precision = int(total["precision"]) + int(excluding["precision"])
    return revenue_row(
        period,
        stream,
        "Alibaba",
        str(amount),
        str(precision),
        f"derived: advertising minus advertising excluding Alibaba ({excluding['source']})",
        f"Derived, not printed: Alibaba = advertising {_k(int(total['amount']))} - "
        f"advertising excluding Alibaba {_k(int(excluding['amount']))} = {_k(amount)}; "
        f"precision ±{total['precision']} + ±{excluding['precision']} = ±{precision}.",
        derived=True,
        basis=total["basis"],
    )


def derived_rows(rows: list[Row]) -> list[Row]:
    """The figures weibo_derived_figures.csv derives from a printed share, growth rate or sum,
    with the arithmetic and the rounding it implies (bounds from the printed roundings) in the
    note. Amounts in US$ thousands, rounded to whole thousands; precision rounded up."""
    by_key = _by_key(rows)
    return [_derived_row(r, by_key) for r in read_reference("weibo_derived_figures.csv")]


def _derived_row(r: Row, by_key: RowsByKey) -> Row:
    printed, rounding = Fraction(r["printed"]), Fraction(r["printed_precision"])
    method = _METHODS.get(r["method"])
    if method is None:
        raise ValueError(f"weibo_derived_figures.csv: unknown method {r['method']!r}")
    exact, low, high, shown, rounding_note = method(r, by_key, printed, rounding)
    amount = round(exact)
    precision = math.ceil(max(high - amount, amount - low))
    if (r["period"], r["stream"], r["counterparty"]) in by_key:
        raise ValueError(f"Weibo {r['period']} {r['counterparty']}: printed and derived")
    return revenue_row(
        r["period"],
        r["stream"],
        r["counterparty"],
        str(amount),
        str(precision),
        f"derived: {shown} ({r['source_title']} <{r['source_url']}>)",
        f"Derived, not printed: {shown}"
        f"{'' if amount == exact else f', stored as {_k(amount)}'}; precision: {rounding_note}: "
        f"±{precision}. Source text: {r['quote']}. {r['note']}",
        derived=True,
        basis=r["basis"],
    )


def _share_of_stream(r: Row, by_key: RowsByKey, printed: Fraction, rounding: Fraction) -> Arithmetic:
    """A printed percentage of the period's stream."""
    base = by_key[(r["period"], r["stream"], "all")]
    x, dx = Fraction(base["amount"]), Fraction(base["precision"])
    exact = printed / 100 * x
    low, high = (printed - rounding) / 100 * (x - dx), (printed + rounding) / 100 * (x + dx)
    shown = f"{r['printed']}% of {r['stream']} {_k(x)} = {_k(exact)}"
    rounding_note = (
        f"the share is printed to ±{r['printed_precision']} pt and {r['stream']} to "
        f"±{base['precision']}, so it lies between {_ratio(printed - rounding)}% × "
        f"{_k(x - dx)} = {_k(low)} and {_ratio(printed + rounding)}% × {_k(x + dx)} = "
        f"{_k(high)}"
    )
    return Arithmetic(exact, low, high, shown, rounding_note)


def _growth_to(r: Row, by_key: RowsByKey, printed: Fraction, rounding: Fraction) -> Arithmetic:
    """The year-earlier figure a printed growth rate leads to."""
    base = by_key[(r["from_periods"], r["stream"], r["counterparty"])]
    x, dx = Fraction(base["amount"]), Fraction(base["precision"])
    exact = x / (1 + printed / 100)
    low = (x - dx) / (1 + (printed + rounding) / 100)
    high = (x + dx) / (1 + (printed - rounding) / 100)
    shown = (
        f"{r['from_periods']}'s {_k(x)} / {_ratio(1 + printed / 100)} "
        f"(+{r['printed']}% year over year) = {_k(exact)}"
    )
    rounding_note = (
        f"the growth is printed to ±{r['printed_precision']} pt and "
        f"{r['from_periods']}'s figure to ±{base['precision']}, so it lies "
        f"between {_k(x - dx)} / {_ratio(1 + (printed + rounding) / 100)} = "
        f"{_k(low)} and {_k(x + dx)} / {_ratio(1 + (printed - rounding) / 100)}"
        f" = {_k(high)}"
    )
    return Arithmetic(exact, low, high, shown, rounding_note)


def _total_less_parts(r: Row, by_key: RowsByKey, printed: Fraction, rounding: Fraction) -> Arithmetic:
    """A printed sum less its other, printed parts."""
    parts = [by_key[(p, r["stream"], r["counterparty"])] for p in r["from_periods"].split(";")]
    exact = printed - sum(Fraction(p["amount"]) for p in parts)
    spread = rounding + sum(Fraction(p["precision"]) for p in parts)
    shown = (
        f"{_k(printed)} - "
        + " - ".join(f"{_k(int(p['amount']))} ({p['period']})" for p in parts)
        + f" = {_k(exact)}"
    )
    rounding_note = f"±{r['printed_precision']} on the printed sum plus " + " + ".join(
        f"±{p['precision']}" for p in parts
    )
    return Arithmetic(exact, exact - spread, exact + spread, shown, rounding_note)


_METHODS: dict[str, Callable[[Row, RowsByKey, Fraction, Fraction], Arithmetic]] = {
    "share_of_stream": _share_of_stream,
    "growth_to": _growth_to,
    "total_less_parts": _total_less_parts,
}
