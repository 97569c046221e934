"""Accounting invariants over a whole data set; each check returns its violations as text.

Ingest runs these on the merged data before writing anything, and `analytics validate` on what
is stored, so data that breaks them never lands and data edited by hand is still caught. How a
violation is worded lives in violations.py, the warnings that never stop a write in
validation_warnings.py; both are re-exported here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from analytics.periods import CALENDAR_YEAR_END, parse_period, year_end_month, year_end_problem
from analytics.store.schema import COUNTERPARTY_CLASSES, PERIOD_TABLES, TABLES, TOTAL_STREAM
from analytics.store.validation_warnings import warnings
from analytics.store.violations import (
    REMAINDERS,
    Dataset,
    Record,
    Violation,
    money,
    slot,
    tolerance,
    where,
)

__all__ = ["REMAINDERS", "Dataset", "Record", "Violation", "tolerance", "validate", "warnings"]


def validate(data: Dataset) -> list[Violation]:
    """Every violation of every invariant, in a stable order."""
    checks: list[Callable[[Dataset], Iterable[str]]] = [
        duplicate_grain,
        valid_periods,
        valid_companies,
        one_currency_per_company,
        counterparties_known,
        leaves_sum_to_printed_totals,
        parts_sum_to_whole,
        total_filed_as_a_stream,
        valid_reference_tables,
    ]
    return [Violation(v) if not isinstance(v, Violation) else v for check in checks for v in check(data)]


def duplicate_grain(data: Dataset) -> Iterable[str]:
    for name, records in data.items():
        grain = (*TABLES[name].grain, *(("snapshot",) if records and "snapshot" in records[0] else ()))
        seen: dict[tuple[Any, ...], int] = defaultdict(int)
        for record in records:
            seen[tuple(record.get(c) for c in grain)] += 1
        for key, count in seen.items():
            if count > 1:
                shown = ", ".join(f"{c}={v}" for c, v in zip(grain, key, strict=True))
                yield f"{name}: {count} rows share the grain {shown}"


def valid_periods(data: Dataset) -> Iterable[str]:
    """A label that is a period, dated in its company's fiscal calendar."""
    year_ends = {
        r["company"]: year_end_month(r["fiscal_year_end"])
        for r in data.get("companies", [])
        if year_end_problem(r["fiscal_year_end"]) is None
    }
    for name in PERIOD_TABLES:
        for record in data.get(name, []):
            period = parse_period(str(record["period"]))
            month = year_ends.get(record["company"], CALENDAR_YEAR_END)
            if period is None or period.label != record["period"]:
                yield Violation.at(record, f"'{record['period']}' is not a valid period ({name})")
            elif (record.get("period_start"), record.get("period_end"), record.get("period_kind")) != (
                period.start(month),
                period.end(month),
                period.kind,
            ):
                yield Violation.at(record, f"period dates do not match {period.label} ({name})")


def valid_companies(data: Dataset) -> Iterable[str]:
    """A fiscal year end that is one, and a declared currency that is its figures'."""
    figures = {
        (r["company"], r["currency"]) for r in data.get("revenue", []) + data.get("reported_totals", [])
    }
    for record in data.get("companies", []):
        company = record["company"]
        if (problem := year_end_problem(str(record["fiscal_year_end"]))) is not None:
            yield f"{company}: '{record['fiscal_year_end']}' is not a fiscal year end: {problem}"
        others = sorted(c for k, c in figures if k == company and c != record["currency"])
        if others:
            yield (
                f"{company}: declared in {record['currency']} (companies) but its figures "
                f"are in {', '.join(others)}"
            )


def one_currency_per_company(data: Dataset) -> Iterable[str]:
    currencies: dict[str, set[str]] = defaultdict(set)
    for record in data.get("revenue", []) + data.get("reported_totals", []):
        currencies[record["company"]].add(record["currency"])
    for company, found in sorted(currencies.items()):
        if len(found) > 1:
            yield f"{company}: more than one currency ({', '.join(sorted(found))})"


def counterparties_known(data: Dataset) -> Iterable[str]:
    known = {(r["company"], r["counterparty"]) for r in data.get("counterparties", [])}
    unknown = sorted(
        {
            (r["company"], r["period"], r["stream"], r["counterparty"])
            for r in data.get("revenue", [])
            if (r["company"], r["counterparty"]) not in known
        }
    )
    for company, period, stream, counterparty in unknown:
        yield (
            f"{company} {period} {stream}: counterparty '{counterparty}' is not in the counterparties table"
        )
    groups = known | {(r["company"], r["counterparty_group"]) for r in data.get("counterparties", [])}
    for share in data.get("disclosed_shares", []):
        if (share["company"], share["partner"]) not in groups:
            yield Violation.at(
                {**share, "stream": share["share_of"]},
                f"the disclosed share's partner '{share['partner']}' is not a "
                "counterparty or group in the counterparties table: ingest it "
                "first with `analytics ingest FILE --table counterparties`",
            )


def _leaves_by(data: Dataset) -> dict[tuple[Any, ...], list[Record]]:
    grouped: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for leaf in data.get("revenue", []):
        grouped[slot(leaf)].append(leaf)
    return grouped


def leaves_sum_to_printed_totals(data: Dataset) -> Iterable[str]:
    leaves = _leaves_by(data)
    for total in data.get("reported_totals", []):
        period_leaves = leaves.get(slot(total), [])
        parts = [
            x for x in period_leaves if total["stream"] == TOTAL_STREAM or x["stream"] == total["stream"]
        ]
        if not parts:
            continue
        found = sum((p["amount"] for p in parts), Decimal(0))
        # A remainder's own tolerance already counts the total's: leave it out.
        allowed = tolerance([total, *(p for p in parts if p.get("derivation") not in REMAINDERS)])
        if abs(found - total["amount"]) > allowed:
            yield Violation.at(
                total,
                f"leaves sum to {money(found)} but the printed total is "
                f"{money(total['amount'])} (tolerance ±{money(allowed)})",
            )


def parts_sum_to_whole(data: Dataset) -> Iterable[str]:
    """Printed quarters sum to their printed half and year, printed halves to their year."""
    printed = {
        (r["company"], r["period"], r["stream"], r.get("basis"), r.get("snapshot")): r
        for r in data.get("reported_totals", [])
        if not r.get("derived")
    }
    for (company, label, stream, *vintage), whole_total in printed.items():
        whole = parse_period(label)
        if whole is None:
            continue
        for split in whole.parts():
            parts = [printed.get((company, p.label, stream, *vintage)) for p in split]
            present = [p for p in parts if p is not None]
            if len(present) < len(parts):
                continue
            found = sum((p["amount"] for p in present), Decimal(0))
            allowed = tolerance([whole_total, *present])
            if abs(found - whole_total["amount"]) > allowed:
                noun = {"year": "fiscal year", "half": "half-year"}[whole.kind]
                parts_noun = {"quarter": "quarters", "half": "halves"}[split[0].kind]
                yield (
                    f"{where(whole_total)}: {parts_noun} sum to {money(found)} but the "
                    f"{noun} is {money(whole_total['amount'])} "
                    f"(tolerance ±{money(allowed)})"
                )


def total_filed_as_a_stream(data: Dataset) -> Iterable[str]:
    """A printed stream total equal to the sum of the other (two or more) printed stream totals
    of its period, and larger than each, is total revenue filed under a stream name: stored as a
    stream, it would count the period's revenue twice."""
    streams: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for total in data.get("reported_totals", []):
        if total["stream"] != TOTAL_STREAM and not total.get("derived"):
            streams[slot(total)].append(total)
    for printed in streams.values():
        if len(printed) < 3:
            continue
        everything = sum((t["amount"] for t in printed), Decimal(0))
        rounding = tolerance(printed)
        for total in printed:
            others = [t for t in printed if t is not total]
            # A sum of streams is larger than each of them beyond the rounding: figures the
            # rounding alone could make add up (1, 1 and 1 printed in units) are not one.
            larger = total["amount"] - max(t["amount"] for t in others) > rounding
            if larger and abs(everything - 2 * total["amount"]) <= rounding:
                named = ", ".join(sorted(t["stream"] for t in others))
                yield Violation.at(
                    total,
                    f"looks like total revenue: its printed total "
                    f"{money(total['amount'])} is the sum of the other streams "
                    f"({named}); file total revenue as stream `{TOTAL_STREAM}` "
                    "(counterparty all)",
                )


def valid_reference_tables(data: Dataset) -> Iterable[str]:
    spans: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in data.get("counterparties", []):
        spans[(record["company"], record["counterparty"])].append(record)
        if record["counterparty_class"] not in COUNTERPARTY_CLASSES:
            yield (
                f"{record['company']}: counterparty '{record['counterparty']}' has unknown "
                f"class '{record['counterparty_class']}'"
            )
    for (company, counterparty), rows in sorted(spans.items()):
        ordered = sorted(rows, key=lambda r: r.get("valid_from") or date.min)
        for before, after in pairwise(ordered):
            end, start = before.get("valid_to"), after.get("valid_from") or date.min
            if end is None or end >= start:
                yield (
                    f"{company}: counterparty '{counterparty}' has two rows in force at once "
                    f"(from {before.get('valid_from') or 'the start'} to "
                    f"{end or 'now'}, and from {after.get('valid_from') or 'the start'}): "
                    "a period must have one class and group"
                )
    for record in data.get("partnerships", []):
        end, start = record.get("end_date"), record["start_date"]
        which = (
            f"{record['company']}: partnership with {record['partner']} ({record['kind']}, "
            f"start_date {start})"
        )
        if end is not None and end < start:
            yield f"{which} ends before it starts: end_date {end} is before start_date {start}"
        stake = record.get("stake_percent")
        if stake is not None and not Decimal(0) <= stake <= Decimal(100):
            yield f"{which}: stake_percent {stake} is not between 0 and 100"
