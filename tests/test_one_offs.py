"""One-offs (issue 12, item 6) and shares past 100% (item 5) on the query, chart, deck and report
side. Aurora Foundation (tests/fixtures/aurora, fictional, US$ thousands): in 2021 a one-off
settlement of 40,000 from Norbridge Labs; in 2022 investment losses (-9,870) make Helix Pharma's
royalties (52,300) exceed total revenue (48,210). Every number is computed by hand below."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import analytics
from analytics.publish.build import chart_for
from analytics.publish.key_figures import headlines, key_figure_rows, key_figures, load_frames
from tests.conftest import SHIPPED_DATA, copy_tables
from tests.shapes import ingest_fixture

AURORA, HELIX = "Aurora Foundation", "Helix Pharma"


@pytest.fixture(scope="module")
def aurora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aurora") / "data"
    copy_tables(SHIPPED_DATA, folder)
    return ingest_fixture(folder, "aurora")


def dependence(folder: Path) -> dict[str, dict]:
    frame = analytics.query("partner_dependence", folder, company=AURORA, partner=HELIX, period_kind="year")
    return {row["period"]: row for row in frame.iter_rows(named=True)}


def test_partner_dependence_gives_the_share_with_and_without_the_one_off(aurora):
    rows = dependence(aurora)
    year = rows["2021"]
    assert year["has_one_off"] is True
    assert year["one_off_revenue"] == Decimal("40000000.00")
    assert year["one_off_counterparties"] == "Norbridge Labs"
    assert year["total_revenue_excl_one_offs"] == Decimal("72680000.00")  # 112,680 - 40,000
    assert year["partner_revenue_excl_one_offs"] == Decimal("49350000.00")
    assert year["share_of_total"] == pytest.approx(49_350 / 112_680)  # 43.80%
    assert year["share_of_total_excl_one_offs"] == pytest.approx(49_350 / 72_680)  # 67.90%
    # A year without one-offs: the same share either way, and no one-off revenue.
    assert rows["2019"]["has_one_off"] is False
    assert rows["2019"]["one_off_revenue"] == Decimal("0.00")
    assert rows["2019"]["share_of_total_excl_one_offs"] == pytest.approx(44_120 / 61_450)


def test_a_share_above_100_percent_is_returned_as_it_is(aurora):
    year = dependence(aurora)["2022"]
    assert year["share_of_total"] == pytest.approx(52_300 / 48_210)  # 108.48%
    assert year["share_of_total_excl_one_offs"] == pytest.approx(52_300 / 48_210)


def test_concentration_leaves_one_offs_out_unless_asked(aurora):
    def year_2021(**params: object) -> dict:
        frame = analytics.query("concentration", aurora, company=AURORA, period_kind="year", **params)
        return frame.filter(frame["period"] == "2021").row(0, named=True)

    excluded = year_2021()
    assert excluded["top_counterparty"] == HELIX
    assert excluded["top_share"] == pytest.approx(49_350 / 72_680)
    assert excluded["hhi"] == pytest.approx((100 * 49_350 / 72_680) ** 2)  # 4,610.5
    assert excluded["major_counterparties"] == HELIX
    assert excluded["one_offs_excluded"] is True
    included = year_2021(include_one_offs=True)
    assert included["top_share"] == pytest.approx(49_350 / 112_680)
    # 43.80² + 35.50² = 3,178.3: the settlement makes Norbridge Labs a major customer.
    assert included["hhi"] == pytest.approx((100 * 49_350 / 112_680) ** 2 + (100 * 40_000 / 112_680) ** 2)
    assert included["major_counterparties"] == f"{HELIX}, Norbridge Labs"
    assert included["one_offs_excluded"] is False


def test_no_growth_rate_from_a_negative_base(aurora):
    frame = analytics.query("growth", aurora, company=AURORA, partner=HELIX, period_kind="year")
    rows = {row["period"]: row for row in frame.iter_rows(named=True)}
    # Revenue excluding Helix: 2022 48,210 - 52,300 = -4,090, so 2023 (13,925) has no rate.
    assert rows["2022"]["revenue_ex_partner"] == Decimal("-4090000.00")
    assert rows["2023"]["ex_partner_yoy"] is None
    assert rows["2023"]["rest_change"] == Decimal("18015000.00")  # 13,925 - (-4,090)
    assert rows["2022"]["prior_has_one_off"] is True
    assert rows["2021"]["has_one_off"] is True


def test_headlines_state_the_share_without_the_one_off_and_say_so(aurora):
    frames = load_frames(company=AURORA, partner=HELIX, to_period="2021", data_dir=aurora)
    figures = key_figures(frames)
    sentences = headlines(frames, figures)
    assert sentences["partner_dependence"] == (
        "Helix Pharma fell from 72% of revenue in 2019 to 67.9% in 2021 excluding a one-off "
        "$40.0M from Norbridge Labs; 43.8% including it"
    )
    assert sentences["revenue_by_source"] == (
        "Helix Pharma brought $49.4M of $112.7M revenue in 2021, which includes a one-off "
        "$40.0M from Norbridge Labs"
    )
    assert sentences["concentration"] == (
        "Largest customer Helix Pharma: 68% of revenue in 2021 excluding a one-off $40.0M from "
        "Norbridge Labs; HHI 4,610"
    )
    assert sentences["growth_ex_partner"].endswith(
        "total revenue grew 68%, one-offs included (2021)"
    )  # 112,680 / 66,905 - 1
    assert (
        "Latest Helix Pharma share of revenue",
        "67.9% in 2021 excluding a one-off $40.0M from Norbridge Labs; 43.8% including it",
    ) in key_figure_rows(figures)


def test_a_headline_of_years_without_one_offs_says_nothing_of_them(aurora):
    frames = load_frames(company=AURORA, partner=HELIX, data_dir=aurora)
    figures = key_figures(frames)
    sentences = headlines(frames, figures)
    # 55,615 / 69,540 = 79.98%; the share passed 100% in 2022 (52,300 / 48,210 = 108.5%)
    assert sentences["partner_dependence"] == (
        "Helix Pharma rose from 72% of revenue in 2019 to 80% in 2023, peaking at 108% in 2022"
    )
    assert figures.peak is not None and figures.peak.period == "2022"
    assert figures.peak.share == pytest.approx(52_300 / 48_210)  # the peak passes 100%


def dependence_spec(aurora: Path) -> dict:
    return chart_for("partner_dependence", company=AURORA, partner=HELIX, data_dir=aurora).to_dict()


def rows_of(spec: dict, view: dict) -> list[dict]:
    """A view's inline rows, wherever Altair put them (inline, or a named top-level dataset)."""
    data = view.get("data") or spec["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def layers(spec: dict) -> list[dict]:
    found = []
    for layer in spec["vconcat"][0]["layer"]:
        found += layer.get("layer", [layer])
    return found


def test_the_dependence_chart_marks_the_one_off_and_plots_the_line_without_it(aurora):
    spec = dependence_spec(aurora)
    assert spec["title"]["subtitle"].endswith("; 2021 has a one-off: the line excludes it, ◆ includes it")
    line = next(layer for layer in layers(spec) if layer["mark"]["type"] == "line")
    by_period = {(r["period"], r["series"]): r for r in line["data"]["values"]}
    total = "% of total revenue excl. one-offs"
    assert by_period[("2021", total)]["share"] == pytest.approx(49_350 / 72_680)
    marker = next(layer for layer in layers(spec) if "shape" in layer.get("encoding", {}))
    assert [(r["period"], r["marker"], r["share_label"], r["detail"]) for r in marker["data"]["values"]] == [
        ("2021", "Including one-offs", "43.8%", "a one-off $40.0M from Norbridge Labs")
    ]
    assert marker["encoding"]["shape"]["scale"] == {"domain": ["Including one-offs"], "range": ["diamond"]}
    text = next(
        layer
        for layer in layers(spec)
        if layer["mark"]["type"] == "text" and "data" in layer and rows_of(spec, layer)[0].get("detail")
    )
    assert text["data"]["values"][0]["period"] == "2021"


def test_no_chart_clips_a_share_above_100_percent_or_below_zero(aurora):
    spec = dependence_spec(aurora)
    line = next(layer for layer in layers(spec) if layer["mark"]["type"] == "line")
    low, high = line["encoding"]["y"]["scale"]["domain"]
    assert low == 0 and high >= 52_300 / 48_210  # 108.5% lies inside the scale
    labels = {r["share_label"] for r in line["data"]["values"]}
    assert "108.5%" in labels
    assert '"clamp": true' not in json.dumps(spec)
    mix = chart_for("revenue_mix", company=AURORA, partner=HELIX, data_dir=aurora).to_dict()
    bars = mix["vconcat"][0]
    assert bars["encoding"]["y"]["stack"] == "zero"  # "normalize" would flip the losses' sign
    loss = next(r for r in rows_of(mix, bars) if r["period"] == "2022" and r["stream"] == "investment income")
    assert loss["share_of_period"] == pytest.approx(-9_870 / 48_210)  # -20.5%, drawn below 0


def test_revenue_by_source_draws_the_one_off_apart_and_losses_below_zero(aurora):
    spec = chart_for("revenue_by_source", company=AURORA, partner=HELIX, data_dir=aurora).to_dict()
    bars = spec["vconcat"][0]
    assert "one-offs" in bars["encoding"]["color"]["scale"]["domain"]
    one_offs = [(r["period"], r["amount"]) for r in rows_of(spec, bars) if r["category"] == "one-offs"]
    assert one_offs == [("2021", 40_000_000.0)]
    assert spec["title"]["subtitle"].endswith("; one-offs apart")
    assert "stack" not in bars["encoding"]["y"]  # the default, "zero": negatives below 0


def test_the_concentration_chart_says_where_one_offs_are_left_out(aurora):
    spec = chart_for("concentration", company=AURORA, partner=HELIX, data_dir=aurora).to_dict()
    assert spec["title"]["subtitle"].endswith("; one-offs left out (2021)")


def test_an_hhi_above_10000_is_flagged_not_clipped(aurora):
    frame = analytics.query("concentration", aurora, company=AURORA, period_kind="year")
    rows = {row["period"]: row for row in frame.iter_rows(named=True)}
    # 2022: Helix's 52,300 of 48,210 is 108.48%, the only named group: HHI 108.48^2 = 11,768.7.
    assert rows["2022"]["hhi"] == pytest.approx((100 * 52_300 / 48_210) ** 2)
    assert rows["2022"]["hhi"] > 10_000
    assert [p for p, row in rows.items() if row["hhi_above_scale"]] == ["2022"]


def test_the_concentration_chart_rings_an_hhi_above_10000_and_says_why(aurora):
    spec = chart_for("concentration", company=AURORA, partner=HELIX, data_dir=aurora).to_dict()
    assert "; ringed: HHI over 10,000; one-offs left out (2021)" in spec["title"]["subtitle"]
    footnote = " ".join(spec["vconcat"][0]["title"]["text"])
    assert (
        "HHI over 10,000 in 2022: Helix Pharma's revenue exceeds total revenue (negative "
        "lines elsewhere), a share over 100%"
    ) in footnote

    def flat(views: list[dict]) -> list[dict]:
        return [v for view in views for v in ([view] if "layer" not in view else flat(view["layer"]))]

    ringed = [
        layer
        for layer in flat(spec["vconcat"][0]["layer"])
        if isinstance(layer.get("mark"), dict) and layer["mark"].get("size") == 260
    ]
    assert len(ringed) == 1
    assert [row["period"] for row in rows_of(spec, ringed[0])] == ["2022"]


def test_the_ttm_share_leaves_a_one_off_out_as_the_chart_does(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (tmp_path / "counterparties.csv").write_text(
        "company,counterparty,counterparty_class\n"
        "Quintet,Pillar,strategic_partner\nQuintet,Settler,third_party\n"
    )
    rows = ["company,period,stream,counterparty,amount,currency,unit,one_off,source"]
    for quarter in range(1, 5):
        total = 150 if quarter == 2 else 100
        rows += [
            f"Quintet,2023Q{quarter},total,all,{total},USD,millions,,10-Q",
            f"Quintet,2023Q{quarter},fees,Pillar,40,USD,millions,,10-Q note 2",
            f"Quintet,2023Q{quarter},fees,third_parties,60,USD,millions,,10-Q note 2",
        ]
    rows.append("Quintet,2023Q2,settlements,Settler,50,USD,millions,true,10-Q note 9")
    (tmp_path / "revenue.csv").write_text("\n".join(rows) + "\n")
    analytics.ingest(tmp_path / "counterparties.csv", "counterparties", folder)
    analytics.ingest(tmp_path / "revenue.csv", "revenue", folder)
    frame = analytics.query("partner_dependence", folder, company="Quintet", partner="Pillar")
    q4 = next(r for r in frame.iter_rows(named=True) if r["period"] == "2023Q4")
    assert q4["ttm_share_of_total"] == pytest.approx(160 / 450)  # the 50 settlement included
    assert q4["ttm_share_of_total_excl_one_offs"] == pytest.approx(160 / 400)
    assert q4["ttm_has_one_off"] is True
    figures = key_figures(load_frames(company="Quintet", partner="Pillar", data_dir=folder))
    assert (
        dict(key_figure_rows(figures))["Latest trailing-twelve-month share"]
        == "40% (Q4 2023; excluding one-offs)"
    )
