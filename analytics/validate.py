"""Accounting invariants over a whole data set; each check returns its violations as text.

Ingest runs these on the merged data before writing anything, and `analytics validate` on what
is stored, so data that breaks them never lands and data edited by hand is still caught.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from analytics.periods import parse_period
from analytics.schema import AS_REPORTED, COUNTERPARTY_CLASSES, TABLES, TOTAL_STREAM
from analytics.vintages import UNKNOWN

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
#: The tables whose rows carry a period.
PERIOD_TABLES = tuple(name for name, table in TABLES.items() if "period" in table.column_names)
Dataset = dict[str, list[Record]]


def validate(data: Dataset) -> list[Violation]:
    """Every violation of every invariant, in a stable order."""
    checks: list[Callable[[Dataset], Iterable[str]]] = [
        duplicate_grain, valid_periods, one_currency_per_company, counterparties_known,
        leaves_sum_to_printed_totals, quarters_sum_to_fiscal_year, total_filed_as_a_stream,
        valid_reference_tables,
    ]
    return [Violation(v) if not isinstance(v, Violation) else v
            for check in checks for v in check(data)]


def tolerance(records: list[Record]) -> Decimal:
    """Sum of the printed roundings of the figures involved."""
    return sum((r.get("precision") or Decimal(0) for r in records), Decimal(0))


def _where(record: Record, stream: str | None = None) -> str:
    """Company, period and stream, and which publication when the figure says: `(ASC 606,
    as published on 2019-03-01)`."""
    where = f"{record['company']} {record['period']} {stream or record.get('stream', '')}".strip()
    published = [f"basis {record['basis']}"] if record.get("basis") not in (None, AS_REPORTED) else []
    snapshot = record.get("snapshot") or record.get("reported_on")
    if snapshot is not None and snapshot > UNKNOWN:
        published.append(f"as published by {snapshot}")
    return f"{where} ({', '.join(published)})" if published else where


def _slot(record: Record) -> tuple[Any, ...]:
    """The figures checked together: one company's period, on one basis, in one publication
    snapshot (vintages.py); figures on different bases or publications never mix."""
    return (record["company"], record["period"], record.get("basis"), record.get("snapshot"))


def _current(records: list[Record]) -> list[Record]:
    """The records of the latest snapshot of their company, basis and fiscal year (vintages.py;
    all, outside a state)."""
    def group(r: Record) -> tuple[Any, ...]:
        return (r["company"], r.get("basis"), str(r["period"])[:4])

    latest: dict[tuple[Any, ...], Any] = {}
    for r in records:
        if r.get("snapshot") is not None and r["snapshot"] > latest.get(group(r), UNKNOWN):
            latest[group(r)] = r["snapshot"]
    return [r for r in records if r.get("snapshot") is None
            or r["snapshot"] == latest.get(group(r), UNKNOWN)]


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: 80.0000 is 80, 0.0500 is 0.05."""
    return f"{value.normalize():f}"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def duplicate_grain(data: Dataset) -> Iterable[str]:
    for name, records in data.items():
        grain = (*TABLES[name].grain, *(("snapshot",) if records and "snapshot" in records[0]
                                        else ()))
        seen: dict[tuple[Any, ...], int] = defaultdict(int)
        for record in records:
            seen[tuple(record.get(c) for c in grain)] += 1
        for key, count in seen.items():
            if count > 1:
                shown = ", ".join(f"{c}={v}" for c, v in zip(grain, key, strict=True))
                yield f"{name}: {count} rows share the grain {shown}"


def valid_periods(data: Dataset) -> Iterable[str]:
    for name in PERIOD_TABLES:
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
    groups = known | {(r["company"], r["counterparty_group"])
                      for r in data.get("counterparties", [])}
    for share in data.get("disclosed_shares", []):
        if (share["company"], share["partner"]) not in groups:
            yield Violation.at({**share, "stream": share["share_of"]},
                               f"the disclosed share's partner '{share['partner']}' is not a "
                               "counterparty or group in the counterparties table: ingest it "
                               "first with `analytics ingest FILE --table counterparties`")


def _leaves_by(data: Dataset) -> dict[tuple[Any, ...], list[Record]]:
    grouped: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for leaf in data.get("revenue", []):
        grouped[_slot(leaf)].append(leaf)
    return grouped


def leaves_sum_to_printed_totals(data: Dataset) -> Iterable[str]:
    leaves = _leaves_by(data)
    for total in data.get("reported_totals", []):
        period_leaves = leaves.get(_slot(total), [])
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
    printed = {(r["company"], r["period"], r["stream"], r.get("basis"), r.get("snapshot")): r
               for r in data.get("reported_totals", []) if not r.get("derived")}
    for (company, label, stream, *vintage), year_total in printed.items():
        year = parse_period(label)
        if year is None or year.kind != "year":
            continue
        quarters = [printed.get((company, q.label, stream, *vintage)) for q in year.quarters()]
        if any(q is None for q in quarters):
            continue
        present = [q for q in quarters if q is not None]
        found = sum((q["amount"] for q in present), Decimal(0))
        allowed = tolerance([year_total, *present])
        if abs(found - year_total["amount"]) > allowed:
            yield (f"{_where(year_total)}: quarters sum to {_money(found)} but the fiscal "
                   f"year is {_money(year_total['amount'])} (tolerance ±{_money(allowed)})")


def total_filed_as_a_stream(data: Dataset) -> Iterable[str]:
    """A printed stream total equal to the sum of the other (two or more) printed stream totals
    of its period, and larger than each, is total revenue filed under a stream name: stored as a
    stream, it would count the period's revenue twice."""
    streams: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for total in data.get("reported_totals", []):
        if total["stream"] != TOTAL_STREAM and not total.get("derived"):
            streams[_slot(total)].append(total)
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
                yield Violation.at(total, f"looks like total revenue: its printed total "
                                   f"{_money(total['amount'])} is the sum of the other streams "
                                   f"({named}); file total revenue as stream `{TOTAL_STREAM}` "
                                   "(counterparty all)")


def warnings(data: Dataset) -> list[Violation]:
    """What is legitimate but worth a second look: a named counterparty's negative revenue, a
    negative remainder (printed parts above their printed total), and a disclosed share that
    the amounts contradict (published percentages do contradict each other)."""
    pooled = {(r["company"], r["counterparty"]) for r in data.get("counterparties", [])
              if r.get("is_pool")}
    found = []
    for leaf in _current(data.get("revenue", [])):
        if leaf["amount"] >= 0:
            continue
        if leaf.get("derivation") in REMAINDERS:
            found.append(Violation.at(
                leaf, f"the printed parts exceed the printed total by "
                f"{_money(-leaf['amount'])}: kept as a negative {leaf['counterparty']} line (a "
                "loss the filing does not itemise); check the figures"))
        elif (leaf["company"], leaf["counterparty"]) not in pooled:
            found.append(Violation.at(
                leaf, f"{leaf['counterparty']}'s revenue is negative "
                f"({_money(leaf['amount'])}): a refund or a loss, or a sign typo?"))
    return found + list(_disagreeing_shares(data))


def _disagreeing_shares(data: Dataset) -> Iterable[Violation]:
    """A disclosed share further from the share the amounts give than its printed rounding.
    Only where the partner's revenue and the base (total revenue or the stream's printed total)
    are both known."""
    spans: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in data.get("counterparties", []):
        spans[(r["company"], r["counterparty"])].append(r)
    partner_revenue: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for leaf in _current(data.get("revenue", [])):
        key = (leaf["company"], leaf["period"], leaf.get("basis"))
        partner_revenue[(*key, leaf["counterparty"])] += leaf["amount"]
        group = next((r["counterparty_group"] for r in spans[(leaf["company"], leaf["counterparty"])]
                      if _in_force(r, leaf["period_end"])), None)
        if group is not None and group != leaf["counterparty"]:
            partner_revenue[(*key, group)] += leaf["amount"]
    bases = {(r["company"], r["period"], r.get("basis"), r["stream"]): r["amount"]
             for r in _current(data.get("reported_totals", []))}
    for share in data.get("disclosed_shares", []):
        key = (share["company"], share["period"], share.get("basis"))
        earned = partner_revenue.get((*key, share["partner"]))
        base = bases.get((*key, share["share_of"]))
        if earned is None or not base:
            continue
        computed = 100 * earned / base
        if abs(computed - share["share_percent"]) > (share.get("precision") or 0):
            yield Violation.at(
                {**share, "stream": share["share_of"]},
                f"the disclosed share of {share['partner']} is {_plain(share['share_percent'])}% "
                f"(±{_plain(share.get('precision') or Decimal(0))}) but the amounts give "
                f"{computed:.2f}% "
                f"({_money(earned)} of {_money(base)}): the sources disagree")


def _in_force(counterparty: Record, day: date) -> bool:
    """Whether a counterparty row's span of dates holds on `day` (views.sql's in_force)."""
    start, end = counterparty.get("valid_from"), counterparty.get("valid_to")
    return (start is None or start <= day) and (end is None or day <= end)


def valid_reference_tables(data: Dataset) -> Iterable[str]:
    spans: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in data.get("counterparties", []):
        spans[(record["company"], record["counterparty"])].append(record)
        if record["counterparty_class"] not in COUNTERPARTY_CLASSES:
            yield (f"{record['company']}: counterparty '{record['counterparty']}' has unknown "
                   f"class '{record['counterparty_class']}'")
    for (company, counterparty), rows in sorted(spans.items()):
        ordered = sorted(rows, key=lambda r: r.get("valid_from") or date.min)
        for before, after in pairwise(ordered):
            end, start = before.get("valid_to"), after.get("valid_from") or date.min
            if end is None or end >= start:
                yield (f"{company}: counterparty '{counterparty}' has two rows in force at once "
                       f"(from {before.get('valid_from') or 'the start'} to "
                       f"{end or 'now'}, and from {after.get('valid_from') or 'the start'}): "
                       "a period must have one class and group")
    for record in data.get("partnerships", []):
        end, start = record.get("end_date"), record["start_date"]
        which = (f"{record['company']}: partnership with {record['partner']} ({record['kind']}, "
                 f"start_date {start})")
        if end is not None and end < start:
            yield f"{which} ends before it starts: end_date {end} is before start_date {start}"
        stake = record.get("stake_percent")
        if stake is not None and not Decimal(0) <= stake <= Decimal(100):
            yield f"{which}: stake_percent {stake} is not between 0 and 100"
