"""The tool's words and thresholds as SQL macros: each defined once in Python (store/schema.py).

views.sql and the named queries write `c.counterparty_class <> third_party_class()`, never the
literal 'third_party', so a word changes in one place; analysts' SQL (`analytics sql`, a
database export) can call the same macros. Every macro takes no argument and returns its
constant.
"""

from __future__ import annotations

from analytics.sql.sandbox import sql_literal
from analytics.store import schema

#: Macro name -> the constant it returns.
CONSTANTS: dict[str, str | float] = {
    # Counterparty classes (counterparties.counterparty_class).
    "third_party_class": schema.THIRD_PARTY,
    "related_party_class": schema.RELATED_PARTY,
    "strategic_partner_class": schema.STRATEGIC_PARTNER,
    "mixed_class": schema.MIXED,
    # The pools every company has (revenue.counterparty).
    "third_parties_pool": schema.THIRD_PARTIES,
    "related_parties_pool": schema.RELATED_PARTIES,
    "unattributed_pool": schema.UNATTRIBUTED,
    # Streams: the part of a total no stream explains, and total revenue.
    "unattributed_stream": schema.UNATTRIBUTED,
    "total_stream": schema.TOTAL_STREAM,
    # The counterparty of a printed total.
    "total_counterparty": schema.TOTAL_COUNTERPARTY,
    # The share of revenue at or above which a customer is a major customer.
    "major_customer_share": schema.MAJOR_CUSTOMER_SHARE,
}


def _literal(value: str | float) -> str:
    return sql_literal(value) if isinstance(value, str) else repr(value)


def macros_sql() -> list[str]:
    """`CREATE MACRO name() AS constant` for each constant, then `counterparty_classes()` (the
    classes as a list) and `builtin_counterparties()` (a table of the pools and their class)."""
    classes = ", ".join(sql_literal(name) for name in schema.COUNTERPARTY_CLASSES)
    pools = ", ".join(
        f"({sql_literal(name)}, {sql_literal(kind)})" for name, kind in schema.BUILTIN_COUNTERPARTIES.items()
    )
    return [
        *(f"CREATE MACRO {name}() AS {_literal(value)}" for name, value in CONSTANTS.items()),
        f"CREATE MACRO counterparty_classes() AS [{classes}]",
        "CREATE MACRO builtin_counterparties() AS TABLE "
        f"SELECT * FROM (VALUES {pools}) AS pools(counterparty, counterparty_class)",
    ]
