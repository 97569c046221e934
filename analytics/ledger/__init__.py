"""Revenue ledgers: transactions rolled up into revenue facts, on DuckDB or, past one machine,
on Spark.

Cheap to import: DuckDB and PySpark load only when a rollup or a demo runs.
"""

from __future__ import annotations

from analytics.ledger.demo import DemoSummary, demo
from analytics.ledger.runner import RollupSummary, rollup

__all__ = ["DemoSummary", "RollupSummary", "demo", "rollup"]
