"""Ledger checks: each refusal is one InputError naming the file and column, how many rows are
bad and up to three of them; they all run before anything is written (the txn_id check, the
costliest, last: ids.py).

Row checks are counted inside the one aggregate pass (see definition.aggregate_sql) and read here
from its small result; only a failing check goes back to the ledger, for its examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.errors import InputError, Location
from analytics.ledger.definition import LedgerShape, bound, companies_sql, examples_sql
from analytics.ledger.duckdb_engine import first_row
from analytics.store.parse import MAX_AMOUNT
from analytics.store.schema import TOTAL_STREAM
from analytics.text import MAX_NAME_LENGTH, for_terminal, has_control_characters, shorten

if TYPE_CHECKING:
    import duckdb

    from analytics.ledger.engines import LedgerEngine

_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
_INTEGERS = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}
_DATES = {"DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
SHOWN = 60


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 row`, `2 rows`: a count with its noun."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _is_number(sql_type: str) -> bool:
    return sql_type in _INTEGERS or sql_type == "DOUBLE" or _DECIMAL.match(sql_type) is not None


#: Required columns: what each must be, as a test on its type and as words for the error.
REQUIRED: dict[str, tuple[Any, str]] = {
    "booked_at": (lambda t: t in _DATES, "DATE or TIMESTAMP"),
    "stream": (lambda t: t == "VARCHAR", "text (VARCHAR)"),
    "counterparty": (lambda t: t == "VARCHAR", "text (VARCHAR)"),
    "amount": (
        _is_number,
        "a number: DECIMAL(18,2) (exact), an integer or DOUBLE; FLOAT cannot hold cents exactly",
    ),
    "currency": (lambda t: t == "VARCHAR", "an ISO code as text (VARCHAR)"),
}


def check_columns(
    columns: dict[str, str], ledger: str, partitioned_by_year: bool, partitions_listed: bool = False
) -> LedgerShape:
    """The ledger's shape, or an error naming the first missing or mistyped column."""
    for name, (accepts, expected) in REQUIRED.items():
        if name not in columns:
            raise InputError(
                f"missing column: a ledger needs {', '.join(REQUIRED)} (found: "
                f"{shorten(', '.join(columns), 300)})",
                Location(ledger, None, name),
            )
        if not accepts(columns[name]):
            raise InputError(f"is {columns[name]}; expected {expected}", Location(ledger, None, name))
    if "company" in columns and columns["company"] != "VARCHAR":
        raise InputError(
            f"is {columns['company']}; expected text (VARCHAR)", Location(ledger, None, "company")
        )
    return LedgerShape(
        amount_exact=_exact(columns["amount"]),
        has_company="company" in columns,
        has_txn_id="txn_id" in columns,
        has_source=columns.get("source") == "VARCHAR",
        partition_year=partitioned_by_year and "year" in columns,
        integer_ids=columns.get("txn_id") in _INTEGERS,
        partitions_listed=partitions_listed,
    )


def _exact(sql_type: str) -> bool:
    """True when every value is a whole number of cents: an integer or DECIMAL(p, s <= 2)."""
    match = _DECIMAL.match(sql_type)
    return sql_type in _INTEGERS or (match is not None and int(match[2]) <= 2)


@dataclass(frozen=True)
class RowCheck:
    """A check on every row: its count from the aggregate, its condition on the ledger."""

    column: str
    problem: str
    count_sql: str  # over ledger_aggregate
    condition: str  # over the ledger's rows (definition.transactions_sql)


ROW_CHECKS = (
    RowCheck(
        "booked_at",
        "with no date (NULL)",
        "SUM(transactions) FILTER (WHERE period_start IS NULL)",
        "booked_on IS NULL",
    ),
    RowCheck(
        "stream", "with no stream (NULL)", "SUM(transactions) FILTER (WHERE stream IS NULL)", "stream IS NULL"
    ),
    RowCheck("counterparty", "with no counterparty (NULL)", "SUM(null_counterparties)", "payer IS NULL"),
    RowCheck("amount", "with no amount (NULL)", "SUM(null_amounts)", "amount IS NULL"),
    RowCheck(
        "currency",
        "with no currency (NULL)",
        "SUM(transactions) FILTER (WHERE currency IS NULL)",
        "currency IS NULL",
    ),
    RowCheck(
        "amount",
        "finer than a cent (revenue is kept to the cent: round the ledger first)",
        "SUM(sub_cent_amounts)",
        "amount <> ROUND(amount, 2)",
    ),
    RowCheck(
        "year",
        "in a year= partition other than the year they were booked in",
        "SUM(misplaced_rows)",
        "partition_year <> YEAR(booked_on)",
    ),
)


@dataclass(frozen=True)
class Scope:
    """What a rollup reads: the open ledger, its shape, --since and the bound values."""

    engine: LedgerEngine
    shape: LedgerShape
    since: date | None
    values: dict[str, Any]

    def examples(self, condition: str, extra: dict[str, Any] | None = None) -> tuple[list[str], str | None]:
        """Up to three rows matching `condition`, as shown, and the file of the first."""
        sql = examples_sql(self.shape, self.since, condition, self.engine.file_column)
        rows = self.engine.rows(sql, bound(sql, {**self.values, **(extra or {})}))
        shown = [for_terminal(shorten(str(example), SHOWN)) for example, _ in rows]
        return shown, (str(rows[0][1]) if rows else None)

    def refuse(
        self, column: str, count: int, problem: str, condition: str, extra: dict[str, Any] | None = None
    ) -> InputError:
        examples, file = self.examples(condition, extra)
        shown = f", e.g. {', '.join(examples)}" if examples else ""
        return InputError(
            f"{counted(count, 'row')} {problem}{shown}", Location(file or self.engine.label, None, column)
        )


def check_rows(db: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Every row check, then currencies, stream names and sums; raises at the first failure."""
    _check_not_empty(db, scope)
    counts = first_row(db, f"SELECT {', '.join(c.count_sql for c in ROW_CHECKS)} FROM ledger_aggregate") or ()
    for check, count in zip(ROW_CHECKS, counts, strict=True):
        if count:
            raise scope.refuse(check.column, int(count), check.problem, check.condition)
    _check_currency(db, scope)
    _check_stream_names(db, scope.engine.label)
    _check_sums(db, scope.engine.label)


def _check_not_empty(db: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    (transactions,) = first_row(db, "SELECT SUM(transactions) FROM ledger_aggregate") or (0,)
    if transactions:
        return
    label = scope.engine.label
    if scope.since is not None:
        raise InputError(
            f"no transactions booked on or after {scope.since}, the start of the period --since falls in",
            Location(label, None, "booked_at"),
        )
    if not scope.shape.has_company:
        raise InputError("the ledger has no transactions", Location(label))
    held = [for_terminal(shorten(str(name), SHOWN)) for (name,) in scope.engine.rows(companies_sql(), {})]
    raise InputError(
        f"no transactions of company '{shorten(scope.values['company'], SHOWN)}' "
        f"(the ledger holds: {', '.join(held) or 'none'})",
        Location(label, None, "company"),
    )


def _check_currency(db: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """One currency, an ISO code, and the one the company's stored figures are in."""
    by_currency = db.execute(
        "SELECT currency, SUM(transactions) AS n FROM ledger_aggregate GROUP BY 1 ORDER BY n DESC, currency"
    ).fetchall()
    main = str(by_currency[0][0])
    if len(by_currency) > 1:
        listed = ", ".join(f"{n:,} in {for_terminal(shorten(str(c), 12))}" for c, n in by_currency)
        raise scope.refuse(
            "currency",
            sum(n for _, n in by_currency[1:]),
            f"not in {main}, the ledger's main currency ({listed}): a company keeps one currency",
            "currency <> $main_currency",
            {"main_currency": main},
        )
    stored = scope.values.get("stored_currency")
    if not _CURRENCY.match(main):
        raise InputError(
            f"'{for_terminal(shorten(main, 12))}' is not a currency code such as USD",
            Location(scope.engine.label, None, "currency"),
        )
    if stored is not None and stored != main.upper():
        raise InputError(
            f"the ledger is in {main} but {scope.values['company']}'s stored figures "
            f"are in {stored}: a company keeps one currency",
            Location(scope.engine.label, None, "currency"),
        )


def _check_stream_names(db: duckdb.DuckDBPyConnection, ledger: str) -> None:
    """Stream names become leaves: plain text, at most MAX_NAME_LENGTH, never `total`."""
    streams = db.execute(
        "SELECT stream, SUM(transactions) FROM ledger_aggregate GROUP BY 1 ORDER BY 1"
    ).fetchall()
    bad = [(name, n) for name, n in streams if _name_problem(name)]
    if bad:
        shown = ", ".join(f"'{for_terminal(shorten(name, SHOWN))}'" for name, _ in bad[:3])
        raise InputError(
            f"{counted(sum(n for _, n in bad), 'row')} with a stream name that "
            f"{_name_problem(bad[0][0])}, e.g. {shown}",
            Location(ledger, None, "stream"),
        )


def _name_problem(name: str) -> str | None:
    if has_control_characters(name):
        return "contains a control character (names must be plain text)"
    if len(name) > MAX_NAME_LENGTH:
        return f"is over {MAX_NAME_LENGTH} characters long"
    if name.strip().lower() == TOTAL_STREAM:
        return f"is reserved ('{TOTAL_STREAM}' is total revenue, which the rollup writes)"
    return None


def _check_sums(db: duckdb.DuckDBPyConnection, ledger: str) -> None:
    """Leaves are zero or more, and every period's total fits DECIMAL(18,2)."""
    negative = db.execute(
        "SELECT stream || '/' || counterparty || ' from ' || CAST(period_start AS VARCHAR) || "
        "': ' || CAST(SUM(amount) AS VARCHAR) FROM ledger_aggregate GROUP BY period_start, stream, "
        "counterparty HAVING SUM(amount) < 0 ORDER BY 1"
    ).fetchall()
    if negative:
        shown = "; ".join(for_terminal(shorten(str(row[0]), 120)) for row in negative[:3])
        raise InputError(
            f"{counted(len(negative), 'revenue leaf', 'revenue leaves')} below zero "
            f"(refunds larger than sales?): {shown}",
            Location(ledger, None, "amount"),
        )
    (largest,) = first_row(
        db, "SELECT MAX(total) FROM (SELECT SUM(amount) AS total FROM ledger_aggregate GROUP BY period_start)"
    ) or (None,)
    if largest is not None and largest > MAX_AMOUNT:
        raise InputError(
            f"a period's total revenue {largest} is too large for DECIMAL(18,2) (at most {MAX_AMOUNT:,})",
            Location(ledger, None, "amount"),
        )
