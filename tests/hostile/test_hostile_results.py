"""Hostile results: any column type in any format, output paths, pipes, and text that would
run in a spreadsheet or take over a terminal.

Families: types x formats (no traceback, one line at most), output paths (never inside the data
folder, never a folder), stdout written fully or failing, CSV formula injection, and control
characters escaped in everything shown to a person.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import polars as pl
import pytest

from analytics.results.formats import write_fully
from analytics.store import parquet
from analytics.store.schema import TABLES
from tests.hostile.conftest import assert_refused, run_cli

TYPED_VALUES = {
    "interval": "INTERVAL 3 DAY",
    "union": "union_value(k := 1)",
    "struct": "{'a': 1, 'b': 'x'}",
    "list": "[1, 2, 3]",
    "map": "MAP {'k': 1}",
    "infinite_date": "'infinity'::DATE",
    "negative_infinite_date": "'-infinity'::DATE",
    "infinite_timestamp": "'infinity'::TIMESTAMP",
    "hugeint": "170141183460469231731687303715884105727::HUGEINT",
    "uuid": "'5b0f0c1e-4b9a-4a57-8b43-3fb0c0a0d2a1'::UUID",
    "blob": "'\\xAA\\xBB'::BLOB",
    "bit": "'101'::BIT",
    "timetz": "'12:00:00+01'::TIMETZ",
    "enum": "'x'::ENUM('x', 'y')",
    "array": "[1, 2]::INTEGER[2]",
    "varint": "'123456789012345678901234567890'::VARINT",
    "nan_double": "'nan'::DOUBLE",
    "decimal_38": "1.5::DECIMAL(38, 10)",
    "time": "TIME '12:00'",
}
TEXT_FORMATS = ["table", "csv", "json", "markdown"]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("kind", sorted(TYPED_VALUES))
def test_every_column_type_prints_in_every_text_format(cli, untouched, kind, fmt):
    result = cli("sql", "--format", fmt, f"SELECT {TYPED_VALUES[kind]} AS v, 1 AS n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip()


@pytest.mark.parametrize("kind", sorted(TYPED_VALUES))
def test_every_column_type_writes_parquet(cli, untouched, tmp_path, kind):
    target = tmp_path / "out.parquet"
    result = cli("sql", "-o", str(target), f"SELECT {TYPED_VALUES[kind]} AS v, 1 AS n")
    assert result.exit_code == 0, result.stderr
    assert pl.read_parquet(target)["n"].to_list() == [1]


def test_an_infinite_date_is_shown_as_infinity_not_as_a_guess(cli, untouched):
    result = cli("sql", "-f", "csv", "SELECT 'infinity'::DATE AS d")
    assert result.stdout.splitlines() == ["d", "infinity"]


@pytest.mark.parametrize("name", ["revenue.parquet", "new.csv", "sub/x.parquet"])
def test_sql_output_inside_the_data_folder_is_refused(cli, untouched, name):
    result = cli("sql", "-f", "parquet", "-o", str(untouched / name), "SELECT * FROM revenue WHERE false")
    assert_refused(result, 2, "data folder")


def test_db_export_over_a_table_file_is_refused(cli, untouched):
    result = cli("db", "export", str(untouched / "revenue.parquet"))
    assert_refused(result, 2, "data folder")
    assert cli("validate").exit_code == 0


@pytest.mark.parametrize("case", ["folder", "empty", "missing_parent"])
def test_output_to_something_that_is_not_a_file_name_is_refused(cli, untouched, tmp_path, case):
    target = {"folder": str(tmp_path), "empty": "", "missing_parent": str(tmp_path / "no" / "x.csv")}[case]
    for command in (["sql", "-f", "csv", "-o", target, "SELECT 1 AS x"], ["db", "export", target]):
        assert_refused(cli(*command), 2)
    assert not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".csv", lambda p: p.read_text(encoding="utf-8").startswith("x\n1")),
        (".json", lambda p: json.loads(p.read_text(encoding="utf-8")) == [{"x": 1}]),
        (".parquet", lambda p: pl.read_parquet(p)["x"].to_list() == [1]),
        (".md", lambda p: p.read_text(encoding="utf-8").startswith("| x |")),
    ],
)
def test_the_output_format_follows_the_file_extension(cli, untouched, tmp_path, suffix, check):
    target = tmp_path / f"out{suffix}"
    result = cli("sql", "-o", str(target), "SELECT 1 AS x")
    assert result.exit_code == 0, result.stderr
    assert check(target)


def test_a_closed_pipe_ends_quietly_with_a_non_zero_exit(untouched):
    command = [
        sys.executable,
        "-m",
        "analytics",
        "--data-dir",
        str(untouched),
        "sql",
        "-f",
        "csv",
        "SELECT range AS n FROM range(20000000)",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline() == b"n\n"
        child.stdout.close()
        stderr = child.stderr.read().decode()
        assert child.wait(timeout=120) == 1
    assert stderr == ""


class ShortWrites(io.RawIOBase):
    """An output that, like a pipe or a 2 GiB write(2), accepts only part of each write."""

    def __init__(self) -> None:
        self.received = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        taken = bytes(data[:1000])
        self.received += taken
        return len(taken)


def test_output_is_written_fully_even_when_each_write_is_short():
    sink = ShortWrites()
    content = bytes(range(256)) * 100
    write_fully(sink, content)  # type: ignore[arg-type]
    assert bytes(sink.received) == content


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", '=HYPERLINK("x")']


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_text_cells_that_a_spreadsheet_would_run_are_neutralised(cli, untouched, formula):
    result = cli("sql", "-f", "csv", "SELECT $$" + formula + "$$ AS label, -5 AS n")
    assert result.exit_code == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["label"] == "'" + formula
    assert row["n"] == "-5"


@pytest.mark.parametrize("formula", FORMULAS[:3])
def test_raw_text_keeps_csv_cells_as_they_are_for_pipelines(cli, untouched, formula):
    result = cli("sql", "-f", "csv", "--raw-text", "SELECT $$" + formula + "$$ AS label")
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["label"] == formula


@pytest.mark.parametrize("formula", FORMULAS[:2])
def test_json_and_parquet_keep_text_exact(cli, untouched, tmp_path, formula):
    result = cli("sql", "-f", "json", "SELECT $$" + formula + "$$ AS label")
    assert json.loads(result.stdout) == [{"label": formula}]
    target = tmp_path / "x.parquet"
    cli("sql", "-o", str(target), "SELECT $$" + formula + "$$ AS label")
    assert pl.read_parquet(target)["label"].to_list() == [formula]


EVIL = "Evil\x1b]0;pwned\x07\x1b[2J\x08\u202e"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_control_characters_in_results_are_escaped_for_people(cli, untouched, fmt):
    result = cli("sql", "-f", fmt, "SELECT chr(27) || ']0;pwned' || chr(7) || chr(27) || '[2J' AS name")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout


def test_control_characters_in_error_messages_are_escaped(cli, untouched):
    result = cli("sql", f'SELECT * FROM "{EVIL}"')
    line = assert_refused(result, 5)
    assert "\x1b" not in line and "\\x1b" in line


def test_control_characters_in_an_unknown_query_name_are_escaped(cli, untouched):
    line = assert_refused(cli("query", "run", EVIL), 4, "Unknown query")
    assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line


def test_validate_escapes_control_characters_in_what_it_prints(cli, data_dir):
    """Data edited by hand (not through ingest) still cannot take over the terminal."""
    path = parquet.partition_path(data_dir, "revenue", "Weibo")
    frame = parquet.read_table(data_dir, "revenue")
    evil = frame.head(1).with_columns(pl.lit(EVIL).alias("counterparty"))
    parquet.conform(TABLES["revenue"], pl.concat([frame, evil])).write_parquet(path)
    result = cli("validate")
    assert result.exit_code == 3
    assert EVIL not in result.stdout and "\x1b" not in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout


def test_a_query_file_that_is_not_text_is_one_line(cli, untouched, tmp_path):
    binary = tmp_path / "q.sql"
    binary.write_bytes(b"SELECT \xff\xfe")
    assert_refused(cli("sql", "--file", str(binary)), 2, "not UTF-8", str(binary))
    assert_refused(cli("sql", "--file", str(tmp_path / "none.sql")), 2, "not found")
    assert_refused(cli("sql", "--file", str(tmp_path)), 2, "folder")


def test_run_cli_sees_the_same_escaping_as_in_process(untouched):
    result = run_cli("query", "run", EVIL, data_dir=untouched)
    line = assert_refused(result, 4, "Unknown query")
    assert "\x1b" not in line
