"""What is legitimate but worth a second look, worded for people like the violations.

Kept apart from validate.py because a warning never stops a write: ingest and `analytics
validate` show these beside the violations, and only for the companies they touch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from analytics.store.violations import (
    REMAINDERS,
    Dataset,
    Record,
    Violation,
    current_records,
    money,
    plain,
)


def warnings(data: Dataset) -> list[Violation]:
    """What is legitimate but worth a second look: a named counterparty's negative revenue, a
    negative remainder (printed parts above their printed total), and a disclosed share that
    the amounts contradict (published percentages do contradict each other)."""
    pooled = {(r["company"], r["counterparty"]) for r in data.get("counterparties", []) if r.get("is_pool")}
    found = []
    for leaf in current_records(data.get("revenue", [])):
        if leaf["amount"] >= 0:
            continue
        if leaf.get("derivation") in REMAINDERS:
            found.append(
                Violation.at(
                    leaf,
                    f"the printed parts exceed the printed total by "
                    f"{money(-leaf['amount'])}: kept as a negative {leaf['counterparty']} line (a "
                    "loss the filing does not itemise); check the figures",
                )
            )
        elif (leaf["company"], leaf["counterparty"]) not in pooled:
            found.append(
                Violation.at(
                    leaf,
                    f"{leaf['counterparty']}'s revenue is negative "
                    f"({money(leaf['amount'])}): a refund or a loss, or a sign typo?",
                )
            )
    return found + list(_disagreeing_shares(data))


def _disagreeing_shares(data: Dataset) -> Iterable[Violation]:
    """A disclosed share further from the share the amounts give than its printed rounding.
    Only where the partner's revenue and the base (total revenue or the stream's printed total)
    are both known."""
    spans: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in data.get("counterparties", []):
        spans[(r["company"], r["counterparty"])].append(r)
    partner_revenue: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for leaf in current_records(data.get("revenue", [])):
        key = (leaf["company"], leaf["period"], leaf.get("basis"))
        partner_revenue[(*key, leaf["counterparty"])] += leaf["amount"]
        group = next(
            (
                r["counterparty_group"]
                for r in spans[(leaf["company"], leaf["counterparty"])]
                if _in_force(r, leaf["period_end"])
            ),
            None,
        )
        if group is not None and group != leaf["counterparty"]:
            partner_revenue[(*key, group)] += leaf["amount"]
    bases = {
        (r["company"], r["period"], r.get("basis"), r["stream"]): r["amount"]
        for r in current_records(data.get("reported_totals", []))
    }
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
                f"the disclosed share of {share['partner']} is {plain(share['share_percent'])}% "
                f"(±{plain(share.get('precision') or Decimal(0))}) but the amounts give "
                f"{computed:.2f}% "
                f"({money(earned)} of {money(base)}): the sources disagree",
            )


def _in_force(counterparty: Record, day: date) -> bool:
    """Whether a counterparty row's span of dates holds on `day` (views.sql's in_force)."""
    start, end = counterparty.get("valid_from"), counterparty.get("valid_to")
    return (start is None or start <= day) and (end is None or day <= end)
