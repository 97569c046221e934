"""Read the Parquet tables of a data folder and name their files: one file per company per table.

`<data>/<table>/company=<percent-encoded name>/data.parquet` (Hive style, the company column also
inside), so an upsert rewrites only the companies it touches and a one-company query opens only
that company's files. Writing is parquet_write.py's: one journaled commit over all tables and
companies.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from analytics.sql.sandbox import sql_literal
from analytics.store import commit
from analytics.store.schema import TABLES
from analytics.store.schema_model import Column, Table

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
    return {"VARCHAR": pl.String(), "DATE": pl.Date(), "BOOLEAN": pl.Boolean(), "DOUBLE": pl.Float64()}[
        sql_type
    ]


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    return {c.name: polars_type(c.sql_type) for c in table.columns}


def partition_name(company: str) -> str:
    """`company=` and the name's UTF-8 bytes percent-encoded, all but ASCII letters, digits and
    `-` (so no name is hidden, reserved, or read as Hive's NULL); DuckDB, pyarrow and Spark
    decode it back to the name."""
    return PARTITION_PREFIX + "".join(
        char
        if char.isascii() and (char.isalnum() or char == "-")
        else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in company
    )


def check_company_name(company: str) -> str | None:
    """Why a company name cannot name a partition folder, or None when it can."""
    length = len(partition_name(company).encode("ascii"))
    if length > MAX_PARTITION_NAME:
        return (
            f"the company name takes {length} bytes as a folder name "
            f"({PARTITION_PREFIX}<percent-encoded name>); at most {MAX_PARTITION_NAME} fit: "
            "use a shorter name"
        )
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
    return {
        unquote(path.parent.name.removeprefix(PARTITION_PREFIX)): path
        for path in folder.glob(f"{PARTITION_PREFIX}*/{PARTITION_FILE}")
    }


def companies(data_dir: Path) -> set[str]:
    """Every company with rows in any table."""
    import polars as pl

    found: set[str] = set()
    for name in TABLES:
        legacy = legacy_path(data_dir, name)
        found |= (
            set(pl.read_parquet(legacy, columns=["company"])["company"].to_list())
            if legacy.exists()
            else set(stored_companies(data_dir, name))
        )
    return found


def has_rows(data_dir: Path, name: str) -> bool:
    """Whether a table has any file (stops at the first partition found)."""
    folder = Path(data_dir) / name
    return legacy_path(data_dir, name).exists() or (
        folder.is_dir() and next(folder.glob(f"{PARTITION_PREFIX}*/{PARTITION_FILE}"), None) is not None
    )


def empty(table: Table) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema=polars_schema(table))


def conform(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """Columns in schema order and types, sorted by grain so files are reproducible."""
    import polars as pl

    missing = [c for c in table.columns if c.name not in frame.columns]
    frame = frame.with_columns(pl.lit(_python_default(c)).alias(c.name) for c in missing)
    frame = frame.select(pl.col(c.name).cast(polars_type(c.sql_type)) for c in table.columns)
    return frame.sort(list(table.grain), nulls_last=True)


def _python_default(column: Column) -> object:
    """A column's default SQL literal (`true`, `'as reported'`) as a Python value."""
    if column.default is None:
        return None
    if column.default in ("true", "false"):
        return column.default == "true"
    return column.default.strip("'")


def recover(data_dir: Path) -> None:
    """Finish or undo an interrupted multi-table commit (one directory listing when none)."""
    commit.recover(Path(data_dir))


def read_table(data_dir: Path, name: str, companies: Iterable[str] | None = None) -> pl.DataFrame:
    """A table as a polars frame, all companies or only `companies` (empty with the schema when
    nothing is stored)."""
    import polars as pl

    recover(data_dir)
    table, wanted = TABLES[name], None if companies is None else set(companies)
    legacy = legacy_path(data_dir, name)
    if legacy.exists():
        frame = pl.read_parquet(legacy)
        return conform(
            table, frame if wanted is None else frame.filter(pl.col("company").is_in(sorted(wanted)))
        )
    stored = stored_companies(data_dir, name)
    files = [path for company, path in sorted(stored.items()) if wanted is None or company in wanted]
    if not files:
        return empty(table)
    return conform(table, pl.concat([conform(table, pl.read_parquet(path)) for path in files]))


def typed_select(name: str) -> str:
    """The table's columns, in schema order, cast to their schema types; a column with a
    default reads as it where NULL (a file written before the column existed)."""
    return ", ".join(
        f"CAST({c.name if c.default is None else f'coalesce({c.name}, {c.default})'} "
        f"AS {c.sql_type}) AS {c.name}"
        for c in TABLES[name].columns
    )


def no_rows_sql(name: str) -> str:
    """A SELECT of no rows with the table's columns and types."""
    typed = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in TABLES[name].columns)
    return f"SELECT {typed} WHERE false"


def typed_rows_sql(name: str, source: str) -> str:
    """The rows of a table's files read by `source` (a table function such as read_parquet),
    with every schema column: one missing from older files reads as its default or NULL."""
    return f"SELECT {typed_select(name)} FROM ({no_rows_sql(name)} UNION ALL BY NAME FROM {source})"


def stored_sql(data_dir: Path, name: str, companies: Iterable[str]) -> str:
    """A SELECT of the stored rows of `companies` in a table, typed; reads only their files."""
    wanted = sorted(set(companies))
    legacy = legacy_path(data_dir, name)
    if legacy.exists():
        listed = ", ".join(sql_literal(c) for c in wanted) or "NULL"
        return (
            f"{typed_rows_sql(name, f'read_parquet({sql_literal(str(legacy))})')} WHERE company IN ({listed})"
        )
    stored = stored_companies(data_dir, name)
    files = [str(stored[c]) for c in wanted if c in stored]
    if not files:
        return no_rows_sql(name)
    listed = ", ".join(sql_literal(f) for f in files)
    return typed_rows_sql(name, f"read_parquet([{listed}], union_by_name = true)")
