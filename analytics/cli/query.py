"""`analytics query list|run`: named SQL from queries/*.sql with bound parameters."""

from __future__ import annotations

from typing import Annotated

import typer

from analytics.cli.output import (
    ColumnsOption,
    FormatOption,
    MemoryOption,
    OutputOption,
    RawTextOption,
    TimeoutOption,
    cli_limits,
    current_data_dir,
    emit,
    emit_batches,
)
from analytics.errors import InputError

app = typer.Typer(help="List and run named queries (queries/*.sql).", no_args_is_help=True)


@app.command("list")
def list_(fmt: FormatOption = None) -> None:
    """Every named query with its description, every parameter (type, default, allowed values,
    meaning) and whether it would run."""
    from analytics.api import list_queries, query_catalogue

    if fmt in (None, "table"):
        from analytics.results.terminal import catalogue_text

        typer.echo(catalogue_text(query_catalogue()), nl=False)
        return
    emit(list_queries(), fmt, None, title="queries")


def parse_params(pairs: list[str]) -> dict[str, str | list[str]]:
    """`name=value` pairs from repeated --param options; a name given more than once holds
    the list of its values (`--param partner=A --param partner=B`, for a list parameter)."""
    params: dict[str, str | list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param '{pair}' is not name=value")
        earlier = params.get(name.strip())
        params[name.strip()] = (
            value if earlier is None else [*([earlier] if isinstance(earlier, str) else earlier), value]
        )
    return params


@app.command("run")
def run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Query name (file stem in queries/)")],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="name=value, repeatable; a list parameter takes the name again "
            "for each value (--param partner=A --param partner=B)",
        ),
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    columns: ColumnsOption = None,
    raw_text: RawTextOption = False,
    timeout: TimeoutOption = 60.0,
    memory_limit: MemoryOption = None,
) -> None:
    """Run a named query; parameters are bound, never pasted into the SQL."""
    from analytics.sql.run import query_batches  # not analytics.api: it loads the write path

    params, limits = parse_params(param or []), cli_limits(timeout, memory_limit)
    folder = current_data_dir(ctx)
    emit_batches(
        lambda plain: query_batches(name, params, folder, limits=limits, plain_types=plain),
        fmt,
        output,
        raw_text=raw_text,
        data_dir=folder,
        title=name,
        columns=columns,
    )
