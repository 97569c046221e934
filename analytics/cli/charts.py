"""`analytics charts list|build`: the deck pack of dependence charts (HTML, PNG, SVG, CSV).

Written paths go to stdout, the progress bar to stderr; failed charts exit non-zero after the
rest were built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="List and build the dependence charts (HTML, PNG, SVG, CSV).",
                  no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """Every chart and the named query it reads."""
    from analytics.charts import load_all

    for definition in load_all().values():
        typer.echo(f"{definition.name}\t{definition.query}")


@app.command("build")
def build(
    names: Annotated[list[str] | None, typer.Argument(help="Charts to build (default: all)")
                     ] = None,
    company: Annotated[str, typer.Option(help="Company to chart")] = "Weibo",
    partner: Annotated[str, typer.Option(help="Partner whose dependence is charted")
                       ] = "Alibaba",
    from_period: Annotated[str | None, typer.Option("--from", help="First period, e.g. 2013Q1")
                           ] = None,
    to_period: Annotated[str | None, typer.Option("--to", help="Last period, e.g. 2016Q4")
                         ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Comma-separated: html,png,svg,csv")
                   ] = "html,png,svg,csv",
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: charts/)")
                   ] = None,
) -> None:
    """Rebuild charts with a progress bar on stderr; print the written paths."""
    from rich.console import Console
    from rich.progress import Progress

    from analytics.build import ChartBuildError, build_charts
    from analytics.charts import names as chart_names

    formats = tuple(part.strip() for part in fmt.split(",") if part.strip())
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Building charts", total=len(names or chart_names()))
        result = build_charts(names, company=company, partner=partner, from_period=from_period,
                              to_period=to_period, formats=formats, out_dir=out,
                              progress=lambda name: bar.advance(task))
    for path in result.written:
        typer.echo(str(path))
    if result.failed:
        raise ChartBuildError(result.failed)
