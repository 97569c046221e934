"""The context the dependence charts draw around the share lines: the major-customer threshold,
the partnership periods shaded (`partnerships` query) and dated events (`events` query).

One module for both the one-partner chart (`charts.dependence`) and the compared one
(`charts.dependence_compared`), so the two frame their lines alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from analytics.charts import common
from analytics.charts import format as fmt
from analytics.charts.registry import ChartContext
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH
from analytics.store.schema import MAJOR_CUSTOMER_SHARE

#: The share at which a customer is a major one: the one the SQL reads (`major_customer_share()`).
MAJOR_CUSTOMER_THRESHOLD = MAJOR_CUSTOMER_SHARE
SHADED_KIND = "strategic_cooperation"
#: Basis-change labels sit below the three staggered rows of event labels.
BASIS_LABEL_TOP = 4 + 15 * 3


def threshold_layer() -> Any:
    """A dashed rule at the major-customer share, labelled at the right."""
    import altair as alt

    data = common.inline(
        [{"y": MAJOR_CUSTOMER_THRESHOLD, "label": f"{MAJOR_CUSTOMER_THRESHOLD:.0%} major-customer threshold"}]
    )
    rule = alt.Chart(data).mark_rule(strokeDash=[6, 4], color=COLOURS["threshold"]).encode(y="y:Q")
    text = (
        alt.Chart(data)
        .mark_text(align="right", baseline="bottom", dy=-3, dx=-2, color=COLOURS["threshold"], fontSize=11)
        .encode(y="y:Q", x=alt.value(WIDTH), text="label:N")
    )
    return alt.layer(rule, text)


def shown_dates(ctx: ChartContext) -> tuple[str, str] | None:
    """The first period's start and the last period's end (ISO), None when nothing is shown."""
    if not ctx.frame.height:
        return None
    return (ctx.frame["period_start"][0].isoformat(), ctx.frame["period_end"][-1].isoformat())


def shading_layers(ctx: ChartContext) -> list[Any]:
    """Shade the partnership periods (`shading_rows`), each labelled at the bottom."""
    import altair as alt

    rows = shading_rows(ctx, ctx.fetch("partnerships"))
    if not rows:
        return []
    data = common.inline(rows)
    x = alt.X("start:T", scale=alt.Scale(type="utc"))
    rect = (
        alt.Chart(data)
        .mark_rect(color=COLOURS["shading"], opacity=0.55)
        .encode(
            x=x,
            x2="end:T",
            tooltip=[
                alt.Tooltip("label:N", title="Partnership"),
                alt.Tooltip("start:T", title="From", format="%Y-%m-%d"),
                alt.Tooltip("end:T", title="To", format="%Y-%m-%d"),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", baseline="bottom", dx=4, y=HEIGHT - 2, color=COLOURS["muted"], fontSize=11)
        .encode(x=x, text="label:N")
    )
    return [rect, text]


def shading_rows(ctx: ChartContext, spans: Any) -> list[dict[str, Any]]:
    """The partnership spans to shade (the strategic cooperation if any, else every one),
    clipped to the periods shown; an open end runs to the last period."""
    domain = shown_dates(ctx)
    if domain is None:
        return []
    if SHADED_KIND in spans["kind"].to_list():
        spans = spans.filter(spans["kind"] == SHADED_KIND)
    rows = []
    for span in spans.iter_rows(named=True):
        start = max(span["start_date"].isoformat(), domain[0])
        end = min((span["end_date"] or dt.date.max).isoformat(), domain[1])
        if start < end:
            kind = fmt.label(span["kind"].replace("_", " "))
            rows.append({"start": start, "end": end, "kind": kind, "label": kind.capitalize()})
    return rows


def event_layers(ctx: ChartContext) -> list[Any]:
    """A dashed rule per dated event inside the shown range, labels staggered to avoid overlap."""
    import altair as alt

    domain = shown_dates(ctx)
    if domain is None:
        return []
    events = ctx.fetch("events")
    by_date: dict[str, list[str]] = {}
    for event in events.iter_rows(named=True):
        day = event["event_date"].isoformat()
        if domain[0] <= day <= domain[1]:
            by_date.setdefault(day, []).append(event["label"])
    rows = [
        {"date": day, "label": fmt.label(" / ".join(labels)), "y_px": 4 + 15 * (index % 3)}
        for index, (day, labels) in enumerate(sorted(by_date.items()))
    ]
    if not rows:
        return []
    data = common.inline(rows)
    x = alt.X("date:T", scale=alt.Scale(type="utc"))
    rule = (
        alt.Chart(data)
        .mark_rule(strokeDash=[2, 3], color=COLOURS["event"])
        .encode(
            x=x,
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%Y-%m-%d"),
                alt.Tooltip("label:N", title="Event"),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", baseline="top", dx=4, color=COLOURS["event"], fontSize=11)
        .encode(x=x, y=alt.Y("y_px:Q", scale=None, axis=None), text="label:N")
    )
    return [rule, text]
