"""CSV/XLSX -> typed rows -> merged, derived, validated -> Parquet, or nothing at all.

Set-based throughout: the file is typed into DuckDB (staging.py, which refuses bad rows before
any work on the store), merged into a working set of the companies it touches (only their files
are read), derived and validated there, and the changed tables of those companies are written in
one commit, under the data folder's lock. Re-ingesting a file upserts on the grain, so it is
idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import export, store
from analytics.errors import InputError, UnknownNameError, ValidationError
from analytics.project import data_dir as resolve_data_dir
from analytics.records import FORMATS
from analytics.schema import BUILTIN_COUNTERPARTIES, TABLES, VINTAGE_TABLES
from analytics.staging import StagedFile, stage
from analytics.validate import Violation
from analytics.working_set import WorkingSet

if TYPE_CHECKING:
    import duckdb


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


def ingest(path: Path | str, table: str = "revenue",
           data_dir: Path | str | None = None, replace: bool = False) -> IngestSummary:
    """Read a file in one of the documented formats and upsert it into the data folder.

    `replace`: the file's companies and periods are replaced, not upserted: every stored row of
    a (company, period) the file holds goes first (every row of its companies for tables
    without periods)."""
    from analytics.engine import connect
    from analytics.sandbox import Limits

    if table not in FORMATS:
        raise UnknownNameError("ingest table", table, sorted(FORMATS))
    path, folder = Path(path), resolve_data_dir(data_dir)
    connection = connect(folder, sandboxed=False, limits=Limits.for_writes())
    try:
        staged = stage(connection, path, FORMATS[table])
        _check_unique(connection, staged, table)
        companies = _checked_companies(connection, staged)
        with export.locked(folder):
            work = WorkingSet(connection, folder, companies)
            removed = _drop_replaced(work, staged, table) if replace else 0
            targets = _targets(table)
            if table == "revenue":
                _check_currency(work, staged)
                _add_builtin_counterparties(work)
                _check_counterparties_known(work, staged)
            inserted, replaced = _upsert(work, staged, targets)
            _keep_only_keys(work, staged, table)
            if table in VINTAGE_TABLES:
                work.derive()
            _raise_if_invalid(work, staged, table)
            warnings = [str(w) for w in work.warnings()]
            written = work.commit({*targets, *(VINTAGE_TABLES if table in VINTAGE_TABLES else ()),
                                   *(("counterparties",) if table == "revenue" else ())})
    finally:
        connection.close()
    return IngestSummary(path, table, staged.rows, inserted, replaced, written, removed,
                         warnings)


def _targets(table: str) -> dict[str, str]:
    """Stored table -> which staged rows go there (revenue rows split into leaves and totals)."""
    if table != "revenue":
        return {table: "company IS NOT NULL"}
    return {"revenue": "counterparty IS NOT NULL", "reported_totals": "counterparty IS NULL"}


def _check_unique(connection: duckdb.DuckDBPyConnection, staged: StagedFile,
                  table: str) -> None:
    """Two rows of one file with the same grain: an error at the second, naming the first."""
    grain = TABLES[table].grain
    found = connection.execute(
        f"SELECT row_number, first_row, {', '.join(grain)} FROM (SELECT *, min(row_number) "
        f"OVER (PARTITION BY {', '.join(grain)}) AS first_row FROM {staged.table}) "
        "WHERE row_number > first_row ORDER BY row_number LIMIT 1").fetchall()
    if found:
        row, first, *key = found[0]
        shown = ", ".join(f"{c}={v}" for c, v in zip(grain, key, strict=True) if v is not None)
        raise InputError(f"duplicate of row {first} ({shown})", staged.location(row))


def _checked_companies(connection: duckdb.DuckDBPyConnection, staged: StagedFile) -> list[str]:
    """The file's companies, each checked once: its name must fit a partition folder."""
    rows = connection.execute(f"SELECT company, min(row_number) FROM {staged.table} "
                              "GROUP BY company ORDER BY min(row_number)").fetchall()
    for company, first in rows:
        if (problem := store.check_company_name(company)) is not None:
            raise InputError(problem, staged.location(first, "company"))
    return [company for company, _ in rows]


def _drop_replaced(work: WorkingSet, staged: StagedFile, table: str) -> int:
    """Remove the stored rows an ingest with --replace replaces (the built-in pools stay in
    counterparties); returns how many went."""
    removed = 0
    for name in _targets(table):
        keys = ("company", "period") if "period" in TABLES[name].column_names else ("company",)
        where = _matches(work.table(name), staged.table, keys)
        if name == "counterparties":
            pools = ", ".join(f"'{pool}'" for pool in BUILTIN_COUNTERPARTIES)
            where += f" AND counterparty NOT IN ({pools})"
        removed += work.delete(name, where)
    return removed


def _matches(table: str, staged: str, keys: tuple[str, ...], which: str = "true") -> str:
    """A row of `table` whose `keys` equal those of a staged row (`which` of them)."""
    same = " AND ".join(f"s.{k} IS NOT DISTINCT FROM {table}.{k}" for k in keys)
    return f"EXISTS (SELECT 1 FROM {staged} s WHERE {which} AND {same})"


def _check_currency(work: WorkingSet, staged: StagedFile) -> None:
    """A company keeps one currency: across the file and against what is stored."""
    found = work.connection.execute(f"""
        WITH stored AS (
            SELECT company, min(currency) AS currency FROM (
                SELECT company, currency FROM {work.table('revenue')}
                UNION ALL SELECT company, currency FROM {work.table('reported_totals')})
            GROUP BY company),
        first_in_file AS (
            SELECT company, arg_min(currency, row_number) AS currency,
                   min(row_number) AS first_row
            FROM {staged.table} GROUP BY company),
        reference AS (
            SELECT f.company, coalesce(s.currency, f.currency) AS currency,
                   CASE WHEN s.currency IS NULL THEN 'row ' || f.first_row
                        ELSE 'the stored data' END AS origin
            FROM first_in_file f LEFT JOIN stored s USING (company))
        SELECT i.row_number, i.company, r.origin, r.currency, i.currency
        FROM {staged.table} i JOIN reference r USING (company)
        WHERE i.currency <> r.currency ORDER BY i.row_number LIMIT 1""").fetchall()
    if found:
        row, company, origin, first, currency = found[0]
        raise InputError(f"mixed currencies for {company}: {origin} is in {first}, this row is "
                         f"in {currency}", staged.location(row, "currency"))


def _add_builtin_counterparties(work: WorkingSet) -> None:
    pools = " UNION ALL ".join(
        f"SELECT '{name}' AS counterparty, '{counterparty_class}' AS counterparty_class"
        for name, counterparty_class in BUILTIN_COUNTERPARTIES.items())
    work.connection.execute(f"""
        INSERT INTO {work.table('counterparties')} BY NAME
        SELECT c.company, p.counterparty, p.counterparty_class,
               p.counterparty AS counterparty_group, true AS is_pool,
               'built in: a pool of many counterparties' AS note
        FROM {work.table('companies')} c CROSS JOIN ({pools}) p
        WHERE NOT EXISTS (SELECT 1 FROM {work.table('counterparties')} k
                          WHERE k.company = c.company AND k.counterparty = p.counterparty)
        """).fetchall()


def _check_counterparties_known(work: WorkingSet, staged: StagedFile) -> None:
    known = work.table("counterparties")
    found = work.connection.execute(f"""
        SELECT i.row_number, i.company, i.counterparty,
               (SELECT list_sort(list(counterparty)) FROM {known} k WHERE k.company = i.company)
        FROM {staged.table} i
        WHERE i.counterparty IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {known} k
            WHERE k.company = i.company AND k.counterparty = i.counterparty)
        ORDER BY i.row_number LIMIT 1""").fetchall()
    if found:
        row, company, name, names = found[0]
        raise InputError(
            f"unknown counterparty '{name}' for {company}: ingest it first with "
            f"`analytics ingest FILE --table counterparties` (known: "
            f"{', '.join(names or [])})", staged.location(row, "counterparty"))


def _upsert(work: WorkingSet, staged: StagedFile, targets: dict[str, str]) -> tuple[int, int]:
    """Replace stored rows that share a new row's grain; returns (inserted, replaced)."""
    inserted = replaced = 0
    for name, which in targets.items():
        gone = work.delete(name, _matches(work.table(name), staged.table, TABLES[name].grain,
                                          f"s.{which}"))
        columns = ", ".join(TABLES[name].column_names)
        ((new,),) = work.connection.execute(
            f"INSERT INTO {work.table(name)} ({columns}) "
            f"SELECT {store.typed_select(name)} FROM {staged.table} s WHERE s.{which}"
        ).fetchall()
        replaced += gone
        inserted += int(new) - gone
    return inserted, replaced


def _key_columns(table: str) -> list[str]:
    """What names a violation's row: company, period and stream (or what a share is of)."""
    columns = TABLES[table].column_names
    which = next((c for c in ("stream", "share_of") if c in columns), None)
    return ["company", "period", which] if "period" in columns and which else []


def _keep_only_keys(work: WorkingSet, staged: StagedFile, table: str) -> None:
    """Once merged, the file's rows are in the working set: keep only what names a row in an
    error, so a large file is not held twice while remainders are derived and checked."""
    keys = ", ".join(["row_number", *_key_columns(table)])
    work.connection.execute(f"CREATE OR REPLACE TEMP TABLE {staged.table}_keys AS "
                            f"SELECT {keys} FROM {staged.table}").fetchall()
    work.connection.execute(f"DROP TABLE {staged.table}").fetchall()
    work.connection.execute(f"ALTER TABLE {staged.table}_keys RENAME TO {staged.table}"
                            ).fetchall()


def _raise_if_invalid(work: WorkingSet, staged: StagedFile, table: str) -> None:
    """Validate the companies this file touches; name the file row behind each violation (a
    violation's key is its company, period and stream, or what a disclosed share is of)."""
    violations = work.violations()
    if violations:
        keys = _key_columns(table)
        rows: dict[tuple[str, str, str], int] = {}
        if keys:
            companies = sorted({v.key[0] for v in violations if v.key})
            rows = {(company, period, key): row for row, company, period, key in
                    work.connection.execute(
                        f"SELECT min(row_number), {', '.join(keys)} FROM {staged.table} "
                        "WHERE company IN (SELECT unnest($1::VARCHAR[])) GROUP BY ALL",
                        [companies]).fetchall()}
        raise ValidationError([_located(v, rows) for v in violations],
                              context=str(staged.path))


def _located(violation: Violation, rows: dict[tuple[str, str, str], int]) -> str:
    row = rows.get(violation.key) if violation.key else None
    return f"row {row}: {violation}" if row else str(violation)

