"""Write a result, batch by batch, as table, csv, json, markdown or parquet.

Results arrive as Arrow record batches and leave as soon as they are rendered, so memory stays
bounded however many rows a query returns. Text meant for spreadsheets (CSV) passes
`text.for_spreadsheet`; text meant for a terminal (table, markdown) passes `text.for_terminal`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from analytics.errors import UnknownNameError

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

FORMATS = ("table", "csv", "json", "ndjson", "markdown", "parquet", "xlsx")
#: File extensions that name a format, for `--output` without `--format`.
EXTENSIONS = {".csv": "csv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson",
              ".md": "markdown", ".markdown": "markdown", ".parquet": "parquet",
              ".xlsx": "xlsx", ".txt": "table"}
#: Formats that need a file, not a terminal or pipe.
FILE_ONLY = ("xlsx",)
#: The terminal table shows at most this many rows; other formats stream every row.
TABLE_MAX_ROWS = 1_000


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownNameError("format", fmt, list(FORMATS))
    return fmt


@dataclass(frozen=True)
class Output:
    """Where a result goes and how: its schema, the byte sink, and per-format choices.

    `raw_text` leaves CSV text cells as they are (for machine pipelines) instead of neutralising
    cells a spreadsheet would run as formulas; `title` names the Excel sheet; `source_types`
    are the DuckDB types before text casts (Excel turns dates back into dates).
    """

    schema: pa.Schema
    sink: BinaryIO
    raw_text: bool = False
    title: str = "result"
    source_types: Mapping[str, str] = field(default_factory=dict)


def write(batches: Iterable[pa.RecordBatch], fmt: str, out: Output) -> int:
    """Render every batch into `out.sink` in `fmt`; returns the number of rows."""
    from analytics.results.excel import write_xlsx

    writer = {"table": _table, "csv": _csv, "json": _json, "ndjson": _ndjson,
              "markdown": _markdown, "parquet": _parquet, "xlsx": write_xlsx}[check_format(fmt)]
    return writer(batches, out)


def render(frame: pl.DataFrame, fmt: str, raw_text: bool = False) -> bytes:
    """A whole frame in `fmt`, in memory (for small results such as `tables`)."""
    table = frame.to_arrow()
    sink = io.BytesIO()
    write(table.to_batches(), fmt, Output(table.schema, sink, raw_text))
    return sink.getvalue()


def write_fully(sink: BinaryIO, data: bytes) -> None:
    """Write every byte or fail: a short write (a pipe, a 2 GiB call) is continued."""
    view = memoryview(data)
    while view:
        written = sink.write(view)
        if not written:
            raise OSError("the output stopped accepting data")
        view = view[written:]


def _frames(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterable[pl.DataFrame]:
    import polars as pl

    empty = True
    for batch in batches:
        empty = False
        yield pl.DataFrame(pl.from_arrow(batch))
    if empty:
        yield pl.DataFrame(pl.from_arrow(schema.empty_table()))


def _csv(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    rows, header = 0, True
    for frame in _frames(batches, out.schema):
        shown = frame if out.raw_text else spreadsheet_safe(frame)
        write_fully(out.sink, shown.write_csv(include_header=header).encode("utf-8"))
        rows, header = rows + len(frame), False
    return rows


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns passed through `text.for_spreadsheet`, so no cell runs as a formula;
    numbers, dates and booleans are untouched. Used by every CSV or XLSX this tool writes."""
    import polars as pl

    from analytics.text import FORMULA_START_PATTERN

    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START_PATTERN))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text_columns)


def _json(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    """A JSON array of objects, one per row."""
    rows = 0
    write_fully(out.sink, b"[")
    for lines, count in _json_lines(batches, out.schema):
        if lines:
            write_fully(out.sink, (",\n" if rows else "\n").encode() + b",\n".join(lines))
        rows += count
    write_fully(out.sink, b"\n]\n")
    return rows


def _ndjson(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    """One JSON object per line (newline-delimited JSON), for pipelines."""
    rows = 0
    for lines, count in _json_lines(batches, out.schema):
        write_fully(out.sink, b"".join(line + b"\n" for line in lines))
        rows += count
    return rows


def _json_lines(batches: Iterable[pa.RecordBatch], schema: pa.Schema
                ) -> Iterable[tuple[list[bytes], int]]:
    """Each batch as JSON object lines. Decimals are JSON numbers with every digit they have
    (polars quotes them; the quotes are taken off by column name, which JSON escaping makes
    unambiguous)."""
    import json

    import polars as pl

    for frame in _frames(batches, schema):
        decimals = [n for n, t in frame.schema.items() if isinstance(t, pl.Decimal)]
        text = frame.write_ndjson()
        for name in decimals:
            quoted = json.dumps(name, ensure_ascii=False)
            unquoted = quoted.replace("\\", "\\\\") + r":\1"
            text = re.sub(re.escape(quoted) + r':"(-?[0-9]+(?:\.[0-9]+)?)"', unquoted, text)
        yield [line.encode("utf-8") for line in text.splitlines()], len(frame)


def _markdown(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    from analytics.text import for_terminal

    def cell(value: object) -> str:
        return "" if value is None else for_terminal(value).replace("|", "\\|")

    names = out.schema.names
    write_fully(out.sink, ("| " + " | ".join(cell(n) for n in names) + " |\n|"
                           + "|".join("---" for _ in names) + "|\n").encode("utf-8"))
    rows = 0
    for frame in _frames(batches, out.schema):
        text = "".join("| " + " | ".join(cell(v) for v in row) + " |\n"
                       for row in frame.iter_rows())
        write_fully(out.sink, text.encode("utf-8"))
        rows += len(frame)
    return rows


def _table(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    """Aligned columns fitting the terminal (`analytics.results.terminal`), at most TABLE_MAX_ROWS."""
    import polars as pl

    from analytics.results.terminal import table_text

    shown: list[pl.DataFrame] = []
    rows = 0
    for frame in _frames(batches, out.schema):
        if rows < TABLE_MAX_ROWS:
            shown.append(frame.head(TABLE_MAX_ROWS - rows))
        rows += len(frame)
        if rows > TABLE_MAX_ROWS:
            break
    text = table_text(pl.concat(shown))
    if rows > TABLE_MAX_ROWS:
        text += (f"(only the first {TABLE_MAX_ROWS:,} rows are shown: use --format csv or "
                 "--output FILE for all of them)\n")
    write_fully(out.sink, text.encode("utf-8"))
    return min(rows, TABLE_MAX_ROWS)


def _parquet(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(out.sink, out.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows
