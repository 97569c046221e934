"""The CLI, in-process through the `cli` fixture: exit code, stdout and stderr apart."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from analytics.project import DATA_DIR_ENV, PROJECT_ROOT
from analytics.store.schema import TABLES
from tests.conftest import copy_tables, stored_bytes, weibo_file

PARTNER_ARGS = (
    "query",
    "run",
    "partner_dependence",
    "--param",
    "company=Weibo",
    "--param",
    "partner=Alibaba",
)


@pytest.fixture(autouse=True)
def _restore_data_dir_env(monkeypatch, data_dir):
    """Whatever a command does to the environment is undone after each test."""
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))


def test_tables_lists_every_table(cli):
    result = cli("tables", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    listed = {row["table"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert listed == set(TABLES)


def test_tables_as_a_table_names_every_table(cli):
    result = cli("tables")
    assert result.exit_code == 0
    for name in TABLES:
        assert name in result.stdout


def test_query_list_shows_every_shipped_query(cli):
    result = cli("query", "list", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    names = {row["name"] for row in csv.DictReader(io.StringIO(result.stdout))}
    shipped = {p.stem for p in (PROJECT_ROOT / "queries").glob("*.sql")}
    assert names == shipped


def test_query_run_as_csv_prints_clean_csv_and_nothing_else(cli):
    result = cli(*PARTNER_ARGS, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert {"period", "partner_revenue", "total_revenue", "share_of_total"} <= set(rows[0])
    by_period = {r["period"]: r for r in rows}
    assert by_period["2013Q4"]["partner_revenue"] in ("28500000.00", "28500000")
    assert round(float(by_period["2016Q1"]["share_of_total"]), 3) == 0.093
    assert by_period["2015Q1"]["share_of_total"] == ""
    assert result.stdout.splitlines()[0].startswith("company,")


def test_query_run_as_json_gives_one_object_per_period(cli):
    result = cli(*PARTNER_ARGS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout, parse_float=Decimal)
    by_period = {r["period"]: r for r in rows}
    assert by_period["2015Q1"]["share_of_total"] is None
    assert by_period["2013Q4"]["partner_revenue"] == Decimal("28500000.00")


def test_query_run_as_markdown_gives_a_pipe_table(cli):
    result = cli(*PARTNER_ARGS, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| company |")
    assert set(lines[1]) <= {"|", "-", ":"}
    assert any("| 2013Q4 |" in line for line in lines)


def test_query_run_to_parquet_writes_the_file_and_keeps_stdout_empty(cli, tmp_path):
    target = tmp_path / "dependence.parquet"
    result = cli(*PARTNER_ARGS, "--format", "parquet", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    frame = pl.read_parquet(target)
    assert "share_of_total" in frame.columns
    assert frame.filter(pl.col("period") == "2013Q4")["partner_revenue"].to_list() == [28500000]


def test_query_run_to_a_csv_output_file_equals_the_stdout_csv(cli, tmp_path):
    target = tmp_path / "out.csv"
    written = cli(*PARTNER_ARGS, "--format", "csv", "--output", str(target))
    printed = cli(*PARTNER_ARGS, "--format", "csv")
    assert written.exit_code == printed.exit_code == 0
    assert target.read_text(encoding="utf-8") == printed.stdout


def test_an_unknown_query_exits_4_listing_the_known_ones(cli):
    result = cli("query", "run", "nope")
    assert result.exit_code == 4  # README: 4 unknown name (the known ones are listed)
    assert result.stdout == ""
    assert "partner_dependence" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_param_exits_2(cli):
    result = cli("query", "run", "partner_dependence", "--param", "company")
    assert result.exit_code == 2  # README: 2 bad input (the parameter named)
    assert result.stdout == ""
    assert "name=value" in result.stderr


def test_sql_counts_revenue_rows(cli, data_dir):
    # every stored row, each basis and publication: revenue_vintages (revenue shows one basis
    # per period, so it may hold fewer)
    result = cli("sql", "SELECT count(*) AS n FROM revenue_vintages", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    expected = pl.read_parquet(weibo_file(data_dir, "revenue")).height
    assert result.stdout.splitlines() == ["n", str(expected)]


def test_sql_reads_the_statement_from_a_file(cli, tmp_path):
    query = tmp_path / "x.sql"
    query.write_text("SELECT count(*) AS n FROM counterparties WHERE company = 'Weibo'\n", encoding="utf-8")
    result = cli("sql", "--file", str(query), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["n"] > 0


@pytest.mark.parametrize(
    "statement",
    [
        "COPY revenue TO 'x.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT 1; SELECT 2",
        "SET threads = 1",
    ],
)
def test_a_refused_statement_exits_5_with_one_stderr_line(statement, cli, data_dir):
    before = stored_bytes(data_dir)
    result = cli("sql", statement)
    assert result.exit_code == 5  # README: 5 query error, sandbox refusal
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Refused" in lines[0]
    assert stored_bytes(data_dir) == before


def test_a_query_error_leaves_stdout_empty(cli):
    result = cli("sql", "SELECT no_such_column FROM revenue")
    assert result.exit_code == 5  # README: 5 query error
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_ingest_of_a_bad_file_names_file_row_and_column(cli, data_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Acme,16Q1,total,all,100,USD,millions,t\n",
        encoding="utf-8",
    )
    before = stored_bytes(data_dir)
    result = cli("ingest", str(bad))
    assert result.exit_code == 2  # README: 2 bad input (file, row and column; nothing written)
    assert result.stdout == ""
    assert str(bad) in result.stderr
    assert "row 2" in result.stderr
    assert "column 'period'" in result.stderr
    assert stored_bytes(data_dir) == before


def test_ingest_of_a_good_file_upserts_it(cli, data_dir, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Acme,2016Q1,total,all,100,USD,millions,t\n",
        encoding="utf-8",
    )
    result = cli("ingest", str(good))
    assert result.exit_code == 0, result.stderr
    check = cli("sql", "SELECT amount FROM reported_totals WHERE company = 'Acme'", "--format", "csv")
    assert check.stdout.splitlines()[1] in ("100000000.00", "100000000")


def test_validate_exits_zero_on_the_shipped_data(cli):
    result = cli("validate")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_validate_exits_3_on_tampered_data(cli, data_dir):
    path = weibo_file(data_dir, "revenue")
    frame = pl.read_parquet(path)
    pl.concat([frame, frame.head(1)]).write_parquet(path)
    result = cli("validate")
    assert result.exit_code == 3  # README: 3 validation failed
    assert "company=Weibo" in result.stdout


def test_db_export_writes_a_duckdb_database(cli, tmp_path):
    target = tmp_path / "analytics.duckdb"
    result = cli("db", "export", str(target))
    assert result.exit_code == 0, result.stderr
    with duckdb.connect(str(target), read_only=True) as database:
        for table in TABLES:
            database.execute(f"SELECT count(*) FROM {table}").fetchone()


def acme_data_dir(data_dir, tmp_path):
    """A copy of the shipped data plus Acme's one revenue row."""
    from analytics.store.ingest import ingest

    other = tmp_path / "other"
    copy_tables(data_dir, other)
    acme = tmp_path / "acme.csv"
    acme.write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Acme,2016Q1,total,all,100,USD,millions,t\n",
        encoding="utf-8",
    )
    ingest(acme, "revenue", other)
    return other


def test_the_data_dir_env_var_is_honoured(cli, data_dir, tmp_path, monkeypatch):
    other = acme_data_dir(data_dir, tmp_path)
    from typer.testing import CliRunner

    from analytics.cli.app import app

    monkeypatch.setenv(DATA_DIR_ENV, str(other))
    result = CliRunner().invoke(
        app,
        ["sql", "SELECT DISTINCT company FROM revenue ORDER BY 1", "--format", "csv"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["company", "Acme", "Weibo"]


COMPANIES_SQL = "SELECT DISTINCT company FROM revenue ORDER BY 1"


@pytest.mark.parametrize(
    ("command", "exit_code", "stdout"),
    [
        (("sql", COMPANIES_SQL, "--format", "csv"), 0, "company\nAcme\nWeibo\n"),
        (("query", "run", "nope"), 4, ""),
    ],
)
def test_the_data_dir_option_lasts_one_invocation_in_process(
    command, exit_code, stdout, cli, data_dir, tmp_path
):
    """--data-dir goes into the invocation's Project (no module global); afterwards (even when
    the command failed) the library's defaults read $ANALYTICS_DATA_DIR, not that folder."""
    import analytics
    from analytics import project

    other = acme_data_dir(data_dir, tmp_path)
    result = cli(*command, data=other)
    assert (result.exit_code, result.stdout) == (exit_code, stdout), result.stderr
    assert project.data_dir() == data_dir.resolve()  # the autouse fixture's $ANALYTICS_DATA_DIR
    assert analytics.sql(COMPANIES_SQL)["company"].to_list() == ["Weibo"]
    assert os.environ[DATA_DIR_ENV] == str(data_dir)


def test_python_dash_m_analytics_help_works():
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("tables", "ingest", "validate", "sql", "query", "db"):
        assert command in result.stdout
