"""The figure tables: revenue leaves, printed totals and shares printed only as percentages.

Each row is one publication of a figure (its basis and date), so a restated or corrected figure
is stored beside the original; `schema.TABLES` lists them with the others.
"""

from __future__ import annotations

from analytics.store import schema_columns as col
from analytics.store.schema_model import OPTIONAL, REQUIRED, Column, Table

REVENUE = Table(
    "revenue",
    "One row per leaf figure. Leaves never overlap: their sum over a company's period is its "
    "total revenue (within the rounding of the printed figures).",
    (
        *col.PERIOD_COLUMNS,
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
        col.AMOUNT,
        col.CURRENCY,
        col.PRECISION,
        Column(
            "derived",
            "BOOLEAN",
            "True when computed from other figures (a remainder), not read",
            ingest=OPTIONAL,
            rule="boolean",
        ),
        Column(
            "one_off",
            "BOOLEAN",
            "True for a one-off (a litigation settlement, a disposal "
            "gain): excluded from concentration and reported apart in partner dependence",
            default="false",
            ingest=OPTIONAL,
            rule="boolean",
        ),
        Column(
            "derivation",
            "VARCHAR",
            "Where a leaf comes from when it is not a split read as such: printed_total (an "
            "unsplit printed total), stream_remainder, total_remainder, or source (derived in "
            "the source file); NULL for a split read from the source",
        ),
        *col.STORED_VINTAGE_COLUMNS,
        col.SOURCE,
        col.NOTE,
    ),
    grain=("company", "period", "stream", "counterparty", *col.VINTAGE_GRAIN),
    # The unit scales amount and precision (`millions`); amounts are stored in full units.
    read_only=(
        Column("unit", "VARCHAR", "units, thousands, millions or billions", ingest=REQUIRED, rule="unit"),
    ),
)

REPORTED_TOTALS = Table(
    "reported_totals",
    "Totals as printed, per company, period and stream; stream `total` is total revenue. Rows "
    "with derived = true are a period's total revenue computed as its fiscal year (or half) "
    "minus the other parts: a quarter from its year and three quarters, a half from its year "
    "and the other half, a quarter from its half and the other quarter.",
    (
        *col.PERIOD_COLUMNS,
        Column("stream", "VARCHAR", "A stream, or `total` for total revenue", ingest=REQUIRED),
        col.AMOUNT,
        col.CURRENCY,
        col.PRECISION,
        Column(
            "derived",
            "BOOLEAN",
            "True for a total derived from its fiscal year or half",
            ingest=OPTIONAL,
            rule="boolean",
        ),
        Column(
            "split_is_exhaustive",
            "BOOLEAN",
            "True when the filing splits this stream into third-party and related-party "
            "revenue completely: what its printed parts leave is then related-party revenue "
            "(else it is unattributed)",
            default="false",
            ingest=OPTIONAL,
            rule="boolean",
        ),
        Column(
            "derivation",
            "VARCHAR",
            "fiscal_year_remainder when derived; NULL when printed",
        ),
        *col.STORED_VINTAGE_COLUMNS,
        col.SOURCE,
        col.NOTE,
    ),
    grain=("company", "period", "stream", *col.VINTAGE_GRAIN),
    ingested_with="revenue",
)

DISCLOSED_SHARES = Table(
    "disclosed_shares",
    'Shares of revenue a filing prints only as a percentage ("approximately 85% of our revenue '
    'was derived from this contract"), kept beside the amounts, never turned into one.',
    (
        *col.PERIOD_COLUMNS,
        Column("partner", "VARCHAR", "The counterparty, or group, the share is of", ingest=REQUIRED),
        Column(
            "share_percent",
            "DECIMAL(7,4)",
            "The share as printed, in percent (85 = 85%)",
            ingest=REQUIRED,
            rule="share_percent",
        ),
        Column(
            "share_of",
            "VARCHAR",
            "`total` (of total revenue) or the stream it is a share of",
            ingest=OPTIONAL,
            rule="share_of",
            aliases=("of",),
        ),
        Column(
            "precision",
            "DECIMAL(7,4)",
            "Rounding of the printed percentage, in percentage points (±)",
            ingest=OPTIONAL,
            rule="share_precision",
        ),
        *col.STORED_VINTAGE_COLUMNS,
        col.SOURCE,
        col.NOTE,
    ),
    grain=("company", "period", "partner", "share_of", *col.VINTAGE_GRAIN),
)
