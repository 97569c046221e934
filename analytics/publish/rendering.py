"""Charts rendered in memory (HTML page, PNG, SVG, CSV as bytes), nothing written.

vl-convert runs in one worker per build (a crash costs one chart). The worker renders chart N
while this process runs chart N+1's queries and builds its spec, so the two cores overlap; the
charts still come out, are handed to `each` (to commit them) and fail one by one in the order
they were asked for. A chart `reuse` offers outputs for (the deck: a build's PNG of the very same
spec) is not sent to the worker, which starts only when a chart needs it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analytics.charts import format as fmt
from analytics.charts.page import fluid_spec
from analytics.charts.renderer import RENDERED_FORMATS, Renderer
from analytics.charts.subject import Subject, resolve_subject
from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.errors import AnalyticsError
from analytics.publish import pages
from analytics.publish.chart_spec import spec_and_frame
from analytics.publish.reuse import render_key

if TYPE_CHECKING:
    import polars as pl

    from analytics.sql.session import DataSource

FORMATS = ("html", "png", "svg", "csv")
CAUSE_LIMIT = 300
#: Outputs already made for a chart's spec (by format), or None to render it.
Reuse = Callable[[str, dict[str, Any]], dict[str, bytes] | None]


@dataclass(frozen=True)
class RenderedChart:
    """One chart's outputs in memory, keyed by format, plus its title for the gallery and,
    with a PNG, the render key of its spec (`analytics.publish.reuse`)."""

    name: str
    title: str
    outputs: dict[str, bytes]
    vl_convert_seconds: float
    periods: tuple[str | None, str | None] = (None, None)
    render_key: str | None = None


@dataclass
class _Job:
    """One chart on its way: its spec and frame once built, its renderer outputs once
    collected, or the error that stopped it; `waited` is the time spent handing it to the
    renderer and waiting for its images."""

    name: str
    spec: dict[str, Any] | None = None
    frame: pl.DataFrame | None = None
    error: Exception | None = None
    sent: bool = False
    rendered: dict[str, bytes | str] | None = None
    waited: float = 0.0


def render_charts(
    names: list[str],
    formats: tuple[str, ...] | list[str] = FORMATS,
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    data_dir: DataSource = None,
    each: Callable[[RenderedChart], None] | None = None,
    progress: Callable[[str], None] | None = None,
    period_kind: str | None = None,
    subject: Subject | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
    reuse: Reuse | None = None,
) -> tuple[list[RenderedChart], dict[str, str]]:
    """Render charts in memory through one renderer worker, their queries on one session;
    `each` gets every chart as it is rendered, in order (to commit it). Returns the charts built
    and, per failed chart, a one-line cause. A chart whose spec `reuse` has every rendered
    format for is taken from it, not rendered."""
    from analytics.sql.session import session

    built: list[RenderedChart] = []
    failed: dict[str, str] = {}

    def finish(job: _Job) -> None:
        try:
            rendered = _rendered_chart(job, formats)
            if each is not None:
                each(rendered)
            built.append(rendered)
        except Exception as error:  # a failed chart must not stop the others
            failed[job.name] = failure_cause(error)
        if progress is not None:
            progress(job.name)

    with session(data_dir) as opened:
        subject = subject or resolve_subject(
            company, partner, from_period, to_period, period_kind, opened, basis=basis, as_of=as_of
        )
        _in_turn(names, tuple(f for f in formats if f in RENDERED_FORMATS), subject, opened, reuse, finish)
    return built, failed


def _in_turn(
    names: list[str],
    wanted: tuple[str, ...],
    subject: Subject,
    data_dir: DataSource,
    reuse: Reuse | None,
    finish: Callable[[_Job], None],
) -> None:
    """Build, render and `finish` each chart in order, through one renderer: chart N+1 is
    built while the worker renders N, and sent before N is finished."""
    with ExitStack() as stack:
        renderer = _renderer(stack, wanted, on_demand=reuse is not None)
        in_flight: _Job | None = None
        for name in [*names, None]:  # None: nothing left to build, collect the last
            job = _prepare(name, subject, data_dir, reuse, wanted) if name is not None else None
            done = _collect(in_flight, renderer) if in_flight is not None else None
            in_flight = _send(job, renderer) if job is not None else None
            if done is not None:
                finish(done)


def _renderer(stack: ExitStack, formats: tuple[str, ...], *, on_demand: bool) -> Callable[[], Renderer]:
    """The build's one renderer, closed with `stack`: started now, so its worker warms up
    while the first chart's queries run, or `on_demand` at the first chart that needs it
    (when charts may be reused, none may)."""
    started: list[Renderer] = []

    def renderer() -> Renderer:
        if not started:
            started.append(stack.enter_context(Renderer(formats)))
        return started[0]

    if not on_demand:
        renderer()
    return renderer


def render_chart(
    name: str,
    formats: tuple[str, ...] | list[str] = FORMATS,
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    data_dir: DataSource = None,
    renderer: Renderer | None = None,
    period_kind: str | None = None,
    subject: Subject | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> RenderedChart:
    """One chart's outputs as bytes in memory (nothing is written). Without a `renderer`, one
    worker is started for this chart alone."""
    from analytics.sql.session import session

    with session(data_dir) as opened:
        subject = subject or resolve_subject(
            company, partner, from_period, to_period, period_kind, opened, basis=basis, as_of=as_of
        )
        spec, frame = spec_and_frame(name, subject, opened)
    job = _Job(name, spec, frame)
    if renderer is not None:
        given = renderer
        return _rendered_chart(_collect(_send(job, lambda: given), lambda: given), formats)
    with Renderer(tuple(f for f in formats if f in RENDERED_FORMATS)) as own:
        return _rendered_chart(_collect(_send(job, lambda: own), lambda: own), formats)


def _prepare(
    name: str, subject: Subject, data_dir: DataSource, reuse: Reuse | None, wanted: tuple[str, ...]
) -> _Job:
    """The chart's spec and frame, with the outputs `reuse` has for that spec when they cover
    every format `wanted`, or the error that stopped them (reported in its turn)."""
    try:
        spec, frame = spec_and_frame(name, subject, data_dir)
        reused = reuse(name, spec) if reuse is not None else None
    except Exception as error:  # a failed chart must not stop the others
        return _Job(name, error=error)
    if reused is None or not all(fmt_name in reused for fmt_name in wanted):
        return _Job(name, spec, frame)
    taken: dict[str, bytes | str] = {fmt_name: reused[fmt_name] for fmt_name in wanted}
    return _Job(name, spec, frame, rendered=taken)


def _send(job: _Job, renderer: Callable[[], Renderer]) -> _Job:
    """Hand a built chart to the renderer, which starts on it at once (not one reused)."""
    if job.spec is None or job.rendered is not None:
        return job
    started = time.perf_counter()
    try:
        renderer().send(job.name, job.spec)
    except Exception as error:  # reported in its turn, as a render error would be
        job.error = error
    else:
        job.sent = True
    job.waited += time.perf_counter() - started
    return job


def _collect(job: _Job, renderer: Callable[[], Renderer]) -> _Job:
    """The chart with the renderer's outputs, once the worker has it (or with its error)."""
    if not job.sent:
        return job
    started = time.perf_counter()
    try:
        job.rendered = renderer().collect(job.name)
    except Exception as error:  # reported in its turn: a crash or a render error
        job.error = error
    job.waited += time.perf_counter() - started
    return job


def _rendered_chart(job: _Job, formats: tuple[str, ...] | list[str]) -> RenderedChart:
    """The chart's files as bytes (the page around the JavaScript bundle, the images, the
    CSV); raises what stopped the chart."""
    from analytics.results.formats import spreadsheet_safe

    if job.error is not None:
        raise job.error
    assert job.spec is not None and job.frame is not None
    rendered, title = job.rendered or {}, _title_text(job.spec)
    outputs: dict[str, bytes] = {}
    for fmt_name in (f for f in RENDERED_FORMATS if f in rendered):
        content = rendered[fmt_name]
        outputs[fmt_name] = (
            pages.chart_page(fluid_spec(job.spec), title, content).encode("utf-8")
            if isinstance(content, str)
            else content
        )
    if "csv" in formats:
        outputs["csv"] = spreadsheet_safe(job.frame).write_csv().encode("utf-8")
    key = render_key(job.spec) if "png" in outputs else None
    return RenderedChart(job.name, title, outputs, job.waited, _period_range(job.frame), key)


def failure_cause(error: BaseException) -> str:
    """One line naming what went wrong: a library error's message, else the exception's type and
    the first line of its message (vl-convert's carry a JavaScript stack)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    cause = first if isinstance(error, AnalyticsError) else f"{type(error).__name__}: {first}".rstrip(": ")
    return fmt.label(cause, CAUSE_LIMIT)


def _period_range(frame: pl.DataFrame) -> tuple[str | None, str | None]:
    """First and last period the chart shows (by period start), when it has any."""
    if "period" not in frame.columns or frame.height == 0:
        return None, None
    periods = frame.drop_nulls("period").sort("period_start")["period"]
    return (periods[0], periods[-1]) if len(periods) else (None, None)


def _title_text(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)
