"""DuckDB connections: a view per table over its Parquet files, helper views, then lock-down.

Every read goes through `connect`, so analysts' SQL, named queries and charts see the same
tables with the same rules. The lock-down order matters: allow-list the data folder, create
the views, then turn external access off and lock the configuration. Besides a view per table,
each table gets a macro `<table>_of(company)` that opens only that company's partition file:
a view over the glob lists every company's folder each time a query names it.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.errors import InputError
from analytics.project import DATA_DIR_ENV
from analytics.project import data_dir as resolve_data_dir
from analytics.sql import vocabulary
from analytics.sql.sandbox import Limits, sql_literal
from analytics.store import derive, parquet, vintages
from analytics.store.schema import TABLES, VINTAGE_TABLES

if TYPE_CHECKING:
    import duckdb


def stored_view(name: str) -> str:
    """The view of every stored row of a table: `<table>_vintages` for a figure table (every
    publication of every figure; views.sql makes `<table>` what each period shows), else the
    table's own name."""
    return f"{name}_vintages" if name in VINTAGE_TABLES else name


def table_view_sql(folder: Path, name: str) -> str:
    """A view over the table's partition files (or its one file in the flat layout), or an empty
    typed view when nothing is stored. The company comes from the folder name (Hive), so a
    filter on it skips other companies' files without opening them."""
    legacy = parquet.legacy_path(folder, name)
    view = stored_view(name)
    if legacy.exists():
        source = f"read_parquet({sql_literal(str(legacy))})"
        return f"CREATE VIEW {view} AS {parquet.typed_rows_sql(name, source)}"
    if parquet.has_rows(folder, name):
        glob = sql_literal(parquet.table_glob(folder, name))
        return f"CREATE VIEW {view} AS {parquet.typed_rows_sql(name, _hive_read(glob))}"
    return f"CREATE VIEW {view} AS {parquet.no_rows_sql(name)}"


def _hive_read(path_sql: str, *options: str) -> str:
    """read_parquet with the company from the folder name, so a filter on it skips files; files
    written before a column existed read it as missing (then its default)."""
    return (
        f"read_parquet({path_sql}, hive_partitioning = true, union_by_name = true, "
        f"hive_types = {{'company': VARCHAR}}{''.join(', ' + o for o in options)})"
    )


#: parquet.partition_name in SQL: `company=` and the name's UTF-8 bytes, all but ASCII letters,
#: digits and `-` percent-encoded. url_encode keeps `_.~` too (RFC 3986), so those are encoded
#: after it; a test holds the two equal on arbitrary names.
PARTITION_NAME_MACRO = (
    f"CREATE MACRO partition_name(name) AS '{parquet.PARTITION_PREFIX}' || "
    "replace(replace(replace(url_encode(name), '_', '%5F'), '.', '%2E'), '~', '%7E')"
)


#: Set while `connect` creates the views: the `_of` macros then read no file, so creating a view
#: (DuckDB binds it once, to learn its columns) lists no company's folder. Unset, they read.
CREATING_VIEWS = "analytics_creating_views"


def company_rows_sql(folder: Path | None, name: str) -> str:
    """`CREATE MACRO <stored view>_of(which_company)`: one company's stored rows of a table, or
    with NULL every company's. With `folder` it opens that company's partition file alone (no
    file: no rows) and NULL reads the glob; without (a database export, the flat layout) it
    filters the stored view."""
    view = stored_view(name)
    macro = f"CREATE MACRO {view}_of(which_company) AS TABLE "
    if folder is None:
        return macro + f"FROM {view} WHERE which_company IS NULL OR company = which_company"
    company_file = (
        f"{sql_literal(str(folder / name) + '/')} || partition_name(which_company)"
        f" || '/{parquet.PARTITION_FILE}'"
    )
    files = (
        f"CASE WHEN which_company IS NOT NULL THEN [{company_file}] "
        f"WHEN getvariable('{CREATING_VIEWS}') THEN []::VARCHAR[] "
        f"ELSE [{sql_literal(parquet.table_glob(folder, name))}] END"
    )
    return macro + parquet.typed_rows_sql(name, _hive_read(files, "allow_empty = true"))


def helper_views_sql(folder: Path | None = None, vintage: vintages.Vintage | None = None) -> str:
    """The macros `<stored view>_of(company)` and the vocabulary's (`third_party_class()`, ...:
    sql/vocabulary.py), then views.sql, whose rules read through them.

    With `folder`, the macros read its partition files and the stored views are created here as
    `FROM <stored view>_of(NULL)`; without, the macros filter the views the caller made
    (`table_view_sql`, as a database export does). The figure tables' `<table>_of` show the
    publications of `vintage` (default: each period's latest).
    """
    from analytics.sql.period_dates import calendar_sql

    sources = [
        PARTITION_NAME_MACRO,
        derive.derived_by_tool_sql(),
        vintages.PUBLISHED_ON_MACRO,
        vintages.FISCAL_YEAR_MACRO,
        *vocabulary.macros_sql(),
        *calendar_sql(),
        *(company_rows_sql(folder, name) for name in TABLES),
    ]
    if folder is not None:
        sources += [
            f"CREATE VIEW {stored_view(name)} AS FROM {stored_view(name)}_of(NULL)" for name in TABLES
        ]
    sources += vintages.table_macros(vintage or vintages.Vintage())
    rules = (Path(__file__).parent / "views.sql").read_text(encoding="utf-8")
    return ";\n".join(sources) + ";\n" + rules


def connect(
    data_dir: Path | str | None = None,
    sandboxed: bool = True,
    limits: Limits | None = None,
    vintage: vintages.Vintage | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the tables as views, a memory limit and a private spill folder;
    sandboxed: read-only to the data folder. The figure tables show `vintage`'s publications
    (default: each period's latest; see vintages.py)."""
    import duckdb

    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        raise InputError(f"data folder {folder} does not exist (check --data-dir or ${DATA_DIR_ENV})")
    parquet.recover(folder)
    limits = limits or Limits.from_environment()
    connection = duckdb.connect(":memory:")
    _limit_resources(connection, limits)
    if sandboxed:
        connection.execute(f"SET allowed_directories = [{sql_literal(str(folder) + '/')}]")
    _create_views(connection, folder, vintage)
    if sandboxed:
        connection.execute("SET enable_external_access = false")
        connection.execute("SET autoinstall_known_extensions = false")
        connection.execute("SET autoload_known_extensions = false")
        connection.execute("SET lock_configuration = true")
    return connection


def _create_views(
    connection: duckdb.DuckDBPyConnection, folder: Path, vintage: vintages.Vintage | None
) -> None:
    """The table views and the helpers: over the partition files directly when this DuckDB can
    read a missing file as no rows; else (and for the flat layout) filtering globbed views."""
    direct = _reads_missing_files_as_empty(connection) and not any(
        parquet.legacy_path(folder, name).exists() for name in TABLES
    )
    if not direct:
        for name in TABLES:
            connection.execute(table_view_sql(folder, name))
    connection.execute(f"SET VARIABLE {CREATING_VIEWS} = true")
    for statement in connection.extract_statements(helper_views_sql(folder if direct else None, vintage)):
        connection.execute(statement)
    connection.execute(f"RESET VARIABLE {CREATING_VIEWS}")


def _reads_missing_files_as_empty(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether this DuckDB reads a missing file as no rows (`allow_empty`, DuckDB 2.0)."""
    import duckdb

    try:
        connection.execute("SELECT * FROM read_parquet([], allow_empty = true)")
    except duckdb.BinderException:
        return False
    return True


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
    connection.execute(f"SET temp_directory = {sql_literal(str(spill))}")
    connection.execute(f"SET memory_limit = {sql_literal(limits.memory_limit)}")
    connection.execute(f"SET max_temp_directory_size = {sql_literal(limits.spill_limit)}")
