"""The Python API: what the CLI does, as functions that return polars frames or paths.

`analytics.query("partner_dependence", company="Weibo", partner="Alibaba")` is the same as
`analytics query run partner_dependence --param company=Weibo --param partner=Alibaba`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics import export, queries, sandbox
from analytics.errors import QueryError, UnknownNameError, ValidationError
from analytics.ingest import IngestSummary
from analytics.ingest import ingest as _ingest
from analytics.periods import parse_period
from analytics.project import data_dir as resolve_data_dir
from analytics.schema import TABLES

if TYPE_CHECKING:
    import duckdb
    import polars as pl


def ingest(path: Path | str, table: str = "revenue",
           data_dir: Path | str | None = None) -> IngestSummary:
    """Upsert a CSV/XLSX file in a documented format; nothing is written if any check fails."""
    return _ingest(path, table, data_dir)


def query(name: str, /, data_dir: Path | str | None = None,
          timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS, **params: Any) -> pl.DataFrame:
    """Run a named query with bound parameters (defaults from its header)."""
    return run_query(name, params, data_dir, timeout)


def run_query(name: str, params: dict[str, Any], data_dir: Path | str | None = None,
              timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS) -> pl.DataFrame:
    """`query` with parameters as a dict, so any parameter name is allowed."""
    from analytics.engine import connect

    named = queries.load(name)
    bound = named.bind(params)
    connection = connect(data_dir)
    try:
        check_company_and_partner(connection, bound)
        return sandbox.run(connection, named.sql, bound, timeout)
    finally:
        connection.close()


def sql(text: str, data_dir: Path | str | None = None,
        timeout: float = sandbox.DEFAULT_TIMEOUT_SECONDS) -> pl.DataFrame:
    """Run one ad hoc SELECT in the sandbox: tables readable, nothing writable."""
    from analytics.engine import connect

    connection = connect(data_dir)
    try:
        sandbox.check_statement(connection, text)
        return sandbox.run(connection, text, None, timeout)
    finally:
        connection.close()


def check_company_and_partner(connection: duckdb.DuckDBPyConnection,
                              bound: dict[str, Any]) -> None:
    """An unknown company or partner is an error listing the known ones, not an empty result."""
    company = bound.get("company")
    if company is None:
        return
    companies = [r[0] for r in connection.sql(
        "SELECT DISTINCT company FROM revenue ORDER BY 1").fetchall()]
    if company not in companies:
        raise UnknownNameError("company", company, companies)
    partner = bound.get("partner")
    if not partner:
        return
    partners = [r[0] for r in connection.sql(
        "SELECT DISTINCT counterparty FROM counterparties WHERE company = $c AND NOT is_pool "
        "ORDER BY 1", params={"c": company}).fetchall()]
    groups = [r[0] for r in connection.sql(
        "SELECT DISTINCT counterparty_group FROM counterparties WHERE company = $c",
        params={"c": company}).fetchall()]
    if partner not in partners and partner not in groups:
        raise UnknownNameError(f"partner of {company}", partner, partners)


def check_scope(company: str, partner: str | None = None, from_period: str | None = None,
                to_period: str | None = None, data_dir: Path | str | None = None) -> None:
    """Fail before any work when the company or partner is unknown, a period label is not one,
    or the period range holds no revenue, so builds never leave part of their output behind."""
    from analytics.engine import connect

    for label in (from_period, to_period):
        period = parse_period(label) if label else None
        if label and (period is None or period.label != label):
            raise QueryError(f"'{label}' is not a period: use 2016Q1 (a quarter) or 2016")
    connection = connect(data_dir)
    try:
        check_company_and_partner(connection, {"company": company, "partner": partner})
        has_revenue = connection.sql(
            "SELECT count(*) FROM revenue WHERE company = $c"
            " AND ($f IS NULL OR period_start >= period_start_of($f))"
            " AND ($t IS NULL OR period_end <= period_end_of($t))",
            params={"c": company, "f": from_period, "t": to_period}).fetchall()[0][0]
    finally:
        connection.close()
    if not has_revenue:
        raise QueryError(f"No revenue for {company} between {from_period or 'the start'} and "
                         f"{to_period or 'the end'}: the period range holds no data")


def list_queries() -> pl.DataFrame:
    """Every named query: name, description, parameters with types and defaults, file."""
    import polars as pl

    rows = []
    for name, path in queries.discover().items():
        named = queries.parse_query_file(path)
        params = ", ".join(
            f"{p.name} {p.type}" + (f" = {p.default!r}" if p.has_default else "")
            for p in named.parameters)
        rows.append({"name": name, "description": named.description, "parameters": params,
                     "file": str(path)})
    return pl.DataFrame(rows, schema=["name", "description", "parameters", "file"])


def tables() -> pl.DataFrame:
    """Every table and column with its type and meaning (the schema analysts write SQL against)."""
    import polars as pl

    return pl.DataFrame(
        [{"table": t.name, "column": c.name, "type": c.sql_type, "description": c.description}
         for t in TABLES.values() for c in t.columns])


def validate(data_dir: Path | str | None = None) -> list[str]:
    """Every violation of the accounting invariants in the stored data (empty when sound)."""
    from analytics.ingest import load_dataset
    from analytics.validate import validate as check

    return [str(v) for v in check(load_dataset(resolve_data_dir(data_dir)))]


def require_valid(data_dir: Path | str | None = None) -> None:
    violations = validate(data_dir)
    if violations:
        raise ValidationError(violations, context=str(resolve_data_dir(data_dir)))


def export_database(path: Path | str, data_dir: Path | str | None = None) -> Path:
    """Write a DuckDB database file holding every table (for the DuckDB CLI, Harlequin, DBeaver)."""
    import duckdb

    from analytics.engine import table_view_sql

    folder, target = resolve_data_dir(data_dir), Path(path).resolve()

    def write(temp: Path) -> None:
        temp.unlink()
        with duckdb.connect(str(temp)) as database:
            for name in TABLES:
                database.execute(table_view_sql(folder, name).replace(
                    f"CREATE VIEW {name} AS", f"CREATE TABLE {name} AS", 1))

    return export.write_atomic(target, write)
