"""What ad hoc SQL may not do, and the timeout every query runs under.

DuckDB's settings stop reads outside the data folder, but not `COPY ... TO` into it, so the
statement itself is checked too: exactly one plain SELECT (MEASURED.md, "Sandboxing").
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, SandboxRefusal

if TYPE_CHECKING:
    import duckdb
    import polars as pl

DEFAULT_TIMEOUT_SECONDS = 60.0
_REFUSED = {
    "COPY": "writing files (COPY ... TO) is not allowed",
    "EXPORT": "writing files (EXPORT DATABASE) is not allowed",
    "ATTACH": "attaching databases is not allowed",
    "DETACH": "detaching databases is not allowed",
    "LOAD": "installing or loading extensions is not allowed",
    "SET": "changing settings is not allowed",
    "VARIABLE_SET": "changing settings is not allowed",
    "PRAGMA": "PRAGMA statements are not allowed",
}


def check_statement(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but exactly one read-only SELECT, with a one-line reason."""
    import duckdb

    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryError(_first_line(error)) from None
    if len(statements) != 1:
        raise SandboxRefusal(f"Refused: one statement per call (got {len(statements)})")
    kind = statements[0].type.name
    if kind != "SELECT":
        reason = _REFUSED.get(kind, f"{kind} statements are not allowed")
        raise SandboxRefusal(f"Refused: {reason}; ad hoc SQL may only SELECT from the tables")


def run(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS) -> pl.DataFrame:
    """Run one SELECT into a polars frame, interrupting it after `timeout` seconds."""
    import duckdb

    timer = threading.Timer(timeout, connection.interrupt)
    timer.daemon = True
    timer.start()
    try:
        return connection.sql(sql, params=params or None).pl()
    except duckdb.InterruptException:
        raise QueryError(f"Query timed out after {timeout:g} s") from None
    except duckdb.PermissionException:
        raise SandboxRefusal(
            "Refused: ad hoc SQL may only read the tables in the data folder, not other files"
        ) from None
    except duckdb.Error as error:
        raise QueryError(_first_line(error)) from None
    finally:
        timer.cancel()
        if timer.is_alive():
            timer.join()


def _first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
