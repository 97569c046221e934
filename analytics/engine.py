"""DuckDB connections: a view per table over data/*.parquet, helper views, then lock-down.

Every read goes through `connect`, so analysts' SQL, named queries and charts see the same
tables with the same rules. The lock-down order matters: allow-list the data folder, create
the views, then turn external access off and lock the configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analytics import store
from analytics.errors import InputError
from analytics.project import DATA_DIR_ENV
from analytics.project import data_dir as resolve_data_dir
from analytics.schema import TABLES

if TYPE_CHECKING:
    import duckdb


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_view_sql(folder: Path, name: str) -> str:
    """A view over the table's Parquet file, or an empty typed view when there is none."""
    table = TABLES[name]
    path = store.table_path(folder, name)
    if path.exists():
        return f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_literal(str(path))})"
    columns = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in table.columns)
    return f"CREATE VIEW {name} AS SELECT {columns} WHERE false"


def helper_views_sql() -> str:
    return (Path(__file__).parent / "views.sql").read_text(encoding="utf-8")


def connect(data_dir: Path | str | None = None, sandboxed: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the tables as views; sandboxed: read-only to the data folder."""
    import duckdb

    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        raise InputError(f"data folder {folder} does not exist (check --data-dir or "
                         f"${DATA_DIR_ENV})")
    connection = duckdb.connect(":memory:")
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
