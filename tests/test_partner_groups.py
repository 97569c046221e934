"""Partner groups (issue 12, items 1 and 2): `partner=<member>` is that counterparty alone,
`partner=<group>` the whole group, and a group member with no figure makes the group's revenue
a lower bound, flagged in the query, the charts and the headlines. Numbers are hand-computed
from the fixture CSVs (tests/fixtures/*/README.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import analytics
from analytics.cli.app import app
from analytics.publish import key_figures
from analytics.publish.build import chart_for
from tests.conftest import SHIPPED_DATA, copy_tables
from tests.shapes import ingest_shapes

BRIGHTWATER, NIMBUS = "Brightwater Software", "Nimbus Cloud"
M = Decimal(1_000_000)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Weibo plus the fixture companies, ingested once for the module (read-only here)."""
    folder = tmp_path_factory.mktemp("shapes") / "data"
    copy_tables(SHIPPED_DATA, folder)
    return ingest_shapes(folder)


def dependence(shapes: Path, company: str, partner: str, **params: str) -> dict[str, dict]:
    frame = analytics.query("partner_dependence", data_dir=shapes, company=company, partner=partner, **params)
    return {row["period"]: row for row in frame.to_dicts()}


def cli(shapes: Path, *args: str):
    return CliRunner().invoke(app, ["--data-dir", str(shapes), *args], catch_exceptions=False)


# --- item 1: a member alone, a group whole ---------------------------------------------------


def test_a_member_of_a_group_means_that_counterparty_alone(shapes):
    rows = dependence(shapes, BRIGHTWATER, "Meridian Holdings")
    assert rows["2021Q4"]["partner_revenue"] == 94 * M
    assert rows["2021Q4"]["share_of_total"] == pytest.approx(94 / 270)
    assert rows["2020Q1"]["share_of_total"] == pytest.approx(80 / 200)
    assert not any(row["share_is_lower_bound"] for row in rows.values())
    assert rows["2021Q4"]["partner_is_group"] is False
    assert rows["2021Q4"]["partner_members"] == "Meridian Holdings"


def test_a_group_name_means_every_member_of_the_group(shapes):
    rows = dependence(shapes, BRIGHTWATER, "Meridian")
    assert rows["2021Q4"]["partner_revenue"] == 113 * M  # 94 + 19
    assert rows["2021Q4"]["share_of_total"] == pytest.approx(113 / 270)
    assert rows["2021Q4"]["partner_is_group"] is True
    assert rows["2021Q4"]["partner_members"] == "Meridian Cloud, Meridian Holdings"


def test_a_member_never_disclosed_alone_is_unknown_not_zero(shapes):
    rows = dependence(shapes, BRIGHTWATER, "Meridian Cloud")
    assert rows["2020Q4"]["partner_revenue"] is None  # could sit in related_parties
    assert rows["2020Q4"]["share_of_total"] is None
    assert rows["2021Q1"]["share_of_total"] == pytest.approx(16 / 240)


def test_a_name_that_is_a_counterparty_and_a_group_with_other_members_is_the_group(shapes):
    group = dependence(shapes, NIMBUS, "Nimbus Group")
    assert group["2019Q1"]["partner_revenue"] == Decimal("250500000")  # 210.0 + 40.5
    assert group["2019Q1"]["share_of_total"] == pytest.approx(250.5 / 520.4)
    assert group["2019Q1"]["partner_members"] == "Nimbus Group, Nimbus Finance"
    member = dependence(shapes, NIMBUS, "Nimbus Finance")
    assert member["2019Q1"]["partner_revenue"] == Decimal("40500000")
    assert member["2019Q1"]["share_of_total"] == pytest.approx(40.5 / 520.4)


@pytest.mark.parametrize(
    ("company", "partner"), [("Weibo", "Alibaba"), ("Lumen Therapeutics", "Halvorsen Pharma")]
)
def test_a_counterparty_whose_group_defaults_to_its_own_name_is_itself(shapes, company, partner):
    rows = dependence(shapes, company, partner, period_kind="year")
    assert {row["partner_is_group"] for row in rows.values()} == {False}
    assert {row["partner_members"] for row in rows.values()} == {partner}


def test_weibos_alibaba_numbers_do_not_change(shapes):
    rows = dependence(shapes, "Weibo", "Alibaba")
    assert rows["2013Q4"]["partner_revenue"] == Decimal("28500000")
    assert round(rows["2016Q1"]["share_of_total"], 3) == 0.093
    assert not any(row["share_is_lower_bound"] for row in rows.values())


def test_revenue_by_source_splits_out_the_member_alone(shapes):
    frame = analytics.query(
        "revenue_by_source",
        data_dir=shapes,
        company=NIMBUS,
        partner="Nimbus Finance",
        from_period="2019Q1",
        to_period="2019Q1",
    )
    portion = frame.filter(pl.col("portion") == "Nimbus Finance")
    assert portion["amount"].to_list() == [Decimal("40500000")]


def test_the_cli_query_takes_a_member_alone(shapes):
    result = cli(
        shapes,
        "query",
        "run",
        "partner_dependence",
        "-p",
        f"company={NIMBUS}",
        "-p",
        "partner=Nimbus Finance",
        "-p",
        "to_period=2019Q1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["partner_revenue"] == 40500000
    assert row["partner_members"] == "Nimbus Finance"


def test_chart_titles_say_whether_the_partner_is_a_group_and_name_its_members(shapes):
    def title(partner: str, company: str = BRIGHTWATER) -> str:
        spec = chart_for("partner_dependence", company=company, partner=partner, data_dir=shapes).to_dict()
        return spec["title"]["text"]

    assert title("Meridian") == (
        "Brightwater Software's revenue dependence on Meridian group: Meridian Cloud, Meridian Holdings"
    )
    assert title("Meridian Holdings") == "Brightwater Software's revenue dependence on Meridian Holdings"
    assert (
        title("Nimbus Group", NIMBUS)
        == "Nimbus Cloud's revenue dependence on Nimbus Group: Nimbus Group, Nimbus Finance"
    )


def test_a_members_headline_states_its_own_revenue_not_its_groups(shapes):
    frames = key_figures.load_frames(company=NIMBUS, partner="Nimbus Finance", data_dir=shapes)
    lines = key_figures.headlines(frames, key_figures.key_figures(frames))
    assert lines["revenue_by_source"] == "Nimbus Finance brought ¥15.0M of ¥1.0B revenue in Q4 2021"
    group = key_figures.load_frames(company=NIMBUS, partner="Nimbus Group", data_dir=shapes)
    key = key_figures.key_figures(group)
    assert (
        key_figures.headlines(group, key)["revenue_by_source"]
        == "Nimbus Group brought ¥140.6M of ¥1.0B revenue in Q4 2021"
    )  # 125.6 + 15.0
    assert ("Partner", "Nimbus Group: Nimbus Group, Nimbus Finance") in key_figures.key_figure_rows(key)


# --- item 2: an undisclosed member makes a lower bound ---------------------------------------


@pytest.mark.parametrize(
    ("period", "revenue", "share", "bound"),
    [
        ("2020Q1", 80, 80 / 200, True),
        ("2020Q4", 86, 86 / 230, True),
        ("2021Q1", 104, 104 / 240, False),
        ("2021Q4", 113, 113 / 270, False),
    ],
)
def test_the_group_share_is_a_lower_bound_while_a_member_is_undisclosed(
    shapes, period, revenue, share, bound
):
    row = dependence(shapes, BRIGHTWATER, "Meridian")[period]
    assert row["partner_revenue"] == revenue * M  # the known members' sum
    assert row["share_of_total"] == pytest.approx(share)
    assert row["share_is_lower_bound"] is bound


def test_a_ttm_share_over_a_lower_bound_quarter_is_a_lower_bound(shapes):
    rows = dependence(shapes, BRIGHTWATER, "Meridian")
    assert rows["2021Q3"]["ttm_share_of_total"] == pytest.approx(407 / 980)  # 86+104+107+110
    assert rows["2021Q3"]["ttm_share_is_lower_bound"] is True
    assert rows["2021Q4"]["ttm_share_of_total"] == pytest.approx(434 / 1020)
    assert rows["2021Q4"]["ttm_share_is_lower_bound"] is False


def _tiny_company(folder: Path, member_class: str) -> Path:
    """Group G: A (related party, 30 of 100) and B (`member_class`, no figure); the only pool
    left is third_parties (70)."""
    from analytics import ingest

    (folder / "cp.csv").write_text(
        "company,counterparty,counterparty_class,counterparty_group,is_pool\n"
        "Tiny Co,A,related_party,G,false\n"
        f"Tiny Co,B,{member_class},G,false\n",
        encoding="utf-8",
    )
    (folder / "rev.csv").write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Tiny Co,2020,total,all,100,USD,millions,Fictional 10-K 2020\n"
        "Tiny Co,2020,services,A,30,USD,millions,Fictional 10-K 2020 note 9\n"
        "Tiny Co,2020,services,third_parties,70,USD,millions,Fictional 10-K 2020\n",
        encoding="utf-8",
    )
    data = folder / "data"
    data.mkdir()
    ingest(folder / "cp.csv", "counterparties", data)
    ingest(folder / "rev.csv", "revenue", data)
    return data


@pytest.mark.parametrize(("member_class", "bound"), [("related_party", False), ("third_party", True)])
def test_a_member_without_a_figure_is_zero_only_when_no_pool_could_hide_it(tmp_path, member_class, bound):
    data = _tiny_company(tmp_path, member_class)
    [row] = analytics.query(
        "partner_dependence", data_dir=data, company="Tiny Co", partner="G", period_kind="year"
    ).to_dicts()
    assert row["partner_revenue"] == 30 * M
    assert row["share_of_total"] == pytest.approx(0.30)
    assert row["share_is_lower_bound"] is bound


def test_growth_never_differences_a_lower_bound(shapes):
    group = analytics.query("growth", data_dir=shapes, company=BRIGHTWATER, partner="Meridian")
    row = group.filter(pl.col("period") == "2021Q1").row(0, named=True)
    assert row["total_change"] == 40 * M
    assert row["partner_change"] is None and row["rest_change"] is None
    assert row["prior_partner_revenue_is_lower_bound"] is True
    alone = analytics.query("growth", data_dir=shapes, company=BRIGHTWATER, partner="Meridian Holdings")
    row = alone.filter(pl.col("period") == "2021Q1").row(0, named=True)
    assert (row["partner_change"], row["rest_change"]) == (8 * M, 32 * M)  # 88-80, 152-120


def test_the_dependence_chart_draws_a_lower_bound_hollow_and_labels_it(shapes):
    spec = chart_for("partner_dependence", company=BRIGHTWATER, partner="Meridian", data_dir=shapes).to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "lower bound" in spec["title"]["subtitle"]
    marks = [layer["mark"] for layer in spec["vconcat"][0]["layer"] if "mark" in layer]
    assert any(m.get("type") == "point" and m.get("filled") is False for m in marks)
    assert '"share_label": "≥40.0%"' in text and '"share_label": "43.3%"' in text
    assert '"partner_revenue": "≥¥80.0M"' in text


def test_the_partner_vs_rest_chart_marks_lower_bounds(shapes):
    spec = chart_for("partner_vs_rest", company=BRIGHTWATER, partner="Meridian", data_dir=shapes).to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert '"amount_label": "≥¥80.0M"' in text and '"amount_label": "≤¥120.0M"' in text
    assert "fillOpacity" in text


def test_headlines_never_state_a_lower_bound_as_exact(shapes):
    frames = key_figures.load_frames(
        company=BRIGHTWATER, partner="Meridian", to_period="2020Q4", data_dir=shapes
    )
    lines = key_figures.headlines(frames, key_figures.key_figures(frames))
    assert (
        lines["partner_dependence"]
        == "Meridian group was at least 40% of revenue in Q1 2020 and at least 37% in Q4 2020"
    )
    assert (
        lines["revenue_by_source"] == "Meridian group brought at least ¥86.0M of ¥230.0M revenue in Q4 2020"
    )
    assert lines["partner_vs_rest"] == "Revenue excluding Meridian group is unknown in this range"
    full = key_figures.load_frames(company=BRIGHTWATER, partner="Meridian", data_dir=shapes)
    assert key_figures.headlines(full, key_figures.key_figures(full))["partner_dependence"] == (
        "Meridian group was at least 40% of revenue in Q1 2020 and 42% in Q4 2021, peaking at 43% in Q1 2021"
    )


def test_the_deck_and_report_word_lower_bounds_through_the_cli(shapes, tmp_path):
    from pptx import Presentation

    deck = cli(
        shapes, "deck", "--company", BRIGHTWATER, "--partner", "Meridian", "--out", str(tmp_path / "m.pptx")
    )
    assert deck.exit_code == 0, deck.stderr
    opened = Presentation(str(tmp_path / "m.pptx"))
    titles = [slide.shapes.title.text for slide in opened.slides]
    assert (
        "Meridian group was at least 40% of revenue in Q1 2020 and 42% in Q4 2021, peaking at 43% in Q1 2021"
    ) in titles
    notes = opened.slides[1].notes_slide.notes_text_frame.text
    assert "Q4 2020: Meridian group at least ¥86.0M of ¥230.0M (at least 37.4%)" in notes

    report = cli(
        shapes, "report", "--company", BRIGHTWATER, "--partner", "Meridian", "--out", str(tmp_path / "m.html")
    )
    assert report.exit_code == 0, report.stderr
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "at least ¥86.0M" in page and "at least 37.4%" in page
    assert "Meridian group: Meridian Cloud, Meridian Holdings" in page
