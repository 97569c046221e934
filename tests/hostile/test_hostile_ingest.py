"""Hostile and careless ingest input (issue 7, items 11-14 and the ingest half of 16).

Families: CSV structure (runaway quotes, rows wider than the header, NUL bytes, huge cells),
input paths that are not readable files, numbers (ambiguous separators, overflow, lost
decimals, doubles), periods and dates out of range, control characters and length in names and
free text, XLSX formulas without a saved value, and partnership rules checked at their row.
Each refusal: exit 2, one stderr line naming the row, the column and what is wrong, empty
stdout, a byte-identical data folder. Every case below was accepted, mis-stored, crashed or
named no row before this change; each comment says how.
"""

from __future__ import annotations

import csv
import io
import os
import socket
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import analytics
from tests.hostile.conftest import assert_refused

BAD_INPUT = 2

HEADERS = {
    "revenue": [
        "company",
        "period",
        "stream",
        "counterparty",
        "amount",
        "currency",
        "unit",
        "source",
        "precision",
        "note",
    ],
    "counterparties": [
        "company",
        "counterparty",
        "counterparty_class",
        "counterparty_group",
        "is_pool",
        "note",
    ],
    "partnerships": [
        "company",
        "partner",
        "kind",
        "start_date",
        "end_date",
        "stake_percent",
        "source",
        "note",
    ],
    "events": ["company", "event_date", "label", "description", "annotate", "source", "note"],
    "kpis": ["company", "period", "metric", "value", "unit", "source", "note"],
}
# Per table: a valid row 2, and a valid row 3 of another grain that each cell case spoils.
GOOD_ROWS = {
    "revenue": (
        ["Acme", "2020Q1", "total", "all", "100", "USD", "millions", "10-Q t1", "", ""],
        ["Acme", "2020Q1", "ads", "third_parties", "40", "USD", "millions", "10-Q n3", "", ""],
    ),
    "counterparties": (
        ["Acme", "BigCo", "strategic_partner", "BigCo", "false", ""],
        ["Acme", "SmallCo", "third_party", "SmallCo", "false", ""],
    ),
    "partnerships": (
        ["Acme", "BigCo", "equity_stake", "2020-01-01", "", "12.5", "press", ""],
        ["Acme", "BigCo", "cooperation", "2020-01-01", "2021-01-01", "", "press", ""],
    ),
    "events": (
        ["Acme", "2020-03-01", "Deal", "signed", "true", "press", ""],
        ["Acme", "2020-04-01", "Launch", "launched", "true", "press", ""],
    ),
    "kpis": (
        ["Acme", "2020Q1", "mau", "12.5", "millions", "10-Q", ""],
        ["Acme", "2020Q1", "dau", "3.5", "millions", "10-Q", ""],
    ),
}

Builder = Callable[[Path], Path]


def csv_text(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # \r\n: a CR in a cell gets quoted
    return buffer.getvalue()


def write_table(path: Path, table: str, rows: list[list[object]]) -> Path:
    path.write_text(csv_text([HEADERS[table], *rows]), encoding="utf-8", newline="")
    return path


def spoiled(table: str, column: str, value: object) -> list[list[object]]:
    """The table's two good rows with `column` of row 3 set to `value`."""
    first, second = GOOD_ROWS[table]
    changed: list[object] = list(second)
    changed[HEADERS[table].index(column)] = value
    return [list(first), changed]


def cell(table: str, column: str, value: str, *needles: str) -> tuple[str, Builder, tuple]:
    """A case: row 3's `column` holds `value`; the error names row 3, the column and needles."""

    def build(folder: Path) -> Path:
        return write_table(folder / f"{table}.csv", table, spoiled(table, column, value))

    return table, build, ("row 3", f"column '{column}'", *needles)


def raw_file(name: str, content: bytes, *needles: str, table: str = "revenue"):
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return table, build, needles


def special(build: Builder, *needles: str, table: str = "revenue"):
    return table, build, needles


# --- CSV structure ----------------------------------------------------------------------------

HEADER_LINE = ",".join(HEADERS["revenue"])
VALID_LINES = [
    csv_text(
        [
            [
                "Acme",
                f"2020Q{q}",
                s,
                "third_parties",
                "10",
                "USD",
                "millions",
                "Annual report 2019, table 5",
                "",
                "",
            ]
        ]
    ).strip()
    for q in (1, 2, 3)
    for s in ("ads", "fees")
]
UNTERMINATED = 'Acme,2019Q4,total,all,100,USD,millions,"Annual report 2019, table 5,,'
UNQUOTED_COMMA = "Acme,2019Q4,total,all,100,USD,millions,Annual report 2019,,table 5,extra words"
# Before: 6 rows swallowed into one note, "1 rows read", exit 0.
STRUCTURE = {
    "unterminated_quote_then_six_valid_rows": raw_file(
        "runaway.csv",
        "\n".join([HEADER_LINE, UNTERMINATED, *VALID_LINES, ""]).encode(),
        "row 2",
        "double quote",
    ),
    # Before: the quote ran to the end of the file; the row held one giant source, exit 0.
    "unterminated_quote_in_the_last_row": raw_file(
        "runaway_last.csv",
        "\n".join([HEADER_LINE, *VALID_LINES, UNTERMINATED]).encode(),
        "row 8",
        "never closed",
    ),
    # Before: text after a closing quote was glued on silently.
    "text_after_a_closing_quote": raw_file(
        "stray.csv",
        "\n".join(
            [HEADER_LINE, VALID_LINES[0], 'Acme,2019Q4,total,all,100,USD,millions,"Annual" report,,']
        ).encode(),
        "row 3",
        "double quote",
    ),
    # Before: source=Annual report 2019, the rest dropped, exit 0.
    "more_cells_than_the_header": raw_file(
        "wide.csv",
        "\n".join([HEADER_LINE, VALID_LINES[0], UNQUOTED_COMMA]).encode(),
        "row 3",
        "11 cells",
        "10 columns",
        "double quotes",
    ),
    # Before: a value under an unnamed trailing header column was dropped silently.
    "a_value_beyond_the_named_columns": raw_file(
        "beyond.csv",
        "\n".join([HEADER_LINE + ",", VALID_LINES[0] + ",", VALID_LINES[1] + ",lost"]).encode(),
        "row 3",
        "header names 10 columns",
    ),
    # Before: "contains NUL bytes" with no row or column.
    "a_nul_byte_in_a_note": raw_file(
        "nul.csv",
        "\n".join([HEADER_LINE, VALID_LINES[0], VALID_LINES[1] + "a\x00b"]).encode(),
        "row 3",
        "column 'note'",
        "NUL",
    ),
    # Before: "field larger than field limit (131072)", no row, the limit undocumented.
    "a_cell_over_the_csv_cell_limit": raw_file(
        "huge.csv",
        "\n".join([HEADER_LINE, VALID_LINES[0], VALID_LINES[1] + "x" * (1024 * 1024 + 1)]).encode(),
        "row 3",
        "1 MiB",
        "1,048,576",
    ),
    # Before: the 131072 csv limit refused it with no row; now the note's own limit names it.
    "a_200_kb_note": cell("revenue", "note", "n" * 200_000, "200,000 characters", "10,000"),
    # Before: an unknown header with ESC was ignored silently.
    "a_control_character_in_a_header_cell": raw_file(
        "header.csv",
        "\n".join([HEADER_LINE + ",remarks\x1b", VALID_LINES[0]]).encode(),
        "row 1",
        "header cell 11",
        "\\x1b",
    ),
}


# --- input paths ------------------------------------------------------------------------------


def folder_named(name: str) -> Builder:
    def build(folder: Path) -> Path:
        (folder / name).mkdir()
        return folder / name

    return build


def symlink_loop(folder: Path) -> Path:
    (folder / "a.csv").symlink_to(folder / "b.csv")
    (folder / "b.csv").symlink_to(folder / "a.csv")
    return folder / "a.csv"


def dangling_symlink(folder: Path) -> Path:
    (folder / "gone.csv").symlink_to(folder / "never_written.csv")
    return folder / "gone.csv"


def unix_socket(folder: Path) -> Path:
    previous = Path.cwd()
    os.chdir(folder)  # a socket path is limited to ~100 bytes: bind a relative name
    try:
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind("socket.csv")
    finally:
        os.chdir(previous)
    return folder / "socket.csv"


def named_pipe(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.csv")
    return folder / "pipe.csv"


PATHS = {
    # Before: IsADirectoryError traceback.
    "a_folder": special(folder_named("revenue"), "is a folder"),
    # Before: "cannot open as an Excel workbook: [Errno 21] ..." (true, but says nothing useful).
    "a_folder_named_like_a_workbook": special(folder_named("revenue.xlsx"), "is a folder"),
    # Before: "file not found", which it is not.
    "a_symlink_loop": special(symlink_loop, "too many levels of symbolic links"),
    "a_dangling_symlink": special(dangling_symlink, "broken symbolic link"),
    # Before: OSError (ENXIO) traceback.
    "a_socket": special(unix_socket, "not a regular file"),
    # Before: ingest blocked forever waiting for a writer.
    "a_named_pipe": special(named_pipe, "not a regular file"),
    # Before: OSError (ENAMETOOLONG) traceback from Path.exists.
    "a_file_name_too_long": special(lambda folder: folder / ("n" * 300 + ".csv"), "file name too long"),
}


# --- numbers ----------------------------------------------------------------------------------

NUMBERS = {
    # Before: read as 1.2345 thousands = 1,234.50.
    "decimal_comma_with_point_thousands": cell(
        "revenue", "amount", "1.234,5", "use a point as the decimal separator"
    ),
    # Before: read as 12345.
    "decimal_comma": cell("revenue", "amount", "1234,5", "use a point as the decimal separator"),
    # Before: read as 1234 (millions).
    "comma_groups_of_one": cell("revenue", "amount", "1,2,3,4", "groups of three"),
    "comma_groups_of_two": cell("revenue", "amount", "12,34", "groups of three"),
    "comma_first_group_of_four": cell("revenue", "amount", "1234,567", "groups of three"),
    # Before: traceback (printed_precision re-parsed the text without removing the space).
    "space_grouping": cell("revenue", "amount", "1 234", "space"),
    # Before: stored as 1234 when a precision was given (printed_precision not called).
    "space_grouping_with_precision": cell("revenue", "amount", "12 345", "space"),
    "non_breaking_space_grouping": cell("revenue", "amount", "1\u00a0234", "space"),
    # Before: read as one thousand two hundred and thirty-four thousand... or "not a number".
    "point_thousands": cell("revenue", "amount", "1.234.567", "decimal separator"),
    # Before: Decimal reads underscores: stored 1000.
    "underscore_grouping": cell("revenue", "amount", "1_000", "not a number"),
    # Before: Decimal reads Arabic-Indic and full-width digits: stored 123.
    "arabic_indic_digits": cell("revenue", "amount", "\u0661\u0662\u0663", "not a number"),
    "full_width_digits": cell("revenue", "amount", "\uff11\uff12", "not a number"),
    # Before: InvalidOperation traceback from quantize.
    "amount_1e30": cell("revenue", "amount", "1e30", "too large", "maximum", "9,999,999,999,999,999.99"),
    "amount_1e400": cell("revenue", "amount", "1e400", "too large", "maximum"),
    # Before: decimal.Overflow traceback.
    "amount_huge_exponent": cell("revenue", "amount", "1e999999999", "too large"),
    # Before: "is too large", without the maximum.
    "amount_just_over_the_maximum": cell("revenue", "amount", "10000000000", "maximum"),
    # Before: "finer than a cent", not which column rule.
    "amount_tiny_exponent": cell(
        "revenue", "amount", "1e-999999999", "more decimals than the column keeps (2)"
    ),
    "amount_finer_than_a_cent": cell(
        "revenue", "amount", "0.000000001", "more decimals than the column keeps (2)"
    ),
    # A leaf may be negative (a loss), a printed total may not.
    "negative_printed_total": (
        "revenue",
        lambda folder: write_table(
            folder / "revenue.csv",
            "revenue",
            [["Acme", "2020Q1", "total", "all", "-100", "USD", "millions", "10-Q t1", "", ""]],
        ),
        ("row 2", "column 'amount'", "negative", "printed total"),
    ),
    # Before: precision 0,5 read as 5.
    "precision_decimal_comma": cell("revenue", "precision", "0,5", "decimal separator"),
    # Before: InvalidOperation traceback.
    "precision_1e30": cell("revenue", "precision", "1e30", "maximum"),
    # Before: stored as 18.12.
    "stake_with_three_decimals": cell(
        "partnerships", "stake_percent", "18.125", "more decimals than the column keeps (2)"
    ),
    # Before: exit 3 from validate with no row or column.
    "stake_over_100": cell("partnerships", "stake_percent", "150", "over 100"),
    # Before: overflowed DECIMAL(5,2) on write.
    "stake_1e3": cell("partnerships", "stake_percent", "1e3", "over 100"),
    # Before: read as 125, then exit 3 from validate.
    "stake_decimal_comma": cell("partnerships", "stake_percent", "12,5", "decimal separator"),
    # Before: stored as inf and validated.
    "kpi_1e400": cell("kpis", "value", "1e400", "too large for a double"),
    # Before: stored as 0.0.
    "kpi_1e_minus_400": cell("kpis", "value", "1e-400", "cannot be stored exactly"),
    # Before: stored rounded to 12345678901234567168.
    "kpi_twenty_digits": cell("kpis", "value", "12345678901234567891", "significant digits"),
    # Before: read as 123.
    "kpi_comma_groups_of_one": cell("kpis", "value", "1,2,3", "groups of three"),
    # Before: read as 1234.
    "kpi_space_grouping": cell("kpis", "value", "1 234", "space"),
}


# --- periods and dates ------------------------------------------------------------------------

PERIODS = {
    # Before: ValueError traceback (year 0 has no dates).
    "quarter_of_year_zero": cell("revenue", "period", "0000Q1", "between 1900 and 2200"),
    "year_zero": cell("revenue", "period", "0000", "between 1900 and 2200"),
    "kpi_quarter_of_year_zero": cell("kpis", "period", "0000Q1", "between 1900 and 2200"),
    # Before: accepted.
    "year_before_1900": cell("revenue", "period", "1899Q4", "between 1900 and 2200"),
    "year_after_2200": cell("revenue", "period", "2201", "between 1900 and 2200"),
    # Before: "unknown period format", not which part is wrong.
    "quarter_zero": cell("revenue", "period", "2016Q0", "quarter must be 1-4"),
    "quarter_five": cell("revenue", "period", "2016Q5", "quarter must be 1-4"),
    # Before: Arabic-Indic digits read as 2016Q1.
    "arabic_indic_year": cell("revenue", "period", "\u0662\u0660\u0661\u0666Q1", "2016Q1"),
    # Before: the ESC was echoed raw in the error line.
    "escape_in_a_period": cell("revenue", "period", "2016Q1\x1b[2J", "\\x1b"),
    # Before: "is not a date" (true, but not why).
    "date_year_zero": cell("partnerships", "start_date", "0000-01-01", "between 1900 and 2200"),
    # Before: accepted.
    "event_before_1900": cell("events", "event_date", "1850-01-01", "between 1900 and 2200"),
    # Before: Python 3.11 read these as ISO dates and stored them.
    "basic_iso_date": cell("partnerships", "start_date", "20200101", "YYYY-MM-DD"),
    "iso_week_date": cell("partnerships", "start_date", "2020-W01-1", "YYYY-MM-DD"),
    # Before: exit 3 from validate, no row or column.
    "partnership_ends_before_it_starts": cell(
        "partnerships", "end_date", "2019-12-31", "ends before it starts", "2019-12-31"
    ),
}


# --- names and free text ----------------------------------------------------------------------

LONG = "N" * 20_000
NAMES = {
    # Before: all accepted and stored, to reach terminals, charts and slides later.
    "company_with_escape": cell("revenue", "company", "Acme\x1b[31m", "control character \\x1b"),
    "company_with_osc_title": cell("revenue", "company", "\x1b]0;pwned\x07Acme", "\\x1b"),
    "company_with_del": cell("revenue", "company", "Ac\x7fme", "\\x7f"),
    "company_with_c1_csi": cell("revenue", "company", "Ac\x9bme", "\\x9b"),
    "company_with_bidi_override": cell("revenue", "company", "Acme\u202eevil", "\\u202e"),
    "company_with_newline": cell("revenue", "company", "Ac\nme", "\\x0a"),
    "stream_with_bell": cell("revenue", "stream", "ads\x07", "\\x07"),
    "stream_with_tab": cell("revenue", "stream", "a\tds", "\\x09"),
    # Before: refused, but with the raw ESC echoed into the error line.
    "counterparty_with_escape_in_revenue": cell("revenue", "counterparty", "Big\x1bCo", "\\x1b"),
    "unit_with_escape": cell("revenue", "unit", "millions\x1b[0m", "\\x1b"),
    "currency_with_escape": cell("revenue", "currency", "U\x1bD", "\\x1b"),
    "counterparty_with_backspace": cell("counterparties", "counterparty", "Big\x08Co", "\\x08"),
    "counterparty_group_with_escape": cell("counterparties", "counterparty_group", "G\x1b[1m", "\\x1b"),
    "partner_with_escape": cell("partnerships", "partner", "Big\x1bCo", "\\x1b"),
    "kind_with_carriage_return": cell("partnerships", "kind", "equity\rstake", "\\x0d"),
    "label_with_escape": cell("events", "label", "Deal\x1b[5m", "\\x1b"),
    "metric_with_escape": cell("kpis", "metric", "mau\x1b", "\\x1b"),
    "kpi_unit_with_bell": cell("kpis", "unit", "millions\x07", "\\x07"),
    "is_pool_flag_with_escape": cell("counterparties", "is_pool", "yes\x1b[8m", "\\x1b"),
    # Before: 20,000-character names stored.
    "company_of_20000_characters": cell("revenue", "company", LONG, "20,000 characters", "200"),
    "stream_of_201_characters": cell("revenue", "stream", "s" * 201, "at most 200"),
    "counterparty_of_20000_characters": cell("counterparties", "counterparty", LONG, "at most 200"),
    "label_of_20000_characters": cell("events", "label", LONG, "at most 200"),
    "metric_of_201_characters": cell("kpis", "metric", "m" * 201, "at most 200"),
    # Free text: tabs and line breaks are fine, other control characters and 10,001+ are not.
    "source_with_escape": cell("revenue", "source", "10-Q\x1b]8;;http://x\x07", "\\x1b"),
    "note_with_bell": cell("revenue", "note", "see\x07", "\\x07"),
    "note_with_line_separator": cell("revenue", "note", "a\u2028b", "\\u2028"),
    "description_with_escape": cell("events", "description", "launch\x1b[2J", "\\x1b"),
    "note_of_10001_characters": cell("revenue", "note", "n" * 10_001, "at most 10,000"),
    "source_of_50000_characters": cell("kpis", "source", "s" * 50_000, "at most 10,000"),
}


# --- XLSX -------------------------------------------------------------------------------------


def workbook(rows: list[list[object]], table: str = "revenue", formula_at: str | None = None) -> Builder:
    """An XLSX of HEADERS[table] + rows; `formula_at` (e.g. "E3") gets a formula nobody ran."""

    def build(folder: Path) -> Path:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(HEADERS[table])
        for row in rows:
            sheet.append(row)
        if formula_at is not None:
            sheet[formula_at] = "=SUM(1,2)"
        path = folder / f"{table}.xlsx"
        book.save(path)
        return path

    return build


def xlsx_rows(column: str, value: object, table: str = "revenue") -> list[list[object]]:
    return spoiled(table, column, value)


FORMULA = "formula without a saved value"
XLSX = {
    # Before: "is empty; a value is required".
    "formula_amount": special(
        workbook(xlsx_rows("amount", "40"), formula_at="E3"), "row 3", "column 'amount'", FORMULA, "save it"
    ),
    "formula_company": special(
        workbook(xlsx_rows("amount", "40"), formula_at="A2"), "row 2", "column 'company'", FORMULA
    ),
    # Before: an optional cell's formula silently read as empty, exit 0.
    "formula_note": special(
        workbook(xlsx_rows("amount", "40"), formula_at="J3"), "row 3", "column 'note'", FORMULA
    ),
    "formula_kpi_value": special(
        workbook(xlsx_rows("value", "1", "kpis"), "kpis", "D2"),
        "row 2",
        "column 'value'",
        FORMULA,
        table="kpis",
    ),
    # Before: InvalidOperation traceback.
    "float_amount_1e30": special(workbook(xlsx_rows("amount", 1e30)), "row 3", "column 'amount'", "maximum"),
    # Before: stored as 18.12.
    "float_stake_three_decimals": special(
        workbook(xlsx_rows("stake_percent", 18.125, "partnerships"), "partnerships"),
        "row 3",
        "column 'stake_percent'",
        "keeps (2)",
        table="partnerships",
    ),
    # Before: accepted.
    "c1_control_in_a_name": special(
        workbook(xlsx_rows("company", "Ac\x9bme")), "row 3", "column 'company'", "\\x9b"
    ),
    "period_before_1900": special(
        workbook(xlsx_rows("period", "1899Q1")), "row 3", "column 'period'", "1900"
    ),
}

CASES = {**STRUCTURE, **PATHS, **NUMBERS, **PERIODS, **NAMES, **XLSX}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_ingest_input_is_refused_with_one_line_naming_the_cell(case, cli, untouched, tmp_path):
    table, build, needles = CASES[case]
    folder = tmp_path / "input"
    folder.mkdir()
    path = build(folder)
    result = cli("ingest", str(path), "--table", table)
    line = assert_refused(result, BAD_INPUT, *needles)
    assert str(path) in line


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_one_line(cli, untouched, tmp_path):
    path = write_table(tmp_path / "locked.csv", "revenue", list(GOOD_ROWS["revenue"]))
    path.chmod(0)
    assert_refused(cli("ingest", str(path)), BAD_INPUT, "permission denied")


def test_inf_and_nan_are_still_refused_in_every_numeric_column(cli, untouched, tmp_path):
    for table, column in [
        ("revenue", "amount"),
        ("revenue", "precision"),
        ("partnerships", "stake_percent"),
        ("kpis", "value"),
    ]:
        for value in ("inf", "-Infinity", "nan", "NaN"):
            path = write_table(tmp_path / f"{table}.csv", table, spoiled(table, column, value))
            assert_refused(
                cli("ingest", str(path), "--table", table), BAD_INPUT, "row 3", f"column '{column}'", "finite"
            )


# --- what is still accepted, stored exactly ---------------------------------------------------


def leaf_amount(data_dir: Path, stream: str) -> tuple[Decimal, Decimal]:
    frame = analytics.sql(
        f"SELECT amount, precision FROM revenue WHERE company = 'Acme' AND stream = '{stream}'",
        data_dir=data_dir,
    )
    return frame.row(0)


@pytest.mark.parametrize(
    ("amount", "unit", "stored", "precision"),
    [
        ("1,234.5", "millions", "1234500000.00", "50000.00"),
        ("1,234,567", "units", "1234567.00", "0.50"),
        ("1234.5", "thousands", "1234500.00", "50.00"),
        ("1.5e3", "millions", "1500000000.00", "50000000.00"),
        ("2.5E+1", "thousands", "25000.00", "500.00"),
        ("+7", "units", "7.00", "0.50"),
        ("0.01", "units", "0.01", "0.00"),
        ("9,999,999,999,999,999.99", "units", "9999999999999999.99", "0.00"),
    ],
)
def test_unambiguous_amounts_are_stored_exactly(amount, unit, stored, precision, data_dir, tmp_path):
    row = ["Acme", "2020Q1", "ads", "third_parties", amount, "USD", unit, "t", "", ""]
    analytics.ingest(write_table(tmp_path / "ok.csv", "revenue", [row]), "revenue", data_dir)
    assert leaf_amount(data_dir, "ads") == (Decimal(stored), Decimal(precision))


def test_unambiguous_stakes_and_kpis_are_stored_exactly(data_dir, tmp_path):
    stakes = [
        ["Acme", "BigCo", f"kind_{i}", "2020-01-01", "", value, "press", ""]
        for i, value in enumerate(["18.120", "100", "1.25e1", "0"])
    ]
    analytics.ingest(write_table(tmp_path / "ps.csv", "partnerships", stakes), "partnerships", data_dir)
    kpis = [
        ["Acme", "2020Q1", f"m{i}", value, "count", "10-Q", ""]
        for i, value in enumerate(["1,234.5", "1.5e2", "1e308", "0.1"])
    ]
    analytics.ingest(write_table(tmp_path / "kpi.csv", "kpis", kpis), "kpis", data_dir)
    stored = analytics.sql(
        "SELECT stake_percent FROM partnerships WHERE company = 'Acme' ORDER BY kind", data_dir=data_dir
    )["stake_percent"].to_list()
    assert stored == [Decimal("18.12"), Decimal("100"), Decimal("12.5"), Decimal("0")]
    values = analytics.sql(
        "SELECT value FROM kpis WHERE company = 'Acme' ORDER BY metric", data_dir=data_dir
    )["value"].to_list()
    assert values == [1234.5, 150.0, 1e308, 0.1]


def test_free_text_keeps_line_breaks_and_names_may_be_200_characters(data_dir, tmp_path):
    name = "S" * 200
    rows = [
        [
            "Acme",
            "2020Q1",
            name,
            "third_parties",
            "1",
            "USD",
            "units",
            "p. 1\tcol 2",
            "",
            "line one\r\nline two",
        ]
    ]
    analytics.ingest(write_table(tmp_path / "ok.csv", "revenue", rows), "revenue", data_dir)
    frame = analytics.sql(
        "SELECT stream, source, note FROM revenue WHERE company = 'Acme'", data_dir=data_dir
    )
    assert frame.row(0) == (name, "p. 1\tcol 2", "line one\r\nline two")


def test_short_rows_padding_and_edge_years_are_still_accepted(data_dir, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "\n".join(
            [
                ",".join(HEADERS["revenue"]) + ",,",
                "Acme,1900Q1,ads,third_parties,1,USD,units,t",  # fewer cells than the header
                "Acme,2200,ads,third_parties,2,USD,units,t,,,,",  # empty padding beyond it
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    summary = analytics.ingest(path, "revenue", data_dir)
    assert summary.rows_read == 2
    periods = analytics.sql(
        "SELECT period FROM revenue WHERE company = 'Acme' ORDER BY 1", data_dir=data_dir
    )["period"].to_list()
    assert periods == ["1900Q1", "2200"]


def test_minus_zero_on_a_leaf_is_stored_as_zero_not_a_negative_zero(cli, data_dir, tmp_path):
    """Before: stored as -0.00. A leaf may be negative now, but `-0` is zero."""
    path = write_table(tmp_path / "revenue.csv", "revenue", spoiled("revenue", "amount", "-0"))
    result = cli("ingest", str(path))
    assert result.exit_code == 0, result.stderr
    stored = analytics.sql(
        "SELECT amount::VARCHAR AS amount FROM revenue WHERE company = 'Acme' "
        "AND stream = 'ads' AND counterparty = 'third_parties'",
        data_dir=data_dir,
    )
    assert stored["amount"].to_list() == ["0.00"]
