"""Fiscal calendars and half-years (issue 12, item 4): a `companies` table declares a company's
currency and fiscal year end; `2024`, `2024H1` and `2024Q1` are fiscal periods of that company,
dated in its calendar. Marlow Holdings (tests/fixtures/marlow/README.md) reports half-years with
a March year end; every number below is computed by hand there."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import InputError, ValidationError
from analytics.periods import Period, parse_period, period_of, period_problem
from analytics.sql.engine import connect
from tests.shapes import FIXTURES, ingest_fixture

COMPANY = "Marlow"
MILLION = Decimal(1_000_000)


def gbp(millions: str) -> Decimal:
    return Decimal(millions) * MILLION


def by_period(frame: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["period"].to_list(), frame[column].to_list(), strict=True))


@pytest.fixture(scope="module")
def marlow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("marlow") / "data"
    folder.mkdir()
    return ingest_fixture(folder, "marlow")


@pytest.fixture
def marlow_copy(marlow: Path, tmp_path: Path) -> Path:
    """A copy to change: the module's data stays as the fixture built it."""
    return Path(shutil.copytree(marlow, tmp_path / "data"))


def test_python_and_sql_date_every_label_alike_in_every_calendar():
    labels = ["2024", *(f"2024H{h}" for h in (1, 2)), *(f"2024Q{q}" for q in range(1, 5))]
    connection = connect()
    try:
        for month in range(1, 13):
            found = connection.execute(
                "SELECT period, period_start_in(period, $m), period_end_in(period, $m), "
                "period_kind, period_label(period_start, period_kind, $m) FROM period_calendar"
                " WHERE year_end_month = $m AND list_contains($labels::VARCHAR[], period)",
                {"m": month, "labels": labels},
            ).fetchall()
            assert sorted(row[0] for row in found) == sorted(labels)
            for label, start, end, kind, relabelled in found:
                period = parse_period(label)
                assert (start, end, kind, relabelled) == (
                    period.start(month),
                    period.end(month),
                    period.kind,
                    label,
                ), (label, month)
                assert period_of(start, kind, month) == period
                assert period_of(end, kind, month) == period
    finally:
        connection.close()


def test_a_march_year_is_named_by_the_year_it_ends_in():
    fy2024 = Period(2024)
    assert (fy2024.start(3), fy2024.end(3)) == (dt.date(2023, 4, 1), dt.date(2024, 3, 31))
    q1 = parse_period("2024Q1")
    assert (q1.start(3), q1.end(3)) == (dt.date(2023, 4, 1), dt.date(2023, 6, 30))
    h2 = parse_period("2024-H2")
    assert h2.label == "2024H2"
    assert (h2.start(3), h2.end(3)) == (dt.date(2023, 10, 1), dt.date(2024, 3, 31))
    # A June year end: FY2024 is July 2023 to June 2024.
    assert (Period(2024).start(6), parse_period("2024H2").start(6)) == (
        dt.date(2023, 7, 1),
        dt.date(2024, 1, 1),
    )
    assert period_problem("2024H3") == "the half must be 1-2, not 3"
    assert period_problem("2024Q5") == "the quarter must be 1-4, not 5"


def test_marlow_periods_are_dated_in_its_march_calendar(marlow):
    totals = analytics.sql(
        "SELECT period, period_kind, period_start, period_end, amount, "
        "derived, derivation, source FROM reported_totals "
        "WHERE company = 'Marlow' AND stream = 'total' ORDER BY period",
        data_dir=marlow,
    )
    rows = {r["period"]: r for r in totals.iter_rows(named=True)}
    assert (rows["2024"]["period_start"], rows["2024"]["period_end"]) == (
        dt.date(2023, 4, 1),
        dt.date(2024, 3, 31),
    )
    assert (rows["2024H1"]["period_start"], rows["2024H1"]["period_end"]) == (
        dt.date(2023, 4, 1),
        dt.date(2023, 9, 30),
    )
    assert rows["2024H1"]["period_kind"] == "half"
    # H2 is never printed: the year's total minus H1's (86.0 - 40.0, 101.6 - 48.2, 118.4 - 55.0).
    assert {p: rows[p]["amount"] for p in ("2022H2", "2023H2", "2024H2")} == {
        "2022H2": gbp("46.0"),
        "2023H2": gbp("53.4"),
        "2024H2": gbp("63.4"),
    }
    h2 = rows["2022H2"]
    assert (h2["derived"], h2["derivation"]) == (True, "fiscal_year_remainder")
    assert h2["source"].startswith("derived: FY2022 total minus the other half (")
    assert (h2["period_start"], h2["period_end"]) == (dt.date(2021, 10, 1), dt.date(2022, 3, 31))
    # FY2025 has only its first half: nothing is derived for it.
    assert "2025H2" not in rows and "2025" not in rows


def test_partner_share_by_half_year_and_by_fiscal_year(marlow):
    halves = analytics.query(
        "partner_dependence", company=COMPANY, partner="Orbis", period_kind="half", data_dir=marlow
    )
    expected = {
        "2022H1": ("18.0", "40.0"),
        "2022H2": ("19.5", "46.0"),
        "2023H1": ("19.3", "48.2"),
        "2023H2": ("16.8", "53.4"),
        "2024H1": ("16.5", "55.0"),
        "2024H2": ("13.7", "63.4"),
        "2025H1": ("12.1", "60.4"),
    }
    assert by_period(halves, "partner_revenue") == {p: gbp(a) for p, (a, _) in expected.items()}
    assert by_period(halves, "total_revenue") == {p: gbp(t) for p, (_, t) in expected.items()}
    shares = by_period(halves, "share_of_total")
    for period, (partner, total) in expected.items():
        assert shares[period] == pytest.approx(float(Decimal(partner) / Decimal(total)))
    assert shares["2022H1"] == pytest.approx(0.45)
    assert shares["2025H1"] == pytest.approx(0.2003311, abs=1e-7)
    # A trailing twelve months of halves is two halves: at H2 it is the fiscal year.
    ttm = by_period(halves, "ttm_share_of_total")
    assert ttm["2022H1"] is None
    assert ttm["2022H2"] == pytest.approx(37.5 / 86.0)
    assert ttm["2025H1"] == pytest.approx((13.7 + 12.1) / (63.4 + 60.4))
    years = analytics.query(
        "partner_dependence", company=COMPANY, partner="Orbis", period_kind="year", data_dir=marlow
    )
    assert by_period(years, "share_of_total") == pytest.approx(
        {"2022": 37.5 / 86.0, "2023": 36.1 / 101.6, "2024": 30.2 / 118.4}
    )
    assert by_period(years, "period_start")["2023"] == dt.date(2022, 4, 1)


def test_growth_compares_a_half_with_the_same_half_a_year_earlier(marlow):
    growth = analytics.query("growth", company=COMPANY, partner="Orbis", period_kind="half", data_dir=marlow)
    assert by_period(growth, "prior_period")["2023H1"] == "2022H1"
    assert by_period(growth, "total_yoy")["2023H1"] == pytest.approx(48.2 / 40.0 - 1)
    assert by_period(growth, "partner_change")["2025H1"] == gbp("-4.4")  # 12.1 - 16.5


def test_a_range_is_read_in_the_companys_calendar(marlow):
    frame = analytics.query(
        "partner_dependence",
        company=COMPANY,
        partner="Orbis",
        period_kind="half",
        from_period="2023",
        to_period="2024H1",
        data_dir=marlow,
    )
    assert frame["period"].to_list() == ["2023H1", "2023H2", "2024H1"]
    assert frame["period_start"][0] == dt.date(2022, 4, 1)


def test_declaring_another_year_end_redates_every_stored_period(marlow_copy, tmp_path):
    june = tmp_path / "companies.csv"
    june.write_text((FIXTURES / "marlow" / "companies.csv").read_text().replace("03-31", "06-30"))
    analytics.ingest(june, "companies", marlow_copy)
    dates = analytics.sql(
        "SELECT period, period_start, period_end FROM revenue_vintages "
        "WHERE company = 'Marlow' AND period IN ('2024', '2024H2') "
        "GROUP BY ALL ORDER BY period",
        data_dir=marlow_copy,
    )
    assert dates.rows() == [
        ("2024", dt.date(2023, 7, 1), dt.date(2024, 6, 30)),
        ("2024H2", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
    ]
    assert analytics.validate(marlow_copy) == []


def test_a_year_end_that_is_not_a_month_end_is_refused_at_its_cell(marlow_copy, tmp_path):
    bad = tmp_path / "companies.csv"
    bad.write_text("company,currency,fiscal_year_end\nMarlow,GBP,03-15\n")
    before = sorted(p.read_bytes() for p in marlow_copy.rglob("*.parquet"))
    with pytest.raises(InputError) as error:
        analytics.ingest(bad, "companies", marlow_copy)
    message = str(error.value)
    assert "row 2" in message and "fiscal_year_end" in message
    assert "last day of a month (03-31)" in message
    assert sorted(p.read_bytes() for p in marlow_copy.rglob("*.parquet")) == before


def test_a_declared_currency_must_be_the_figures_currency(marlow_copy, tmp_path):
    usd = tmp_path / "companies.csv"
    usd.write_text("company,currency,fiscal_year_end\nMarlow,USD,03-31\n")
    with pytest.raises(InputError, match=r"row 2, column 'currency'.*stored figures are in GBP"):
        analytics.ingest(usd, "companies", marlow_copy)
    euros = tmp_path / "revenue.csv"
    euros.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Marlow,2025H2,total,all,70,EUR,millions,interim\n"
    )
    with pytest.raises(
        InputError,
        match=r"mixed currencies for Marlow: its companies row is in "
        r"GBP, this row is in EUR",
    ):
        analytics.ingest(euros, "revenue", marlow_copy)


def test_a_half_label_out_of_range_is_refused_naming_the_row(marlow_copy, tmp_path):
    bad = tmp_path / "revenue.csv"
    bad.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Marlow,2025H2,total,all,70,GBP,millions,interim\n"
        "Marlow,2025H3,total,all,70,GBP,millions,interim\n"
    )
    with pytest.raises(InputError, match=r"row 3, column 'period'.*the half must be 1-2, not 3"):
        analytics.ingest(bad, "revenue", marlow_copy)


def test_halves_that_do_not_add_up_to_their_year_are_refused(marlow_copy, tmp_path):
    bad = tmp_path / "revenue.csv"
    bad.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Marlow,2024H2,total,all,60.0,GBP,millions,a misread interim\n"
    )
    with pytest.raises(ValidationError, match=r"Marlow 2024 total: halves sum to"):
        analytics.ingest(bad, "revenue", marlow_copy)


def test_a_quarter_follows_from_its_half_and_the_other_quarter(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    revenue = tmp_path / "revenue.csv"
    revenue.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Tarn,2024H1,total,all,30.0,JPY,billions,half-year report\n"
        "Tarn,2024Q1,total,all,14.2,JPY,billions,Q1 report\n"
    )
    companies = tmp_path / "companies.csv"
    companies.write_text("company,currency,fiscal_year_end\nTarn,JPY,03-31\n")
    analytics.ingest(companies, "companies", folder)
    analytics.ingest(revenue, "revenue", folder)
    q2 = analytics.sql(
        "SELECT amount, derivation, period_start, period_end FROM reported_totals WHERE period = '2024Q2'",
        data_dir=folder,
    )
    assert q2.rows() == [
        (Decimal("15800000000.00"), "fiscal_year_remainder", dt.date(2023, 7, 1), dt.date(2023, 9, 30))
    ]


def test_a_company_without_a_companies_row_keeps_calendar_years(marlow):
    weibo = analytics.sql("SELECT fiscal_year_end, currency, ticker FROM companies WHERE company = 'Weibo'")
    assert weibo.rows() == [("12-31", "USD", "NASDAQ: WB")]
    connection = connect(marlow)
    try:
        assert connection.execute(
            "SELECT year_end_month_of('Marlow'), year_end_month_of('Nobody'), year_end_month_of(NULL)"
        ).fetchall() == [(3, 12, 12)]
        spine = connection.execute(
            "SELECT period, period_start FROM period_spine('Marlow', 'half') ORDER BY period_start LIMIT 2"
        ).fetchall()
    finally:
        connection.close()
    assert spine == [("2022H1", dt.date(2021, 4, 1)), ("2022H2", dt.date(2021, 10, 1))]


def test_a_stated_period_end_is_checked_against_the_calendar(marlow_copy, tmp_path):
    # The interim to 30 September 2024 is 2025H1 for Marlow (FY2025 ends in March 2025); filed
    # as 2024H1, the analyst named the fiscal year by the year it starts in.
    wrong = tmp_path / "revenue.csv"
    wrong.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source,period_end\n"
        "Marlow,2024H1,total,all,60.4,GBP,millions,interim,2024-09-30\n"
    )
    with pytest.raises(InputError) as error:
        analytics.ingest(wrong, "revenue", marlow_copy)
    assert str(error.value).startswith(
        f"{wrong}, row 2, column 'period_end': 2024H1 of Marlow ends on 2023-09-30 in its "
        "calendar (fiscal years ending in month 3, named by the year they end in), not "
        "2024-09-30"
    )
    right = tmp_path / "kpis.csv"
    right.write_text(
        "company,period,metric,value,unit,source,period_end\n"
        "Marlow,2025H1,sellers,1200,count,interim,2024-09-30\n"
    )
    analytics.ingest(right, "kpis", marlow_copy)
    stored = analytics.sql("SELECT period_start, period_end FROM kpis", data_dir=marlow_copy)
    assert stored.rows() == [(dt.date(2024, 4, 1), dt.date(2024, 9, 30))]


def x_encodings(spec: dict) -> list[dict]:
    """Every layer's x encoding, however deeply layered."""

    def flat(views: list[dict]) -> list[dict]:
        return [v for view in views for v in ([view] if "layer" not in view else flat(view["layer"]))]

    view = spec["vconcat"][0]
    return [
        layer["encoding"]["x"]
        for layer in flat(view.get("layer", [view]))
        if layer.get("encoding", {}).get("x", {}).get("field") == "period_start"
    ]


def test_charts_name_the_company_as_declared_and_tick_its_fiscal_years(marlow):
    from analytics.publish.build import chart_for

    spec = chart_for("partner_dependence", company=COMPANY, partner="Orbis", data_dir=marlow).to_dict()
    assert spec["title"]["text"] == "Marlow Holdings plc's revenue dependence on Orbis"
    assert "by half-year H1 FY2022 – H1 FY2025 (fiscal years to 31 March);" in spec["title"]["subtitle"]
    x = x_encodings(spec)[0]
    assert x["timeUnit"] == "utcyearmonthdate"  # a half sits at its first day
    # Ticks at each fiscal year's first day (1 April), labelled by the year it ends in.
    assert [(v["year"], v["month"], v["date"]) for v in x["axis"]["values"]] == [
        (2021, 4, 1),
        (2022, 4, 1),
        (2023, 4, 1),
        (2024, 4, 1),
    ]
    assert x["axis"]["labelExpr"] == "'FY' + (utcyear(datum.value) + 1)"


def test_bars_run_from_a_periods_first_day_to_its_last(marlow):
    from analytics.publish.build import chart_for

    spec = chart_for("revenue_by_source", company=COMPANY, partner="Orbis", data_dir=marlow).to_dict()
    view = spec["vconcat"][0]
    bar = next(layer for layer in view.get("layer", [view]) if layer.get("mark", {}).get("type") == "bar")
    assert bar["encoding"]["x2"]["field"] == "period_end"
    domain = bar["encoding"]["x"]["scale"]["domain"]
    assert [(d["year"], d["month"], d["date"]) for d in domain] == [(2021, 4, 1), (2024, 9, 30)]


def test_a_calendar_year_company_keeps_its_quarter_axis():
    from analytics.publish.build import chart_for

    x = x_encodings(chart_for("partner_dependence").to_dict())[0]
    assert x["timeUnit"] == "utcyearquarter"
    assert x["axis"]["format"] == "%Y" and "values" not in x["axis"]


def test_key_figures_and_headlines_use_the_display_name_and_fiscal_period_names(marlow):
    from analytics.publish.key_figures import headlines, key_figures, load_frames, subtitle

    frames = load_frames(company=COMPANY, partner="Orbis", data_dir=marlow)
    figures = key_figures(frames)
    assert figures.company == "Marlow Holdings plc"
    assert "H1 FY2022 – H1 FY2025 (fiscal years to 31 March) by half-year" in subtitle(figures)
    assert frames.subject.period_kind == "half"
    # Orbis: 45.0% of 2022H1 revenue (18.0 of 40.0), 20.0% of 2025H1 (12.1 of 60.4). 2022H1 is
    # April to September 2021: fiscal H1 of FY2022, never "H1 2022".
    dependence = headlines(frames, figures)["partner_dependence"]
    assert dependence.startswith("Orbis fell from 45% of revenue in H1 FY2022 to 20% in H1 FY2025")


def test_deleting_a_companys_row_dates_its_periods_in_calendar_years_again(marlow_copy):
    analytics.delete("Marlow", table="companies", data_dir=marlow_copy)
    dates = analytics.sql(
        "SELECT period_start, period_end FROM reported_totals WHERE period = '2024H1' AND stream = 'total'",
        data_dir=marlow_copy,
    )
    assert dates.rows() == [(dt.date(2024, 1, 1), dt.date(2024, 6, 30))]
    assert analytics.validate(marlow_copy) == []
