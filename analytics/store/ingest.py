"""CSV/XLSX -> typed rows -> merged, derived, validated -> Parquet, or nothing at all.

Set-based throughout: the file is typed into DuckDB (staging.py, which refuses bad rows before
any work on the store), checked (ingest_checks.py) and merged (ingest_merge.py) into a working
set of the companies it touches (only their files are read), derived and validated there, and
the changed tables of those companies are written in one commit, under the data folder's lock.
Re-ingesting a file upserts on the grain, so it is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analytics.errors import UnknownNameError, ValidationError
from analytics.project import data_dir as resolve_data_dir
from analytics.store import commit
from analytics.store.ingest_checks import (
    check_counterparties_known,
    check_currency,
    check_declared_currency,
    check_stated_period_ends,
    check_unique,
    checked_companies,
)
from analytics.store.ingest_merge import (
    add_builtin_counterparties,
    drop_replaced,
    keep_only_keys,
    key_columns,
    targets,
    upsert,
)
from analytics.store.records import FORMATS
from analytics.store.schema import PERIOD_TABLES, TABLES, VINTAGE_TABLES
from analytics.store.staging import StagedFile, stage
from analytics.store.validate import Violation
from analytics.store.working_set import WorkingSet


@dataclass(frozen=True)
class IngestSummary:
    """What an ingest did: rows read, rows new or replaced, and the files written."""

    file: Path
    table: str
    rows_read: int
    inserted: int
    replaced: int
    written: list[Path]
    removed: int = 0
    #: validate.warnings for the companies the file touched (legitimate, worth a look).
    warnings: list[str] = field(default_factory=list)


def ingest(
    path: Path | str, table: str = "revenue", data_dir: Path | str | None = None, replace: bool = False
) -> IngestSummary:
    """Read a file in one of the documented formats and upsert it into the data folder.

    `replace`: the file's companies and periods are replaced, not upserted: every stored row of
    a (company, period) the file holds goes first (every row of its companies for tables
    without periods)."""
    from analytics.sql.engine import connect
    from analytics.sql.resource_limits import Limits

    if table not in FORMATS:
        raise UnknownNameError("ingest table", table, sorted(FORMATS))
    path, folder = Path(path), resolve_data_dir(data_dir)
    connection = connect(folder, sandboxed=False, limits=Limits.for_writes())
    try:
        staged = stage(connection, path, FORMATS[table])
        check_unique(connection, staged, table)
        companies = checked_companies(connection, staged)
        with commit.locked(folder):
            work = WorkingSet(connection, folder, companies)
            removed = drop_replaced(work, staged, table) if replace else 0
            _check_against_store(work, staged, table)
            inserted, replaced = upsert(work, staged, targets(table))
            keep_only_keys(work, staged, table)
            if table in VINTAGE_TABLES:
                work.derive()
            else:
                work.date_periods()
            _raise_if_invalid(work, staged, table)
            warnings = [str(w) for w in work.warnings()]
            written = work.commit(_changed_tables(table))
    finally:
        connection.close()
    return IngestSummary(path, table, staged.rows, inserted, replaced, written, removed, warnings)


def _check_against_store(work: WorkingSet, staged: StagedFile, table: str) -> None:
    """The checks that need the stored data of the file's companies, before anything merges
    (a revenue file's counterparties are checked once the built-in pools are in)."""
    if table == "revenue":
        check_currency(work, staged)
        add_builtin_counterparties(work)
        check_counterparties_known(work, staged)
    if table == "companies":
        check_declared_currency(work, staged)
    if "period" in TABLES[table].column_names:
        check_stated_period_ends(work, staged)


def _changed_tables(table: str) -> set[str]:
    """The tables an ingest into `table` can change: a figure changes remainders and what
    every figure table shows, a revenue row may add a built-in pool, a company's calendar
    re-dates its periods."""
    changed = {*targets(table)}
    if table in VINTAGE_TABLES:
        changed |= {*VINTAGE_TABLES}
    if table == "revenue":
        changed.add("counterparties")
    if table == "companies":
        changed |= {*PERIOD_TABLES}
    return changed


def _raise_if_invalid(work: WorkingSet, staged: StagedFile, table: str) -> None:
    """Validate the companies this file touches; name the file row behind each violation (a
    violation's key is its company, period and stream, or what a disclosed share is of)."""
    violations = work.violations()
    if violations:
        keys = key_columns(table)
        rows: dict[tuple[str, str, str], int] = {}
        if keys:
            companies = sorted({v.key[0] for v in violations if v.key})
            rows = {
                (company, period, key): row
                for row, company, period, key in work.connection.execute(
                    f"SELECT min(row_number), {', '.join(keys)} FROM {staged.table} "
                    "WHERE company IN (SELECT unnest($1::VARCHAR[])) GROUP BY ALL",
                    [companies],
                ).fetchall()
            }
        raise ValidationError([_located(v, rows) for v in violations], context=str(staged.path))


def _located(violation: Violation, rows: dict[tuple[str, str, str], int]) -> str:
    row = rows.get(violation.key) if violation.key else None
    return f"row {row}: {violation}" if row else str(violation)
