"""The data folder as one DuckDB database file that other SQL tools open as they are.

Tables are copied in; the helper views and macros of views.sql come along; every named query
becomes a view in schema `queries` whose parameters are DuckDB variables with the query's
defaults (`SET VARIABLE company = 'Weibo'; FROM queries.partner_dependence;`).
"""

from __future__ import annotations

from pathlib import Path

from analytics.sql import queries
from analytics.sql.engine import helper_views_sql, stored_view, table_view_sql
from analytics.sql.sandbox import sql_literal
from analytics.store.schema import TABLES

QUERY_SCHEMA = "queries"


def write_database(target: Path, data_dir: Path) -> None:
    """Create the database file at `target` (which must not exist yet)."""
    import duckdb

    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as database:
        for name in TABLES:
            view = stored_view(name)
            database.execute(
                table_view_sql(data_dir, name).replace(f"CREATE VIEW {view} AS", f"CREATE TABLE {view} AS", 1)
            )
        for statement in database.extract_statements(helper_views_sql()):
            database.execute(statement)
        database.execute(f"CREATE SCHEMA {QUERY_SCHEMA}")
        for path in queries.discover().values():
            named = _runnable(database, path)
            if named is not None:
                database.execute(query_view_sql(named))


def _runnable(database: object, path: Path) -> queries.NamedQuery | None:
    """The named query, or None when the sandbox would refuse it (it is left out)."""
    from analytics.errors import QueryError

    try:
        return queries.parse_checked(path, database)
    except QueryError:
        return None


def query_view_sql(named: queries.NamedQuery) -> str:
    """`CREATE VIEW queries.<name>` with each `$param` read from a variable or its default."""
    body = named.sql_with_variables()
    settable = ", ".join(f"{p.name} (default {p.default_literal})" for p in named.parameters)
    comment = f"{named.description} Parameters (SET VARIABLE name = value): {settable}"
    view = f'{QUERY_SCHEMA}."{named.name}"'
    return f"CREATE VIEW {view} AS\n{body};\nCOMMENT ON VIEW {view} IS {sql_literal(comment)}"
