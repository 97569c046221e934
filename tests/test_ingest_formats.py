"""The ingest formats come from schema.py: a column added to a table is read, typed and staged
with no other edit, and the documented formats (README, Ingest formats) stay exactly as they are.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from analytics.errors import InputError
from analytics.store import records, schema
from analytics.store.cell_rules import CELL_RULES
from analytics.store.cells_sql import FAST_PATHS, SQL_RULES
from analytics.store.readers import SourceRow
from analytics.store.records import FORMATS
from analytics.store.schema_model import OPTIONAL, Column
from analytics.store.staging import stage

DOCUMENTED = {
    "revenue": (
        ("company", "period", "stream", "counterparty", "amount", "currency", "unit", "source"),
        {
            "precision",
            "derived",
            "one_off",
            "split_is_exhaustive",
            "basis",
            "reported_on",
            "period_end",
            "note",
        },
        set(),
    ),
    "counterparties": (
        ("company", "counterparty", "counterparty_class"),
        {"counterparty_group", "is_pool", "valid_from", "valid_to", "note"},
        {("class", "counterparty_class"), ("group", "counterparty_group")},
    ),
    "partnerships": (
        ("company", "partner", "kind", "start_date", "source"),
        {"end_date", "stake_percent", "note"},
        {("start", "start_date"), ("end", "end_date")},
    ),
    "events": (
        ("company", "event_date", "label", "source"),
        {"description", "annotate", "note"},
        {("date", "event_date")},
    ),
    "kpis": (("company", "period", "metric", "value", "unit", "source"), {"period_end", "note"}, set()),
    "disclosed_shares": (
        ("company", "period", "partner", "share_percent", "source"),
        {"share_of", "precision", "basis", "reported_on", "period_end", "note"},
        {("of", "share_of")},
    ),
    "companies": (
        ("company", "currency"),
        {"display_name", "fiscal_year_end", "ticker", "source", "note"},
        {("name", "display_name"), ("year_end", "fiscal_year_end")},
    ),
}


@pytest.mark.parametrize("table", sorted(DOCUMENTED))
def test_each_format_reads_the_documented_columns_in_the_documented_order(table):
    required, optional, aliases = DOCUMENTED[table]
    spec = FORMATS[table]
    assert spec.required == required
    assert set(spec.optional) == optional
    assert set(spec.aliases) == aliases


def test_only_the_documented_tables_have_a_format_and_revenue_fills_two():
    assert set(FORMATS) == set(DOCUMENTED)
    assert FORMATS["revenue"].stores == ("revenue", "reported_totals")


def test_every_ingest_column_names_a_known_rule_and_revenue_keeps_its_fast_path():
    rules = {c.rule for spec in FORMATS.values() for c in spec.ingest_columns}
    assert rules <= set(CELL_RULES), rules - set(CELL_RULES)
    assert {c.rule for c in FORMATS["revenue"].ingest_columns} <= set(SQL_RULES)
    assert "revenue" in FAST_PATHS


def test_a_missing_column_names_the_format_and_every_required_column(tmp_path):
    path = tmp_path / "no_unit.csv"
    path.write_text(
        "company,period,stream,counterparty,amount,currency,source\nAcme,2020Q1,ads,third_parties,1,USD,s\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        stage(duckdb.connect(), path, FORMATS["revenue"])
    assert str(caught.value).endswith(
        "missing column 'unit' for the revenue format (found: company, period, stream, "
        "counterparty, amount, currency, source); expected company, period, stream, "
        "counterparty, amount, currency, unit, source"
    )


@pytest.fixture
def events_with_a_url(monkeypatch):
    """The events table with one more column, added the one way a column is added."""
    url = Column(
        "url", "VARCHAR", "Where to read about it", ingest=OPTIONAL, rule="free_text", aliases=("link",)
    )
    events = schema.TABLES["events"]
    monkeypatch.setitem(schema.TABLES, "events", replace(events, columns=(*events.columns, url)))
    return records._format("events")


def test_a_column_added_to_a_table_is_read_typed_and_staged_with_no_other_edit(events_with_a_url, tmp_path):
    assert "url" in events_with_a_url.optional
    assert events_with_a_url.stored_columns["url"] == "VARCHAR"
    path = tmp_path / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["company", "date", "label", "source", "link"],
                ["Acme", "2020-03", "Launch", "press", "https://a.example"],
            ]
        )
    connection = duckdb.connect()
    staged = stage(connection, path, events_with_a_url)
    assert connection.execute(
        f"SELECT url, event_date::VARCHAR, date_precision FROM {staged.table}"
    ).fetchall() == [("https://a.example", "2020-03-01", "month")]


def test_a_column_added_to_a_table_is_checked_by_its_rule(events_with_a_url):
    row = SourceRow(
        Path("events.csv"),
        2,
        {"company": "Acme", "event_date": "2020-03-01", "label": "Launch", "source": "", "url": "a\x1bb"},
    )
    with pytest.raises(InputError, match="control character"):
        events_with_a_url.build(row)
