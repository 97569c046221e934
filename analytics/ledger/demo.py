"""`analytics ledger demo`: a synthetic ledger shaped like a platform's, to try rollups and bench.

Many small advertisers, a few strategic partners (the main one fading from about a quarter of
revenue to a sixth), members paying for value-added services, and a commission on the partner's
e-commerce sales (GMV x rate: 4%, 5% from 2021). Set-based in DuckDB from hashes of the row
number, so a seed gives the same ledger every time; every row's `source` says `synthetic`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analytics.errors import InputError, Location
from analytics.sql.sandbox import sql_literal
from analytics.store import commit

DEFAULT_COMPANY = "Lumen Social"
MAX_ROWS = 10_000_000_000
#: The demo's named counterparties, in the counterparties ingest format (company added).
PARTNERS = (
    (
        "Orchard Group",
        "strategic_partner",
        "Orchard Group",
        "synthetic: strategic partner, advertiser and e-commerce platform",
    ),
    (
        "Harbor Pay",
        "strategic_partner",
        "Orchard Group",
        "synthetic: payments affiliate of Orchard Group (common control)",
    ),
    ("Northwind Games", "strategic_partner", "Northwind Games", "synthetic: game publisher and advertiser"),
)

_LEDGER_SQL = """
WITH raw AS (
  SELECT i, hash(i, $seed, 1) % 1000 AS stream_pick, hash(i, $seed, 2) % 10000 AS payer_pick,
    hash(i, $seed, 3) AS payer_hash, hash(i, $seed, 4) AS amount_hash,
    CAST(i AS DOUBLE) / $rows AS progress,
    CAST($start AS TIMESTAMP) + to_seconds(CAST(i * $span // $rows AS BIGINT)) AS booked_at
  FROM range($rows) AS t(i)
), shaped AS (
  SELECT *,
    CASE WHEN stream_pick < 650 THEN 'advertising' WHEN stream_pick < 850
         THEN 'value_added_services' ELSE 'partner_ecommerce_share' END AS stream,
    CASE WHEN year(booked_at) < 2021 THEN 0.0400 ELSE 0.0500 END AS rate,
    CAST((amount_hash % 2400000 + 100000) AS DECIMAL(18, 2)) / 100 AS gmv_units,
    payer_pick < 10000 * (0.06 - 0.045 * progress) AS orchard_ad,
    payer_pick >= 9800 AS other_partner_ad
  FROM raw
)
SELECT
  CAST(i + 1 AS BIGINT) AS txn_id,
  booked_at,
  $company AS company,
  stream,
  CASE WHEN stream = 'partner_ecommerce_share' THEN 'Orchard Group'
       WHEN stream = 'value_added_services' THEN 'member_' || CAST(payer_hash % 500000 AS VARCHAR)
       WHEN orchard_ad THEN 'Orchard Group'
       WHEN other_partner_ad THEN CASE WHEN payer_pick >= 9900 THEN 'Harbor Pay'
                                       ELSE 'Northwind Games' END
       ELSE 'advertiser_' || lpad(CAST(payer_hash % 20000 AS VARCHAR), 5, '0') END AS counterparty,
  CAST(CASE
    WHEN stream = 'partner_ecommerce_share' THEN round(gmv_units * rate, 2)
    WHEN stream = 'value_added_services' THEN (amount_hash % 190000 + 10000) / 100
    WHEN orchard_ad OR other_partner_ad THEN (amount_hash % 900000 + 100000) / 100
    ELSE (amount_hash % 199000 + 1000) / 100 END AS DECIMAL(18, 2)) AS amount,
  $currency AS currency,
  CASE WHEN stream = 'partner_ecommerce_share' THEN CAST(gmv_units AS DECIMAL(18, 2)) END AS gmv,
  CASE WHEN stream = 'partner_ecommerce_share' THEN CAST(rate AS DECIMAL(6, 4))
       END AS commission_rate,
  $source AS source
FROM shaped
"""


@dataclass(frozen=True)
class DemoSummary:
    """A written demo: the ledger (file or folder), its counterparties CSV, and its size."""

    ledger: Path
    counterparties: Path
    rows: int
    company: str
    written: list[Path]


def demo(
    out: Path | str,
    rows: int,
    seed: int = 42,
    partition_by: str | None = None,
    company: str = DEFAULT_COMPANY,
    start: date = date(2019, 1, 1),
    end: date = date(2023, 12, 31),
    currency: str = "USD",
    data_dir: Path | str | None = None,
) -> DemoSummary:
    """Write a synthetic ledger to `out` (a folder of `year=` partitions with `partition_by`),
    and beside it `<name>-counterparties.csv` naming its strategic partners."""
    _check_options(rows, partition_by, start, end)
    target = Path(out).expanduser().resolve()
    folder = Path(data_dir).resolve() if data_dir is not None else None
    values = _parameters(rows, seed, company, start, end, currency)
    ledger = (
        _write_partitioned(target, values, folder)
        if partition_by
        else commit.write_output(target, lambda temp: _copy(_LEDGER_SQL, values, temp, ""), folder)
    )
    partners = commit.write_output(
        target.parent / f"{target.stem}-counterparties.csv", _counterparties_csv(company), folder
    )
    return DemoSummary(ledger, partners, rows, company, [ledger, partners])


def _check_options(rows: int, partition_by: str | None, start: date, end: date) -> None:
    if not 1 <= rows <= MAX_ROWS:
        raise InputError(f"--rows {rows}: give 1 to {MAX_ROWS:,} rows")
    if partition_by not in (None, "year"):
        raise InputError(f"--partition-by {partition_by}: only year is supported")
    if end < start:
        raise InputError(f"--end {end} is before --start {start}")


def _parameters(
    rows: int, seed: int, company: str, start: date, end: date, currency: str
) -> dict[str, object]:
    span_seconds = ((end - start).days + 1) * 86_400
    return {
        "seed": int(seed),
        "rows": int(rows),
        "span": span_seconds,
        "start": start,
        "company": company,
        "currency": currency,
        "source": f"synthetic: analytics ledger demo, seed {int(seed)}",
    }


def _copy(select: str, values: dict[str, object], target: Path, options: str) -> None:
    """COPY the ledger query to `target`: values bound, the path quoted as a literal."""
    import duckdb

    with duckdb.connect(":memory:") as connection:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"COPY ({select}) TO {sql_literal(str(target))} (FORMAT parquet{options})", values)


def _write_partitioned(target: Path, values: dict[str, object], data_dir: Path | None) -> Path:
    """Write `year=` partitions into a new folder, renamed into place only once complete."""
    if target.exists():
        raise InputError("already exists: give a new folder for a partitioned ledger", Location(target))
    commit.check_output_path(target, data_dir)  # the data folder, a missing or read-only parent
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _copy(
            f"SELECT *, year(booked_at) AS year FROM ({_LEDGER_SQL})",
            values,
            staging / "ledger",
            ", PARTITION_BY (year)",
        )
        os.rename(staging / "ledger", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _counterparties_csv(company: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["company", "counterparty", "counterparty_class", "counterparty_group", "is_pool", "note"]
    )
    writer.writerows([company, name, kind, group, "false", note] for name, kind, group, note in PARTNERS)
    return buffer.getvalue().encode("utf-8")
