"""`analytics ledger rollup|demo`: transaction ledgers into revenue facts, and a synthetic one.

Thin: each command parses its options, calls one library function, prints the written paths to
stdout and a summary to stderr.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analytics.cli.output import MemoryOption, current_data_dir, message

if TYPE_CHECKING:
    from analytics.ledger import RollupSummary

#: Period kinds in the summary line: `3 halves`, not `3 halfs`.
PLURALS = {"half": "halves"}

app = typer.Typer(
    help="Roll transaction ledgers up into revenue facts (DuckDB or Spark).", no_args_is_help=True
)


LedgerArgument = Annotated[
    str,
    typer.Argument(help="Parquet file, folder (Hive partitions allowed) or glob; s3:// for object storage"),
]
RollupCompanyOption = Annotated[str, typer.Option(help="Company the revenue belongs to")]
PeriodKindOption = Annotated[
    str, typer.Option(help="quarter, half or year, of the company's fiscal calendar (companies table)")
]
EngineOption = Annotated[str, typer.Option(help="duckdb (one machine) or spark")]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        help="Spark master: local[*] (default), spark://host:7077, yarn, or sc://host:15002 for Spark Connect"
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(help="Recompute only the periods from the one containing this date (YYYY-MM-DD)"),
]
SourceOption = Annotated[
    str | None, typer.Option(help="Name the ledger in the facts' source instead of its path")
]


@app.command()
def rollup(
    ctx: typer.Context,
    ledger: LedgerArgument,
    company: RollupCompanyOption,
    period_kind: PeriodKindOption = "quarter",
    engine: EngineOption = "duckdb",
    spark_master: SparkMasterOption = None,
    since: SinceOption = None,
    source: SourceOption = None,
    memory_limit: MemoryOption = None,
) -> None:
    """Upsert revenue leaves, stream totals and `total` per fiscal period from a ledger."""
    from analytics.ledger import rollup as roll_up

    with _spinner(f"Rolling up {ledger} on {engine}"):
        summary = roll_up(
            ledger,
            company,
            period_kind,
            engine,
            spark_master,
            since,
            source,
            current_data_dir(ctx),
            memory_limit,
        )
    message(_rolled_up(summary))
    for warning in summary.warnings:
        message(f"Warning: {warning}")
    for path in summary.written:
        typer.echo(str(path))


def _rolled_up(summary: RollupSummary) -> str:
    """The summary line: transactions, periods (and which are partial), facts written."""
    partial = f"; partial: {', '.join(summary.partial_periods)}" if summary.partial_periods else ""
    return (
        f"{summary.ledger}: {summary.transactions:,} transactions of {summary.company} "
        f"rolled up on {summary.engine} into {len(summary.periods)} "
        f"{PLURALS.get(summary.period_kind, summary.period_kind + 's')}"
        f"{_calendar(summary.year_end_month)} "
        f"({summary.periods[0]} to {summary.periods[-1]}{partial}): {summary.facts} facts, "
        f"{summary.inserted} new, {summary.replaced} replaced"
    )


def _spinner(description: str) -> AbstractContextManager[None]:
    """progress.working's spinner on a terminal; elsewhere (logs, pipes, benchmarks) nothing,
    without importing Rich, a tenth of a second of a rollup's start."""
    if not sys.stderr.isatty():
        return nullcontext()
    from analytics.cli.progress import working

    return working(description)


def _calendar(year_end_month: int) -> str:
    """` of fiscal years ending in March`, or nothing for calendar years."""
    import calendar

    from analytics.periods import CALENDAR_YEAR_END

    return (
        ""
        if year_end_month == CALENDAR_YEAR_END
        else f" of fiscal years ending in {calendar.month_name[year_end_month]}"
    )


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Argument(help="Parquet file to write (a new folder with --partition-by year)")
    ],
    rows: Annotated[int, typer.Option(help="Number of transactions")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Same seed, same ledger")] = 42,
    partition_by: Annotated[str | None, typer.Option(help="year: Hive partitions year=2019/")] = None,
    company: Annotated[str, typer.Option(help="Company named in the ledger")] = "Lumen Social",
    start: Annotated[str, typer.Option(help="First booking date")] = "2019-01-01",
    end: Annotated[str, typer.Option(help="Last booking date")] = "2023-12-31",
) -> None:
    """Write a synthetic platform ledger and a counterparties CSV naming its partners."""
    from analytics.ledger import demo as write_demo

    with _spinner(f"Writing {rows:,} synthetic transactions"):
        summary = write_demo(
            out,
            rows,
            seed,
            partition_by,
            company,
            _day(start, "--start"),
            _day(end, "--end"),
            data_dir=current_data_dir(ctx),
        )
    message(
        f"Wrote a synthetic ledger of {summary.rows:,} transactions of {summary.company}; "
        f"next: analytics ingest {summary.counterparties} --table counterparties, then "
        f"analytics ledger rollup {summary.ledger} --company '{summary.company}'"
    )
    for path in summary.written:
        typer.echo(str(path))


def _day(text: str, option: str) -> date:
    from analytics.errors import InputError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} '{text}': expected a date such as 2019-01-01") from None
