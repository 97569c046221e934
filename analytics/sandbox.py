"""The one door every SQL statement passes: what it may do, how long and how much memory.

DuckDB's settings stop reads outside the data folder, but not `COPY ... TO` into it, so each
statement is checked too: exactly one plain SELECT that calls none of the functions that show
settings or run dynamic SQL (MEASURED.md, "Sandboxing"). Named queries, ad hoc SQL and charts all
run through `run` or `stream`, so the check cannot be skipped. The timeout interrupts DuckDB, and
where DuckDB does not stop (inside one long function call or while planning), the CLI ends the
process: only a process boundary ends such work for real.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analytics.errors import InputError, QueryError, SandboxRefusal

if TYPE_CHECKING:
    import duckdb
    import polars as pl
    import pyarrow as pa

def sql_literal(text: str) -> str:
    """A DuckDB string literal (standard SQL: quotes doubled, no backslash escapes), for the
    paths and names the tool itself puts into SQL; values from users are bound parameters."""
    return "'" + text.replace("'", "''") + "'"


DEFAULT_TIMEOUT_SECONDS = 60.0
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600.0
DEFAULT_MEMORY_LIMIT = "2GiB"
#: Ingest, delete and validate hold a whole file and the touched companies in DuckDB: with a
#: smaller budget they spill sooner, so the process stays near 1.3 GB at a million-row scale.
WRITE_MEMORY_LIMIT = "1GiB"
MEMORY_LIMIT_ENV = "ANALYTICS_MEMORY_LIMIT"
#: Spilling to disk may use this many times the memory limit.
SPILL_FACTOR = 4
#: Writes hold the touched companies' rows (every publication of every figure) as working
#: tables, which spill too: 16 GiB of disk at the 1 GiB write memory limit.
WRITE_SPILL_FACTOR = 16
#: After an interrupt, how long DuckDB gets to stop before the CLI ends the process.
GRACE_SECONDS = 3.0
BATCH_ROWS = 65_536

#: Comments before a statement's first word (DuckDB keeps them in the statement's text).
_LEADING_COMMENTS = re.compile(r"^(\s*(--[^\n]*(\n|$)|/\*.*?\*/))*\s*", re.S)
_REFUSED_STATEMENTS = {
    "COPY": "writing files (COPY ... TO) is not allowed",
    "EXPORT": "writing files (EXPORT DATABASE) is not allowed",
    "ATTACH": "attaching databases is not allowed",
    "DETACH": "detaching databases is not allowed",
    "LOAD": "installing or loading extensions is not allowed",
    "SET": "changing settings is not allowed",
    "VARIABLE_SET": "changing settings is not allowed",
    "PRAGMA": "PRAGMA statements are not allowed",
}
#: Functions that show the machine (paths, home, settings) or run SQL built from strings, which
#: would pass the statement check unseen. Refused wherever the name appears as an identifier.
REFUSED_FUNCTIONS = frozenset({
    "current_setting", "duckdb_settings", "getvariable", "query_table", "duckdb_extensions",
    "duckdb_secrets", "which_secret", "duckdb_temporary_files", "duckdb_databases",
    "pragma_database_list", "pragma_user_agent", "duckdb_memory", "duckdb_logs",
    "duckdb_log_contexts", "pragma_platform", "duckdb_secret_types",
})
#: Refused only when called: `query` is also an ordinary column name.
REFUSED_CALLS = frozenset({"query"})
_TOKEN = re.compile(
    r"(?P<string>[eE]?'(?:[^']|'')*'?)|(?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))"
    r"|(?P<quoted>\"(?:[^\"]|\"\")*\"?)|(?P<line>--[^\n]*)|(?P<block>/\*.*?(?:\*/|\Z))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)|(?P<other>\S)",
    re.DOTALL,
)


@dataclass(frozen=True)
class Limits:
    """How long a query may run and how much memory DuckDB may use.

    `end_process_when_stuck`: when DuckDB ignores the interrupt past the grace period, end the
    process (the CLI sets it; a notebook's kernel should not die, so the library does not).
    """

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    end_process_when_stuck: bool = False
    spill_factor: int = SPILL_FACTOR

    def __post_init__(self) -> None:
        check_timeout(self.timeout)
        check_memory_limit(self.memory_limit)

    @property
    def spill_limit(self) -> str:
        """How much DuckDB may spill to its private temp folder: `spill_factor` x memory."""
        match = _MEMORY.match(self.memory_limit)
        assert match is not None
        return f"{float(match[1]) * self.spill_factor:g}{match[2]}"

    @classmethod
    def from_environment(cls, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                         memory_limit: str | None = None, end_process_when_stuck: bool = False
                         ) -> Limits:
        """Limits with the memory limit from the argument, else $ANALYTICS_MEMORY_LIMIT."""
        chosen = memory_limit or os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
        return cls(timeout, chosen, end_process_when_stuck)

    @classmethod
    def for_writes(cls) -> Limits:
        """Limits for ingest, delete and validate: $ANALYTICS_MEMORY_LIMIT, else
        WRITE_MEMORY_LIMIT; no timeout short of the maximum (a large file takes its time); the
        working set of thousands of companies may spill WRITE_SPILL_FACTOR x memory."""
        return cls(MAX_TIMEOUT_SECONDS, os.environ.get(MEMORY_LIMIT_ENV) or WRITE_MEMORY_LIMIT,
                   spill_factor=WRITE_SPILL_FACTOR)


def check_timeout(seconds: float) -> None:
    if not (0 < seconds <= MAX_TIMEOUT_SECONDS):  # also false for NaN
        raise InputError(f"--timeout {seconds}: give a number of seconds above 0 and at most "
                         f"{MAX_TIMEOUT_SECONDS:g}")


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def check_memory_limit(text: str) -> None:
    match = _MEMORY.match(text)
    if not match or float(match[1]) <= 0:
        raise InputError(f"memory limit '{text}': give a size such as 2GiB, 512MB or 8GB "
                         f"(--memory-limit or ${MEMORY_LIMIT_ENV})")


def check_statement(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but exactly one SELECT that calls no refused function."""
    import duckdb

    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryError(first_line(error)) from None
    if len(statements) != 1:
        raise SandboxRefusal(f"Refused: one statement per call (got {len(statements)})")
    try:
        kind = statements[0].type.name
    except ValueError:  # a statement type the Python client cannot name (UPDATE EXTENSIONS)
        kind = "UNKNOWN"
    if kind != "SELECT":
        keyword = " ".join(_LEADING_COMMENTS.sub("", statements[0].query).split()[:1]).upper() or kind
        reason = _REFUSED_STATEMENTS.get(kind, f"{keyword} statements are not allowed")
        raise SandboxRefusal(f"Refused: {reason}; SQL here may only SELECT from the tables")
    refused = refused_function(sql)
    if refused:
        raise SandboxRefusal(f"Refused: {refused}() is not allowed (it shows settings and paths "
                             "or runs SQL built from text)")


def refused_function(sql: str) -> str | None:
    """The first refused function named in `sql` outside strings and comments, or None."""
    tokens = [(kind, value) for kind, value in _tokens(sql) if kind not in ("line", "block")]
    for index, (kind, value) in enumerate(tokens):
        if kind not in ("word", "quoted"):
            continue
        name = (value.strip('"').replace('""', '"') if kind == "quoted" else value).lower()
        called = index + 1 < len(tokens) and tokens[index + 1][1] == "("
        if name in REFUSED_FUNCTIONS or (called and name in REFUSED_CALLS):
            return name
    return None


def _tokens(sql: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup if match.lastgroup != "tag" else "dollar"
        yield str(kind), match.group()


def run(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None,
        limits: Limits | None = None) -> pl.DataFrame:
    """Check and run one SELECT into a polars frame, within the limits."""
    import polars as pl
    import pyarrow as pa

    with stream(connection, sql, params, limits, plain_types=False) as batches:
        table = pa.Table.from_batches(list(batches), schema=batches.schema)
    return pl.DataFrame(pl.from_arrow(table))


class _Batches:
    """Arrow record batches of a running query; time spent outside `next` is not counted."""

    def __init__(self, reader: pa.RecordBatchReader, deadline: _Deadline,
                 source_types: dict[str, str]) -> None:
        self._reader, self._deadline = reader, deadline
        self.schema = reader.schema
        #: Each column's DuckDB type before any cast to text (Excel turns dates back to dates).
        self.source_types = source_types

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return self

    def __next__(self) -> pa.RecordBatch:
        with self._deadline.counting():
            return self._reader.read_next_batch()


@contextmanager
def stream(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None,
           limits: Limits | None = None, plain_types: bool = True) -> Iterator[_Batches]:
    """Check and run one SELECT, yielding its result as Arrow batches (memory stays bounded).

    `plain_types` casts every column that is not a number, boolean or text to text, so any
    format can show it (intervals, unions, nested types, infinite dates); otherwise only types
    Arrow consumers cannot take are cast.
    """
    import duckdb

    limits = limits or Limits()
    deadline = _Deadline(connection, limits)
    try:
        with deadline.counting():
            check_statement(connection, sql)
            relation = connection.sql(sql, params=params or None)
            source_types = {n: str(t) for n, t in zip(relation.columns, relation.types,
                                                      strict=True)}
            reader = _readable(relation, plain_types).to_arrow_reader(BATCH_ROWS)
        yield _Batches(reader, deadline, source_types)
    except duckdb.InterruptException:
        raise QueryError(f"Query timed out after {limits.timeout:g} s (--timeout)") from None
    except duckdb.OutOfMemoryException:
        raise QueryError(f"Query needs more than the memory limit of {limits.memory_limit} "
                         f"(--memory-limit or ${MEMORY_LIMIT_ENV})") from None
    except duckdb.PermissionException:
        raise SandboxRefusal(
            "Refused: SQL here may only read the tables in the data folder, not other files"
        ) from None
    except duckdb.Error as error:
        raise QueryError(first_line(error)) from None
    finally:
        deadline.stop()


_PLAIN = re.compile(r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|"
                    r"UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|VARCHAR)$")
_ARROW_UNSAFE = re.compile(r"UNION|BIGNUM|VARINT|BIT|TIME WITH TIME ZONE|INTERVAL")


def _readable(relation: duckdb.DuckDBPyRelation, plain_types: bool) -> duckdb.DuckDBPyRelation:
    casts = []
    for name, column_type in zip(relation.columns, relation.types, strict=True):
        text = str(column_type)
        needs_cast = not _PLAIN.match(text) if plain_types else _ARROW_UNSAFE.search(text)
        if needs_cast:
            casts.append(name)
    if not casts:
        return relation
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in relation.columns}
    return relation.project(", ".join(
        f"CAST({quoted[n]} AS VARCHAR) AS {quoted[n]}" if n in casts else quoted[n]
        for n in relation.columns))


class _Deadline:
    """Counts the time DuckDB works on a query; at the limit interrupts it, and if it does not
    stop within the grace period, ends the process when the limits say so."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, limits: Limits) -> None:
        self._connection, self._limits = connection, limits
        self._remaining = limits.timeout
        self._started: float | None = None
        self._changed = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._watch, name="analytics-deadline",
                                        daemon=True)
        self._thread.start()

    @contextmanager
    def counting(self) -> Iterator[None]:
        with self._changed:
            self._started = time.monotonic()
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                if self._started is not None:
                    self._remaining -= time.monotonic() - self._started
                self._started = None

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join()

    def _watch(self) -> None:
        with self._changed:
            while not self._stopped:
                if self._started is None:
                    self._changed.wait()
                    continue
                left = self._remaining - (time.monotonic() - self._started)
                if left > 0:
                    self._changed.wait(left)
                    continue
                self._connection.interrupt()
                if not self._changed.wait_for(lambda: self._stopped or self._started is None,
                                              GRACE_SECONDS):
                    self._stuck()
                self._remaining = 0.0

    def _stuck(self) -> None:
        if not self._limits.end_process_when_stuck:
            return
        sys.stderr.write(f"Error: Query timed out after {self._limits.timeout:g} s (--timeout); "
                         "DuckDB did not stop when interrupted, so the process was ended\n")
        sys.stderr.flush()
        os._exit(QueryError.exit_code)


def first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
