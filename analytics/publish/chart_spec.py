"""One chart's Vega-Lite spec and the frame it draws: its queries on one session, the Altair chart
built and validated once under the theme, every string made safe for the renderer.

Kept apart from rendering and writing so the deck, the report and the notebook can ask for a
chart without starting a renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from analytics.charts import format as fmt
from analytics.charts import registry, theme
from analytics.charts.basis import COLUMNS as BASIS_COLUMNS
from analytics.charts.basis import vintage_params
from analytics.charts.common import nothing_to_plot
from analytics.charts.subject import Subject, and_list, resolve_subject
from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.errors import QueryError
from analytics.publish.safety import renderer_safe

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.registry import ChartContext, ChartDef
    from analytics.sql.session import DataSource

#: What a chart's `requires` column holds, for the message when no period has it.
NEEDS = {
    "total_revenue": "a total revenue",
    "amount": "a revenue figure",
    "total_yoy": "a total revenue a year earlier to compare with",
    "total_change": "a total revenue a year earlier to compare with",
}


def chart_for(
    name: str,
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    data_dir: DataSource = None,
    period_kind: str | None = None,
    subject: Subject | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> Any:
    """The Altair chart `name` for a company and partner (or several: a list, compared by the
    charts that draw several, the first the subject of the others), with the project theme
    baked in. `period_kind` None picks quarters when the range has quarterly totals, else
    half-years when it has half-year totals, else fiscal years; `basis` and `as_of` go to the
    chart's queries (None: each period's latest basis, as published today)."""
    return chart_and_frame(
        name,
        company=company,
        partner=partner,
        from_period=from_period,
        to_period=to_period,
        data_dir=data_dir,
        period_kind=period_kind,
        subject=subject,
        basis=basis,
        as_of=as_of,
    )[0]


def chart_and_frame(
    name: str,
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    data_dir: DataSource = None,
    period_kind: str | None = None,
    subject: Subject | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> tuple[Any, pl.DataFrame]:
    """The themed Altair chart `name` and the query result it draws (its declared columns,
    and `basis`, `basis_break` where its query has them); a resolved `subject` stands for
    company, partner, range, period kind, basis and as-of date. Every query runs on one
    session: `data_dir` when it is one, else one opened for this chart."""
    from analytics.sql.session import session

    with session(data_dir) as opened:
        subject = subject or resolve_subject(
            company, partner, from_period, to_period, period_kind, opened, basis=basis, as_of=as_of
        )
        return spec_and_frame(name, subject, opened, as_spec=False)


def spec_and_frame(
    name: str, subject: Subject, data_dir: DataSource, *, as_spec: bool = True
) -> tuple[Any, pl.DataFrame]:
    """The chart's spec dict (built and validated once, no Altair object made from it again)
    and its frame; with `as_spec` False, the Altair chart made from that spec instead."""
    definition = registry.get(name)
    context = _context(
        definition, subject, _chart_frame(definition, subject, data_dir), _side_queries(subject, data_dir)
    )
    with theme.building():  # validated once, by to_dict()
        chart = definition.build(context)
        spec = renderer_safe(_about_the_first(chart.to_dict(), definition, subject))
        return (spec if as_spec else type(chart).from_dict(spec, validate=False)), context.frame


def _chart_frame(definition: ChartDef, subject: Subject, data_dir: DataSource) -> pl.DataFrame:
    """The chart's query result, refused when it lacks a column the chart needs or has
    nothing to plot (with what it lacks, in the subject's words)."""
    from analytics.sql.run import query

    offered = {
        "company": subject.company,
        "partner": list(subject.partners) if definition.several_partners else subject.partner,
        "from_period": subject.from_period,
        "to_period": subject.to_period,
        "period_kind": subject.period_kind,
    }
    params: dict[str, Any] = {key: offered[key] for key in definition.params}
    frame = query(definition.query, data_dir, **params, **vintage_params(definition.query, subject))
    missing = [column for column in definition.columns if column not in frame.columns]
    if missing:
        raise QueryError(
            f"query '{definition.query}' lacks columns chart '{definition.name}' needs: {', '.join(missing)}"
        )
    if nothing_to_plot(frame, definition.requires):
        needs = NEEDS.get(definition.requires, definition.requires.replace("_", " "))
        breaks = "basis_break" in frame.columns and bool(frame["basis_break"].fill_null(False).any())
        because = " on the same accounting basis (the year before is on another)" if breaks else ""
        raise QueryError(f"nothing to plot: no {subject.words.noun} in the range has {needs}{because}")
    return frame


def _side_queries(subject: Subject, data_dir: DataSource) -> Callable[..., pl.DataFrame]:
    """The chart's `fetch`: a side query on the same session."""
    from analytics.sql.run import query

    def fetch(query_name: str, **side_params: Any) -> pl.DataFrame:
        """A side query with the real company and (first) partner bound where it declares
        them; `side_params` override them (`partner=` another of the partners)."""
        from analytics.sql import queries

        declared = {parameter.name for parameter in queries.load(query_name).parameters}
        subject_params = {"company": subject.company, "partner": subject.partner}
        bound: dict[str, Any] = {key: value for key, value in subject_params.items() if key in declared}
        return query(
            query_name, data_dir, **(bound | vintage_params(query_name, subject, strict=False) | side_params)
        )

    return fetch


def _context(
    definition: ChartDef, subject: Subject, frame: pl.DataFrame, fetch: Callable[..., pl.DataFrame]
) -> ChartContext:
    """What the chart's builder sees: its columns (and the basis columns its query has), the
    subject's names and scopes, and `fetch` for side queries."""
    from analytics.charts.registry import ChartContext

    columns = [
        *definition.columns,
        *(column for column in BASIS_COLUMNS if column in frame.columns and column not in definition.columns),
    ]
    several = definition.several_partners and subject.several
    return ChartContext(
        frame.select(columns),
        fmt.label(subject.shown_name),
        subject.scope.short,
        fetch,
        subject.period_kind,
        subject.scope.title,
        subject.basis,
        subject.as_of,
        subject.scopes if several else (),
        subject.year_end_month,
    )


def _about_the_first(spec: dict[str, Any], definition: ChartDef, subject: Subject) -> dict[str, Any]:
    """A chart about one partner, built when several were given, says under its subtitle that
    it is about the first and where the others are compared."""
    if definition.several_partners or not subject.several or not isinstance(spec.get("title"), dict):
        return spec
    names = and_list([scope.short for scope in subject.scopes])
    note = fmt.label(
        f"About {subject.scope.short}, the first partner given; the dependence chart compares {names}",
        fmt.SUBTITLE_LIMIT,
    )
    title = spec["title"]
    subtitle = title.get("subtitle")
    lines = subtitle if isinstance(subtitle, list) else [subtitle] if subtitle else []
    return {**spec, "title": {**title, "subtitle": [*lines, note]}}
