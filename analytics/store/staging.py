"""A file in an ingest format, typed into a DuckDB table, or refused with its first bad rows.

The rows stream from readers.py into DuckDB in batches (memory stays bounded by a batch), each
keeping its row number. Rows in the common shape are typed set-based (cells_sql.py); the rest
go through the format's row builder (records.py), the one definition of every cell rule and
message. Every bad row is counted and the first MAX_LISTED are listed, before any work on the
store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.errors import InputError, InputErrors, Location
from analytics.store import parquet
from analytics.store.cells_sql import FAST_PATHS
from analytics.store.readers import SourceRow, iter_rows
from analytics.store.records import Format

if TYPE_CHECKING:
    import duckdb

#: Rows moved to DuckDB (or through the row builder) at a time.
BATCH_ROWS = 50_000
#: Bad rows listed in an error; the total count is always given.
MAX_LISTED = 20


@dataclass(frozen=True)
class StagedFile:
    """A typed file in DuckDB: `table` has the target table's columns plus `row_number`."""

    path: Path
    table: str
    rows: int

    def location(self, row: int | None, column: str | None = None) -> Location:
        return Location(self.path, row, column)


def stage(
    connection: duckdb.DuckDBPyConnection, path: Path, spec: Format, name: str = "incoming"
) -> StagedFile:
    """Read, check and type every row of `path`; raises InputErrors listing the bad rows."""
    header, rows = iter_rows(path)
    columns = _format_columns(path, header, spec)
    text_table = f"{name}_text"
    count = _load_text(connection, text_table, columns, rows)
    _create_typed(connection, name, spec)
    fast = FAST_PATHS.get(spec.table)
    if fast is not None:

        def cell(column: str) -> str:
            return f"c{list(columns).index(column)}" if column in columns else "''"

        condition, select = fast(cell, path.name)
        flags = f"{name}_fast"
        connection.execute(
            f"CREATE TEMP TABLE {flags} AS SELECT row_number, "
            f"coalesce({condition}, false) AS fast FROM {text_table}"
        ).fetchall()
        connection.execute(
            f"INSERT INTO {name} BY NAME SELECT row_number, {select} "
            f"FROM {text_table} JOIN {flags} USING (row_number) WHERE fast"
        ).fetchall()
        # Only the rows left to the row builder stay as text.
        connection.execute(
            f"CREATE TEMP TABLE {name}_slow AS SELECT t.* FROM {text_table} t "
            f"JOIN {flags} USING (row_number) WHERE NOT fast"
        ).fetchall()
        connection.execute(f"DROP TABLE {flags}").fetchall()
        connection.execute(f"DROP TABLE {text_table}").fetchall()
        text_table = f"{name}_slow"
    _build_slow_rows(connection, name, spec, path, list(columns), f"SELECT * FROM {text_table}")
    connection.execute(f"DROP TABLE {text_table}").fetchall()
    return StagedFile(path, name, count)


def _format_columns(path: Path, header: list[str], spec: Format) -> dict[str, int]:
    """The format's columns in the file, by position (aliases applied; the last of two wins)."""
    aliases = dict(spec.aliases)
    renamed = [aliases.get(name, name) for name in header]
    missing = [c for c in spec.required if c not in renamed]
    if missing:
        raise InputError(
            f"missing column '{missing[0]}' for the {spec.table} format (found: "
            f"{', '.join(h for h in header if h)}); expected {', '.join(spec.required)}",
            Location(path, 1, missing[0]),
        )
    return {name: index for index, name in enumerate(renamed) if name in spec.columns}


def _load_text(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, int],
    rows: Iterator[tuple[int, list[str]]],
) -> int:
    """The rows' cells as text, in batches; returns the number of rows."""
    staged = ", ".join(f"c{i} VARCHAR" for i in range(len(columns)))
    connection.execute(f"CREATE TEMP TABLE {table} (row_number BIGINT, {staged})").fetchall()
    positions = list(columns.values())
    count, numbers, batch = 0, [], []
    for number, cells in rows:
        numbers.append(number)
        batch.append(cells)
        if len(batch) >= BATCH_ROWS:
            count += _insert(connection, table, numbers, batch, positions)
            numbers, batch = [], []
    return count + _insert(connection, table, numbers, batch, positions)


def _insert(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    numbers: list[int],
    batch: list[list[str]],
    positions: list[int],
) -> int:
    import pyarrow as pa

    if not batch:
        return 0
    transposed = list(zip(*batch, strict=True))
    arrays = [pa.array(numbers, pa.int64()), *(pa.array(transposed[i], pa.string()) for i in positions)]
    frame = pa.Table.from_arrays(arrays, names=["row_number", *(f"c{i}" for i in range(len(positions)))])
    connection.register("staged_batch", frame)
    try:
        connection.execute(f"INSERT INTO {table} SELECT * FROM staged_batch").fetchall()
    finally:
        connection.unregister("staged_batch")
    return len(batch)


def _create_typed(connection: duckdb.DuckDBPyConnection, name: str, spec: Format) -> None:
    typed = ", ".join(f"{column} {sql_type}" for column, sql_type in spec.stored_columns.items())
    connection.execute(f"CREATE TEMP TABLE {name} (row_number BIGINT, {typed})").fetchall()


def _build_slow_rows(
    connection: duckdb.DuckDBPyConnection, name: str, spec: Format, path: Path, columns: list[str], query: str
) -> None:
    """The format's row builder over every row the fast path left; the good ones are inserted,
    the bad ones counted and the first MAX_LISTED raised together."""
    errors: list[InputError] = []
    bad, last = 0, -1
    while chunk := connection.execute(
        f"SELECT * FROM ({query}) WHERE row_number > $last ORDER BY row_number LIMIT {BATCH_ROWS}",
        {"last": last},
    ).fetchall():
        last = chunk[-1][0]
        records = []
        for number, *cells in chunk:
            try:
                records.append(
                    {
                        "row_number": number,
                        **spec.build(SourceRow(path, number, dict(zip(columns, cells, strict=True)))),
                    }
                )
            except InputError as error:
                bad += 1
                if len(errors) < MAX_LISTED:
                    errors.append(error)
        if records and not errors:
            _insert_records(connection, name, spec, records)
    if errors:
        raise InputErrors(errors, bad) if bad > 1 else errors[0]


def _insert_records(
    connection: duckdb.DuckDBPyConnection, name: str, spec: Format, records: list[dict[str, Any]]
) -> None:
    import polars as pl

    schema = {
        "row_number": pl.Int64(),
        **{column: parquet.polars_type(sql_type) for column, sql_type in spec.stored_columns.items()},
    }
    frame = pl.DataFrame([{c: r.get(c) for c in schema} for r in records], schema=schema, orient="row")
    connection.register("built_rows", frame.to_arrow())
    try:
        connection.execute(f"INSERT INTO {name} BY NAME SELECT * FROM built_rows").fetchall()
    finally:
        connection.unregister("built_rows")
