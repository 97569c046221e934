"""A synthetic coverage universe in the ingest formats, generated set-based by DuckDB.

N companies x 40 quarters x 4 streams x 20 counterparties (leaves) plus one printed total per
company and quarter; every row's source says `synthetic`. Leaves add up to their total exactly,
so the universe validates. Used by bench_scale.py.

    python bench/universe.py 100 /tmp/universe
"""

from __future__ import annotations

import sys
from pathlib import Path

QUARTERS, STREAMS, COUNTERPARTIES = 40, 4, 20
PARTNER = "cp01"


def company(number: int) -> str:
    return f"Company {number:05d}"


LEAVES_SQL = """
SELECT printf('Company %05d', c) AS company,
       (2010 + q // 4)::VARCHAR || 'Q' || (q % 4 + 1)::VARCHAR AS period,
       'stream_' || s::VARCHAR AS stream,
       CASE WHEN p = 0 THEN 'third_parties' ELSE printf('cp%02d', p) END AS counterparty,
       (1000 + (hash(c, q, s, p) % 100000))::BIGINT AS amount,
       'USD' AS currency, 'units' AS unit, 'synthetic' AS source
FROM range({n}) t1(c), range({quarters}) t2(q), range({streams}) t3(s),
     range({counterparties}) t4(p)
"""


def revenue_sql(n: int) -> str:
    """Leaves, then each company-quarter's printed total (the exact sum of its leaves)."""
    leaves = LEAVES_SQL.format(n=n, quarters=QUARTERS, streams=STREAMS, counterparties=COUNTERPARTIES)
    return (
        f"WITH leaves AS ({leaves}) "
        "SELECT * FROM leaves UNION ALL "
        "SELECT company, period, 'total', 'all', sum(amount), 'USD', 'units', 'synthetic' "
        "FROM leaves GROUP BY company, period"
    )


def counterparties_sql(n: int) -> str:
    return (
        f"SELECT printf('Company %05d', c) AS company, printf('cp%02d', p) AS counterparty, "
        f"CASE WHEN p = 1 THEN 'strategic_partner' ELSE 'third_party' END "
        f"AS counterparty_class "
        f"FROM range({n}) t1(c), range(1, {COUNTERPARTIES}) t2(p)"
    )


def generate(n: int, folder: Path) -> dict[str, Path]:
    """Write counterparties.csv and revenue.csv for N companies into `folder`."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"counterparties": folder / "counterparties.csv", "revenue": folder / "revenue.csv"}
    with duckdb.connect(":memory:") as connection:
        connection.execute("SET preserve_insertion_order = false")
        for name, sql in (("counterparties", counterparties_sql(n)), ("revenue", revenue_sql(n))):
            connection.execute(f"COPY ({sql}) TO '{paths[name]}' (HEADER, DELIMITER ',')")
    return paths


if __name__ == "__main__":
    for written in generate(int(sys.argv[1]), Path(sys.argv[2])).values():
        print(written)
