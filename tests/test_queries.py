"""Named queries: every shipped query runs, headers are contracts, parameters are bound."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import AnalyticsError, InputError, QueryError, UnknownNameError
from analytics.project import PROJECT_ROOT
from analytics.sql import queries

# Read from the repository, not discover(): collection runs before any fixture, so a
# developer's ANALYTICS_QUERIES_DIR would add its queries to the parameters.
SHIPPED = sorted(path.stem for path in (PROJECT_ROOT / "queries").glob("*.sql"))


def test_the_shipped_queries_include_the_ones_the_issue_asks_for():
    assert {"revenue_by_source", "partner_dependence", "growth", "concentration"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_query_runs_with_its_defaults(name, data_dir):
    frame = analytics.query(name, data_dir=data_dir)
    assert isinstance(frame, pl.DataFrame)
    # Weibo's figures are nearly all published once: restatements are tested on a company that
    # restates (tests/test_vintages.py).
    assert frame.height > 0 or name == "restatements"
    assert frame.width > 0


@pytest.mark.parametrize("name", sorted(set(SHIPPED) - {"events", "partnerships"}))
def test_every_period_query_takes_a_basis_and_a_date_and_says_the_basis(name, data_dir):
    named = queries.load(name)
    assert {"basis", "as_of"} <= {p.name for p in named.parameters}
    frame = analytics.query(name, data_dir=data_dir, basis="no such basis")
    assert "basis" in frame.columns or "latest_basis" in frame.columns
    # No period has a figure on a basis nobody used: every amount is a gap, never a number.
    amounts = [c for c in frame.columns if c.endswith(("revenue", "amount")) and frame.schema[c].is_numeric()]
    assert amounts and all(frame[c].null_count() == frame.height for c in amounts)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_query_has_a_description(name):
    named = queries.load(name)
    assert named.description
    assert named.name == name


def test_partner_dependence_returns_the_documented_columns(data_dir):
    frame = analytics.query("partner_dependence", data_dir=data_dir)
    assert {
        "period",
        "partner_revenue",
        "total_revenue",
        "share_of_total",
        "share_of_stream",
        "ttm_share_of_total",
    } <= set(frame.columns)


def test_a_header_gives_the_description_typed_parameters_and_defaults(tmp_path):
    path = tmp_path / "demo.sql"
    path.write_text(
        "-- Demo query for the header parser.\n"
        "-- Second line of the description.\n"
        "-- @param company VARCHAR = 'Wei''bo'  -- company to analyse\n"
        "-- @param top_n INTEGER = 3  -- how many\n"
        "-- @param ratio DOUBLE = 0.5\n"
        "-- @param flag BOOLEAN = true\n"
        "-- @param maybe VARCHAR = NULL\n"
        "-- @param needed VARCHAR  -- no default\n"
        "SELECT $company, $top_n, $ratio, $flag, $maybe, $needed\n",
        encoding="utf-8",
    )
    named = queries.parse_query_file(path)
    assert named.name == "demo"
    assert named.description == ("Demo query for the header parser. Second line of the description.")
    params = {p.name: p for p in named.parameters}
    assert [p.name for p in named.parameters] == ["company", "top_n", "ratio", "flag", "maybe", "needed"]
    assert params["company"].type == "VARCHAR"
    assert params["company"].default == "Wei'bo"
    assert params["company"].doc == "company to analyse"
    assert params["top_n"].default == 3
    assert params["ratio"].default == 0.5
    assert params["flag"].default is True
    assert params["maybe"].has_default and params["maybe"].default is None
    assert not params["needed"].has_default


@pytest.mark.parametrize("written", ["2016-01-01", "'2016-01-01'"])
def test_a_date_parameter_default_is_a_date(tmp_path, written):
    path = tmp_path / "since.sql"
    path.write_text(
        f"-- Since a date.\n-- @param since DATE = {written}\nSELECT $since AS d\n", encoding="utf-8"
    )
    (param,) = queries.parse_query_file(path).parameters
    assert param.default == date(2016, 1, 1)


def test_concentration_gives_alibabas_filed_shares_of_weibo_revenue(data_dir):
    """Hand-checked from the filings: Alibaba's revenue over Weibo's total, US$ millions."""
    by_period = {
        row["period"]: row
        for row in analytics.query("concentration", data_dir=data_dir, top_n="2").to_dicts()
    }
    for period, alibaba, total in [
        ("2013Q4", 28.5, 71.42),
        ("2016Q1", 11.1, 119.3),
        ("2016Q2", 12.8, 146.9),
        ("2017Q3", 25.3, 320.0),
    ]:
        row = by_period[period]
        assert row["top_counterparty"] == "Alibaba"
        assert float(row["total_revenue"]) == pytest.approx(total * 1e6)
        assert row["top_share"] == pytest.approx(alibaba / total)
        assert row["has_major_counterparty"] is (alibaba / total >= 0.10)
    assert by_period["2013Q4"]["top_share"] == pytest.approx(0.399, abs=0.0005)
    assert by_period["2016Q2"]["top_share"] == pytest.approx(0.0871, abs=0.00005)
    # Alibaba's revenue was not disclosed for 2015Q1: unknown, never 0%.
    assert by_period["2015Q1"]["top_share"] is None


def test_cli_strings_are_converted_to_the_parameter_type(tmp_path, data_dir):
    """Acme has three named customers (40, 25 and 10 of 100): top_n="2" must count two."""
    (tmp_path / "counterparties.csv").write_text(
        "company,counterparty,counterparty_class,counterparty_group,is_pool\n"
        "Acme,Beta,third_party,Beta,false\nAcme,Gamma,third_party,Gamma,false\n"
        "Acme,Delta,third_party,Delta,false\n",
        encoding="utf-8",
    )
    (tmp_path / "revenue.csv").write_text(
        "company,period,stream,counterparty,amount,currency,unit,source\n"
        "Acme,2016Q1,total,all,100,USD,millions,t\nAcme,2016Q1,sales,Beta,40,USD,millions,t\n"
        "Acme,2016Q1,sales,Gamma,25,USD,millions,t\nAcme,2016Q1,sales,Delta,10,USD,millions,t\n",
        encoding="utf-8",
    )
    analytics.ingest(tmp_path / "counterparties.csv", "counterparties", data_dir)
    analytics.ingest(tmp_path / "revenue.csv", "revenue", data_dir)

    def top_n_share(top_n: object) -> float:
        frame = analytics.query("concentration", data_dir=data_dir, company="Acme", top_n=top_n)
        return frame.filter(pl.col("period") == "2016Q1")["top_n_share"].item()

    assert top_n_share("1") == pytest.approx(0.40)
    assert top_n_share("2") == pytest.approx(0.65) == top_n_share(2)
    assert top_n_share("3") == pytest.approx(0.75)


def test_a_parameter_value_of_the_wrong_type_is_bad_input_naming_it(data_dir):
    with pytest.raises(InputError, match="parameter top_n: 'two' is not a whole number"):
        analytics.query("concentration", data_dir=data_dir, top_n="two")


def test_a_missing_required_parameter_is_a_query_error(tmp_path, monkeypatch, data_dir):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "needs_value.sql").write_text(
        "-- Needs a value.\n-- @param n INTEGER\nSELECT $n AS n\n", encoding="utf-8"
    )
    monkeypatch.setenv("ANALYTICS_QUERIES_DIR", str(folder))
    with pytest.raises(QueryError, match="n="):
        analytics.query("needs_value", data_dir=data_dir)
    assert analytics.query("needs_value", data_dir=data_dir, n="7")["n"][0] == 7


@pytest.mark.parametrize(
    "hostile",
    ["x' OR 1=1 --", "Alibaba'; DROP TABLE revenue; --", "' UNION SELECT * FROM read_csv('/etc/passwd') --"],
)
def test_a_hostile_partner_value_is_just_an_unknown_partner(hostile, data_dir):
    with pytest.raises(UnknownNameError) as caught:
        analytics.query("partner_dependence", data_dir=data_dir, company="Weibo", partner=hostile)
    assert caught.value.name == hostile
    assert "Alibaba" in caught.value.known


def test_parameters_are_bound_not_pasted_into_the_sql(tmp_path, monkeypatch, data_dir):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "echo_company.sql").write_text(
        "-- Echo a company name and count its rows.\n"
        "-- @param who VARCHAR = 'Weibo'\n"
        "SELECT $who AS company, count(*) AS n FROM revenue WHERE company = $who\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ANALYTICS_QUERIES_DIR", str(folder))
    hostile = "x' OR 1=1 --"
    frame = analytics.query("echo_company", data_dir=data_dir, who=hostile)
    assert frame["company"][0] == hostile
    assert frame["n"][0] == 0
    assert analytics.query("echo_company", data_dir=data_dir)["n"][0] > 0


def test_an_unknown_query_is_an_error_listing_the_known_ones():
    with pytest.raises(UnknownNameError) as caught:
        analytics.query("no_such_query")
    message = str(caught.value)
    assert "no_such_query" in message
    for name in SHIPPED:
        assert name in message


def test_an_unknown_parameter_is_an_error_naming_it(data_dir):
    with pytest.raises(AnalyticsError) as caught:
        analytics.query("partner_dependence", data_dir=data_dir, colour="blue")
    assert "colour" in str(caught.value)
    assert "partner" in str(caught.value)


def test_an_unknown_company_is_an_error_listing_the_known_ones(data_dir):
    with pytest.raises(UnknownNameError, match="Weibo"):
        analytics.query("partner_dependence", data_dir=data_dir, company="Nobody")


def test_an_analyst_query_dropped_in_the_queries_dir_runs_by_name(tmp_path, monkeypatch, data_dir):
    folder = tmp_path / "my_queries"
    folder.mkdir()
    (folder / "weibo_rows.sql").write_text(
        "-- Rows per table for one company.\n"
        "-- @param company VARCHAR = 'Weibo'  -- company\n"
        "SELECT count(*) AS n FROM revenue WHERE company = $company\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ANALYTICS_QUERIES_DIR", str(folder))
    assert "weibo_rows" in queries.discover()
    listed = analytics.list_queries()
    assert "weibo_rows" in listed["name"].to_list()
    expected = analytics.sql("SELECT count(*) AS n FROM revenue WHERE company = 'Weibo'", data_dir=data_dir)[
        "n"
    ][0]
    assert analytics.query("weibo_rows", data_dir=data_dir)["n"][0] == expected


def test_a_shipped_query_name_wins_over_an_analyst_file_of_the_same_name(tmp_path, monkeypatch):
    folder = tmp_path / "my_queries"
    folder.mkdir()
    (folder / "growth.sql").write_text("-- Shadow.\nSELECT 1 AS x\n", encoding="utf-8")
    monkeypatch.setenv("ANALYTICS_QUERIES_DIR", str(folder))
    assert queries.discover()["growth"].parent != folder


def test_a_declared_parameter_the_sql_does_not_use_is_a_bad_header(tmp_path, monkeypatch, data_dir):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "unused_param.sql").write_text(
        "-- Declares a parameter it never uses.\n"
        "-- @param company VARCHAR = 'Weibo'\n"
        "SELECT count(*) FROM revenue\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ANALYTICS_QUERIES_DIR", str(folder))
    with pytest.raises(QueryError, match="company"):
        analytics.query("unused_param", data_dir=data_dir)


def test_a_placeholder_without_a_param_line_is_a_bad_header(tmp_path: Path):
    path = tmp_path / "undeclared.sql"
    path.write_text("-- Uses an undeclared parameter.\nSELECT $who\n", encoding="utf-8")
    with pytest.raises(QueryError, match="who"):
        queries.parse_query_file(path)


def test_a_param_line_with_an_unknown_type_is_a_bad_header(tmp_path: Path):
    path = tmp_path / "bad_type.sql"
    path.write_text("-- Bad type.\n-- @param n BIGNUM = 1\nSELECT $n\n", encoding="utf-8")
    with pytest.raises(QueryError, match="bad parameter line"):
        queries.parse_query_file(path)


def test_list_queries_shows_every_shipped_query_with_its_parameters():
    listed = analytics.list_queries()
    assert sorted(listed["name"].to_list()) == SHIPPED
    row = listed.filter(pl.col("name") == "partner_dependence").row(0, named=True)
    assert "company VARCHAR = 'Weibo'" in row["parameters"]
    assert row["description"]


def test_a_query_for_the_second_company_uses_its_own_partner_group(two_company_data_dir):
    frame = analytics.query(
        "partner_dependence", data_dir=two_company_data_dir, company="Nimbus Cloud", partner="Nimbus Group"
    )
    assert frame.height > 0
    shares = frame["share_of_total"].drop_nulls()
    assert shares.len() > 0
    assert ((shares >= 0) & (shares <= 1)).all()
