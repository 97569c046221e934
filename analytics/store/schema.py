"""The tables analysts query: columns, types, grain and meaning, in one place.

Parquet files, empty views, `analytics tables` and the README's schema section all come from
these definitions, so they cannot drift apart. The tables are built in schema_figures.py and
schema_context.py from the shared columns of schema_columns.py; this module lists them and holds
the vocabulary, the words other modules and SQL read.
"""

from __future__ import annotations

from analytics.store.schema_columns import AS_REPORTED as AS_REPORTED
from analytics.store.schema_context import COMPANIES, COUNTERPARTIES, EVENTS, KPIS, PARTNERSHIPS
from analytics.store.schema_figures import DISCLOSED_SHARES, REPORTED_TOTALS, REVENUE
from analytics.store.schema_model import Table

#: The figure tables: a figure may be published again (restated, corrected) beside the
#: original. `<table>_vintages` shows every publication; `<table>` what each period shows.
VINTAGE_TABLES = ("revenue", "reported_totals", "disclosed_shares")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REVENUE,
        REPORTED_TOTALS,
        COUNTERPARTIES,
        PARTNERSHIPS,
        EVENTS,
        KPIS,
        DISCLOSED_SHARES,
        COMPANIES,
    )
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
