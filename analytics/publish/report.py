"""The report: one self-contained HTML page that opens offline.

Vega, Vega-Lite and vega-embed are inlined once from vl-convert's bundle and every chart's spec
is embedded as JSON, so the page makes no request. The page is `templates/report.html.j2`: this
module gathers its texts (data text cleaned and cut by `format.label`) and the template escapes
each once (`analytics.publish.pages`); the page is rendered to a string in memory and written once by
`commit.write_output`, which refuses a folder or a path inside the data folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.charts.format import label
from analytics.charts.subject import TTM_PERIOD_KINDS
from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.publish import pages
from analytics.publish.key_figures import (
    Frames,
    KeyFigures,
    basis_runs,
    format_money,
    format_period,
    format_share,
    headlines,
    key_figure_rows,
    subtitle,
)
from analytics.publish.publication import open_publication
from analytics.store import commit

if TYPE_CHECKING:
    from analytics.sql.session import DataSource


#: Characters kept of a table cell: sources, the longest legitimate texts, run to about 1,000.
CELL_LIMIT = 2000

#: The one escaping function, and JSON for a <script>, as the templates apply them.
escape = pages.escape_text
json_for_html = pages.script_json


@dataclass(frozen=True)
class Table:
    """A table as the template shows it: every text cleaned and cut at `CELL_LIMIT` characters
    (escaping is the template's); columns in `numeric` are right-aligned."""

    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int]

    @classmethod
    def of(cls, headers: list[str], rows: Iterable[list[str]], numeric: Iterable[int]) -> Table:
        return cls(
            [label(h, CELL_LIMIT) for h in headers],
            [[label(cell, CELL_LIMIT) for cell in row] for row in rows],
            frozenset(numeric),
        )


def build_report(
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    out: Path,
    data_dir: Path | str | None = None,
    progress: Callable[[str], None] | None = None,
    period_kind: str | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> Path:
    """Write the report to `out` and return it; nothing is written if anything fails, and an `out`
    that is a folder or lies inside the data folder is refused before any chart is rendered.
    Several partners: the dependence chart, headlines and a table of shares compare them; the
    other charts and tables are about the first.
    `progress` is called with each chart's name once its spec is ready; `period_kind` None picks
    quarters when the range has quarterly totals, else fiscal years; `basis` and `as_of` go to
    every query (None: each period's latest basis, as published today). Every query runs on
    one DuckDB session."""
    with open_publication(
        company=company,
        partner=partner,
        from_period=from_period,
        to_period=to_period,
        out=out,
        data_dir=data_dir,
        period_kind=period_kind,
        basis=basis,
        as_of=as_of,
    ) as opened:
        specs = chart_specs(opened.frames, opened.session, progress)
    page = render_report(opened.frames, opened.figures, specs)
    return commit.write_output(Path(out), page.encode("utf-8"), opened.session.data_dir)


def chart_specs(
    frames: Frames, data_dir: DataSource = None, progress: Callable[[str], None] | None = None
) -> dict[str, dict[str, Any]]:
    """Every registered chart as a themed Vega-Lite spec with its data inlined, built and
    validated once each (no Altair object made from it again); the page embeds the specs, so
    nothing is rendered here."""
    from analytics.charts import registry
    from analytics.publish.chart_spec import spec_and_frame
    from analytics.sql.session import session

    specs: dict[str, dict[str, Any]] = {}
    with session(data_dir) as opened:
        for name in registry.names():
            specs[name] = spec_and_frame(name, frames.subject, opened)[0]
            if progress is not None:
                progress(name)
    return specs


def render_report(frames: Frames, figures: KeyFigures, specs: dict[str, dict[str, Any]]) -> str:
    """The whole page as one string."""
    import vl_convert

    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # stub omits the default
    chart_headlines = headlines(frames, figures)
    charts = [
        {"id": f"chart-{i}", "name": name, "headline": chart_headlines.get(name, name)}
        for i, name in enumerate(specs)
    ]
    periods_heading, periods = period_table(frames, figures.currency)
    return pages.render(
        "report.html.j2",
        title=f"{figures.company}: dependence on {figures.partners}",
        subtitle=label(page_subtitle(figures), CELL_LIMIT),
        bundle=bundle,
        key_figures=key_figures_table(figures),
        charts=charts,
        specs={chart["id"]: spec for chart, spec in zip(charts, specs.values(), strict=True)},
        periods_heading=periods_heading,
        periods=periods,
        compared=compared_table(frames, figures),
        partner=frames.subject.scope.short,
        basis_breaks=basis_breaks(frames),
        reconciliation=reconciliation_table(frames, figures.currency),
    )


def page_subtitle(figures: KeyFigures) -> str:
    return f"{subtitle(figures)} · computed from the shipped queries"


def table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    """A table as the page shows it (the template's macro, every text cleaned, cut and
    escaped)."""
    return str(pages.macro("_table.html.j2", "table")(Table.of(headers, rows, numeric)))


def key_figures_table(figures: KeyFigures) -> Table:
    return Table.of(["Figure", "Value"], [list(row) for row in key_figure_rows(figures)], ())


def period_table(frames: Frames, currency: str) -> tuple[str, Table]:
    """Its heading, and every period with revenue: partner, rest and total, share, TTM share
    (quarters and halves: a fiscal year has none), source. A lower bound reads `at least`, the
    rest then `at most`."""
    with_ttm = frames.subject.period_kind in TTM_PERIOD_KINDS
    shown = frames.dependence.filter(frames.dependence["total_revenue"].is_not_null())
    with_basis = len(basis_runs(shown)) > 1 or frames.subject.basis is not None
    rows = []
    for r in shown.sort("period_start").iter_rows(named=True):
        bound = bool(r["share_is_lower_bound"])
        rest = None if r["partner_revenue"] is None else r["total_revenue"] - r["partner_revenue"]
        rest_text = format_money(rest, currency)
        rows.append(
            [
                format_period(r["period"], frames.subject.year_end_month),
                format_money(r["partner_revenue"], currency, lower_bound=bound),
                f"at most {rest_text}" if bound else rest_text,
                format_money(r["total_revenue"], currency),
                format_share(r["share_of_total"], exact=True, lower_bound=bound),
                *([ttm_text(r)] if with_ttm else []),
                *([str(r.get("basis") or "")] if with_basis else []),
                ("derived: " if r["derived"] else "") + str(r["source"] or ""),
            ]
        )
    partner = frames.subject.scope.short
    headers = [
        "Period",
        partner,
        f"Excluding {partner}",
        "Total revenue",
        "Share",
        *(["TTM share"] if with_ttm else []),
        *(["Basis"] if with_basis else []),
        "Source",
    ]
    numeric = {1, 2, 3, 4, 5} if with_ttm else {1, 2, 3, 4}
    heading = f"{frames.subject.words.adjective} figures"
    if frames.compared is not None:
        heading += f": {partner}"
    return heading, Table.of(headers, rows, numeric)


def compared_table(frames: Frames, figures: KeyFigures) -> Table | None:
    """With several partners: each partner's share of total revenue per period (None: one),
    headed by the names the key figures use (a group as `Lookwise group`)."""
    if frames.compared is None:
        return None
    wide = frames.compared.pivot(
        on="partner", index=["period", "period_start"], values="share_of_total", aggregate_function="first"
    )
    partners = [p for p in dict.fromkeys(frames.compared["partner"].to_list()) if p in wide.columns]
    month = frames.subject.year_end_month
    rows = [
        [format_period(r["period"], month), *(format_share(r[p], exact=True) for p in partners)]
        for r in wide.sort("period_start").iter_rows(named=True)
    ]
    names = [p.name for p in figures.compared]
    headers = names if len(names) == len(partners) else [label(p) for p in partners]
    return Table.of(["Period", *headers], rows, range(1, len(partners) + 1))


def ttm_text(row: dict[str, Any]) -> str:
    """A period's TTM share; `not comparable (basis change)` where its twelve months hold two
    bases (`basis_break`: the query leaves it NULL), never `not disclosed`."""
    if row.get("basis_break") and row["ttm_share_of_total"] is None:
        return "not comparable (basis change)"
    return format_share(
        row["ttm_share_of_total"], exact=True, lower_bound=bool(row["ttm_share_is_lower_bound"])
    )


def reconciliation_table(frames: Frames, currency: str) -> Table:
    """Year-on-year change: partner change + change excluding the partner = total change."""
    rows, month = [], frames.subject.year_end_month
    for r in frames.growth.sort("period_start").iter_rows(named=True):
        if r["partner_change"] is None or r["rest_change"] is None:
            continue
        rows.append(
            [
                f"{format_period(r['period'], month)} vs {format_period(r['prior_period'], month)}",
                format_money(r["partner_change"], currency),
                format_money(r["rest_change"], currency),
                format_money(r["partner_change"] + r["rest_change"], currency),
                format_money(r["total_change"], currency),
                "yes" if r["reconciles"] else "NO",
            ]
        )
    partner = frames.subject.scope.short
    headers = [
        "Period",
        f"{partner} change",
        f"Change excluding {partner}",
        "Sum",
        "Total revenue change",
        "Reconciles",
    ]
    return Table.of(headers, rows, {1, 2, 3, 4})


def basis_breaks(frames: Frames) -> str:
    """` Q1 2018 – Q4 2018 are not compared with a year earlier: ...` for the periods the growth
    query leaves out because the year before is on another basis; '' when there are none."""
    from analytics.charts.basis import break_periods
    from analytics.charts.format import format_range

    runs = break_periods(frames.growth)
    if not runs:
        return ""
    spans = ", ".join(format_range(run[0], run[-1], frames.subject.year_end_month) for run in runs)
    return (
        f" {spans}: not compared with a year earlier, which is on another accounting basis "
        "(not like for like)."
    )
