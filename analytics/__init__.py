"""analytics: how much of a company's revenue depends on one strategic partner.

The public Python API mirrors the CLI and returns polars DataFrames. Importing this package is
cheap: DuckDB, polars and Altair load only when a function needs them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

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
_HOMES = {"ledger": "analytics.ledger", **dict.fromkeys(
    ("check", "delete", "export_database", "ingest", "list_queries", "query", "sql", "tables",
     "validate"), "analytics.api"), **dict.fromkeys(("build_charts", "chart", "deck", "report"),
                                                    "analytics.publish.notebook")}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'analytics' has no attribute {name!r}")
    module = importlib.import_module(_HOMES[name])
    value = module if name == "ledger" else getattr(module, name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """`analytics.sql` names the function, never the subpackage of the same name (importing a
    submodule of `analytics.sql` would otherwise rebind the attribute to the subpackage)."""

    @property
    def sql(self) -> Any:
        return __getattr__("sql")

    @sql.setter
    def sql(self, _subpackage: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package

__all__ = ["build_charts", "chart", "check", "deck", "delete", "export_database", "ingest", "ledger",
           "list_queries", "query", "report", "sql", "tables", "validate"]
__version__ = "0.1.0"
