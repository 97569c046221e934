"""Who each payer of a ledger is written as: under its own name, as its pool, or, for a payer
the counterparties table lists over several spans of dates, as the span covering the booking
date says. The rollup's SQL (definition.aggregate_sql) groups rows by the code made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from analytics.store.schema import BUILTIN_COUNTERPARTIES, UNATTRIBUTED

#: Where payers the counterparties table does not name go: the built-in third-party pool.
POOL = next(name for name, kind in BUILTIN_COUNTERPARTIES.items() if kind == "third_party")
#: The class of a pool that holds payers of any class (as `unattributed` does).
MIXED_CLASS = BUILTIN_COUNTERPARTIES[UNATTRIBUTED]
#: The code (Pooling.code_sql) of a booking outside every span of dates the counterparties
#: table gives its payer: written as POOL, as an unlisted payer's, and counted apart.
UNSPANNED = -1_000_000


@dataclass(frozen=True)
class DatedPayer:
    """A payer its spans of dates write as different counterparties: `written_as[k]` before the
    day `changes[k]`, the last from the last change on; None: booked outside every span."""

    payer: str
    written_as: tuple[str | None, ...]
    changes: tuple[date, ...]


@dataclass(frozen=True)
class Pooling:
    """Who each payer is written as: `kept` payers under their own name, each pool's members as
    that pool, every other payer as POOL; a `dated` payer as the span covering the booking date
    says. Names reach the SQL as bound values, never as text.

    Rows are grouped by a small integer code (code_sql) and named once grouped (name_sql): an
    integer per row is cheaper to hash than a name. Only dated payers (few) compare dates."""

    kept: tuple[str, ...] = ()
    pools: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (pool, its members), by pool name
    dated: tuple[DatedPayer, ...] = ()

    def code_sql(self) -> str:
        """The code of the counterparty a row is written as, over the columns `payer` and
        `booked_on`: a kept payer's position in $kept (from 1), -1 - i for pool i, 0 for POOL,
        UNSPANNED for a dated payer's booking outside its spans (written as POOL too)."""
        whens = [f"WHEN list_contains($dated, payer) THEN {self._dated_sql()}"] if self.dated else []
        whens += ["WHEN list_contains($kept, payer) THEN ARRAY_POSITION($kept, payer)"] if self.kept else []
        whens += [
            f"WHEN list_contains($members_{i}, payer) THEN {-1 - i:d}"
            for i, (_, members) in enumerate(self.pools)
            if members
        ]
        return f"CASE {' '.join(whens)} ELSE 0 END" if whens else "0"

    def _dated_sql(self) -> str:
        """Per dated payer, a CASE over the days its writing changes (dates the code made)."""
        payers = []
        for j, dated in enumerate(self.dated):
            whens = " ".join(
                f"WHEN booked_on < DATE '{day.isoformat()}' THEN {self._code(was):d}"
                for day, was in zip(dated.changes, dated.written_as, strict=False)
            )
            payers.append(
                f"WHEN payer = $dated_{j + 1} THEN CASE {whens} ELSE {self._code(dated.written_as[-1]):d} END"
            )
        return f"CASE {' '.join(payers)} END"

    def _code(self, written_as: str | None) -> int:
        """The code of a counterparty name (code_sql); None: booked outside every span."""
        codes = {pool: -1 - i for i, (pool, _) in enumerate(self.pools)}
        codes |= {name: i + 1 for i, name in enumerate(self.kept)}
        return UNSPANNED if written_as is None else codes.get(written_as, 0)

    def name_sql(self, code: str) -> str:
        """The counterparty name of the code column `code` (code_sql)."""
        whens = [f"WHEN {i + 1:d} THEN CAST($kept_{i + 1} AS VARCHAR)" for i in range(len(self.kept))]
        whens += [f"WHEN {-1 - i:d} THEN CAST($pool_{i} AS VARCHAR)" for i in range(len(self.pools))]
        return f"CASE {code} {' '.join(whens)} ELSE '{POOL}' END" if whens else f"'{POOL}'"

    def unspanned_sql(self) -> str:
        """How many of a by-month group's `transactions` were booked outside their payer's
        spans (code UNSPANNED): a constant 0 when no payer can be."""
        if not any(None in dated.written_as for dated in self.dated):
            return "0"
        return f"SUM(CASE WHEN payer_code = {UNSPANNED:d} THEN transactions ELSE 0 END)"

    def values(self) -> dict[str, Any]:
        """The bound values code_sql and name_sql name."""
        values: dict[str, Any] = {"kept": list(self.kept)}
        values |= {f"kept_{i + 1}": name for i, name in enumerate(self.kept)}
        for i, (pool, members) in enumerate(self.pools):
            values |= {f"pool_{i}": pool, f"members_{i}": list(members)}
        if self.dated:
            values["dated"] = [dated.payer for dated in self.dated]
            values |= {f"dated_{j + 1}": d.payer for j, d in enumerate(self.dated)}
        return values
