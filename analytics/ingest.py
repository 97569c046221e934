"""CSV/XLSX -> checked records -> merged, derived, validated -> Parquet, or nothing at all.

Every check runs on the merged data in memory; only when all pass are the tables written,
atomically and under a lock. Re-ingesting a file upserts on the grain, so it is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics import export, store
from analytics.derive import derive
from analytics.errors import InputError, Location, UnknownNameError, ValidationError
from analytics.project import data_dir as resolve_data_dir
from analytics.readers import SourceRow, read_rows
from analytics.records import FORMATS, Format, check_one_currency, check_unique
from analytics.schema import BUILTIN_COUNTERPARTIES, TABLES
from analytics.validate import Dataset, Violation, validate

Record = dict[str, Any]
BUILTIN_POOLS = frozenset(BUILTIN_COUNTERPARTIES)


@dataclass(frozen=True)
class IngestSummary:
    """What an ingest did: rows read, rows new or replaced, and the files written."""

    file: Path
    table: str
    rows_read: int
    inserted: int
    replaced: int
    written: list[Path]
    removed: int = 0


def ingest(path: Path | str, table: str = "revenue",
           data_dir: Path | str | None = None, replace: bool = False) -> IngestSummary:
    """Read a file in one of the documented formats and upsert it into the data folder.

    `replace`: the file's companies and periods are replaced, not upserted: every stored row of
    a (company, period) the file holds goes first (every row of its companies for tables
    without periods)."""
    if table not in FORMATS:
        raise UnknownNameError("ingest table", table, sorted(FORMATS))
    path, folder = Path(path), resolve_data_dir(data_dir)
    rows = _rows_with_columns(path, FORMATS[table])
    records = [FORMATS[table].build(row) for row in rows]
    check_unique(rows, records, TABLES[table].grain)
    companies = _checked_companies(rows, records)
    with export.locked(folder):
        data = load_dataset(folder, companies)
        removed = _drop_replaced(data, table, records) if replace else 0
        if table == "revenue":
            return _ingest_revenue(path, folder, data, rows, records, removed)
        inserted, replaced = _upsert(data, table, records)
        _raise_if_invalid(data, companies, path, rows, records)
        written = store.write_tables(folder, {table: records_frame(table, data[table])},
                                     companies)
    return IngestSummary(path, table, len(rows), inserted, replaced, written, removed)


def _drop_replaced(data: Dataset, table: str, records: list[Record]) -> int:
    """Remove the stored rows an ingest with --replace replaces (the built-in pools stay in
    counterparties); returns how many went."""
    names = ("revenue", "reported_totals") if table == "revenue" else (table,)
    removed = 0
    for name in names:
        keyed = "period" in TABLES[name].column_names
        scope = {(r["company"], r["period"] if keyed else None) for r in records}
        kept = [r for r in data[name] if (r["company"], r.get("period") if keyed else None)
                not in scope or (name == "counterparties" and r["counterparty"] in BUILTIN_POOLS)]
        removed += len(data[name]) - len(kept)
        data[name] = kept
    return removed


def load_dataset(folder: Path, companies: set[str] | None = None) -> Dataset:
    """Every table of a data folder as lists of records: every company, or only `companies`."""
    return {name: store.read_table(folder, name, companies).to_dicts() for name in TABLES}


def _checked_companies(rows: list[SourceRow], records: list[Record]) -> set[str]:
    """The file's companies, each checked once: its name must fit a partition folder."""
    companies = {r["company"] for r in records}
    for company in sorted(companies):
        if (problem := store.check_company_name(company)) is not None:
            first = next(row for row, r in zip(rows, records, strict=True)
                         if r["company"] == company)
            raise InputError(problem, first.where("company"))
    return companies


def _rows_with_columns(path: Path, spec: Format) -> list[SourceRow]:
    header, rows = read_rows(path)
    aliases = dict(spec.aliases)
    renamed = [aliases.get(name, name) for name in header]
    missing = [c for c in spec.required if c not in renamed]
    if missing:
        raise InputError(
            f"missing column '{missing[0]}' for the {spec.table} format (found: "
            f"{', '.join(h for h in header if h)}); expected {', '.join(spec.required)}",
            Location(path, 1, missing[0]),
        )
    if aliases:
        rows = [SourceRow(r.file, r.number, {aliases.get(k, k): v for k, v in r.cells.items()})
                for r in rows]
    return rows


def _ingest_revenue(path: Path, folder: Path, data: Dataset, rows: list[SourceRow],
                    records: list[Record], removed: int = 0) -> IngestSummary:
    stored_currency = {r["company"]: r["currency"] for r in data["revenue"] +
                       data["reported_totals"]}
    check_one_currency(rows, records, stored_currency)
    _add_builtin_counterparties(data, {r["company"] for r in records})
    _check_counterparties_known(data, rows, records)
    leaves = [r for r in records if "counterparty" in r]
    totals = [r for r in records if "counterparty" not in r]
    inserted, replaced = (sum(pair) for pair in zip(_upsert(data, "revenue", leaves),
                                                    _upsert(data, "reported_totals", totals),
                                                    strict=True))
    data["revenue"], data["reported_totals"] = derive(data["revenue"], data["reported_totals"])
    _raise_if_invalid(data, {r["company"] for r in records}, path, rows, records)
    written = store.write_tables(folder, {name: records_frame(name, data[name]) for name in
                                          ("revenue", "reported_totals", "counterparties")},
                                 {r["company"] for r in records})
    return IngestSummary(path, "revenue", len(rows), inserted, replaced, written, removed)


def _upsert(data: Dataset, table: str, records: list[Record]) -> tuple[int, int]:
    """Replace stored rows that share a new row's grain; returns (inserted, replaced)."""
    grain = TABLES[table].grain
    incoming = {tuple(r.get(c) for c in grain): r for r in records}
    kept = [r for r in data[table] if tuple(r.get(c) for c in grain) not in incoming]
    replaced = len(data[table]) - len(kept)
    data[table] = kept + list(incoming.values())
    return len(incoming) - replaced, replaced


def _add_builtin_counterparties(data: Dataset, companies: set[str]) -> None:
    known = {(r["company"], r["counterparty"]) for r in data["counterparties"]}
    for company in sorted(companies):
        for name, counterparty_class in BUILTIN_COUNTERPARTIES.items():
            if (company, name) not in known:
                data["counterparties"].append({
                    "company": company, "counterparty": name,
                    "counterparty_class": counterparty_class, "counterparty_group": name,
                    "is_pool": True, "note": "built in: a pool of many counterparties"})


def _check_counterparties_known(data: Dataset, rows: list[SourceRow],
                                records: list[Record]) -> None:
    known: dict[str, list[str]] = {}
    for r in data["counterparties"]:
        known.setdefault(r["company"], []).append(r["counterparty"])
    for row, record in zip(rows, records, strict=True):
        name = record.get("counterparty")
        if name is not None and name not in known.get(record["company"], []):
            raise InputError(
                f"unknown counterparty '{name}' for {record['company']}: ingest it first with "
                f"`analytics ingest FILE --table counterparties` (known: "
                f"{', '.join(sorted(known.get(record['company'], [])))})",
                row.where("counterparty"),
            )


def _raise_if_invalid(data: Dataset, companies: set[str], path: Path, rows: list[SourceRow],
                      records: list[Record]) -> None:
    """Validate the companies this file touches; name the file row behind each violation."""
    scoped = {name: [r for r in records_ if r.get("company") in companies]
              for name, records_ in data.items()}
    violations = validate(scoped)
    if violations:
        rows_by_key = {(r["company"], r.get("period"), r.get("stream")): row.number
                       for row, r in zip(rows, records, strict=True)}
        raise ValidationError([_located(v, rows_by_key) for v in violations], context=str(path))


def _located(violation: Violation, rows_by_key: dict[Any, int]) -> str:
    row = rows_by_key.get(violation.key) if violation.key else None
    return f"row {row}: {violation}" if row else str(violation)


def records_frame(table: str, records: list[Record]) -> Any:
    """Records as a typed polars frame of the table (empty with the schema when none)."""
    import polars as pl

    schema = store.polars_schema(TABLES[table])
    cleaned = [{c: r.get(c) for c in schema} for r in records]
    return pl.DataFrame(cleaned, schema=schema, orient="row") if cleaned else store.empty(
        TABLES[table])
