"""One DuckDB session per command: a deck, a report and a chart build run every query, side
query and key figure on one connection, so the views, views.sql and the scope checks run once.

Connections are counted by wrapping `duckdb.connect` (the real one still connects)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

import analytics
from analytics.api import Session, session


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The database of every `duckdb.connect` call made while the test runs."""
    opened: list[str] = []
    real = duckdb.connect

    def counting(database: Any = ":memory:", *args: Any, **kwargs: Any) -> Any:
        opened.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    return opened


@pytest.mark.parametrize(
    "command",
    [
        ("deck", "--out", "dependence.pptx"),
        ("deck", "--editable-charts", "--out", "dependence.pptx"),
        ("charts", "build", "--format", "csv,svg", "--out", "charts"),
        ("report", "--partner", "Alibaba", "--partner", "SINA", "--basis", "ASC 605", "--out", "report.html"),
    ],
)
def test_a_deck_report_or_chart_build_opens_one_connection(
    command: tuple[str, ...], cli: Callable[..., Any], connections: list[str], tmp_path: Path
) -> None:
    *options, out = command
    result = cli(*options, str(tmp_path / out))
    assert result.exit_code == 0, result.stderr
    assert connections == [":memory:"]


def test_a_notebook_chart_opens_one_connection(data_dir: Path, connections: list[str]) -> None:
    analytics.chart("partner_dependence", data_dir=data_dir)
    assert connections == [":memory:"]


def test_queries_on_a_session_see_the_publications_each_asks_for(data_dir: Path) -> None:
    """The session swaps the figure tables' publications per query: the same rows as a
    connection of each query's own, in any order."""
    latest = analytics.query("partner_dependence", data_dir)
    on_asc_605 = analytics.query("partner_dependence", data_dir, basis="ASC 605")
    assert not on_asc_605.equals(latest)
    with session(data_dir) as shared:
        assert analytics.query("partner_dependence", shared).equals(latest)
        assert analytics.query("partner_dependence", shared, basis="ASC 605").equals(on_asc_605)
        assert analytics.query("partner_dependence", shared).equals(latest)
        assert (
            analytics.sql("SELECT count(*) AS n FROM revenue", shared)["n"][0]
            == analytics.sql("SELECT count(*) AS n FROM revenue", data_dir)["n"][0]
        )


def test_a_session_given_is_left_open_and_one_opened_is_closed(data_dir: Path) -> None:
    with session(data_dir) as outer:
        with session(outer) as inner:
            assert inner is outer
        assert outer.connection().sql("SELECT 1").fetchall() == [(1,)]
    with pytest.raises(duckdb.ConnectionException):
        outer.connection().sql("SELECT 1")
    assert isinstance(outer, Session) and outer.data_dir == data_dir.resolve()
