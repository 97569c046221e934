"""Pieces every chart shares: frames to inline values, the period axis, titles and footnotes.

Charts embed only the aggregated rows of their query (a few dozen), converted to plain JSON
values so specs are deterministic and snapshot-friendly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from analytics.charts import format as fmt
from analytics.charts.theme import COLOURS
from analytics.periods import CALENDAR_YEAR_END, Period, fiscal_note, period_of
from analytics.store.schema import RELATED_PARTY

if TYPE_CHECKING:
    import altair as alt
    import polars as pl

    from analytics.charts.registry import ChartContext

MAX_ROWS = 2000
#: The query columns on accounting bases (`charts.basis.COLUMNS`, kept here: basis imports us).
BASIS_COLUMNS = ("basis", "basis_break")
#: The colours of partners compared in one chart, in the order given, by name in the theme's
#: mapping: the first is always the partner colour.
PARTNER_COLOURS = ("partner", "rest", RELATED_PARTY, "positive", "partner_light", "basis", "total")


def values(
    frame: pl.DataFrame,
    columns: list[str] | tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: Decimal -> float, dates -> ISO strings, NULL stays null.

    Without `columns`, every column but the basis ones (`basis`, `basis_break`): a chart's
    rows name their basis only where it holds several (`charts.basis.annotate`), so a chart on
    one basis is drawn from the very rows it was before bases existed."""
    if frame.height > MAX_ROWS:
        raise ValueError(f"{frame.height} rows to plot: aggregate in SQL first")
    selected = frame.select(columns) if columns else frame.drop(BASIS_COLUMNS, strict=False)
    return [{key: _plain(value) for key, value in row.items()} for row in selected.iter_rows(named=True)]


def inline(rows: list[dict[str, Any]]) -> alt.Data:
    """Rows as a chart's inline data: the one call of Altair's untyped `Data`."""
    import altair as alt

    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


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


def name_label(name: str) -> str:
    """A stream or counterparty class as a reader sees it: `value_added_services` becomes
    `value added services`, then `format.label` (cleaned, cut to its limit)."""
    return fmt.label(name.replace("_", " "))


def text_tooltip(*fields: tuple[str, str]) -> list[Any]:
    """One text tooltip per (field, title), in order."""
    import altair as alt

    return [alt.Tooltip(f"{name}:N", title=title) for name, title in fields]


def partner_colours(count: int) -> list[str]:
    """Colours for `count` partners compared in one chart (cycling past the last)."""
    return [COLOURS[PARTNER_COLOURS[index % len(PARTNER_COLOURS)]] for index in range(count)]


def shown_dates(frame: pl.DataFrame) -> tuple[str, str] | None:
    """The first period's start and the last period's end (its start, in a frame without
    ends), ISO; None when nothing is shown."""
    if not frame.height:
        return None
    last = frame["period_end" if "period_end" in frame.columns else "period_start"][-1]
    return frame["period_start"][0].isoformat(), last.isoformat()


def period_x(
    ctx: ChartContext,
    field: str = "period_start",
    title: str | None = None,
    domain: list[dict[str, Any]] | None = None,
) -> alt.X:
    """The time axis, in UTC so dates never shift with the viewer's timezone: by quarter
    (`utcyearquarter`) or year (`utcyear`), labelled by year. Half-years, and every period of a
    fiscal year that does not end in December, sit at their first day (Vega-Lite has no
    half-year or fiscal unit: `utcyearmonthdate`); a fiscal calendar's ticks are its fiscal
    years' first days, labelled `FY2024` by the year they end in."""
    import altair as alt

    unit: Any = EXACT_UNIT if exact_dates(ctx) else ctx.words.time_unit
    axis = alt.Axis(format="%Y", labelAngle=0, tickCount="year", labelFlush=True)
    if ctx.year_end_month != CALENDAR_YEAR_END:
        axis = alt.Axis(
            values=fiscal_year_starts(ctx),
            labelAngle=0,
            labelFlush=True,
            labelExpr="'FY' + (utcyear(datum.value) + 1)",
        )
    scale = alt.Scale(type="utc", domain=domain) if domain else alt.Scale(type="utc")
    return alt.X(f"{field}:T", timeUnit=unit, title=title, axis=axis, scale=scale)


def period_bar_x(ctx: ChartContext) -> dict[str, Any]:
    """The x encodings of a bar per period: where periods sit at their first day, the bar runs
    to the period's last (`x2`) instead of a time unit's width."""
    import altair as alt

    if not exact_dates(ctx):
        return {"x": period_x(ctx)}
    starts = [d for d in ctx.frame["period_start"].to_list() if d is not None]
    ends = [d for d in ctx.frame["period_end"].to_list() if d is not None]
    domain = [_datetime(min(starts)), _datetime(max(ends))] if starts and ends else None
    return {"x": period_x(ctx, domain=domain), "x2": alt.X2("period_end:T", timeUnit=EXACT_UNIT)}


def _datetime(day: dt.date) -> dict[str, Any]:
    """A date as a Vega-Lite DateTime in UTC."""
    return {"year": day.year, "month": day.month, "date": day.day, "utc": True}


#: The time unit that keeps a date as it is.
EXACT_UNIT: Final = "utcyearmonthdate"


def exact_dates(ctx: ChartContext) -> bool:
    """Periods no Vega-Lite unit holds: half-years, or a fiscal year not ending in December."""
    return ctx.period_kind == "half" or ctx.year_end_month != CALENDAR_YEAR_END


def fiscal_year_starts(ctx: ChartContext) -> list[dict[str, Any]]:
    """The first days of the fiscal years the chart's periods fall in, as Vega-Lite DateTimes."""
    starts = (
        [d for d in ctx.frame["period_start"].to_list() if d is not None]
        if "period_start" in ctx.frame.columns
        else []
    )
    if not starts:
        return []
    month = ctx.year_end_month
    first, last = (period_of(d, "year", month) for d in (min(starts), max(starts)))
    return [_datetime(Period(year).start(month)) for year in range(first.year, last.year + 1)]


def amount_axis(currency: str, largest: float, title: str) -> alt.Axis:
    """Y axis for amounts in the data's currency and unit (`$120M`)."""
    import altair as alt

    return alt.Axis(labelExpr=fmt.currency_label_expr(currency, largest), title=title, tickCount=6)


def share_axis(title: str) -> alt.Axis:
    import altair as alt

    return alt.Axis(format=".0%", title=title, tickCount=6)


def finish(
    chart: Any, title: str, subtitle: str, sources: list[Any], notes: list[str] | None = None
) -> alt.VConcatChart:
    """Wrap a chart with its title and subtitle on top and the footnote underneath: `notes`
    (the basis and publication date, when they matter), then the sources.

    The one place chart titles are made: each is cut to its limit in `format`."""
    import altair as alt

    lines = [line for note in notes or [] for line in fmt.footnote_lines(note)]
    footnote = alt.TitleParams(
        [*lines, *fmt.source_footnote(sources)],
        orient="bottom",
        anchor="start",
        fontSize=10,
        fontWeight="normal",
        color=COLOURS["muted"],
        offset=14,
    )
    heading = alt.TitleParams(
        fmt.label(title, fmt.TITLE_LIMIT), subtitle=fmt.label(subtitle, fmt.SUBTITLE_LIMIT)
    )
    return alt.vconcat(chart.properties(title=footnote)).properties(title=heading)


def period_label(frame: pl.DataFrame, year_end_month: int = CALENDAR_YEAR_END) -> str:
    """`Q1 2013 – Q3 2021` for a result's first and last period ('' when empty), named as
    `format.format_range` names them; a fiscal year not ending in December says which
    (`H1 FY2022 – H1 FY2025 (fiscal years to 31 March)`)."""
    if not frame.height:
        return ""
    first, last = frame["period"][0], frame["period"][-1]
    return f"{fmt.format_range(first, last, year_end_month)}{fiscal_note(year_end_month)}"


def nothing_to_plot(frame: pl.DataFrame, column: str) -> bool:
    """True when no row of the result has a value in `column`: the chart would be empty."""
    return frame.height == 0 or frame[column].null_count() == frame.height


def at_least(label: str, lower_bound: bool | None) -> str:
    """A value label marked `≥` when it is a lower bound (a group member undisclosed)."""
    return f"≥{label}" if lower_bound and label != fmt.NOT_DISCLOSED else label
