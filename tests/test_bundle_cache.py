"""vl-convert's JavaScript bundle is cached on disk per vl-convert version and served only when
whole; the build validates each spec once and renders the spec the notebook API shows."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from analytics.charts import bundle_cache
from analytics.charts.page import fluid_spec, split_bundle
from analytics.project import PROJECT_ROOT
from analytics.publish import pages
from analytics.publish.build import chart_for, render_chart

SHIPPED = PROJECT_ROOT / "data"
CHART = "partner_vs_rest"
MARKER = "window.servedFromTheCache = true;"


@pytest.fixture(scope="module")
def real_bundle(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundle a first build caches (made by vl-convert in the renderer worker)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(bundle_cache.CACHE_DIR_ENV, str(tmp_path_factory.mktemp("first-cache")))
        render_chart(CHART, ("html",), data_dir=SHIPPED)
        cached = bundle_cache.read()
    assert cached is not None
    return cached


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own; returns where the bundle file goes."""
    monkeypatch.setenv(bundle_cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    path = bundle_cache.cache_path()
    assert path is not None and path.parent == tmp_path / "cache"
    return path


def inlined_bundle(page: bytes) -> str:
    return split_bundle(page.decode("utf-8"))[1]


def test_the_first_build_caches_the_bundle_vl_convert_inlines(real_bundle):
    import vl_convert

    spec = {
        "mark": "point",
        "data": {"values": [{"a": 1}]},
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    page = vl_convert.vegalite_to_html(spec, bundle=True, renderer="svg")
    assert split_bundle(page)[1] == real_bundle
    assert "vegaEmbed" in real_bundle and len(real_bundle) > 500_000


def test_a_build_writes_the_cache_and_the_page_inlines_the_cached_bundle(cache, real_bundle):
    page = render_chart(CHART, ("html",), data_dir=SHIPPED).outputs["html"]
    assert bundle_cache.decode(cache.read_bytes()) == real_bundle
    assert inlined_bundle(page) == str(pages.script_code(real_bundle))


def test_a_whole_cache_file_is_what_the_next_build_serves(cache):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(MARKER))
    page = render_chart(CHART, ("html",), data_dir=SHIPPED).outputs["html"]
    assert inlined_bundle(page) == MARKER


def damaged(content: bytes, how: str) -> bytes:
    header, _, body = content.partition(b"\n")
    middle = len(body) // 2
    return {
        "truncated": content[: len(content) // 2],
        "a byte changed": header + b"\n" + body[:middle] + b"X" + body[middle + 1 :],
        "another body": header + b"\n" + MARKER.encode(),
        "no header": body,
        "empty": b"",
    }[how]


@pytest.mark.parametrize("how", ["truncated", "a byte changed", "another body", "no header", "empty"])
def test_a_damaged_cache_file_is_never_read_as_a_bundle(how, cache):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(damaged(bundle_cache.encode(MARKER * 1000), how))
    assert bundle_cache.read(cache) is None


def test_a_file_whose_header_matches_bytes_that_are_not_utf8_is_not_read(cache):
    body = MARKER.encode() + b"\xff"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache._header(body) + b"\n" + body)
    assert bundle_cache.read(cache) is None


def test_a_truncated_cache_file_is_rebuilt_and_rewritten_never_served(cache, real_bundle):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(real_bundle)[:400_000])
    page = render_chart(CHART, ("html",), data_dir=SHIPPED).outputs["html"]
    assert inlined_bundle(page) == str(pages.script_code(real_bundle))
    assert bundle_cache.read(cache) == real_bundle


def test_another_vl_convert_version_does_not_read_this_ones_bundle(cache, monkeypatch):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(MARKER))
    monkeypatch.setattr(bundle_cache, "vl_convert_version", lambda: "0.0.1")
    other = bundle_cache.cache_path()
    assert other is not None and other != cache and "0.0.1" in other.name
    assert bundle_cache.read() is None


def test_a_cache_folder_that_cannot_be_written_costs_time_not_the_build(tmp_path, monkeypatch, real_bundle):
    in_the_way = tmp_path / "a file"
    in_the_way.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(bundle_cache.CACHE_DIR_ENV, str(in_the_way / "cache"))
    page = render_chart(CHART, ("html",), data_dir=SHIPPED).outputs["html"]
    assert inlined_bundle(page) == str(pages.script_code(real_bundle))
    assert in_the_way.read_text(encoding="utf-8") == "not a folder"


def test_the_cache_folder_follows_the_variable_then_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv(bundle_cache.CACHE_DIR_ENV, str(tmp_path / "chosen"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert bundle_cache.cache_dir() == tmp_path / "chosen"
    monkeypatch.delenv(bundle_cache.CACHE_DIR_ENV)
    assert bundle_cache.cache_dir() == tmp_path / "xdg" / "analytics"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert bundle_cache.cache_dir() == tmp_path / "home" / ".cache" / "analytics"


def test_the_build_validates_each_spec_once_and_makes_no_chart_from_it_again(
    cache, real_bundle, spec_validations
):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(real_bundle))
    render_chart(CHART, ("html", "csv"), data_dir=SHIPPED)
    assert len(spec_validations) == 1


def test_the_page_draws_the_spec_the_notebook_api_returns(cache, real_bundle):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(real_bundle))
    page = render_chart(CHART, ("html",), data_dir=SHIPPED).outputs["html"].decode("utf-8")
    drawn = json.loads(re.search(r"const spec = (.*);\n", page).group(1))  # type: ignore[union-attr]
    notebook = fluid_spec(chart_for(CHART, data_dir=SHIPPED).to_dict())
    assert drawn == json.loads(str(pages.script_json(notebook)))


@pytest.mark.browser
def test_a_page_built_from_the_cached_bundle_renders_offline(cache, real_bundle, tmp_path):
    from browser import render_in_chromium

    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(real_bundle))
    page = tmp_path / f"{CHART}.html"
    page.write_bytes(render_chart(CHART, ("html",), data_dir=SHIPPED).outputs["html"])
    dom, console_errors = render_in_chromium(page)
    assert "<svg" in dom and ('class="marks"' in dom or "mark-" in dom)
    assert console_errors == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no file owners on this OS")
def test_a_cache_file_others_may_write_is_not_served(cache):
    cache.parent.mkdir(parents=True)
    cache.write_bytes(bundle_cache.encode(MARKER))
    cache.chmod(0o666)
    assert bundle_cache.read(cache) is None
    cache.chmod(0o644)
    assert bundle_cache.read(cache) == MARKER
