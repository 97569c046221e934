"""Each rule once (issue 13, "One source of truth"): named queries bind period ranges as dates
dated in Python, take the shipped defaults by name, and name the tool's words through macros
emitted from the Python constants."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics import defaults
from analytics.errors import InputError, QueryError
from analytics.project import PROJECT_ROOT
from analytics.sql import queries, vocabulary
from analytics.sql.engine import connect
from analytics.store import schema
from tests.shapes import ingest_fixture

SHIPPED = sorted((PROJECT_ROOT / "queries").glob("*.sql"))
VIEWS_SQL = PROJECT_ROOT / "analytics" / "sql" / "views.sql"


def _code(path: Path) -> str:
    """A SQL file without its comments: what DuckDB runs."""
    return "\n".join(line.split("--", 1)[0] for line in path.read_text().splitlines())


def _query_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.sql"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def marlow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Marlow Holdings: half-years, fiscal years to 31 March (tests/fixtures/marlow)."""
    folder = tmp_path_factory.mktemp("marlow") / "data"
    folder.mkdir()
    return ingest_fixture(folder, "marlow")


# Periods: labels for people, dates for SQL.


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_shipped_query_parses_a_period_label(path: Path):
    assert not re.search(r"period_(start|end)_(of|in)\s*\(|label_kind\s*\(", _code(path))
    for param in queries.parse_query_file(path).parameters:
        if param.name == "from_period":
            assert param.type == "PERIOD START"
        if param.name == "to_period":
            assert param.type == "PERIOD END"


@pytest.mark.parametrize(
    ("company", "from_label", "to_label", "first_day", "last_day"),
    [
        ("Marlow", "2023H1", "2024", dt.date(2022, 4, 1), dt.date(2024, 3, 31)),
        ("Weibo", "2016Q1", "2016H1", dt.date(2016, 1, 1), dt.date(2016, 6, 30)),
        ("Nobody", "2016-Q2", "2016", dt.date(2016, 4, 1), dt.date(2016, 12, 31)),
    ],
)
def test_a_period_range_binds_its_days_in_the_companys_calendar(
    marlow, company, from_label, to_label, first_day, last_day
):
    named = queries.load("revenue_mix")
    bound = named.bind({"company": company, "from_period": from_label, "to_period": to_label})
    connection = connect(marlow)
    try:
        params = named.sql_params(bound, connection)
    finally:
        connection.close()
    assert (params["from_period"], params["to_period"]) == (first_day, last_day)
    assert named.sql_params(named.bind({"company": company}))["from_period"] is None


def test_the_marlow_range_is_read_in_its_march_calendar_end_to_end(marlow):
    frame = analytics.query(
        "partner_dependence",
        company="Marlow",
        partner="Orbis",
        period_kind="half",
        from_period="2023H1",
        to_period="2024H1",
        data_dir=marlow,
    )
    assert frame["period"].to_list() == ["2023H1", "2023H2", "2024H1"]
    assert frame["period_start"][0] == dt.date(2022, 4, 1)
    assert frame["period_end"][-1] == dt.date(2023, 9, 30)


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("2016Q5", "the quarter must be 1-4, not 5"),
        ("Q1 2016", "expected 2016Q1 (a quarter), 2016H1 (a half-year) or 2016 (a fiscal year)"),
        ("0999", "the year must be between 1900 and 2200"),
    ],
)
def test_a_bad_period_label_is_refused_as_before_naming_the_parameter(data_dir, label, why):
    with pytest.raises(InputError) as refused:
        analytics.query("growth", data_dir=data_dir, from_period=label)
    assert str(refused.value) == (
        f"parameter from_period: '{label}' is not a period such as "
        f"2016Q1 (a quarter) or 2016 (a fiscal year) ({why})"
    )


def test_query_list_says_which_day_a_period_binds():
    named = queries.load("growth")
    signatures = {p.name: p.signature for p in named.parameters}
    assert signatures["from_period"] == "from_period PERIOD START = NULL"
    assert signatures["to_period"] == "to_period PERIOD END = NULL"


OLD_WAY = """\
-- Revenue per period in a range, written before periods were bound as dates.
-- @param company VARCHAR = 'Marlow'
-- @param from_period PERIOD = NULL
-- @param to_period PERIOD = NULL
SELECT period, sum(amount) AS revenue FROM revenue_of($company)
WHERE period_kind = 'half'
  AND ($from_period IS NULL OR period_start >= period_start_of($from_period, $company))
  AND ($to_period IS NULL OR period_end <= period_end_of($to_period, $company))
GROUP BY period ORDER BY period
"""
NEW_WAY = """\
-- Revenue per period in a range.
-- @param company VARCHAR = 'Marlow'
-- @param from_period PERIOD START = NULL
-- @param to_period PERIOD END = NULL
SELECT period, sum(amount) AS revenue FROM revenue_of($company)
WHERE period_kind = 'half'
  AND ($from_period IS NULL OR period_start >= $from_period)
  AND ($to_period IS NULL OR period_end <= $to_period)
GROUP BY period ORDER BY period
"""


def test_an_analysts_query_written_the_old_way_still_runs_and_agrees(marlow, tmp_path, monkeypatch):
    folder = tmp_path / "my_queries"
    _query_file(folder, "old_way", OLD_WAY)
    _query_file(folder, "new_way", NEW_WAY)
    monkeypatch.setenv("ANALYTICS_QUERIES_DIR", str(folder))
    old = analytics.query("old_way", data_dir=marlow, from_period="2023H1", to_period="2024")
    new = analytics.query("new_way", data_dir=marlow, from_period="2023H1", to_period="2024")
    assert old["period"].to_list() == ["2023H1", "2023H2", "2024H1", "2024H2"]
    assert old.equals(new)
    assert (
        queries.load("old_way").sql_params(queries.load("old_way").bind({"from_period": "2023-H1"}))[
            "from_period"
        ]
        == "2023H1"
    )  # a plain PERIOD binds the label


def test_dating_a_period_start_parameter_again_is_refused_with_the_way_to_write_it(tmp_path):
    path = _query_file(
        tmp_path, "mixed_up", OLD_WAY.replace("from_period PERIOD = NULL", "from_period PERIOD START = NULL")
    )
    with pytest.raises(
        QueryError,
        match=r"\$from_period is declared PERIOD START, so it is bound "
        r"as a date already: compare `period_start >= \$from_period`",
    ):
        queries.parse_query_file(path)


# Defaults: named once, in analytics/defaults.py.


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_headers_name_the_shipped_defaults_instead_of_repeating_them(path: Path):
    header = [line for line in path.read_text().splitlines() if line.startswith("-- @param")]
    assert not [line for line in header if "'Weibo'" in line or "'Alibaba'" in line]
    params = {p.name: p for p in queries.parse_query_file(path).parameters}
    if "company" in params:
        assert params["company"].default == defaults.DEFAULT_COMPANY
    if "partner" in params:
        assert params["partner"].default in (defaults.DEFAULT_PARTNER, (defaults.DEFAULT_PARTNER,))


def test_a_named_default_follows_the_module_and_shows_as_its_value(tmp_path, monkeypatch):
    path = _query_file(
        tmp_path,
        "who",
        "-- Who.\n-- @param company VARCHAR = DEFAULT_COMPANY\n"
        "-- @param partner VARCHAR[] = DEFAULT_PARTNER\nSELECT $company, $partner\n",
    )
    monkeypatch.setattr(defaults, "DEFAULT_COMPANY", "Nimbus Cloud")
    named = queries.parse_query_file(path)
    assert [p.signature for p in named.parameters] == [
        "company VARCHAR = 'Nimbus Cloud'",
        "partner VARCHAR[] = ['Alibaba']",
    ]
    assert named.bind({}) == {"company": "Nimbus Cloud", "partner": ["Alibaba"]}


def test_an_unknown_named_default_is_a_bad_header_listing_the_known_ones(tmp_path):
    path = _query_file(
        tmp_path, "typo", "-- Typo.\n-- @param company VARCHAR = DEFAULT_COMPNY\nSELECT $company\n"
    )
    with pytest.raises(
        QueryError,
        match="DEFAULT_COMPNY is not a shipped default "
        r"\(one of DEFAULT_COMPANY, DEFAULT_PARTNER\)",
    ):
        queries.parse_query_file(path)


# Vocabulary: Python constants, emitted as macros.


def test_every_vocabulary_macro_returns_its_python_constant_in_ad_hoc_sql(data_dir):
    calls = ", ".join(f"{name}() AS {name}" for name in vocabulary.CONSTANTS)
    row = analytics.sql(f"SELECT {calls}, counterparty_classes() AS classes", data_dir=data_dir).row(
        0, named=True
    )
    for name, value in vocabulary.CONSTANTS.items():
        assert (row[name] if isinstance(value, str) else float(row[name])) == value, name
    assert row["classes"] == list(schema.COUNTERPARTY_CLASSES)
    pools = analytics.sql(
        "SELECT counterparty, counterparty_class FROM builtin_counterparties()", data_dir=data_dir
    )
    assert dict(pools.iter_rows()) == schema.BUILTIN_COUNTERPARTIES


def test_the_constants_cover_the_schemas_vocabulary():
    words = set(vocabulary.CONSTANTS.values())
    assert set(schema.COUNTERPARTY_CLASSES) | set(schema.BUILTIN_COUNTERPARTIES) <= words
    assert {schema.UNATTRIBUTED, schema.TOTAL_STREAM, schema.TOTAL_COUNTERPARTY} <= words
    assert schema.MAJOR_CUSTOMER_SHARE in words


@pytest.mark.parametrize("path", [VIEWS_SQL, *SHIPPED], ids=lambda p: p.stem)
def test_sql_names_the_vocabulary_through_its_macros_not_as_literals(path: Path):
    words = {value for value in vocabulary.CONSTANTS.values() if isinstance(value, str)}
    literals = set(re.findall(r"'([^']*)'", _code(path)))
    assert not literals & words, f"{path.name} spells out {sorted(literals & words)}"


def test_a_database_export_holds_the_vocabulary_macros(data_dir, tmp_path):
    target = analytics.export_database(tmp_path / "weibo.duckdb", data_dir=data_dir)
    with duckdb.connect(str(target), read_only=True) as database:
        assert database.execute(
            "SELECT third_party_class(), total_counterparty(), major_customer_share()"
        ).fetchall() == [(schema.THIRD_PARTY, schema.TOTAL_COUNTERPARTY, Decimal("0.1"))]


def test_a_database_file_dates_period_variables_as_the_tool_does(data_dir, tmp_path):
    """Without Python to date a label, an exported query's PERIOD START variable holds the label
    and SQL dates it (the README's `SET VARIABLE from_period = '2016Q1'`)."""
    target = analytics.export_database(tmp_path / "weibo.duckdb", data_dir=data_dir)
    named = queries.load("partner_dependence")
    expected = analytics.query(
        "partner_dependence", data_dir=data_dir, from_period="2016Q1", to_period="2016"
    )
    with duckdb.connect(str(target)) as database:
        database.execute(f"CREATE VIEW dependence AS {named.sql_with_variables()}")
        database.execute("SET VARIABLE from_period = '2016Q1'")
        database.execute("SET VARIABLE to_period = '2016'")
        periods = [r[0] for r in database.execute("SELECT period FROM dependence").fetchall()]
    assert periods == expected["period"].to_list() == ["2016Q1", "2016Q2", "2016Q3", "2016Q4"]
