"""The rollup on DuckDB: one machine, out of core within the memory limit.

Trusted SQL (ours) over a path the user named, so a plain connection rather than the analysts'
sandbox; the path is quoted as a SQL literal once, in the view. Spilling goes to a private temp
folder, removed on close, so 100M rows aggregate in 2 GiB.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from analytics.errors import AnalyticsError, InputError, Location
from analytics.ledger.definition import AGGREGATE_COLUMNS, AGGREGATE_TABLE, YEAR_PARTITION
from analytics.ledger.engines import arrow_schema
from analytics.ledger.session import limit
from analytics.sql.sandbox import Limits, first_line, sql_literal

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_GLOB = re.compile(r"[*?\[]")
_YEAR_FOLDER = re.compile(r"[/\\]year=([0-9]+)[/\\]")
#: Memory for the txn_id bitmap (ids.repeated_ids_sql), which every thread fills a copy
#: of: 64 MiB in all, a small part of any workable memory limit.
ID_BITMAP_BYTES = 64 * 2**20


def first_row(
    connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a small query, with its result finished (DuckDB refuses other work on a
    connection while a result is open)."""
    rows = connection.execute(sql, params or {}).fetchall()
    return rows[0] if rows else None


def _partition_year(file: str) -> int | None:
    """The year of the year= folder a file lies in, if any."""
    match = _YEAR_FOLDER.search(file)
    return int(match[1]) if match else None


def is_remote(ledger: str) -> bool:
    """True for a URL (s3://, gs://, https://...) rather than a local path."""
    return _REMOTE.match(ledger) is not None


def parquet_pattern(ledger: str) -> str:
    """The files a ledger names: a file, a folder (every .parquet below it) or a glob."""
    if is_remote(ledger):
        named = _GLOB.search(ledger) or ledger.lower().endswith(".parquet")
        return ledger if named else ledger.rstrip("/") + "/**/*.parquet"
    if _GLOB.search(ledger):
        return ledger
    path = Path(ledger)
    if path.is_dir():
        return str(path / "**" / "*.parquet")
    if not path.exists():
        raise InputError(
            "ledger not found: give a Parquet file, a folder of them or a glob", Location(ledger)
        )
    return str(path)


class DuckDBLedger:
    """A ledger opened as the view `ledger` in a DuckDB: the rollup's own connection when given
    (the aggregate then stays inside DuckDB), else a private in-memory one."""

    name = "duckdb"
    file_column = "ledger_file"  # the view's name for DuckDB's virtual `filename` column

    def __init__(
        self,
        ledger: str,
        limits: Limits,
        connection: duckdb.DuckDBPyConnection | None = None,
        since_year: int | None = None,
    ) -> None:
        self.label = ledger
        self.limits = limits
        self.connection = connection
        self._borrowed = connection is not None  # its owner set its limits and closes it
        self._spill: Path | None = None
        self.since_year = since_year  # year= partitions before it are left out of the view
        self.partitioned_by_year = False
        self.partitions_listed = False
        self.id_bitmap_bits = 0

    def __enter__(self) -> DuckDBLedger:
        import duckdb

        try:
            if self.connection is None:
                self.connection = duckdb.connect(":memory:")
                self._spill = limit(self.connection, self.limits)
            self._configure(self.connection)
            self._create_view(self.connection)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        import duckdb

        if self.connection is not None and self._borrowed:
            with contextlib.suppress(duckdb.Error):
                self.connection.execute("DROP VIEW IF EXISTS ledger")
        elif self.connection is not None:
            self.connection.close()
        self.connection = None
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)

    def _configure(self, connection: duckdb.DuckDBPyConnection) -> None:
        """UTC, so a TIMESTAMPTZ booking keeps its day; the id bitmap's share of memory."""
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET enable_progress_bar = false")
        (threads,) = first_row(connection, "SELECT current_setting('threads')") or (1,)
        self.id_bitmap_bits = ID_BITMAP_BYTES * 8 // max(int(threads), 1)

    def _create_view(self, connection: duckdb.DuckDBPyConnection) -> None:
        """The view `ledger` over the ledger's files, with Hive partitions when it has them."""
        import duckdb

        pattern = parquet_pattern(self.label)
        try:
            found, hive = first_row(
                connection,
                "SELECT count(*), coalesce(bool_or(regexp_matches(file, "
                f"'{YEAR_PARTITION}')), false) FROM glob($pattern)",
                {"pattern": pattern},
            ) or (0, False)
        except duckdb.Error as error:
            raise InputError(
                f"cannot list the ledger's files: {first_line(error)}", Location(self.label)
            ) from None
        if not found:
            raise InputError(f"no Parquet files match {pattern}", Location(self.label))
        self.partitioned_by_year = bool(hive)
        listed = self._partitions_since(connection, pattern) if hive else None
        self.partitions_listed = bool(listed)  # none from since_year on: a filter finds no rows
        files = f"[{', '.join(map(sql_literal, listed))}]" if listed else sql_literal(pattern)
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW ledger AS SELECT *, filename AS {self.file_column} "
            f"FROM read_parquet({files}, hive_partitioning = {'true' if hive else 'false'})"
        )

    def _partitions_since(self, connection: duckdb.DuckDBPyConnection, pattern: str) -> list[str] | None:
        """The files of the year= partitions from `since_year` on (and any outside a year=
        folder): all the rollup reads, listed, so no query needs a filter to skip the others
        and DuckDB answers bounds from Parquet statistics. None without `since_year`."""
        if self.since_year is None:
            return None
        files = connection.execute(
            "SELECT file FROM glob($pattern) ORDER BY file", {"pattern": pattern}
        ).fetchall()
        return [
            str(file)
            for (file,) in files
            if (_partition_year(str(file)) or self.since_year) >= self.since_year
        ]

    def _connection(self) -> duckdb.DuckDBPyConnection:
        assert self.connection is not None, "open the ledger first (with DuckDBLedger(...))"
        return self.connection

    def columns(self) -> dict[str, str]:
        rows = self._run(lambda c: c.execute("DESCRIBE ledger").fetchall())
        return {str(name).lower(): str(sql_type) for name, sql_type, *_ in rows if name != self.file_column}

    def aggregate(self, sql: str, params: dict[str, Any]) -> pa.Table:
        table = self._run(lambda c: c.sql(sql, params=params).to_arrow_table())
        return table.cast(arrow_schema(AGGREGATE_COLUMNS))

    def aggregate_into(self, db: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
        """The aggregate as `db`'s table AGGREGATE_TABLE: made in place when the ledger is open
        on `db` (nothing leaves DuckDB), else carried over as Arrow."""
        if db is not self.connection:
            db.register(AGGREGATE_TABLE, self.aggregate(sql, params))
            return
        typed = ", ".join(f"CAST({name} AS {sql_type}) AS {name}" for name, sql_type in AGGREGATE_COLUMNS)
        self._run(
            lambda c: c.execute(
                f"CREATE OR REPLACE TEMP TABLE {AGGREGATE_TABLE} AS "
                f"SELECT {typed} FROM ({sql}) AS aggregated",
                params,
            )
        )

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = self._run(lambda c: c.execute(sql, params).fetchall())
        return found

    def _run(self, action: Any) -> Any:
        """Run against the ledger; a file DuckDB cannot read is bad input, named."""
        import duckdb

        try:
            return action(self._connection())
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
            duckdb.OutOfRangeException,
        ) as error:
            raise InputError(f"cannot read the ledger: {first_line(error)}", Location(self.label)) from None
        except duckdb.OutOfMemoryException as error:
            raise AnalyticsError(
                f"DuckDB ran out of memory ({first_line(error)}): raise "
                "$ANALYTICS_MEMORY_LIMIT or free disk for spilling"
            ) from None
        except duckdb.Error as error:
            raise AnalyticsError(f"DuckDB failed on the ledger: {first_line(error)}") from None
