"""Who each payer a ledger names is written as: the company's counterparties table, read once
into bound lists, and the SQL that codes each row's payer and names the codes.

Apart from the rest of the definition (definition.py) because it is the one part that reads the
data folder rather than the ledger; both engines run the SQL it makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.schema import BUILTIN_COUNTERPARTIES, UNATTRIBUTED

#: Where payers the counterparties table does not name go: the built-in third-party pool.
POOL = next(name for name, kind in BUILTIN_COUNTERPARTIES.items() if kind == "third_party")
#: The class of a pool that holds payers of any class (as `unattributed` does).
MIXED_CLASS = BUILTIN_COUNTERPARTIES[UNATTRIBUTED]


@dataclass(frozen=True)
class Pooling:
    """Who each payer is written as: `kept` payers under their own name, each pool's members as
    that pool, every other payer as POOL. Names reach the SQL as bound values, never as text.

    Rows are grouped by a small integer code (code_sql) and named once grouped (name_sql): an
    integer per row is cheaper to hash than a name."""

    kept: tuple[str, ...] = ()
    pools: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (pool, its members), by pool name

    def code_sql(self) -> str:
        """The code of the counterparty a row is written as, over the column `payer`: a kept
        payer's position in $kept (from 1), -1 - i for pool i, 0 for POOL."""
        whens = (["WHEN list_contains($kept, payer) THEN ARRAY_POSITION($kept, payer)"]
                 if self.kept else [])
        whens += [f"WHEN list_contains($members_{i}, payer) THEN {-1 - i:d}"
                  for i in range(len(self.pools))]
        return f"CASE {' '.join(whens)} ELSE 0 END" if whens else "0"

    def name_sql(self, code: str) -> str:
        """The counterparty name of the code column `code` (code_sql)."""
        whens = [f"WHEN {i + 1:d} THEN CAST($kept_{i + 1} AS VARCHAR)"
                 for i in range(len(self.kept))]
        whens += [f"WHEN {-1 - i:d} THEN CAST($pool_{i} AS VARCHAR)"
                  for i in range(len(self.pools))]
        return f"CASE {code} {' '.join(whens)} ELSE '{POOL}' END" if whens else f"'{POOL}'"

    def values(self) -> dict[str, Any]:
        """The bound values code_sql and name_sql name."""
        values: dict[str, Any] = {"kept": list(self.kept)}
        values |= {f"kept_{i + 1}": name for i, name in enumerate(self.kept)}
        for i, (pool, members) in enumerate(self.pools):
            values |= {f"pool_{i}": pool, f"members_{i}": list(members)}
        return values


def pooling_sql() -> str:
    """Each payer the counterparties table lists for `$company` (the built-in pools always, as
    themselves): what the ledger writes it as, its class, and its pool's class when pooled.

    A payer whose counterparty_group is a pool (a counterparty with is_pool) is written as that
    pool; any other listed payer keeps its name. A payer listed over several spans of dates is
    pooled as its latest span says."""
    builtins = ", ".join(f"('{name}', '{kind}')" for name, kind in BUILTIN_COUNTERPARTIES.items())
    return f"""
WITH stored AS (
  SELECT counterparty, counterparty_class, COALESCE(counterparty_group, counterparty) AS grp,
    COALESCE(is_pool, false) AS is_pool
  FROM counterparties WHERE company = $company
  QUALIFY row_number() OVER (PARTITION BY counterparty ORDER BY valid_from DESC NULLS LAST) = 1
), listed AS (
  SELECT * FROM stored
  UNION ALL SELECT name, kind, name, true FROM (VALUES {builtins}) AS builtin(name, kind)
  WHERE name NOT IN (SELECT counterparty FROM stored)
)
SELECT payer.counterparty AS payer, COALESCE(pool.counterparty, payer.counterparty) AS written_as,
  payer.counterparty_class AS payer_class, pool.counterparty_class AS pool_class
FROM listed AS payer LEFT JOIN listed AS pool ON pool.is_pool AND pool.counterparty = payer.grp
ORDER BY written_as, payer
"""
