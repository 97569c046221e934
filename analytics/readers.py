"""Read a CSV or XLSX file into rows of text, remembering each row's number.

Every cell stays text here so parsers can report exactly what the user typed, where. A file that
cannot be read row by row as it looks in a spreadsheet (a runaway quote, a row wider than its
header, a NUL byte, a formula nobody computed) is refused here, naming the row.
"""

from __future__ import annotations

import csv
import io
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from analytics.errors import InputError, Location
from analytics.text import MAX_NAME_LENGTH, first_control_character, for_terminal, shorten

#: The largest CSV cell read at all (1 MiB); names and free text have smaller limits of their own.
CSV_FIELD_LIMIT = 1024 * 1024
FORMULA_HINT = ("is a formula without a saved value: open the file in Excel and save it "
                "(or paste values)")


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
    _check_readable(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ""):
        raise InputError(f"unsupported file type '{suffix}': use .csv or .xlsx", Location(path))
    is_csv = suffix not in (".xlsx", ".xlsm")
    grid = _csv_grid(path) if is_csv else _xlsx_grid(path)
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
    if is_csv:
        _check_widths(path, header, grid)
    return header, rows


def _check_readable(path: Path) -> None:
    """A regular file we can open; a folder, pipe, device or link loop is a one-line error.

    A pipe or a device is refused before it is opened: reading one can block or never end.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        broken = " (a broken symbolic link)" if path.is_symlink() else ""
        raise InputError(f"file not found{broken}", Location(path)) from None
    except OSError as error:  # a symbolic-link loop, a name too long, a folder we cannot enter
        raise InputError(f"cannot read the file: {error.strerror}", Location(path)) from None
    if stat.S_ISDIR(mode):
        raise InputError("is a folder, not a file: give a CSV or XLSX file", Location(path))
    if not stat.S_ISREG(mode):
        raise InputError("is not a regular file (a pipe, device or socket): give a CSV or "
                         "XLSX file", Location(path))
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", Location(path)) from None


def _cell(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        control = first_control_character(name)
        if control is not None or len(name) > MAX_NAME_LENGTH:
            problem = (f"contains the control character {control}" if control else
                       f"is longer than {MAX_NAME_LENGTH} characters")
            raise InputError(f"header cell {index} {problem}", Location(path, 1))
        if name and name in seen:
            raise InputError("the header names this column twice", Location(path, 1, name))
        seen.add(name)


def _check_widths(path: Path, header: list[str], grid: list[list[str]]) -> None:
    """A value beyond the last named column would be dropped: in a CSV that is nearly always a
    comma inside an unquoted value, so the row is refused rather than silently cut.

    Empty trailing cells (a spreadsheet's padding) are fine, as are rows shorter than the header.
    """
    width = max(i for i, name in enumerate(header, start=1) if name)
    for number, values in enumerate(grid[1:], start=2):
        if any(v.strip() for v in values[width:]):
            raise InputError(
                f"has {len(values)} cells but the header names {width} columns: a comma inside "
                "an unquoted value? Put such a value in double quotes", Location(path, number))


def _csv_grid(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", Location(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as CSV UTF-8",
            Location(path, line),
        ) from None
    grid = _parse_csv(path, text)
    if "\x00" in text:
        _refuse_nul(path, grid)
    return grid


def _parse_csv(path: Path, text: str) -> list[list[str]]:
    """Strict CSV: a quote left open would otherwise swallow every row after it into one cell.

    The field limit is raised to CSV_FIELD_LIMIT for this read only (it is process-wide).
    """
    grid: list[list[str]] = []
    previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        for record in csv.reader(io.StringIO(text, newline=""), strict=True):
            grid.append(record)
    except csv.Error as error:
        # csv yields every line, blank ones too, so the failing record is the next row.
        raise InputError(_csv_problem(error), Location(path, len(grid) + 1)) from None
    finally:
        csv.field_size_limit(previous_limit)
    return grid


def _csv_problem(error: csv.Error) -> str:
    """csv's terse message, said in terms of what the user sees in the file."""
    detail = str(error)
    if "field limit" in detail:
        return (f"a cell is larger than the CSV cell limit of 1 MiB ({CSV_FIELD_LIMIT:,} "
                "characters)")
    if "unexpected end of data" in detail:
        return ("a double quote opened in this row is never closed: close it, or double a "
                "quote that is part of the text (\"\")")
    if "expected after" in detail:
        return ("a quoted cell starting in this row does not end at a comma or line end: an "
                "unclosed or stray double quote? Double a quote that is part of the text (\"\")")
    return f"malformed CSV: {detail}"


def _refuse_nul(path: Path, grid: list[list[str]]) -> None:
    header = [cell.strip().lower() for cell in grid[0]] if grid else []
    for number, values in enumerate(grid, start=1):
        for index, value in enumerate(values):
            if "\x00" in value:
                raise InputError("contains a NUL byte: not a text CSV file",
                                 Location(path, number, _column_name(header, index)))


def _column_name(header: list[str], index: int) -> str:
    """The header's name for a 0-based column index, or its spreadsheet letter."""
    if index < len(header) and header[index]:
        return header[index]
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _xlsx_grid(path: Path) -> list[list[str]]:
    values = _xlsx_values(path, data_only=True)
    if any(value is None for row in values for value in row):
        _refuse_uncomputed_formulas(path, values)
    return [[_xlsx_text(v) for v in row] for row in values]


def _xlsx_values(path: Path, data_only: bool) -> list[tuple[object, ...]]:
    """The first sheet's cells; with data_only, the values Excel saved for formulas."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=data_only)
        try:
            return list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except Exception as error:  # openpyxl raises many types for a corrupt workbook
        detail = shorten(for_terminal(str(error) or type(error).__name__), 200)
        raise InputError(f"cannot read as an Excel workbook: {detail}", Location(path)) from None


def _refuse_uncomputed_formulas(path: Path, values: list[tuple[object, ...]]) -> None:
    """A formula saved without its value (written by a script, never opened in Excel) reads
    as empty; say what it is instead of "is empty". Only run when some cell came back empty."""
    formulas = _xlsx_values(path, data_only=False)
    header = [_xlsx_text(v).strip().lower() for v in values[0]] if values else []
    for number, (saved, written) in enumerate(zip(values, formulas, strict=False), start=1):
        for index, (value, formula) in enumerate(zip(saved, written, strict=False)):
            if value is None and _is_formula(formula):
                raise InputError(FORMULA_HINT, Location(path, number,
                                                        _column_name(header, index)))


def _is_formula(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _xlsx_text(value: object) -> str:
    """Excel cells come typed; turn them back into the text a user would read."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(repr(value)).normalize()) if value == value else "nan"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)
