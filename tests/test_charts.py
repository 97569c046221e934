"""The chart deck pack: every chart builds, reads a real query, matches its spec snapshot, and
exports safe, offline, well-formed files, for any company and currency."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.api import query as run_query
from analytics.charts import format as fmt
from analytics.charts import load_all, names, registry
from analytics.errors import UnknownNameError
from analytics.project import PROJECT_ROOT
from analytics.publish.build import BuildResult, build_charts, chart_for, render_chart

SNAPSHOTS = Path(__file__).parent / "snapshots"
SHIPPED = PROJECT_ROOT / "data"
ALL = names()


@dataclass(frozen=True)
class Pack:
    out_dir: Path
    result: BuildResult


@pytest.fixture(scope="session")
def built_pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """Every chart in every format from the shipped data, built once per session."""
    out_dir = tmp_path_factory.mktemp("charts")
    return Pack(out_dir, build_charts(out_dir=out_dir, data_dir=SHIPPED))


def test_the_registry_holds_the_seven_charts():
    assert ALL == [
        "partner_dependence",
        "revenue_by_source",
        "partner_vs_rest",
        "revenue_mix",
        "growth_ex_partner",
        "growth_bridge",
        "concentration",
    ]


def test_an_unknown_chart_name_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="Known: partner_dependence"):
        registry.get("pie")


@pytest.mark.parametrize("name", ALL)
def test_each_charts_query_exists_and_returns_its_declared_columns(name):
    definition = load_all()[name]
    frame = run_query(definition.query, SHIPPED)
    assert set(definition.columns) <= set(frame.columns)


def test_every_chart_builds_from_the_shipped_data(built_pack):
    assert built_pack.result.failed == {}
    for name in ALL:
        for ext in ("html", "png", "svg", "csv"):
            assert (built_pack.out_dir / f"{name}.{ext}").stat().st_size > 0
    assert (built_pack.out_dir / "index.html") in built_pack.result.written


def columns_of(rows: list[dict]) -> dict[str, list[str]]:
    """What a snapshot keeps of a dataset: the sorted names of its columns, not its rows."""
    return {"columns": sorted({column for row in rows for column in row})}


def without_data_values(spec: object) -> object:
    """The spec with every inline `data.values` and every top-level dataset replaced by its
    columns: the snapshot records what is drawn, how, and from which fields, and a corrected
    figure in data/ leaves it unchanged. (Axis or legend `values` are spec, and stay.)"""
    if isinstance(spec, list):
        return [without_data_values(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    stripped = {key: without_data_values(value) for key, value in spec.items()}
    data = spec.get("data")
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        stripped["data"] = {**stripped["data"], "values": columns_of(data["values"])}
    if isinstance(spec.get("datasets"), dict):
        stripped["datasets"] = {name: columns_of(rows) for name, rows in spec["datasets"].items()}
    return stripped


def inline_rows(spec: object) -> list[dict]:
    """Every row of every inline `data.values` in a spec, in order."""
    if isinstance(spec, list):
        return [row for item in spec for row in inline_rows(item)]
    if not isinstance(spec, dict):
        return []
    data = spec.get("data")
    own = data["values"] if isinstance(data, dict) and isinstance(data.get("values"), list) else []
    return own + [row for value in spec.values() for row in inline_rows(value)]


@pytest.mark.parametrize("name", ALL)
def test_the_vega_lite_spec_matches_its_snapshot(name):
    spec = chart_for(
        name, company="Weibo", partner="Alibaba", from_period=None, to_period=None, data_dir=SHIPPED
    ).to_dict()
    snapshot = SNAPSHOTS / f"{name}.vl.json"
    text = json.dumps(without_data_values(spec), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot: run with UPDATE_SNAPSHOTS=1 to create {snapshot}"
    assert json.loads(snapshot.read_text(encoding="utf-8")) == json.loads(text)


def test_the_partner_dependence_chart_plots_the_filed_shares():
    """The data the snapshot leaves out, checked by content: Alibaba's share of Weibo's total
    revenue as plotted, hand-checked from the filings (US$ millions)."""
    spec = chart_for("partner_dependence", company="Weibo", partner="Alibaba", data_dir=SHIPPED)
    plotted = {
        row["period"]: row["share"]
        for row in inline_rows(spec.to_dict())
        if row.get("series") == "% of total revenue"
    }
    assert plotted["2013Q4"] == pytest.approx(28.5 / 71.42)  # 39.9%
    assert plotted["2016Q1"] == pytest.approx(11.1 / 119.3)  # 9.3%
    assert plotted["2016Q2"] == pytest.approx(12.8 / 146.9)  # 8.71%
    assert plotted["2017Q3"] == pytest.approx(25.3 / 320.0)  # 7.9%
    assert plotted["2015Q1"] is None  # not disclosed: a gap in the line, never 0%


@pytest.mark.parametrize("name", ALL)
def test_png_is_a_png_at_least_1600_pixels_wide(built_pack, name):
    content = (built_pack.out_dir / f"{name}.png").read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(content[16:20], "big") >= 1600


@pytest.mark.parametrize("name", ALL)
def test_svg_parses_and_starts_with_svg(built_pack, name):
    text = (built_pack.out_dir / f"{name}.svg").read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg")
    assert ET.fromstring(text).tag.endswith("svg")


@pytest.mark.parametrize("name", ALL)
def test_html_loads_no_script_or_stylesheet_from_the_network(built_pack, name):
    page = (built_pack.out_dir / f"{name}.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?https?://", page, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?https?://", page, re.I)
    assert '"renderer":"svg"' in page


def test_the_written_files_equal_the_in_memory_render(built_pack):
    rendered = render_chart("partner_vs_rest", data_dir=SHIPPED)
    for ext in ("html", "svg", "csv"):
        assert (built_pack.out_dir / f"partner_vs_rest.{ext}").read_bytes() == rendered.outputs[ext]


def test_the_gallery_links_every_format_of_every_chart(built_pack):
    index = (built_pack.out_dir / "index.html").read_text(encoding="utf-8")
    for name in ALL:
        for ext in ("html", "png", "svg", "csv"):
            assert f'href="{name}.{ext}"' in index
    assert "http://" not in index and "https://" not in index


def test_csv_holds_the_plotted_rows_with_nulls_left_empty(built_pack):
    lines = (built_pack.out_dir / "partner_dependence.csv").read_text().splitlines()
    assert lines[0].startswith("period,period_start")
    assert len(lines) - 1 == run_query("partner_dependence", SHIPPED).height


EVIL = "<script>alert(1)</script>"


@pytest.fixture
def evil_company_data_dir(data_dir: Path, tmp_path: Path) -> Path:
    """Nimbus Cloud's fixture files with the company renamed to a script tag, ingested as CSV."""
    from analytics.api import ingest

    nimbus = Path(__file__).parent / "fixtures" / "nimbus"
    for table in ("counterparties", "revenue", "partnerships", "events"):
        text = (nimbus / f"{table}.csv").read_text(encoding="utf-8")
        renamed = tmp_path / f"{table}.csv"
        renamed.write_text(text.replace("Nimbus Cloud", EVIL), encoding="utf-8")
        ingest(renamed, table, data_dir)
    return data_dir


def test_a_company_named_like_a_script_tag_is_shown_as_text(evil_company_data_dir, tmp_path):
    result = build_charts(
        ["partner_dependence"],
        company=EVIL,
        partner="Nimbus Group",
        formats=("html", "svg"),
        out_dir=tmp_path,
        data_dir=evil_company_data_dir,
    )
    assert result.failed == {}
    page = (tmp_path / "partner_dependence.html").read_text(encoding="utf-8")
    assert EVIL not in page
    assert "\\u003cscript\\u003ealert(1)" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.split("</head>", 1)[0]
    assert EVIL not in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in (tmp_path / "partner_dependence.svg").read_text(encoding="utf-8")


def test_a_script_in_a_title_cannot_close_the_spec_script_element():
    import vl_convert

    from analytics.publish.build import safe_html

    spec = {
        "title": "</script><script>alert(1)</script>",
        "mark": "point",
        "data": {"values": [{"a": 1}]},
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    page = safe_html(vl_convert.vegalite_to_html(spec, bundle=True, renderer="svg"), spec["title"])
    body = page.split("</head>", 1)[1]
    assert "alert(1)</script>" not in body
    assert "\\u003c/script\\u003e" in body


def test_nimbus_cloud_builds_every_chart_with_a_yuan_axis(two_company_data_dir, tmp_path):
    result = build_charts(
        company="Nimbus Cloud",
        partner="Nimbus Group",
        formats=("svg", "csv"),
        out_dir=tmp_path,
        data_dir=two_company_data_dir,
    )
    assert result.failed == {}
    spec = json.dumps(
        chart_for(
            "revenue_by_source",
            company="Nimbus Cloud",
            partner="Nimbus Group",
            from_period=None,
            to_period=None,
            data_dir=two_company_data_dir,
        ).to_dict(),
        ensure_ascii=False,
    )
    assert "¥" in spec and "Nimbus Group" in spec and "Alibaba" not in spec


def test_a_failing_chart_names_itself_and_the_rest_still_build(monkeypatch, tmp_path):
    broken = registry.ChartDef("broken", "no_such_query", ("period",), lambda ctx: None)
    monkeypatch.setitem(registry.CHARTS, "broken", broken)
    result = build_charts(["broken", "partner_vs_rest"], formats=("csv",), out_dir=tmp_path, data_dir=SHIPPED)
    assert list(result.failed) == ["broken"]
    assert "no_such_query" in result.failed["broken"]
    assert (tmp_path / "partner_vs_rest.csv").exists()


def test_currency_axis_formats_use_the_datas_symbol_and_unit():
    assert fmt.format_money(120_000_000, "USD") == "$120.0M"
    assert fmt.format_money(1_000_000_000, "CNY") == "¥1.0B"
    assert fmt.format_share(None) == "not disclosed"
    assert "'$'" in fmt.currency_label_expr("USD", 5e8)


def test_source_footnotes_drop_urls_and_repeat_nothing():
    lines = fmt.source_footnote(
        [
            "Bloomberg: X (2014-08-15) <https://b.com/x>",
            "Bloomberg: X (2014-08-15) <https://b.com/x> | derived: y",
        ]
    )
    assert lines == ["Source: Bloomberg (2014-08-15)"]


def test_cli_lists_each_chart_and_its_query(cli):
    result = cli("charts", "list")
    assert result.exit_code == 0
    assert "partner_dependence\tpartner_dependence" in result.stdout
    assert "growth_bridge\tgrowth" in result.stdout


def test_cli_build_prints_written_paths_to_stdout(cli, tmp_path):
    result = cli("charts", "build", "partner_vs_rest", "--format", "csv,svg", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [
        str(tmp_path / "partner_vs_rest.svg"),
        str(tmp_path / "partner_vs_rest.csv"),
        str(tmp_path / "charts.json"),
        str(tmp_path / "index.html"),
    ]


def test_cli_build_of_an_unknown_chart_fails_naming_the_known_ones(cli, tmp_path):
    result = cli("charts", "build", "pie", "--out", str(tmp_path))
    assert result.exit_code == 4  # README: 4 unknown name (the known ones are listed)
    assert "Unknown chart 'pie'" in result.stderr
    assert result.stdout == ""


def test_an_unknown_partner_fails_once_before_any_chart_is_written(tmp_path):
    out = tmp_path / "charts"
    with pytest.raises(UnknownNameError, match="Known: Alibaba"):
        build_charts(partner="Tencent", out_dir=out)
    assert not out.exists() or not any(out.iterdir())


def test_a_range_with_no_data_or_a_bad_period_label_fails_before_building(tmp_path):
    from analytics.errors import QueryError

    out = tmp_path / "charts"
    with pytest.raises(QueryError, match="holds no data"):
        build_charts(from_period="2030Q1", out_dir=out)
    with pytest.raises(QueryError, match="not a period"):
        build_charts(from_period="Q1-2016", out_dir=out)
    assert not out.exists() or not any(out.iterdir())
