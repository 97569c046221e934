"""Remainders: the leaves and totals that follow arithmetically from printed figures.

Filings print a stream total and some of its parts, or a year and three of its quarters. The
rest is a figure too, marked derived, so leaves always add up to the total. Nothing here guesses:
a remainder exists only where a printed total bounds it, and a negative one (parts larger than
their total) is left for validation to report.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from analytics.periods import Period, parse_period
from analytics.schema import TOTAL_STREAM, UNATTRIBUTED

Record = dict[str, Any]
TOOL_DERIVATIONS = frozenset(
    {"printed_total", "stream_remainder", "total_remainder", "fiscal_year_remainder"}
)


def derive(leaves: list[Record], totals: list[Record]) -> tuple[list[Record], list[Record]]:
    """Recompute every remainder from the read figures; returns (leaves, totals) with them."""
    read_leaves = [r for r in leaves if r.get("derivation") not in TOOL_DERIVATIONS]
    read_totals = [r for r in totals if r.get("derivation") not in TOOL_DERIVATIONS]
    all_totals = read_totals + fiscal_year_remainders(read_totals)
    return read_leaves + leaf_remainders(read_leaves, all_totals), all_totals


def tolerance(records: list[Record]) -> Decimal:
    """Sum of the printed roundings of the figures involved."""
    return sum((r.get("precision") or Decimal(0) for r in records), Decimal(0))


def fiscal_year_remainders(totals: list[Record]) -> list[Record]:
    """A quarter's total revenue = its fiscal year's total minus the other three quarters."""
    grand = {(r["company"], r["period"]): r for r in totals if r["stream"] == TOTAL_STREAM}
    derived = []
    for (company, label), year_total in grand.items():
        year = parse_period(label)
        if year is None or year.kind != "year":
            continue
        known = [grand.get((company, q.label)) for q in year.quarters()]
        missing = [q for q, total in zip(year.quarters(), known, strict=True) if total is None]
        present = [t for t in known if t is not None]
        if len(missing) != 1:
            continue
        amount = year_total["amount"] - sum(t["amount"] for t in present)
        if amount <= 0:
            continue
        sources = "; ".join(sorted({t["source"] for t in [year_total, *present]}))
        derived.append(
            _record(year_total, missing[0], TOTAL_STREAM, None, amount, [year_total, *present],
                    "fiscal_year_remainder",
                    f"derived: FY{year.year} total minus the other three quarters ({sources})")
        )
    return derived


def leaf_remainders(leaves: list[Record], totals: list[Record]) -> list[Record]:
    """Stream remainders, then the remainder of total revenue that no stream explains."""
    leaves_by_period: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for leaf in leaves:
        leaves_by_period[(leaf["company"], leaf["period"])].append(leaf)
    totals_by_period: dict[tuple[str, str], dict[str, Record]] = defaultdict(dict)
    for total in totals:
        totals_by_period[(total["company"], total["period"])][total["stream"]] = total
    remainders: list[Record] = []
    for key, period_totals in totals_by_period.items():
        period_leaves = list(leaves_by_period.get(key, []))
        for stream, stream_total in sorted(period_totals.items()):
            if stream != TOTAL_STREAM:
                new = _stream_remainder(stream_total, [x for x in period_leaves
                                                       if x["stream"] == stream])
                period_leaves += new
                remainders += new
        if TOTAL_STREAM in period_totals:
            remainders += _total_remainder(period_totals, period_leaves)
    return remainders


def _stream_remainder(total: Record, parts: list[Record]) -> list[Record]:
    """The part of a printed stream total its printed parts do not cover."""
    period = parse_period(total["period"])
    assert period is not None
    if not parts:
        return [_record(total, period, total["stream"], UNATTRIBUTED, total["amount"], [total],
                        "printed_total", total["source"], derived=False)]
    rest = total["amount"] - sum(p["amount"] for p in parts)
    if rest <= tolerance([total, *parts]):
        return []
    known = {p["counterparty"] for p in parts}
    # Revenue is either from third parties or from related parties: once third parties are
    # printed, whatever remains is known to be related-party revenue.
    counterparty = "related_parties" if "third_parties" in known else UNATTRIBUTED
    if counterparty in known:
        return []  # validation reports the mismatch; a second leaf would duplicate the grain
    return [_record(total, period, total["stream"], counterparty, rest, [total, *parts],
                    "stream_remainder", _sources_note(total, parts))]


def _total_remainder(period_totals: dict[str, Record], leaves: list[Record]) -> list[Record]:
    """Total revenue minus every stream: the rest goes to stream `unattributed`."""
    grand = period_totals[TOTAL_STREAM]
    period = parse_period(grand["period"])
    assert period is not None
    if not leaves:
        derived = bool(grand.get("derived"))
        derivation = "total_remainder" if derived else "printed_total"
        return [_record(grand, period, UNATTRIBUTED, UNATTRIBUTED, grand["amount"], [grand],
                        derivation, grand["source"], derived=derived)]
    rest = grand["amount"] - sum(x["amount"] for x in leaves)
    if rest <= tolerance([grand, *leaves]) or any(x["stream"] == UNATTRIBUTED for x in leaves):
        return []
    return [_record(grand, period, UNATTRIBUTED, UNATTRIBUTED, rest, [grand, *leaves],
                    "total_remainder", _sources_note(grand, leaves))]


def _sources_note(total: Record, parts: list[Record]) -> str:
    sources = sorted({total["source"], *(p["source"] for p in parts)})
    named = ", ".join(sorted({f"{p['stream']}/{p['counterparty']}" for p in parts}))
    return f"derived: {total['stream']} total minus {named} ({'; '.join(sources)})"


def _record(template: Record, period: Period, stream: str, counterparty: str | None,
            amount: Decimal, inputs: list[Record], derivation: str | None, source: str,
            derived: bool = True) -> Record:
    record: Record = {
        "company": template["company"],
        "period": period.label,
        "period_kind": period.kind,
        "period_start": period.start,
        "period_end": period.end,
        "stream": stream,
        "amount": amount,
        "currency": template["currency"],
        "precision": tolerance(inputs),
        "derived": derived,
        "derivation": derivation,
        "source": source,
        "note": None,
    }
    if counterparty is not None:
        record["counterparty"] = counterparty
    return record
