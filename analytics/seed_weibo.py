"""Build the shipped Weibo data from the cited reference CSVs in data/sources/weibo/reference/.

Converts the transcribed figures (US$ thousands) into the documented ingest format, writes those
CSVs beside the reference files, and ingests them into a fresh data folder. Run it with
`python -m analytics.seed_weibo`; it is reproducible and changes nothing by hand.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from analytics import export
from analytics.project import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "data" / "sources" / "weibo"
REFERENCE = SOURCES / "reference"
COMPANY, CURRENCY = "Weibo", "USD"
REVENUE_COLUMNS = ["company", "period", "stream", "counterparty", "amount", "currency", "unit",
                   "precision", "derived", "split_is_exhaustive", "source", "note"]
STREAMS = {"advertising": "advertising", "value_added_services": "value_added_services"}
COUNTERPARTIES = {"all": "all", "Alibaba": "Alibaba", "non_Alibaba": "key_accounts_and_smes"}
#: "Advertising excluding Alibaba" is advertising minus Alibaba only through 2018; from 2019
#: releases print key accounts + SMEs, which also leaves out other items (reference README).
EXCLUDING_ALIBABA_UNTIL = 2018
#: Rounding of annual figures that are not exact XBRL thousands (US$ thousands).
ANNUAL_PRECISION = {("2013", "ad_alibaba"): "5", ("2014", "ad_alibaba"): "50",
                    ("2016", "vas"): "50",
                    ("2017", "total_revenue"): "5000", ("2017", "advertising"): "50",
                    ("2017", "vas"): "50"}
#: Alibaba's 2018 annual figure counts Alibaba as an advertiser only (its agency revenue is cut
#: off in the stored copy), so it would understate Alibaba: not used. 2019's is complete (agent
#: nil, FY2021 20-F note 10).
ANNUAL_ALIBABA_UNUSED = {"2018"}
EVENT_LABELS = {
    ("2013-04-29", "Alibaba invests"): "Alibaba buys ~18% stake",
    ("2013-04-29", "SINA/Weibo"): "Strategic cooperation signed",
    ("2014-04-17", "Weibo IPO"): "IPO on Nasdaq",
    ("2016-01-31", "Alibaba marketing"): "Cooperation expires",
    ("2018-01-01", "Weibo adopts"): "ASC 606 (new basis)",
}


def _read(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _revenue_row(period: str, stream: str, counterparty: str, amount: str, precision: str,
                 source: str, note: str = "", derived: bool = False,
                 exhaustive: bool = False) -> dict[str, str]:
    return {"company": COMPANY, "period": period, "stream": stream,
            "counterparty": counterparty, "amount": amount, "currency": CURRENCY,
            "unit": "thousands", "precision": precision, "derived": str(derived).lower(),
            "split_is_exhaustive": "true" if exhaustive else "", "source": source, "note": note}


def _quarter_total_precision(thousands: str) -> str:
    """Release highlights print $M to one decimal (±50K), or to two (±5K) when it shows."""
    return "50" if int(thousands) % 100 == 0 else "5"


def quarterly_rows() -> list[dict[str, str]]:
    rows = []
    for r in _read("weibo_quarterly_totals.csv"):
        if r["total_revenue_usd_thousands"]:
            amount = r["total_revenue_usd_thousands"]
            rows.append(_revenue_row(r["period"], "total", "all", amount,
                                     _quarter_total_precision(amount),
                                     f"Weibo quarterly totals: {r['source_url']}", r["note"]))
    for r in _read("weibo_quarterly_revenue.csv"):
        rows.append(_revenue_row(r["period"], STREAMS[r["stream"]],
                                 COUNTERPARTIES[r["counterparty"]], r["amount_usd_thousands"],
                                 r["printed_precision_usd_thousands"],
                                 f"{r['source_title']} <{r['source_url']}>", r["note"]))
    return rows + press_rows(rows) + alibaba_from_excluding_rows(rows)


def press_rows(existing: list[dict[str, str]]) -> list[dict[str, str]]:
    """Alibaba figures only the press printed (2013Q4, 2016Q2), unless a filing row has them."""
    have = {(r["period"], r["counterparty"]) for r in existing}
    return [
        _revenue_row(r["period"], r["stream"], r["counterparty"], r["amount_usd_thousands"], "50",
                     r["source_title"],
                     " ".join(filter(None, [
                         r["note"],
                         r["share_of_total_revenue_reported"] and
                         f"Reported share {r['share_of_total_revenue_reported']}.",
                         "May count all revenue from Alibaba, not only advertising: see NOTES.md."
                     ])))
        for r in _read("weibo_press_figures.csv")
        if (r["period"], r["counterparty"]) not in have
    ]


def alibaba_from_excluding_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Alibaba = advertising minus advertising excluding Alibaba, where that is its meaning."""
    by_key = {(r["period"], r["stream"], r["counterparty"]): r for r in rows}
    derived = []
    for (period, stream, counterparty), excluding in by_key.items():
        if counterparty != "key_accounts_and_smes" or int(period[:4]) > EXCLUDING_ALIBABA_UNTIL:
            continue
        total = by_key.get((period, stream, "all"))
        if total is None or (period, stream, "Alibaba") in by_key:
            continue
        amount = int(total["amount"]) - int(excluding["amount"])
        precision = int(total["precision"]) + int(excluding["precision"])
        derived.append(_revenue_row(
            period, stream, "Alibaba", str(amount), str(precision),
            f"derived: advertising minus advertising excluding Alibaba ({excluding['source']})",
            "Alibaba = advertising less revenue from key accounts and SMEs (ad excluding "
            "Alibaba), as in the 2017 releases", derived=True))
    return derived


def annual_rows() -> list[dict[str, str]]:
    columns = [("total_revenue", "total", "all"), ("advertising", "advertising", "all"),
               ("ad_third_parties", "advertising", "third_parties"),
               ("ad_alibaba", "advertising", "Alibaba"), ("ad_sina", "advertising", "SINA"),
               ("ad_other_related_parties", "advertising", "other_related_parties"),
               ("vas", "value_added_services", "all")]
    rows = []
    for r in _read("weibo_annual_revenue.csv"):
        for column, stream, counterparty in columns:
            amount = r[f"{column}_usd_thousands"]
            if not amount or (column == "ad_alibaba" and r["year"] in ANNUAL_ALIBABA_UNUSED):
                continue
            precision = ANNUAL_PRECISION.get((r["year"], column), "0.5")
            # The 20-F splits advertising into third parties and related parties: where the
            # third-party line is printed, the rest of advertising is related-party revenue.
            exhaustive = column == "advertising" and bool(r["ad_third_parties_usd_thousands"])
            rows.append(_revenue_row(r["year"], stream, counterparty, amount, precision,
                                     f"Weibo annual figures: {r['source_url']}", r["note"],
                                     exhaustive=exhaustive))
    return rows


def event_rows() -> list[dict[str, str]]:
    rows = []
    for r in _read("weibo_events.csv"):
        label = next((v for (day, start), v in EVENT_LABELS.items()
                      if r["date"] == day and r["event"].startswith(start)), None)
        rows.append({"company": COMPANY, "event_date": r["date"],
                     "label": label or r["event"].split(",")[0][:60],
                     "description": r["event"], "source": r["source_url"],
                     "note": r["note"], "annotate": "true" if label else "false"})
    return rows


def kpi_rows() -> list[dict[str, str]]:
    metrics = [("mau_m", "mau", "millions"), ("dau_m", "dau", "millions"),
               ("advertisers", "advertisers", "count")]
    return [{"company": COMPANY, "period": r["period"], "metric": metric, "value": r[column],
             "unit": unit, "source": r["source_url"], "note": r["note"]}
            for r in _read("weibo_quarterly_totals.csv")
            for column, metric, unit in metrics if r[column]]


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_ingest_files(target: Path = SOURCES) -> dict[str, Path]:
    """Write revenue.csv, events.csv and kpis.csv in the documented ingest formats."""
    revenue = sorted(quarterly_rows() + annual_rows(),
                     key=lambda r: (r["period"], r["stream"], r["counterparty"]))
    events, kpis = event_rows(), kpi_rows()
    return {
        "revenue": export.write_text(target / "revenue.csv", _csv_text(revenue, REVENUE_COLUMNS)),
        "events": export.write_text(target / "events.csv", _csv_text(events, list(events[0]))),
        "kpis": export.write_text(target / "kpis.csv", _csv_text(kpis, list(kpis[0]))),
    }


def build(data_dir: Path) -> list[Path]:
    """Regenerate the ingest CSVs, then build every table into `data_dir` from nothing: one
    commit writes every partition file and removes any other (and the flat layout's files)."""
    from analytics import store
    from analytics.ingest import ingest
    from analytics.schema import TABLES

    files = write_ingest_files()
    staging = Path(tempfile.mkdtemp(prefix=".weibo-build-", dir=data_dir.parent))
    try:
        order = [("counterparties", SOURCES / "counterparties.csv"),
                 ("revenue", files["revenue"]), ("partnerships", SOURCES / "partnerships.csv"),
                 ("events", files["events"]), ("kpis", files["kpis"]),
                 ("disclosed_shares", SOURCES / "disclosed_shares.csv")]
        for table, path in order:
            ingest(path, table, staging)
        built = {data_dir / p.relative_to(staging): p.read_bytes()
                 for name in TABLES for p in store.stored_companies(staging, name).values()}
        data_dir.mkdir(parents=True, exist_ok=True)
        stale = [p for name in TABLES
                 for p in [store.legacy_path(data_dir, name),
                           *store.stored_companies(data_dir, name).values()]
                 if p.exists() and p not in built]
        return export.commit_all({path: _bytes_writer(content)
                                  for path, content in sorted(built.items())}, stale,
                                 root=data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _bytes_writer(content: bytes) -> export.Writer:
    return lambda temp: temp.write_bytes(content)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "data"
    for written in build(target):
        print(written)
