"""Where the cited Weibo reference CSVs live, how they are read, and the revenue row they become.

Shared by the seed modules (printed.py, derived.py, seed.py), so every figure,
printed or derived, is written in the one documented ingest format with its basis and note.
"""

from __future__ import annotations

import csv

from analytics.project import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "data" / "sources" / "weibo"
REFERENCE = SOURCES / "reference"
COMPANY, CURRENCY = "Weibo", "USD"
REVENUE_COLUMNS = [
    "company",
    "period",
    "stream",
    "counterparty",
    "amount",
    "currency",
    "unit",
    "precision",
    "derived",
    "split_is_exhaustive",
    "basis",
    "reported_on",
    "source",
    "note",
]
#: Why a basis other than the filings' own standard is used (appended to its figures' notes).
BASIS_NOTES = {
    "ASC 606 incl. agent revenue": (
        "Basis 'ASC 606 incl. agent revenue': from FY2020 the filings count as Alibaba's the revenue from"
        " Alibaba as an advertiser and as an agent for other advertisers (2020: 152,000 + 36,597; 2021: "
        "139,561 + 41,680; 2022: 106,974 + 223), where earlier figures count Alibaba as an advertiser "
        "only (FY2018 117,696, not stored; FY2019's agent revenue was nil, so its 97,772 is the same "
        "either way); so this split of advertising is a presentation of its own, not mixed with the ASC "
        "606 figures."
    ),
}


def read_reference(name: str) -> list[dict[str, str]]:
    """The rows of one reference CSV, as text."""
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def revenue_row(
    period: str,
    stream: str,
    counterparty: str,
    amount: str,
    precision: str,
    source: str,
    note: str = "",
    derived: bool = False,
    exhaustive: bool = False,
    *,
    basis: str,
) -> dict[str, str]:
    """One row of the revenue ingest file; a figure without a basis is refused."""
    if not basis:
        raise ValueError(f"Weibo {period} {stream} {counterparty}: no basis in the reference")
    note = " ".join(filter(None, [note, BASIS_NOTES.get(basis, "")]))
    return {
        "company": COMPANY,
        "period": period,
        "stream": stream,
        "counterparty": counterparty,
        "amount": amount,
        "currency": CURRENCY,
        "unit": "thousands",
        "precision": precision,
        "derived": str(derived).lower(),
        "split_is_exhaustive": "true" if exhaustive else "",
        "basis": basis,
        "reported_on": "",
        "source": source,
        "note": note,
    }
