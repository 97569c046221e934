"""`analytics deck` and `analytics report`: the analyst's end products, one command each.

Plain functions registered by the app; each calls one library function and prints the path
it wrote (stdout is data). The data folder comes from the project the app resolved (`ctx.obj`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analytics.cli.charts import AsOfOption, BasisOption, PartnersOption, PeriodKindOption
from analytics.cli.output import current_data_dir
from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER

CompanyOption = Annotated[str, typer.Option("--company", help="Company to analyse")]
FromOption = Annotated[str | None, typer.Option("--from", help="First period, e.g. 2013Q1")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last period, e.g. 2018Q4")]


def deck(
    ctx: typer.Context,
    company: CompanyOption = DEFAULT_COMPANY,
    partner: PartnersOption = None,
    from_period: FromOption = None,
    to_period: ToOption = None,
    out: Annotated[
        Path, typer.Option("--out", help="The .pptx to write: a file name, outside the data folder")
    ] = Path("dependence.pptx"),
    editable_charts: Annotated[
        bool, typer.Option("--editable-charts", help="Native PowerPoint charts with their data, not images")
    ] = False,
    period_kind: PeriodKindOption = None,
    basis: BasisOption = None,
    as_of: AsOfOption = None,
) -> None:
    """A 16:9 PowerPoint deck: title, one slide per chart with its headline, key figures."""
    from analytics.charts import names as chart_names
    from analytics.charts.subject import check_as_of, check_basis
    from analytics.cli.progress import progress_bar
    from analytics.publish.deck import build_deck

    as_of_date, basis = check_as_of(as_of), check_basis(basis)
    with progress_bar("Building the deck", len(chart_names())) as advance:
        written = build_deck(
            company=company,
            partner=partner or DEFAULT_PARTNER,
            from_period=from_period,
            to_period=to_period,
            out=out.resolve(),
            data_dir=current_data_dir(ctx),
            editable_charts=editable_charts,
            progress=advance,
            period_kind=period_kind,
            basis=basis,
            as_of=as_of_date,
        )
    typer.echo(str(written))


def report(
    ctx: typer.Context,
    company: CompanyOption = DEFAULT_COMPANY,
    partner: PartnersOption = None,
    from_period: FromOption = None,
    to_period: ToOption = None,
    out: Annotated[
        Path, typer.Option("--out", help="The .html to write: a file name, outside the data folder")
    ] = Path("report.html"),
    period_kind: PeriodKindOption = None,
    basis: BasisOption = None,
    as_of: AsOfOption = None,
) -> None:
    """One self-contained HTML page that opens offline: key figures, charts, tables."""
    from analytics.charts import names as chart_names
    from analytics.charts.subject import check_as_of, check_basis
    from analytics.cli.progress import progress_bar
    from analytics.publish.report import build_report

    as_of_date, basis = check_as_of(as_of), check_basis(basis)
    with progress_bar("Building the report", len(chart_names())) as advance:
        written = build_report(
            company=company,
            partner=partner or DEFAULT_PARTNER,
            from_period=from_period,
            to_period=to_period,
            out=out.resolve(),
            data_dir=current_data_dir(ctx),
            progress=advance,
            period_kind=period_kind,
            basis=basis,
            as_of=as_of_date,
        )

    typer.echo(str(written))
