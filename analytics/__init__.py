"""analytics: how much of a company's revenue depends on one strategic partner.

The public Python API mirrors the CLI and returns polars DataFrames. Importing this package is
cheap: DuckDB, polars and Altair load only when a function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.lazy import lazy_exports

if TYPE_CHECKING:
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

#: Where each public name lives. Imported on first use (PEP 562): the CLI imports this package
#: for every command, and ingest, validation and the ledger would cost every start-up ~50 ms.
_HOMES = {
    "ledger": "analytics.ledger",
    **dict.fromkeys(
        (
            "check",
            "delete",
            "export_database",
            "ingest",
            "list_queries",
            "query",
            "sql",
            "tables",
            "validate",
        ),
        "analytics.api",
    ),
    **dict.fromkeys(("build_charts", "chart", "deck", "report"), "analytics.publish.notebook"),
}

__getattr__ = lazy_exports(__name__, _HOMES, modules=("ledger",), shadowed="sql")

__all__ = [
    "build_charts",
    "chart",
    "check",
    "deck",
    "delete",
    "export_database",
    "ingest",
    "ledger",
    "list_queries",
    "query",
    "report",
    "sql",
    "tables",
    "validate",
]
__version__ = "0.1.0"
