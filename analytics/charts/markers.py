"""Markers the dependence chart sets beside its share lines: the share including one-offs in the
periods that have them (the line excludes them), and shares a filing printed only as percentages.

Both are points of one layer whose shape (and fill) has its own legend, so a reader never takes
a printed percentage or a share inflated by a settlement for a point of the computed line.
"""

from __future__ import annotations

from typing import Any

from analytics.charts import common
from analytics.charts import format as fmt
from analytics.charts.registry import ChartContext
from analytics.charts.theme import COLOURS

INCLUDING = "Including one-offs"
DISCLOSED_TOTAL = "Printed % of total revenue"
SHAPES = {INCLUDING: "diamond", DISCLOSED_TOTAL: "triangle-up"}
STREAM_SHAPE = "square"
LEGEND = {"labelLimit": 360}


def has_one_offs(ctx: ChartContext) -> bool:
    return bool(ctx.frame["has_one_off"].fill_null(False).any())


def one_off_note(ctx: ChartContext) -> str:
    """`; 2021 has a one-off: the line excludes it, ◆ includes it` (the one-off is named beside
    its marker)."""
    periods = [
        fmt.format_period(period, ctx.year_end_month)
        for period in ctx.frame.filter(ctx.frame["has_one_off"].fill_null(False))["period"].to_list()
    ]
    if not periods:
        return ""
    if len(periods) == 1:
        return f"; {periods[0]} has a one-off: the line excludes it, ◆ includes it"
    return (
        f"; {', '.join(periods[:3])}{' ...' if len(periods) > 3 else ''} have one-offs: "
        "the line excludes them, ◆ includes them"
    )


def disclosed_note(ctx: ChartContext) -> str:
    """`; ▲ = shares printed only as percentages` (▲ of total revenue, ■ of the stream)."""
    frame = ctx.frame
    shapes = [
        shape
        for shape, column in (("▲", "disclosed_share_of_total"), ("■", "disclosed_share_of_stream"))
        if frame[column].is_not_null().any()
    ]
    return f"; {' '.join(shapes)} = shares printed only as percentages" if shapes else ""


def _one_off_rows(ctx: ChartContext) -> list[dict[str, Any]]:
    frame, currency = ctx.frame, common.currency_of(ctx.frame)
    largest = common.max_abs(frame, "total_revenue")
    rows = []
    for row in common.values(frame.filter(frame["has_one_off"].fill_null(False))):
        amount = fmt.format_money(row["one_off_revenue"], currency, scale=largest)
        rows.append(
            {
                "period": row["period"],
                "period_start": row["period_start"],
                "marker": INCLUDING,
                "share": row["share_of_total"],
                "share_label": common.at_least(
                    fmt.format_share(row["share_of_total"], exact=True), bool(row["share_is_lower_bound"])
                ),
                "detail": fmt.one_off_phrase(amount, row["one_off_counterparties"]),
                "source": fmt.label(row["source"] or "not recorded", 300),
            }
        )
    return rows


def _disclosed_rows(ctx: ChartContext, stream_marker: str) -> list[dict[str, Any]]:
    rows = []
    for row in common.values(ctx.frame):
        for marker, key in (
            (DISCLOSED_TOTAL, "disclosed_share_of_total"),
            (stream_marker, "disclosed_share_of_stream"),
        ):
            if row[key] is None:
                continue
            precision = row[f"{key}_precision"]
            plus_minus = "" if precision is None else f" (±{precision * 100:g} pt)"
            rows.append(
                {
                    "period": row["period"],
                    "period_start": row["period_start"],
                    "marker": marker,
                    "share": row[key],
                    "share_label": f"{fmt.format_share(row[key], exact=True)}{plus_minus}",
                    "detail": "printed as a percentage, not computed from amounts",
                    "source": fmt.label(row["disclosed_source"] or "not recorded", 300),
                }
            )
    return rows


def marker_values(ctx: ChartContext, stream: str) -> list[float]:
    """Every share a marker plots, for the y scale."""
    rows = _one_off_rows(ctx) + _disclosed_rows(ctx, _stream_marker(stream))
    return [row["share"] for row in rows if row["share"] is not None]


def _stream_marker(stream: str) -> str:
    return f"Printed % of {stream} revenue"


def marker_layers(ctx: ChartContext, stream: str, y: Any) -> list[Any]:
    """The marker points (with their legend) and a text naming each period's one-off."""
    import altair as alt

    stream_marker = _stream_marker(stream)
    rows = [
        row for row in _one_off_rows(ctx) + _disclosed_rows(ctx, stream_marker) if row["share"] is not None
    ]
    if not rows:
        return []
    names = list(dict.fromkeys(row["marker"] for row in rows))
    x = common.period_x(ctx)
    points = (
        alt.Chart(common.inline(rows))
        .mark_point(filled=True, size=110, opacity=0.95, stroke="white", strokeWidth=0.8)
        .encode(
            x=x,
            y=y,
            **_shape_and_fill(names, stream_marker),
            tooltip=[
                alt.Tooltip("period:N", title=ctx.words.noun.capitalize()),
                alt.Tooltip("marker:N", title="Marker"),
                alt.Tooltip("share_label:N", title="Share"),
                alt.Tooltip("detail:N", title="What"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )
    one_offs = [row for row in rows if row["marker"] == INCLUDING]
    if not one_offs:
        return [points]
    text = (
        alt.Chart(common.inline(one_offs))
        .mark_text(align="left", dx=9, dy=10, fontSize=11, color=COLOURS["total"])
        .encode(x=x, y=y, text="detail:N")
    )
    return [points, text]


def _shape_and_fill(names: list[str], stream_marker: str) -> dict[str, Any]:
    """The shape and fill encodings of the markers drawn (`names`, in order), one legend."""
    import altair as alt

    shapes = {**SHAPES, stream_marker: STREAM_SHAPE}
    fills = {
        INCLUDING: COLOURS["total"],
        DISCLOSED_TOTAL: COLOURS["partner"],
        stream_marker: COLOURS["partner_light"],
    }
    return {
        "shape": alt.Shape(
            "marker:N",
            title=None,
            sort=names,
            legend=LEGEND,
            scale=alt.Scale(domain=names, range=[shapes[name] for name in names]),
        ),
        "fill": alt.Fill(
            "marker:N",
            title=None,
            sort=names,
            legend=LEGEND,
            scale=alt.Scale(domain=names, range=[fills[name] for name in names]),
        ),
    }
