"""Read a CSV or XLSX file into rows of text, remembering each row's number.

Every cell stays text here so parsers can report exactly what the user typed, where.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from analytics.errors import InputError, Location


@dataclass(frozen=True)
class SourceRow:
    """One data row: its 1-based row number as a spreadsheet shows it, and its cells by column."""

    file: Path
    number: int
    cells: dict[str, str]

    def where(self, column: str | None = None) -> Location:
        return Location(self.file, self.number, column)


def read_rows(path: Path) -> tuple[list[str], list[SourceRow]]:
    """Header (lower-cased) and data rows of a CSV or XLSX file; blank rows are skipped."""
    if not path.exists():
        raise InputError("file not found", Location(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid = _xlsx_grid(path)
    elif suffix in (".csv", ".txt", ""):
        grid = _csv_grid(path)
    else:
        raise InputError(f"unsupported file type '{suffix}': use .csv or .xlsx", Location(path))
    if not grid or not any(cell.strip() for cell in grid[0]):
        raise InputError("the file is empty: expected a header row and data rows", Location(path))
    header = [cell.strip().lower() for cell in grid[0]]
    _check_header(path, header)
    rows = [
        SourceRow(path, number, {name: _cell(values, i) for i, name in enumerate(header) if name})
        for number, values in enumerate(grid[1:], start=2)
        if any(v.strip() for v in values)
    ]
    if not rows:
        raise InputError("the file has a header but no data rows", Location(path))
    return header, rows


def _cell(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError("the header names this column twice", Location(path, 1, name))
        seen.add(name)


def _csv_grid(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as CSV UTF-8",
            Location(path, line),
        ) from None
    if "\x00" in text:
        raise InputError("not a text CSV file (contains NUL bytes)", Location(path))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise InputError(f"malformed CSV: {error}", Location(path)) from None


def _xlsx_grid(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a corrupt workbook
        raise InputError(f"cannot open as an Excel workbook: {error}", Location(path)) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_xlsx_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _xlsx_text(value: object) -> str:
    """Excel cells come typed; turn them back into the text a user would read."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(repr(value)).normalize()) if value == value else "nan"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)
