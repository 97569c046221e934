"""The Weibo data audit (issue 9): the figures it derives or splits out, checked against the
numbers the filings and the press print, through the public API on the shipped data. The
printed numbers are written here as printed ($M, %); every amount compared with them is read
from the stored data."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

import analytics

WEIBO = "Weibo"
M = Decimal(1_000_000)


def figures(sql: str) -> list[dict]:
    return analytics.sql(sql).to_dicts()


def leaf(period: str, counterparty: str, stream: str = "advertising") -> dict:
    """The one leaf a period shows for a stream and counterparty."""
    rows = figures(
        "SELECT * FROM revenue WHERE company = 'Weibo' "
        f"AND period = '{period}' AND stream = '{stream}' "
        f"AND counterparty = '{counterparty}'"
    )
    assert len(rows) == 1, (period, stream, counterparty, rows)
    return rows[0]


def printed_total(period: str, stream: str) -> dict:
    rows = figures(
        "SELECT * FROM reported_totals WHERE company = 'Weibo' "
        f"AND period = '{period}' AND stream = '{stream}'"
    )
    assert len(rows) == 1, (period, stream, rows)
    return rows[0]


def pct(value: str) -> Decimal:
    return Decimal(value) / 100


# --- Alibaba from "x% of Weibo's ad sales" (Motley Fool, 2018-05-09) ---------------------------


@pytest.mark.parametrize(("period", "printed"), [("2017Q1", "4.6"), ("2018Q1", "8.7")])
def test_alibaba_is_the_printed_share_of_advertising_within_its_rounding(period, printed):
    """'Alibaba accounted for 8.7% of Weibo's ad sales, up from 4.6% in the first quarter of
    2017': the share printed to 0.1 pt (±0.05 pt) of advertising printed to ±$0.05M."""
    alibaba, ad = leaf(period, "Alibaba"), printed_total(period, "advertising")
    low = (pct(printed) - pct("0.05")) * (ad["amount"] - ad["precision"])
    high = (pct(printed) + pct("0.05")) * (ad["amount"] + ad["precision"])
    assert low <= alibaba["amount"] <= high
    # The stored precision covers that range, and no more than the rounding to whole $K adds.
    assert alibaba["amount"] - alibaba["precision"] <= low
    assert alibaba["amount"] + alibaba["precision"] >= high
    assert alibaba["precision"] <= max(high - alibaba["amount"], alibaba["amount"] - low) + 1000
    assert round(alibaba["amount"] / ad["amount"], 3) == pct(printed)


def test_alibaba_2018q1_agrees_with_the_fy2018_20f():
    """Issue 9: the FY2018 20-F gives $26.3M for 2018Q1 (printed to $0.1M)."""
    alibaba = leaf("2018Q1", "Alibaba")
    assert abs(alibaba["amount"] - Decimal("26.3") * M) <= alibaba["precision"] + 50_000


def test_the_same_article_says_alibaba_tripled_and_other_advertisers_rose_71_percent():
    """'Alibaba more than tripled its Weibo ad spending in the first quarter while revenues from
    other advertisers rose 71% higher' (2018Q1 on 2017Q1, as the release compares them)."""
    ali = {p: leaf(p, "Alibaba")["amount"] for p in ("2017Q1", "2018Q1")}
    ad = {p: printed_total(p, "advertising")["amount"] for p in ("2017Q1", "2018Q1")}
    assert ali["2018Q1"] > 3 * ali["2017Q1"]
    others = (ad["2018Q1"] - ali["2018Q1"]) / (ad["2017Q1"] - ali["2017Q1"]) - 1
    assert round(others, 2) == Decimal("0.71")


# --- Alibaba 2016Q4 from "grew 55% year over year to $38 million" (2017Q4) ---------------------


def test_alibaba_grew_55_percent_from_2016q4_to_2017q4():
    frame = analytics.query("growth", company=WEIBO, partner="Alibaba")
    row = frame.filter(pl.col("period") == "2017Q4").row(0, named=True)
    assert row["prior_period"] == "2016Q4"
    assert row["partner_revenue"] == 38 * M
    assert round(row["partner_revenue"] / row["prior_partner_revenue"] - 1, 2) == Decimal("0.55")
    q4 = leaf("2016Q4", "Alibaba")
    # 38 printed to $1M (±0.5M), 55% to 1 pt (±0.5 pt): the stored precision covers both.
    assert q4["amount"] - q4["precision"] <= Decimal("37.5") * M / Decimal("1.555")
    assert q4["amount"] + q4["precision"] >= Decimal("38.5") * M / Decimal("1.545")


def test_alibaba_2017q2_agrees_with_the_137_percent_growth_printed_for_2018q2():
    """Motley Fool, 2018-08-09: Alibaba 'increased its Weibo ad spending by 137% YoY,
    contributing $31.3 million' in 2018Q2 (the release compares across the ASC 606 change)."""
    q2_17, q2_18 = leaf("2017Q2", "Alibaba"), leaf("2018Q2", "Alibaba")
    low = (q2_18["amount"] - q2_18["precision"]) / (q2_17["amount"] + q2_17["precision"]) - 1
    high = (q2_18["amount"] + q2_18["precision"]) / (q2_17["amount"] - q2_17["precision"]) - 1
    assert low <= Decimal("1.37") <= high


# --- Alibaba 2020Q3 and 2021Q3: advertising less advertising excluding Alibaba ------------------


@pytest.mark.parametrize(("period", "excluding"), [("2020Q3", "387.5"), ("2021Q3", "516.8")])
def test_alibaba_is_advertising_less_advertising_excluding_alibaba(period, excluding):
    """'Advertising and marketing revenues excluding ad revenues from Alibaba were $516.8
    million, an increase of 33% compared to $387.5 million' (Q3 2021 release, via CIW)."""
    ad = printed_total(period, "advertising")
    alibaba, rest = leaf(period, "Alibaba"), leaf(period, "non_Alibaba")
    assert rest["amount"] == Decimal(excluding) * M
    assert alibaba["amount"] == ad["amount"] - Decimal(excluding) * M
    assert alibaba["precision"] == ad["precision"] + rest["precision"]


def test_advertising_excluding_alibaba_grew_33_percent():
    rest = {p: leaf(p, "non_Alibaba")["amount"] for p in ("2020Q3", "2021Q3")}
    assert round(rest["2021Q3"] / rest["2020Q3"] - 1, 2) == Decimal("0.33")


def test_non_alibaba_and_alibaba_make_up_advertising_wherever_it_is_stored():
    """`non_Alibaba` is every advertiser but Alibaba (2017Q2, 2017Q3, 2020Q3, 2021Q3); the
    2019-2020 releases' key accounts and SMEs leave more out, so their rest is not Alibaba."""
    rows = figures(
        "SELECT period, counterparty, amount, precision FROM revenue "
        "WHERE company = 'Weibo' AND stream = 'advertising' "
        "AND period IN (SELECT period FROM revenue WHERE company = 'Weibo' "
        "AND counterparty = 'non_Alibaba')"
    )
    periods = sorted({r["period"] for r in rows})
    assert periods == ["2017Q2", "2017Q3", "2020Q3", "2021Q3"]
    for period in periods:
        leaves = {r["counterparty"]: r for r in rows if r["period"] == period}
        assert set(leaves) == {"Alibaba", "non_Alibaba"}, period
        ad = printed_total(period, "advertising")
        gap = abs(sum(r["amount"] for r in leaves.values()) - ad["amount"])
        assert gap <= sum(r["precision"] for r in leaves.values()) + ad["precision"], period
    kas = figures(
        "SELECT DISTINCT period FROM revenue WHERE company = 'Weibo' "
        "AND counterparty = 'key_accounts_and_smes' ORDER BY period"
    )
    assert [r["period"] for r in kas] == ["2019Q2", "2020Q2"]
    for row in kas:
        assert (
            figures(
                "SELECT 1 FROM revenue WHERE company = 'Weibo' AND counterparty = "
                f"'Alibaba' AND period = '{row['period']}'"
            )
            == []
        )


# --- Alibaba 2015 and a related_parties that means one thing -----------------------------------


def test_alibaba_over_the_33_months_of_cooperation_is_the_printed_311m():
    """AllTechAsia, 2016-05-12: 'Weibo Corp. earned USD 311 million from Alibaba in their 33
    months of cooperation' (May 2013 to January 2016, whose month is 2016Q1's $11.1M)."""
    parts = [leaf(p, "Alibaba") for p in ("2013", "2014", "2015", "2016Q1")]
    total = sum(p["amount"] for p in parts)
    assert abs(total - 311 * M) <= 500_000
    assert parts[2]["precision"] == 500_000 + sum(p["precision"] for p in parts[:2] + parts[3:])


@pytest.mark.parametrize(("share_of", "printed"), [("advertising", "36"), ("total", "30")])
def test_alibaba_2015_agrees_with_the_printed_shares(share_of, printed):
    """TechNode: 36% of 2015 advertising; 30% of 2015 revenue (both to ±0.5 pt)."""
    alibaba = leaf("2015", "Alibaba")
    shares = figures(
        "SELECT share_percent FROM disclosed_shares WHERE company = 'Weibo' "
        f"AND period = '2015' AND partner = 'Alibaba' AND share_of = '{share_of}'"
    )
    assert [Decimal(str(s["share_percent"])) for s in shares] == [Decimal(printed)]
    base = printed_total("2015", share_of)["amount"]
    low, high = (pct(printed) - pct("0.5")) * base, (pct(printed) + pct("0.5")) * base
    assert alibaba["amount"] + alibaba["precision"] >= low
    assert alibaba["amount"] - alibaba["precision"] <= high


def test_related_parties_never_includes_alibaba():
    """A `related_parties` leaf (the rest of an exhaustive third-party split) sits beside an
    Alibaba leaf in every period that has one, so it is SINA and other related parties."""
    rows = figures(
        "SELECT period, stream, list(counterparty ORDER BY counterparty) AS names "
        "FROM revenue WHERE company = 'Weibo' GROUP BY period, stream "
        "HAVING list_contains(list(counterparty), 'related_parties') ORDER BY period"
    )
    assert [r["period"] for r in rows] == ["2013", "2014", "2015"]
    assert all("Alibaba" in r["names"] and "third_parties" in r["names"] for r in rows)


def test_the_related_party_share_of_advertising_still_counts_alibaba():
    frame = analytics.query("related_party_share", company=WEIBO, period_kind="year")
    rows = {r["period"]: r for r in frame.filter(pl.col("stream") == "advertising").to_dicts()}
    for year in ("2013", "2014", "2015"):
        third = leaf(year, "third_parties")["amount"]
        ad = printed_total(year, "advertising")["amount"]
        assert rows[year]["related_party_revenue"] == ad - third, year


# --- 2018: the quarters against the 20-F ----------------------------------------------------


def test_the_2018_quarters_add_up_to_the_20f_alibaba_as_advertiser():
    """20-F FY2020 (R70): Alibaba as an advertiser in 2018 was $117,696K. The four quarters
    (derived 2018Q1, press 2018Q2-Q4) add up to it within their rounding."""
    frame = analytics.query("partner_dependence", company=WEIBO, partner="Alibaba")
    row = frame.filter(pl.col("period") == "2018Q4").row(0, named=True)
    rounding = sum(leaf(p, "Alibaba")["precision"] for p in ("2018Q1", "2018Q2", "2018Q3", "2018Q4"))
    assert abs(row["ttm_partner_revenue"] - 117_696_000) <= rounding


# --- marking and sourcing ---------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2015", "2016Q4", "2017Q1", "2017Q2", "2018Q1", "2020Q3", "2021Q3"])
def test_a_derived_alibaba_figure_is_marked_and_says_how(period):
    row = leaf(period, "Alibaba")
    assert row["derived"] is True
    assert row["derivation"] == "source"
    assert row["source"].startswith("derived: ") and "http" in row["source"]
    assert row["note"].startswith("Derived, not printed: ")
    assert " = " in row["note"] and "±" in row["note"]


@pytest.mark.parametrize(
    ("period", "text"),
    [
        ("2013Q4", "Alibaba's revenue for Weibo was $28.5 million"),
        ("2016Q2", "the proportion of revenue brought by Alibaba to Weibo"),
    ],
)
def test_the_press_reprint_figures_name_their_publication_and_wording(period, text):
    row = leaf(period, "Alibaba")
    assert row["derived"] is False
    assert "China Packaging News" in row["source"] and "http://" in row["source"]
    assert row["note"].startswith("Press figure.") and text in row["note"]


# --- bases -------------------------------------------------------------------------------------


def test_every_weibo_figure_names_its_basis():
    for table in ("revenue_vintages", "reported_totals_vintages", "disclosed_shares_vintages"):
        bases = figures(f"SELECT DISTINCT basis FROM {table} WHERE company = 'Weibo'")
        assert {b["basis"] for b in bases} <= {
            "SINA segment",
            "ASC 605",
            "ASC 606",
            "ASC 606 incl. agent revenue",
        }, table


def test_each_period_shows_the_basis_of_its_total_revenue():
    quarters = analytics.query("partner_dependence", company=WEIBO, partner="Alibaba")
    quarters = quarters.filter(pl.col("total_revenue").is_not_null())
    basis = dict(zip(quarters["period"], quarters["basis"], strict=True))
    # 2013Q2 has a total on each basis, both undated (see the next test): not pinned here.
    assert {basis[p] for p in basis if "2013Q3" <= p <= "2017Q4" or p == "2013Q1"} == {"ASC 605"}
    assert {basis[p] for p in basis if p >= "2018Q1"} == {"ASC 606"}
    years = analytics.query("partner_dependence", company=WEIBO, partner="Alibaba", period_kind="year")
    basis = dict(zip(years["period"], years["basis"], strict=True))
    assert basis == {
        "2012": "SINA segment",
        **dict.fromkeys(["2013", "2014", "2015", "2016", "2017"], "ASC 605"),
        "2018": "ASC 606",
        "2019": "ASC 606",
        "2020": "ASC 606",
        "2021": "ASC 606 incl. agent revenue",
        "2022": "ASC 606 incl. agent revenue",
    }


def test_2013q2_has_sinas_printed_total_and_one_on_weibos_basis_from_fiscal_2013():
    """SINA's Q2 2013 results print $37.7M for the Weibo segment; on Weibo's own basis the
    quarter is FY2013 (20-F) less Weibo's three other quarters."""
    totals = {
        r["basis"]: r
        for r in figures(
            "SELECT * FROM reported_totals_vintages WHERE company = 'Weibo' AND stream = 'total' "
            "AND period = '2013Q2'"
        )
    }
    assert set(totals) == {"SINA segment", "ASC 605"}
    assert totals["SINA segment"]["amount"] == Decimal("37.7") * M
    assert totals["SINA segment"]["derived"] is False
    others = figures(
        "SELECT sum(amount) AS s FROM reported_totals WHERE company = 'Weibo' "
        "AND stream = 'total' AND period IN ('2013Q1', '2013Q3', '2013Q4')"
    )
    year = printed_total("2013", "total")
    assert totals["ASC 605"]["amount"] == year["amount"] - others[0]["s"]
    assert totals["ASC 605"]["derivation"] == "fiscal_year_remainder"


@pytest.mark.parametrize(
    ("period", "stream", "amount"),
    [("2013Q3", "advertising", "43.7"), ("2013Q4", "value_added_services", "15.4")],
)
def test_a_sina_segment_figure_in_a_weibo_basis_quarter_is_stored_but_not_shown(period, stream, amount):
    shown = figures(
        "SELECT amount FROM reported_totals WHERE company = 'Weibo' "
        f"AND period = '{period}' AND stream = '{stream}'"
    )
    assert shown == []
    stored = figures(
        "SELECT basis, amount FROM reported_totals_vintages WHERE company = "
        f"'Weibo' AND period = '{period}' AND stream = '{stream}'"
    )
    assert stored == [{"basis": "SINA segment", "amount": Decimal(amount) * M}]


def test_alibaba_incl_agent_revenue_in_2020_shows_on_its_own_basis():
    """Alibaba 2020 = 152,000 as an advertiser + 36,597 as an agent (20-F FY2020, R70)."""
    default = analytics.query(
        "partner_dependence", company=WEIBO, partner="Alibaba", period_kind="year"
    ).filter(pl.col("period") == "2020")
    assert default["partner_revenue"].to_list() == [None]
    agent = analytics.query(
        "partner_dependence",
        company=WEIBO,
        partner="Alibaba",
        period_kind="year",
        basis="ASC 606 incl. agent revenue",
    )
    row = agent.filter(pl.col("period") == "2020").row(0, named=True)
    assert row["partner_revenue"] == (152_000 + 36_597) * 1000
    assert row["basis"] == "ASC 606 incl. agent revenue"


def test_growth_across_the_asc_606_change_is_a_break():
    frame = analytics.query("growth", company=WEIBO, partner="Alibaba")
    rows = {r["period"]: r for r in frame.to_dicts()}
    assert rows["2018Q1"]["basis_break"] is True
    assert rows["2018Q1"]["total_yoy"] is None
    assert rows["2017Q4"]["basis_break"] is False
