"""The `analytics` app: global options, top-level commands, sub-apps, and the one exit point.

Library errors (AnalyticsError) become one line on stderr and their exit code, here only.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from analytics.cli import charts, db, deck, init, ledger, query
from analytics.cli.charts import AsOfOption, BasisOption
from analytics.cli.output import (
    ColumnsOption,
    FormatOption,
    MemoryOption,
    OutputOption,
    RawTextOption,
    TimeoutOption,
    cli_limits,
    current_data_dir,
    echo_lines,
    emit,
    emit_batches,
    message,
)
from analytics.cli.params import TyperGroup
from analytics.errors import AnalyticsError
from analytics.project import DATA_DIR_ENV, Project


class ReportingGroup(TyperGroup):
    """The one exit point: a library error becomes one stderr line and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except AnalyticsError as error:
            first, *rest = error.lines()
            message(f"Error: {first}")
            for line in rest:
                message(f"  {line}")
            raise typer.Exit(error.exit_code) from None


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
app.add_typer(ledger.app, name="ledger")
app.command("deck")(deck.deck)
app.command("report")(deck.report)
app.command("init")(init.init)


@app.callback()
def configure(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar=DATA_DIR_ENV, help="Data folder (default: the project's data/)"),
    ] = None,
) -> None:
    """Revenue and partnership analytics over Parquet tables, with DuckDB SQL."""
    ctx.obj = Project.resolve(data_dir)  # once: every command reads its folders from ctx.obj


@app.command()
def tables(fmt: FormatOption = None) -> None:
    """The tables and columns you can query, with their types and meaning."""
    from analytics.api import tables as table_schema

    emit(table_schema(), fmt, None)


@app.command()
def ingest(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX in a documented format")],
    table: Annotated[
        str, typer.Option(help="revenue, counterparties, partnerships, events, kpis or disclosed_shares")
    ] = "revenue",
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the file's companies and periods instead of upserting")
    ] = False,
) -> None:
    """Check a file and upsert it into the data folder; on any error nothing is written."""
    from analytics.api import ingest as ingest_file
    from analytics.cli.progress import working

    with working(f"Ingesting {file.name}"):
        summary = ingest_file(file, table, current_data_dir(ctx), replace=replace)
    dropped = f", {summary.removed:,} stored rows replaced first" if replace else ""
    message(
        f"{summary.file}: {summary.rows_read:,} rows read into {summary.table} "
        f"({summary.inserted:,} new, {summary.replaced:,} replaced{dropped})"
    )
    for warning in summary.warnings:
        message(f"Warning: {warning}")
    for path in summary.written:
        typer.echo(str(path))


@app.command()
def delete(
    ctx: typer.Context,
    company: Annotated[str, typer.Option(help="Company whose data goes")],
    period: Annotated[str | None, typer.Option(help="Only this period (2016Q1 or 2016)")] = None,
    table: Annotated[str | None, typer.Option(help="Only this table")] = None,
) -> None:
    """Remove a company's data (one period, one table), validated and atomic like ingest."""
    from analytics.api import delete as remove

    summary = remove(company, period, table, current_data_dir(ctx))
    counts = ", ".join(f"{n} from {name}" for name, n in summary.removed.items() if n)
    message(f"{company}{' ' + period if period else ''}: removed {counts or 'nothing'}")
    for path in summary.written:
        typer.echo(str(path))


@app.command()
def validate(ctx: typer.Context) -> None:
    """Check the accounting invariants; print every violation and exit 3 if any (warnings are
    printed too, on stderr, and do not fail)."""
    from analytics.api import check

    report = check(current_data_dir(ctx))
    echo_lines(report.violations)
    for warning in report.warnings:
        message(f"Warning: {warning}")
    if report.violations:
        message(f"{len(report.violations)} violation(s)")
        raise typer.Exit(3)
    noted = f" ({len(report.warnings)} warning(s) above)" if report.warnings else ""
    message(f"OK: every invariant holds{noted}")


@app.command()
def sql(
    ctx: typer.Context,
    statement: Annotated[str | None, typer.Argument(help="One SELECT statement")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the SELECT from a file")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    columns: ColumnsOption = None,
    raw_text: RawTextOption = False,
    timeout: TimeoutOption = 60.0,
    memory_limit: MemoryOption = None,
    basis: BasisOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Run ad hoc SQL against the tables (read-only sandbox, one statement). The figure tables
    show each period's latest publication, or those on --basis, published by --as-of."""
    from analytics.api import sql_batches
    from analytics.charts.subject import check_as_of, check_basis
    from analytics.errors import QueryError
    from analytics.store.vintages import Vintage

    if (statement is None) == (file is None):
        raise QueryError("Give either a SELECT statement or --file, not both or neither")
    text = read_sql_file(file) if file is not None else str(statement)
    limits = cli_limits(timeout, memory_limit)
    vintage = Vintage(check_basis(basis), check_as_of(as_of))
    folder = current_data_dir(ctx)
    emit_batches(
        lambda plain: sql_batches(text, folder, limits=limits, plain_types=plain, vintage=vintage),
        fmt,
        output,
        raw_text=raw_text,
        data_dir=folder,
        title="sql",
        columns=columns,
    )


def read_sql_file(path: Path) -> str:
    """The text of `--file`, or a one-line error saying why it cannot be read."""
    from analytics.errors import InputError, Location

    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", Location(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder: give a .sql file", Location(path)) from None
    except UnicodeDecodeError as error:
        raise InputError(
            f"not UTF-8 text (byte 0x{error.object[error.start]:02x}); save it as UTF-8", Location(path)
        ) from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", Location(path)) from None


def main() -> None:
    """Console entry point (`analytics` and `python -m analytics`)."""
    for_command(sys.argv[1:])()


def for_command(args: list[str]) -> typer.Typer:
    """The app with only the sub-app that `args` invoke, when that is plain to see: Typer
    builds every command's options at each start, and a query need not pay for the charts'.
    Anything else (help, shell completion, a top-level command, an unknown name) gets the
    whole app, so its help and its suggestions for a misspelt name list every command."""
    name = _first_word(args)
    group = next((g for g in app.registered_groups if g.name == name), None)
    if group is None or _COMPLETION_ENV in os.environ:
        return app
    narrow = copy.copy(app)
    narrow.registered_groups, narrow.registered_commands = [group], []
    return narrow


_COMPLETION_ENV = "_ANALYTICS_COMPLETE"


def _first_word(args: list[str]) -> str | None:
    """The command word after the global options, or None when an option comes first that
    is not `--data-dir` (such as --help)."""
    rest = iter(args)
    for word in rest:
        if word == "--data-dir":
            next(rest, None)  # its value
        elif not word.startswith("--data-dir="):
            return None if word.startswith("-") else word
    return None
