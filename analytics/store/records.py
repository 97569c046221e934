"""Turn the rows of each ingest format into typed records, one builder per table.

Each builder checks one row and raises an InputError at the offending cell; checks that span
rows (duplicates, one currency per company) run set-based in ingest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analytics.errors import InputError
from analytics.store import parse
from analytics.store.readers import SourceRow
from analytics.store.schema import (
    AS_REPORTED,
    COUNTERPARTY_CLASSES,
    TABLES,
    TOTAL_COUNTERPARTY,
    TOTAL_STREAM,
    VINTAGE_COLUMNS,
)

Record = dict[str, Any]
#: The optional ingest column stating a period's last day, and the staged column holding it
#: (only checked, never stored: the stored dates follow the company's calendar).
STATED_PERIOD_END, STAGED_PERIOD_END = "period_end", "stated_period_end"
#: The optional columns saying which publication a figure is.
VINTAGE = tuple(c.name for c in VINTAGE_COLUMNS)


@dataclass(frozen=True)
class Format:
    """An ingest format: its required and optional columns, accepted aliases and row builder."""

    table: str
    required: tuple[str, ...]
    build: Callable[[SourceRow], Record]
    aliases: tuple[tuple[str, str], ...] = ()
    optional: tuple[str, ...] = ("note",)
    #: The stored tables its rows go to (revenue rows: leaves and printed totals).
    stores: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the builder reads; any other column of a file is ignored."""
        return self.required + self.optional

    @property
    def stored_columns(self) -> dict[str, str]:
        """Every column of the tables its rows go to, with its SQL type, in schema order; and
        for rows of a period, the period end the file states."""
        columns: dict[str, str] = {}
        for name in self.stores or (self.table,):
            columns |= {c.name: c.sql_type for c in TABLES[name].columns if c.name not in columns}
        if "period" in columns:
            columns[STAGED_PERIOD_END] = "DATE"
        return columns


def _provenance(row: SourceRow) -> str:
    """An empty source still says where the figure came from."""
    return parse.free_text(row, "source") or f"{row.file.name}, row {row.number}"


def _period_fields(row: SourceRow) -> Record:
    """The label and kind, dated in the calendar year: ingest re-dates every period in its
    company's fiscal calendar (WorkingSet.date_periods), which the file may not declare. An
    optional `period_end` is the last day the filing states, checked against that calendar."""
    period = parse.period(row)
    stated, precision = parse.iso_date(row, STATED_PERIOD_END, required=False)
    if precision == "month":
        raise InputError("give the period's last day as YYYY-MM-DD", row.where(STATED_PERIOD_END))
    return {"period": period.label, "period_kind": period.kind, "period_start": period.start(),
            "period_end": period.end(), STAGED_PERIOD_END: stated}


def _vintage_fields(row: SourceRow) -> Record:
    """Which publication a figure is: its basis (`as reported` unless given) and the date it
    was published (unknown when empty)."""
    return {"basis": parse.optional_name(row, "basis") or AS_REPORTED,
            "reported_on": parse.iso_date(row, "reported_on", required=False)[0]}


def revenue_record(row: SourceRow) -> Record:
    """A leaf, or a printed total when the counterparty is `all`."""
    multiplier = parse.unit_multiplier(row)
    counterparty = parse.name(row, "counterparty")
    stream = parse.name(row, "stream")
    is_total = counterparty.lower() == TOTAL_COUNTERPARTY
    if is_total and row.cells.get("amount", "").startswith("-"):
        raise InputError(f"'{parse.shown(row.cells['amount'])}' is negative: a printed total "
                         "(counterparty all) is zero or more; only leaves (a loss, a refund, "
                         "contra-revenue) may be negative", row.where("amount"))
    if is_total and parse.boolean(row, "one_off"):
        raise InputError("one_off marks a leaf (a settlement, a disposal gain), not a printed "
                         "total (counterparty all)", row.where("one_off"))
    exhaustive = parse.boolean(row, "split_is_exhaustive")
    if exhaustive and not (is_total and stream.lower() != TOTAL_STREAM):
        raise InputError("split_is_exhaustive marks a printed stream total (counterparty all): "
                         "the filing splits that stream into third and related parties",
                         row.where("split_is_exhaustive"))
    printed = parse.number(row, "amount", allow_negative=not is_total)
    record: Record = {
        "company": parse.name(row, "company"),
        **_period_fields(row),
        "stream": stream,
        "amount": parse.fixed_point(row, "amount", printed, multiplier, parse.AMOUNT),
        "currency": parse.currency(row),
        "precision": (parse.amount(row, "precision", multiplier) if row.cells.get("precision")
                      else parse.printed_precision(row, "amount", printed, multiplier)),
        "derived": parse.boolean(row, "derived"),
        "one_off": parse.boolean(row, "one_off"),
        "split_is_exhaustive": exhaustive,
        **_vintage_fields(row),
        "source": _provenance(row),
        "note": parse.free_text(row, "note"),
    }
    record["derivation"] = "source" if record["derived"] else None
    if not is_total:
        record["counterparty"] = counterparty
    elif stream.lower() == "total":
        record["stream"] = "total"
    return record


def counterparty_record(row: SourceRow) -> Record:
    """Who a counterparty is, over its span of dates (open ends: always); a span ending before
    it starts is refused here, at its row."""
    name = parse.name(row, "counterparty")
    record: Record = {
        "company": parse.name(row, "company"),
        "counterparty": name,
        "counterparty_class": parse.choice(row, "counterparty_class", COUNTERPARTY_CLASSES),
        "counterparty_group": parse.optional_name(row, "counterparty_group") or name,
        "is_pool": parse.boolean(row, "is_pool"),
        "valid_from": parse.iso_date(row, "valid_from", required=False)[0],
        "valid_to": parse.iso_date(row, "valid_to", required=False)[0],
        "note": parse.free_text(row, "note"),
    }
    start, end = record["valid_from"], record["valid_to"]
    if start is not None and end is not None and end < start:
        raise InputError(f"valid_to {end} is before valid_from {start}", row.where("valid_to"))
    return record


def partnership_record(row: SourceRow) -> Record:
    """A dated relationship; one ending before it starts is refused here, at its row."""
    record: Record = {
        "company": parse.name(row, "company"),
        "partner": parse.name(row, "partner"),
        "kind": parse.name(row, "kind"),
        "start_date": parse.iso_date(row, "start_date")[0],
        "end_date": parse.iso_date(row, "end_date", required=False)[0],
        "stake_percent": parse.stake_percent(row) if row.cells.get("stake_percent") else None,
        "source": _provenance(row),
        "note": parse.free_text(row, "note"),
    }
    start, end = record["start_date"], record["end_date"]
    if end is not None and end < start:
        raise InputError(f"the partnership ends before it starts: end_date {end} is before "
                         f"start_date {start}", row.where("end_date"))
    return record


def event_record(row: SourceRow) -> Record:
    event_date, precision = parse.iso_date(row, "event_date")
    return {
        "company": parse.name(row, "company"),
        "event_date": event_date,
        "date_precision": precision,
        "label": parse.name(row, "label"),
        "description": parse.free_text(row, "description"),
        "annotate": parse.boolean(row, "annotate") if row.cells.get("annotate") else True,
        "source": _provenance(row),
        "note": parse.free_text(row, "note"),
    }


def kpi_record(row: SourceRow) -> Record:
    return {
        "company": parse.name(row, "company"),
        **_period_fields(row),
        "metric": parse.name(row, "metric"),
        "value": parse.double(row, "value"),
        "unit": parse.name(row, "unit"),
        "source": _provenance(row),
        "note": parse.free_text(row, "note"),
    }


def disclosed_share_record(row: SourceRow) -> Record:
    """A share printed as a percentage only; of total revenue unless `share_of` names a stream."""
    share, precision = parse.share_percent(row)
    return {
        "company": parse.name(row, "company"),
        **_period_fields(row),
        "partner": parse.name(row, "partner"),
        "share_percent": share,
        "share_of": parse.optional_name(row, "share_of") or TOTAL_STREAM,
        "precision": precision,
        **_vintage_fields(row),
        "source": _provenance(row),
        "note": parse.free_text(row, "note"),
    }


def company_record(row: SourceRow) -> Record:
    """What a company is: its currency and fiscal calendar, and the names shown for it."""
    return {
        "company": parse.name(row, "company"),
        "display_name": parse.optional_name(row, "display_name") or parse.name(row, "company"),
        "currency": parse.currency(row),
        "fiscal_year_end": parse.fiscal_year_end(row),
        "ticker": parse.optional_name(row, "ticker"),
        "source": _provenance(row),
        "note": parse.free_text(row, "note"),
    }


FORMATS: dict[str, Format] = {
    f.table: f
    for f in (
        Format("revenue", ("company", "period", "stream", "counterparty", "amount", "currency",
                           "unit", "source"), revenue_record,
               optional=("precision", "derived", "one_off", "split_is_exhaustive", *VINTAGE,
                         STATED_PERIOD_END, "note"),
               stores=("revenue", "reported_totals")),
        Format("counterparties", ("company", "counterparty", "counterparty_class"),
               counterparty_record,
               (("class", "counterparty_class"), ("group", "counterparty_group")),
               ("counterparty_group", "is_pool", "valid_from", "valid_to", "note")),
        Format("partnerships", ("company", "partner", "kind", "start_date", "source"),
               partnership_record, (("start", "start_date"), ("end", "end_date")),
               ("end_date", "stake_percent", "note")),
        Format("events", ("company", "event_date", "label", "source"), event_record,
               (("date", "event_date"),), ("description", "annotate", "note")),
        Format("kpis", ("company", "period", "metric", "value", "unit", "source"), kpi_record,
               optional=(STATED_PERIOD_END, "note")),
        Format("disclosed_shares", ("company", "period", "partner", "share_percent", "source"),
               disclosed_share_record, (("of", "share_of"),),
               ("share_of", "precision", *VINTAGE, STATED_PERIOD_END, "note")),
        Format("companies", ("company", "currency"), company_record,
               (("name", "display_name"), ("year_end", "fiscal_year_end")),
               ("display_name", "fiscal_year_end", "ticker", "source", "note")),
    )
}
