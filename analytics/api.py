"""The Python API: what the CLI does, as functions that return polars frames or paths.

`analytics.query("partner_dependence", company="Weibo", partner="Alibaba")` is the same as
`analytics query run partner_dependence --param company=Weibo --param partner=Alibaba`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, UnknownNameError, ValidationError
from analytics.periods import parse_period
from analytics.project import data_dir as resolve_data_dir
from analytics.sql import queries, sandbox
from analytics.store import commit
from analytics.store.ingest import IngestSummary
from analytics.store.ingest import ingest as _ingest
from analytics.store.schema import TABLES
from analytics.store.vintages import Vintage

if TYPE_CHECKING:
    import duckdb
    import polars as pl

    from analytics.store.remove import DeleteSummary

#: Companies validated together in Python (only those the set-based screen flags): every
#: invariant holds within one company, so memory stays bounded by a batch.



def ingest(path: Path | str, table: str = "revenue",
           data_dir: Path | str | None = None, replace: bool = False) -> IngestSummary:
    """Upsert a CSV/XLSX file in a documented format (with `replace`, the file's companies and
    periods are replaced); nothing is written if any check fails."""
    return _ingest(path, table, data_dir, replace)


def delete(company: str, period: str | None = None, table: str | None = None,
           data_dir: Path | str | None = None) -> DeleteSummary:
    """Remove a company's data (of one period, of one table) in one validated, atomic commit."""
    from analytics.store.remove import delete as remove

    return remove(company, period, table, data_dir)


def query(name: str, /, data_dir: Path | str | None = None,
          timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS, memory_limit: str | None = None,
          **params: Any) -> pl.DataFrame:
    """Run a named query with bound parameters (defaults from its header)."""
    return run_query(name, params, data_dir, sandbox.Limits.from_environment(timeout, memory_limit))


def run_query(name: str, params: dict[str, Any], data_dir: Path | str | None = None,
              limits: sandbox.Limits | None = None) -> pl.DataFrame:
    """`query` with parameters as a dict, so any parameter name is allowed."""
    named = queries.load(name)
    bound = named.bind(params)
    with _session(data_dir, limits, Vintage.from_params(bound)) as connection:
        check_company_and_partner(connection, bound)
        return sandbox.run(connection, named.sql, named.sql_params(bound), limits)


def sql(text: str, data_dir: Path | str | None = None,
        timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS,
        memory_limit: str | None = None, basis: str | None = None,
        as_of: date | None = None) -> pl.DataFrame:
    """Run one ad hoc SELECT in the sandbox: tables readable, nothing writable. The figure
    tables show each period's latest publication, or those on `basis`, published by `as_of`."""
    limits = sandbox.Limits.from_environment(timeout, memory_limit)
    with _session(data_dir, limits, Vintage(basis, as_of)) as connection:
        return sandbox.run(connection, text, None, limits)


@contextlib.contextmanager
def query_batches(name: str, params: dict[str, Any], data_dir: Path | str | None = None,
                  limits: sandbox.Limits | None = None, plain_types: bool = True
                  ) -> Iterator[Any]:
    """A named query's result as Arrow batches, for output that streams (see sandbox.stream)."""
    named = queries.load(name)
    bound = named.bind(params)
    with _session(data_dir, limits, Vintage.from_params(bound)) as connection:
        check_company_and_partner(connection, bound)
        with sandbox.stream(connection, named.sql, named.sql_params(bound), limits,
                            plain_types) as batches:
            yield batches


@contextlib.contextmanager
def sql_batches(text: str, data_dir: Path | str | None = None,
                limits: sandbox.Limits | None = None, plain_types: bool = True,
                vintage: Vintage | None = None) -> Iterator[Any]:
    """Ad hoc SQL's result as Arrow batches, for output that streams (see sandbox.stream)."""
    with _session(data_dir, limits, vintage) as connection, \
            sandbox.stream(connection, text, None, limits, plain_types) as batches:
        yield batches


@contextlib.contextmanager
def _session(data_dir: Path | str | None, limits: sandbox.Limits | None,
             vintage: Vintage | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    from analytics.sql.engine import connect

    connection = connect(data_dir, limits=limits, vintage=vintage)
    try:
        yield connection
    finally:
        connection.close()


def check_company_and_partner(connection: duckdb.DuckDBPyConnection,
                              bound: dict[str, Any]) -> None:
    """An unknown company or partner is an error listing the known ones, not an empty result;
    `partner` may be one name or a list of names (each is checked)."""
    company = bound.get("company")
    if company is None:
        return
    found = connection.sql("SELECT 1 FROM revenue_vintages_of($c) LIMIT 1",
                           params={"c": company}).fetchall()  # opens that company's file only
    if not found:
        companies = [r[0] for r in connection.sql(
            "SELECT DISTINCT company FROM revenue_vintages ORDER BY 1").fetchall()]
        raise UnknownNameError("company", company, companies)
    names = partner_names(bound.get("partner"))
    if not names:
        return
    partners = [r[0] for r in connection.sql(
        "SELECT DISTINCT counterparty FROM counterparties_of($c) WHERE NOT is_pool "
        "ORDER BY 1", params={"c": company}).fetchall()]
    groups = [r[0] for r in connection.sql(
        "SELECT DISTINCT counterparty_group FROM counterparties_of($c)",
        params={"c": company}).fetchall()]
    for partner in names:
        if partner not in partners and partner not in groups:
            raise UnknownNameError(f"partner of {company}", partner, partners)


def partner_names(partner: str | Sequence[str] | None) -> list[str]:
    """The partner names a parameter holds: one name, or several in order (empty ones out)."""
    names = [partner] if isinstance(partner, str) else list(partner or [])
    return [name for name in names if name]


def check_scope(company: str, partner: str | Sequence[str] | None = None,
                from_period: str | None = None, to_period: str | None = None,
                data_dir: Path | str | None = None) -> None:
    """Fail before any work when the company or partner is unknown, a period label is not one,
    or the period range holds no revenue, so builds never leave part of their output behind."""
    from analytics.sql.engine import connect

    for label in (from_period, to_period):
        period = parse_period(label) if label else None
        if label and (period is None or period.label != label):
            raise QueryError(f"'{label}' is not a period: use 2016Q1 (a quarter), 2016H1 "
                             "(a half-year) or 2016 (a fiscal year)")
    connection = connect(data_dir)
    try:
        check_company_and_partner(connection, {"company": company, "partner": partner})
        has_revenue = connection.sql(
            "SELECT count(*) FROM revenue_of($c)"
            " WHERE ($f IS NULL OR period_start >= period_start_of($f, $c))"
            " AND ($t IS NULL OR period_end <= period_end_of($t, $c))",
            params={"c": company, "f": from_period, "t": to_period}).fetchall()[0][0]
    finally:
        connection.close()
    if not has_revenue:
        raise QueryError(f"No revenue for {company} between {from_period or 'the start'} and "
                         f"{to_period or 'the end'}: the period range holds no data")


def list_queries() -> pl.DataFrame:
    """Every named query: name, description, parameters with types and defaults, file, and
    `status`: `ok`, or `invalid: <why>` for a file that would be refused when run."""
    import polars as pl

    rows = [{"name": entry.name, "description": entry.description,
             "parameters": ", ".join(signature for signature, _ in entry.parameters),
             "file": str(entry.file), "status": entry.status} for entry in query_catalogue()]
    return pl.DataFrame(rows, schema=["name", "description", "parameters", "file", "status"])


@dataclass(frozen=True)
class CatalogueEntry:
    """A named query as `query list` shows it: parameters as (signature, meaning) pairs."""

    name: str
    description: str
    parameters: list[tuple[str, str]]
    file: Path
    status: str


def query_catalogue() -> list[CatalogueEntry]:
    """Every named query file, parsed and checked by the sandbox (without running it)."""
    import duckdb

    checker = duckdb.connect(":memory:")
    try:
        return [_catalogue_entry(checker, name, path)
                for name, path in queries.discover().items()]
    finally:
        checker.close()


def _catalogue_entry(checker: duckdb.DuckDBPyConnection, name: str, path: Path
                     ) -> CatalogueEntry:
    try:
        named = queries.parse_checked(path, checker)
    except QueryError as error:
        return CatalogueEntry(name, "", [], path, f"invalid: {error}")
    return CatalogueEntry(name, named.description,
                          [(p.signature, p.doc) for p in named.parameters], path, "ok")


def tables() -> pl.DataFrame:
    """Every table and column with its type and meaning (the schema analysts write SQL against)."""
    import polars as pl

    return pl.DataFrame(
        [{"table": t.name, "column": c.name, "type": c.sql_type, "description": c.description}
         for t in TABLES.values() for c in t.columns])


@dataclass(frozen=True)
class ValidationReport:
    """Violations break an invariant (`analytics validate` exits 3); warnings are legitimate
    but worth a second look (a named partner's negative revenue, a negative remainder)."""

    violations: list[str]
    warnings: list[str]


def check(data_dir: Path | str | None = None) -> ValidationReport:
    """Every violation and warning in the stored data.

    A set-based screen in DuckDB finds the companies that might break an invariant (or deserve
    a warning); only those are checked row by row, a batch at a time (validate.py words every
    message)."""
    from analytics.sql.engine import connect
    from analytics.store.screen import stored_relations, suspects, warned
    from analytics.store.working_set import VALIDATE_BATCH, WorkingSet

    folder = resolve_data_dir(data_dir)
    connection = connect(folder, sandboxed=False, limits=sandbox.Limits.for_writes())
    try:
        relations = stored_relations()
        names = sorted(suspects(connection, relations) | warned(connection, relations))
        violations, warnings = [], []
        for start in range(0, len(names), VALIDATE_BATCH):
            work = WorkingSet(connection, folder, names[start:start + VALIDATE_BATCH])
            violations += [str(v) for v in work.violations(limit=None)]
            warnings += [str(v) for v in work.warnings(limit=None)]
        return ValidationReport(violations, warnings)
    finally:
        connection.close()


def validate(data_dir: Path | str | None = None) -> list[str]:
    """Every violation of the accounting invariants in the stored data (empty when sound)."""
    return check(data_dir).violations


def require_valid(data_dir: Path | str | None = None) -> None:
    violations = validate(data_dir)
    if violations:
        raise ValidationError(violations, context=str(resolve_data_dir(data_dir)))


def export_database(path: Path | str, data_dir: Path | str | None = None) -> Path:
    """Write a DuckDB database file with every table, the helper views and macros, and every
    named query as a view `queries.<name>` (for the DuckDB CLI, Harlequin, DBeaver)."""
    from analytics.store.dbexport import write_database

    folder = resolve_data_dir(data_dir)
    return commit.write_output(path, lambda temp: write_database(temp, folder), folder)
