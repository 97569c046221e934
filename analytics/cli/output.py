"""Where command results go: data to stdout (or --output, atomically), messages to stderr.

Every line meant for a person passes `message` (or `text.for_terminal`), so a control character
in the data never reaches the terminal raw. Output to stdout is written in full or fails; a
reader that closes the pipe (`| head`) ends the command quietly with exit code 1.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from analytics.errors import InputError, UnknownNameError

if TYPE_CHECKING:
    import polars as pl

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="table, csv, json, ndjson, markdown, "
        "parquet or xlsx (default: from the --output extension, else "
        "table)",
    ),
]
ColumnsOption = Annotated[
    str | None, typer.Option("--columns", help="Only these columns, in this order: a,b,c")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout")
]
RawTextOption = Annotated[
    bool,
    typer.Option(
        "--raw-text",
        help="CSV: keep text cells that start with = + - @ as "
        "they are (by default they get a leading ' so spreadsheets do not run "
        "them)",
    ),
]

TimeoutOption = Annotated[
    float, typer.Option(help="Seconds DuckDB may work on the query before it is stopped")
]
MemoryOption = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        help="DuckDB memory limit, e.g. 2GiB (default: $ANALYTICS_MEMORY_LIMIT "
        "or 2GiB); spilling to disk is capped at 4 times it",
    ),
]


def chosen_format(fmt: str | None, output: Path | None) -> str:
    """--format when given, else the --output extension's format, else a table."""
    from analytics.results.formats import EXTENSIONS, check_format

    if fmt is not None:
        return check_format(fmt)
    if output is not None:
        return EXTENSIONS.get(output.suffix.lower(), "table")
    return "table"


def emit(frame: pl.DataFrame, fmt: str | None, output: Path | None, title: str = "result") -> None:
    """Send a small in-memory result to stdout or a file."""
    table = frame.to_arrow()

    def batches(plain_types: bool) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext(_Listed(table.to_batches(), table.schema))

    emit_batches(batches, fmt, output, title=title)


class _Listed(list[Any]):
    """Batches already in memory, with their schema, shaped like a query's batch stream."""

    def __init__(self, batches: list[Any], schema: Any) -> None:
        from analytics.results.rows import types_of_arrow

        super().__init__(batches)
        self.schema = schema
        self.names, self.types = list(schema.names), types_of_arrow(schema)
        self.source_types: dict[str, str] = {}

    def small_rows(self, most: int) -> None:
        """None: in-memory batches are written as they are (see sql/batches.py)."""
        return None


OpenBatches = Callable[[bool], contextlib.AbstractContextManager[Any]]


def emit_batches(
    open_batches: OpenBatches,
    fmt: str | None,
    output: Path | None,
    *,
    raw_text: bool = False,
    data_dir: Path | None = None,
    title: str = "result",
    columns: str | None = None,
) -> None:
    """Stream a result to stdout or, atomically, to --output (never inside the data folder).

    `open_batches(plain_types)` runs the query; it is called only once the destination is known
    to be good. Parquet keeps DuckDB's types; every other format gets plain ones.
    """
    from analytics.results.formats import FILE_ONLY

    chosen = chosen_format(fmt, output)
    if output is None and (chosen in FILE_ONLY or (chosen == "parquet" and sys.stdout.isatty())):
        raise InputError(f"--format {chosen} writes a binary file: add --output FILE")
    wanted = _column_list(columns)

    def write_to(sink: BinaryIO) -> int:
        with open_batches(chosen != "parquet") as stream:
            return _write(stream, chosen, sink, raw_text, title, wanted)

    if output is None:
        with _stdout() as sink:
            write_to(sink)
        return
    from analytics.store import commit

    counted: list[int] = []

    def write_file(temp: Path) -> None:
        with open(temp, "wb") as sink:
            counted.append(write_to(sink))

    commit.write_output(commit.check_output_path(output, data_dir), write_file, data_dir)
    message(f"Wrote {counted[0]} rows to {output}")


def _column_list(columns: str | None) -> list[str] | None:
    return [c.strip() for c in columns.split(",") if c.strip()] if columns else None


def _write(
    stream: Any, fmt: str, sink: BinaryIO, raw_text: bool, title: str, wanted: list[str] | None
) -> int:
    """Text formats from the stream's plain rows (no polars or pyarrow), the rest from Arrow."""
    from analytics.results.formats import ROW_FORMATS, Output, write

    if fmt in ROW_FORMATS:
        return _write_rows(stream, fmt, sink, raw_text, wanted)
    schema = stream.schema
    batches: Any = stream
    if wanted is not None:
        missing = [c for c in wanted if c not in schema.names]
        if missing:
            raise UnknownNameError("column", missing[0], list(schema.names))
        schema = _select_schema(schema, wanted)
        batches = (batch.select(wanted) for batch in stream)
    return write(batches, fmt, Output(schema, sink, raw_text, title, getattr(stream, "source_types", {})))


#: Results of at most this many cells are written from Python values (no polars or pyarrow to
#: import); larger ones from Arrow batches, which polars formats many times faster.
SMALL_RESULT_CELLS = 100_000


def _write_rows(stream: Any, fmt: str, sink: BinaryIO, raw_text: bool, wanted: list[str] | None) -> int:
    from analytics.results.rows import Rows, write_rows

    names, types = stream.names, stream.types
    if wanted is not None:
        missing = [c for c in wanted if c not in names]
        if missing:
            raise UnknownNameError("column", missing[0], list(names))
    small = stream.small_rows(SMALL_RESULT_CELLS // max(len(names), 1))
    batches: Any = [small] if small is not None else stream
    if wanted is not None:
        picked = [names.index(c) for c in wanted]
        names, types = wanted, [types[i] for i in picked]
        batches = (
            batch.select(wanted)
            if not isinstance(batch, list)
            else [tuple(row[i] for i in picked) for row in batch]
            for batch in batches
        )
    return write_rows(Rows(names, types, batches), fmt, sink, raw_text)


def _select_schema(schema: Any, names: list[str]) -> Any:
    import pyarrow as pa

    return pa.schema([schema.field(name) for name in names])


@contextlib.contextmanager
def _stdout() -> Iterator[BinaryIO]:
    """stdout's bytes; a closed pipe ends the command quietly (exit 1), without a traceback."""
    sink = sys.stdout.buffer
    try:
        yield sink
        sink.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):
            # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(1) from None


def message(text: str) -> None:
    """A note for the user: stderr, so stdout stays data; control characters escaped."""
    from analytics.text import for_terminal

    typer.echo(for_terminal(text), err=True)


def echo_lines(lines: list[str]) -> None:
    """Human-readable lines on stdout (violations, paths), control characters escaped."""
    from analytics.text import for_terminal

    for line in lines:
        typer.echo(for_terminal(line))


def cli_limits(timeout: float, memory_limit: str | None) -> Any:
    """The CLI's limits: like the library's, but a query DuckDB cannot stop ends the process."""
    from analytics.sql.sandbox import Limits

    return Limits.from_environment(timeout, memory_limit, end_process_when_stuck=True)


def current_data_dir(ctx: typer.Context) -> Path:
    """The data folder of the project the app resolved once for this invocation (`ctx.obj`)."""
    from analytics.project import Project

    project = ctx.find_object(Project)
    return (project or Project.resolve()).data_dir
