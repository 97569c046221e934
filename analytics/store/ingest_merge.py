"""Merging a staged file into the working set: what --replace removes, the upsert on the grain.

The file's rows go to their stored tables (revenue rows split into leaves and printed totals),
replacing stored rows of the same grain, so re-ingesting a file changes nothing; afterwards only
the keys that name a file row in an error are kept, so a large file is not held twice.
"""

from __future__ import annotations

from analytics.store import parquet
from analytics.store.schema import BUILTIN_COUNTERPARTIES, TABLES
from analytics.store.staging import StagedFile
from analytics.store.working_set import WorkingSet


def targets(table: str) -> dict[str, str]:
    """Stored table -> which staged rows go there (revenue rows split into leaves and totals)."""
    if table != "revenue":
        return {table: "company IS NOT NULL"}
    return {"revenue": "counterparty IS NOT NULL", "reported_totals": "counterparty IS NULL"}


def drop_replaced(work: WorkingSet, staged: StagedFile, table: str) -> int:
    """Remove the stored rows an ingest with --replace replaces (the built-in pools stay in
    counterparties); returns how many went."""
    removed = 0
    for name in targets(table):
        keys = ("company", "period") if "period" in TABLES[name].column_names else ("company",)
        where = matches(work.table(name), staged.table, keys)
        if name == "counterparties":
            pools = ", ".join(f"'{pool}'" for pool in BUILTIN_COUNTERPARTIES)
            where += f" AND counterparty NOT IN ({pools})"
        removed += work.delete(name, where)
    return removed


def matches(table: str, staged: str, keys: tuple[str, ...], which: str = "true") -> str:
    """A row of `table` whose `keys` equal those of a staged row (`which` of them)."""
    same = " AND ".join(f"s.{k} IS NOT DISTINCT FROM {table}.{k}" for k in keys)
    return f"EXISTS (SELECT 1 FROM {staged} s WHERE {which} AND {same})"


def add_builtin_counterparties(work: WorkingSet) -> None:
    """Give every company in the working set the built-in pools (third parties, ...) it lacks,
    so a revenue row may name a pool without a counterparties file."""
    pools = " UNION ALL ".join(
        f"SELECT '{name}' AS counterparty, '{counterparty_class}' AS counterparty_class"
        for name, counterparty_class in BUILTIN_COUNTERPARTIES.items()
    )
    work.connection.execute(f"""
        INSERT INTO {work.table("counterparties")} BY NAME
        SELECT c.company, p.counterparty, p.counterparty_class,
               p.counterparty AS counterparty_group, true AS is_pool,
               'built in: a pool of many counterparties' AS note
        FROM {work.scope} c CROSS JOIN ({pools}) p
        WHERE NOT EXISTS (SELECT 1 FROM {work.table("counterparties")} k
                          WHERE k.company = c.company AND k.counterparty = p.counterparty)
        """).fetchall()


def upsert(work: WorkingSet, staged: StagedFile, targets: dict[str, str]) -> tuple[int, int]:
    """Replace stored rows that share a new row's grain; returns (inserted, replaced)."""
    inserted = replaced = 0
    for name, which in targets.items():
        gone = work.delete(name, matches(work.table(name), staged.table, TABLES[name].grain, f"s.{which}"))
        columns = ", ".join(TABLES[name].column_names)
        ((new,),) = work.connection.execute(
            f"INSERT INTO {work.table(name)} ({columns}) "
            f"SELECT {parquet.typed_select(name)} FROM {staged.table} s WHERE s.{which}"
        ).fetchall()
        replaced += gone
        inserted += int(new) - gone
    return inserted, replaced


def key_columns(table: str) -> list[str]:
    """What names a violation's row: company, period and stream (or what a share is of)."""
    columns = TABLES[table].column_names
    which = next((c for c in ("stream", "share_of") if c in columns), None)
    return ["company", "period", which] if "period" in columns and which else []


def keep_only_keys(work: WorkingSet, staged: StagedFile, table: str) -> None:
    """Once merged, the file's rows are in the working set: keep only what names a row in an
    error, so a large file is not held twice while remainders are derived and checked."""
    keys = ", ".join(["row_number", *key_columns(table)])
    work.connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {staged.table}_keys AS SELECT {keys} FROM {staged.table}"
    ).fetchall()
    work.connection.execute(f"DROP TABLE {staged.table}").fetchall()
    work.connection.execute(f"ALTER TABLE {staged.table}_keys RENAME TO {staged.table}").fetchall()
