"""The tables analysts query: columns, types, grain and meaning, in one place.

Parquet files, empty views, `analytics tables` and the README's schema section all come from
these definitions, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

AMOUNT_TYPE = "DECIMAL(18,2)"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    description: str
    #: SQL literal a stored file without this column (written before it existed) reads as.
    default: str | None = None
    #: Bookkeeping of the stored rows, left out of the table's view (`<table>_vintages` has it).
    stored_only: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def view_column_names(self) -> list[str]:
        """The columns of the table's view (`revenue`): all but the stored rows' bookkeeping."""
        return [c.name for c in self.columns if not c.stored_only]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_COMPANY = Column("company", "VARCHAR", "Company the figures belong to, e.g. Weibo")
_PERIOD = Column("period", "VARCHAR", "A fiscal period of the company: `2016` a fiscal year, "
                 "`2016H1` its first half, `2016Q1` its first quarter (see `companies`)")
_KIND = Column("period_kind", "VARCHAR", "`quarter`, `half` or `year`")
_START = Column("period_start", "DATE", "First day of the period in the company's fiscal calendar")
_END = Column("period_end", "DATE", "Last day of the period in the company's fiscal calendar")
_AMOUNT = Column("amount", AMOUNT_TYPE, "Exact amount in full currency units ($28.5M = 28500000)")
_CURRENCY = Column("currency", "VARCHAR", "ISO currency code; one per company (USD, CNY, ...)")
_PRECISION = Column(
    "precision", AMOUNT_TYPE, "Rounding of the printed figure, in full units (±)")
_SOURCE = Column("source", "VARCHAR", "Filing or publication and table the figure was read from")
_NOTE = Column("note", "VARCHAR", "Free text: basis, caveats")
_PERIOD_COLUMNS = (_COMPANY, _PERIOD, _KIND, _START, _END)
#: The accounting basis or presentation a figure is on when its file does not say.
AS_REPORTED = "as reported"
_BASIS = Column(
    "basis", "VARCHAR",
    f"Accounting basis or presentation of the figure (`{AS_REPORTED}` unless the file says, "
    "e.g. `ASC 605`, `ASC 606`, `continuing operations`); a period's figures on different "
    "bases never mix", default=f"'{AS_REPORTED}'")
_REPORTED_ON = Column(
    "reported_on", "DATE",
    "Date the figure was published; NULL when unknown (counts as the oldest publication). "
    "A remainder carries the date of the latest publication of its fiscal year's figures it was "
    "derived from")
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
        ),
        Column(
            "counterparty",
            "VARCHAR",
            "third_parties, a named counterparty (Alibaba), related_parties (known to be related "
            "parties, split unknown) or unattributed (no split given)",
        ),
        _AMOUNT,
        _CURRENCY,
        _PRECISION,
        Column("derived", "BOOLEAN", "True when computed from other figures (a remainder), not read"),
        Column("one_off", "BOOLEAN", "True for a one-off (a litigation settlement, a disposal "
               "gain): excluded from concentration and reported apart in partner dependence",
               default="false"),
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
)

REPORTED_TOTALS = Table(
    "reported_totals",
    "Totals as printed, per company, period and stream; stream `total` is total revenue. Rows "
    "with derived = true are a period's total revenue computed as its fiscal year (or half) "
    "minus the other parts: a quarter from its year and three quarters, a half from its year "
    "and the other half, a quarter from its half and the other quarter.",
    (
        *_PERIOD_COLUMNS,
        Column("stream", "VARCHAR", "A stream, or `total` for total revenue"),
        _AMOUNT,
        _CURRENCY,
        _PRECISION,
        Column("derived", "BOOLEAN", "True for a total derived from its fiscal year or half"),
        Column("split_is_exhaustive", "BOOLEAN",
               "True when the filing splits this stream into third-party and related-party "
               "revenue completely: what its printed parts leave is then related-party revenue "
               "(else it is unattributed)", default="false"),
        Column(
            "derivation", "VARCHAR", "fiscal_year_remainder when derived; NULL when printed",
        ),
        *_VINTAGE_COLUMNS,
        _SOURCE,
        _NOTE,
    ),
    grain=("company", "period", "stream", *_VINTAGE_GRAIN),
)

COUNTERPARTIES = Table(
    "counterparties",
    "Who pays the company. Counterparties sharing a group are under common control and count as "
    "one in concentration measures. A counterparty whose class or group changes has one row "
    "per span of dates (`valid_from`, `valid_to`).",
    (
        _COMPANY,
        Column("counterparty", "VARCHAR", "Name as used in revenue.counterparty"),
        Column(
            "counterparty_class",
            "VARCHAR",
            "third_party, related_party, strategic_partner, or mixed (a pool the filing "
            "does not split)",
        ),
        Column("counterparty_group", "VARCHAR", "Group under common control (defaults to the name)"),
        Column("is_pool", "BOOLEAN", "True for many customers reported together (third_parties)"),
        Column("valid_from", "DATE", "First day this class and group hold (a partner becomes a "
               "subsidiary, a rival becomes the partner); NULL: from the start"),
        Column("valid_to", "DATE", "Last day they hold; NULL: still. A period takes the row in "
               "force on its last day"),
        _NOTE,
    ),
    grain=("company", "counterparty", "valid_from"),
)

PARTNERSHIPS = Table(
    "partnerships",
    "Dated relationships with partners: equity stakes and strategic cooperations.",
    (
        _COMPANY,
        Column("partner", "VARCHAR", "Counterparty name of the partner"),
        Column("kind", "VARCHAR", "equity_stake, strategic_cooperation, or another label"),
        Column("start_date", "DATE", "First day of the relationship (or of this stake level)"),
        Column("end_date", "DATE", "Last day; NULL while it lasts"),
        Column("stake_percent", "DECIMAL(5,2)", "Equity stake in percent"),
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
        Column("event_date", "DATE", "Date of the event (first of the month when only the month is known)"),
        Column("date_precision", "VARCHAR", "`day` or `month`"),
        Column("label", "VARCHAR", "Short label for a chart annotation"),
        Column("description", "VARCHAR", "What happened"),
        Column("annotate", "BOOLEAN", "Show this event as a chart annotation"),
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
        Column("metric", "VARCHAR", "mau, dau, advertisers, ..."),
        Column("value", "DOUBLE", "The metric's value in `unit`"),
        Column("unit", "VARCHAR", "millions, count, ..."),
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
        Column("partner", "VARCHAR", "The counterparty, or group, the share is of"),
        Column("share_percent", "DECIMAL(7,4)", "The share as printed, in percent (85 = 85%)"),
        Column("share_of", "VARCHAR", "`total` (of total revenue) or the stream it is a share of"),
        Column("precision", "DECIMAL(7,4)",
               "Rounding of the printed percentage, in percentage points (±)"),
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
        Column("display_name", "VARCHAR", "Name in titles and headlines (defaults to `company`)"),
        Column("currency", "VARCHAR", "ISO code of the currency its figures are in"),
        Column("fiscal_year_end", "VARCHAR",
               "Month and day its fiscal year ends, `MM-DD` (`03-31`); a fiscal year is named by "
               "the calendar year it ends in (FY2024 = April 2023 to March 2024)",
               default="'12-31'"),
        Column("ticker", "VARCHAR", "Exchange ticker, e.g. `NASDAQ: WB`"),
        _SOURCE,
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

#: Pools every company has: counterparties that need no declaration.
BUILTIN_COUNTERPARTIES: dict[str, str] = {
    "third_parties": "third_party",
    "related_parties": "related_party",
    "unattributed": "mixed",
}
COUNTERPARTY_CLASSES = ("third_party", "related_party", "strategic_partner", "mixed")
UNATTRIBUTED = "unattributed"
#: A customer at or above this share of revenue is a major customer (the 10% that filings
#: disclose, ASC 280-10-50-42): SQL reads it as the macro `major_customer_share()`.
MAJOR_CUSTOMER_SHARE = 0.10
TOTAL_STREAM = "total"
TOTAL_COUNTERPARTY = "all"
