"""`analytics.ledger.rollup`: a transaction ledger in, revenue facts upserted through ingest.

The chosen engine reads the ledger once into a small aggregate that every check reads; the facts
then go through `analytics.store.ingest.ingest`, the one door that validates and commits atomically, so
on any error nothing is written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analytics.errors import InputError, Location, ValidationError
from analytics.ledger import facts, payers
from analytics.ledger.checks import Scope, check_columns, check_rows
from analytics.ledger.definition import (
    PERIOD_KINDS,
    PeriodKind,
    aggregate_sql,
    bound,
    source_sql,
    sourced_row_sql,
)
from analytics.ledger.duckdb_engine import is_remote
from analytics.ledger.engines import ENGINES, open_engine
from analytics.ledger.ids import check_duplicates
from analytics.ledger.session import rollup_session
from analytics.periods import year_in_range
from analytics.project import data_dir as resolve_data_dir
from analytics.sql.sandbox import Limits
from analytics.store.ingest import IngestSummary, ingest
from analytics.text import MAX_NAME_LENGTH, has_control_characters


@dataclass(frozen=True)
class RollupSummary:
    """What a rollup did: the periods it wrote (and which only partly), in the company's fiscal
    calendar (its year ends with month `year_end_month`), rows read, files written."""

    ledger: str
    company: str
    engine: str
    period_kind: str
    year_end_month: int
    periods: tuple[str, ...]
    partial_periods: tuple[str, ...]
    transactions: int
    facts: int
    inserted: int
    replaced: int
    written: list[Path]
    #: What was written but is worth a look (bookings outside their payer's spans of dates).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Request:
    ledger: str  # as sources name it: absolute for a local path
    company: str
    kind: PeriodKind  # in the calendar year until the company's calendar is read
    since: date | None  # the day asked: its period starts in the company's calendar
    engine: str
    spark_master: str | None
    source: str | None


def rollup(
    ledger: Path | str,
    company: str,
    period_kind: str = "quarter",
    engine: str = "duckdb",
    spark_master: str | None = None,
    since: date | str | None = None,
    source: str | None = None,
    data_dir: Path | str | None = None,
    memory_limit: str | None = None,
) -> RollupSummary:
    """Roll a Parquet ledger up into the company's revenue leaves and printed totals, per
    period of its fiscal calendar (`companies.fiscal_year_end`; December when not declared).

    `since` recomputes only the periods from the one containing that date; `source` names the
    ledger in the facts' source instead of its path.
    """
    request = _Request(
        ledger_label(str(ledger)),
        _checked_company(company),
        period_kind_named(period_kind),
        _since_day(since),
        _checked_engine(engine, spark_master),
        spark_master,
        source,
    )
    folder = resolve_data_dir(data_dir)
    limits = Limits.from_environment(memory_limit=memory_limit)
    with tempfile.TemporaryDirectory(prefix="analytics-ledger-") as temp:
        csv_path = Path(temp) / "ledger_facts.csv"
        kind, cover, written, warnings = _write_facts(request, folder, limits, csv_path)
        summary = _ingest(csv_path, folder, request.ledger)
    return RollupSummary(
        request.ledger,
        request.company,
        engine,
        kind.name,
        kind.year_end_month,
        written.periods,
        written.partial_periods,
        cover.transactions,
        written.rows,
        summary.inserted,
        summary.replaced,
        summary.written,
        warnings,
    )


def _write_facts(
    request: _Request, folder: Path, limits: Limits, csv_path: Path
) -> tuple[PeriodKind, facts.Coverage, facts.Facts, tuple[str, ...]]:
    """Aggregate and check the ledger, then write its facts to `csv_path`, in the periods of
    the company's fiscal calendar; with the warnings."""
    with rollup_session(folder, limits) as db:
        kind = request.kind.in_calendar(facts.year_end_month(db, request.company))
        since = None if request.since is None else kind.start_of(request.since)
        pooling = payers.payer_pooling(db, request.company)
        values = {
            "company": request.company,
            **pooling.values(),
            "stored_currency": facts.stored_currency(db, request.company),
        }
        with open_engine(
            request.engine,
            request.ledger,
            limits,
            request.spark_master,
            db,
            None if since is None else since.year,
        ) as ledger:
            shape = check_columns(
                ledger.columns(), request.ledger, ledger.partitioned_by_year, ledger.partitions_listed
            )
            sql = aggregate_sql(shape, kind, since, pooling)
            ledger.aggregate_into(db, sql, bound(sql, values))
            scope = Scope(ledger, shape, since, values)
            check_rows(db, scope)
            check_duplicates(scope)
            cover = facts.coverage(db, _ledger_source(scope))
            unspanned = payers.unspanned_warning(db, scope, pooling)
        source = facts.source_text(request.source or request.ledger, cover)
        written = facts.write_csv(db, csv_path, request.company, kind, source, cover)
        return kind, cover, written, (unspanned,) if unspanned else ()


def _ledger_source(scope: Scope) -> str | None:
    """The rows' own `source` when every row read that has one says the same (the demo's
    `synthetic: ...`). Asked first of every row of the files read (Parquet statistics on
    DuckDB): one source there and a row read having it settle it without a scan."""
    if not scope.shape.has_source:
        return None
    low, high = _rows(scope, source_sql(scope.shape, scope.since, of_files=True))[0]
    if low is not None and low == high:
        return str(low) if _rows(scope, sourced_row_sql(scope.shape, scope.since)) else None
    if low is not None:  # several sources in the files: perhaps one among the rows read
        low, high = _rows(scope, source_sql(scope.shape, scope.since))[0]
    return str(low) if low is not None and low == high else None


def _rows(scope: Scope, sql: str) -> list[tuple[Any, ...]]:
    return scope.engine.rows(sql, bound(sql, scope.values))


def _ingest(csv_path: Path, folder: Path, ledger: str) -> IngestSummary:
    """Commit through ingest; its refusals name the ledger, not the private CSV."""
    try:
        return ingest(csv_path, "revenue", folder)
    except InputError as error:
        raise InputError(f"the rolled-up facts were refused: {error.message}", Location(ledger)) from None
    except ValidationError as error:
        raise ValidationError(error.violations, context=f"ledger {ledger}") from None


def ledger_label(ledger: str) -> str:
    """The ledger as sources and messages name it: a URL as given, a local path made absolute."""
    return ledger if is_remote(ledger) else os.path.abspath(os.path.expanduser(ledger))


def period_kind_named(name: str) -> PeriodKind:
    if name not in PERIOD_KINDS:
        *others, last = PERIOD_KINDS
        raise InputError(f"--period-kind {name}: choose {', '.join(others)} or {last}")
    return PERIOD_KINDS[name]


def _since_day(since: date | str | None) -> date | None:
    """The day --since names, checked: the period containing it is the first recomputed."""
    if since is None:
        return None
    try:
        day = since if isinstance(since, date) else date.fromisoformat(str(since).strip())
    except ValueError:
        raise InputError(f"--since '{since}': expected a date such as 2021-07-01") from None
    if not year_in_range(day.year):
        raise InputError(f"--since {day}: the year is out of range")
    return day


def _checked_company(company: str) -> str:
    if not company.strip() or has_control_characters(company) or len(company) > MAX_NAME_LENGTH:
        raise InputError(
            f"--company: give the company's name as plain text of 1 to {MAX_NAME_LENGTH} characters"
        )
    return company


def _checked_engine(engine: str, spark_master: str | None) -> str:
    if engine not in ENGINES:
        raise InputError(f"--engine {engine}: choose one of {', '.join(ENGINES)}")
    if spark_master is not None and engine != "spark":
        raise InputError("--spark-master needs --engine spark")
    return engine
