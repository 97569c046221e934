"""Write a result, batch by batch, as table, csv, json, ndjson, markdown, parquet or xlsx.

Results leave as soon as they are rendered, so memory stays bounded however many rows a query
returns. The text formats are written from plain rows (`results.rows`, no polars or pyarrow)
and, past a result's first batch, from Arrow batches by polars (`bulk_*`: faster in bulk);
Parquet and Excel keep DuckDB's types through Arrow.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from analytics.errors import UnknownNameError
from analytics.results.rows import TABLE_MAX_ROWS, Rows, types_of_arrow, write_rows

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

FORMATS = ("table", "csv", "json", "ndjson", "markdown", "parquet", "xlsx")
#: File extensions that name a format, for `--output` without `--format`.
EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".md": "markdown",
    ".markdown": "markdown",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
    ".txt": "table",
}
#: Formats that need a file, not a terminal or pipe.
FILE_ONLY = ("xlsx",)
#: Formats written from plain rows; the others need Arrow batches.
ROW_FORMATS = ("table", "csv", "json", "ndjson", "markdown")
__all__ = [
    "EXTENSIONS",
    "FILE_ONLY",
    "FORMATS",
    "ROW_FORMATS",
    "TABLE_MAX_ROWS",
    "Output",
    "check_format",
    "render",
    "spreadsheet_safe",
    "write",
    "write_fully",
]


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
    """Render Arrow batches into `out.sink` in `fmt`; returns the number of rows."""
    from analytics.results.excel import write_xlsx

    if check_format(fmt) in ROW_FORMATS:
        rows = Rows(list(out.schema.names), types_of_arrow(out.schema), batches)
        return write_rows(rows, fmt, out.sink, out.raw_text)
    writer = {"parquet": _parquet, "xlsx": write_xlsx}[fmt]
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


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns passed through `text.for_spreadsheet`, so no cell runs as a formula;
    numbers, dates and booleans are untouched. Used by every CSV or XLSX this tool writes."""
    import polars as pl

    from analytics.text import FORMULA_START_PATTERN

    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START_PATTERN))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def bulk_csv(batch: pa.RecordBatch, raw_text: bool) -> str:
    """CSV lines (no header) for one Arrow batch of a large result, written by polars."""
    import polars as pl

    frame = pl.DataFrame(pl.from_arrow(batch))
    return (frame if raw_text else spreadsheet_safe(frame)).write_csv(include_header=False)


def bulk_json_objects(batch: pa.RecordBatch) -> list[str]:
    """JSON object texts for one Arrow batch of a large result, written by polars. Decimals
    become numbers with every digit (polars quotes them; the quotes are taken off by column
    name, which JSON escaping makes unambiguous)."""
    import json
    import re

    import polars as pl

    frame = pl.DataFrame(pl.from_arrow(batch))
    text = frame.write_ndjson()
    for name in [n for n, t in frame.schema.items() if isinstance(t, pl.Decimal)]:
        quoted = json.dumps(name, ensure_ascii=False)
        unquoted = quoted.replace("\\", "\\\\") + r":\1"
        text = re.sub(re.escape(quoted) + r':"(-?[0-9]+(?:\.[0-9]+)?)"', unquoted, text)
    return text.splitlines()


def _parquet(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(out.sink, out.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows
