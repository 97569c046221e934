"""The tables analysts query: columns, types, grain and meaning, in one place.

Parquet files, empty views, `analytics tables` and the README's schema section all come from
these definitions, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import replace

from analytics.store.schema_model import OPTIONAL, REQUIRED, Column, Table

AMOUNT_TYPE = "DECIMAL(18,2)"

_COMPANY = Column("company", "VARCHAR", "Company the figures belong to, e.g. Weibo", ingest=REQUIRED)
_PERIOD = Column("period", "VARCHAR", "A fiscal period of the company: `2016` a fiscal year, "
                 "`2016H1` its first half, `2016Q1` its first quarter (see `companies`)",
                 ingest=REQUIRED, rule="period")
_KIND = Column("period_kind", "VARCHAR", "`quarter`, `half` or `year`")
_START = Column("period_start", "DATE", "First day of the period in the company's fiscal calendar")
# A file's period_end is only checked against the company's calendar, never stored as given.
_END = Column("period_end", "DATE", "Last day of the period in the company's fiscal calendar",
              ingest=OPTIONAL, rule="stated_period_end")
_AMOUNT = Column("amount", AMOUNT_TYPE, "Exact amount in full currency units ($28.5M = 28500000)",
                 ingest=REQUIRED, rule="amount")
_CURRENCY = Column("currency", "VARCHAR", "ISO currency code; one per company (USD, CNY, ...)",
                   ingest=REQUIRED, rule="currency")
_PRECISION = Column(
    "precision", AMOUNT_TYPE, "Rounding of the printed figure, in full units (±)",
    ingest=OPTIONAL, rule="amount_precision")
_SOURCE = Column("source", "VARCHAR", "Filing or publication and table the figure was read from",
                 ingest=REQUIRED, rule="source")
_NOTE = Column("note", "VARCHAR", "Free text: basis, caveats", ingest=OPTIONAL, rule="free_text")
_PERIOD_COLUMNS = (_COMPANY, _PERIOD, _KIND, _START, _END)
#: The accounting basis or presentation a figure is on when its file does not say.
AS_REPORTED = "as reported"
_BASIS = Column(
    "basis", "VARCHAR",
    f"Accounting basis or presentation of the figure (`{AS_REPORTED}` unless the file says, "
    "e.g. `ASC 605`, `ASC 606`, `continuing operations`); a period's figures on different "
    "bases never mix", default=f"'{AS_REPORTED}'", ingest=OPTIONAL, rule="basis")
_REPORTED_ON = Column(
    "reported_on", "DATE",
    "Date the figure was published; NULL when unknown (counts as the oldest publication). "
    "A remainder carries the date of the latest publication of its fiscal year's figures it was "
    "derived from", ingest=OPTIONAL, rule="date")
_SHOWN = Column(
    "shown", "BOOLEAN",
    "True when the row is what its period shows by default: on the period's basis, the latest "
    "publication of its line (kept by ingest). In `<table>_vintages`; the `<table>` view "
    "holds only these rows, without the column",
    default="true", stored_only=True)
#: The columns saying which publication of a figure a row is: a restated or corrected figure
#: is stored beside the original, and these pick what a period shows (views.sql).
VINTAGE_COLUMNS = (_BASIS, _REPORTED_ON)
_VINTAGE_GRAIN = tuple(c.name for c in VINTAGE_COLUMNS)
_VINTAGE_COLUMNS = (*VINTAGE_COLUMNS, _SHOWN)

REVENUE = Table(
    "revenue",
    "One row per leaf figure. Leaves never overlap: their sum over a company's period is its "
    "total revenue (within the rounding of the printed figures).",
    (
        *_PERIOD_COLUMNS,
        Column(
            "stream",
            "VARCHAR",
            "Revenue source: advertising, value_added_services, partner_ecommerce_share, other, "
            "the company's own label, or `unattributed` (the part of a total no stream explains)",
            ingest=REQUIRED,
        ),
        Column(
            "counterparty",
            "VARCHAR",
            "third_parties, a named counterparty (Alibaba), related_parties (known to be related "
            "parties, split unknown) or unattributed (no split given)",
            ingest=REQUIRED,
        ),
        _AMOUNT,
        _CURRENCY,
        _PRECISION,
        Column("derived", "BOOLEAN", "True when computed from other figures (a remainder), not read",
               ingest=OPTIONAL, rule="boolean"),
        Column("one_off", "BOOLEAN", "True for a one-off (a litigation settlement, a disposal "
               "gain): excluded from concentration and reported apart in partner dependence",
               default="false", ingest=OPTIONAL, rule="boolean"),
        Column(
            "derivation",
            "VARCHAR",
            "Where a leaf comes from when it is not a split read as such: printed_total (an "
            "unsplit printed total), stream_remainder, total_remainder, or source (derived in "
            "the source file); NULL for a split read from the source",
        ),
        *_VINTAGE_COLUMNS,
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "period", "stream", "counterparty", *_VINTAGE_GRAIN),
    # The unit scales amount and precision (`millions`); amounts are stored in full units.
    read_only=(Column("unit", "VARCHAR", "units, thousands, millions or billions",
                      ingest=REQUIRED, rule="unit"),),
)

REPORTED_TOTALS = Table(
    "reported_totals",
    "Totals as printed, per company, period and stream; stream `total` is total revenue. Rows "
    "with derived = true are a period's total revenue computed as its fiscal year (or half) "
    "minus the other parts: a quarter from its year and three quarters, a half from its year "
    "and the other half, a quarter from its half and the other quarter.",
    (
        *_PERIOD_COLUMNS,
        Column("stream", "VARCHAR", "A stream, or `total` for total revenue", ingest=REQUIRED),
        _AMOUNT,
        _CURRENCY,
        _PRECISION,
        Column("derived", "BOOLEAN", "True for a total derived from its fiscal year or half",
               ingest=OPTIONAL, rule="boolean"),
        Column("split_is_exhaustive", "BOOLEAN",
               "True when the filing splits this stream into third-party and related-party "
               "revenue completely: what its printed parts leave is then related-party revenue "
               "(else it is unattributed)", default="false", ingest=OPTIONAL, rule="boolean"),
        Column(
            "derivation", "VARCHAR", "fiscal_year_remainder when derived; NULL when printed",
        ),
        *_VINTAGE_COLUMNS,
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "period", "stream", *_VINTAGE_GRAIN),
    ingested_with="revenue",
)

COUNTERPARTIES = Table(
    "counterparties",
    "Who pays the company. Counterparties sharing a group are under common control and count as "
    "one in concentration measures. A counterparty whose class or group changes has one row "
    "per span of dates (`valid_from`, `valid_to`).",
    (
        _COMPANY,
        Column("counterparty", "VARCHAR", "Name as used in revenue.counterparty", ingest=REQUIRED),
        Column(
            "counterparty_class",
            "VARCHAR",
            "third_party, related_party, strategic_partner, or mixed (a pool the filing "
            "does not split)",
            ingest=REQUIRED, rule="counterparty_class", aliases=("class",),
        ),
        Column("counterparty_group", "VARCHAR", "Group under common control (defaults to the name)",
               ingest=OPTIONAL, rule="counterparty_group", aliases=("group",)),
        Column("is_pool", "BOOLEAN", "True for many customers reported together (third_parties)",
               ingest=OPTIONAL, rule="boolean"),
        Column("valid_from", "DATE", "First day this class and group hold (a partner becomes a "
               "subsidiary, a rival becomes the partner); NULL: from the start",
               ingest=OPTIONAL, rule="date"),
        Column("valid_to", "DATE", "Last day they hold; NULL: still. A period takes the row in "
               "force on its last day", ingest=OPTIONAL, rule="date"),
        _NOTE,
    ),
    grain=("company", "counterparty", "valid_from"),
)

PARTNERSHIPS = Table(
    "partnerships",
    "Dated relationships with partners: equity stakes and strategic cooperations.",
    (
        _COMPANY,
        Column("partner", "VARCHAR", "Counterparty name of the partner", ingest=REQUIRED),
        Column("kind", "VARCHAR", "equity_stake, strategic_cooperation, or another label", ingest=REQUIRED),
        Column("start_date", "DATE", "First day of the relationship (or of this stake level)",
               ingest=REQUIRED, rule="required_date", aliases=("start",)),
        Column("end_date", "DATE", "Last day; NULL while it lasts", ingest=OPTIONAL, rule="date",
               aliases=("end",)),
        Column("stake_percent", "DECIMAL(5,2)", "Equity stake in percent", ingest=OPTIONAL,
               rule="stake_percent"),
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "partner", "kind", "start_date"),
)

EVENTS = Table(
    "events",
    "Dated events, used to annotate charts.",
    (
        _COMPANY,
        Column("event_date", "DATE", "Date of the event (first of the month when only the month is known)",
               ingest=REQUIRED, rule="dated", aliases=("date",)),
        Column("date_precision", "VARCHAR", "`day` or `month`"),
        Column("label", "VARCHAR", "Short label for a chart annotation", ingest=REQUIRED),
        Column("description", "VARCHAR", "What happened", ingest=OPTIONAL, rule="free_text"),
        Column("annotate", "BOOLEAN", "Show this event as a chart annotation", ingest=OPTIONAL,
               rule="boolean_or_true"),
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "event_date", "label"),
)

KPIS = Table(
    "kpis",
    "Operating metrics per period.",
    (
        *_PERIOD_COLUMNS,
        Column("metric", "VARCHAR", "mau, dau, advertisers, ...", ingest=REQUIRED),
        Column("value", "DOUBLE", "The metric's value in `unit`", ingest=REQUIRED, rule="double"),
        Column("unit", "VARCHAR", "millions, count, ...", ingest=REQUIRED),
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "period", "metric"),
)

DISCLOSED_SHARES = Table(
    "disclosed_shares",
    "Shares of revenue a filing prints only as a percentage (\"approximately 85% of our revenue "
    "was derived from this contract\"), kept beside the amounts, never turned into one.",
    (
        *_PERIOD_COLUMNS,
        Column("partner", "VARCHAR", "The counterparty, or group, the share is of", ingest=REQUIRED),
        Column("share_percent", "DECIMAL(7,4)", "The share as printed, in percent (85 = 85%)",
               ingest=REQUIRED, rule="share_percent"),
        Column("share_of", "VARCHAR", "`total` (of total revenue) or the stream it is a share of",
               ingest=OPTIONAL, rule="share_of", aliases=("of",)),
        Column("precision", "DECIMAL(7,4)",
               "Rounding of the printed percentage, in percentage points (±)",
               ingest=OPTIONAL, rule="share_precision"),
        *_VINTAGE_COLUMNS,
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "period", "partner", "share_of", *_VINTAGE_GRAIN),
)

COMPANIES = Table(
    "companies",
    "What a company is: its name as shown, currency and fiscal calendar. A company not listed "
    "reports in calendar years; its currency is that of its figures.",
    (
        _COMPANY,
        Column("display_name", "VARCHAR", "Name in titles and headlines (defaults to `company`)",
               ingest=OPTIONAL, rule="display_name", aliases=("name",)),
        Column("currency", "VARCHAR", "ISO code of the currency its figures are in",
               ingest=REQUIRED, rule="currency"),
        Column("fiscal_year_end", "VARCHAR",
               "Month and day its fiscal year ends, `MM-DD` (`03-31`); a fiscal year is named by "
               "the calendar year it ends in (FY2024 = April 2023 to March 2024)",
               default="'12-31'", ingest=OPTIONAL, rule="fiscal_year_end",
               aliases=("year_end",)),
        Column("ticker", "VARCHAR", "Exchange ticker, e.g. `NASDAQ: WB`", ingest=OPTIONAL,
               rule="optional_name"),
        replace(_SOURCE, ingest=OPTIONAL),
        _NOTE,
    ),
    grain=("company",),
)

#: The figure tables: a figure may be published again (restated, corrected) beside the
#: original. `<table>_vintages` shows every publication; `<table>` what each period shows.
VINTAGE_TABLES = ("revenue", "reported_totals", "disclosed_shares")

TABLES: dict[str, Table] = {
    t.name: t for t in (REVENUE, REPORTED_TOTALS, COUNTERPARTIES, PARTNERSHIPS, EVENTS, KPIS,
                        DISCLOSED_SHARES, COMPANIES)
}

#: The tables whose rows are of a period (dated in their company's fiscal calendar).
PERIOD_TABLES = tuple(name for name, table in TABLES.items() if "period" in table.column_names)

# The vocabulary: each word defined here once. SQL reads these as macros (sql/vocabulary.py:
# `third_party_class()`, `unattributed_stream()`, `major_customer_share()`, ...).
#: Counterparty classes; a pool the filing does not split is `mixed`: it may hide any class.
THIRD_PARTY = "third_party"
RELATED_PARTY = "related_party"
STRATEGIC_PARTNER = "strategic_partner"
MIXED = "mixed"
COUNTERPARTY_CLASSES = (THIRD_PARTY, RELATED_PARTY, STRATEGIC_PARTNER, MIXED)
#: The part of a total no stream explains: a stream, and the pool its revenue is from.
UNATTRIBUTED = "unattributed"
THIRD_PARTIES = "third_parties"
RELATED_PARTIES = "related_parties"
#: Pools every company has: counterparties that need no declaration, with their class.
BUILTIN_COUNTERPARTIES: dict[str, str] = {
    THIRD_PARTIES: THIRD_PARTY,
    RELATED_PARTIES: RELATED_PARTY,
    UNATTRIBUTED: MIXED,
}
#: A customer at or above this share of revenue is a major customer (the 10% that filings
#: disclose, ASC 280-10-50-42): SQL reads it as the macro `major_customer_share()`.
MAJOR_CUSTOMER_SHARE = 0.10
#: The stream of total revenue (and the `share_of` of a share of total revenue).
TOTAL_STREAM = "total"
#: The counterparty of a printed total: all of them.
TOTAL_COUNTERPARTY = "all"
