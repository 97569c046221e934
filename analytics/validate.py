"""Accounting invariants over a whole data set; each check returns its violations as text.

Ingest runs these on the merged data before writing anything, and `analytics validate` on what
is stored, so data that breaks them never lands and data edited by hand is still caught.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from analytics.derive import tolerance
from analytics.periods import parse_period
from analytics.schema import COUNTERPARTY_CLASSES, TABLES, TOTAL_STREAM

Record = dict[str, Any]


class Violation(str):
    """A violation's text, plus the (company, period, stream) it concerns when it has one."""

    key: tuple[str, str, str] | None = None

    @classmethod
    def at(cls, record: Record, text: str, stream: str | None = None) -> Violation:
        violation = cls(f"{_where(record, stream)}: {text}")
        violation.key = (record["company"], record["period"], stream or record.get("stream", ""))
        return violation


REMAINDERS = ("stream_remainder", "total_remainder")
Dataset = dict[str, list[Record]]


def validate(data: Dataset) -> list[Violation]:
    """Every violation of every invariant, in a stable order."""
    checks: list[Callable[[Dataset], Iterable[str]]] = [
        duplicate_grain, valid_periods, one_currency_per_company, counterparties_known,
        leaves_sum_to_printed_totals, quarters_sum_to_fiscal_year, shares_within_bounds,
        valid_reference_tables,
    ]
    return [Violation(v) if not isinstance(v, Violation) else v
            for check in checks for v in check(data)]


def _where(record: Record, stream: str | None = None) -> str:
    return f"{record['company']} {record['period']} {stream or record.get('stream', '')}".strip()


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def duplicate_grain(data: Dataset) -> Iterable[str]:
    for name, records in data.items():
        grain = TABLES[name].grain
        seen: dict[tuple[Any, ...], int] = defaultdict(int)
        for record in records:
            seen[tuple(record.get(c) for c in grain)] += 1
        for key, count in seen.items():
            if count > 1:
                shown = ", ".join(f"{c}={v}" for c, v in zip(grain, key, strict=True))
                yield f"{name}: {count} rows share the grain {shown}"


def valid_periods(data: Dataset) -> Iterable[str]:
    for name in ("revenue", "reported_totals", "kpis"):
        for record in data.get(name, []):
            period = parse_period(str(record["period"]))
            if period is None or period.label != record["period"]:
                yield Violation.at(record, f"'{record['period']}' is not a valid period ({name})")
            elif (record.get("period_start"), record.get("period_end"),
                  record.get("period_kind")) != (period.start, period.end, period.kind):
                yield Violation.at(record, f"period dates do not match {period.label} ({name})")


def one_currency_per_company(data: Dataset) -> Iterable[str]:
    currencies: dict[str, set[str]] = defaultdict(set)
    for record in data.get("revenue", []) + data.get("reported_totals", []):
        currencies[record["company"]].add(record["currency"])
    for company, found in sorted(currencies.items()):
        if len(found) > 1:
            yield f"{company}: more than one currency ({', '.join(sorted(found))})"


def counterparties_known(data: Dataset) -> Iterable[str]:
    known = {(r["company"], r["counterparty"]) for r in data.get("counterparties", [])}
    unknown = sorted({(r["company"], r["period"], r["stream"], r["counterparty"])
                      for r in data.get("revenue", [])
                      if (r["company"], r["counterparty"]) not in known})
    for company, period, stream, counterparty in unknown:
        yield (f"{company} {period} {stream}: counterparty '{counterparty}' is not in the "
               "counterparties table")


def _leaves_by(data: Dataset) -> dict[tuple[str, str], list[Record]]:
    grouped: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for leaf in data.get("revenue", []):
        grouped[(leaf["company"], leaf["period"])].append(leaf)
    return grouped


def leaves_sum_to_printed_totals(data: Dataset) -> Iterable[str]:
    leaves = _leaves_by(data)
    for total in data.get("reported_totals", []):
        period_leaves = leaves.get((total["company"], total["period"]), [])
        parts = [x for x in period_leaves
                 if total["stream"] == TOTAL_STREAM or x["stream"] == total["stream"]]
        if not parts:
            continue
        found = sum((p["amount"] for p in parts), Decimal(0))
        # A remainder's own tolerance already counts the total's: leave it out.
        allowed = tolerance([total, *(p for p in parts if p.get("derivation") not in REMAINDERS)])
        if abs(found - total["amount"]) > allowed:
            yield Violation.at(total, f"leaves sum to {_money(found)} but the printed total is "
                               f"{_money(total['amount'])} (tolerance ±{_money(allowed)})")


def quarters_sum_to_fiscal_year(data: Dataset) -> Iterable[str]:
    printed = {(r["company"], r["period"], r["stream"]): r
               for r in data.get("reported_totals", []) if not r.get("derived")}
    for (company, label, stream), year_total in sorted(printed.items()):
        year = parse_period(label)
        if year is None or year.kind != "year":
            continue
        quarters = [printed.get((company, q.label, stream)) for q in year.quarters()]
        if any(q is None for q in quarters):
            continue
        present = [q for q in quarters if q is not None]
        found = sum((q["amount"] for q in present), Decimal(0))
        allowed = tolerance([year_total, *present])
        if abs(found - year_total["amount"]) > allowed:
            yield (f"{company} {label} {stream}: quarters sum to {_money(found)} but the fiscal "
                   f"year is {_money(year_total['amount'])} (tolerance ±{_money(allowed)})")


def shares_within_bounds(data: Dataset) -> Iterable[str]:
    """No leaf is negative or larger than its period's total revenue: every share is in [0, 1]."""
    grand = {(r["company"], r["period"]): r for r in data.get("reported_totals", [])
             if r["stream"] == TOTAL_STREAM}
    for leaf in data.get("revenue", []):
        if leaf["amount"] < 0:
            yield Violation.at(leaf, f"negative amount {_money(leaf['amount'])}")
        total = grand.get((leaf["company"], leaf["period"]))
        if total is not None and leaf["amount"] > total["amount"] + tolerance([total, leaf]):
            yield Violation.at(leaf, f"{leaf['counterparty']} is {_money(leaf['amount'])}, more "
                               f"than total revenue {_money(total['amount'])} (share over 1)")


def valid_reference_tables(data: Dataset) -> Iterable[str]:
    for record in data.get("counterparties", []):
        if record["counterparty_class"] not in COUNTERPARTY_CLASSES:
            yield (f"{record['company']}: counterparty '{record['counterparty']}' has unknown "
                   f"class '{record['counterparty_class']}'")
    for record in data.get("partnerships", []):
        end, start = record.get("end_date"), record["start_date"]
        which = (f"{record['company']}: partnership with {record['partner']} ({record['kind']}, "
                 f"start_date {start})")
        if end is not None and end < start:
            yield f"{which} ends before it starts: end_date {end} is before start_date {start}"
        stake = record.get("stake_percent")
        if stake is not None and not Decimal(0) <= stake <= Decimal(100):
            yield f"{which}: stake_percent {stake} is not between 0 and 100"
