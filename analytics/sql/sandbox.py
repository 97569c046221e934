"""The one door every SQL statement passes: what it may do, how long and how much memory.

Named queries, ad hoc SQL and charts all run through `run` or `stream`, which check the statement
(statement_check.py: exactly one plain SELECT, no refused function) and count its time against
the limits (resource_limits.py, deadline.py), so neither check can be skipped. Those modules'
names are re-exported here, where the rest of the package has always found them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, SandboxRefusal
from analytics.sql.deadline import GRACE_SECONDS, Deadline
from analytics.sql.resource_limits import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
    MEMORY_LIMIT_ENV,
    SPILL_FACTOR,
    WRITE_MEMORY_LIMIT,
    WRITE_SPILL_FACTOR,
    Limits,
    check_memory_limit,
    check_timeout,
)
from analytics.sql.statement_check import (
    REFUSED_CALLS,
    REFUSED_FUNCTIONS,
    check_statement,
    first_line,
    refused_function,
)

if TYPE_CHECKING:
    import duckdb
    import polars as pl
    import pyarrow as pa

__all__ = [
    "BATCH_ROWS", "DEFAULT_MEMORY_LIMIT", "DEFAULT_TIMEOUT_SECONDS", "GRACE_SECONDS",
    "MAX_TIMEOUT_SECONDS", "MEMORY_LIMIT_ENV", "REFUSED_CALLS", "REFUSED_FUNCTIONS",
    "SPILL_FACTOR", "WRITE_MEMORY_LIMIT", "WRITE_SPILL_FACTOR", "Limits", "check_memory_limit",
    "check_statement", "check_timeout", "first_line", "refused_function", "run", "sql_literal",
    "stream",
]

BATCH_ROWS = 65_536


def sql_literal(text: str) -> str:
    """A DuckDB string literal (standard SQL: quotes doubled, no backslash escapes), for the
    paths and names the tool itself puts into SQL; values from users are bound parameters."""
    return "'" + text.replace("'", "''") + "'"


def run(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None,
        limits: Limits | None = None) -> pl.DataFrame:
    """Check and run one SELECT into a polars frame, within the limits."""
    import polars as pl
    import pyarrow as pa

    with stream(connection, sql, params, limits, plain_types=False) as batches:
        table = pa.Table.from_batches(list(batches), schema=batches.schema)
    return pl.DataFrame(pl.from_arrow(table))


class _Batches:
    """A running query's result, as Arrow record batches (iterate; `schema`) or, when small, as
    plain rows (`small_rows`). The Arrow reader is made on first use, so a caller that reads
    rows never imports pyarrow. Time outside DuckDB is not counted against the deadline."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation,
                 params: dict[str, Any] | None, deadline: Deadline,
                 source_types: dict[str, str]) -> None:
        self._connection, self._relation, self._params = connection, relation, params
        self._deadline = deadline
        self._reader: pa.RecordBatchReader | None = None
        #: Column names and DuckDB types as delivered (after any cast to text).
        self.names: list[str] = list(relation.columns)
        self.types: list[str] = [str(t) for t in relation.types]
        #: Each column's DuckDB type before any cast to text (Excel turns dates back to dates).
        self.source_types = source_types

    @property
    def schema(self) -> pa.Schema:
        return self._arrow().schema

    def _arrow(self) -> pa.RecordBatchReader:
        if self._reader is None:
            with self._deadline.counting():
                self._reader = self._relation.to_arrow_reader(BATCH_ROWS)
        return self._reader

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return self

    def __next__(self) -> pa.RecordBatch:
        reader = self._arrow()
        with self._deadline.counting():
            return reader.read_next_batch()

    def small_rows(self, most: int) -> list[tuple[Any, ...]] | None:
        """The whole result as tuples of DuckDB's Python values (no pyarrow) when it has at
        most `most` rows; None when it has more, to be read as Arrow batches instead (formatted
        in bulk; the query then runs again, streaming, so memory stays bounded)."""
        with self._deadline.counting():
            cursor = self._connection.execute(self._relation.sql_query(), self._params)
            probe = cursor.fetchmany(most + 1)
        if len(probe) <= most:
            return probe
        self._connection.abort()  # the rest streams as Arrow, in a run of its own
        return None


@contextmanager
def stream(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None,
           limits: Limits | None = None, plain_types: bool = True) -> Iterator[_Batches]:
    """Check and run one SELECT, yielding its result as Arrow batches or plain rows (memory
    stays bounded).

    `plain_types` casts every column that is not a number, boolean or text to text, so any
    format can show it (intervals, unions, nested types, infinite dates); otherwise only types
    Arrow consumers cannot take are cast.
    """
    import duckdb

    limits = limits or Limits()
    deadline = Deadline(connection, limits)
    try:
        with deadline.counting():
            check_statement(connection, sql)
            relation = connection.sql(sql, params=params or None)
            source_types = {n: str(t) for n, t in zip(relation.columns, relation.types,
                                                      strict=True)}
            readable = _readable(relation, plain_types)
        yield _Batches(connection, readable, params or None, deadline, source_types)
    except duckdb.InterruptException:
        raise QueryError(f"Query timed out after {limits.timeout:g} s (--timeout)") from None
    except duckdb.OutOfMemoryException:
        raise QueryError(f"Query needs more than the memory limit of {limits.memory_limit} "
                         f"(--memory-limit or ${MEMORY_LIMIT_ENV})") from None
    except duckdb.PermissionException:
        raise SandboxRefusal(
            "Refused: SQL here may only read the tables in the data folder, not other files"
        ) from None
    except duckdb.Error as error:
        raise QueryError(first_line(error)) from None
    finally:
        deadline.stop()


_PLAIN = re.compile(r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|"
                    r"UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|VARCHAR)$")
_ARROW_UNSAFE = re.compile(r"UNION|BIGNUM|VARINT|BIT|TIME WITH TIME ZONE|INTERVAL")


def _readable(relation: duckdb.DuckDBPyRelation, plain_types: bool) -> duckdb.DuckDBPyRelation:
    casts = []
    for name, column_type in zip(relation.columns, relation.types, strict=True):
        text = str(column_type)
        needs_cast = not _PLAIN.match(text) if plain_types else _ARROW_UNSAFE.search(text)
        if needs_cast:
            casts.append(name)
    if not casts:
        return relation
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in relation.columns}
    return relation.project(", ".join(
        f"CAST({quoted[n]} AS VARCHAR) AS {quoted[n]}" if n in casts else quoted[n]
        for n in relation.columns))
