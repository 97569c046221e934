"""One company's query reads only that company's rows: checked on DuckDB's own EXPLAIN ANALYZE."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics import queries
from analytics.engine import connect

COMPANIES = {"Weibo": "Alibaba", "Nimbus Cloud": "Nimbus Group"}
TABLES_READ = ("revenue", "reported_totals", "counterparties")


def _scans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("extra_info", {}).get("Function") == "READ_PARQUET":
        yield node
    for child in node.get("children", []):
        yield from _scans(child)


def _parquet_scans(folder: Path, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    named = queries.load(query)
    connection = connect(folder, sandboxed=False)
    try:
        text = connection.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + named.sql,
                                  named.bind(params)).fetchall()[0][1]
    finally:
        connection.close()
    return [scan for operator in json.loads(text)["operator"] for scan in _scans(operator)]


def _rows_per_company(folder: Path) -> dict[tuple[str, str], int]:
    connection = connect(folder, sandboxed=False)
    try:
        return {(table, company): count for table in TABLES_READ
                for company, count in connection.sql(
                    f"SELECT company, count(*) FROM {table} GROUP BY ALL").fetchall()}
    finally:
        connection.close()


def _table_of(scan: dict[str, Any]) -> str:
    files = str(scan["extra_info"].get("Filename(s)", ""))
    return next(t for t in sorted(TABLES_READ, key=len, reverse=True) if t in files)


@pytest.mark.parametrize("company", list(COMPANIES))
def test_partner_dependence_of_one_company_never_scans_the_other_companys_rows(
        company, two_company_data_dir):
    rows = _rows_per_company(two_company_data_dir)
    scans = _parquet_scans(two_company_data_dir, "partner_dependence",
                           {"company": company, "partner": COMPANIES[company]})
    assert scans
    for scan in scans:
        table = _table_of(scan)
        assert scan["intermediate_rows"] <= rows[(table, company)], scan["extra_info"]
        others = [c for c in COMPANIES if c != company]
        files = str(scan["extra_info"].get("Filename(s)", ""))
        assert not any(other.replace(" ", "%20") in files for other in others), files
