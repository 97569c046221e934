"""The chart folder as analysts share it: a manifest and a gallery of every chart, one chart's
files always agreeing, embed snippets, a shared vega.js, and HTML whose width follows its frame."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from analytics.charts import registry
from analytics.project import PROJECT_ROOT
from analytics.publish.build import build_charts
from tests.browser import FLAGS, find_chromium, render_in_chromium

SHIPPED = PROJECT_ROOT / "data"
ALL = registry.names()


@pytest.fixture(scope="module")
def full_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every chart built over the full range in svg and csv."""
    folder = tmp_path_factory.mktemp("gallery") / "charts"
    result = build_charts(out_dir=folder, formats=("svg", "csv"), data_dir=SHIPPED)
    assert result.failed == {}
    return folder


def manifest(folder: Path) -> dict:
    return json.loads((folder / "charts.json").read_text(encoding="utf-8"))["charts"]


def test_the_manifest_records_each_charts_subject_range_formats_and_build_time(full_folder):
    charts = manifest(full_folder)
    assert list(charts) == ALL
    dependence = charts["partner_dependence"]
    assert dependence["company"] == "Weibo" and dependence["partner"] == "Alibaba"
    assert dependence["from_period"] == "2013Q1"
    assert dependence["formats"] == ["svg", "csv"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", dependence["built_at"])


def test_building_one_chart_keeps_every_other_chart_in_the_gallery(full_folder, tmp_path):
    folder = tmp_path / "charts"
    shutil.copytree(full_folder, folder)
    result = build_charts(
        ["partner_dependence"],
        from_period="2016Q1",
        to_period="2017Q4",
        formats=("html", "png"),
        out_dir=folder,
        data_dir=SHIPPED,
    )
    assert result.failed == {}
    charts = manifest(folder)
    assert set(charts) == set(ALL)
    assert charts["partner_dependence"]["from_period"] == "2016Q1"
    assert charts["partner_dependence"]["to_period"] == "2017Q4"
    assert charts["concentration"] == manifest(full_folder)["concentration"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in ALL:
        assert f"<code>{name}</code>" in index
    assert "2016Q1 – 2017Q4" in index and "Weibo: dependence on Alibaba" in index
    assert "built 20" in index


def test_a_rebuild_in_other_formats_removes_the_charts_older_files(full_folder, tmp_path):
    folder = tmp_path / "charts"
    shutil.copytree(full_folder, folder)
    build_charts(
        ["partner_dependence"],
        from_period="2016Q1",
        formats=("html", "png"),
        out_dir=folder,
        data_dir=SHIPPED,
    )
    own = sorted(p.name for p in folder.iterdir() if p.name.startswith("partner_dependence."))
    assert own == ["partner_dependence.embed.html", "partner_dependence.html", "partner_dependence.png"]
    assert manifest(folder)["partner_dependence"]["formats"] == ["html", "png", "embed"]
    build_charts(["partner_dependence"], formats=("csv",), out_dir=folder, data_dir=SHIPPED)
    own = sorted(p.name for p in folder.iterdir() if p.name.startswith("partner_dependence."))
    assert own == ["partner_dependence.csv"]
    assert (folder / "revenue_mix.svg").exists()


def test_each_html_chart_gets_an_iframe_snippet_the_gallery_links(tmp_path):
    build_charts(["growth_bridge"], formats=("html",), out_dir=tmp_path, data_dir=SHIPPED)
    snippet = (tmp_path / "growth_bridge.embed.html").read_text(encoding="utf-8")
    assert snippet.startswith(
        '<iframe src="growth_bridge.html" style="width:100%;aspect-ratio:16/9;border:0" title="'
    )
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="growth_bridge.embed.html"' in index and "embed" in index


def test_a_folder_without_a_manifest_lists_the_charts_it_holds(tmp_path):
    (tmp_path / "revenue_mix.svg").write_text("<svg></svg>", encoding="utf-8")
    build_charts(["growth_bridge"], formats=("csv",), out_dir=tmp_path, data_dir=SHIPPED)
    charts = manifest(tmp_path)
    assert charts["revenue_mix"]["formats"] == ["svg"]
    assert "<code>revenue_mix</code>" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_a_corrupt_manifest_is_rebuilt_not_fatal(tmp_path):
    (tmp_path / "charts.json").write_text("{not json", encoding="utf-8")
    result = build_charts(["growth_bridge"], formats=("csv",), out_dir=tmp_path, data_dir=SHIPPED)
    assert result.failed == {} and set(manifest(tmp_path)) == {"growth_bridge"}


@pytest.fixture(scope="module")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared") / "charts"
    result = build_charts(
        ["partner_dependence", "growth_bridge"],
        formats=("html",),
        out_dir=folder,
        data_dir=SHIPPED,
        html="shared",
    )
    assert result.failed == {}
    assert result.written.count(folder / "vega.js") == 1
    return folder


def test_shared_html_loads_one_vega_bundle_instead_of_inlining_it(shared_folder):
    bundle = (shared_folder / "vega.js").read_text(encoding="utf-8")
    assert len(bundle) > 500_000 and "vegaEmbed" in bundle
    for name in ("partner_dependence", "growth_bridge"):
        page = (shared_folder / f"{name}.html").read_text(encoding="utf-8")
        assert '<script src="vega.js"></script>' in page
        assert len(page) < 100_000 and "window.vegaEmbed=" not in page


def test_a_shared_html_chart_renders_offline_in_chromium(shared_folder):
    dom, errors = render_in_chromium(shared_folder / "partner_dependence.html")
    found = re.search(r'class="marks" width="(\d+)"', dom)
    assert found and int(found.group(1)) > 100 and "mark-line" in dom, errors


def chart_width_at(page: Path, window_width: int) -> int:
    """The rendered chart's width in headless Chromium with a window `window_width` wide."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        completed = subprocess.run(
            [
                find_chromium(),
                *FLAGS,
                f"--window-size={window_width},900",
                f"--user-data-dir={profile}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    found = re.search(r'class="marks" width="(\d+)"', completed.stdout)
    assert found, completed.stderr[-2000:]
    return int(found.group(1))


def test_html_chart_width_follows_the_window(shared_folder):
    page = shared_folder / "growth_bridge.html"
    narrow, wide = chart_width_at(page, 640), chart_width_at(page, 1400)
    assert narrow <= 640 and wide > 1000


def test_the_default_html_is_self_contained_and_fluid(tmp_path):
    build_charts(["growth_bridge"], formats=("html",), out_dir=tmp_path, data_dir=SHIPPED)
    page = (tmp_path / "growth_bridge.html").read_text(encoding="utf-8")
    assert "window.vegaEmbed=" in page and not (tmp_path / "vega.js").exists()
    assert '"width":"container"' in page and "#vega-chart { display: block; width: 100%" in page


def test_a_hostile_manifest_is_escaped_in_the_gallery_and_unknown_charts_dropped(tmp_path):
    hostile = {
        "charts": {
            "revenue_mix": {
                "title": "<script>alert(1)</script>",
                "company": "A\x1b[31m",
                "partner": "<b>",
                "formats": ["svg", "exe"],
                "built_at": '"><img>',
            },
            "../../etc/passwd": {"title": "x", "formats": ["html"]},
        }
    }
    (tmp_path / "charts.json").write_text(json.dumps(hostile), encoding="utf-8")
    build_charts(["growth_bridge"], formats=("csv",), out_dir=tmp_path, data_dir=SHIPPED)
    charts = manifest(tmp_path)
    assert set(charts) == {"revenue_mix", "growth_bridge"}
    assert charts["revenue_mix"]["formats"] == ["svg"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in index and "<img>" not in index and "\x1b" not in index
    assert "&lt;script&gt;" in index
