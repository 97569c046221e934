"""A query's result as the sandbox hands it over: plain rows when small, else Arrow batches.

Nothing runs until the result is read. Rows come from one plain execution of the statement (no
pyarrow, no separate bind to learn the types first); Arrow batches from a relation over it, with
casts for the types a format cannot take. Only `sandbox.stream` makes these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from analytics.sql.deadline import Deadline

BATCH_ROWS = 65_536


class Batches:
    """A running query's result, as Arrow record batches (iterate; `schema`) or, when small, as
    plain rows (`small_rows`). Nothing runs until asked: rows come from one plain execution of
    the statement (no pyarrow, no separate bind), Arrow batches from a relation over it. Time
    outside DuckDB is not counted against the deadline."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        sql: str,
        params: dict[str, Any] | None,
        deadline: Deadline,
        plain_types: bool,
    ) -> None:
        self._connection, self._sql, self._params = connection, sql, params
        self._deadline, self._plain_types = deadline, plain_types
        self._relation: duckdb.DuckDBPyRelation | None = None
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._reader: pa.RecordBatchReader | None = None
        self._described: tuple[list[str], list[str], dict[str, str]] | None = None
        self._source_types: dict[str, str] = {}
        #: Columns DuckDB returns as dates that plain types show as text: made text here, as
        #: DuckDB's own cast writes them, rather than by casting in SQL (which needs a bind).
        self._dates: list[int] = []

    @property
    def names(self) -> list[str]:
        """Column names as delivered."""
        return self._describe()[0]

    @property
    def types(self) -> list[str]:
        """DuckDB types as delivered (after any cast to text)."""
        return self._describe()[1]

    @property
    def source_types(self) -> dict[str, str]:
        """Each column's DuckDB type before any cast to text (Excel turns dates back to dates)."""
        return self._describe()[2]

    @property
    def schema(self) -> pa.Schema:
        return self._arrow().schema

    def _describe(self) -> tuple[list[str], list[str], dict[str, str]]:
        if self._described is None:
            if self._relation is None and self._reader is None:
                self._execute()
            else:
                self._describe_relation()
        assert self._described is not None
        return self._described

    def _execute(self) -> None:
        """Run the statement once, as it is; fall back to a relation with casts when a column
        needs a cast other than a date's."""
        with self._deadline.counting():
            cursor = self._connection.execute(self._sql, self._params)
        names = [column[0] for column in cursor.description]
        source = [str(column[1]) for column in cursor.description]
        casts = _casts(source, self._plain_types)
        if any(source[i] != "DATE" for i in casts):
            self._connection.abort()
            self._describe_relation()
            return
        self._cursor, self._dates = cursor, casts
        types = ["VARCHAR" if i in casts else t for i, t in enumerate(source)]
        self._described = (names, types, dict(zip(names, source, strict=True)))

    def _describe_relation(self) -> None:
        relation = self._made_relation()
        self._described = (list(relation.columns), [str(t) for t in relation.types], self._source_types)

    def _made_relation(self) -> duckdb.DuckDBPyRelation:
        if self._relation is None:
            with self._deadline.counting():
                relation = self._connection.sql(self._sql, params=self._params)
                self._source_types = {
                    n: str(t) for n, t in zip(relation.columns, relation.types, strict=True)
                }
                self._relation = _readable(relation, self._plain_types)
        return self._relation

    def _arrow(self) -> pa.RecordBatchReader:
        if self._reader is None:
            if self._cursor is not None:
                self._connection.abort()
                self._cursor = None
            relation = self._made_relation()
            with self._deadline.counting():
                self._reader = relation.to_arrow_reader(BATCH_ROWS)
        return self._reader

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return self

    def __next__(self) -> pa.RecordBatch:
        reader = self._arrow()
        with self._deadline.counting():
            return reader.read_next_batch()

    def small_rows(self, most: int) -> list[tuple[Any, ...]] | None:
        """The whole result as tuples of DuckDB's Python values (no pyarrow) when it has at
        most `most` rows; None when it has more, to be read as Arrow batches instead (formatted
        in bulk; the query then runs again, streaming, so memory stays bounded)."""
        self._describe()
        with self._deadline.counting():
            if self._cursor is None:
                assert self._relation is not None
                self._cursor = self._connection.execute(self._relation.sql_query(), self._params)
            probe = self._cursor.fetchmany(most + 1)
        if len(probe) > most:
            self._connection.abort()  # the rest streams as Arrow, in a run of its own
            self._cursor = None
            return None
        if not self._dates:
            return probe
        rows = _dates_as_text(probe, self._dates)
        if rows is None:  # an infinite date reads as date.max: DuckDB's cast says which
            self._cursor, self._dates, self._described = None, [], None
            self._describe_relation()
            return self.small_rows(most)
        return rows


def _casts(types: list[str], plain_types: bool) -> list[int]:
    """The columns to deliver as text: every type but numbers, booleans and text under plain
    types; otherwise only those Arrow consumers cannot take."""
    return [
        i
        for i, text in enumerate(types)
        if (not _PLAIN.match(text) if plain_types else _ARROW_UNSAFE.search(text))
    ]


def _dates_as_text(rows: list[tuple[Any, ...]], columns: list[int]) -> list[tuple[Any, ...]] | None:
    """`rows` with the dates in `columns` as DuckDB's cast writes them (ISO; a BC date arrives
    as that text already); None when one is the first or last Python date, which may stand for
    -infinity or infinity."""
    from datetime import date

    edges = (date.min, date.max)
    out = []
    for row in rows:
        values = list(row)
        for i in columns:
            value = values[i]
            if isinstance(value, date):
                if value in edges:
                    return None
                values[i] = value.isoformat()
        out.append(tuple(values))
    return out


_PLAIN = re.compile(
    r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|"
    r"UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|VARCHAR)$"
)
_ARROW_UNSAFE = re.compile(r"UNION|BIGNUM|VARINT|BIT|TIME WITH TIME ZONE|INTERVAL")


def _readable(relation: duckdb.DuckDBPyRelation, plain_types: bool) -> duckdb.DuckDBPyRelation:
    casts = [relation.columns[i] for i in _casts([str(t) for t in relation.types], plain_types)]
    if not casts:
        return relation
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in relation.columns}
    return relation.project(
        ", ".join(
            f"CAST({quoted[n]} AS VARCHAR) AS {quoted[n]}" if n in casts else quoted[n]
            for n in relation.columns
        )
    )
