"""Write a result's rows as table, csv, json, ndjson or markdown, from plain Python values.

DuckDB hands a result's first batch over as Python values (`fetchmany`), so a small result
needs neither polars nor pyarrow, whose imports cost more than a small query; later batches of a
large result arrive as Arrow and are written by polars in bulk (`formats.bulk_*`). Either way the
bytes are those polars wrote before: floats in its notation, decimals with every digit, NULL
empty in CSV and `null` in JSON, an empty text quoted in CSV. Text for spreadsheets passes
`text.for_spreadsheet`, text for a terminal `text.for_terminal` (the one escaping step each).
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from analytics.text import for_spreadsheet, for_terminal

#: The terminal table shows at most this many rows; other formats stream every row.
TABLE_MAX_ROWS = 1_000
#: DuckDB types shown as numbers (right-aligned in the table).
_NUMERIC = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL.*)$")
_CSV_QUOTED = re.compile(r'[,"\r\n]')

#: Lists of row tuples, or (past a large result's first batch) Arrow record batches.
Batches = Iterable[Any]


@dataclass(frozen=True)
class Rows:
    """A result as rows: column names, their DuckDB types, and batches of row tuples."""

    names: list[str]
    types: list[str]
    batches: Batches

    def numeric(self) -> set[str]:
        return {n for n, t in zip(self.names, self.types, strict=True) if _NUMERIC.match(t)}


def write_rows(rows: Rows, fmt: str, sink: BinaryIO, raw_text: bool = False) -> int:
    """Render every batch into `sink` in `fmt`; returns the number of rows written."""
    from analytics.results.formats import write_fully

    writer = {
        "csv": _csv_lines,
        "json": _json_lines,
        "ndjson": _ndjson_lines,
        "markdown": _markdown_lines,
    }.get(fmt)
    if writer is None:
        text, count = _table(rows)
        write_fully(sink, text.encode("utf-8"))
        return count
    count = 0
    for text, batch_rows in writer(rows, raw_text):
        write_fully(sink, text.encode("utf-8"))
        count += batch_rows
    return count


def number_text(value: float, single: bool = False) -> str:
    """A float as polars writes it: the shortest digits that read back as the same value
    (`single`: as the same 32-bit FLOAT), in fixed notation from 1e-5 up to 1e16 (1e-6 up to 1e13
    for FLOAT), else as `1.5e-7`, `1e+16`."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return repr(value)
    shortest = Decimal(repr(_shortest_single(value) if single else value))
    low, high = (-6, 13) if single else (-5, 16)
    if low <= shortest.adjusted() < high or not shortest:
        fixed = format(shortest, "f")
        return fixed if "." in fixed else fixed + ".0"
    sign, digits, _ = shortest.normalize().as_tuple()
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    exponent = shortest.adjusted()
    return f"{'-' if sign else ''}{mantissa}e{'+' if exponent > 0 else '-'}{abs(exponent)}"


def _shortest_single(value: float) -> float:
    """The double with the fewest digits that is still the same 32-bit float."""
    if value in (float("inf"), float("-inf")):
        return value
    for digits in range(1, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == value:
            return candidate
    return value


def _plain(value: Any, single: bool) -> str:
    """A non-text, non-NULL value as CSV and JSON write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number_text(value, single)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _singles(rows: Rows) -> list[bool]:
    return [t == "FLOAT" for t in rows.types]


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if not text or _CSV_QUOTED.search(text) else text


def _csv_lines(rows: Rows, raw_text: bool) -> Iterable[tuple[str, int]]:
    """A header line, then each batch's lines. NULL is an empty field, an empty text `""`."""
    singles = _singles(rows)

    def field(value: Any, single: bool) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return _csv_field(value if raw_text else for_spreadsheet(value))
        return _plain(value, single)

    from analytics.results.formats import bulk_csv

    yield ",".join(_csv_field(name) for name in rows.names) + "\n", 0
    for batch in rows.batches:
        if not isinstance(batch, list):
            yield bulk_csv(batch, raw_text), batch.num_rows
            continue
        yield (
            "".join(",".join(field(v, s) for v, s in zip(row, singles, strict=True)) + "\n" for row in batch),
            len(batch),
        )


def _json_objects(rows: Rows) -> Iterable[list[str]]:
    """Each batch as JSON object texts; decimals are numbers with every digit, a float that is
    not finite is null."""
    keys = [json.dumps(name, ensure_ascii=False) + ":" for name in rows.names]
    singles = _singles(rows)

    def value_text(value: Any, single: bool) -> str:
        if value is None or (isinstance(value, float) and value - value != 0):
            return "null"
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        return _plain(value, single)

    from analytics.results.formats import bulk_json_objects

    for batch in rows.batches:
        if not isinstance(batch, list):
            yield bulk_json_objects(batch)
            continue
        yield [
            "{" + ",".join(k + value_text(v, s) for k, v, s in zip(keys, row, singles, strict=True)) + "}"
            for row in batch
        ]


def _json_lines(rows: Rows, raw_text: bool) -> Iterable[tuple[str, int]]:
    """A JSON array of objects, one per row."""
    written = 0
    yield "[", 0
    for objects in _json_objects(rows):
        if objects:
            yield (",\n" if written else "\n") + ",\n".join(objects), len(objects)
            written += len(objects)
    yield "\n]\n", 0


def _ndjson_lines(rows: Rows, raw_text: bool) -> Iterable[tuple[str, int]]:
    """One JSON object per line (newline-delimited JSON), for pipelines."""
    for objects in _json_objects(rows):
        yield "".join(line + "\n" for line in objects), len(objects)


def _markdown_cell(value: object) -> str:
    return "" if value is None else for_terminal(value).replace("|", "\\|")


def _markdown_lines(rows: Rows, raw_text: bool) -> Iterable[tuple[str, int]]:
    yield (
        (
            "| "
            + " | ".join(_markdown_cell(n) for n in rows.names)
            + " |\n|"
            + "|".join("---" for _ in rows.names)
            + "|\n"
        ),
        0,
    )
    for batch in python_rows(rows.batches):
        yield "".join("| " + " | ".join(_markdown_cell(v) for v in row) + " |\n" for row in batch), len(batch)


def _table(rows: Rows) -> tuple[str, int]:
    """Aligned columns fitting the terminal (`results.terminal`), at most TABLE_MAX_ROWS."""
    from analytics.results.terminal import rows_text

    shown: list[Sequence[Any]] = []
    count = 0
    for batch in python_rows(rows.batches):
        shown.extend(batch[: max(TABLE_MAX_ROWS - count, 0)])
        count += len(batch)
        if count > TABLE_MAX_ROWS:
            break
    text = rows_text(rows.names, rows.numeric(), shown)
    if count > TABLE_MAX_ROWS:
        text += (
            f"(only the first {TABLE_MAX_ROWS:,} rows are shown: use --format csv or "
            "--output FILE for all of them)\n"
        )
    return text, min(count, TABLE_MAX_ROWS)


def types_of_arrow(schema: Any) -> list[str]:
    """DuckDB-style type names for an Arrow schema's columns (numbers and 32-bit floats are
    what the writers tell apart)."""
    import pyarrow as pa

    def name(arrow_type: Any) -> str:
        if pa.types.is_float32(arrow_type):
            return "FLOAT"
        if pa.types.is_floating(arrow_type):
            return "DOUBLE"
        if pa.types.is_integer(arrow_type):
            return "BIGINT"
        if pa.types.is_decimal(arrow_type):
            return "DECIMAL"
        return "BOOLEAN" if pa.types.is_boolean(arrow_type) else "VARCHAR"

    return [name(field.type) for field in schema]


def python_rows(batches: Batches) -> Iterable[list[tuple[Any, ...]]]:
    """Every batch as a list of row tuples (Arrow batches converted)."""
    for batch in batches:
        yield (
            batch
            if isinstance(batch, list)
            else list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
        )
