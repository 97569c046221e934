"""The fast paths: text output without polars or pyarrow, option values without pydantic, and
the same bytes as polars wrote before.

Which libraries a command imports is checked in a fresh interpreter (`sys.modules` at exit);
the bytes are checked against polars itself, value by value and for a whole hostile result.
Speed itself is measured in bench/bench_query.py, never asserted here.
"""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import analytics
from analytics.results.formats import spreadsheet_safe
from analytics.results.rows import number_text

RUN_THEN_REPORT = """
import json, sys
from analytics.cli.app import main
sys.argv = ["analytics", "--data-dir", {data!r}, *{args!r}]
try:
    main()
except SystemExit as end:
    code = end.code
else:
    code = 0
heavy = ("polars", "pyarrow", "pydantic")
print(json.dumps([code, sorted(m for m in heavy if m in sys.modules)]), file=sys.stderr)
"""

#: Every plain type, and text a spreadsheet would run, quotes, line breaks, empty and NULL.
HOSTILE_SQL = """
SELECT * FROM (VALUES
  ('=cmd|x', '', NULL::VARCHAR, 1::TINYINT, -5::BIGINT, 0.1::FLOAT, 1e-5::DOUBLE,
   1.5e-7::DOUBLE, 'nan'::DOUBLE, 0.0000001::DECIMAL(38, 10), -1.50::DECIMAL(10, 2), true,
   'a,"b"' || chr(13) || 'c' || chr(10), '+1', '-x', '@y', chr(9) || 'tab', 'é€😀',
   1e16::DOUBLE, 16777217::FLOAT, -0.0::DOUBLE, 0.000123::DOUBLE),
  (NULL, NULL, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, 0.3::FLOAT, NULL, NULL)
) AS t("a,b", "q""uote", c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t2, u, v)
"""


def imported_after(data_dir: Path, *args: str) -> tuple[int, list[str]]:
    """Exit code and the heavy libraries loaded by one CLI run in a fresh interpreter."""
    code = RUN_THEN_REPORT.format(data=str(data_dir), args=list(args))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    exit_code, modules = json.loads(result.stderr.strip().splitlines()[-1])
    return exit_code, modules


def test_query_list_prints_its_table_without_importing_polars(data_dir):
    exit_code, modules = imported_after(data_dir, "query", "list")
    assert exit_code == 0
    assert "polars" not in modules


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson", "markdown", "table"])
def test_a_query_as_text_imports_neither_polars_pyarrow_nor_pydantic(data_dir, fmt):
    exit_code, modules = imported_after(data_dir, "query", "run", "partner_dependence", "--format", fmt)
    assert exit_code == 0
    assert modules == []


def test_a_bad_option_value_is_still_worded_by_typer(cli):
    result = cli("query", "run", "partner_dependence", "--timeout", "soon")
    assert result.exit_code == 2
    assert "Invalid value for '--timeout'" in result.stderr


def test_option_values_arrive_converted(cli, tmp_path):
    target = tmp_path / "out.csv"
    result = cli(
        "query",
        "run",
        "partner_dependence",
        "-p",
        "partner=Alibaba",
        "-p",
        "partner=SINA",
        "--timeout",
        "30",
        "-o",
        str(target),
        "--columns",
        "partner",
    )
    assert result.exit_code == 0, result.stderr
    assert set(target.read_text().splitlines()[1:]) == {"Alibaba", "SINA"}


def test_csv_is_byte_for_byte_what_polars_wrote_through_the_one_escaping_step(cli, data_dir):
    frame = analytics.sql(HOSTILE_SQL, data_dir=data_dir)
    result = cli("sql", "--format", "csv", HOSTILE_SQL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == spreadsheet_safe(frame).write_csv().encode("utf-8")
    raw = cli("sql", "--format", "csv", "--raw-text", HOSTILE_SQL)
    assert raw.stdout_bytes == frame.write_csv().encode("utf-8")


def test_ndjson_is_polars_json_with_decimals_as_numbers(cli, data_dir):
    frame = analytics.sql(HOSTILE_SQL, data_dir=data_dir)
    result = cli("sql", "--format", "ndjson", HOSTILE_SQL)
    assert result.exit_code == 0, result.stderr
    expected = frame.write_ndjson().replace('"j":"0.0000001000"', '"j":0.0000001000')
    expected = expected.replace('"k":"-1.50"', '"k":-1.50')
    assert result.stdout == expected


@given(st.floats(allow_nan=False))
def test_a_double_is_written_in_polars_notation(value):
    written = pl.DataFrame({"v": [value]}).write_csv(include_header=False).strip()
    assert number_text(value) == written


@given(st.floats(width=32, allow_nan=False))
def test_a_32_bit_float_is_written_in_polars_notation(value):
    single = struct.unpack("f", struct.pack("f", value))[0]
    written = (
        pl.DataFrame({"v": pl.Series([single], dtype=pl.Float32)}).write_csv(include_header=False).strip()
    )
    assert number_text(single, single=True) == written
    assert math.isinf(single) or float(written) == pytest.approx(single, rel=1e-6)
