"""What an analyst can query: every table and column (`analytics tables`) and every named query
with its parameters and whether it would run (`analytics query list`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.errors import QueryError
from analytics.sql import queries

if TYPE_CHECKING:
    import duckdb
    import polars as pl


@dataclass(frozen=True)
class CatalogueEntry:
    """A named query as `query list` shows it: parameters as (signature, meaning) pairs."""

    name: str
    description: str
    parameters: list[tuple[str, str]]
    file: Path
    status: str


def list_queries() -> pl.DataFrame:
    """Every named query: name, description, parameters with types and defaults, file, and
    `status`: `ok`, or `invalid: <why>` for a file that would be refused when run."""
    import polars as pl

    rows = [
        {
            "name": entry.name,
            "description": entry.description,
            "parameters": ", ".join(signature for signature, _ in entry.parameters),
            "file": str(entry.file),
            "status": entry.status,
        }
        for entry in query_catalogue()
    ]
    return pl.DataFrame(rows, schema=["name", "description", "parameters", "file", "status"])


def query_catalogue() -> list[CatalogueEntry]:
    """Every named query file, parsed and checked by the sandbox (without running it)."""
    import duckdb

    checker = duckdb.connect(":memory:")
    try:
        return [_catalogue_entry(checker, name, path) for name, path in queries.discover().items()]
    finally:
        checker.close()


def _catalogue_entry(checker: duckdb.DuckDBPyConnection, name: str, path: Path) -> CatalogueEntry:
    try:
        named = queries.parse_checked(path, checker)
    except QueryError as error:
        return CatalogueEntry(name, "", [], path, f"invalid: {error}")
    return CatalogueEntry(
        name, named.description, [(p.signature, p.doc) for p in named.parameters], path, "ok"
    )


def tables() -> pl.DataFrame:
    """Every table and column with its type and meaning (the schema analysts write SQL against)."""
    import polars as pl

    from analytics.store.schema import TABLES

    return pl.DataFrame(
        [
            {"table": t.name, "column": c.name, "type": c.sql_type, "description": c.description}
            for t in TABLES.values()
            for c in t.columns
        ]
    )
