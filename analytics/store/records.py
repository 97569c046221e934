"""The ingest formats, derived from schema.py, and the row rules that span a row's cells.

A format is a table's ingest columns (`Column.ingest`), their header aliases and cell rules
(cell_rules.py), so a column added to a table in schema.py is read, checked and stored with no
edit here. What stays here are the checks between cells of one row (a printed total is never
negative, a span never ends before it starts); checks that span rows (duplicates, one currency
per company) run set-based in ingest_checks.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics.errors import InputError
from analytics.store import parse
from analytics.store.cell_rules import CELL_RULES, STAGED_PERIOD_END, STATED_PERIOD_END, Record
from analytics.store.readers import SourceRow
from analytics.store.schema import TABLES, TOTAL_COUNTERPARTY, TOTAL_STREAM
from analytics.store.schema_model import Column

__all__ = ["FORMATS", "STAGED_PERIOD_END", "STATED_PERIOD_END", "Format", "Record"]

#: Checks of a row before its cells are read one by one, so a row breaking one says so first.
RowCheck = Callable[[SourceRow], None]
#: What a table makes of a row once every cell is read (a revenue total has no counterparty).
RowFinish = Callable[[SourceRow, Record], None]


@dataclass(frozen=True)
class Format:
    """An ingest format: the columns a file has, the stored tables its rows go to, and the row
    rules of its table."""

    table: str
    ingest_columns: tuple[Column, ...]
    #: The stored tables its rows go to (revenue rows: leaves and printed totals).
    stores: tuple[str, ...]
    check: RowCheck | None = None
    finish: RowFinish | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.ingest_columns if c.ingest == "required")

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.ingest_columns if c.ingest == "optional")

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the format reads; any other column of a file is ignored."""
        return self.required + self.optional

    @property
    def aliases(self) -> tuple[tuple[str, str], ...]:
        """(other header name, column) pairs: `class` is counterparty_class."""
        return tuple((alias, c.name) for c in self.ingest_columns for alias in c.aliases)

    @property
    def stored_columns(self) -> dict[str, str]:
        """Every column of the tables its rows go to, with its SQL type, in schema order; and
        for rows of a period, the period end the file states."""
        columns: dict[str, str] = {}
        for name in self.stores:
            columns |= {c.name: c.sql_type for c in TABLES[name].columns if c.name not in columns}
        if "period" in columns:
            columns[STAGED_PERIOD_END] = "DATE"
        return columns

    def build(self, row: SourceRow) -> Record:
        """The typed record of one row, or an InputError at its first bad cell."""
        if self.check is not None:
            self.check(row)
        record: Record = {}
        for column in self.ingest_columns:
            record |= CELL_RULES[column.rule](row, column.name)
        if self.finish is not None:
            self.finish(row, record)
        return record


def _is_total(row: SourceRow) -> bool:
    """A revenue row with counterparty `all` is a printed total, stored in reported_totals."""
    return parse.name(row, "counterparty").lower() == TOTAL_COUNTERPARTY


def _check_revenue(row: SourceRow) -> None:
    """What a printed total (counterparty `all`) may not be: negative, a one-off; and what only
    a printed stream total may be: split exhaustively."""
    parse.unit_multiplier(row)
    is_total = _is_total(row)
    stream = parse.name(row, "stream")
    if is_total and row.cells.get("amount", "").startswith("-"):
        raise InputError(
            f"'{parse.shown(row.cells['amount'])}' is negative: a printed total "
            "(counterparty all) is zero or more; only leaves (a loss, a refund, "
            "contra-revenue) may be negative",
            row.where("amount"),
        )
    if is_total and parse.boolean(row, "one_off"):
        raise InputError(
            "one_off marks a leaf (a settlement, a disposal gain), not a printed total (counterparty all)",
            row.where("one_off"),
        )
    if parse.boolean(row, "split_is_exhaustive") and not (is_total and stream.lower() != TOTAL_STREAM):
        raise InputError(
            "split_is_exhaustive marks a printed stream total (counterparty all): "
            "the filing splits that stream into third and related parties",
            row.where("split_is_exhaustive"),
        )
    parse.number(row, "amount", allow_negative=not is_total)


def _finish_revenue(row: SourceRow, record: Record) -> None:
    """A total has no counterparty (`total` is spelled one way); a figure derived in the source
    file says so in `derivation`."""
    record["derivation"] = "source" if record["derived"] else None
    if _is_total(row):
        record["counterparty"] = None
        if record["stream"].lower() == TOTAL_STREAM:
            record["stream"] = TOTAL_STREAM


def _check_span(start: str, end: str, message: str) -> RowFinish:
    """A row whose `end` date is before its `start` is refused at its end cell."""

    def check(row: SourceRow, record: Record) -> None:
        if record[start] is not None and record[end] is not None and record[end] < record[start]:
            raise InputError(message.format(start=record[start], end=record[end]), row.where(end))

    return check


_ROW_RULES: dict[str, tuple[RowCheck | None, RowFinish | None]] = {
    "revenue": (_check_revenue, _finish_revenue),
    "counterparties": (
        None,
        _check_span("valid_from", "valid_to", "valid_to {end} is before valid_from {start}"),
    ),
    "partnerships": (
        None,
        _check_span(
            "start_date",
            "end_date",
            "the partnership ends before it starts: end_date {end} is before start_date {start}",
        ),
    ),
}


def _format(table: str) -> Format:
    """The format of `table` and of every table ingested with it, columns in schema order
    (each name once)."""
    stores = (table, *(t.name for t in TABLES.values() if t.ingested_with == table))
    columns: dict[str, Column] = {}
    for name in stores:
        columns |= {c.name: c for c in TABLES[name].ingest_columns if c.name not in columns}
    check, finish = _ROW_RULES.get(table, (None, None))
    return Format(table, tuple(columns.values()), stores, check, finish)


FORMATS: dict[str, Format] = {
    name: _format(name)
    for name, table in TABLES.items()
    if table.ingested_with is None and table.ingest_columns
}
