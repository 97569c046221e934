"""Build the shipped Weibo data from the cited reference CSVs in data/sources/weibo/reference/.

Converts the transcribed figures (US$ thousands) into the documented ingest format, writes those
CSVs beside the reference files, and ingests them into a fresh data folder. Run it with
`python -m analytics.seed_weibo`; it is reproducible and changes nothing by hand.

Every figure carries the `basis` its reference row names (`SINA segment`, `ASC 605`, `ASC 606`,
`ASC 606 incl. agent revenue`; reference README). Figures derived here (advertising less
advertising excluding Alibaba; weibo_derived_figures.csv) are marked derived, and their note
carries the arithmetic and the rounding it implies.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from analytics import export
from analytics.project import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "data" / "sources" / "weibo"
REFERENCE = SOURCES / "reference"
COMPANY, CURRENCY = "Weibo", "USD"
REVENUE_COLUMNS = ["company", "period", "stream", "counterparty", "amount", "currency", "unit",
                   "precision", "derived", "split_is_exhaustive", "basis", "reported_on",
                   "source", "note"]
STREAMS = {"advertising": "advertising", "value_added_services": "value_added_services"}
#: `non_Alibaba` is advertising excluding Alibaba (every other advertiser: the 2017 releases'
#: "key accounts and SMEs", the 2021 release's "excluding ad revenues from Alibaba");
#: `key_accounts_and_smes` is the 2019-2020 releases' narrower line, which also leaves out
#: other items, so advertising minus it is not Alibaba (reference README).
COUNTERPARTIES = {"all": "all", "Alibaba": "Alibaba", "non_Alibaba": "non_Alibaba",
                  "key_accounts_and_smes": "key_accounts_and_smes"}
#: Rounding of annual figures that are not exact XBRL thousands (US$ thousands).
ANNUAL_PRECISION = {("2013", "ad_alibaba"): "5", ("2014", "ad_alibaba"): "50",
                    ("2016", "vas"): "50",
                    ("2017", "total_revenue"): "5000", ("2017", "advertising"): "50",
                    ("2017", "vas"): "50"}
#: Alibaba's 2018 annual figure counts Alibaba as an advertiser only (its agency revenue is cut
#: off in the stored copy), so it would understate Alibaba: not used. 2019's is complete (agent
#: nil, FY2021 20-F note 10).
ANNUAL_ALIBABA_UNUSED = {"2018"}
#: The annual advertising split by counterparty (the rest of each row is on its `basis`).
SPLIT_COLUMNS = ("ad_third_parties", "ad_alibaba", "ad_sina", "ad_other_related_parties")
#: Why a basis other than the filings' own standard is used (appended to its figures' notes).
BASIS_NOTES = {
    "ASC 606 incl. agent revenue":
        "Basis 'ASC 606 incl. agent revenue': from FY2020 the filings count as Alibaba's the "
        "revenue from Alibaba as an advertiser and as an agent for other advertisers (2020: "
        "152,000 + 36,597; 2021: 139,561 + 41,680; 2022: 106,974 + 223), where earlier "
        "figures count Alibaba as an advertiser only (FY2018 117,696, not stored; FY2019's "
        "agent revenue was nil, so its 97,772 is the same either way); so this split of "
        "advertising is a presentation of its own, not mixed with the ASC 606 figures.",
}
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
                 exhaustive: bool = False, *, basis: str) -> dict[str, str]:
    if not basis:
        raise ValueError(f"Weibo {period} {stream} {counterparty}: no basis in the reference")
    note = " ".join(filter(None, [note, BASIS_NOTES.get(basis, "")]))
    return {"company": COMPANY, "period": period, "stream": stream,
            "counterparty": counterparty, "amount": amount, "currency": CURRENCY,
            "unit": "thousands", "precision": precision, "derived": str(derived).lower(),
            "split_is_exhaustive": "true" if exhaustive else "", "basis": basis,
            "reported_on": "", "source": source, "note": note}


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
                                     f"Weibo quarterly totals: {r['source_url']}", r["note"],
                                     basis=r["total_revenue_basis"]))
    for r in _read("weibo_quarterly_revenue.csv"):
        rows.append(_revenue_row(r["period"], STREAMS[r["stream"]],
                                 COUNTERPARTIES[r["counterparty"]], r["amount_usd_thousands"],
                                 r["printed_precision_usd_thousands"],
                                 f"{r['source_title']} <{r['source_url']}>", r["note"],
                                 basis=r["basis"]))
    return rows + press_rows(rows) + alibaba_from_excluding_rows(rows)


def press_rows(existing: list[dict[str, str]]) -> list[dict[str, str]]:
    """Alibaba figures only the press printed (2013Q4, 2016Q2, 2018Q3, 2018Q4), unless a
    filing row has them."""
    have = {(r["period"], r["counterparty"]) for r in existing}
    return [
        _revenue_row(r["period"], r["stream"], r["counterparty"], r["amount_usd_thousands"], "50",
                     f"{r['source_title']} <{r['source_url']}>",
                     " ".join(filter(None, [
                         "Press figure.",
                         r["note"],
                         r["share_of_total_revenue_reported"] and
                         f"Reported share {r['share_of_total_revenue_reported']}.",
                         "May count all revenue from Alibaba, not only advertising: see NOTES.md."
                     ])), basis=r["basis"])
        for r in _read("weibo_press_figures.csv")
        if (r["period"], r["counterparty"]) not in have
    ]


def _k(value: Fraction | int) -> str:
    """A US$ thousands figure as the notes print it: 26,352 or 26,352.3."""
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"


def _ratio(value: Fraction) -> str:
    """A growth factor or a percentage as the notes print it: 1.55, 1.545, 8.65."""
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


def alibaba_from_excluding_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Alibaba = advertising minus advertising excluding Alibaba (`non_Alibaba`)."""
    by_key = {(r["period"], r["stream"], r["counterparty"]): r for r in rows}
    derived = []
    for (period, stream, counterparty), excluding in by_key.items():
        if counterparty != "non_Alibaba":
            continue
        total = by_key.get((period, stream, "all"))
        if total is None or (period, stream, "Alibaba") in by_key:
            continue
        if total["basis"] != excluding["basis"]:
            raise ValueError(f"Weibo {period}: {stream} and its part excluding Alibaba are on "
                             "different bases")
        amount = int(total["amount"]) - int(excluding["amount"])
        precision = int(total["precision"]) + int(excluding["precision"])
        derived.append(_revenue_row(
            period, stream, "Alibaba", str(amount), str(precision),
            f"derived: advertising minus advertising excluding Alibaba ({excluding['source']})",
            f"Derived, not printed: Alibaba = advertising {_k(int(total['amount']))} - "
            f"advertising excluding Alibaba {_k(int(excluding['amount']))} = {_k(amount)}; "
            f"precision ±{total['precision']} + ±{excluding['precision']} = ±{precision}.",
            derived=True, basis=total["basis"]))
    return derived


def derived_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The figures weibo_derived_figures.csv derives from a printed share, growth rate or sum,
    with the arithmetic and the rounding it implies (bounds from the printed roundings) in the
    note. Amounts in US$ thousands, rounded to whole thousands; precision rounded up."""
    by_key = {(r["period"], r["stream"], r["counterparty"]): r for r in rows}
    derived = []
    for r in _read("weibo_derived_figures.csv"):
        printed, rounding = Fraction(r["printed"]), Fraction(r["printed_precision"])
        if r["method"] == "share_of_stream":
            base = by_key[(r["period"], r["stream"], "all")]
            x, dx = Fraction(base["amount"]), Fraction(base["precision"])
            exact = printed / 100 * x
            low, high = (printed - rounding) / 100 * (x - dx), (printed + rounding) / 100 * (x + dx)
            how = (f"{r['printed']}% of {r['stream']} {_k(x)} = {_k(exact)}", (
                f"the share is printed to ±{r['printed_precision']} pt and {r['stream']} to "
                f"±{base['precision']}, so it lies between {_ratio(printed - rounding)}% × "
                f"{_k(x - dx)} = {_k(low)} and {_ratio(printed + rounding)}% × {_k(x + dx)} = "
                f"{_k(high)}"))
        elif r["method"] == "growth_to":
            base = by_key[(r["from_periods"], r["stream"], r["counterparty"])]
            x, dx = Fraction(base["amount"]), Fraction(base["precision"])
            exact = x / (1 + printed / 100)
            low = (x - dx) / (1 + (printed + rounding) / 100)
            high = (x + dx) / (1 + (printed - rounding) / 100)
            how = (f"{r['from_periods']}'s {_k(x)} / {_ratio(1 + printed / 100)} "
                   f"(+{r['printed']}% year over year) = {_k(exact)}", (
                       f"the growth is printed to ±{r['printed_precision']} pt and "
                       f"{r['from_periods']}'s figure to ±{base['precision']}, so it lies "
                       f"between {_k(x - dx)} / {_ratio(1 + (printed + rounding) / 100)} = "
                       f"{_k(low)} and {_k(x + dx)} / {_ratio(1 + (printed - rounding) / 100)}"
                       f" = {_k(high)}"))
        elif r["method"] == "total_less_parts":
            parts = [by_key[(p, r["stream"], r["counterparty"])]
                     for p in r["from_periods"].split(";")]
            exact = printed - sum(Fraction(p["amount"]) for p in parts)
            spread = rounding + sum(Fraction(p["precision"]) for p in parts)
            low, high = exact - spread, exact + spread
            how = (f"{_k(printed)} - " + " - ".join(f"{_k(int(p['amount']))} ({p['period']})"
                                                     for p in parts) + f" = {_k(exact)}", (
                f"±{r['printed_precision']} on the printed sum plus "
                + " + ".join(f"±{p['precision']}" for p in parts)))
        else:
            raise ValueError(f"weibo_derived_figures.csv: unknown method {r['method']!r}")
        amount = round(exact)
        precision = math.ceil(max(high - amount, amount - low))
        if (r["period"], r["stream"], r["counterparty"]) in by_key:
            raise ValueError(f"Weibo {r['period']} {r['counterparty']}: printed and derived")
        derived.append(_revenue_row(
            r["period"], r["stream"], r["counterparty"], str(amount), str(precision),
            f"derived: {how[0]} ({r['source_title']} <{r['source_url']}>)",
            f"Derived, not printed: {how[0]}"
            f"{'' if amount == exact else f', stored as {_k(amount)}'}; precision: {how[1]}: "
            f"±{precision}. Source text: {r['quote']}. {r['note']}",
            derived=True, basis=r["basis"]))
    return derived


def annual_rows() -> list[dict[str, str]]:
    columns = [("total_revenue", "total", "all"), ("advertising", "advertising", "all"),
               ("ad_third_parties", "advertising", "third_parties"),
               ("ad_alibaba", "advertising", "Alibaba"), ("ad_sina", "advertising", "SINA"),
               ("ad_other_related_parties", "advertising", "other_related_parties"),
               ("vas", "value_added_services", "all")]
    rows = []
    for r in _read("weibo_annual_revenue.csv"):
        split_basis = r["split_basis"] or r["basis"]
        split_source = r["split_source_url"] or r["source_url"]
        for column, stream, counterparty in columns:
            amount = r[f"{column}_usd_thousands"]
            if not amount or (column == "ad_alibaba" and r["year"] in ANNUAL_ALIBABA_UNUSED):
                continue
            precision = ANNUAL_PRECISION.get((r["year"], column), "0.5")
            # The 20-F splits advertising into third parties and related parties: where the
            # third-party line is printed, the rest of advertising is related-party revenue.
            exhaustive = column == "advertising" and bool(r["ad_third_parties_usd_thousands"])
            on_split = column in SPLIT_COLUMNS
            rows.append(_revenue_row(
                r["year"], stream, counterparty, amount, precision,
                f"Weibo annual figures: {split_source if on_split else r['source_url']}",
                r["note"], exhaustive=exhaustive and split_basis == r["basis"],
                basis=split_basis if on_split else r["basis"]))
            if column == "advertising" and split_basis != r["basis"] and exhaustive:
                # The split's own table prints this subtotal: it is a figure of that basis too.
                rows.append(_revenue_row(
                    r["year"], stream, counterparty, amount, precision,
                    f"Weibo annual figures: {split_source}",
                    f"{r['note']} Subtotal of the advertising split by counterparty.",
                    exhaustive=True, basis=split_basis))
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


def revenue_rows() -> list[dict[str, str]]:
    """Every revenue row of the ingest file: read, then derived from what was read."""
    rows = quarterly_rows() + annual_rows()
    rows += derived_rows(rows)
    return sorted(rows, key=lambda r: (r["period"], r["stream"], r["counterparty"], r["basis"]))


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_ingest_files(target: Path = SOURCES) -> dict[str, Path]:
    """Write revenue.csv, events.csv and kpis.csv in the documented ingest formats."""
    revenue = revenue_rows()
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
