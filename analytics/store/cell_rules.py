"""The cell rules a schema column names (`Column.rule`): how an ingest file's cell becomes its value.

Each rule reads one column of a row through parse.py (the one definition of what a cell means
and of every message) and returns the fields it fills, usually just that column; a rule that
needs another cell (an amount its `unit`) reads it itself. cells_sql.py holds the same rules in
SQL for the fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics.errors import InputError
from analytics.store import parse
from analytics.store.readers import SourceRow
from analytics.store.schema import AS_REPORTED, COUNTERPARTY_CLASSES, TOTAL_STREAM

Record = dict[str, Any]
#: A cell rule: (row, column) -> the fields it fills.
Rule = Callable[[SourceRow, str], Record]
#: The staged column holding the optional `period_end` a file states: only checked against the
#: company's calendar, never stored (the stored dates follow that calendar).
STATED_PERIOD_END, STAGED_PERIOD_END = "period_end", "stated_period_end"


def _one(cell: Callable[[SourceRow, str], object]) -> Rule:
    """A rule that fills its own column with what `cell` parses."""
    return lambda row, column: {column: cell(row, column)}


def provenance(row: SourceRow, column: str = "source") -> str:
    """An empty source still says where the figure came from."""
    return parse.free_text(row, column) or f"{row.file.name}, row {row.number}"


def _period(row: SourceRow, column: str) -> Record:
    """The label and kind, dated in the calendar year: ingest re-dates every period in its
    company's fiscal calendar (WorkingSet.date_periods), which the file may not declare."""
    period = parse.period(row, column)
    return {
        "period": period.label,
        "period_kind": period.kind,
        "period_start": period.start(),
        "period_end": period.end(),
    }


def _stated_period_end(row: SourceRow, column: str) -> Record:
    """The period's last day as the filing states it, checked later against the calendar."""
    stated, precision = parse.iso_date(row, column, required=False)
    if precision == "month":
        raise InputError("give the period's last day as YYYY-MM-DD", row.where(column))
    return {STAGED_PERIOD_END: stated}


def _dated(row: SourceRow, column: str) -> Record:
    """A day or a month (its first day), and which of the two it is."""
    value, precision = parse.iso_date(row, column)
    return {column: value, "date_precision": precision}


def _unit(row: SourceRow, column: str) -> Record:
    """Checked (amounts read it themselves), never stored: amounts are kept in full units."""
    parse.unit_multiplier(row, column)
    return {}


def _amount(row: SourceRow, column: str) -> Any:
    """An amount in the row's unit; negative allowed (a loss, a refund: the table's row rules
    refuse a negative total)."""
    return parse.fixed_point(
        row, column, parse.number(row, column, allow_negative=True), parse.unit_multiplier(row), parse.AMOUNT
    )


def _amount_precision(row: SourceRow, column: str) -> Any:
    """The `precision` given in the row's unit, else half the last printed digit of `amount`."""
    multiplier = parse.unit_multiplier(row)
    if row.cells.get(column):
        return parse.amount(row, column, multiplier)
    printed = parse.number(row, "amount", allow_negative=True)
    return parse.printed_precision(row, "amount", printed, multiplier)


def _or(cell: Callable[[SourceRow, str], object], fallback: Callable[[SourceRow], object]) -> Rule:
    """An optional cell that, when empty, takes `fallback(row)`."""
    return lambda row, column: {column: cell(row, column) or fallback(row)}


CELL_RULES: dict[str, Rule] = {
    "name": _one(parse.name),
    "optional_name": _one(parse.optional_name),
    "free_text": _one(parse.free_text),
    "source": _one(provenance),
    "boolean": _one(parse.boolean),
    "boolean_or_true": _one(lambda row, c: parse.boolean(row, c) if row.cells.get(c) else True),
    "date": _one(lambda row, column: parse.iso_date(row, column, required=False)[0]),
    "required_date": _one(lambda row, column: parse.iso_date(row, column)[0]),
    "dated": _dated,
    "period": _period,
    "stated_period_end": _stated_period_end,
    "currency": _one(parse.currency),
    "fiscal_year_end": _one(parse.fiscal_year_end),
    "counterparty_class": _one(lambda row, c: parse.choice(row, c, COUNTERPARTY_CLASSES)),
    "counterparty_group": _or(parse.optional_name, lambda row: parse.name(row, "counterparty")),
    "display_name": _or(parse.optional_name, lambda row: parse.name(row, "company")),
    "basis": _or(parse.optional_name, lambda row: AS_REPORTED),
    "share_of": _or(parse.optional_name, lambda row: TOTAL_STREAM),
    "unit": _unit,
    "amount": _one(_amount),
    "amount_precision": _one(_amount_precision),
    "stake_percent": _one(lambda row, c: parse.stake_percent(row, c) if row.cells.get(c) else None),
    "share_percent": _one(parse.share_percent),
    "share_precision": _one(parse.share_precision),
    "double": _one(parse.double),
}
