"""What the rollup needs from an engine, and how one is chosen by name.

An engine reads the ledger as a view named `ledger`, describes its columns in DuckDB's type
names, and runs the definition's SQL (written in DuckDB's dialect) into a small Arrow table.
Only the engine modules import DuckDB or PySpark, and only when opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from analytics.errors import InputError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from analytics.sql.sandbox import Limits

ENGINES = ("duckdb", "spark")


class LedgerEngine(Protocol):
    """An open ledger: `ledger` is a view the definition's SQL reads."""

    name: str
    label: str  # the ledger as the user named it, for messages and sources
    file_column: str  # SQL naming the file a row came from
    partitioned_by_year: bool  # Hive partitions year=2019/: --since reads only those needed
    partitions_listed: bool  # the view holds only the partitions --since needs: no filter
    id_bitmap_bits: int  # the widest range of integer ids it counts in a bitmap; 0: none

    def columns(self) -> dict[str, str]:
        """Column name (lower case) -> DuckDB type name (`DECIMAL(18,2)`, `TIMESTAMP`, ...)."""
        ...

    def aggregate(self, sql: str, params: dict[str, Any]) -> pa.Table:
        """Run the aggregate (DuckDB dialect, `$name` parameters) into an Arrow table of
        AGGREGATE_COLUMNS."""
        ...

    def aggregate_into(self, db: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
        """Run the aggregate into `db`'s table AGGREGATE_TABLE, typed as AGGREGATE_COLUMNS."""
        ...

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Run a small definition query into Python rows."""
        ...


def arrow_schema(columns: tuple[tuple[str, str], ...]) -> pa.Schema:
    """The Arrow schema of columns typed DATE, VARCHAR, BIGINT or DECIMAL(38,2)."""
    import pyarrow as pa

    types = {
        "DATE": pa.date32(),
        "VARCHAR": pa.string(),
        "BIGINT": pa.int64(),
        "DECIMAL(38,2)": pa.decimal128(38, 2),
    }
    return pa.schema([(name, types[sql_type]) for name, sql_type in columns])


@contextmanager
def open_engine(
    name: str,
    ledger: str,
    limits: Limits,
    spark_master: str | None = None,
    db: duckdb.DuckDBPyConnection | None = None,
    since_year: int | None = None,
) -> Iterator[LedgerEngine]:
    """Open the ledger on the named engine; closed (and its temp files removed) on exit.

    DuckDB opens it on `db`, the rollup's own connection, when given: one scan of the ledger
    feeds the aggregate table the checks and facts read, with no copy out of DuckDB. With
    `since_year` its view lists only the year= partitions from that year on."""
    if name == "duckdb":
        from analytics.ledger.duckdb_engine import DuckDBLedger

        with DuckDBLedger(ledger, limits, db, since_year) as duck:
            yield duck
    elif name == "spark":
        from analytics.ledger.spark_engine import SparkLedger

        with SparkLedger(ledger, spark_master) as spark:
            yield spark
    else:
        raise InputError(f"--engine {name}: choose one of {', '.join(ENGINES)}")
