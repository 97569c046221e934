"""One company's query reads only that company's files: checked on DuckDB's own EXPLAIN ANALYZE.

The helper macros read a company's rows through `<table>_of(company)`, which opens the company's
partition file by its computed path instead of globbing every company's folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analytics
from analytics.errors import QueryError
from analytics.sql import queries, sandbox
from analytics.sql.engine import CREATING_VIEWS, PARTITION_NAME_MACRO, connect
from analytics.store.parquet import partition_name, partition_path
from analytics.store.schema import TABLES

COMPANIES = {"Weibo": "Alibaba", "Nimbus Cloud": "Nimbus Group"}
TABLES_READ = ("revenue", "reported_totals", "counterparties", "disclosed_shares", "companies")


def _scans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("extra_info", {}).get("Function") == "READ_PARQUET":
        yield node
    for child in node.get("children", []):
        yield from _scans(child)


def _parquet_scans(folder: Path, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    named = queries.load(query)
    connection = connect(folder, sandboxed=False)
    try:
        text = connection.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + named.sql, named.sql_params(named.bind(params))
        ).fetchall()[0][1]
    finally:
        connection.close()
    return [scan for operator in json.loads(text)["operator"] for scan in _scans(operator)]


def _rows_per_company(folder: Path) -> dict[tuple[str, str], int]:
    connection = connect(folder, sandboxed=False)
    try:
        return {
            (table, company): count
            for table in TABLES_READ
            for company, count in connection.sql(
                f"SELECT company, count(*) FROM {table} GROUP BY ALL"
            ).fetchall()
        }
    finally:
        connection.close()


def _table_of(scan: dict[str, Any]) -> str:
    files = str(scan["extra_info"].get("Filename(s)", ""))
    return next(t for t in sorted(TABLES_READ, key=len, reverse=True) if t in files)


@pytest.mark.parametrize("company", list(COMPANIES))
def test_partner_dependence_of_one_company_never_scans_the_other_companys_rows(company, two_company_data_dir):
    rows = _rows_per_company(two_company_data_dir)
    scans = _parquet_scans(
        two_company_data_dir, "partner_dependence", {"company": company, "partner": COMPANIES[company]}
    )
    assert scans
    for scan in scans:
        table = _table_of(scan)
        assert scan["intermediate_rows"] <= rows[(table, company)], scan["extra_info"]
        others = [c for c in COMPANIES if c != company]
        files = str(scan["extra_info"].get("Filename(s)", ""))
        assert not any(other.replace(" ", "%20") in files for other in others), files


@pytest.mark.parametrize(
    "query",
    [
        "partner_dependence",
        "growth",
        "concentration",
        "revenue_by_source",
        "related_party_share",
        "revenue_mix",
    ],
)
@pytest.mark.parametrize("company", list(COMPANIES))
def test_a_one_company_query_opens_its_own_files_and_lists_no_other_folder(
    query, company, two_company_data_dir
):
    named = {p.name for p in queries.load(query).parameters}
    params = {"company": company, "partner": COMPANIES[company]}
    scans = _parquet_scans(two_company_data_dir, query, {k: v for k, v in params.items() if k in named})
    assert scans
    for scan in scans:
        info = scan["extra_info"]
        # A glob pruned by the company shows "Scanning Files: 1/2": it listed every folder.
        assert "Scanning Files" not in info, info
        assert info["Filename(s)"] == str(partition_path(two_company_data_dir, _table_of(scan), company)), (
            info
        )


NAMES = [
    "Weibo",
    "Nimbus Cloud",
    "Café & Co. (微博)",
    "a_b.c~d-e",
    "50% off",
    "O'Brien/../x",
    "",
    " ",
    "-",
    "\t",
]


@settings(max_examples=200, deadline=None)
@given(st.text() | st.sampled_from(NAMES))
def test_the_sql_partition_name_equals_the_stores(name):
    with duckdb.connect(":memory:") as connection:
        connection.execute(PARTITION_NAME_MACRO)
        assert connection.execute("SELECT partition_name($name)", {"name": name}).fetchone() == (
            partition_name(name),
        )


@pytest.fixture
def odd_names_data_dir(data_dir: Path) -> Path:
    """Weibo's files copied under names that need percent-encoding, as the store writes them."""
    with duckdb.connect(":memory:") as connection:
        for name in TABLES_READ:
            source = partition_path(data_dir, name, "Weibo")
            for company in NAMES[2:6]:
                target = partition_path(data_dir, name, company)
                target.parent.mkdir(parents=True)
                connection.execute(
                    "COPY (SELECT * REPLACE ($company AS company) FROM read_parquet($source)) "
                    f"TO '{target}' (FORMAT parquet)",
                    {"company": company, "source": str(source)},
                )
    return data_dir


@pytest.mark.parametrize("company", NAMES[2:6])
def test_a_company_named_with_any_characters_reads_its_own_file(company, odd_names_data_dir):
    weibo = analytics.query(
        "partner_dependence", data_dir=odd_names_data_dir, company="Weibo", partner="Alibaba"
    )
    own = analytics.query(
        "partner_dependence", data_dir=odd_names_data_dir, company=company, partner="Alibaba"
    )
    assert own.drop("company").equals(weibo.drop("company"))
    assert set(own["company"]) == {company}


@pytest.mark.parametrize("table", list(TABLES))
def test_a_company_without_a_file_has_no_rows_with_the_tables_columns(table, two_company_data_dir):
    connection = connect(two_company_data_dir)
    try:
        for company in ("Nobody", "../../..", None):
            relation = connection.sql(
                f"FROM {table}_of($company) WHERE company = 'Nobody'", params={"company": company}
            )
            assert relation.fetchall() == []
            assert relation.columns == TABLES[table].view_column_names
            assert relation.types == connection.sql(f"FROM {table}").types
    finally:
        connection.close()


def test_a_path_in_the_company_name_stays_inside_the_data_folder(two_company_data_dir):
    frame = analytics.sql(
        "SELECT count(*) AS n FROM revenue_of('../../../../etc/passwd')", data_dir=two_company_data_dir
    )
    assert frame["n"][0] == 0


@pytest.mark.parametrize("table", ["revenue", "reported_totals", "counterparties", "kpis"])
def test_null_reads_every_companys_rows_as_the_table_view_does(table, two_company_data_dir):
    every = analytics.sql(f"FROM {table}_of(NULL) ORDER BY ALL", data_dir=two_company_data_dir)
    view = analytics.sql(f"FROM {table} ORDER BY ALL", data_dir=two_company_data_dir)
    assert every.height > 0
    assert every.equals(view)


@pytest.mark.parametrize("view", ["period_revenue", "stream_revenue"])
def test_a_cross_company_view_is_its_macro_run_for_each_company(view, two_company_data_dir):
    every = analytics.sql(f"FROM {view} ORDER BY ALL", data_dir=two_company_data_dir)
    per_company = analytics.sql(
        " UNION ALL ".join(f"FROM {view}('{c}')" for c in COMPANIES) + " ORDER BY ALL",
        data_dir=two_company_data_dir,
    )
    assert set(every["company"]) == set(COMPANIES)
    assert every.equals(per_company)


def test_connecting_opens_no_data_file_and_one_company_opens_only_its_own(two_company_data_dir):
    damaged = partition_path(two_company_data_dir, "revenue", "Aaa damaged")
    damaged.parent.mkdir()
    damaged.write_bytes(b"not a parquet file")
    named = queries.load("partner_dependence")
    connection = connect(two_company_data_dir)
    try:
        frame = sandbox.run(
            connection, named.sql, named.sql_params(named.bind({"company": "Weibo", "partner": "Alibaba"}))
        )
        assert frame.height > 0
        with pytest.raises(QueryError):
            sandbox.run(connection, "SELECT count(*) FROM revenue")
    finally:
        connection.close()


def test_the_views_read_the_files_once_connected(two_company_data_dir):
    connection = connect(two_company_data_dir, sandboxed=False)
    try:
        assert connection.sql(f"SELECT getvariable('{CREATING_VIEWS}')").fetchall() == [(None,)]
        companies = connection.sql("SELECT DISTINCT company FROM period_revenue").fetchall()
        assert {c for (c,) in companies} == set(COMPANIES)
    finally:
        connection.close()
