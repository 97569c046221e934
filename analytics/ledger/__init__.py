"""Revenue ledgers: transactions rolled up into revenue facts, on DuckDB or, past one machine,
on Spark.

Cheap to import: the rollup and the demo load on first use (PEP 562), and DuckDB and PySpark
only when one runs, so a rollup does not load the demo, nor a script reading PERIOD_KINDS either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.lazy import lazy_exports

if TYPE_CHECKING:
    from analytics.ledger.demo import DemoSummary, demo
    from analytics.ledger.runner import RollupSummary, rollup

_HOMES = {
    "DemoSummary": "analytics.ledger.demo",
    "demo": "analytics.ledger.demo",
    "RollupSummary": "analytics.ledger.runner",
    "rollup": "analytics.ledger.runner",
}


__getattr__ = lazy_exports(__name__, _HOMES, shadowed="demo")

__all__ = ["DemoSummary", "RollupSummary", "demo", "rollup"]
