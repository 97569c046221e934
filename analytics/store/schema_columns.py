"""The columns several tables share, defined once: the period, the amount, where a figure was
read, and which publication of it a row is.

The table modules (schema_figures.py, schema_context.py) build their tables from these, so a
shared column reads the same in every table and in the README.
"""

from __future__ import annotations

from analytics.store.schema_model import OPTIONAL, REQUIRED, Column

AMOUNT_TYPE = "DECIMAL(18,2)"

COMPANY = Column("company", "VARCHAR", "Company the figures belong to, e.g. Weibo", ingest=REQUIRED)
PERIOD = Column(
    "period",
    "VARCHAR",
    "A fiscal period of the company: `2016` a fiscal year, "
    "`2016H1` its first half, `2016Q1` its first quarter (see `companies`)",
    ingest=REQUIRED,
    rule="period",
)
PERIOD_KIND = Column("period_kind", "VARCHAR", "`quarter`, `half` or `year`")
PERIOD_START = Column("period_start", "DATE", "First day of the period in the company's fiscal calendar")
# A file's period_end is only checked against the company's calendar, never stored as given.
PERIOD_END = Column(
    "period_end",
    "DATE",
    "Last day of the period in the company's fiscal calendar",
    ingest=OPTIONAL,
    rule="stated_period_end",
)
AMOUNT = Column(
    "amount",
    AMOUNT_TYPE,
    "Exact amount in full currency units ($28.5M = 28500000)",
    ingest=REQUIRED,
    rule="amount",
)
CURRENCY = Column(
    "currency",
    "VARCHAR",
    "ISO currency code; one per company (USD, CNY, ...)",
    ingest=REQUIRED,
    rule="currency",
)
PRECISION = Column(
    "precision",
    AMOUNT_TYPE,
    "Rounding of the printed figure, in full units (±)",
    ingest=OPTIONAL,
    rule="amount_precision",
)
SOURCE = Column(
    "source",
    "VARCHAR",
    "Filing or publication and table the figure was read from",
    ingest=REQUIRED,
    rule="source",
)
NOTE = Column("note", "VARCHAR", "Free text: basis, caveats", ingest=OPTIONAL, rule="free_text")
PERIOD_COLUMNS = (COMPANY, PERIOD, PERIOD_KIND, PERIOD_START, PERIOD_END)
#: The accounting basis or presentation a figure is on when its file does not say.
AS_REPORTED = "as reported"
BASIS = Column(
    "basis",
    "VARCHAR",
    f"Accounting basis or presentation of the figure (`{AS_REPORTED}` unless the file says, "
    "e.g. `ASC 605`, `ASC 606`, `continuing operations`); a period's figures on different "
    "bases never mix",
    default=f"'{AS_REPORTED}'",
    ingest=OPTIONAL,
    rule="basis",
)
REPORTED_ON = Column(
    "reported_on",
    "DATE",
    "Date the figure was published; NULL when unknown (counts as the oldest publication). "
    "A remainder carries the date of the latest publication of its fiscal year's figures it was "
    "derived from",
    ingest=OPTIONAL,
    rule="date",
)
SHOWN = Column(
    "shown",
    "BOOLEAN",
    "True when the row is what its period shows by default: on the period's basis, the latest "
    "publication of its line (kept by ingest). In `<table>_vintages`; the `<table>` view "
    "holds only these rows, without the column",
    default="true",
    stored_only=True,
)
#: The columns saying which publication of a figure a row is: a restated or corrected figure
#: is stored beside the original, and these pick what a period shows (views.sql).
VINTAGE_COLUMNS = (BASIS, REPORTED_ON)
VINTAGE_GRAIN = tuple(c.name for c in VINTAGE_COLUMNS)
STORED_VINTAGE_COLUMNS = (*VINTAGE_COLUMNS, SHOWN)
