"""One DuckDB session per command: a chart build, a deck or a report runs every query, side
query and key figure on one connection, so the views, views.sql and the lock-down run once.

A `Session` goes wherever a data folder does (`query(name, session)`), so code that runs queries
shares it without a parameter of its own; given a folder instead, a function opens a session and
closes it. The figure tables' publications (a `Vintage`) are macros, swapped in place when a
query asks for other publications than the last one did.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import duckdb

    from analytics.sql.resource_limits import Limits
    from analytics.store.vintages import Vintage


class Session:
    """An open, sandboxed connection over one data folder; its opener closes it."""

    def __init__(self, data_dir: Path, connection: duckdb.DuckDBPyConnection, vintage: Vintage) -> None:
        self.data_dir = data_dir
        self._connection, self._vintage = connection, vintage

    def connection(self, vintage: Vintage | None = None) -> duckdb.DuckDBPyConnection:
        """The connection, its figure tables showing `vintage`'s publications (None: each
        period's latest), as `connect(vintage=...)` would have made them."""
        from analytics.store.vintages import Vintage, table_macros

        wanted = vintage or Vintage()
        if wanted != self._vintage:
            for statement in table_macros(wanted):
                self._connection.execute(statement.replace("CREATE MACRO", "CREATE OR REPLACE MACRO", 1))
            self._vintage = wanted
        return self._connection

    def close(self) -> None:
        self._connection.close()


#: Where queries read: a data folder (None: resolved from the environment) or an open session.
DataSource: TypeAlias = "Path | str | Session | None"


@contextlib.contextmanager
def session(
    source: DataSource = None, limits: Limits | None = None, vintage: Vintage | None = None
) -> Iterator[Session]:
    """`source` itself when it is a session (left open for its opener), else a new session
    over that data folder, closed on exit; `limits` (memory) and `vintage` apply to a new one."""
    if isinstance(source, Session):
        yield source
        return
    from analytics.project import data_dir as resolve_data_dir
    from analytics.sql.engine import connect
    from analytics.store.vintages import Vintage

    folder = resolve_data_dir(source)
    opened = Session(folder, connect(folder, limits=limits, vintage=vintage), vintage or Vintage())
    try:
        yield opened
    finally:
        opened.close()


def data_folder(source: DataSource) -> Path:
    """The data folder a source reads: a session's, else the folder resolved as every command
    resolves it."""
    from analytics.project import data_dir as resolve_data_dir

    return source.data_dir if isinstance(source, Session) else resolve_data_dir(source)
