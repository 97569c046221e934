"""The words of a violation and the helpers every invariant check shares.

A violation is text for people, but it also carries the (company, period, stream) it concerns,
so ingest can name the file row behind it; the helpers decide which figures are checked
together and print amounts the same way in every message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from analytics.store.schema import AS_REPORTED
from analytics.store.vintages import UNKNOWN

Record = dict[str, Any]
#: Each table's records, by table name.
Dataset = dict[str, list[Record]]
REMAINDERS = ("stream_remainder", "total_remainder")


class Violation(str):
    """A violation's text, plus the (company, period, stream) it concerns when it has one."""

    key: tuple[str, str, str] | None = None

    @classmethod
    def at(cls, record: Record, text: str, stream: str | None = None) -> Violation:
        violation = cls(f"{where(record, stream)}: {text}")
        violation.key = (record["company"], record["period"], stream or record.get("stream", ""))
        return violation


def tolerance(records: list[Record]) -> Decimal:
    """Sum of the printed roundings of the figures involved."""
    return sum((r.get("precision") or Decimal(0) for r in records), Decimal(0))


def where(record: Record, stream: str | None = None) -> str:
    """Company, period and stream, and which publication when the figure says: `(ASC 606,
    as published on 2019-03-01)`."""
    place = f"{record['company']} {record['period']} {stream or record.get('stream', '')}".strip()
    published = [f"basis {record['basis']}"] if record.get("basis") not in (None, AS_REPORTED) else []
    snapshot = record.get("snapshot") or record.get("reported_on")
    if snapshot is not None and snapshot > UNKNOWN:
        published.append(f"as published by {snapshot}")
    return f"{place} ({', '.join(published)})" if published else place


def slot(record: Record) -> tuple[Any, ...]:
    """The figures checked together: one company's period, on one basis, in one publication
    snapshot (vintages.py); figures on different bases or publications never mix."""
    return (record["company"], record["period"], record.get("basis"), record.get("snapshot"))


def current_records(records: list[Record]) -> list[Record]:
    """The records of the latest snapshot of their company, basis and fiscal year (vintages.py;
    all, outside a state)."""

    def group(r: Record) -> tuple[Any, ...]:
        return (r["company"], r.get("basis"), str(r["period"])[:4])

    latest: dict[tuple[Any, ...], Any] = {}
    for r in records:
        if r.get("snapshot") is not None and r["snapshot"] > latest.get(group(r), UNKNOWN):
            latest[group(r)] = r["snapshot"]
    return [r for r in records if r.get("snapshot") is None or r["snapshot"] == latest.get(group(r), UNKNOWN)]


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: 80.0000 is 80, 0.0500 is 0.05."""
    return f"{value.normalize():f}"


def money(value: Decimal) -> str:
    """An amount as messages print it: 1,234.5, never 1234.50."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")
