"""The data folder's operations as the public API offers them: ingest, delete, validate (and
`check`, with warnings) and export to a DuckDB file.

Each takes the data folder explicitly (None: resolved from the environment as every command
does) and writes only through the one all-or-nothing commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analytics.store.ingest import IngestSummary
    from analytics.store.remove import DeleteSummary


def ingest(
    path: Path | str, table: str = "revenue", data_dir: Path | str | None = None, replace: bool = False
) -> IngestSummary:
    """Upsert a CSV/XLSX file in a documented format (with `replace`, the file's companies and
    periods are replaced); nothing is written if any check fails."""
    from analytics.store.ingest import ingest as ingest_file

    return ingest_file(path, table, data_dir, replace)


def delete(
    company: str, period: str | None = None, table: str | None = None, data_dir: Path | str | None = None
) -> DeleteSummary:
    """Remove a company's data (of one period, of one table) in one validated, atomic commit."""
    from analytics.store.remove import delete as remove

    return remove(company, period, table, data_dir)


@dataclass(frozen=True)
class ValidationReport:
    """Violations break an invariant (`analytics validate` exits 3); warnings are legitimate
    but worth a second look (a named partner's negative revenue, a negative remainder)."""

    violations: list[str]
    warnings: list[str]


def check(data_dir: Path | str | None = None) -> ValidationReport:
    """Every violation and warning in the stored data.

    A set-based screen in DuckDB finds the companies that might break an invariant (or deserve
    a warning); only those are checked row by row, a batch at a time (validate.py words every
    message)."""
    from analytics.project import data_dir as resolve_data_dir
    from analytics.sql.engine import connect
    from analytics.sql.sandbox import Limits
    from analytics.store.screen import stored_relations, suspects, warned
    from analytics.store.working_set import VALIDATE_BATCH, WorkingSet

    folder = resolve_data_dir(data_dir)
    connection = connect(folder, sandboxed=False, limits=Limits.for_writes())
    try:
        relations = stored_relations()
        names = sorted(suspects(connection, relations) | warned(connection, relations))
        violations, warnings = [], []
        for start in range(0, len(names), VALIDATE_BATCH):
            work = WorkingSet(connection, folder, names[start : start + VALIDATE_BATCH])
            violations += [str(v) for v in work.violations(limit=None)]
            warnings += [str(v) for v in work.warnings(limit=None)]
        return ValidationReport(violations, warnings)
    finally:
        connection.close()


def validate(data_dir: Path | str | None = None) -> list[str]:
    """Every violation of the accounting invariants in the stored data (empty when sound)."""
    return check(data_dir).violations


def export_database(path: Path | str, data_dir: Path | str | None = None) -> Path:
    """Write a DuckDB database file with every table, the helper views and macros, and every
    named query as a view `queries.<name>` (for the DuckDB CLI, Harlequin, DBeaver)."""
    from analytics.project import data_dir as resolve_data_dir
    from analytics.store import commit
    from analytics.store.dbexport import write_database

    folder = resolve_data_dir(data_dir)
    return commit.write_output(path, lambda temp: write_database(temp, folder), folder)
