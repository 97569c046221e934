"""The rollup's own DuckDB: memory-limited, spilling to a private folder, and opening only the
stored tables a rollup reads, for its one company.

`sql.engine.connect` makes a view of every table and every rule of views.sql, a tenth of a
second a rollup has no use for: it reads the company's calendar (`companies`), its payers
(`counterparties`) and its stored figures (`revenue` and `reported_totals`, for their currency
and the facts an earlier rollup wrote). Those come through the engine's own one-company macros
(`<table>_of(company)`, with the default publications), so the rules for reading stored rows stay
in one place. A data folder still in the flat layout (before partitioning) gets the full session.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.errors import InputError
from analytics.sql.sandbox import Limits, sql_literal

if TYPE_CHECKING:
    import duckdb

#: The stored tables a rollup reads, as `<table>_of(company)`. `disclosed_shares` is not read,
#: but the publications' macros (vintages.table_macros) are made for every figure table.
READ_TABLES = ("companies", "counterparties", "revenue", "reported_totals", "disclosed_shares")


def limit(connection: duckdb.DuckDBPyConnection, limits: Limits) -> Path:
    """Set the memory limit and a spill folder of its own (returned: the caller removes it), so
    a ledger past memory aggregates out of core within the limit."""
    spill = Path(tempfile.mkdtemp(prefix="analytics-ledger-duckdb-"))
    try:
        for setting, value in (
            ("memory_limit", limits.memory_limit),
            ("max_temp_directory_size", limits.spill_limit),
            ("temp_directory", str(spill)),
        ):
            connection.execute(f"SET {setting} = {sql_literal(value)}")
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise
    return spill


@contextmanager
def rollup_session(folder: Path, limits: Limits) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB with the macros `<table>_of(company)` of READ_TABLES over `folder`; closed, and
    its spill folder removed, on exit."""
    import duckdb

    from analytics.store import parquet

    if not folder.is_dir():
        from analytics.project import DATA_DIR_ENV

        raise InputError(f"data folder {folder} does not exist (check --data-dir or ${DATA_DIR_ENV})")
    if any(parquet.legacy_path(folder, name).exists() for name in READ_TABLES):
        with _full_session(folder, limits) as full:
            yield full
        return
    parquet.recover(folder)
    connection = duckdb.connect(":memory:")
    spill = None
    try:
        spill = limit(connection, limits)
        for statement in _macros_sql(folder):
            connection.execute(statement)
        yield connection
    finally:
        connection.close()
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)


def _macros_sql(folder: Path) -> list[str]:
    """The engine's one-company macros of READ_TABLES, then the default publications' macros."""
    from analytics.sql.engine import PARTITION_NAME_MACRO, company_rows_sql
    from analytics.store import vintages

    return [
        PARTITION_NAME_MACRO,
        *(company_rows_sql(folder, name) for name in READ_TABLES),
        *vintages.table_macros(vintages.Vintage()),
    ]


@contextmanager
def _full_session(folder: Path, limits: Limits) -> Iterator[duckdb.DuckDBPyConnection]:
    from analytics.sql.engine import connect

    connection = connect(folder, sandboxed=False, limits=limits)
    try:
        yield connection
    finally:
        connection.close()
