"""Weibo's printed figures (quarterly, annual, press, events, KPIs) as rows of the ingest formats.

Each figure keeps the `basis` its reference row names and the rounding its source printed it
to; the one exception, Alibaba where only advertising excluding Alibaba is printed, comes from
weibo_derived.py and is marked derived.
"""

from __future__ import annotations

from analytics.weibo.derived import alibaba_from_excluding_rows
from analytics.weibo.reference import COMPANY, read_reference, revenue_row

Row = dict[str, str]
STREAMS = {"advertising": "advertising", "value_added_services": "value_added_services"}
#: `non_Alibaba` is advertising excluding Alibaba (every other advertiser: the 2017 releases'
#: "key accounts and SMEs", the 2021 release's "excluding ad revenues from Alibaba");
#: `key_accounts_and_smes` is the 2019-2020 releases' narrower line, which also leaves out
#: other items, so advertising minus it is not Alibaba (reference README).
COUNTERPARTIES = {
    "all": "all",
    "Alibaba": "Alibaba",
    "non_Alibaba": "non_Alibaba",
    "key_accounts_and_smes": "key_accounts_and_smes",
}
#: Rounding of annual figures that are not exact XBRL thousands (US$ thousands).
ANNUAL_PRECISION = {
    ("2013", "ad_alibaba"): "5",
    ("2014", "ad_alibaba"): "50",
    ("2016", "vas"): "50",
    ("2017", "total_revenue"): "5000",
    ("2017", "advertising"): "50",
    ("2017", "vas"): "50",
}
#: Alibaba's 2018 annual figure counts Alibaba as an advertiser only (its agency revenue is cut
#: off in the stored copy), so it would understate Alibaba: not used. 2019's is complete (agent
#: nil, FY2021 20-F note 10).
ANNUAL_ALIBABA_UNUSED = {"2018"}
#: The annual advertising split by counterparty (the rest of each row is on its `basis`).
SPLIT_COLUMNS = ("ad_third_parties", "ad_alibaba", "ad_sina", "ad_other_related_parties")
#: The annual reference's columns: (column, stream, counterparty).
ANNUAL_COLUMNS = [
    ("total_revenue", "total", "all"),
    ("advertising", "advertising", "all"),
    ("ad_third_parties", "advertising", "third_parties"),
    ("ad_alibaba", "advertising", "Alibaba"),
    ("ad_sina", "advertising", "SINA"),
    ("ad_other_related_parties", "advertising", "other_related_parties"),
    ("vas", "value_added_services", "all"),
]
EVENT_LABELS = {
    ("2013-04-29", "Alibaba invests"): "Alibaba buys ~18% stake",
    ("2013-04-29", "SINA/Weibo"): "Strategic cooperation signed",
    ("2014-04-17", "Weibo IPO"): "IPO on Nasdaq",
    ("2016-01-31", "Alibaba marketing"): "Cooperation expires",
    ("2018-01-01", "Weibo adopts"): "ASC 606 (new basis)",
}


def _quarter_total_precision(thousands: str) -> str:
    """Release highlights print $M to one decimal (±50K), or to two (±5K) when it shows."""
    return "50" if int(thousands) % 100 == 0 else "5"


def quarterly_rows() -> list[Row]:
    rows = []
    for r in read_reference("weibo_quarterly_totals.csv"):
        if r["total_revenue_usd_thousands"]:
            amount = r["total_revenue_usd_thousands"]
            rows.append(
                revenue_row(
                    r["period"],
                    "total",
                    "all",
                    amount,
                    _quarter_total_precision(amount),
                    f"Weibo quarterly totals: {r['source_url']}",
                    r["note"],
                    basis=r["total_revenue_basis"],
                )
            )
    for r in read_reference("weibo_quarterly_revenue.csv"):
        rows.append(
            revenue_row(
                r["period"],
                STREAMS[r["stream"]],
                COUNTERPARTIES[r["counterparty"]],
                r["amount_usd_thousands"],
                r["printed_precision_usd_thousands"],
                f"{r['source_title']} <{r['source_url']}>",
                r["note"],
                basis=r["basis"],
            )
        )
    return rows + press_rows(rows) + alibaba_from_excluding_rows(rows)


def press_rows(existing: list[Row]) -> list[Row]:
    """Alibaba figures only the press printed (2013Q4, 2016Q2, 2018Q3, 2018Q4), unless a
    filing row has them."""
    have = {(r["period"], r["counterparty"]) for r in existing}
    return [
        revenue_row(
            r["period"],
            r["stream"],
            r["counterparty"],
            r["amount_usd_thousands"],
            "50",
            f"{r['source_title']} <{r['source_url']}>",
            " ".join(
                filter(
                    None,
                    [
                        "Press figure.",
                        r["note"],
                        r["share_of_total_revenue_reported"]
                        and f"Reported share {r['share_of_total_revenue_reported']}.",
                        "May count all revenue from Alibaba, not only advertising: see NOTES.md.",
                    ],
                )
            ),
            basis=r["basis"],
        )
        for r in read_reference("weibo_press_figures.csv")
        if (r["period"], r["counterparty"]) not in have
    ]


def annual_rows() -> list[Row]:
    return [row for r in read_reference("weibo_annual_revenue.csv") for row in _year_rows(r)]


def _year_rows(r: Row) -> list[Row]:
    """One year's figures: each on its row's basis, the advertising split on the split's."""
    split_basis = r["split_basis"] or r["basis"]
    split_source = r["split_source_url"] or r["source_url"]
    rows = []
    for column, stream, counterparty in ANNUAL_COLUMNS:
        amount = r[f"{column}_usd_thousands"]
        if not amount or (column == "ad_alibaba" and r["year"] in ANNUAL_ALIBABA_UNUSED):
            continue
        precision = ANNUAL_PRECISION.get((r["year"], column), "0.5")
        # The 20-F splits advertising into third parties and related parties: where the
        # third-party line is printed, the rest of advertising is related-party revenue.
        exhaustive = column == "advertising" and bool(r["ad_third_parties_usd_thousands"])
        on_split = column in SPLIT_COLUMNS
        rows.append(
            revenue_row(
                r["year"],
                stream,
                counterparty,
                amount,
                precision,
                f"Weibo annual figures: {split_source if on_split else r['source_url']}",
                r["note"],
                exhaustive=exhaustive and split_basis == r["basis"],
                basis=split_basis if on_split else r["basis"],
            )
        )
        if column == "advertising" and split_basis != r["basis"] and exhaustive:
            # The split's own table prints this subtotal: it is a figure of that basis too.
            rows.append(
                revenue_row(
                    r["year"],
                    stream,
                    counterparty,
                    amount,
                    precision,
                    f"Weibo annual figures: {split_source}",
                    f"{r['note']} Subtotal of the advertising split by counterparty.",
                    exhaustive=True,
                    basis=split_basis,
                )
            )
    return rows


def event_rows() -> list[Row]:
    rows = []
    for r in read_reference("weibo_events.csv"):
        label = next(
            (
                v
                for (day, start), v in EVENT_LABELS.items()
                if r["date"] == day and r["event"].startswith(start)
            ),
            None,
        )
        rows.append(
            {
                "company": COMPANY,
                "event_date": r["date"],
                "label": label or r["event"].split(",")[0][:60],
                "description": r["event"],
                "source": r["source_url"],
                "note": r["note"],
                "annotate": "true" if label else "false",
            }
        )
    return rows


def kpi_rows() -> list[Row]:
    metrics = [
        ("mau_m", "mau", "millions"),
        ("dau_m", "dau", "millions"),
        ("advertisers", "advertisers", "count"),
    ]
    return [
        {
            "company": COMPANY,
            "period": r["period"],
            "metric": metric,
            "value": r[column],
            "unit": unit,
            "source": r["source_url"],
            "note": r["note"],
        }
        for r in read_reference("weibo_quarterly_totals.csv")
        for column, metric, unit in metrics
        if r[column]
    ]
