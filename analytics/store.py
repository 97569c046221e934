"""Read and write the Parquet tables of a data folder: one file per company per table.

`<data>/<table>/company=<percent-encoded name>/data.parquet` (Hive style, the company column also
inside), so an upsert rewrites only the companies it touches and a one-company query opens only
that company's files. Every write is one journaled commit over all tables and companies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from analytics import export
from analytics.errors import InputError
from analytics.schema import TABLES, Table

if TYPE_CHECKING:
    import polars as pl

PARTITION_FILE = "data.parquet"
PARTITION_PREFIX = "company="
#: Longest folder name most file systems allow (bytes).
MAX_PARTITION_NAME = 255


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


def partition_name(company: str) -> str:
    """`company=` and the name's UTF-8 bytes percent-encoded, all but ASCII letters, digits and
    `-` (so no name is hidden, reserved, or read as Hive's NULL); DuckDB, pyarrow and Spark
    decode it back to the name."""
    return PARTITION_PREFIX + "".join(
        char if char.isascii() and (char.isalnum() or char == "-")
        else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in company)


def check_company_name(company: str) -> str | None:
    """Why a company name cannot name a partition folder, or None when it can."""
    length = len(partition_name(company).encode("ascii"))
    if length > MAX_PARTITION_NAME:
        return (f"the company name takes {length} bytes as a folder name "
                f"({PARTITION_PREFIX}<percent-encoded name>); at most {MAX_PARTITION_NAME} fit: "
                "use a shorter name")
    return None


def partition_path(data_dir: Path, name: str, company: str) -> Path:
    return Path(data_dir) / name / partition_name(company) / PARTITION_FILE


def table_glob(data_dir: Path, name: str) -> str:
    """Every partition file of a table, as a glob DuckDB reads with Hive partitioning."""
    return str(Path(data_dir) / name / f"{PARTITION_PREFIX}*" / PARTITION_FILE)


def legacy_path(data_dir: Path, name: str) -> Path:
    """Where the flat layout (before partitioning) kept a table: read, and migrated on write."""
    return Path(data_dir) / f"{name}.parquet"


def stored_companies(data_dir: Path, name: str) -> dict[str, Path]:
    """Every company with a partition file in a table, with that file."""
    folder = Path(data_dir) / name
    if not folder.is_dir():
        return {}
    return {unquote(path.parent.name.removeprefix(PARTITION_PREFIX)): path
            for path in folder.glob(f"{PARTITION_PREFIX}*/{PARTITION_FILE}")}


def companies(data_dir: Path) -> set[str]:
    """Every company with rows in any table."""
    import polars as pl

    found: set[str] = set()
    for name in TABLES:
        legacy = legacy_path(data_dir, name)
        found |= (set(pl.read_parquet(legacy, columns=["company"])["company"].to_list())
                  if legacy.exists() else set(stored_companies(data_dir, name)))
    return found


def has_rows(data_dir: Path, name: str) -> bool:
    """Whether a table has any file (stops at the first partition found)."""
    folder = Path(data_dir) / name
    return legacy_path(data_dir, name).exists() or (
        folder.is_dir() and next(folder.glob(f"{PARTITION_PREFIX}*/{PARTITION_FILE}"), None)
        is not None)


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


def recover(data_dir: Path) -> None:
    """Finish or undo an interrupted multi-table commit (one directory listing when none)."""
    export.recover(Path(data_dir))


def read_table(data_dir: Path, name: str, companies: Iterable[str] | None = None
               ) -> pl.DataFrame:
    """A table as a polars frame, all companies or only `companies` (empty with the schema when
    nothing is stored)."""
    import polars as pl

    recover(data_dir)
    table, wanted = TABLES[name], None if companies is None else set(companies)
    legacy = legacy_path(data_dir, name)
    if legacy.exists():
        frame = pl.read_parquet(legacy)
        return conform(table, frame if wanted is None else
                       frame.filter(pl.col("company").is_in(sorted(wanted))))
    stored = stored_companies(data_dir, name)
    files = [path for company, path in sorted(stored.items())
             if wanted is None or company in wanted]
    if not files:
        return empty(table)
    return conform(table, pl.concat([pl.read_parquet(path) for path in files]))


def write_tables(data_dir: Path, frames: Mapping[str, pl.DataFrame],
                 companies: Iterable[str]) -> list[Path]:
    """Make `frames` the whole stored content of `companies` in their tables, all or nothing
    (`export.commit_all`: staged, journaled, renamed): each company's file is replaced, or
    removed when it has no rows left.

    A folder still in the flat layout is migrated in the same commit. Callers that read, merge
    and write hold `export.locked(data_dir)` around the whole update.
    """
    scope = set(companies)
    tables = {name: conform(TABLES[name], frame) for name, frame in frames.items()}
    writes: dict[Path, export.Writer] = {}
    removed: list[Path] = []
    for name, frame in _with_legacy_rows(data_dir, tables, scope).items():
        table_writes, table_removed = _table_changes(data_dir, name, frame, scope)
        writes.update(table_writes)
        removed += table_removed
    removed += [legacy_path(data_dir, name) for name in TABLES
                if legacy_path(data_dir, name).exists()]
    return export.commit_all(dict(sorted(writes.items())), sorted(removed),
                             root=Path(data_dir))


def _with_legacy_rows(data_dir: Path, tables: dict[str, pl.DataFrame], scope: set[str]
                      ) -> dict[str, pl.DataFrame]:
    """Add, for tables still in the flat layout, the stored rows that stay: every row of a table
    not being written, else the rows of companies outside `scope`."""
    import polars as pl

    merged = dict(tables)
    for name in TABLES:
        legacy = legacy_path(data_dir, name)
        if legacy.exists():
            kept = conform(TABLES[name], pl.read_parquet(legacy))
            if name in tables:
                kept = kept.filter(~pl.col("company").is_in(sorted(scope)))
            merged[name] = pl.concat([kept, merged.get(name, empty(TABLES[name]))])
    return merged


def _table_changes(data_dir: Path, name: str, frame: pl.DataFrame, scope: set[str]
                   ) -> tuple[dict[Path, export.Writer], list[Path]]:
    """The partition files to write and to remove for one table."""
    parts = {key[0]: part for key, part in frame.partition_by("company", as_dict=True).items()}
    for company in parts:
        if (problem := check_company_name(str(company))) is not None:
            raise InputError(f"company '{company}': {problem}")
    stored = stored_companies(data_dir, name)
    writes = {partition_path(data_dir, name, company): _writer(part)
              for company, part in sorted(parts.items())}
    removed = [stored[company] for company in sorted(scope - set(parts)) if company in stored]
    return writes, removed


def _writer(frame: pl.DataFrame) -> export.Writer:
    return lambda temp: frame.write_parquet(temp)
