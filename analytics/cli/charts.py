"""`analytics charts list|build`: the deck pack of dependence charts (HTML, PNG, SVG, CSV).

Written paths go to stdout, the progress bar to stderr; failed charts exit 6 after the rest
were built, a refused --out exits 2 before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER

app = typer.Typer(help="List and build the dependence charts (HTML, PNG, SVG, CSV).", no_args_is_help=True)

PeriodKindOption = Annotated[
    str | None,
    typer.Option(
        "--period-kind",
        help="quarter, half or year (default: quarters when the company has "
        "quarterly totals in the range, else half-years when it has half-year totals, else fiscal "
        "years)",
    ),
]
PartnersOption = Annotated[
    list[str] | None,
    typer.Option(
        "--partner",
        help="Partner (a counterparty or a group); repeat to compare several "
        "(--partner A --partner B): the dependence chart draws each, the other charts are about "
        f"the first [default: {DEFAULT_PARTNER}]",
    ),
]
BasisOption = Annotated[
    str | None,
    typer.Option(
        "--basis",
        help="Accounting basis to show every period on, e.g. 'ASC 605' or 'as reported' "
        "(a period without figures on it is a gap); default: each period's latest basis",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Only figures published on or before this date "
        "(YYYY-MM-DD): the numbers as they were known then; default: everything published",
    ),
]


NamesArgument = Annotated[list[str] | None, typer.Argument(help="Charts to build (default: all)")]
CompanyOption = Annotated[str, typer.Option(help="Company to chart")]
FromOption = Annotated[str | None, typer.Option("--from", help="First period, e.g. 2013Q1")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last period, e.g. 2016Q4")]
FormatOption = Annotated[str, typer.Option("--format", help="Comma-separated: html,png,svg,csv")]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Output folder (default: charts/); never inside the data folder, and an "
        "index.html there must be a gallery this tool wrote",
    ),
]
HtmlOption = Annotated[
    str,
    typer.Option(
        "--html",
        help="inline: each chart's HTML self-contained; shared: one vega.js beside "
        "the charts, loaded by each",
    ),
]


@app.command("list")
def list_() -> None:
    """Every chart and the named query it reads."""
    from analytics.charts import load_all

    for definition in load_all().values():
        typer.echo(f"{definition.name}\t{definition.query}")


@app.command("build")
def build(
    ctx: typer.Context,
    names: NamesArgument = None,
    company: CompanyOption = DEFAULT_COMPANY,
    partner: PartnersOption = None,
    from_period: FromOption = None,
    to_period: ToOption = None,
    fmt: FormatOption = "html,png,svg,csv",
    out: OutOption = None,
    html: HtmlOption = "inline",
    period_kind: PeriodKindOption = None,
    basis: BasisOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Rebuild charts (a progress bar on stderr when it is a terminal); print the written paths."""
    from analytics.charts import names as chart_names
    from analytics.charts.subject import check_as_of, check_basis
    from analytics.cli.progress import progress_bar
    from analytics.project import Project
    from analytics.publish.build import ChartBuildError, build_charts

    project = ctx.find_object(Project) or Project.resolve()
    formats = tuple(part.strip() for part in fmt.split(",") if part.strip())
    as_of_date, basis = check_as_of(as_of), check_basis(basis)
    with progress_bar("Building charts", len(names or chart_names())) as advance:
        result = build_charts(
            names,
            company=company,
            partner=partner or DEFAULT_PARTNER,
            from_period=from_period,
            to_period=to_period,
            formats=formats,
            out_dir=out or project.charts_dir,
            data_dir=project.data_dir,
            progress=advance,
            html=html,
            period_kind=period_kind,
            basis=basis,
            as_of=as_of_date,
        )

    for path in result.written:
        typer.echo(str(path))
    if result.failed:
        raise ChartBuildError(result.failed)
