"""The notebook API: `chart` returns a themed Altair chart to show and restyle; `build_charts`,
`deck` and `report` write what the CLI writes and return the paths."""

from __future__ import annotations

import json

import pytest

from analytics.errors import UnknownNameError
from analytics.publish import notebook


def test_chart_returns_a_themed_altair_chart_that_can_be_restyled():
    import altair as alt

    chart = notebook.chart("partner_dependence", company="Weibo", partner="Alibaba", from_period="2016Q1")
    assert isinstance(chart, alt.TopLevelMixin)
    spec = chart.to_dict()
    assert spec["config"]["font"].startswith("Helvetica")
    text = json.dumps(spec)
    assert '"2016Q1"' in text and '"2015Q4"' not in text
    restyled = chart.properties(title="Alibaba's weight").to_dict()
    assert restyled["title"] == "Alibaba's weight"
    assert callable(chart._repr_mimebundle_)  # how Jupyter shows it inline


def test_chart_takes_a_basis_and_shows_only_periods_on_it():
    """Weibo's quarters are on ASC 605 through 2017 and ASC 606 from 2018Q1 (not restated):
    on ASC 605 the 2018 quarters are gaps, and no basis rule is drawn."""
    spec = json.dumps(notebook.chart("partner_dependence", basis="ASC 605", from_period="2017Q1").to_dict())
    assert '"2017Q4"' in spec and '"ASC 606' not in spec and "from Q1 2018" not in spec
    assert "Basis: ASC 605" in spec
    default = json.dumps(notebook.chart("partner_dependence", from_period="2017Q1").to_dict())
    assert "ASC 606 from Q1 2018" in default


def test_chart_refuses_a_parameter_it_does_not_take():
    with pytest.raises(UnknownNameError, match="Unknown parameter 'top_n'"):
        notebook.chart("growth_bridge", top_n="3")


def test_build_charts_deck_and_report_return_the_paths_they_wrote(tmp_path):
    written = notebook.build_charts("growth_bridge", formats=["svg", "csv"], out=tmp_path)
    assert written == [
        tmp_path / "growth_bridge.svg",
        tmp_path / "growth_bridge.csv",
        tmp_path / "charts.json",
        tmp_path / "index.html",
    ]
    deck = notebook.deck(out=tmp_path / "d.pptx", editable_charts=True)
    report = notebook.report(out=tmp_path / "r.html", from_period="2016Q1")
    assert deck == (tmp_path / "d.pptx").resolve() and deck.read_bytes()[:2] == b"PK"
    assert report.read_text(encoding="utf-8").startswith("<!doctype html>")
