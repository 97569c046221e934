"""Hostile SQL: every statement, named or ad hoc, passes the one sandbox door.

Families: statements that write or reconfigure (ad hoc and as named-query files), functions that
show the machine, DuckDB's temp folder, timeouts DuckDB cannot honour, memory, and bad limits.
Each refusal: its exact exit code, one stderr line saying what was refused, empty stdout, and a
byte-identical data folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import analytics
from analytics.errors import InputError, QueryError, SandboxRefusal
from analytics.project import QUERIES_DIR_ENV
from tests.hostile.conftest import assert_refused, run_cli

SANDBOX_EXIT = 5

# Statements that are not one plain SELECT: refused before DuckDB runs anything.
WRITING_STATEMENTS = [
    (
        "COPY (SELECT * FROM revenue WHERE false) "
        "TO '{data}/revenue/company=Weibo/data.parquet' (FORMAT parquet)",
        "COPY",
    ),
    ("COPY revenue TO '{data}/x.csv'", "COPY"),
    ("COPY revenue FROM '{data}/revenue/company=Weibo/data.parquet'", "COPY"),
    ("EXPORT DATABASE '{data}/dump'", "EXPORT"),
    ("ATTACH '{data}/x.duckdb' AS x", "attach"),
    ("DETACH memory", "detach"),
    ("INSTALL httpfs", "extension"),
    ("LOAD httpfs", "extension"),
    ("SET enable_external_access = true", "settings"),
    ("RESET memory_limit", "settings"),
    ("SET VARIABLE x = 1", "settings"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CREATE TABLE t AS SELECT * FROM revenue", "CREATE"),
    ("CREATE VIEW v AS SELECT 1", "CREATE"),
    ("CREATE MACRO m(a) AS a", "CREATE"),
    ("INSERT INTO revenue SELECT * FROM revenue", "INSERT"),
    ("UPDATE revenue SET amount = 0", "UPDATE"),
    ("DELETE FROM revenue", "DELETE"),
    ("DROP VIEW revenue", "DROP"),
    ("ALTER VIEW revenue RENAME TO r", "ALTER"),
    ("CALL duckdb_settings()", "CALL"),
    ("CHECKPOINT", "CHECKPOINT"),
    ("VACUUM", "VACUUM"),
    ("UPDATE EXTENSIONS", "not allowed"),
    ("EXPLAIN SELECT 1", "EXPLAIN"),
    ("SELECT 1; COPY revenue TO '{data}/x.csv'", "one statement"),
    ("CREATE TABLE t AS SELECT * FROM revenue; SELECT * FROM t", "one statement"),
    ("BEGIN TRANSACTION", "BEGIN"),
]

# Functions that show settings, paths or the environment, or run SQL built from strings.
REVEALING_SQL = [
    "SELECT current_setting('temp_directory')",
    "SELECT current_setting('home_directory')",
    "SELECT CURRENT_SETTING('allowed_directories')",
    "SELECT \"current_setting\"('allowed_directories')",
    "SELECT main.current_setting('temp_directory')",
    "SELECT current_setting /* split */ ('temp_directory')",
    "SELECT * FROM duckdb_settings()",
    "FROM duckdb_settings() SELECT value WHERE name = 'temp_directory'",
    "SELECT * FROM pragma_database_list",
    "SELECT * FROM query('SELECT * FROM duckdb_settings()')",
    "SELECT * FROM query_table('revenue')",
    "SELECT * FROM duckdb_extensions()",
    "SELECT * FROM duckdb_temporary_files()",
    "SELECT * FROM duckdb_databases()",
    "SELECT getvariable('x')",
    "WITH s AS (SELECT * FROM duckdb_settings()) SELECT * FROM s",
    "SELECT (SELECT value FROM duckdb_settings() WHERE name = 'home_directory') AS h",
]


@pytest.fixture
def queries_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "my_queries"
    folder.mkdir()
    monkeypatch.setenv(QUERIES_DIR_ENV, str(folder))
    return folder


@pytest.mark.parametrize(("statement", "named"), WRITING_STATEMENTS)
def test_ad_hoc_sql_that_is_not_one_select_is_refused(cli, untouched, statement, named):
    result = cli("sql", statement.format(data=untouched))
    line = assert_refused(result, SANDBOX_EXIT, "Refused", named)
    assert not (untouched / "x.csv").exists()
    assert line.startswith("Error: Refused")


NAMED_QUERY_ATTACKS = [
    pair for pair in WRITING_STATEMENTS if pair[1] in ("COPY", "EXPORT", "attach", "CREATE", "one statement")
] + [(statement, "not allowed") for statement in REVEALING_SQL[:3]]


@pytest.mark.parametrize(("statement", "named"), NAMED_QUERY_ATTACKS)
def test_a_named_query_file_that_writes_is_refused_when_run(cli, untouched, queries_dir, statement, named):
    (queries_dir / "evil.sql").write_text(
        "-- Looks harmless.\n" + statement.format(data=untouched) + "\n", encoding="utf-8"
    )
    result = cli("query", "run", "evil")
    assert_refused(result, SANDBOX_EXIT, "Refused", named)


@pytest.mark.parametrize("statement", [s for s, _ in WRITING_STATEMENTS[:5]] + REVEALING_SQL[:2])
def test_query_list_flags_a_file_that_would_be_refused(cli, data_dir, queries_dir, statement):
    (queries_dir / "evil.sql").write_text(
        "-- Looks harmless.\n" + statement.format(data=data_dir) + "\n", encoding="utf-8"
    )
    result = cli("query", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    import json

    listed = {row["name"]: row for row in json.loads(result.stdout)}
    assert listed["evil"]["status"].startswith("invalid: Refused")
    assert listed["partner_dependence"]["status"] == "ok"


def test_a_named_query_cannot_empty_a_table_and_validate_still_passes(cli, untouched, queries_dir):
    target = untouched / "revenue" / "company=Weibo" / "data.parquet"
    count = "SELECT count(*) AS n FROM revenue"
    before = analytics.sql(count, data_dir=untouched)["n"][0]
    (queries_dir / "wipe.sql").write_text(
        f"-- Wipe.\nCOPY (SELECT * FROM revenue WHERE false) TO '{target}' (FORMAT parquet)\n",
        encoding="utf-8",
    )
    assert_refused(cli("query", "run", "wipe"), SANDBOX_EXIT, "COPY")
    assert analytics.sql(count, data_dir=untouched)["n"][0] == before > 0
    assert cli("validate").exit_code == 0


@pytest.mark.parametrize("statement", REVEALING_SQL)
def test_functions_that_show_settings_and_paths_are_refused(cli, untouched, statement):
    result = cli("sql", statement)
    line = assert_refused(result, SANDBOX_EXIT, "Refused", "not allowed")
    for secret in (str(Path.home()), os.getcwd(), str(untouched)):
        assert secret not in line


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 'current_setting' AS mention_in_a_string",
        "SELECT 1 AS query",
        "SELECT count(*) AS n FROM revenue -- current_setting('x') in a comment",
        "SUMMARIZE SELECT amount FROM revenue",
        "DESCRIBE revenue",
    ],
)
def test_harmless_sql_that_mentions_a_refused_name_still_runs(cli, data_dir, statement):
    result = cli("sql", "--format", "csv", statement)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()


def test_the_temp_folder_in_the_working_directory_is_not_readable(untouched, tmp_path):
    work = tmp_path / "work"
    (work / ".tmp").mkdir(parents=True)
    (work / ".tmp" / "leak.csv").write_text("secret,1\n", encoding="utf-8")
    for statement in (
        "SELECT content FROM read_text('.tmp/leak.csv')",
        f"SELECT content FROM read_text('{work}/.tmp/leak.csv')",
        "SELECT * FROM glob('.tmp/*')",
    ):
        result = run_cli("sql", "-f", "csv", statement, data_dir=untouched, cwd=work)
        assert_refused(result, SANDBOX_EXIT, "Refused")
        assert "secret" not in result.stdout


def test_queries_leave_no_temp_folder_in_the_working_directory(untouched, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = run_cli(
        "sql",
        "-f",
        "csv",
        "--memory-limit",
        "64MB",
        "SELECT count(*) FROM (SELECT range % 1000 AS k, list(range) AS l FROM range(3000000) GROUP BY k)",
        data_dir=untouched,
        cwd=work,
    )
    assert result.returncode in (0, SANDBOX_EXIT), result.stderr
    assert not (work / ".tmp").exists()


# DuckDB ignores an interrupt inside one long function call or while planning: the CLI must end
# the work anyway. Timed out work exits 5 naming --timeout; the subprocess timeout only guards
# against a hang and is far above the limit.
STUBBORN_SQL = [
    "SELECT length(regexp_replace(repeat('ab', 500000000), 'a', 'b', 'g'))",
    "SELECT length(repeat('x', 2000000000))",
    "SELECT count(*) FROM revenue WHERE " + " OR ".join(f"amount = {i}" for i in range(100_000)),
    " UNION ALL ".join(f"SELECT {i} AS x" for i in range(20_000)),
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "SELECT count(*) FROM range(100000) a, range(100000) b, range(1000) c",
]


@pytest.mark.parametrize(
    "statement", STUBBORN_SQL, ids=["regexp", "repeat", "or_100k", "union_20k", "recursive", "cross_join"]
)
def test_the_timeout_ends_work_duckdb_does_not_interrupt(untouched, tmp_path, statement):
    query_file = tmp_path / "slow.sql"
    query_file.write_text(statement, encoding="utf-8")
    result = run_cli("sql", "--timeout", "2", "--file", str(query_file), data_dir=untouched, timeout=300)
    assert_refused(result, SANDBOX_EXIT, "timed out after 2 s", "--timeout")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "-1", "1e30"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_refused(cli, untouched, value):
    assert_refused(cli("sql", "--timeout", value, "SELECT 1"), 2, "--timeout")


@pytest.mark.parametrize("value", ["lots", "0GB", "-1GB", "12", "1 XB"])
def test_a_memory_limit_that_is_not_a_size_is_refused(cli, untouched, value):
    assert_refused(cli("sql", "--memory-limit", value, "SELECT 1"), 2, "memory limit")


def test_a_query_over_the_memory_limit_fails_with_one_line(cli, untouched):
    result = cli("sql", "--memory-limit", "100MB", "SELECT list(range) FROM range(200000000)")
    assert_refused(result, SANDBOX_EXIT, "memory limit of 100MB")


def test_the_memory_limit_comes_from_the_environment(cli, untouched, monkeypatch):
    monkeypatch.setenv("ANALYTICS_MEMORY_LIMIT", "100MB")
    result = cli("sql", "SELECT list(range) FROM range(200000000)")
    assert_refused(result, SANDBOX_EXIT, "memory limit of 100MB")


def test_a_huge_result_streams_to_stdout_in_bounded_memory(untouched):
    """30M rows of 60 characters (about 2 GB of CSV) pass through a process whose peak memory
    stays far below the result's size: the rows are never all in memory."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'analytics', '--data-dir', sys.argv[1], "
        "'sql', '-f', 'csv', '--timeout', '600', "
        "\"SELECT range AS n, repeat('x', 60) AS s FROM range(30000000)\"], "
        "stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    import subprocess

    measured = subprocess.run(
        [sys.executable, "-c", script, str(untouched)],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    peak_kib = int(measured.stdout.strip())
    assert peak_kib < 1_000_000, f"peak RSS {peak_kib} KiB"


def test_the_library_interrupts_a_slow_query_with_a_query_error(untouched):
    with pytest.raises(QueryError, match="timed out"):
        analytics.sql(
            "SELECT count(*) FROM range(100000) a, range(100000) b", data_dir=untouched, timeout=0.5
        )


def test_the_library_refuses_what_the_cli_refuses(untouched):
    with pytest.raises(SandboxRefusal):
        analytics.sql("SELECT * FROM duckdb_settings()", data_dir=untouched)
    with pytest.raises(InputError):
        analytics.sql("SELECT 1", data_dir=untouched, timeout=float("inf"))
