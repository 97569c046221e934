"""The context the dependence charts draw around the share lines: the major-customer threshold,
the partnership periods shaded (`partnerships` query) and dated events (`events` query).

One module for both the one-partner chart (`charts.dependence`) and the compared one
(`charts.dependence_compared`), so the two frame their lines alike.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from analytics.charts import basis, common
from analytics.charts import format as fmt
from analytics.charts.label_lanes import Label, Placed, headroom, place, reserved_px, text_layers
from analytics.charts.registry import ChartContext
from analytics.charts.theme import COLOURS, HEIGHT
from analytics.store.schema import MAJOR_CUSTOMER_SHARE

#: The share at which a customer is a major one: the one the SQL reads (`major_customer_share()`).
MAJOR_CUSTOMER_THRESHOLD = MAJOR_CUSTOMER_SHARE
SHADED_KIND = "strategic_cooperation"


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
        .encode(y="y:Q", x=alt.value({"expr": "width"}), text="label:N")  # the right edge, at any width
    )
    return alt.layer(rule, text)


def shading_layers(ctx: ChartContext) -> list[Any]:
    """Shade the partnership periods (`shading_rows`), each labelled at the bottom."""
    rows = shading_rows(ctx, ctx.fetch("partnerships"))
    return shaded([{**row, "y_px": HEIGHT - 2} for row in rows], opacity=0.55)


def shaded(rows: list[dict[str, Any]], opacity: float) -> list[Any]:
    """A shaded band per row (`start`, `end`, `label`) with its label at `y_px` from the top."""
    import altair as alt

    if not rows:
        return []
    data = common.inline(rows)
    x = alt.X("start:T", scale=alt.Scale(type="utc"))
    rect = (
        alt.Chart(data)
        .mark_rect(color=COLOURS["shading"], opacity=opacity)
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
        .mark_text(align="left", baseline="bottom", dx=4, fontSize=11, color=COLOURS["muted"])
        .encode(x=x, y=alt.Y("y_px:Q", scale=None, axis=None), text="label:N")
    )
    return [rect, text]


def shading_rows(ctx: ChartContext, spans: Any) -> list[dict[str, Any]]:
    """The partnership spans to shade (the strategic cooperation if any, else every one),
    clipped to the periods shown; an open end runs to the last period."""
    domain = common.shown_dates(ctx.frame)
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


@dataclass(frozen=True)
class RuleLabels:
    """The labels of a dependence chart's rules, placed together so none overlaps another:
    event rows (`date`, `label`, `y_px`, `align`), basis changes' places by the period each
    starts (basis.rule_layers), and how far down the plot they reach."""

    events: list[dict[str, Any]]
    bases: dict[str, Placed]
    reserved_px: int


def rule_labels(ctx: ChartContext) -> RuleLabels:
    """Event labels (inside the shown range; one per day, several events joined) and basis-change
    labels, laid out left to right in lanes from the top (label_lanes.place)."""
    domain = common.shown_dates(ctx.frame)
    if domain is None:
        return RuleLabels([], {}, 0)
    by_date: dict[str, list[str]] = {}
    for event in ctx.fetch("events").iter_rows(named=True):
        day = event["event_date"].isoformat()
        if domain[0] <= day <= domain[1]:
            by_date.setdefault(day, []).append(event["label"])
    events: list[dict[str, Any]] = [
        {"date": day, "label": fmt.label(" / ".join(labels))} for day, labels in sorted(by_date.items())
    ]
    changes = basis.changes(ctx.frame, ctx.year_end_month)
    labels = [Label(row["date"], row["label"]) for row in events]
    labels += [Label(change.period_start, change.label, bold=True) for change in changes]
    order = sorted(range(len(labels)), key=lambda i: (labels[i].day, i))
    placed: list[Placed] = [Placed(0, "left")] * len(labels)
    for i, where in zip(order, place([labels[i] for i in order], domain), strict=True):
        placed[i] = where
    for row, where in zip(events, placed, strict=False):
        row |= {"y_px": where.y_px, "align": where.align}
    bases = {change.period: where for change, where in zip(changes, placed[len(events) :], strict=True)}
    return RuleLabels(events, bases, reserved_px(placed))


def share_domain(shares: list[float], reserved: int) -> tuple[float, float]:
    """From 0 (or the lowest share, when one is negative) to above the highest, with room for
    the major-customer threshold, and the highest kept below the rule labels' `reserved`
    pixels: every share plotted lies inside, none under a label (a share may pass 100%)."""
    low = min([0.0, *shares])
    bottom = round(low * 1.15, 2) if low < 0 else 0.0
    highest = max([MAJOR_CUSTOMER_THRESHOLD * 1.5, *shares])
    top = round(highest * 1.15, 2)
    needed = headroom(highest, bottom, reserved, HEIGHT)
    return bottom, top if top >= needed else math.ceil(needed * 100) / 100


def event_layers(labels: RuleLabels) -> list[Any]:
    """A dashed rule per event of `labels`, each labelled in its place."""
    import altair as alt

    if not labels.events:
        return []
    x = alt.X("date:T", scale=alt.Scale(type="utc"))
    rule = (
        alt.Chart(common.inline(labels.events))
        .mark_rule(strokeDash=[2, 3], color=COLOURS["event"])
        .encode(
            x=x,
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%Y-%m-%d"),
                alt.Tooltip("label:N", title="Event"),
            ],
        )
    )
    return [rule, *text_layers(labels.events, x, COLOURS["event"])]
