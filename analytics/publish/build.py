"""Query -> chart -> export: build the deck pack (HTML, PNG, SVG, CSV per chart, and a gallery).

Every output is rendered in memory first (`analytics.publish.rendering`: one vl-convert worker
per build, so a crash costs one chart) and committed through `analytics.store.commit`, per chart
all or nothing, under a folder lock; a chart that fails is recorded with a one-line cause and
the others still build. Every string of a spec passes `text.for_renderer`
(`analytics.publish.safety`), the one door to the renderer. This module also re-exports what
callers import from here: building one chart (`chart_spec`) and rendering (`rendering`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.charts import registry
from analytics.charts.chartset import ChartSet
from analytics.charts.gallery import check_out_dir, gallery_html
from analytics.charts.page import HTML_MODES
from analytics.charts.renderer import PNG_SCALE
from analytics.charts.subject import Subject, and_list, resolve_subject
from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.errors import AnalyticsError, UnknownNameError
from analytics.publish.chart_spec import chart_and_frame, chart_for
from analytics.publish.rendering import FORMATS, RenderedChart, failure_cause, render_chart, render_charts
from analytics.publish.safety import renderer_safe, safe_html
from analytics.store import commit

if TYPE_CHECKING:
    from analytics.sql.session import DataSource, Session

__all__ = [
    "FORMATS",
    "PNG_SCALE",
    "BuildResult",
    "ChartBuildError",
    "RenderedChart",
    "build_charts",
    "chart_and_frame",
    "chart_for",
    "failure_cause",
    "gallery_html",
    "render_chart",
    "render_charts",
    "renderer_safe",
    "safe_html",
]


class ChartBuildError(AnalyticsError):
    """Some charts failed to build; the others were written. Names each failure and its cause."""

    exit_code = 6

    def __init__(self, failed: dict[str, str], written: list[Path] | None = None) -> None:
        self.failed, self.written = failed, written or []
        causes = "; ".join(f"{name}: {cause}" for name, cause in failed.items())
        super().__init__(f"{len(failed)} chart(s) failed: {causes}")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, which charts failed and why, and the seconds spent in vl-convert
    (handing charts to the worker and waiting for their images)."""

    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    vl_convert_seconds: float = 0.0


def build_charts(
    names: list[str] | None = None,
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    formats: tuple[str, ...] | list[str] = FORMATS,
    out_dir: Path | None = None,
    data_dir: DataSource = None,
    progress: Callable[[str], None] | None = None,
    html: str = "inline",
    period_kind: str | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> BuildResult:
    """Build the named charts (all when None) in `formats` into `out_dir`; each chart's commit
    also updates the manifest (`charts.json`) and the gallery of every chart in the folder.

    `html="shared"` makes each chart's HTML load one `vega.js` beside it. Refuses, before writing
    anything, an `out_dir` inside the data folder or one whose index.html this tool did not
    write. `period_kind` None picks quarters when the range has quarterly totals, else halves,
    else years; `partner` is one name or several (compared in the dependence chart);
    `basis` and `as_of` (a date or `YYYY-MM-DD`) go to every query the charts run, all on one
    session (`data_dir` when it is one)."""
    from analytics.project import charts_dir
    from analytics.sql.session import session

    chosen = _check_names_and_formats(names, formats)
    if html not in HTML_MODES:
        raise UnknownNameError("html mode", html, list(HTML_MODES))
    with session(data_dir) as opened:
        subject = resolve_subject(
            company, partner, from_period, to_period, period_kind, opened, basis=basis, as_of=as_of
        )
        target = check_out_dir(Path(out_dir) if out_dir is not None else charts_dir(), opened.data_dir)
        return _build_into(target, company, html, chosen, formats, subject, opened, progress)


def _build_into(
    target: Path,
    company: str,
    html: str,
    names: list[str],
    formats: tuple[str, ...] | list[str],
    subject: Subject,
    opened: Session,
    progress: Callable[[str], None] | None,
) -> BuildResult:
    """Render the charts on the open session and commit each into `target` as it comes, all
    under the folder's lock (the manifest read under it, so no other build's chart is lost)."""
    written: list[Path] = []
    with commit.locked(target):
        chart_set = ChartSet.open(
            target,
            company,
            and_list(subject.partners),
            html,
            registry.names(),
            subject.basis,
            subject.as_of.isoformat() if subject.as_of else None,
        )
        built, failed = render_charts(
            names,
            formats,
            subject=subject,
            data_dir=opened,
            each=lambda chart: written.extend(chart_set.commit(chart)),
            progress=progress,
        )
    written.extend(chart_set.summary_paths())
    return BuildResult(written, failed, sum(chart.vl_convert_seconds for chart in built))


def _check_names_and_formats(names: list[str] | None, formats: Any) -> list[str]:
    known = registry.names()
    for name in names or []:
        if name not in known:
            raise UnknownNameError("chart", name, known)
    for format_name in formats:
        if format_name not in FORMATS:
            raise UnknownNameError("format", format_name, list(FORMATS))
    return list(names) if names else known
