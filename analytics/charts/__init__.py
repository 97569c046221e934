"""Charts of a company's dependence on a partner: a registry of chart functions over named queries.

Importing this package is cheap; Altair loads only when a chart is built (see `analytics.publish.build`).
"""

from __future__ import annotations

from analytics.charts.registry import ChartContext, ChartDef, get, load_all, names

__all__ = ["ChartContext", "ChartDef", "get", "load_all", "names"]
