"""The text path of a query: the statement runs once, as it is, and its dates read as DuckDB's
own cast writes them; the CLI builds only the sub-app a command invokes.

The counting connection wraps a real DuckDB connection (every call goes through); it counts,
it does not stand in. Speed itself is measured in bench/bench_query.py, never asserted here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from analytics.cli.app import app, for_command
from analytics.sql import sandbox


class CountingConnection:
    """A real connection that counts how often each method is called."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._connection, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


def text_rows(
    connection: Any, sql: str, params: dict[str, Any] | None = None
) -> tuple[list[str], list[str], list[tuple[Any, ...]] | None]:
    with sandbox.stream(connection, sql, params) as batches:
        return batches.names, batches.types, batches.small_rows(1000)


def cast_in_sql(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    """The same result with every column cast to text by DuckDB itself."""
    names = [column[0] for column in connection.execute(sql).description]
    return connection.execute(
        "SELECT " + ", ".join(f'CAST("{n}" AS VARCHAR)' for n in names) + f" FROM ({sql})"
    ).fetchall()


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def test_a_small_result_runs_once_without_a_separate_bind(connection):
    counting = CountingConnection(connection)
    names, types, rows = text_rows(counting, "SELECT $n AS n, DATE '2016-06-30' AS day, 'x' AS t", {"n": 7})
    assert rows == [(7, "2016-06-30", "x")]
    assert types == ["INTEGER", "VARCHAR", "VARCHAR"] and names == ["n", "day", "t"]
    assert counting.calls["execute"] == 1
    assert counting.calls["sql"] == 0


DATES = """SELECT * FROM (VALUES (DATE '2013-12-31'), (DATE '0099-01-05'), (NULL::DATE),
    (DATE '1970-01-01'), (DATE '-0044-03-15'), (DATE '2024-02-29')) AS t(day)"""


def test_dates_read_as_duckdbs_own_cast_writes_them(connection):
    _, types, rows = text_rows(connection, DATES)
    assert types == ["VARCHAR"]
    assert rows == cast_in_sql(connection, DATES)
    assert ("0045-03-15 (BC)",) in rows


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'infinity'::DATE AS day, DATE '2020-01-02' AS other",
        "SELECT '-infinity'::DATE AS day",
        "SELECT DATE '9999-12-31' AS day",
        "SELECT DATE '0001-01-01' AS day",
    ],
)
def test_an_infinite_date_is_never_read_as_the_last_python_date(connection, sql):
    _, _, rows = text_rows(connection, sql)
    assert rows == cast_in_sql(connection, sql)


def test_other_types_are_cast_by_duckdb_and_the_names_and_types_say_so(connection):
    sql = (
        "SELECT INTERVAL 1 DAY AS gap, [1, 2] AS list, TIMESTAMP '2016-01-01 10:00:00.5' AS at,"
        " 1.50::DECIMAL(10, 2) AS amount"
    )
    names, types, rows = text_rows(connection, sql)
    assert names == ["gap", "list", "at", "amount"]
    assert types == ["VARCHAR", "VARCHAR", "VARCHAR", "DECIMAL(10,2)"]
    assert rows is not None and rows[0][:3] == cast_in_sql(connection, sql)[0][:3]


def test_a_result_too_big_for_rows_streams_as_arrow_with_the_same_values(connection):
    sql = "SELECT range AS n, DATE '2016-01-01' + range::INTEGER AS day FROM range(50)"
    with sandbox.stream(connection, sql) as batches:
        assert batches.small_rows(10) is None
        table = [row for batch in batches for row in zip(*batch.to_pydict().values(), strict=True)]
    assert table == [(int(n), day) for n, day in cast_in_sql(connection, sql)]


def test_a_bad_statement_is_still_a_one_line_error(connection):
    with pytest.raises(sandbox.QueryError, match="nope"):
        text_rows(connection, "SELECT * FROM range(3) WHERE range > $nope")


@pytest.mark.parametrize(
    ("args", "groups"),
    [
        (["query", "run", "partner_dependence"], ["query"]),
        (["--data-dir", "elsewhere", "charts", "build"], ["charts"]),
        (["--data-dir=elsewhere", "ledger", "rollup"], ["ledger"]),
        (["--help"], None),
        (["sql", "SELECT 1"], None),
        (["qurey", "list"], None),
        ([], None),
    ],
)
def test_the_cli_builds_only_the_sub_app_a_command_invokes(args, groups):
    chosen = for_command(args)
    if groups is None:
        assert chosen is app
    else:
        assert [g.name for g in chosen.registered_groups] == groups
        assert chosen.registered_commands == []
        assert len(app.registered_groups) > 1 and app.registered_commands  # the app is intact


@pytest.mark.parametrize(
    "args", [["query", "--help"], ["query", "list"], ["query", "rn"], ["charts", "build", "--help"]]
)
def test_the_narrowed_app_answers_exactly_as_the_whole_one(args, data_dir):
    runner = CliRunner()
    full = ["--data-dir", str(data_dir), *args]
    whole, narrowed = runner.invoke(app, full), runner.invoke(for_command(full), full)
    assert (narrowed.exit_code, narrowed.output) == (whole.exit_code, whole.output)
    assert whole.output.strip()
