"""Companies of other shapes than Weibo's, ingested through the documented CSV formats as an
analyst would: Nimbus Cloud (a group named like its parent), Lumen Therapeutics (fiscal years
only, royalties from one partner) and Brightwater Software (a group member disclosed from 2021).
"""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
#: Counterparties first: revenue and disclosed shares name them.
TABLE_FILES = ("companies", "counterparties", "revenue", "partnerships", "events", "disclosed_shares")
COMPANIES = ("nimbus", "lumen", "brightwater")


def ingest_fixture(data_dir: Path, company: str) -> Path:
    """Ingest one fixture company's CSVs (tests/fixtures/<company>/<table>.csv) into
    `data_dir`, which may hold Weibo already."""
    from analytics.store.ingest import ingest

    for table in TABLE_FILES:
        path = FIXTURES / company / f"{table}.csv"
        if path.exists():
            ingest(path, table, data_dir)
    return data_dir


def ingest_shapes(data_dir: Path) -> Path:
    """Ingest every fixture company of COMPANIES into `data_dir`."""
    for company in COMPANIES:
        ingest_fixture(data_dir, company)
    return data_dir
