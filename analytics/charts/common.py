"""Pieces every chart shares: frames to inline values, the period axis, titles and footnotes.

Charts embed only the aggregated rows of their query (a few dozen), converted to plain JSON
values so specs are deterministic and snapshot-friendly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from analytics.charts import format as fmt
from analytics.charts.theme import COLOURS

if TYPE_CHECKING:
    import altair as alt
    import polars as pl

MAX_ROWS = 2000
#: The query columns on accounting bases (`charts.basis.COLUMNS`, kept here: basis imports us).
BASIS_COLUMNS = ("basis", "basis_break")
#: The colours of partners compared in one chart, in the order given, by name in the theme's
#: mapping: the first is always the partner colour.
PARTNER_COLOURS = ("partner", "rest", "related_party", "positive", "partner_light", "basis",
                   "total")


def values(frame: pl.DataFrame, columns: list[str] | tuple[str, ...] | None = None,
           ) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: Decimal -> float, dates -> ISO strings, NULL stays null.

    Without `columns`, every column but the basis ones (`basis`, `basis_break`): a chart's
    rows name their basis only where it holds several (`charts.basis.annotate`), so a chart on
    one basis is drawn from the very rows it was before bases existed."""
    if frame.height > MAX_ROWS:
        raise ValueError(f"{frame.height} rows to plot: aggregate in SQL first")
    selected = frame.select(columns) if columns else frame.drop(BASIS_COLUMNS, strict=False)
    return [{key: _plain(value) for key, value in row.items()} for row in selected.iter_rows(
        named=True)]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def currency_of(frame: pl.DataFrame) -> str:
    """The single currency of a result; mixed currencies cannot share an axis."""
    currencies = [c for c in frame["currency"].unique().to_list() if c] if frame.height else []
    if len(currencies) > 1:
        raise ValueError(f"mixed currencies in one chart: {', '.join(sorted(currencies))}")
    return currencies[0] if currencies else ""


def max_abs(frame: pl.DataFrame, *columns: str) -> float:
    """Largest absolute value over columns (0 when all NULL), to pick the axis unit."""
    found = [abs(float(v)) for c in columns for v in frame[c].to_list() if v is not None]
    return max(found, default=0.0)


def partner_colours(count: int) -> list[str]:
    """Colours for `count` partners compared in one chart (cycling past the last)."""
    return [COLOURS[PARTNER_COLOURS[index % len(PARTNER_COLOURS)]] for index in range(count)]


def period_x(time_unit: str = "utcyearquarter", field: str = "period_start",
             title: str | None = None) -> alt.X:
    """Time axis by quarter (or by half-year: `utcyearmonth`, a half placed at its first month,
    as Vega-Lite has no half-year unit; or by year: `utcyear`) in UTC, so dates never shift
    with the viewer's timezone; labelled by year whatever the unit."""
    import altair as alt

    unit: Any = time_unit  # altair types timeUnit as a Literal of every unit name
    return alt.X(f"{field}:T", timeUnit=unit, title=title,
                 axis=alt.Axis(format="%Y", labelAngle=0, tickCount="year", labelFlush=True),
                 scale=alt.Scale(type="utc"))


def amount_axis(currency: str, largest: float, title: str) -> alt.Axis:
    """Y axis for amounts in the data's currency and unit (`$120M`)."""
    import altair as alt

    return alt.Axis(labelExpr=fmt.currency_label_expr(currency, largest), title=title,
                    tickCount=6)


def share_axis(title: str) -> alt.Axis:
    import altair as alt

    return alt.Axis(format=".0%", title=title, tickCount=6)


def finish(chart: Any, title: str, subtitle: str, sources: list[Any],
           notes: list[str] | None = None) -> alt.VConcatChart:
    """Wrap a chart with its title and subtitle on top and the footnote underneath: `notes`
    (the basis and publication date, when they matter), then the sources.

    The one place chart titles are made: each is cut to its limit in `format`."""
    import altair as alt

    lines = [line for note in notes or [] for line in fmt.footnote_lines(note)]
    footnote = alt.TitleParams([*lines, *fmt.source_footnote(sources)], orient="bottom",
                               anchor="start", fontSize=10, fontWeight="normal",
                               color=COLOURS["muted"], offset=14)
    heading = alt.TitleParams(fmt.label(title, fmt.TITLE_LIMIT),
                              subtitle=fmt.label(subtitle, fmt.SUBTITLE_LIMIT))
    return alt.vconcat(chart.properties(title=footnote)).properties(title=heading)


def period_label(frame: pl.DataFrame) -> str:
    """'2013Q1–2021Q3' for a result's first and last period, '' when empty."""
    if not frame.height:
        return ""
    return f"{frame['period'][0]}–{frame['period'][-1]}"


def nothing_to_plot(frame: pl.DataFrame, column: str) -> bool:
    """True when no row of the result has a value in `column`: the chart would be empty."""
    return frame.height == 0 or frame[column].null_count() == frame.height


def at_least(label: str, lower_bound: bool | None) -> str:
    """A value label marked `≥` when it is a lower bound (a group member undisclosed)."""
    return f"≥{label}" if lower_bound and label != "n/d" else label
