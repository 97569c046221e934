"""`analytics delete` and `ingest --replace`: validated, atomic, and named errors for unknowns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import analytics
from analytics.store.parquet import partition_path, stored_companies
from tests.conftest import NIMBUS, stored_bytes
from tests.hostile.conftest import assert_refused

HEADER = ["company", "period", "stream", "counterparty", "amount", "currency", "unit", "source"]


def write_revenue(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_deleting_a_company_removes_its_files_in_one_commit(two_company_data_dir, cli):
    folder = two_company_data_dir
    weibo = {k: v for k, v in stored_bytes(folder).items() if "company=Weibo" in k}
    result = cli("delete", "--company", "Nimbus Cloud", data=folder)
    assert result.exit_code == 0, result.stderr
    assert "Nimbus Cloud" not in stored_companies(folder, "revenue")
    assert not (folder / "revenue" / "company=Nimbus%20Cloud").exists()
    assert stored_bytes(folder) == weibo
    assert analytics.validate(folder) == []


def test_deleting_one_period_keeps_the_others_and_rederives(two_company_data_dir):
    folder = two_company_data_dir
    summary = analytics.delete("Nimbus Cloud", period="2019Q1", data_dir=folder)
    assert summary.removed["revenue"] > 0
    left = analytics.sql(
        "SELECT period, derivation FROM reported_totals "
        "WHERE company = 'Nimbus Cloud' AND period IN ('2019Q1', '2019Q2')",
        data_dir=folder,
    ).rows()
    # What was read for 2019Q1 is gone; its total is derived again from FY2019.
    assert ("2019Q1", "fiscal_year_remainder") in left and ("2019Q2", None) in left
    assert [p for p, d in left if p == "2019Q1" and d != "fiscal_year_remainder"] == []
    assert analytics.validate(folder) == []


@pytest.mark.parametrize(
    ("args", "code", "needles"),
    [
        (("--company", "Nobody"), 4, ("Unknown company 'Nobody'", "Weibo")),
        (("--company", "Weibo", "--table", "nope"), 4, ("Unknown table 'nope'", "revenue")),
        (("--company", "Weibo", "--period", "1999Q1"), 4, ("Unknown period", "2016Q1")),
        (("--company", "Weibo", "--period", "16Q1"), 2, ("not a period",)),
        (("--company", "Weibo", "--table", "counterparties"), 3, ("violation",)),
    ],
)
def test_a_refused_delete_names_why_and_writes_nothing(args, code, needles, cli, data_dir):
    before = stored_bytes(data_dir)
    assert_refused(cli("delete", *args), code, *needles)
    assert stored_bytes(data_dir) == before


def test_ingest_replace_drops_the_files_periods_before_inserting(data_dir, tmp_path):
    first = write_revenue(
        tmp_path / "a.csv",
        [
            ["Acme", "2020Q1", "ads", "third_parties", "1", "USD", "units", "t"],
            ["Acme", "2020Q1", "shop", "third_parties", "2", "USD", "units", "t"],
            ["Acme", "2020Q2", "ads", "third_parties", "3", "USD", "units", "t"],
        ],
    )
    analytics.ingest(first, "revenue", data_dir)
    fixed = write_revenue(
        tmp_path / "b.csv", [["Acme", "2020Q1", "ads", "third_parties", "5", "USD", "units", "t"]]
    )
    summary = analytics.ingest(fixed, "revenue", data_dir, replace=True)
    assert summary.removed == 2
    rows = analytics.sql(
        "SELECT period, stream, amount FROM revenue WHERE company = 'Acme' ORDER BY ALL", data_dir=data_dir
    ).rows()
    assert [(p, s, str(a)) for p, s, a in rows] == [("2020Q1", "ads", "5.00"), ("2020Q2", "ads", "3.00")]
    assert partition_path(data_dir, "revenue", "Acme").exists()


def test_ingest_replace_of_counterparties_replaces_the_companys_list(two_company_data_dir, cli):
    result = cli(
        "ingest",
        "--replace",
        "--table",
        "counterparties",
        str(NIMBUS / "counterparties.csv"),
        data=two_company_data_dir,
    )
    assert result.exit_code == 0, result.stderr
    assert "replaced first" in result.stderr
