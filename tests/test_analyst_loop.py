"""The analyst's daily loop: parameters checked before DuckDB sees them, output in the format its
file name says, Excel with typed cells, JSON numbers, a terminal table that fits, and an
exported database other SQL tools can run the named queries in."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import duckdb
import pytest
from openpyxl import load_workbook

from analytics.results.terminal import table_text
from tests.hostile.conftest import assert_refused

PARTNER = ("query", "run", "partner_dependence", "-p", "company=Weibo", "-p", "partner=Alibaba")


@pytest.mark.parametrize(
    ("param", "named"),
    [
        ("period_kind=quarterly", "one of quarter, half, year"),
        ("from_period=2016Q5", "quarter must be 1-4"),
        ("from_period=2016-Q", "2016Q1"),
        ("to_period=16Q1", "2016Q1"),
        ("from_period=0000Q1", "year must be between"),
    ],
)
def test_a_bad_parameter_value_is_refused_naming_the_parameter(cli, param, named):
    name = param.split("=")[0]
    line = assert_refused(cli(*PARTNER, "-p", param), 2, f"parameter {name}", named)
    assert "Conversion Error" not in line


@pytest.mark.parametrize(
    ("query", "param", "named"),
    [
        ("concentration", "top_n=two", "whole number"),
        ("events", "annotated_only=maybe", "true or false"),
    ],
)
def test_typed_parameters_say_the_expected_form(cli, query, param, named):
    assert_refused(cli("query", "run", query, "-p", param), 2, param.split("=")[0], named)


def test_a_period_written_with_a_dash_is_read_as_the_same_quarter(cli):
    dashed = cli(*PARTNER, "-p", "from_period=2016-Q1", "-p", "to_period=2016Q1", "-f", "csv")
    assert dashed.exit_code == 0, dashed.stderr
    assert "2016Q1" in dashed.stdout and "2015Q4" not in dashed.stdout


def test_excel_output_has_typed_cells_a_frozen_bold_header_and_a_named_sheet(cli, tmp_path):
    target = tmp_path / "dependence.xlsx"
    result = cli(*PARTNER, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target).active
    assert sheet.title == "partner_dependence"
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert sheet.cell(1, 1).font.bold
    rows = {r[header.index("period")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    q4 = rows["2013Q4"]
    assert q4[header.index("partner_revenue")] == 28_500_000
    assert isinstance(q4[header.index("period_start")], datetime)
    assert round(q4[header.index("share_of_total")], 3) == 0.399
    money = sheet.cell(2 + list(rows).index("2013Q4"), header.index("total_revenue") + 1)
    assert money.number_format == "#,##0.00"
    assert rows["2015Q1"][header.index("share_of_total")] is None
    assert sheet.column_dimensions["A"].width >= len("company")


def test_excel_keeps_formula_like_text_as_inert_text(cli, tmp_path):
    target = tmp_path / "x.xlsx"
    cli("sql", "-o", str(target), "SELECT '=1+1' AS f")
    cell = load_workbook(target).active.cell(2, 1)
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_excel_needs_a_file(cli):
    assert_refused(cli("sql", "-f", "xlsx", "SELECT 1"), 2, "--output")


def test_json_gives_amounts_as_numbers_with_every_digit(cli):
    result = cli(*PARTNER, "-f", "json")
    rows = {r["period"]: r for r in json.loads(result.stdout, parse_float=Decimal)}
    assert rows["2013Q4"]["partner_revenue"] == Decimal("28500000.00")
    assert rows["2015Q1"]["partner_revenue"] is None
    big = cli("sql", "-f", "json", "SELECT 12345678901234567.89::DECIMAL(19,2) AS a")
    assert json.loads(big.stdout, parse_float=Decimal) == [{"a": Decimal("12345678901234567.89")}]


def test_ndjson_is_one_object_per_line(cli, tmp_path):
    target = tmp_path / "out.ndjson"
    assert cli(*PARTNER, "-o", str(target)).exit_code == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 35
    assert all(json.loads(line)["company"] == "Weibo" for line in lines)


def test_columns_chooses_and_orders_columns(cli):
    result = cli(*PARTNER, "--columns", "share_of_total,period", "-f", "csv")
    assert result.stdout.splitlines()[0] == "share_of_total,period"


def test_an_unknown_column_lists_the_known_ones(cli):
    line = assert_refused(cli(*PARTNER, "--columns", "period,nope"), 4, "nope", "share_of_total")
    assert "Unknown column" in line


def test_the_terminal_table_fits_the_width_and_never_cuts_a_number(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    result = cli(*PARTNER, "--columns", "period,partner_revenue,total_revenue,share_of_total,source")
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 100
    q4 = next(line for line in lines if line.startswith("2013Q4"))
    assert "28,500,000.00" in q4 and "71,420,000.00" in q4 and "39.90%" in q4
    assert "https://" not in result.stdout


def test_few_very_wide_rows_are_shown_as_records(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(*PARTNER, "-p", "from_period=2016Q1", "-p", "to_period=2016Q2")
    assert result.stdout.startswith("-[ row 1 ]")
    assert "11,100,000.00" in result.stdout and "9.30%" in result.stdout


def test_many_wide_rows_hide_columns_and_say_which():
    import polars as pl

    frame = pl.DataFrame({f"column_{i}": ["x" * 30] * 20 for i in range(10)})
    text = table_text(frame, 60)
    assert max(map(len, text.splitlines())) <= 120
    assert "more columns not shown" in text and "column_9" in text


def test_query_list_shows_every_parameter_with_its_default(cli):
    result = cli("query", "list")
    assert result.exit_code == 0
    assert "--param period_kind VARCHAR = 'quarter' in (quarter, half, year)" in result.stdout
    assert "--param company VARCHAR = 'Weibo'" in result.stdout  # DEFAULT_COMPANY, resolved
    assert "--param from_period PERIOD START = NULL" in result.stdout
    assert "= None" not in result.stdout and "peri..." not in result.stdout


@pytest.mark.parametrize("command", [("tables",), ("query", "list")])
def test_listings_take_every_format(cli, command):
    assert json.loads(cli(*command, "--format", "json").stdout)
    assert cli(*command, "--format", "csv").stdout.count("\n") > 5


def test_the_exported_database_runs_the_named_queries_in_plain_duckdb(cli, tmp_path):
    target = tmp_path / "weibo.duckdb"
    assert cli("db", "export", str(target)).exit_code == 0
    with duckdb.connect(str(target), read_only=True) as database:
        database.execute("SET VARIABLE from_period = '2016Q1'")
        database.execute("SET VARIABLE to_period = '2016Q2'")
        shares = database.sql(
            "SELECT period, round(share_of_total, 4) FROM queries.partner_dependence ORDER BY period"
        ).fetchall()
        assert shares == [("2016Q1", 0.093), ("2016Q2", 0.0871)]
        helper = database.sql(
            "SELECT count(*) FROM partner_periods('Weibo', 'Alibaba', 'quarter')"
        ).fetchall()[0][0]
        assert helper > 20
        views = {
            r[0]
            for r in database.sql(
                "SELECT view_name FROM duckdb_views() WHERE schema_name = 'queries'"
            ).fetchall()
        }
        assert {"partner_dependence", "growth", "concentration", "events"} <= views
