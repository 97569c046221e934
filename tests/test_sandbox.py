"""Ad hoc SQL is sandboxed: read the tables, nothing else; each refusal is one clear line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics.errors import QueryError, SandboxRefusal
from analytics.store.schema import TABLES
from tests.conftest import weibo_file


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def refusal(text: str, data_dir: Path) -> QueryError:
    with pytest.raises(QueryError) as caught:
        analytics.sql(text, data_dir=data_dir)
    message = str(caught.value)
    assert message.strip()
    assert "\n" not in message.strip()
    return caught.value


def test_copy_to_a_file_in_the_data_dir_is_refused_and_writes_nothing(data_dir):
    before = fingerprint(data_dir)
    error = refusal(f"COPY revenue TO '{data_dir / 'x.csv'}'", data_dir)
    assert isinstance(error, SandboxRefusal)
    assert "COPY" in str(error)
    assert not (data_dir / "x.csv").exists()
    assert fingerprint(data_dir) == before


def test_copy_over_a_parquet_table_is_refused_and_leaves_it_byte_identical(data_dir):
    before = fingerprint(data_dir)
    refusal(f"COPY (SELECT 1 AS x) TO '{weibo_file(data_dir, 'revenue')}' (FORMAT parquet)", data_dir)
    assert fingerprint(data_dir) == before


def test_reading_a_file_outside_the_data_dir_is_refused(data_dir):
    error = refusal("SELECT * FROM read_csv('/etc/passwd')", data_dir)
    assert isinstance(error, SandboxRefusal)


def test_a_dotdot_path_escaping_the_data_dir_is_refused(data_dir):
    secret = data_dir.parent / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    error = refusal(f"SELECT content FROM read_text('{data_dir}/../secret.txt')", data_dir)
    assert isinstance(error, SandboxRefusal)
    assert "top secret" not in str(error)


def test_reading_a_parquet_table_by_path_inside_the_data_dir_is_allowed(data_dir):
    frame = analytics.sql(
        f"SELECT count(*) AS n FROM read_parquet('{data_dir}/kpis/*/*.parquet')", data_dir=data_dir
    )
    assert frame["n"][0] > 0


@pytest.mark.parametrize(
    ("statement", "word"),
    [
        ("ATTACH 'other.duckdb' AS other", "attach"),
        ("INSTALL httpfs", "extension"),
        ("LOAD httpfs", "extension"),
        ("SET threads = 1", "setting"),
        ("PRAGMA version", "PRAGMA"),
        ("CREATE TABLE t AS SELECT 1 AS x", "CREATE"),
        ("DROP VIEW revenue", "DROP"),
    ],
)
def test_a_statement_other_than_select_is_refused_with_a_one_line_reason(statement, word, data_dir):
    before = fingerprint(data_dir)
    error = refusal(statement, data_dir)
    assert isinstance(error, SandboxRefusal)
    assert word.lower() in str(error).lower()
    assert fingerprint(data_dir) == before


def test_two_statements_in_one_call_are_refused(data_dir):
    error = refusal("SELECT 1; SELECT 2", data_dir)
    assert isinstance(error, SandboxRefusal)
    assert "one statement" in str(error)


def test_a_select_followed_by_copy_is_refused_and_writes_nothing(data_dir):
    before = fingerprint(data_dir)
    refusal(f"SELECT 1; COPY revenue TO '{data_dir / 'y.csv'}'", data_dir)
    assert fingerprint(data_dir) == before


def test_a_syntax_error_is_a_one_line_query_error(data_dir):
    refusal("SELEKT 1", data_dir)


def test_a_runaway_query_times_out_with_a_query_error(data_dir):
    with pytest.raises(QueryError, match="timed out"):
        analytics.sql(
            "SELECT count(*) FROM range(10000000000) a, range(10) b", data_dir=data_dir, timeout=0.5
        )


def test_a_connection_still_works_after_a_timeout(data_dir):
    with pytest.raises(QueryError):
        analytics.sql(
            "SELECT count(*) FROM range(10000000000) a, range(10) b", data_dir=data_dir, timeout=0.5
        )
    assert analytics.sql("SELECT 1 AS one", data_dir=data_dir)["one"][0] == 1


@pytest.mark.parametrize("table", list(TABLES))
def test_a_plain_select_from_every_table_works(table, data_dir):
    frame = analytics.sql(f"SELECT * FROM {table}", data_dir=data_dir)
    assert frame.columns == TABLES[table].view_column_names
    assert frame.height > 0


def test_the_helper_views_are_readable(data_dir):
    for view in ("period_revenue", "stream_revenue"):
        assert analytics.sql(f"SELECT count(*) AS n FROM {view}", data_dir=data_dir)["n"][0] > 0


def test_db_export_writes_a_duckdb_file_holding_every_table(data_dir, tmp_path):
    target = tmp_path / "out" / "analytics.duckdb"
    target.parent.mkdir()
    written = analytics.export_database(target, data_dir=data_dir)
    assert Path(written) == target.resolve()
    with duckdb.connect(str(target), read_only=True) as database:
        names = {
            r[0] for r in database.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert set(TABLES) <= names
        for table in TABLES:
            (count,) = database.execute(f"SELECT count(*) FROM {table}").fetchone()
            expected = analytics.sql(f"SELECT count(*) AS n FROM {table}", data_dir=data_dir)["n"][0]
            assert count == expected, table
    assert not list(target.parent.glob(".*.tmp"))


def test_db_export_does_not_depend_on_the_parquet_files_afterwards(data_dir, tmp_path):
    target = tmp_path / "standalone.duckdb"
    analytics.export_database(target, data_dir=data_dir)
    for parquet in data_dir.rglob("*.parquet"):
        parquet.unlink()
    with duckdb.connect(str(target), read_only=True) as database:
        (count,) = database.execute("SELECT count(*) FROM revenue").fetchone()
    assert count > 0
