"""Build the shipped Weibo data from the cited reference CSVs in data/sources/weibo/reference/.

Converts the transcribed figures (US$ thousands) into the documented ingest format, writes those
CSVs beside the reference files, and ingests them into a fresh data folder. Run it with
`python -m analytics.weibo.seed`; it is reproducible and changes nothing by hand.

Every figure carries the `basis` its reference row names (`SINA segment`, `ASC 605`, `ASC 606`,
`ASC 606 incl. agent revenue`; reference README). Printed figures become rows in
weibo_printed.py; figures derived here (weibo_derived.py) are marked derived, and their note
carries the arithmetic and the rounding it implies.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from analytics.project import PROJECT_ROOT
from analytics.store import commit
from analytics.weibo.derived import alibaba_from_excluding_rows, derived_rows
from analytics.weibo.printed import annual_rows, event_rows, kpi_rows, press_rows, quarterly_rows
from analytics.weibo.reference import COMPANY, CURRENCY, REFERENCE, REVENUE_COLUMNS, SOURCES

__all__ = [
    "COMPANY",
    "CURRENCY",
    "REFERENCE",
    "REVENUE_COLUMNS",
    "SOURCES",
    "alibaba_from_excluding_rows",
    "annual_rows",
    "build",
    "derived_rows",
    "event_rows",
    "kpi_rows",
    "press_rows",
    "quarterly_rows",
    "revenue_rows",
    "write_ingest_files",
]


def revenue_rows() -> list[dict[str, str]]:
    """Every revenue row of the ingest file: read, then derived from what was read."""
    rows = quarterly_rows() + annual_rows()
    rows += derived_rows(rows)
    return sorted(rows, key=lambda r: (r["period"], r["stream"], r["counterparty"], r["basis"]))


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_ingest_files(target: Path = SOURCES) -> dict[str, Path]:
    """Write revenue.csv, events.csv and kpis.csv in the documented ingest formats."""
    revenue = revenue_rows()
    events, kpis = event_rows(), kpi_rows()
    return {
        "revenue": commit.write_text(target / "revenue.csv", _csv_text(revenue, REVENUE_COLUMNS)),
        "events": commit.write_text(target / "events.csv", _csv_text(events, list(events[0]))),
        "kpis": commit.write_text(target / "kpis.csv", _csv_text(kpis, list(kpis[0]))),
    }


def build(data_dir: Path) -> list[Path]:
    """Regenerate the ingest CSVs, then build every table into `data_dir` from nothing: one
    commit writes every partition file and removes any other (and the flat layout's files)."""
    from analytics.store import parquet
    from analytics.store.ingest import ingest
    from analytics.store.schema import TABLES

    files = write_ingest_files()
    staging = Path(tempfile.mkdtemp(prefix=".weibo-build-", dir=data_dir.parent))
    try:
        order = [
            ("companies", SOURCES / "companies.csv"),
            ("counterparties", SOURCES / "counterparties.csv"),
            ("revenue", files["revenue"]),
            ("partnerships", SOURCES / "partnerships.csv"),
            ("events", files["events"]),
            ("kpis", files["kpis"]),
            ("disclosed_shares", SOURCES / "disclosed_shares.csv"),
        ]
        for table, path in order:
            ingest(path, table, staging)
        built = {
            data_dir / p.relative_to(staging): p.read_bytes()
            for name in TABLES
            for p in parquet.stored_companies(staging, name).values()
        }
        data_dir.mkdir(parents=True, exist_ok=True)
        stale = [
            p
            for name in TABLES
            for p in [parquet.legacy_path(data_dir, name), *parquet.stored_companies(data_dir, name).values()]
            if p.exists() and p not in built
        ]
        return commit.commit_all(
            {path: _bytes_writer(content) for path, content in sorted(built.items())}, stale, root=data_dir
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _bytes_writer(content: bytes) -> commit.Writer:
    return lambda temp: temp.write_bytes(content)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "data"
    for written in build(target):
        print(written)
