"""Every exported chart HTML renders its marks in a real headless browser with no network."""

from __future__ import annotations

import pytest
import test_charts
from browser import render_in_chromium

from analytics.charts import names

pytestmark = pytest.mark.browser
built_pack = test_charts.built_pack  # the session fixture: build every chart once


@pytest.mark.parametrize("name", names())
def test_exported_html_renders_marks_offline_without_console_errors(built_pack, name):
    dom, console_errors = render_in_chromium(built_pack.out_dir / f"{name}.html")
    assert "<svg" in dom
    assert 'class="marks"' in dom or "mark-" in dom
    assert console_errors == []


evil_company_data_dir = test_charts.evil_company_data_dir


def test_a_script_tag_company_name_renders_as_text_and_never_runs(evil_company_data_dir, tmp_path):
    from analytics.publish.build import build_charts

    build_charts(
        ["partner_dependence"],
        company=test_charts.EVIL,
        partner="Nimbus Group",
        formats=("html",),
        out_dir=tmp_path,
        data_dir=evil_company_data_dir,
    )
    dom, console_errors = render_in_chromium(tmp_path / "partner_dependence.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert test_charts.EVIL not in dom
    assert console_errors == []
