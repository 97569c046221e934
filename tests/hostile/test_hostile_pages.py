"""Hostile names in the HTML pages (report, gallery, chart page): a name holding `</script>`, an
`<img onerror>`, U+2028 and U+2029 never leaves its <script> element or becomes markup; it is
shown as text. Pages are read with the standard HTML parser, as a browser tokenises them.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from analytics.charts import registry
from analytics.charts.format import label
from analytics.project import PROJECT_ROOT
from analytics.publish import pages
from analytics.publish.build import build_charts
from analytics.publish.report import build_report
from tests.browser import render_in_chromium
from tests.conftest import copy_tables, weibo_file

HOSTILE = "Ali\u2028ba\u2029ba </script><img src=x onerror=alert(1)><!--"


class Page(HTMLParser):
    """A page's start tags, the contents of its <script> elements, and its text outside them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.texts: list[str] = []
        self._in_script = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.texts.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def assert_nothing_broke_out(page: Page, scripts: int) -> None:
    assert len(page.named("script")) == scripts
    assert page.named("img") == []
    assert not any("\u2028" in s or "\u2029" in s or "</" in s for s in page.scripts[1:])


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data with Alibaba renamed to `HOSTILE` everywhere (edited past ingest)."""
    folder = tmp_path_factory.mktemp("hostile") / "data"
    copy_tables(PROJECT_ROOT / "data", folder)
    for table, columns in (
        ("revenue", ["counterparty"]),
        ("counterparties", ["counterparty", "counterparty_group"]),
        ("partnerships", ["partner"]),
    ):
        path = weibo_file(folder, table)
        frame = pl.read_parquet(path)
        frame.with_columns(
            pl.when(pl.col(c) == "Alibaba").then(pl.lit(HOSTILE)).otherwise(pl.col(c)).alias(c)
            for c in columns
        ).cast(frame.schema).write_parquet(path)
    return folder


@pytest.fixture(scope="module")
def hostile_report(hostile_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    return build_report(partner=HOSTILE, out=out, data_dir=hostile_data)


def test_script_json_escapes_what_could_end_its_script_or_a_line():
    value = {"name": HOSTILE, "quote": "O'Brien & Co"}
    encoded = pages.script_json(value)
    assert not any(char in encoded for char in "<>&'\u2028\u2029")
    assert "\\u2028" in encoded and "\\u2029" in encoded and "\\u003c/script\\u003e" in encoded
    assert json.loads(encoded) == value


def test_a_hostile_partner_stays_text_in_the_report(hostile_report: Path):
    page = Page(hostile_report.read_text(encoding="utf-8"))
    assert_nothing_broke_out(page, scripts=3)
    assert f"Weibo: dependence on {label(HOSTILE)}" in page.texts
    specs = json.loads(page.scripts[1])
    assert len(specs) == len(registry.names())
    assert label(HOSTILE) in json.dumps(specs, ensure_ascii=False)


@pytest.mark.browser
def test_the_report_with_a_hostile_partner_renders_every_chart_and_no_injected_image(hostile_report: Path):
    dom, console_errors = render_in_chromium(hostile_report)
    assert dom.count('class="marks"') == len(registry.names())
    assert Page(dom).named("img") == []  # the bundle's own "<img" is text of its script
    assert f"<h1>Weibo: dependence on {label(HOSTILE).replace('<', '&lt;').replace('>', '&gt;')}" in dom
    assert console_errors == []


def test_a_hostile_partner_stays_text_in_the_gallery_and_the_chart_page(hostile_data: Path, tmp_path: Path):
    result = build_charts(
        ["partner_dependence"], partner=HOSTILE, formats=("html",), out_dir=tmp_path, data_dir=hostile_data
    )
    assert result.failed == {}
    gallery = Page((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert_nothing_broke_out(gallery, scripts=0)
    assert f"Weibo: dependence on {label(HOSTILE)}" in "".join(gallery.texts)
    chart = Page((tmp_path / "partner_dependence.html").read_text(encoding="utf-8"))
    assert_nothing_broke_out(chart, scripts=2)
    spec = chart.scripts[1].split("const spec = ", 1)[1].split(";\n", 1)[0]
    assert label(HOSTILE) in json.dumps(json.loads(spec), ensure_ascii=False)
