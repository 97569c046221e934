"""Read a CSV or XLSX file into rows of text, remembering each row's number.

Every cell stays text here so parsers can report exactly what the user typed, where. A file that
cannot be read row by row as it looks in a spreadsheet (a runaway quote, a row wider than its
header, a NUL byte, a formula nobody computed) is refused here, naming the row.
"""

from __future__ import annotations

import csv
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from analytics.errors import InputError, Location
from analytics.text import MAX_NAME_LENGTH, first_control_character, for_terminal, shorten

#: The largest CSV cell read at all (1 MiB); names and free text have smaller limits of their own.
CSV_FIELD_LIMIT = 1024 * 1024
FORMULA_HINT = "is a formula without a saved value: open the file in Excel and save it (or paste values)"


@dataclass(frozen=True)
class SourceRow:
    """One data row: its 1-based row number as a spreadsheet shows it, and its cells by column."""

    file: Path
    number: int
    cells: dict[str, str]

    def where(self, column: str | None = None) -> Location:
        return Location(self.file, self.number, column)


def iter_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header (lower-cased) and a stream of (row number, stripped cells, one per header
    column) over the non-blank data rows: memory stays bounded by one row however large the
    file. Every check above runs as the rows stream, so a bad row stops the read there."""
    _check_readable(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ""):
        raise InputError(f"unsupported file type '{suffix}': use .csv or .xlsx", Location(path))
    is_csv = suffix not in (".xlsx", ".xlsm")
    records = _csv_records(path) if is_csv else _xlsx_records(path)
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first):
        raise InputError("the file is empty: expected a header row and data rows", Location(path))
    header = [cell.strip().lower() for cell in first]
    _check_header(path, header)
    return header, _data_rows(path, header, records, is_csv)


def _data_rows(
    path: Path, header: list[str], records: Iterator[list[str]], is_csv: bool
) -> Iterator[tuple[int, list[str]]]:
    width = max(i for i, name in enumerate(header, start=1) if name)
    columns = len(header)
    found = False
    for number, values in enumerate(records, start=2):
        cells = [value.strip() for value in values]
        if not any(cells):
            continue
        if is_csv and len(cells) > width:
            _check_width(path, number, width, cells)
        if len(cells) != columns:
            cells = (cells + [""] * columns)[:columns]
        found = True
        yield number, cells
    if not found:
        raise InputError("the file has a header but no data rows", Location(path))


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
        raise InputError(
            "is not a regular file (a pipe, device or socket): give a CSV or XLSX file", Location(path)
        )
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", Location(path)) from None


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        control = first_control_character(name)
        if control is not None or len(name) > MAX_NAME_LENGTH:
            problem = (
                f"contains the control character {control}"
                if control
                else f"is longer than {MAX_NAME_LENGTH} characters"
            )
            raise InputError(f"header cell {index} {problem}", Location(path, 1))
        if name and name in seen:
            raise InputError("the header names this column twice", Location(path, 1, name))
        seen.add(name)


def _check_width(path: Path, number: int, width: int, values: list[str]) -> None:
    """A value beyond the last named column would be dropped: in a CSV that is nearly always a
    comma inside an unquoted value, so the row is refused rather than silently cut.

    Empty trailing cells (a spreadsheet's padding) are fine, as are rows shorter than the header.
    """
    if any(v.strip() for v in values[width:]):
        raise InputError(
            f"has {len(values)} cells but the header names {width} columns: a comma inside "
            "an unquoted value? Put such a value in double quotes",
            Location(path, number),
        )


def _csv_records(path: Path) -> Iterator[list[str]]:
    """Strict CSV records, streamed: a quote left open would otherwise swallow every row after
    it into one cell. The field limit is raised to CSV_FIELD_LIMIT while reading (it is
    process-wide)."""
    previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    count = 0
    try:
        has_nul = _holds_nul(path)
        with path.open(encoding="utf-8-sig", newline="") as stream:
            for record in csv.reader(stream, strict=True):
                count += 1
                if has_nul and any("\x00" in value for value in record):
                    _refuse_nul(path, count, record)
                yield record
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except csv.Error as error:
        # csv yields every line, blank ones too, so the failing record is the next row.
        raise InputError(_csv_problem(error), Location(path, count + 1)) from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", Location(path)) from None
    finally:
        csv.field_size_limit(previous_limit)


def _holds_nul(path: Path) -> bool:
    """Whether the file has a NUL byte anywhere (one fast binary pass; rows are then checked
    one by one only when it does)."""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if b"\x00" in chunk:
                return True
    return False


def _not_utf8(path: Path) -> InputError:
    """Where the first byte that is not UTF-8 sits (read again: only on this error path)."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return InputError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as CSV UTF-8",
            Location(path, line),
        )
    return InputError("not UTF-8 text; save the file as CSV UTF-8", Location(path))


def _csv_problem(error: csv.Error) -> str:
    """csv's terse message, said in terms of what the user sees in the file."""
    detail = str(error)
    if "field limit" in detail:
        return f"a cell is larger than the CSV cell limit of 1 MiB ({CSV_FIELD_LIMIT:,} characters)"
    if "unexpected end of data" in detail:
        return (
            "a double quote opened in this row is never closed: close it, or double a "
            'quote that is part of the text ("")'
        )
    if "expected after" in detail:
        return (
            "a quoted cell starting in this row does not end at a comma or line end: an "
            'unclosed or stray double quote? Double a quote that is part of the text ("")'
        )
    return f"malformed CSV: {detail}"


def _refuse_nul(path: Path, number: int, record: list[str]) -> None:
    index = next(i for i, value in enumerate(record) if "\x00" in value)
    raise InputError(
        "contains a NUL byte: not a text CSV file",
        Location(path, number, _column_name(_header_of(path), index)),
    )


def _header_of(path: Path) -> list[str]:
    """The header, read again for an error message (the failing row may be the header)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            first = next(csv.reader(stream), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    return [cell.replace("\x00", "").strip().lower() for cell in first]


def _column_name(header: list[str], index: int) -> str:
    """The header's name for a 0-based column index, or its spreadsheet letter."""
    if index < len(header) and header[index]:
        return header[index]
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _xlsx_records(path: Path) -> Iterator[list[str]]:
    """The first sheet's rows as text, streamed; a cell that reads empty is checked against
    the formulas (read lazily, only then) so an uncomputed formula is named, not "empty"."""
    formulas: _Formulas | None = None
    for number, row in enumerate(_xlsx_values(path, data_only=True), start=1):
        if any(value is None for value in row):
            formulas = formulas or _Formulas(path)
            formulas.refuse_uncomputed(number, row)
        yield [_xlsx_text(v) for v in row]


def _xlsx_values(path: Path, data_only: bool) -> Iterator[tuple[object, ...]]:
    """The first sheet's cells, streamed; with data_only, the values Excel saved for formulas."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many types for a corrupt workbook
        raise _not_a_workbook(path, error) from None
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    except Exception as error:
        raise _not_a_workbook(path, error) from None
    finally:
        workbook.close()


def _not_a_workbook(path: Path, error: Exception) -> InputError:
    detail = shorten(for_terminal(str(error) or type(error).__name__), 200)
    return InputError(f"cannot read as an Excel workbook: {detail}", Location(path))


class _Formulas:
    """The sheet's formulas, advanced in step with the values being read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = _xlsx_values(path, data_only=False)
        self.number = 0
        self.header: list[str] | None = None

    def refuse_uncomputed(self, number: int, values: tuple[object, ...]) -> None:
        written: tuple[object, ...] = ()
        while self.number < number:
            written = next(self.rows, ())
            self.number += 1
            if self.header is None:
                self.header = [_xlsx_text(v).strip().lower() for v in written]
        for index, (value, formula) in enumerate(zip(values, written, strict=False)):
            if value is None and _is_formula(formula):
                raise InputError(
                    FORMULA_HINT, Location(self.path, number, _column_name(self.header or [], index))
                )


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
