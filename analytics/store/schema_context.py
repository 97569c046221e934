"""The tables around the figures: who pays (counterparties), partnerships, events, KPIs, and
what a company is (its name, currency and fiscal calendar).

None of them keeps several publications of a row; `schema.TABLES` lists them with the figures.
"""

from __future__ import annotations

from dataclasses import replace

from analytics.store import schema_columns as col
from analytics.store.schema_model import OPTIONAL, REQUIRED, Column, Table

COUNTERPARTIES = Table(
    "counterparties",
    "Who pays the company. Counterparties sharing a group are under common control and count as "
    "one in concentration measures. A counterparty whose class or group changes has one row "
    "per span of dates (`valid_from`, `valid_to`).",
    (
        col.COMPANY,
        Column("counterparty", "VARCHAR", "Name as used in revenue.counterparty", ingest=REQUIRED),
        Column(
            "counterparty_class",
            "VARCHAR",
            "third_party, related_party, strategic_partner, or mixed (a pool the filing does not split)",
            ingest=REQUIRED,
            rule="counterparty_class",
            aliases=("class",),
        ),
        Column(
            "counterparty_group",
            "VARCHAR",
            "Group under common control (defaults to the name)",
            ingest=OPTIONAL,
            rule="counterparty_group",
            aliases=("group",),
        ),
        Column(
            "is_pool",
            "BOOLEAN",
            "True for many customers reported together (third_parties)",
            ingest=OPTIONAL,
            rule="boolean",
        ),
        Column(
            "valid_from",
            "DATE",
            "First day this class and group hold (a partner becomes a "
            "subsidiary, a rival becomes the partner); NULL: from the start",
            ingest=OPTIONAL,
            rule="date",
        ),
        Column(
            "valid_to",
            "DATE",
            "Last day they hold; NULL: still. A period takes the row in force on its last day",
            ingest=OPTIONAL,
            rule="date",
        ),
        col.NOTE,
    ),
    grain=("company", "counterparty", "valid_from"),
)

PARTNERSHIPS = Table(
    "partnerships",
    "Dated relationships with partners: equity stakes and strategic cooperations.",
    (
        col.COMPANY,
        Column("partner", "VARCHAR", "Counterparty name of the partner", ingest=REQUIRED),
        Column("kind", "VARCHAR", "equity_stake, strategic_cooperation, or another label", ingest=REQUIRED),
        Column(
            "start_date",
            "DATE",
            "First day of the relationship (or of this stake level)",
            ingest=REQUIRED,
            rule="required_date",
            aliases=("start",),
        ),
        Column(
            "end_date",
            "DATE",
            "Last day; NULL while it lasts",
            ingest=OPTIONAL,
            rule="date",
            aliases=("end",),
        ),
        Column(
            "stake_percent", "DECIMAL(5,2)", "Equity stake in percent", ingest=OPTIONAL, rule="stake_percent"
        ),
        col.SOURCE,
        col.NOTE,
    ),
    grain=("company", "partner", "kind", "start_date"),
)

EVENTS = Table(
    "events",
    "Dated events, used to annotate charts.",
    (
        col.COMPANY,
        Column(
            "event_date",
            "DATE",
            "Date of the event (first of the month when only the month is known)",
            ingest=REQUIRED,
            rule="dated",
            aliases=("date",),
        ),
        Column("date_precision", "VARCHAR", "`day` or `month`"),
        Column("label", "VARCHAR", "Short label for a chart annotation", ingest=REQUIRED),
        Column("description", "VARCHAR", "What happened", ingest=OPTIONAL, rule="free_text"),
        Column(
            "annotate",
            "BOOLEAN",
            "Show this event as a chart annotation",
            ingest=OPTIONAL,
            rule="boolean_or_true",
        ),
        col.SOURCE,
        col.NOTE,
    ),
    grain=("company", "event_date", "label"),
)

KPIS = Table(
    "kpis",
    "Operating metrics per period.",
    (
        *col.PERIOD_COLUMNS,
        Column("metric", "VARCHAR", "mau, dau, advertisers, ...", ingest=REQUIRED),
        Column("value", "DOUBLE", "The metric's value in `unit`", ingest=REQUIRED, rule="double"),
        Column("unit", "VARCHAR", "millions, count, ...", ingest=REQUIRED),
        col.SOURCE,
        col.NOTE,
    ),
    grain=("company", "period", "metric"),
)

COMPANIES = Table(
    "companies",
    "What a company is: its name as shown, currency and fiscal calendar. A company not listed "
    "reports in calendar years; its currency is that of its figures.",
    (
        col.COMPANY,
        Column(
            "display_name",
            "VARCHAR",
            "Name in titles and headlines (defaults to `company`)",
            ingest=OPTIONAL,
            rule="display_name",
            aliases=("name",),
        ),
        Column(
            "currency",
            "VARCHAR",
            "ISO code of the currency its figures are in",
            ingest=REQUIRED,
            rule="currency",
        ),
        Column(
            "fiscal_year_end",
            "VARCHAR",
            "Month and day its fiscal year ends, `MM-DD` (`03-31`); a fiscal year is named by "
            "the calendar year it ends in (FY2024 = April 2023 to March 2024)",
            default="'12-31'",
            ingest=OPTIONAL,
            rule="fiscal_year_end",
            aliases=("year_end",),
        ),
        Column(
            "ticker", "VARCHAR", "Exchange ticker, e.g. `NASDAQ: WB`", ingest=OPTIONAL, rule="optional_name"
        ),
        replace(col.SOURCE, ingest=OPTIONAL),
        col.NOTE,
    ),
    grain=("company",),
)
