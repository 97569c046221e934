"""Read and write the Parquet tables of a data folder, typed by the schema.

A missing file reads as an empty table with the right columns, so a fresh folder works.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analytics import export
from analytics.schema import TABLES, Table

if TYPE_CHECKING:
    import polars as pl


def polars_type(sql_type: str) -> pl.DataType:
    """The polars dtype that stores a schema SQL type exactly."""
    import polars as pl

    if sql_type.startswith("DECIMAL"):
        precision, scale = sql_type[8:-1].split(",")
        return pl.Decimal(int(precision), int(scale))
    return {"VARCHAR": pl.String(), "DATE": pl.Date(), "BOOLEAN": pl.Boolean(),
            "DOUBLE": pl.Float64()}[sql_type]


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    return {c.name: polars_type(c.sql_type) for c in table.columns}


def table_path(data_dir: Path, name: str) -> Path:
    return data_dir / f"{name}.parquet"


def empty(table: Table) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema=polars_schema(table))


def conform(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """Columns in schema order and types, sorted by grain so files are reproducible."""
    import polars as pl

    missing = [c for c in table.column_names if c not in frame.columns]
    frame = frame.with_columns(pl.lit(None).alias(c) for c in missing)
    frame = frame.select(pl.col(c.name).cast(polars_type(c.sql_type)) for c in table.columns)
    return frame.sort(list(table.grain), nulls_last=True)


def read_table(data_dir: Path, name: str) -> pl.DataFrame:
    """A table as a polars frame (empty with the schema when its file does not exist)."""
    import polars as pl

    table = TABLES[name]
    path = table_path(data_dir, name)
    if not path.exists():
        return empty(table)
    return conform(table, pl.read_parquet(path))


def write_tables(data_dir: Path, frames: dict[str, pl.DataFrame]) -> list[Path]:
    """Write several tables at once: all temp files first, then all renames.

    Callers that read, merge and write hold `export.locked(data_dir)` around the whole update.
    """
    conformed = {name: conform(TABLES[name], frame) for name, frame in frames.items()}
    writes = {
        table_path(data_dir, name): (lambda temp, f=frame: f.write_parquet(temp))
        for name, frame in conformed.items()
    }
    return export.commit_all(writes)
