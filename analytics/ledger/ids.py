"""The transaction-id check: no id on two of the rows a rollup reads, exactly.

The costliest check (it reads every id), so it reads as little as it can. With a bitmap (integer
ids, DuckDB) it first counts repeats over every row of the files read, all companies and dates,
for their txn_id column alone: no id repeated there, none among the rows read, a subset. That
settles a clean one-company ledger; only when it finds repeats (or the files hold several
companies, which may share ids) are the rows read counted, and only if they repeat are
examples looked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analytics.errors import InputError, Location
from analytics.ledger.checks import SHOWN, Scope, counted
from analytics.ledger.definition import LedgerShape, bound, files_read_sql, transactions_sql
from analytics.text import for_terminal, shorten


@dataclass(frozen=True)
class IdRange:
    """The integer ids of the files read all lie in [low, high]; `one_company`: those files
    hold one company's rows (or have no company column)."""

    low: int
    high: int
    one_company: bool


def id_range_sql(shape: LedgerShape, since: date | None) -> str:
    """The lowest and highest txn_id, how many, and whether one company, in the files read:
    the bitmap's bounds, which DuckDB takes from Parquet statistics."""
    one = "MIN(company) IS NOT DISTINCT FROM MAX(company)" if shape.has_company else "true"
    return (
        f"SELECT MIN(txn_id), MAX(txn_id), COUNT(txn_id), {one} "
        f"FROM ({files_read_sql(shape, since)}) AS files"
    )


def repeated_ids_sql(
    shape: LedgerShape, since: date | None, id_range: IdRange | None = None, of_files: bool = False
) -> str:
    """How many rows repeat a transaction id already seen (0: none) among the rows read, or with
    `of_files` among every row of the files read. With `id_range` (DuckDB) the distinct ids are
    the bits set in a bitmap of the range: about a tenth of the time of COUNT(DISTINCT), which
    hashes every id (most of the memory limit at 100M rows), the fallback."""
    distinct = (
        "COUNT(DISTINCT txn_id)"
        if id_range is None
        else f"COALESCE(BIT_COUNT(BITSTRING_AGG(txn_id, {id_range.low:d}, {id_range.high:d})), 0)"
    )
    rows = files_read_sql(shape, since) if of_files else transactions_sql(shape, since)
    return f"SELECT CAST(COUNT(txn_id) - {distinct} AS BIGINT) AS repeated FROM ({rows}) AS tx"


def duplicates_sql(shape: LedgerShape, since: date | None) -> str:
    """Transaction ids on more than one row: up to three, with how many ids and rows in all."""
    return f"""
SELECT CAST(txn_id AS VARCHAR) AS example, copies,
  CAST(COUNT(*) OVER () AS BIGINT) AS ids, CAST(SUM(copies) OVER () AS BIGINT) AS rows_involved
FROM (
  SELECT txn_id, CAST(COUNT(*) AS BIGINT) AS copies
  FROM ({transactions_sql(shape, since)}) AS tx
  WHERE txn_id IS NOT NULL
  GROUP BY txn_id
  HAVING COUNT(*) > 1
) AS duplicated
ORDER BY txn_id
LIMIT 3
"""


def check_duplicates(scope: Scope) -> None:
    """No transaction id on two rows read; refused with how many and up to three examples."""
    if not scope.shape.has_txn_id:
        return
    id_range = _id_bitmap_range(scope)
    if id_range is not None and id_range.one_company and not _repeated(scope, id_range, True):
        return
    if not _repeated(scope, id_range, False):
        return
    sql = duplicates_sql(scope.shape, scope.since)
    rows = scope.engine.rows(sql, bound(sql, scope.values))
    if not rows:
        return
    _, _, ids, involved = rows[0]
    shown = ", ".join(
        f"{for_terminal(shorten(str(example), SHOWN))} ({copies} rows)" for example, copies, _, _ in rows
    )
    raise InputError(
        f"{counted(involved, 'row')} share {counted(ids, 'transaction id')}, e.g. {shown}",
        Location(scope.engine.label, None, "txn_id"),
    )


def _repeated(scope: Scope, id_range: IdRange | None, of_files: bool) -> int:
    sql = repeated_ids_sql(scope.shape, scope.since, id_range, of_files)
    return int(scope.engine.rows(sql, bound(sql, scope.values))[0][0] or 0)


def _id_bitmap_range(scope: Scope) -> IdRange | None:
    """The range of integer ids to count repeats in as a bitmap, when the engine has bitmaps and
    the range is within its budget and at most 64 bits an id held."""
    if not (scope.shape.integer_ids and scope.engine.id_bitmap_bits):
        return None
    low, high, ids, one_company = scope.engine.rows(id_range_sql(scope.shape, scope.since), {})[0]
    if low is None or high - low >= min(scope.engine.id_bitmap_bits, 64 * ids):
        return None
    return IdRange(int(low), int(high), bool(one_company))
