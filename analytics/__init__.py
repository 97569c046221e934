"""analytics: how much of a company's revenue depends on one strategic partner.

The public Python API mirrors the CLI and returns polars DataFrames. Importing this package is
cheap: DuckDB, polars and Altair load only when a function needs them.
"""

from __future__ import annotations

from analytics import ledger
from analytics.api import (
    check,
    delete,
    export_database,
    ingest,
    list_queries,
    query,
    sql,
    tables,
    validate,
)
from analytics.publish.notebook import build_charts, chart, deck, report

__all__ = ["build_charts", "chart", "check", "deck", "delete", "export_database", "ingest", "ledger",
           "list_queries", "query", "report", "sql", "tables", "validate"]
__version__ = "0.1.0"
