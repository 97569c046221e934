"""Query -> chart -> export: build the deck pack (HTML, PNG, SVG, CSV per chart, and a gallery).

Every output is rendered in memory first (vl-convert in one worker process per build, so a crash
costs one chart) and committed through `analytics.store.commit`, per chart all or nothing, under a
folder lock; a chart that fails is recorded with a one-line cause and the others still build.
Every string of a spec passes `text.for_renderer` here, the one door to the renderer.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.charts import format as fmt
from analytics.charts import registry, theme
from analytics.charts.basis import COLUMNS as BASIS_COLUMNS
from analytics.charts.basis import vintage_params
from analytics.charts.chartset import ChartSet
from analytics.charts.common import nothing_to_plot
from analytics.charts.gallery import check_out_dir, gallery_html
from analytics.charts.page import HTML_MODES, fluid_spec, split_bundle
from analytics.charts.renderer import PNG_SCALE, RENDERED_FORMATS, Renderer
from analytics.charts.subject import Subject, and_list, resolve_subject
from analytics.errors import AnalyticsError, QueryError, UnknownNameError
from analytics.publish import pages
from analytics.store import commit
from analytics.text import for_renderer

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.registry import ChartDef

FORMATS = ("html", "png", "svg", "csv")
#: What a chart's `requires` column holds, for the message when no period has it.
NEEDS = {"total_revenue": "a total revenue", "amount": "a revenue figure",
         "total_yoy": "a total revenue a year earlier to compare with",
         "total_change": "a total revenue a year earlier to compare with"}

SPEC_MARKER = "const spec = "
CAUSE_LIMIT = 300

__all__ = ["PNG_SCALE", "BuildResult", "ChartBuildError", "RenderedChart", "build_charts",
           "chart_and_frame", "chart_for", "gallery_html", "render_chart", "render_charts",
           "safe_html"]


class ChartBuildError(AnalyticsError):
    """Some charts failed to build; the others were written. Names each failure and its cause."""

    exit_code = 6

    def __init__(self, failed: dict[str, str], written: list[Path] | None = None) -> None:
        self.failed, self.written = failed, written or []
        causes = "; ".join(f"{name}: {cause}" for name, cause in failed.items())
        super().__init__(f"{len(failed)} chart(s) failed: {causes}")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, which charts failed and why, and the seconds spent in vl-convert."""

    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    vl_convert_seconds: float = 0.0


@dataclass(frozen=True)
class RenderedChart:
    """One chart's outputs in memory, keyed by format, plus its title for the gallery."""

    name: str
    title: str
    outputs: dict[str, bytes]
    vl_convert_seconds: float
    periods: tuple[str | None, str | None] = (None, None)


def chart_for(name: str, *, company: str = "Weibo", partner: str | Sequence[str] = "Alibaba",
              from_period: str | None = None, to_period: str | None = None,
              data_dir: Path | str | None = None, period_kind: str | None = None,
              subject: Subject | None = None, basis: str | None = None,
              as_of: dt.date | str | None = None) -> Any:
    """The Altair chart `name` for a company and partner (or several: a list, compared by the
    charts that draw several, the first the subject of the others), with the project theme
    baked in. `period_kind` None picks quarters when the range has quarterly totals, else
    half-years when it has half-year totals, else fiscal years; `basis` and `as_of` go to the
    chart's queries (None: each period's latest basis, as published today)."""
    return chart_and_frame(name, company=company, partner=partner, from_period=from_period,
                           to_period=to_period, data_dir=data_dir, period_kind=period_kind,
                           subject=subject, basis=basis, as_of=as_of)[0]


def chart_and_frame(name: str, *, company: str = "Weibo", partner: str | Sequence[str] = "Alibaba",
                    from_period: str | None = None, to_period: str | None = None,
                    data_dir: Path | str | None = None, period_kind: str | None = None,
                    subject: Subject | None = None, basis: str | None = None,
                    as_of: dt.date | str | None = None) -> tuple[Any, pl.DataFrame]:
    """The themed Altair chart `name` and the query result it draws (its declared columns,
    and `basis`, `basis_break` where its query has them); a resolved `subject` stands for
    company, partner, range, period kind, basis and as-of date."""
    subject = subject or resolve_subject(company, partner, from_period, to_period, period_kind,
                                         data_dir, basis=basis, as_of=as_of)
    return _chart_and_frame(name, subject, data_dir)


def _chart_and_frame(name: str, subject: Subject, data_dir: Path | str | None,
                     ) -> tuple[Any, pl.DataFrame]:
    from analytics.api import query
    from analytics.charts.registry import ChartContext

    definition = registry.get(name)
    offered = {"company": subject.company,
               "partner": list(subject.partners) if definition.several_partners
               else subject.partner,
               "from_period": subject.from_period, "to_period": subject.to_period,
               "period_kind": subject.period_kind}
    params: dict[str, Any] = {key: offered[key] for key in definition.params}
    frame = query(definition.query, data_dir,
                  **params, **vintage_params(definition.query, subject))
    missing = [column for column in definition.columns if column not in frame.columns]
    if missing:
        raise QueryError(f"query '{definition.query}' lacks columns chart '{name}' needs: "
                         f"{', '.join(missing)}")
    if nothing_to_plot(frame, definition.requires):
        needs = NEEDS.get(definition.requires, definition.requires.replace("_", " "))
        breaks = "basis_break" in frame.columns and bool(frame["basis_break"].fill_null(False)
                                                          .any())
        because = " on the same accounting basis (the year before is on another)" \
            if breaks else ""
        raise QueryError(f"nothing to plot: no {subject.words.noun} in the range has "
                         f"{needs}{because}")

    def fetch(query_name: str, **side_params: Any) -> pl.DataFrame:
        """A side query with the real company and (first) partner bound where it declares
        them; `side_params` override them (`partner=` another of the partners)."""
        from analytics.sql import queries

        declared = {parameter.name for parameter in queries.load(query_name).parameters}
        subject_params = {"company": subject.company, "partner": subject.partner}
        bound: dict[str, Any] = {key: value for key, value in subject_params.items()
                                 if key in declared}
        return query(query_name, data_dir,
                     **(bound | vintage_params(query_name, subject, strict=False)
                        | side_params))

    columns = [*definition.columns, *(column for column in BASIS_COLUMNS
                                      if column in frame.columns
                                      and column not in definition.columns)]
    several = definition.several_partners and subject.several
    context = ChartContext(frame.select(columns), fmt.label(subject.shown_name),
                           subject.scope.short, fetch, subject.period_kind, subject.scope.title,
                           subject.basis, subject.as_of, subject.scopes if several else (),
                           subject.year_end_month)
    chart = definition.build(context)
    with theme.enabled():
        spec = renderer_safe(_about_the_first(chart.to_dict(), definition, subject))
    return type(chart).from_dict(spec), context.frame


def _about_the_first(spec: dict[str, Any], definition: ChartDef, subject: Subject
                     ) -> dict[str, Any]:
    """A chart about one partner, built when several were given, says under its subtitle that
    it is about the first and where the others are compared."""
    if definition.several_partners or not subject.several or \
            not isinstance(spec.get("title"), dict):
        return spec
    names = and_list([scope.short for scope in subject.scopes])
    note = fmt.label(f"About {subject.scope.short}, the first partner given; the dependence "
                     f"chart compares {names}", fmt.SUBTITLE_LIMIT)
    title = spec["title"]
    subtitle = title.get("subtitle")
    lines = subtitle if isinstance(subtitle, list) else [subtitle] if subtitle else []
    return {**spec, "title": {**title, "subtitle": [*lines, note]}}


def renderer_safe(value: Any) -> Any:
    """Every string in a spec (titles, labels, data values) through `text.for_renderer`: a
    control character panics vl-convert and is invalid in SVG and PowerPoint XML."""
    if isinstance(value, str):
        return for_renderer(value)
    if isinstance(value, dict):
        return {key: renderer_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [renderer_safe(item) for item in value]
    return value


def build_charts(names: list[str] | None = None, *, company: str = "Weibo",
                 partner: str | Sequence[str] = "Alibaba", from_period: str | None = None,
                 to_period: str | None = None, formats: tuple[str, ...] | list[str] = FORMATS,
                 out_dir: Path | None = None, data_dir: Path | str | None = None,
                 progress: Callable[[str], None] | None = None,
                 html: str = "inline", period_kind: str | None = None,
                 basis: str | None = None, as_of: dt.date | str | None = None) -> BuildResult:
    """Build the named charts (all when None) in `formats` into `out_dir`; each chart's commit
    also updates the manifest (`charts.json`) and the gallery of every chart in the folder.

    `html="shared"` makes each chart's HTML load one `vega.js` beside it. Refuses, before writing
    anything, an `out_dir` inside the data folder or one whose index.html this tool did not
    write. `period_kind` None picks quarters when the range has quarterly totals, else halves,
    else years; `partner` is one name or several (compared in the dependence chart);
    `basis` and `as_of` (a date or `YYYY-MM-DD`) go to every query the charts run."""
    from analytics.project import charts_dir

    chosen = _check_names_and_formats(names, formats)
    if html not in HTML_MODES:
        raise UnknownNameError("html mode", html, list(HTML_MODES))
    subject = resolve_subject(company, partner, from_period, to_period, period_kind, data_dir,
                              basis=basis, as_of=as_of)
    target = check_out_dir(Path(out_dir) if out_dir is not None else charts_dir(), data_dir)
    written: list[Path] = []
    with commit.locked(target):
        chart_set = ChartSet.open(target, company, and_list(subject.partners), html,
                                  registry.names(),
                                  subject.basis,
                                  subject.as_of.isoformat() if subject.as_of else None)
        built, failed = render_charts(chosen, formats, subject=subject, data_dir=data_dir,
                                      each=lambda chart: written.extend(chart_set.commit(chart)),
                                      progress=progress)
    written.extend(chart_set.summary_paths())
    return BuildResult(written, failed, sum(chart.vl_convert_seconds for chart in built))


def render_charts(names: list[str], formats: tuple[str, ...] | list[str] = FORMATS, *,
                  company: str = "Weibo", partner: str | Sequence[str] = "Alibaba",
                  from_period: str | None = None, to_period: str | None = None,
                  data_dir: Path | str | None = None,
                  each: Callable[[RenderedChart], None] | None = None,
                  progress: Callable[[str], None] | None = None,
                  period_kind: str | None = None, subject: Subject | None = None,
                  basis: str | None = None, as_of: dt.date | str | None = None,
                  ) -> tuple[list[RenderedChart], dict[str, str]]:
    """Render charts in memory through one renderer worker; `each` gets every chart as it is
    rendered (to commit it). Returns the charts built and, per failed chart, a one-line cause."""
    built: list[RenderedChart] = []
    failed: dict[str, str] = {}
    subject = subject or resolve_subject(company, partner, from_period, to_period, period_kind,
                                         data_dir, basis=basis, as_of=as_of)
    with Renderer(tuple(f for f in formats if f in RENDERED_FORMATS)) as renderer:
        for name in names:
            try:
                rendered = render_chart(name, formats, subject=subject, data_dir=data_dir,
                                        renderer=renderer)
                if each is not None:
                    each(rendered)
                built.append(rendered)
            except Exception as error:  # a failed chart must not stop the others
                failed[name] = failure_cause(error)
            if progress is not None:
                progress(name)
    return built, failed


def failure_cause(error: BaseException) -> str:
    """One line naming what went wrong: a library error's message, else the exception's type and
    the first line of its message (vl-convert's carry a JavaScript stack)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    cause = first if isinstance(error, AnalyticsError) else \
        f"{type(error).__name__}: {first}".rstrip(": ")
    return fmt.label(cause, CAUSE_LIMIT)


def _check_names_and_formats(names: list[str] | None, formats: Any) -> list[str]:
    known = registry.names()
    for name in names or []:
        if name not in known:
            raise UnknownNameError("chart", name, known)
    for format_name in formats:
        if format_name not in FORMATS:
            raise UnknownNameError("format", format_name, list(FORMATS))
    return list(names) if names else known


def render_chart(name: str, formats: tuple[str, ...] | list[str] = FORMATS, *,
                 company: str = "Weibo", partner: str | Sequence[str] = "Alibaba",
                 from_period: str | None = None, to_period: str | None = None,
                 data_dir: Path | str | None = None,
                 renderer: Renderer | None = None, period_kind: str | None = None,
                 subject: Subject | None = None, basis: str | None = None,
                 as_of: dt.date | str | None = None) -> RenderedChart:
    """One chart's outputs as bytes in memory (nothing is written). Without a `renderer`, one
    worker is started for this chart alone."""
    from analytics.results.formats import spreadsheet_safe

    chart, frame = chart_and_frame(name, company=company, partner=partner,
                                   from_period=from_period, to_period=to_period,
                                   data_dir=data_dir, period_kind=period_kind, subject=subject,
                                   basis=basis, as_of=as_of)
    spec = chart.to_dict()
    title = _title_text(spec)
    started = time.perf_counter()
    rendered = _render_spec(name, spec, formats, renderer)
    seconds = time.perf_counter() - started
    outputs: dict[str, bytes] = {}
    for fmt_name in (f for f in RENDERED_FORMATS if f in rendered):
        content = rendered[fmt_name]
        outputs[fmt_name] = (safe_html(content, title, fluid_spec(spec)).encode("utf-8")
                             if isinstance(content, str) else content)
    if "csv" in formats:
        outputs["csv"] = spreadsheet_safe(frame).write_csv().encode("utf-8")
    return RenderedChart(name, title, outputs, seconds, _period_range(frame))


def _period_range(frame: pl.DataFrame) -> tuple[str | None, str | None]:
    """First and last period the chart shows (by period start), when it has any."""
    if "period" not in frame.columns or frame.height == 0:
        return None, None
    periods = frame.drop_nulls("period").sort("period_start")["period"]
    return (periods[0], periods[-1]) if len(periods) else (None, None)


def _render_spec(name: str, spec: dict[str, Any], formats: tuple[str, ...] | list[str],
                 renderer: Renderer | None) -> dict[str, bytes | str]:
    wanted = tuple(f for f in formats if f in RENDERED_FORMATS)
    if not wanted:
        return {}
    if renderer is not None:
        return renderer.render(name, spec)
    with Renderer(wanted) as own:
        return own.render(name, spec)


def _title_text(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def safe_html(page: str, title: str, spec: dict[str, Any] | None = None) -> str:
    """The chart's page from our template (`analytics.publish.pages.chart_page`): vl-convert's `page`
    gives only its JavaScript bundle; `spec` (the fluid spec the page was made from) and `title`
    are embedded through the one escaping door. Without `spec`, the page's own is read back."""
    if spec is None:
        start = page.index(SPEC_MARKER) + len(SPEC_MARKER)
        spec = json.JSONDecoder().raw_decode(page, start)[0]
    return pages.chart_page(spec, title, split_bundle(page)[1])
