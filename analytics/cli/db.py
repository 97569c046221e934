"""`analytics db export`: the tables as one DuckDB database file for other SQL tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analytics.cli.output import current_data_dir, message

app = typer.Typer(help="Database files for other SQL tools.", no_args_is_help=True)


@app.command("export")
def export_(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="Target .duckdb file")]) -> None:
    """Write every table into a DuckDB database (open it in the DuckDB CLI, Harlequin, DBeaver)."""
    from analytics.api import export_database

    written = export_database(path, current_data_dir(ctx))
    message(f"Wrote {written}")
    typer.echo(str(written))
