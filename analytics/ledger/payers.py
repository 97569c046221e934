"""Who each payer is written as, and from which day: the counterparties table read into a Pooling.

A few rows of reference data, read on the rollup's own DuckDB (so pooling_sql is DuckDB's only);
what the engines run per ledger row is definition.Pooling.code_sql. Spans of dates are read as
every query reads them (views.sql `in_force`): `valid_from` and `valid_to` are both days held.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from analytics.errors import InputError, Location
from analytics.ledger.checks import counted
from analytics.ledger.definition import bound, transactions_sql
from analytics.ledger.duckdb_engine import first_row
from analytics.ledger.pooling import MIXED_CLASS, POOL, UNSPANNED, DatedPayer, Pooling
from analytics.store.schema import BUILTIN_COUNTERPARTIES
from analytics.text import for_terminal, shorten

if TYPE_CHECKING:
    import duckdb

    from analytics.ledger.checks import Scope

#: Payers named in the warning about bookings outside their spans.
SHOWN_PAYERS = 3


class Piece(NamedTuple):
    """A stretch of days (None: open) over which the table writes a payer one way: as
    `written_as` (None: no span of the payer holds), with the classes its checks compare."""

    payer: str
    starts: date | None
    ends: date | None
    written_as: str | None
    payer_class: str | None
    pool_class: str | None


def _holds(alias: str) -> str:
    """Whether the span of the counterparty row `alias` holds on the piece's first day."""
    return (
        f"({alias}.valid_from IS NULL OR {alias}.valid_from <= piece.starts) AND "
        f"({alias}.valid_to IS NULL OR piece.starts IS NULL OR piece.starts <= {alias}.valid_to)"
    )


def pooling_sql() -> str:
    """Each payer the counterparties table lists for `$company` (the built-in pools always, as
    themselves), cut into pieces of days over which neither its span nor its group's pool
    changes: what the ledger writes it as then, its class, and its pool's class when pooled.

    A payer whose counterparty_group is a pool (a counterparty with is_pool) is written as that
    pool; any other listed payer keeps its name. A payer listed over several spans of dates is
    written, per transaction, as the span covering the booking date says (`valid_from` and
    `valid_to` both included); a booking outside every span of its payer (written_as NULL) is
    written as an unlisted payer's is, into POOL, as queries leave a period no row holds for."""
    builtins = ", ".join(f"('{name}', '{kind}')" for name, kind in BUILTIN_COUNTERPARTIES.items())
    return f"""
WITH stored AS (
  SELECT counterparty, counterparty_class, COALESCE(counterparty_group, counterparty) AS grp,
    COALESCE(is_pool, false) AS is_pool, valid_from, valid_to
  FROM counterparties_of($company)
), listed AS (
  SELECT * FROM stored
  UNION ALL SELECT name, kind, name, true, NULL, NULL FROM (VALUES {builtins}) AS builtin(name, kind)
  WHERE name NOT IN (SELECT counterparty FROM stored)
), edges AS (
  SELECT counterparty, valid_from AS day FROM listed WHERE valid_from IS NOT NULL
  UNION SELECT counterparty, valid_to + 1 FROM listed WHERE valid_to IS NOT NULL
), starts AS (
  SELECT counterparty AS payer, CAST(NULL AS DATE) AS day FROM listed
  UNION SELECT counterparty, day FROM edges
  UNION SELECT payer.counterparty, edge.day FROM listed AS payer
    JOIN edges AS edge ON edge.counterparty = payer.grp
), pieces AS (
  SELECT payer, day AS starts,
    lead(day) OVER (PARTITION BY payer ORDER BY day NULLS FIRST) - 1 AS ends
  FROM starts
)
SELECT piece.payer, piece.starts, piece.ends,
  CASE WHEN payer.counterparty IS NOT NULL
    THEN COALESCE(pool.counterparty, payer.counterparty) END AS written_as,
  payer.counterparty_class AS payer_class, pool.counterparty_class AS pool_class
FROM pieces AS piece
LEFT JOIN listed AS payer ON payer.counterparty = piece.payer AND {_holds("payer")}
LEFT JOIN listed AS pool ON pool.is_pool AND pool.counterparty = payer.grp AND {_holds("pool")}
ORDER BY piece.payer, piece.starts NULLS FIRST
"""


def payer_pooling(db: duckdb.DuckDBPyConnection, company: str) -> Pooling:
    """How the counterparties table says to write the company's payers (pooling_sql), each
    piece of each payer's spans checked for a class its pool would change."""
    pieces = [Piece(*row) for row in db.execute(pooling_sql(), {"company": company}).fetchall()]
    _refuse_class_clashes(pieces, company)
    return pooling_of(pieces)


def pooling_of(pieces: list[Piece]) -> Pooling:
    """The Pooling of pieces in payer and date order: a payer written one way on every day is
    kept or a pool member, as cheap per row as ever; only the others are dated."""
    by_payer: dict[str, list[tuple[date | None, str | None]]] = {}
    for piece in pieces:
        ways = by_payer.setdefault(piece.payer, [])
        if not ways or ways[-1][1] != piece.written_as:
            ways.append((piece.starts, piece.written_as))
    kept: list[str] = []
    members: dict[str, tuple[str, ...]] = {}
    dated: list[DatedPayer] = []
    for payer, ways in by_payer.items():
        written = [written_as for _, written_as in ways]
        if len(ways) > 1:
            dated.append(
                DatedPayer(payer, tuple(written), tuple(day for day, _ in ways[1:] if day is not None))
            )
        if payer in written:
            kept.append(payer)
        for pool in {name for name in written if name not in (None, payer)}:
            members[pool] = (*members.get(pool, ()), *([payer] if len(ways) == 1 else []))
    return Pooling(tuple(kept), tuple(sorted(members.items())), tuple(dated))


def _refuse_class_clashes(pieces: list[Piece], company: str) -> None:
    """A payer pooled into a pool of another class would silently change class: refused (a
    `mixed` pool takes any class), naming the days when the payer's spans are dated."""
    clashes = [
        piece
        for piece in pieces
        if piece.written_as not in (None, piece.payer)
        and piece.pool_class not in (MIXED_CLASS, piece.payer_class)
    ]
    if not clashes:
        return
    payer, starts, ends, pool, payer_class, pool_class = clashes[0]
    during = (
        f" from {starts or 'the start'} to {ends or 'now'}" if starts is not None or ends is not None else ""
    )
    more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
    raise InputError(
        f"counterparty '{for_terminal(shorten(payer, 60))}' is {payer_class}{during} but its group "
        f"'{for_terminal(shorten(str(pool), 60))}' is a {pool_class} pool, where its revenue would "
        f"count as {pool_class}{more}: give it class {pool_class}, or a group that is not a pool",
        Location(f"counterparties of {company}", None, "counterparty_group"),
    )


def unspanned_payers_sql(scope: Scope, pooling: Pooling) -> str:
    """The payers with most rows read booked outside their spans, with counts and dates."""
    return (
        f"SELECT payer, COUNT(*) AS n, MIN(booked_on), MAX(booked_on) FROM (SELECT *, "
        f"{pooling.code_sql()} AS payer_code FROM "
        f"({transactions_sql(scope.shape, scope.since)}) AS tx) AS coded "
        f"WHERE payer_code = {UNSPANNED:d} GROUP BY payer ORDER BY n DESC, payer "
        f"LIMIT {SHOWN_PAYERS:d}"
    )


def unspanned_warning(db: duckdb.DuckDBPyConnection, scope: Scope, pooling: Pooling) -> str | None:
    """The warning when rows read were booked outside every span of their listed payer: the
    count from the aggregate; only then back to the ledger, for the payers."""
    (count,) = first_row(db, "SELECT SUM(unspanned_rows) FROM ledger_aggregate") or (None,)
    if not count:
        return None
    sql = unspanned_payers_sql(scope, pooling)
    shown = "; ".join(
        f"'{for_terminal(shorten(str(payer), 60))}' {counted(int(n), 'row')}, {first} to {last}"
        for payer, n, first, last in scope.engine.rows(sql, bound(sql, scope.values))
    )
    return (
        f"{counted(int(count), 'transaction')} booked outside every span of dates "
        f"(valid_from to valid_to) the counterparties table gives their payer, so written as "
        f"{POOL} like an unlisted payer's: {shown}"
    )
