"""Native PowerPoint charts for `deck --editable-charts`: each chart's query result as a
python-pptx chart with its data embedded, so analysts restyle it in PowerPoint.

Each registered chart maps to the closest native type: lines for shares and growth rates, stacked
columns for revenue, clustered bars for the growth bridge. An undisclosed value stays a blank
point (a gap), never a zero; a line series is split per accounting basis (`by_basis`), so no
native line joins two periods on different bases either. Several partners compared give one
dependence line per partner (`dependence_compared`), each with its own hollow points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analytics.charts.format import label

if TYPE_CHECKING:
    import polars as pl
    from pptx.slide import Slide

    from analytics.sql.session import DataSource


SHARE_FORMAT, AMOUNT_FORMAT = "0.0%", '#,##0.0,,"M"'
Series = tuple[str, list[float | None]]


@dataclass(frozen=True)
class NativeChart:
    """One slide's chart: its native type, title, categories (periods) and series."""

    kind: str  # line | stacked_column | stacked_column_100 | clustered_bar
    title: str
    categories: list[str]
    series: list[Series]
    number_format: str
    hollow: tuple[int, ...] = ()  # points (category indices) that are lower bounds
    #: per series, its own lower-bound points (in place of `hollow`, which marks every series)
    hollow_by_series: tuple[tuple[int, ...], ...] = ()

    def place(self, slide: Slide, box: tuple[float, float, float, float]) -> None:
        """Add the chart, data embedded, in `box` (inches: left, top, width, height)."""
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.util import Inches, Pt

        # python-pptx's chart data classes carry no type hints
        data = CategoryChartData(number_format=self.number_format)  # type: ignore[no-untyped-call]
        data.categories = self.categories
        for name, values in self.series:
            data.add_series(label(name), values)  # type: ignore[no-untyped-call]
        kind = {
            "line": XL_CHART_TYPE.LINE_MARKERS,
            "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
            "stacked_column_100": XL_CHART_TYPE.COLUMN_STACKED_100,
            "clustered_bar": XL_CHART_TYPE.BAR_CLUSTERED,
        }[self.kind]
        left, top, width, height = (Inches(v) for v in box)
        shapes: Any = slide.shapes  # the stubs type add_chart's data and result too narrowly
        chart = shapes.add_chart(kind, left, top, width, height, data).chart
        chart.has_title = True
        chart.chart_title.text_frame.text = label(self.title)
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        for number, plotted in enumerate(chart.plots[0].series):
            points = self.hollow_by_series[number] if self.hollow_by_series else self.hollow
            for index in points:  # a lower bound: a hollow marker, as in the image charts
                plotted.points[index].marker.format.fill.background()


def native_charts(
    frames: Any, data_dir: DataSource = None, progress: Callable[[str], None] | None = None
) -> dict[str, NativeChart]:
    """Every registered chart with a native form, in registry order, from its own query (the
    deck shows any other chart as an image); the queries share one session (`data_dir` when
    it is one)."""
    from analytics.charts import registry
    from analytics.publish.build import chart_and_frame
    from analytics.sql.session import session

    charts: dict[str, NativeChart] = {}
    with session(data_dir) as opened:
        for name in (name for name in registry.names() if name in NATIVE):
            chart, frame = chart_and_frame(name, data_dir=opened, subject=frames.subject)
            title = _title(chart.to_dict())
            ordered = frame.sort("period_start", maintain_order=True)
            charts[name] = (
                dependence_compared(ordered, title, frames.subject.scopes)
                if name == "partner_dependence" and frames.subject.several
                else NATIVE[name](ordered, title, frames.subject.scope.short)
            )
            if progress is not None:
                progress(name)
    return charts


def _title(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def _periods(frame: pl.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["period"].to_list()))


def _column(frame: pl.DataFrame, column: str) -> list[float | None]:
    import polars as pl

    return frame[column].cast(pl.Float64).to_list()


def _pivot(frame: pl.DataFrame, series_column: str, value: str) -> list[Series]:
    """One series per value of `series_column`, summed per period; absent cells stay blank."""
    import polars as pl

    summed = frame.group_by("period", series_column, maintain_order=True).agg(
        pl.col(value).cast(pl.Float64).sum()
    )
    wide = summed.pivot(
        on=series_column, index="period", values=value, aggregate_function="first", sort_columns=False
    )
    wide = wide.join(pl.DataFrame({"period": _periods(frame)}), on="period", how="right")
    return [(name, wide[name].to_list()) for name in wide.columns if name != "period"]


def by_basis(frame: pl.DataFrame, series: list[Series]) -> list[Series]:
    """Each line series split into one series per run of one accounting basis (`share (ASC
    606)`), blank outside its run, so no line joins two periods on different bases; the series
    as they are when the frame holds one basis."""
    from analytics.charts import basis

    runs = basis.segments(frame)
    if not runs:
        return series
    bases = basis.bases_of(frame)
    periods = frame["period"].to_list()
    split: list[Series] = []
    for name, values in series:
        for run in sorted(set(runs.values())):
            in_run = [period for period in periods if runs.get(period) == run]
            named = next((bases[period] for period in in_run if period in bases), "")
            split.append(
                (
                    f"{name} ({named})" if named else name,
                    [
                        value if runs.get(period) == run else None
                        for period, value in zip(periods, values, strict=True)
                    ],
                )
            )
    return split


def dependence(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    stream = next((s for s in frame["partner_stream"].to_list() if s), "its stream")
    bounds = tuple(i for i, bound in enumerate(frame["share_is_lower_bound"].to_list()) if bound)
    note = " (hollow: at least)" if bounds else ""
    return NativeChart(
        "line",
        title,
        _periods(frame),
        by_basis(
            frame,
            [
                (f"{partner} share of total revenue{note}", _column(frame, "share_of_total")),
                (f"{partner} share of {stream.replace('_', ' ')}{note}", _column(frame, "share_of_stream")),
            ],
        ),
        SHARE_FORMAT,
        bounds,
    )


def dependence_compared(frame: pl.DataFrame, title: str, scopes: tuple[Any, ...]) -> NativeChart:
    """One share-of-total-revenue line per partner (`scopes`, in order), each split per basis
    run and with its own lower bounds hollow."""
    import polars as pl

    series: list[Series] = []
    hollow: list[tuple[int, ...]] = []
    periods = _periods(frame)
    for scope in scopes:
        mine = pl.DataFrame({"period": periods}).join(
            frame.filter(pl.col("partner") == (scope.key or scope.name)),
            on="period",
            how="left",
            maintain_order="left",
        )
        bounds = tuple(i for i, bound in enumerate(mine["share_is_lower_bound"].to_list()) if bound)
        note = " (hollow: at least)" if bounds else ""
        split = by_basis(
            mine, [(f"{scope.short} share of total revenue{note}", _column(mine, "share_of_total"))]
        )
        series += split
        hollow += [bounds] * len(split)
    return NativeChart("line", title, periods, series, SHARE_FORMAT, hollow_by_series=tuple(hollow))


def revenue_by_source(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    import polars as pl

    named = frame.with_columns(
        pl.when(pl.col("portion") != "rest")
        .then(pl.lit(partner))
        .otherwise(pl.col("stream").str.replace_all("_", " "))
        .alias("category")
    )
    return NativeChart(
        "stacked_column", title, _periods(frame), _pivot(named, "category", "amount"), AMOUNT_FORMAT
    )


def partner_vs_rest(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    partner_revenue, total = _column(frame, "partner_revenue"), _column(frame, "total_revenue")
    rest = [
        t - p if t is not None and p is not None else None
        for p, t in zip(partner_revenue, total, strict=True)
    ]
    return NativeChart(
        "stacked_column",
        title,
        _periods(frame),
        [(partner, partner_revenue), ("everyone else", rest)],
        AMOUNT_FORMAT,
    )


def revenue_mix(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    import polars as pl

    named = frame.with_columns(pl.col("counterparty_class").str.replace_all("_", " "))
    return NativeChart(
        "stacked_column_100",
        title,
        _periods(frame),
        _pivot(named, "counterparty_class", "amount"),
        AMOUNT_FORMAT,
    )


def growth_ex_partner(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    return NativeChart(
        "line",
        title,
        _periods(frame),
        by_basis(
            frame,
            [
                ("total revenue, year on year", _column(frame, "total_yoy")),
                (f"excluding {partner}, year on year", _column(frame, "ex_partner_yoy")),
            ],
        ),
        SHARE_FORMAT,
    )


def growth_bridge(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    return NativeChart(
        "clustered_bar",
        title,
        _periods(frame),
        [
            (f"{partner}'s change", _column(frame, "partner_change")),
            ("everyone else's change", _column(frame, "rest_change")),
            ("total change", _column(frame, "total_change")),
        ],
        AMOUNT_FORMAT,
    )


def concentration(frame: pl.DataFrame, title: str, partner: str) -> NativeChart:
    return NativeChart(
        "line",
        title,
        _periods(frame),
        by_basis(frame, [("largest counterparty's share of revenue", _column(frame, "top_share"))]),
        SHARE_FORMAT,
    )


NATIVE: dict[str, Callable[[pl.DataFrame, str, str], NativeChart]] = {
    "partner_dependence": dependence,
    "revenue_by_source": revenue_by_source,
    "partner_vs_rest": partner_vs_rest,
    "revenue_mix": revenue_mix,
    "growth_ex_partner": growth_ex_partner,
    "growth_bridge": growth_bridge,
    "concentration": concentration,
}
