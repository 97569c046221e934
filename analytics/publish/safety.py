"""The doors between a chart and what reads it: every string of a spec through
`text.for_renderer` before vl-convert sees it, and every page from our template around
vl-convert's JavaScript alone (its own page is never written as it is).
"""

from __future__ import annotations

import json
from typing import Any

from analytics.charts.page import split_bundle
from analytics.publish import pages
from analytics.text import for_renderer

SPEC_MARKER = "const spec = "


def renderer_safe(value: Any) -> Any:
    """Every string in a spec (titles, labels, data values) through `text.for_renderer`: a
    control character panics vl-convert and is invalid in SVG and PowerPoint XML."""
    if isinstance(value, str):
        return for_renderer(value)
    if isinstance(value, dict):
        return {key: renderer_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [renderer_safe(item) for item in value]
    return value


def safe_html(page: str, title: str, spec: dict[str, Any] | None = None) -> str:
    """The chart's page from our template (`analytics.publish.pages.chart_page`): vl-convert's
    `page` gives only its JavaScript bundle; `spec` (the fluid spec the page was made from) and
    `title` are embedded through the one escaping door. Without `spec`, the page's own is read
    back."""
    if spec is None:
        start = page.index(SPEC_MARKER) + len(SPEC_MARKER)
        spec = json.JSONDecoder().raw_decode(page, start)[0]
    return pages.chart_page(spec, title, split_bundle(page)[1])
