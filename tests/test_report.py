"""The offline report: opened in headless Chromium with networking cut, checked by content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import analytics
from analytics.errors import QueryError, UnknownNameError
from analytics.publish import key_figures, report
from tests.browser import render_in_chromium

EXTERNAL_SOURCE = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?"
    r"(?:https?:)?//",
    re.IGNORECASE,
)


def chart_names() -> list[str]:
    from analytics.charts import registry

    return registry.names()


@pytest.fixture(scope="module")
def weibo_report(tmp_path_factory) -> Path:
    return report.build_report(out=tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def page(weibo_report) -> str:
    return weibo_report.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(weibo_report) -> tuple[str, list[str]]:
    return render_in_chromium(weibo_report)


@pytest.mark.browser
def test_every_chart_renders_offline(rendered):
    dom, _ = rendered
    assert dom.count('class="marks"') == len(chart_names())
    for index in range(len(chart_names())):
        chart = re.search(rf'<div id="chart-{index}"[^>]*>(.*?)</div>', dom, re.DOTALL)
        assert chart and "<svg" in chart.group(1), f"chart-{index} did not render"


@pytest.mark.browser
def test_the_page_logs_no_console_errors(rendered):
    _, console_errors = rendered
    assert console_errors == []


def test_no_script_or_stylesheet_is_fetched_from_the_network(page):
    assert EXTERNAL_SOURCE.search(page) is None
    assert "<script src" not in page and '<link rel="stylesheet"' not in page


def test_the_vega_libraries_are_inlined_once(page):
    import vl_convert

    assert page.count(vl_convert.javascript_bundle()[:300]) == 1


def test_a_print_stylesheet_puts_one_chart_per_page(page):
    print_css = page[page.index("@media print") :]
    assert "section.chart" in print_css and "page-break-before: always" in print_css
    assert page.count('<section class="chart"') == len(chart_names())


def test_the_key_figures_are_the_query_results(page):
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba")
    for label, value in key_figures.key_figure_rows(key_figures.key_figures(frames)):
        assert f'<td class="">{label}</td><td class="">{value}</td>' in page
    # The latest disclosed quarter: Alibaba $20.8M (derived: advertising less advertising
    # excluding Alibaba) of $607.4M in 2021Q3; the peak: 2013Q4.
    assert "3.4% in Q3 2021" in page and "40% in Q4 2013" in page


def test_each_chart_carries_its_headline(page):
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba")
    for headline in key_figures.headlines(frames, key_figures.key_figures(frames)).values():
        assert f"<h2>{report.escape(headline)}</h2>" in page


def test_the_quarterly_table_cites_every_disclosed_quarters_source(page):
    frame = analytics.query("partner_dependence").drop_nulls("share_of_total")
    for row in frame.iter_rows(named=True):
        assert report.escape(row["source"]) in page, row["period"]
        assert f"{row['share_of_total'] * 100:.1f}%" in page


def test_the_reconciliation_adds_the_partner_and_the_rest_back_to_total(page):
    growth = analytics.query("growth").drop_nulls("partner_change")
    assert growth.height > 0
    for row in growth.iter_rows(named=True):
        assert row["partner_change"] + row["rest_change"] == row["total_change"]
        cells = [
            key_figures.format_money(row[c], "USD") for c in ("partner_change", "rest_change", "total_change")
        ]
        assert all(cell in page for cell in cells)
    assert ">NO<" not in page


def test_text_is_escaped_and_json_cannot_close_its_script():
    html_table = report.table(["<b>"], [["a & </td>"]], set())
    assert "&lt;b&gt;" in html_table and "a &amp; &lt;/td&gt;" in html_table
    assert "</" not in report.json_for_html({"label": "</script><script>alert(1)"})


@pytest.mark.parametrize(
    ("params", "listed"), [({"company": "Sina"}, "Weibo"), ({"partner": "Tencent"}, "Alibaba")]
)
def test_an_unknown_name_lists_the_known_ones_and_writes_nothing(data_dir, tmp_path, params, listed):
    with pytest.raises(UnknownNameError, match=listed):
        report.build_report(out=tmp_path / "out" / "r.html", data_dir=data_dir, **params)
    assert not (tmp_path / "out").exists()


def test_an_empty_period_range_writes_nothing(data_dir, tmp_path):
    with pytest.raises(QueryError, match="holds no data"):
        report.build_report(out=tmp_path / "out" / "r.html", to_period="2010Q4", data_dir=data_dir)
    assert not (tmp_path / "out").exists()


@pytest.mark.browser
def test_a_second_company_in_yuan_renders_offline(two_company_data_dir, tmp_path):
    out = report.build_report(
        company="Nimbus Cloud",
        partner="Nimbus Group",
        out=tmp_path / "nimbus.html",
        data_dir=two_company_data_dir,
    )
    page = out.read_text(encoding="utf-8")
    assert "Nimbus Cloud: dependence on Nimbus Group" in page and "¥" in page
    assert "Alibaba" not in page
    dom, console_errors = render_in_chromium(out)
    assert dom.count('class="marks"') == len(chart_names())
    assert console_errors == []


def test_the_report_command_prints_the_written_path(cli, tmp_path):
    out = tmp_path / "cli.html"
    result = cli("report", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out.resolve())
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_the_report_command_reports_an_empty_range_on_stderr(cli, tmp_path):
    out = tmp_path / "cli.html"
    result = cli("report", "--from", "2030Q1", "--out", str(out))
    assert result.exit_code == QueryError.exit_code
    assert result.stdout == "" and "holds no data" in result.stderr
    assert not out.exists()


def test_the_report_validates_each_spec_once_and_makes_no_chart_from_it_again(spec_validations):
    shipped = Path(__file__).parent.parent / "data"
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba", data_dir=shipped)
    specs = report.chart_specs(frames, shipped)
    assert list(specs) == chart_names()
    assert len(spec_validations) == len(specs)
