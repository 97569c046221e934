"""Running named queries and ad hoc SQL: the functions behind `analytics.query` and
`analytics.sql`, and the streaming forms the CLI writes from.

Every statement passes the sandbox (`sandbox.run`/`sandbox.stream`) on a session's connection: a
command's own session when one is given as `data_dir` (a deck's every query shares it), else
one opened for this query alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.sql import queries, sandbox
from analytics.sql.session import DataSource, Session, session
from analytics.store.vintages import Vintage

if TYPE_CHECKING:
    import polars as pl


def query(
    name: str,
    /,
    data_dir: DataSource = None,
    timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS,
    memory_limit: str | None = None,
    **params: Any,
) -> pl.DataFrame:
    """Run a named query with bound parameters (defaults from its header). `data_dir` is a
    data folder (None: the project's, or $ANALYTICS_DATA_DIR) or an open session to run on."""
    return run_query(name, params, data_dir, sandbox.Limits.from_environment(timeout, memory_limit))


def run_query(
    name: str, params: dict[str, Any], data_dir: DataSource = None, limits: sandbox.Limits | None = None
) -> pl.DataFrame:
    """`query` with parameters as a dict, so any parameter name is allowed."""
    named = queries.load(name)
    bound = named.bind(params)
    with session(data_dir, limits, Vintage.from_params(bound)) as opened:
        connection, values = _on_session(named, bound, opened)
        return sandbox.run(connection, named.sql, values, limits)


def sql(
    text: str,
    data_dir: DataSource = None,
    timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS,
    memory_limit: str | None = None,
    basis: str | None = None,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Run one ad hoc SELECT in the sandbox: tables readable, nothing writable. The figure
    tables show each period's latest publication, or those on `basis`, published by `as_of`."""
    limits = sandbox.Limits.from_environment(timeout, memory_limit)
    vintage = Vintage(basis, as_of)
    with session(data_dir, limits, vintage) as opened:
        return sandbox.run(opened.connection(vintage), text, None, limits)


@contextlib.contextmanager
def query_batches(
    name: str,
    params: dict[str, Any],
    data_dir: DataSource = None,
    limits: sandbox.Limits | None = None,
    plain_types: bool = True,
) -> Iterator[Any]:
    """A named query's result as Arrow batches, for output that streams (see sandbox.stream)."""
    named = queries.load(name)
    bound = named.bind(params)
    with session(data_dir, limits, Vintage.from_params(bound)) as opened:
        connection, values = _on_session(named, bound, opened)
        with sandbox.stream(connection, named.sql, values, limits, plain_types) as batches:
            yield batches


def _on_session(
    named: queries.NamedQuery, bound: dict[str, Any], opened: Session
) -> tuple[Any, dict[str, Any]]:
    """The connection for the query's vintage, with company and partner checked on it, and the
    values its SQL binds (periods dated in the company's calendar on that session)."""
    from analytics.sql.scope import check_company_and_partner

    connection = opened.connection(Vintage.from_params(bound))
    check_company_and_partner(connection, bound)
    return connection, named.sql_params(bound, connection)


@contextlib.contextmanager
def sql_batches(
    text: str,
    data_dir: DataSource = None,
    limits: sandbox.Limits | None = None,
    plain_types: bool = True,
    vintage: Vintage | None = None,
) -> Iterator[Any]:
    """Ad hoc SQL's result as Arrow batches, for output that streams (see sandbox.stream)."""
    with (
        session(data_dir, limits, vintage) as opened,
        sandbox.stream(opened.connection(vintage), text, None, limits, plain_types) as batches,
    ):
        yield batches
