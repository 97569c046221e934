"""The dependence chart for several partners: one share-of-total-revenue line per partner, so a
switch from one partner to another reads at a glance.

Each partner has its colour (`common.partner_colours`, the first the partner colour), a legend
entry and a label at its latest share; gaps stay gaps, a lower bound is a hollow point `≥` on
its own line, and the one-off and printed-percentage markers sit on each partner's line. The
share of each partner's own stream is in the tooltip only: two lines per partner would bury the
switch. Threshold, events and basis rules are as in the one-partner chart (`dependence`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from analytics.charts import basis, common, dependence, markers
from analytics.charts import dependence_layers as context
from analytics.charts import format as fmt
from analytics.charts.registry import ChartContext
from analytics.charts.subject import and_list
from analytics.charts.theme import HEIGHT, WIDTH


def compared(ctx: ChartContext) -> Any:
    """Every partner's share of total revenue, with threshold, partnerships and events."""
    import altair as alt

    names = partner_names(ctx)
    colour = _colour(list(names.values()))
    labels = context.rule_labels(ctx)
    layers = [
        *_shading(ctx),
        context.threshold_layer(),
        *_share_lines(ctx, colour, labels.reserved_px),
        _last_values(ctx, colour),
        *context.event_layers(labels),
        *basis.rule_layers(ctx, labels.bases),
    ]
    body = alt.layer(*[layer for layer in layers if layer is not None]).properties(width=WIDTH, height=HEIGHT)
    shown = [scope.short for scope in ctx.scopes]
    title = f"{fmt.possessive(ctx.company)} revenue dependence on {and_list(shown)}"
    bound = "; hollow ≥ = lower bound (a member undisclosed)" if dependence.has_lower_bounds(ctx) else ""
    groups = "".join(
        f"; {scope.short} = {', '.join(scope.members)}" for scope in ctx.scopes if scope.is_group
    )
    subtitle = (
        f"Each partner's revenue as % of total revenue, {ctx.words.by} "
        f"{common.period_label(ctx.frame, ctx.year_end_month)}; gaps = not disclosed{bound}{groups}"
        f"{markers.one_off_note(_first_partner(ctx))}"
        f"{markers.disclosed_note(_marked(ctx))}"
    )
    return common.finish(
        body,
        title,
        subtitle,
        [*ctx.frame["source"].to_list(), *ctx.frame["disclosed_source"].to_list()],
        basis.notes(ctx),
    )


def partner_names(ctx: ChartContext) -> dict[str, str]:
    """Partner name as stored (the `partner` column) -> as a reader sees it, in order."""
    return {scope.key or scope.name: scope.short for scope in ctx.scopes}


def _colour(shown: list[str], legend: bool = True) -> Any:
    import altair as alt

    return alt.Color(
        "partner:N",
        title=None,
        sort=shown,
        legend=alt.Legend(labelLimit=360) if legend else None,
        scale=alt.Scale(domain=shown, range=common.partner_colours(len(shown))),
    )


def _first_partner(ctx: ChartContext) -> ChartContext:
    """The context with the first partner's rows only: what holds per period (one-offs) once."""
    first = ctx.scopes[0].key or ctx.scopes[0].name
    return dataclasses.replace(ctx, frame=ctx.frame.filter(ctx.frame["partner"] == first))


def _marked(ctx: ChartContext) -> ChartContext:
    """The context for the markers: shares printed as % of a stream left out (no stream line
    is drawn to set them beside)."""
    import polars as pl

    return dataclasses.replace(
        ctx, frame=ctx.frame.with_columns(pl.lit(None, pl.Float64).alias("disclosed_share_of_stream"))
    )


def _rows(ctx: ChartContext) -> list[dict[str, Any]]:
    """One row per partner and period: its share of total revenue excluding one-offs (NULL
    kept: a gap) and, for the tooltip, its share of its own stream and the amounts."""
    frame, currency, names = ctx.frame, common.currency_of(ctx.frame), partner_names(ctx)
    largest = common.max_abs(frame, "total_revenue")
    bounds = dependence.has_lower_bounds(ctx)
    rows = []
    for row in common.values(frame):
        bound = bool(row["share_is_lower_bound"])
        stream = fmt.label((row["partner_stream"] or "its stream").replace("_", " "))
        rows.append(
            {
                "period": row["period"],
                "period_start": row["period_start"],
                "partner": names.get(row["partner"], fmt.label(row["partner"])),
                "share": row["share_of_total_excl_one_offs"],
                "share_label": common.at_least(
                    fmt.format_share(row["share_of_total_excl_one_offs"], exact=True), bound
                ),
                "stream_share_label": common.at_least(
                    fmt.format_share(row["share_of_stream"], exact=True), bound
                )
                + f" of {stream} revenue",
                "partner_revenue": common.at_least(
                    fmt.format_money(row["partner_revenue"], currency, scale=largest), bound
                ),
                "total_revenue": fmt.format_money(row["total_revenue"], currency, scale=largest),
                **({"lower_bound": bound} if bounds else {}),
            }
        )
    return rows


def _share_lines(ctx: ChartContext, colour: Any, reserved_px: int) -> list[Any]:
    import altair as alt

    rows = _rows(ctx)
    apart = basis.annotate(rows, ctx.frame)  # no line across a basis change
    total = "Share of total revenue excl. one-offs" if markers.has_one_offs(ctx) else "Share of total revenue"
    y = alt.Y(
        "share:Q", axis=common.share_axis(total), scale=alt.Scale(domain=list(_y_domain(ctx, reserved_px)))
    )
    base = alt.Chart(common.inline(rows)).encode(
        x=common.period_x(ctx),
        y=y,
        color=colour,
        tooltip=[
            alt.Tooltip("period:N", title=ctx.words.noun.capitalize()),
            alt.Tooltip("partner:N", title="Partner"),
            alt.Tooltip("share_label:N", title="Share of total revenue"),
            alt.Tooltip("stream_share_label:N", title="Share of its stream"),
            alt.Tooltip("partner_revenue:N", title="Partner revenue"),
            alt.Tooltip("total_revenue:N", title="Total revenue"),
            *basis.tooltip(rows),
        ],
        **apart,
    )
    line = base.mark_line(invalid="break-paths-show-domains")
    points = base.mark_point(invalid="break-paths-show-domains")
    extra = _one_text_per_period(markers.marker_layers(_marked(ctx), dependence.usual_stream(ctx), y))
    if not dependence.has_lower_bounds(ctx):
        return [line, points, *extra]
    hollow = base.mark_point(
        invalid="break-paths-show-domains", filled=False, size=90, strokeWidth=2
    ).transform_filter("datum.lower_bound")
    return [line, points.transform_filter("!datum.lower_bound"), hollow, *extra]


def _one_text_per_period(layers: list[Any]) -> list[Any]:
    """The markers' one-off text once per period, beside the highest partner's marker: a
    one-off belongs to the period, and the text repeated per partner would overprint."""
    if len(layers) < 2:
        return layers
    points, text = layers
    highest: dict[str, dict[str, Any]] = {}
    for row in text.data.values:
        kept = highest.get(row["period"])
        if kept is None or (row["share"] or 0) > (kept["share"] or 0):
            highest[row["period"]] = row
    text.data.values = list(highest.values())
    return [points, text]


def _y_domain(ctx: ChartContext, reserved_px: int) -> tuple[float, float]:
    """Every share plotted, lines and markers, inside and below the rule labels."""
    shares = [
        v
        for c in ("share_of_total", "share_of_total_excl_one_offs")
        for v in ctx.frame[c].to_list()
        if v is not None
    ]
    marked = markers.marker_values(_marked(ctx), dependence.usual_stream(ctx))
    return context.share_domain([*shares, *marked], reserved_px)


def _last_values(ctx: ChartContext, colour: Any) -> Any:
    """Each partner's latest disclosed share, labelled in its colour at its last point."""
    import altair as alt

    column, names = "share_of_total_excl_one_offs", partner_names(ctx)
    known = ctx.frame.filter(ctx.frame[column].is_not_null())
    rows = []
    for key, name in names.items():
        mine = known.filter(known["partner"] == key)
        if not mine.height:
            continue
        last = common.values(
            mine.tail(1), ["period", "period_start", column, "share_is_lower_bound", "has_one_off"]
        )[0]
        share = common.at_least(fmt.format_share(last[column], exact=True), last["share_is_lower_bound"])
        excluding = " excl. one-offs" if last["has_one_off"] else ""
        rows.append(
            {
                "period": last["period"],
                "period_start": last["period_start"],
                column: last[column],
                "partner": name,
                "label": f"{name} {share} "
                f"({fmt.format_period(last['period'], ctx.year_end_month)}{excluding})",
            }
        )
    if not rows:
        return None
    return (
        alt.Chart(common.inline(rows))
        .mark_text(align="left", dx=8, dy=-8, fontWeight="bold", fontSize=13)
        .encode(
            x=common.period_x(ctx),
            y=f"{column}:Q",
            text="label:N",
            color=_colour([scope.short for scope in ctx.scopes], legend=False),
        )
    )


def _shading(ctx: ChartContext) -> list[Any]:
    """Each partner's partnership periods, shaded lightly and labelled with its name."""
    rows = []
    for index, scope in enumerate(ctx.scopes):
        spans = ctx.fetch("partnerships", partner=scope.key or scope.name)
        for row in context.shading_rows(ctx, spans):
            rows.append(
                {
                    **row,
                    "partner": scope.short,
                    "y_px": HEIGHT - 2 - 14 * index,
                    "label": f"{row['label']}: {scope.short}",
                }
            )
    return context.shaded(rows, opacity=0.35)
