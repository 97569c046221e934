"""The `analytics` app: global options, top-level commands, sub-apps, and the one exit point.

Library errors (AnalyticsError) become one line on stderr and their exit code, here only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from analytics.cli import charts, db, deck, query
from analytics.cli.output import FormatOption, OutputOption, emit, message
from analytics.errors import AnalyticsError
from analytics.project import DATA_DIR_ENV, use_data_dir


class ReportingGroup(TyperGroup):
    """The one exit point: a library error becomes one stderr line and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except AnalyticsError as error:
            message(f"Error: {error}")
            raise typer.Exit(error.exit_code) from None
        finally:
            use_data_dir(None)  # --data-dir lasts one invocation, even in-process


app = typer.Typer(
    name="analytics",
    cls=ReportingGroup,
    help="How much of a company's revenue depends on one strategic partner.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(query.app, name="query")
app.add_typer(db.app, name="db")
app.add_typer(charts.app, name="charts")
app.command("deck")(deck.deck)
app.command("report")(deck.report)


@app.callback()
def configure(
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", envvar=DATA_DIR_ENV, help="Data folder (default: the project's data/)")
    ] = None,
) -> None:
    """Revenue and partnership analytics over Parquet tables, with DuckDB SQL."""
    use_data_dir(data_dir.expanduser().resolve() if data_dir is not None else None)


@app.command()
def tables(fmt: FormatOption = "table") -> None:
    """The tables and columns you can query, with their types and meaning."""
    from analytics.api import tables as table_schema

    emit(table_schema(), fmt, None)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX in a documented format")],
    table: Annotated[str, typer.Option(help="revenue, counterparties, partnerships, events "
                                       "or kpis")] = "revenue",
) -> None:
    """Check a file and upsert it into the data folder; on any error nothing is written."""
    from analytics.api import ingest as ingest_file

    summary = ingest_file(file, table)
    message(f"{summary.file}: {summary.rows_read} rows read into {summary.table} "
            f"({summary.inserted} new, {summary.replaced} replaced)")
    for path in summary.written:
        typer.echo(str(path))


@app.command()
def validate() -> None:
    """Check the accounting invariants; print every violation and exit 3 if any."""
    from analytics.api import validate as check

    violations = check()
    for violation in violations:
        typer.echo(violation)
    if violations:
        message(f"{len(violations)} violation(s)")
        raise typer.Exit(3)
    message("OK: every invariant holds")


@app.command()
def sql(
    statement: Annotated[str | None, typer.Argument(help="One SELECT statement")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the SELECT from a file")] = None,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds before the query is stopped")] = 60.0,
) -> None:
    """Run ad hoc SQL against the tables (read-only sandbox, one statement)."""
    from analytics.api import sql as run_sql
    from analytics.errors import QueryError

    if (statement is None) == (file is None):
        raise QueryError("Give either a SELECT statement or --file, not both or neither")
    text = file.read_text(encoding="utf-8") if file is not None else str(statement)
    emit(run_sql(text, timeout=timeout), fmt, output)


def main() -> None:
    """Console entry point (`analytics` and `python -m analytics`)."""
    app()
