"""DuckDB connections: a view per table over its Parquet files, helper views, then lock-down.

Every read goes through `connect`, so analysts' SQL, named queries and charts see the same
tables with the same rules. The lock-down order matters: allow-list the data folder, create
the views, then turn external access off and lock the configuration.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import store
from analytics.errors import InputError
from analytics.project import DATA_DIR_ENV
from analytics.project import data_dir as resolve_data_dir
from analytics.sandbox import Limits
from analytics.schema import TABLES

if TYPE_CHECKING:
    import duckdb


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_view_sql(folder: Path, name: str) -> str:
    """A view over the table's partition files (or its one file in the flat layout), or an empty
    typed view when nothing is stored. The company comes from the folder name (Hive), so a
    filter on it skips other companies' files without opening them."""
    table = TABLES[name]
    columns = ", ".join(c.name for c in table.columns)
    legacy = store.legacy_path(folder, name)
    if legacy.exists():
        return (f"CREATE VIEW {name} AS SELECT {columns} "
                f"FROM read_parquet({_sql_literal(str(legacy))})")
    if store.has_rows(folder, name):
        return (f"CREATE VIEW {name} AS SELECT {columns} FROM read_parquet("
                f"{_sql_literal(store.table_glob(folder, name))}, hive_partitioning = true, "
                "hive_types = {'company': VARCHAR})")
    typed = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in table.columns)
    return f"CREATE VIEW {name} AS SELECT {typed} WHERE false"


def helper_views_sql() -> str:
    return (Path(__file__).parent / "views.sql").read_text(encoding="utf-8")


def connect(data_dir: Path | str | None = None, sandboxed: bool = True,
            limits: Limits | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the tables as views, a memory limit and a private spill folder;
    sandboxed: read-only to the data folder."""
    import duckdb

    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        raise InputError(f"data folder {folder} does not exist (check --data-dir or "
                         f"${DATA_DIR_ENV})")
    store.recover(folder)
    limits = limits or Limits.from_environment()
    connection = duckdb.connect(":memory:")
    _limit_resources(connection, limits)
    if sandboxed:
        connection.execute(f"SET allowed_directories = [{_sql_literal(str(folder) + '/')}]")
    for name in TABLES:
        connection.execute(table_view_sql(folder, name))
    for statement in connection.extract_statements(helper_views_sql()):
        connection.execute(statement)
    if sandboxed:
        connection.execute("SET enable_external_access = false")
        connection.execute("SET autoinstall_known_extensions = false")
        connection.execute("SET autoload_known_extensions = false")
        connection.execute("SET lock_configuration = true")
    return connection


@functools.cache
def _spill_root() -> Path:
    """One 0700 folder per process for every connection's spill folder, removed at exit."""
    root = Path(tempfile.mkdtemp(prefix="analytics-duckdb-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def _limit_resources(connection: duckdb.DuckDBPyConnection, limits: Limits) -> None:
    """Memory limit, and spilling capped and kept in a folder private to this process.

    DuckDB allow-lists its temp folder (by default `<cwd>/.tmp/`, readable by any query), so it
    must be a fresh 0700 folder that nobody else's files are in.
    """
    spill = Path(tempfile.mkdtemp(prefix="connection-", dir=_spill_root()))
    connection.execute(f"SET temp_directory = {_sql_literal(str(spill))}")
    connection.execute(f"SET memory_limit = {_sql_literal(limits.memory_limit)}")
    connection.execute(f"SET max_temp_directory_size = {_sql_literal(limits.spill_limit)}")
