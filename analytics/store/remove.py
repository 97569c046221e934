"""`analytics delete`: remove a company's data (one period, one table) as one validated commit.

The only way back from a wrong ingest besides `ingest --replace`. Remainders are derived again
from the figures that stay, the company is validated, and its files are rewritten or removed in
one journaled commit, so a deletion that would break an invariant writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analytics.errors import InputError, UnknownNameError, ValidationError
from analytics.periods import parse_period
from analytics.project import data_dir as resolve_data_dir
from analytics.store import commit, parquet
from analytics.store.schema import PERIOD_TABLES, TABLES, VINTAGE_TABLES
from analytics.store.working_set import WorkingSet


@dataclass(frozen=True)
class DeleteSummary:
    """What a deletion did: rows removed per table, and the files written or removed."""

    company: str
    period: str | None
    removed: dict[str, int]
    written: list[Path]


def delete(
    company: str, period: str | None = None, table: str | None = None, data_dir: Path | str | None = None
) -> DeleteSummary:
    """Remove a company's rows (of one period, of one table), or nothing if the rest would not
    validate. Unknown company, table or period: an error listing the known ones."""
    from analytics.sql.engine import connect
    from analytics.sql.sandbox import Limits

    folder = resolve_data_dir(data_dir)
    tables = _tables(table, period)
    with commit.locked(folder):
        known = sorted(parquet.companies(folder))
        if company not in known:
            raise UnknownNameError("company", company, known)
        connection = connect(folder, sandboxed=False, limits=Limits.for_writes())
        try:
            work = WorkingSet(connection, folder, [company])
            _check_period(work, company, period, tables)
            which = "true" if period is None else f"period = '{period}'"
            removed = {name: work.delete(name, which) for name in tables}
            if _derived_tables(tables):
                work.derive()
            redated = set(PERIOD_TABLES) if "companies" in tables else set()
            if redated:  # without its calendar, the company's periods are calendar years again
                work.date_periods()
            _raise_if_invalid(work, company)
            written = work.commit(set(tables) | _derived_tables(tables) | redated)
        finally:
            connection.close()
    return DeleteSummary(company, period, removed, written)


def _tables(table: str | None, period: str | None) -> list[str]:
    """The tables a deletion touches: the one named, or every table (with a period column when
    a period is given)."""
    if table is not None and table not in TABLES:
        raise UnknownNameError("table", table, list(TABLES))
    if period is not None:
        label = parse_period(period)
        if label is None or label.label != period:
            raise InputError(f"'{period}' is not a period: use 2016Q1 (a quarter), 2016H1 or 2016")
        with_period = [n for n in TABLES if "period" in TABLES[n].column_names]
        if table is not None and table not in with_period:
            raise InputError(
                f"table {table} has no periods: delete its rows without --period "
                f"(tables with periods: {', '.join(with_period)})"
            )
        return [table] if table else with_period
    return [table] if table else list(TABLES)


def _derived_tables(tables: list[str]) -> set[str]:
    """The tables a deletion from `tables` recomputes: remainders and what periods show."""
    return set(VINTAGE_TABLES) if set(VINTAGE_TABLES) & set(tables) else set()


def _check_period(work: WorkingSet, company: str, period: str | None, tables: list[str]) -> None:
    if period is None:
        return
    union = " UNION ".join(f"SELECT period FROM {work.table(name)}" for name in tables)
    periods = sorted(row[0] for row in work.connection.execute(union).fetchall())
    if period not in periods:
        raise UnknownNameError(f"period of {company}", period, periods)


def _raise_if_invalid(work: WorkingSet, company: str) -> None:
    violations = work.violations()
    if violations:
        raise ValidationError([str(v) for v in violations], context=f"deleting from {company} would leave")
