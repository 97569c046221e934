"""Results as an Excel workbook: typed cells, a bold frozen header, money formats, widths.

Analysts live in Excel, so cells keep their types (numbers, dates, booleans) and text is always
written as text: a cell starting with `=` stays inert (xlsxwriter would otherwise write it as a
formula). Rows stream into the file in constant memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError

if TYPE_CHECKING:
    import pyarrow as pa

    from analytics.results.formats import Output

EXCEL_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")


def write_xlsx(batches: Iterable[pa.RecordBatch], out: Output) -> int:
    """One sheet named after the result; every row of every batch, typed."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out.sink,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        sheet = workbook.add_worksheet(sheet_name(out.title))
        formats = _formats(workbook)
        names = out.schema.names
        widths = [len(name) for name in names]
        for column, name in enumerate(names):
            sheet.write_string(0, column, name, formats["header"])
        sheet.freeze_panes(1, 0)
        kinds = [_kind(name, out.source_types.get(name, ""), out.schema.field(name).type) for name in names]
        rows = _write_rows(sheet, batches, kinds, formats, widths)
        for column, size in enumerate(widths):
            sheet.set_column(column, column, min(size + 2, MAX_WIDTH))
    finally:
        workbook.close()
    return rows


def sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ or '."""
    cleaned = _SHEET_UNSAFE.sub("_", title).strip() or "result"
    return cleaned[:31]


def _formats(workbook: Any) -> dict[str, Any]:
    return {
        "header": workbook.add_format({"bold": True, "bottom": 1}),
        "money": workbook.add_format({"num_format": MONEY_FORMAT}),
        "share": workbook.add_format({"num_format": SHARE_FORMAT}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "timestamp": workbook.add_format({"num_format": DATE_FORMAT + " hh:mm:ss"}),
    }


def _kind(name: str, source_type: str, arrow_type: pa.DataType) -> str:
    """How a column's cells are written: money, share, number, date, timestamp, bool or text."""
    import pyarrow as pa

    if source_type.startswith("DATE") or pa.types.is_date(arrow_type):
        return "date"
    if source_type.startswith("TIMESTAMP") or pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_decimal(arrow_type):
        return "money"
    if pa.types.is_floating(arrow_type):
        return "share" if "share" in name else "number"
    if pa.types.is_integer(arrow_type):
        return "number"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    return "text"


def _write_rows(
    sheet: Any,
    batches: Iterable[pa.RecordBatch],
    kinds: list[str],
    formats: dict[str, Any],
    widths: list[int],
) -> int:
    row = 0
    for batch in batches:
        if row + batch.num_rows > EXCEL_MAX_ROWS:
            raise QueryError(
                f"more rows than an Excel sheet holds ({EXCEL_MAX_ROWS + 1:,}): use --format csv or parquet"
            )
        for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            row += 1
            for column, (value, kind) in enumerate(zip(values, kinds, strict=True)):
                shown = _write_cell(sheet, row, column, value, kind, formats)
                widths[column] = max(widths[column], len(shown))
    return row


def _write_cell(sheet: Any, row: int, column: int, value: object, kind: str, formats: dict[str, Any]) -> str:
    """Write one typed cell; returns the text it shows, for the column width."""
    if value is None:
        return ""
    if kind in ("date", "timestamp") and isinstance(value, str | date):
        moment = _as_datetime(value)
        if moment is not None:
            sheet.write_datetime(row, column, moment, formats[kind])
            return moment.isoformat(sep=" ")[: 10 if kind == "date" else 19]
    if kind in ("money", "share", "number") and isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, float(value), formats.get(kind))
        return f"{value:,.2f}" if kind == "money" else str(value)
    if kind == "bool" and isinstance(value, bool):
        sheet.write_boolean(row, column, value)
        return str(value)
    text = str(value)
    sheet.write_string(row, column, text)
    return text


def _as_datetime(value: str | date) -> datetime | None:
    """A date or ISO text as a datetime; None for `infinity` and other text Excel cannot hold."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if _ISO_DATE.match(value) or _ISO_TIMESTAMP.match(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
