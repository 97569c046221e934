"""The period kind (issue 12, item 3): charts, deck and report pick quarters when the company has
quarterly totals in the range, else fiscal years; `--period-kind quarter|year` overrides; every
text follows the kind; nothing to plot is an error, never an empty chart. Numbers are
hand-computed from tests/fixtures/lumen (fiscal years only) and tests/fixtures/brightwater."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.charts import names
from analytics.cli.app import app
from analytics.errors import QueryError
from analytics.publish import key_figures
from analytics.publish.build import chart_for
from tests.conftest import SHIPPED_DATA, copy_tables
from tests.shapes import ingest_shapes

LUMEN, HALVORSEN = "Lumen Therapeutics", "Halvorsen Pharma"
BRIGHTWATER = "Brightwater Software"


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shapes") / "data"
    copy_tables(SHIPPED_DATA, folder)
    return ingest_shapes(folder)


def cli(shapes: Path, *args: str):
    return CliRunner().invoke(app, ["--data-dir", str(shapes), *args], catch_exceptions=False)


def spec_of(shapes: Path, name: str, company: str = LUMEN, partner: str = HALVORSEN, **params: str) -> dict:
    return chart_for(name, company=company, partner=partner, data_dir=shapes, **params).to_dict()


@pytest.mark.parametrize("name", names())
def test_an_annual_only_company_gets_fiscal_year_charts_without_a_word_of_quarters(shapes, name):
    text = json.dumps(spec_of(shapes, name), ensure_ascii=False).lower()
    assert "quarter" not in text  # titles, subtitles, axes, tooltips, time units
    assert '"2018"' in text or name.startswith("growth")


def test_the_annual_dependence_chart_plots_each_year_by_year(shapes):
    spec = spec_of(shapes, "partner_dependence")
    assert spec["title"]["subtitle"] == (
        "Halvorsen Pharma revenue as % of total revenue, by fiscal year 2018 – 2023; gaps = not disclosed"
    )
    layers = spec["vconcat"][0]["layer"]
    shares = next(
        layer
        for layer in layers
        if "layer" not in layer and layer.get("encoding", {}).get("y", {}).get("field") == "share"
    )
    assert shares["encoding"]["x"]["timeUnit"] == "utcyear"
    rows = {(r["period"], r["series"]): r for r in shares["data"]["values"]}
    assert rows[("2018", "% of total revenue")]["share"] == pytest.approx(36800 / 41250)
    assert rows[("2023", "% of total revenue")]["share_label"] == "92.0%"  # 68,200 / 74,100


def test_charts_build_picks_fiscal_years_itself_through_the_cli(shapes, tmp_path):
    result = cli(
        shapes,
        "charts",
        "build",
        "--company",
        LUMEN,
        "--partner",
        HALVORSEN,
        "--format",
        "csv",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.stderr
    lines = (tmp_path / "partner_dependence.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["2018", "2019", "2020", "2021", "2022", "2023"]
    assert len(list(tmp_path.glob("*.csv"))) == len(names())


def test_asking_for_quarters_of_an_annual_only_company_fails_and_writes_nothing(shapes, tmp_path):
    result = cli(
        shapes,
        "charts",
        "build",
        "--company",
        LUMEN,
        "--partner",
        HALVORSEN,
        "--period-kind",
        "quarter",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == QueryError.exit_code
    assert result.stdout == ""
    assert "no quarter of Lumen Therapeutics" in result.stderr
    assert "use --period-kind year" in result.stderr
    assert not (tmp_path / "out").exists()


def test_asking_for_years_of_a_quarterly_only_company_names_what_it_has(shapes, tmp_path):
    result = cli(
        shapes,
        "deck",
        "--company",
        BRIGHTWATER,
        "--partner",
        "Meridian",
        "--period-kind",
        "year",
        "--out",
        str(tmp_path / "d.pptx"),
    )
    assert result.exit_code == QueryError.exit_code
    assert "no fiscal year of Brightwater Software" in result.stderr
    assert "use --period-kind quarter" in result.stderr
    assert not (tmp_path / "d.pptx").exists()


def test_asking_for_halves_of_an_annual_only_company_names_what_it_has(shapes, tmp_path):
    result = cli(
        shapes,
        "report",
        "--company",
        LUMEN,
        "--partner",
        HALVORSEN,
        "--period-kind",
        "half",
        "--out",
        str(tmp_path / "r.html"),
    )
    assert result.exit_code == QueryError.exit_code
    assert "no half-year of Lumen Therapeutics" in result.stderr
    assert "use --period-kind year" in result.stderr
    assert not (tmp_path / "r.html").exists()
    for command in (["charts", "build"], ["deck"], ["report"]):
        help_text = cli(shapes, *command, "--help").stdout
        assert "--period-kind" in help_text and "quarter, half or year" in help_text


def test_a_quarterly_company_can_be_charted_by_fiscal_year_on_request(shapes):
    spec = spec_of(shapes, "partner_dependence", company="Weibo", partner="Alibaba", period_kind="year")
    assert "by fiscal year 2012 – 2022" in spec["title"]["subtitle"]
    default = spec_of(shapes, "partner_dependence", company="Weibo", partner="Alibaba")
    assert "by quarter" in default["title"]["subtitle"]


def test_the_library_resolves_the_kind_and_the_numbers_of_an_annual_company(shapes):
    frames = key_figures.load_frames(company=LUMEN, partner=HALVORSEN, data_dir=shapes)
    assert frames.subject.period_kind == "year"
    key = key_figures.key_figures(frames)
    assert (key.latest.period, key.latest.share) == ("2023", pytest.approx(68200 / 74100))
    assert (key.peak.period, key.first_known.share) == ("2023", pytest.approx(36800 / 41250))
    lines = key_figures.headlines(frames, key)
    assert lines["partner_dependence"] == "Halvorsen Pharma rose from 89% of revenue in 2018 to 92% in 2023"
    assert lines["revenue_by_source"] == "Halvorsen Pharma brought $68.2M of $74.1M revenue in 2023"
    assert lines["growth_bridge"] == (
        "Of $7.3M revenue growth in 2023, Halvorsen Pharma added $8.7M and the rest lost $1.4M"
    )
    assert lines["growth_ex_partner"] == (
        "In 2023 revenue excluding Halvorsen Pharma fell 19% year on year; total revenue grew 11%"
    )  # 5.9/7.3, 74.1/66.8
    labels = [label for label, _ in key_figures.key_figure_rows(key)]
    assert not any("twelve" in label for label in labels)  # a TTM needs quarters


def test_the_annual_deck_speaks_of_fiscal_years_only(shapes, tmp_path):
    from pptx import Presentation

    result = cli(
        shapes, "deck", "--company", LUMEN, "--partner", HALVORSEN, "--out", str(tmp_path / "lumen.pptx")
    )
    assert result.exit_code == 0, result.stderr
    deck = Presentation(str(tmp_path / "lumen.pptx"))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert texts[1] == "2018 – 2023 by fiscal year · amounts in USD"
    assert "Halvorsen Pharma rose from 89% of revenue in 2018 to 92% in 2023" in texts
    assert not any("quarter" in text.lower() or "Q1 " in text for text in texts)
    cells = [
        cell.text
        for shape in deck.slides[-1].shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert cells and not any("twelve" in cell for cell in cells)


def test_the_annual_report_shows_annual_figures_and_no_ttm(shapes, tmp_path):
    result = cli(
        shapes, "report", "--company", LUMEN, "--partner", HALVORSEN, "--out", str(tmp_path / "lumen.html")
    )
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "lumen.html").read_text(encoding="utf-8")
    assert "<h2>Annual figures</h2>" in page
    assert "TTM" not in page and "twelve" not in page and "Quarterly" not in page
    assert "92.0%" in page and "$68.2M" in page


def test_a_range_whose_periods_cannot_be_compared_a_year_apart_fails_naming_the_charts(shapes, tmp_path):
    result = cli(
        shapes,
        "charts",
        "build",
        "--company",
        BRIGHTWATER,
        "--partner",
        "Meridian",
        "--to",
        "2020Q4",
        "--format",
        "csv",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 6
    assert (
        "growth_ex_partner: nothing to plot: no quarter in the range has a total revenue "
        "a year earlier" in result.stderr
    )
    assert (tmp_path / "partner_dependence.csv").exists()
    assert not (tmp_path / "growth_ex_partner.csv").exists()
