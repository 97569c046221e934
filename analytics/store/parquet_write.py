"""Write a data folder's Parquet tables: the one path from SQL relations to partition files.

Each table is written by partitioned COPYs (a batch of companies each, so memory stays bounded)
into a staging folder, and the files are then placed by one journaled commit
(`commit.commit_all`) over all tables and companies: all or nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.errors import InputError
from analytics.sql.sandbox import sql_literal
from analytics.store import commit
from analytics.store.parquet import (
    check_company_name,
    legacy_path,
    partition_path,
    stored_companies,
    typed_rows_sql,
    typed_select,
)
from analytics.store.schema import TABLES

if TYPE_CHECKING:
    import duckdb


def write_relations(
    data_dir: Path,
    connection: duckdb.DuckDBPyConnection,
    relations: Mapping[str, str],
    companies: Iterable[str],
) -> list[Path]:
    """Make the rows of `relations` (table name -> SQL relation over `connection`) the whole
    stored content of `companies` in those tables, all or nothing (`commit.commit_all`: staged,
    journaled, renamed): each company's file is replaced, or removed when it has no rows left.

    Each table is written by one partitioned COPY, sorted by its grain so files are
    reproducible. A folder still in the flat layout is migrated in the same commit. Callers
    hold `commit.locked(data_dir)` around the whole read, change and write.
    """
    scope = sorted(set(companies))
    staging = Path(tempfile.mkdtemp(prefix="analytics-write-"))
    try:
        writes: dict[Path, commit.Writer] = {}
        removed: list[Path] = []
        for name, relation in _with_legacy_rows(data_dir, relations, scope).items():
            table_writes, table_removed = _table_changes(
                data_dir, connection, name, relation, scope, staging / name
            )
            writes.update(table_writes)
            removed += table_removed
        removed += [legacy_path(data_dir, name) for name in TABLES if legacy_path(data_dir, name).exists()]
        return commit.commit_all(dict(sorted(writes.items())), sorted(removed), root=Path(data_dir))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _with_legacy_rows(data_dir: Path, relations: Mapping[str, str], scope: list[str]) -> dict[str, str]:
    """Add, for tables still in the flat layout, the stored rows that stay: every row of a table
    not being written, else the rows of companies outside `scope`."""
    merged = dict(relations)
    listed = ", ".join(sql_literal(c) for c in scope) or "NULL"
    for name in TABLES:
        legacy = legacy_path(data_dir, name)
        if legacy.exists():
            kept = typed_rows_sql(name, f"read_parquet({sql_literal(str(legacy))})")
            merged[name] = (
                f"({merged[name]}) UNION ALL BY NAME ({kept} WHERE company NOT IN ({listed}))"
                if name in merged
                else kept
            )
    return merged


#: Rows a partitioned COPY sorts and writes at once: bounded, so a universe of thousands of
#: companies is written a slice of companies at a time within the memory and spill limits.
WRITE_BATCH_ROWS = 2_000_000


def _table_changes(
    data_dir: Path,
    connection: duckdb.DuckDBPyConnection,
    name: str,
    relation: str,
    scope: list[str],
    staging: Path,
) -> tuple[dict[Path, commit.Writer], list[Path]]:
    """The partition files to write (staged by partitioned COPYs, a batch of companies each)
    and to remove for one table."""
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE write_parts AS SELECT company, "
        f"(row_number() OVER (ORDER BY company) - 1)::INTEGER AS part, "
        f"(sum(rows) OVER (ORDER BY company) - 1) // {WRITE_BATCH_ROWS} AS batch "
        f"FROM (SELECT company, count(*) AS rows FROM ({relation}) "
        "GROUP BY company)"
    ).fetchall()
    parts = dict(connection.execute("SELECT company, part FROM write_parts").fetchall())
    for company in parts:
        if (problem := check_company_name(str(company))) is not None:
            raise InputError(f"company '{company}': {problem}")
    batches = [
        row[0]
        for row in connection.execute("SELECT DISTINCT batch FROM write_parts ORDER BY batch").fetchall()
    ]
    for batch in batches:
        _copy_partitions(connection, name, relation, batch, staging / f"batch={batch}")
    writes = {
        partition_path(data_dir, name, company): _copier(staging, part)
        for company, part in sorted(parts.items())
    }
    stored = stored_companies(data_dir, name)
    removed = [stored[company] for company in scope if company not in parts and company in stored]
    return writes, removed


def _copy_partitions(
    connection: duckdb.DuckDBPyConnection, name: str, relation: str, batch: int, target: Path
) -> None:
    """One file per company of a batch, each sorted by the table's grain (reproducible)."""
    import duckdb

    order = ", ".join(f"{c} NULLS LAST" for c in TABLES[name].grain)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection.execute(
            f"COPY (SELECT {typed_select(name)}, write_part FROM (SELECT r.*, p.part AS "
            f"write_part FROM ({relation}) r JOIN write_parts p ON p.company = r.company "
            f"WHERE p.batch = {int(batch)}) ORDER BY write_part, {order}) "
            f"TO {sql_literal(str(target))} "
            "(FORMAT parquet, PARTITION_BY (write_part), FILENAME_PATTERN 'data')"
        ).fetchall()
    except duckdb.IOException as error:  # a full disk, a file size limit
        commit.reraise(error, target / "write_part=*" / "data0.parquet")


def _copier(staging: Path, part: int) -> commit.Writer:
    (staged,) = staging.glob(f"batch=*/write_part={part}/*.parquet")
    return lambda temp: shutil.copyfile(staged, temp)
