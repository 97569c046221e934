"""`analytics query list|run`: named SQL from queries/*.sql with bound parameters."""

from __future__ import annotations

from typing import Annotated

import typer

from analytics.cli.output import FormatOption, OutputOption, emit
from analytics.errors import QueryError

app = typer.Typer(help="List and run named queries (queries/*.sql).", no_args_is_help=True)


@app.command("list")
def list_(fmt: FormatOption = "table") -> None:
    """Every named query with its description and parameters."""
    from analytics.api import list_queries

    emit(list_queries(), fmt, None)


def parse_params(pairs: list[str]) -> dict[str, str]:
    """`name=value` pairs from repeated --param options."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param '{pair}' is not name=value")
        params[name.strip()] = value
    return params


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="Query name (file stem in queries/)")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p",
                     help="name=value, repeatable")] = None,
    fmt: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Run a named query; parameters are bound, never pasted into the SQL."""
    from analytics.api import run_query

    emit(run_query(name, parse_params(param or [])), fmt, output)
