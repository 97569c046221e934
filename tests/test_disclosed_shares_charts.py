"""Shares printed only as percentages (issue 12, item 7) in `partner_dependence` and on the
dependence chart: Tidewater Games (tests/fixtures/tidewater, fictional) and Weibo's real press
figures (data/sources/weibo/disclosed_shares.csv). Numbers are the printed ones, as fractions."""

from __future__ import annotations

from pathlib import Path

import pytest

import analytics
from analytics.publish.build import chart_for
from tests.conftest import SHIPPED_DATA, copy_tables
from tests.shapes import ingest_fixture
from tests.test_one_offs import layers, rows_of

TIDEWATER, ORBIT = "Tidewater Games", "Orbit Interactive"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("tidewater") / "data"
    copy_tables(SHIPPED_DATA, data)
    return ingest_fixture(data, "tidewater")


def by_period(folder: Path, **params: str) -> dict[str, dict]:
    frame = analytics.query("partner_dependence", folder, **params)
    return {row["period"]: row for row in frame.iter_rows(named=True)}


def test_a_year_known_only_as_a_printed_percentage_is_in_the_result(folder):
    rows = by_period(folder, company=TIDEWATER, partner=ORBIT, period_kind="year")
    assert list(rows) == ["2021", "2022", "2023"]
    s1 = rows["2021"]  # the S-1's "approximately 85%": no amounts at all
    assert (s1["partner_revenue"], s1["total_revenue"], s1["share_of_total"]) == (None,) * 3
    assert s1["disclosed_share_of_total"] == pytest.approx(0.85)
    assert s1["disclosed_share_of_total_precision"] == pytest.approx(0.005)
    assert s1["disclosed_source"] == "Tidewater Games S-1 (fictional), risk factors"
    # 2022: the printed 80% and the amounts' 98.4 / 120.0 = 82.0% side by side, neither hidden.
    assert rows["2022"]["disclosed_share_of_total"] == pytest.approx(0.80)
    assert rows["2022"]["share_of_total"] == pytest.approx(98.4 / 120.0)
    assert rows["2023"]["disclosed_share_of_total"] == pytest.approx(0.815)
    assert all(row["disclosed_share_of_stream"] is None for row in rows.values())


def test_weibos_press_shares_of_total_and_of_advertising_land_in_their_years(folder):
    rows = by_period(folder, company="Weibo", partner="Alibaba", period_kind="year")
    assert rows["2014"]["disclosed_share_of_stream"] == pytest.approx(0.41)
    assert rows["2014"]["disclosed_stream"] == "advertising"  # Alibaba's stream in the amounts
    assert rows["2014"]["disclosed_share_of_total"] is None
    assert rows["2015"]["disclosed_share_of_total"] == pytest.approx(0.30)
    assert rows["2015"]["disclosed_share_of_stream"] == pytest.approx(0.36)
    assert rows["2016"]["disclosed_share_of_total"] == pytest.approx(0.088)
    quarters = by_period(folder, company="Weibo", partner="Alibaba")
    assert quarters["2013Q4"]["disclosed_share_of_total"] == pytest.approx(0.40)
    assert quarters["2013Q4"]["share_of_total"] == pytest.approx(0.399, abs=5e-4)
    assert quarters["2017Q1"]["disclosed_share_of_stream"] == pytest.approx(0.046)


def test_a_company_without_disclosed_shares_gets_null_columns(folder):
    rows = by_period(folder, company="Weibo", partner="Alibaba", period_kind="year")
    assert rows["2020"]["disclosed_share_of_total"] is None
    assert rows["2020"]["disclosed_source"] is None


def marker_rows(spec: dict) -> list[dict]:
    marker = next(layer for layer in layers(spec) if "shape" in layer.get("encoding", {}))
    return rows_of(spec, marker)


def test_the_dependence_chart_plots_disclosed_shares_with_their_own_marker(folder):
    spec = chart_for("partner_dependence", company=TIDEWATER, partner=ORBIT, data_dir=folder).to_dict()
    assert spec["title"]["subtitle"].endswith("; ▲ = shares printed only as percentages")
    rows = marker_rows(spec)
    assert [(r["period"], r["marker"], r["share_label"]) for r in rows] == [
        ("2021", "Printed % of total revenue", "85.0% (±0.5 pt)"),
        ("2022", "Printed % of total revenue", "80.0% (±0.5 pt)"),
        ("2023", "Printed % of total revenue", "81.5% (±0.05 pt)"),
    ]
    assert rows[0]["source"] == "Tidewater Games S-1 (fictional), risk factors"
    marker = next(layer for layer in layers(spec) if "shape" in layer.get("encoding", {}))
    tooltip = [t["title"] for t in marker["encoding"]["tooltip"]]
    assert "Source" in tooltip
    assert marker["encoding"]["shape"]["scale"]["range"] == ["triangle-up"]
    assert "S-1" in " ".join(spec["vconcat"][0]["title"]["text"])  # cited in the footnote


def test_weibos_annual_chart_shows_printed_shares_of_advertising(folder):
    spec = chart_for(
        "partner_dependence", company="Weibo", partner="Alibaba", period_kind="year", data_dir=folder
    ).to_dict()
    rows = {(r["period"], r["marker"]): r["share"] for r in marker_rows(spec)}
    assert rows[("2014", "Printed % of advertising revenue")] == pytest.approx(0.41)
    assert rows[("2015", "Printed % of total revenue")] == pytest.approx(0.30)
    assert rows[("2016", "Printed % of total revenue")] == pytest.approx(0.088)


def test_a_source_that_is_only_a_url_is_cited_by_its_site():
    from analytics.charts.format import source_footnote

    assert source_footnote(
        [
            "https://www.sec.gov/Archives/edgar/data/1595761/x.htm",
            "<https://www.fool.com/investing/2018/05/09/a.aspx>",
            "Weibo 20-F 2015: https://www.sec.gov/y",
        ]
    ) == ["Source: sec.gov; fool.com; Weibo 20-F 2015"]
    assert source_footnote([None, ""]) == ["Source: not recorded"]


def test_a_name_ending_in_s_takes_the_apostrophe_alone(folder):
    spec = chart_for("partner_dependence", company=TIDEWATER, partner=ORBIT, data_dir=folder).to_dict()
    assert spec["title"]["text"] == "Tidewater Games' revenue dependence on Orbit Interactive"


def test_the_deck_tells_a_share_printed_only_as_a_percentage_apart(folder):
    from analytics.publish.key_figures import headlines, key_figure_rows, key_figures, load_frames

    frames = load_frames(company=TIDEWATER, partner=ORBIT, data_dir=folder)
    figures = key_figures(frames)
    # Amounts: 98.4 / 120.0 = 82.0% (2022), 107.2 / 131.5 = 81.52% (2023); the S-1 prints only
    # "approximately 85%" for 2021.
    assert figures.printed_shares == (("2021", pytest.approx(0.85)),)
    assert headlines(frames, figures)["partner_dependence"] == (
        "Orbit Interactive fell from 82.0% of revenue in 2022 to 81.5% in 2023; printed only "
        "as a percentage: about 85% in 2021"
    )
    rows = dict(key_figure_rows(figures))
    assert rows["Shares printed only as a percentage"] == "about 85% in 2021"
    assert rows["Peak share"] == "82% in 2022"  # the printed 85% is never a computed peak
