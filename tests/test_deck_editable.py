"""`deck --editable-charts`: native PowerPoint charts with their data, opened back with
python-pptx and checked against the query results; and the progress bar of slow commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import analytics
from analytics.charts import registry

SLIDES_PER_CHART = dict(enumerate(registry.names(), start=1))


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> tuple:
    """The editable deck and the image deck of the shipped data, opened."""
    from pptx import Presentation

    from analytics.publish.deck import build_deck

    folder = tmp_path_factory.mktemp("decks")
    editable = build_deck(out=folder / "editable.pptx", editable_charts=True)
    images = build_deck(out=folder / "images.pptx")
    return Presentation(str(editable)), Presentation(str(images))


def chart_of(deck, name: str):
    slide = deck.slides[list(SLIDES_PER_CHART.values()).index(name) + 1]
    charts = [shape.chart for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 1, f"{name}: {len(charts)} charts"
    return charts[0]


def series(chart) -> dict[str, list]:
    return {plot_series.name: list(plot_series.values) for plot_series in chart.plots[0].series}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("partner_dependence", "LINE_MARKERS"),
        ("revenue_by_source", "COLUMN_STACKED"),
        ("partner_vs_rest", "COLUMN_STACKED"),
        ("revenue_mix", "COLUMN_STACKED_100"),
        ("growth_ex_partner", "LINE_MARKERS"),
        ("growth_bridge", "BAR_CLUSTERED"),
        ("concentration", "LINE_MARKERS"),
    ],
)
def test_each_chart_is_a_native_chart_of_its_type_with_its_data_embedded(decks, name, kind):
    chart = chart_of(decks[0], name)
    assert chart.chart_type.name == kind
    workbook = chart.part.chart_workbook.xlsx_part
    assert workbook is not None and workbook.blob[:2] == b"PK"


def test_shares_are_lines_of_the_query_values_with_gaps_where_undisclosed(decks):
    frame = analytics.query("partner_dependence").sort("period_start")
    chart = chart_of(decks[0], "partner_dependence")
    assert list(chart.plots[0].categories) == frame["period"].to_list()
    # one series per run of one accounting basis (SINA segment, ASC 605, ASC 606), blank
    # outside its run: no native line joins two periods on different bases
    runs = {
        name: values
        for name, values in series(chart).items()
        if name.startswith("Alibaba share of total revenue (")
    }
    bases = list(dict.fromkeys(b for b in frame["basis"].to_list() if b))
    assert set(runs) == {f"Alibaba share of total revenue ({basis})" for basis in bases}
    assert "Alibaba share of total revenue (ASC 606)" in runs
    values = [
        next((run[i] for run in runs.values() if run[i] is not None), None) for i in range(frame.height)
    ]
    assert values == frame["share_of_total"].to_list()
    assert None in values and 0.0 not in values
    assert all(sum(run[i] is not None for run in runs.values()) <= 1 for i in range(frame.height))
    xml = chart.part.blob.decode("utf-8")
    assert '<c:dispBlanksAs val="gap"/>' in xml


def test_revenue_by_source_stacks_each_source_with_the_partners_portion(decks):
    import polars as pl

    frame = analytics.query("revenue_by_source").sort("period_start")
    stacked = series(chart_of(decks[0], "revenue_by_source"))
    assert {"Alibaba", "advertising", "value added services", "unattributed"} <= set(stacked)
    periods = list(dict.fromkeys(frame["period"].to_list()))
    totals = frame.group_by("period").agg(pl.col("amount").cast(pl.Float64).sum())
    for period, total in totals.iter_rows():
        stacked_total = sum(values[periods.index(period)] or 0 for values in stacked.values())
        assert stacked_total == pytest.approx(total)


def test_the_growth_bridge_is_clustered_bars_of_the_partner_and_the_rest(decks):
    frame = analytics.query("growth").sort("period_start")
    bars = series(chart_of(decks[0], "growth_bridge"))
    changes = [float(v) if v is not None else None for v in frame["partner_change"].to_list()]
    assert bars["Alibaba's change"] == changes
    assert list(bars) == ["Alibaba's change", "everyone else's change", "total change"]


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_titles_footnotes_and_notes_equal_the_image_decks(decks):
    editable, images = decks
    assert len(editable.slides) == len(images.slides)
    for ours, theirs in zip(editable.slides, images.slides, strict=True):
        assert texts(ours) == texts(theirs)
        if ours.has_notes_slide or theirs.has_notes_slide:
            assert ours.notes_slide.notes_text_frame.text == theirs.notes_slide.notes_text_frame.text


def test_the_image_deck_stays_the_default(decks):
    _, images = decks
    slide = images.slides[1]
    assert not any(shape.has_chart for shape in slide.shapes)
    assert any(shape.shape_type == 13 for shape in slide.shapes)


def test_cli_editable_deck_writes_native_charts_and_no_progress_off_a_terminal(cli, tmp_path):
    from pptx import Presentation

    out = tmp_path / "editable.pptx"
    result = cli("deck", "--editable-charts", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out) and result.stderr == ""
    opened = Presentation(io.BytesIO(Path(out).read_bytes()))
    assert chart_of(opened, "growth_bridge").chart_type.name == "BAR_CLUSTERED"


def test_charts_build_and_report_print_no_progress_off_a_terminal(cli, tmp_path):
    built = cli("charts", "build", "growth_bridge", "--format", "csv", "--out", str(tmp_path))
    report = cli("report", "--out", str(tmp_path / "report.html"))
    assert built.exit_code == 0 and report.exit_code == 0
    assert built.stderr == "" and report.stderr == ""


def test_the_progress_bar_draws_on_stderr_when_it_is_a_terminal(monkeypatch, capsys):
    from analytics.cli.progress import progress_bar

    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    with progress_bar("Building charts", 2) as advance:
        advance("partner_dependence")
        advance("growth_bridge")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Building charts" in captured.err


def test_the_progress_bar_stays_silent_when_stderr_is_not_a_terminal(monkeypatch, capsys):
    from analytics.cli.progress import progress_bar

    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    with progress_bar("Building charts", 1) as advance:
        advance("growth_bridge")
    assert capsys.readouterr().err == ""


def test_ingest_shows_a_spinner_on_a_terminal_and_nothing_otherwise(monkeypatch, capsys, data_dir):
    from analytics.cli.progress import working

    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    with working("Ingesting revenue.csv"):
        pass
    assert "Ingesting revenue.csv" in capsys.readouterr().err
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    with working("Ingesting revenue.csv"):
        pass
    assert capsys.readouterr().err == ""
