"""The Python API: what the CLI does, as functions that return polars frames or paths.

`analytics.query("partner_dependence", company="Weibo", partner="Alibaba")` is the same as
`analytics query run partner_dependence --param company=Weibo --param partner=Alibaba`.
Re-exports only: each function lives in the stage package it belongs to (`analytics.sql`,
`analytics.store`), and none of them imports DuckDB, polars or Altair until it is called.
"""

from __future__ import annotations

from analytics.sql.catalogue import CatalogueEntry, list_queries, query_catalogue, tables
from analytics.sql.run import query, query_batches, run_query, sql, sql_batches
from analytics.sql.session import Session, session
from analytics.store.operations import (
    ValidationReport,
    check,
    delete,
    export_database,
    ingest,
    validate,
)

__all__ = [
    "CatalogueEntry",
    "Session",
    "ValidationReport",
    "check",
    "delete",
    "export_database",
    "ingest",
    "list_queries",
    "query",
    "query_batches",
    "query_catalogue",
    "run_query",
    "session",
    "sql",
    "sql_batches",
    "tables",
    "validate",
]
