"""The one door every SQL statement passes: what it may do, how long and how much memory.

Named queries, ad hoc SQL and charts all run through `run` or `stream`, which check the statement
(statement_check.py: exactly one plain SELECT, no refused function) and count its time against
the limits (resource_limits.py, deadline.py), so neither check can be skipped. Those modules'
names are re-exported here, where the rest of the package has always found them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, SandboxRefusal
from analytics.sql.batches import BATCH_ROWS, Batches
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

__all__ = [
    "BATCH_ROWS",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIMEOUT_SECONDS",
    "GRACE_SECONDS",
    "MAX_TIMEOUT_SECONDS",
    "MEMORY_LIMIT_ENV",
    "REFUSED_CALLS",
    "REFUSED_FUNCTIONS",
    "SPILL_FACTOR",
    "WRITE_MEMORY_LIMIT",
    "WRITE_SPILL_FACTOR",
    "Limits",
    "check_memory_limit",
    "check_statement",
    "check_timeout",
    "first_line",
    "refused_function",
    "run",
    "sql_literal",
    "stream",
]


def sql_literal(text: str) -> str:
    """A DuckDB string literal (standard SQL: quotes doubled, no backslash escapes), for the
    paths and names the tool itself puts into SQL; values from users are bound parameters."""
    return "'" + text.replace("'", "''") + "'"


def run(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | None = None,
    limits: Limits | None = None,
) -> pl.DataFrame:
    """Check and run one SELECT into a polars frame, within the limits."""
    import polars as pl
    import pyarrow as pa

    with stream(connection, sql, params, limits, plain_types=False) as batches:
        table = pa.Table.from_batches(list(batches), schema=batches.schema)
    return pl.DataFrame(pl.from_arrow(table))


@contextmanager
def stream(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | None = None,
    limits: Limits | None = None,
    plain_types: bool = True,
) -> Iterator[Batches]:
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
        yield Batches(connection, sql, params or None, deadline, plain_types)
    except duckdb.InterruptException:
        raise QueryError(f"Query timed out after {limits.timeout:g} s (--timeout)") from None
    except duckdb.OutOfMemoryException:
        raise QueryError(
            f"Query needs more than the memory limit of {limits.memory_limit} "
            f"(--memory-limit or ${MEMORY_LIMIT_ENV})"
        ) from None
    except duckdb.PermissionException:
        raise SandboxRefusal(
            "Refused: SQL here may only read the tables in the data folder, not other files"
        ) from None
    except duckdb.Error as error:
        raise QueryError(first_line(error)) from None
    finally:
        deadline.stop()
