"""Where command results go: data to stdout (or --output, atomically), messages to stderr."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import polars as pl

FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="table, csv, json, markdown or parquet")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout")
]


def emit(frame: pl.DataFrame, fmt: str, output: Path | None) -> None:
    """Render a result and send it to stdout or, atomically, to a file."""
    from analytics import export
    from analytics.render import render

    content = render(frame, fmt)
    if output is not None:
        export.write_bytes(output.resolve(), content)
        message(f"Wrote {len(frame)} rows to {output}")
    elif fmt == "parquet" and sys.stdout.isatty():
        message("Refusing to write Parquet bytes to a terminal: add --output FILE")
        raise typer.Exit(2)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


def message(text: str) -> None:
    """A note for the user: stderr, so stdout stays data."""
    typer.echo(text, err=True)
