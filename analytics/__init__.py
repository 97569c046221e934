"""analytics: how much of a company's revenue depends on one strategic partner.

The public Python API mirrors the CLI and returns polars DataFrames. Importing this package is
cheap: DuckDB, polars and Altair load only when a function needs them.
"""

from __future__ import annotations

from analytics.api import (
    export_database,
    ingest,
    list_queries,
    query,
    sql,
    tables,
    validate,
)

__all__ = ["export_database", "ingest", "list_queries", "query", "sql", "tables", "validate"]
__version__ = "0.1.0"
