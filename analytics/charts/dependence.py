"""The headline chart: the partner's share of total revenue per period, in context.

Around the share line sit the 10% major-customer threshold, the partnership period shaded from
the `partnerships` query and dated events from the `events` query (`charts.dependence_layers`);
undisclosed periods are gaps, and a share that is a lower bound (a group member undisclosed) is
a hollow point labelled `≥`. The total-revenue line leaves one-offs out (a diamond marks the
share including them), and shares printed only as percentages are their own markers
(`charts.markers`). The y scale spans every value, so a share above 100% or below 0 is drawn,
never clipped. The lines break where the accounting basis changes, at a labelled rule
(`charts.basis`). Given several partners, it draws one share line per partner
(`charts.dependence_compared`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts import basis, common, markers
from analytics.charts import dependence_layers as context
from analytics.charts import format as fmt
from analytics.charts.registry import ChartContext, chart
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH

if TYPE_CHECKING:
    from analytics.charts.registry import Sentence
    from analytics.publish.key_figures import Frames, KeyFigures


def dependence_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """The share's course from the first to the latest period; several partners: who led when."""
    from analytics.publish import compared, headlines

    return compared.headline(figures) if figures.compared else headlines.dependence_headline(figures)


def dependence_notes(frames: Frames, figures: KeyFigures) -> list[str]:
    """One line per disclosed period (and partner, when several are compared): the amounts, the
    share and the source; each names its basis when the range holds several."""
    from analytics.publish.shares import basis_runs

    shown = frames.dependence if frames.compared is None else frames.compared
    rows = shown.filter(shown["share_of_total"].is_not_null())
    names = {
        key: scope.short for key, scope in zip(frames.subject.partners, frames.subject.scopes, strict=True)
    }
    several = len(basis_runs(frames.dependence)) > 1
    return [
        _note_line(row, names.get(str(row.get("partner")), frames.subject.scope.short), figures, several)
        for row in rows.sort("period_start", maintain_order=True).iter_rows(named=True)
    ]


def _note_line(row: dict[str, Any], partner: str, figures: KeyFigures, several: bool) -> str:
    """`Q4 2013: Alibaba $28.5M of $71.4M (39.9%). Source: ...` (`at least` for a lower bound)."""
    bound, money = bool(row.get("share_is_lower_bound")), figures.currency
    basis_name = f", {fmt.label(row['basis'])}" if several and row.get("basis") else ""
    return (
        f"{fmt.format_period(row['period'], figures.year_end_month)}: {partner} "
        f"{fmt.format_money(row['partner_revenue'], money, lower_bound=bound)} of "
        f"{fmt.format_money(row['total_revenue'], money)} "
        f"({fmt.format_share(row['share_of_total'], exact=True, lower_bound=bound)})"
        f"{basis_name}. Source: {row['source']}"
    )


@chart(
    "partner_dependence",
    query="partner_dependence",
    several_partners=True,
    headline=dependence_headline,
    notes=dependence_notes,
    columns=(
        "period",
        "period_start",
        "period_end",
        "currency",
        "partner",
        "partner_revenue",
        "total_revenue",
        "share_of_total",
        "partner_stream",
        "share_of_stream",
        "share_is_lower_bound",
        "share_of_total_excl_one_offs",
        "has_one_off",
        "one_off_revenue",
        "one_off_counterparties",
        "disclosed_share_of_total",
        "disclosed_share_of_stream",
        "disclosed_share_of_total_precision",
        "disclosed_share_of_stream_precision",
        "disclosed_source",
        "source",
    ),
)
def partner_dependence(ctx: ChartContext) -> Any:
    """The partner's share of total revenue and of its own stream, with threshold and events
    (several partners: each one's share of total revenue)."""
    import altair as alt

    if len(ctx.scopes) > 1:
        from analytics.charts.dependence_compared import compared

        return compared(ctx)
    frame = ctx.frame
    labels = context.rule_labels(ctx)
    layers = [
        *context.shading_layers(ctx),
        context.threshold_layer(),
        *_share_lines(ctx, labels.reserved_px),
        _last_value(ctx),
        *context.event_layers(labels),
        *basis.rule_layers(ctx, labels.bases),
    ]
    body = alt.layer(*[layer for layer in layers if layer is not None]).properties(width=WIDTH, height=HEIGHT)
    title = f"{fmt.possessive(ctx.company)} revenue dependence on {ctx.title_partner}"
    bound = "; hollow ≥ = lower bound (a member undisclosed)" if has_lower_bounds(ctx) else ""
    subtitle = (
        f"{ctx.partner} revenue as % of total revenue, {ctx.words.by} "
        f"{common.period_label(frame, ctx.year_end_month)}; gaps = not disclosed{bound}"
        f"{markers.one_off_note(ctx)}{markers.disclosed_note(ctx)}"
    )
    return common.finish(
        body,
        title,
        subtitle,
        [*frame["source"].to_list(), *frame["disclosed_source"].to_list()],
        basis.notes(ctx),
    )


def has_lower_bounds(ctx: ChartContext) -> bool:
    return bool(ctx.frame["share_is_lower_bound"].fill_null(False).any())


def usual_stream(ctx: ChartContext) -> str:
    """The partner's usual stream as a reader sees it (`advertising`)."""
    streams = [s for s in ctx.frame["partner_stream"].to_list() if s]
    stream = fmt.label(max(set(streams), key=streams.count) if streams else "its stream")
    return stream.replace("_", " ")


def _series(ctx: ChartContext) -> list[dict[str, Any]]:
    """Long-format rows: one per quarter and series, NULL share kept as null (a gap). The
    total-revenue series excludes one-offs (the same as the share where a period has none)."""
    frame, currency = ctx.frame, common.currency_of(ctx.frame)
    largest = common.max_abs(frame, "total_revenue")
    stream = usual_stream(ctx)
    total_series = "% of total revenue excl. one-offs" if markers.has_one_offs(ctx) else "% of total revenue"
    bounds = has_lower_bounds(ctx)
    rows = []
    for row in common.values(frame):
        bound = bool(row["share_is_lower_bound"])
        for series, key in (
            (total_series, "share_of_total_excl_one_offs"),
            (f"% of {stream} revenue", "share_of_stream"),
        ):
            partner_revenue = fmt.format_money(row["partner_revenue"], currency, scale=largest)
            rows.append(
                {
                    "period": row["period"],
                    "period_start": row["period_start"],
                    "partner": ctx.partner,
                    "series": series,
                    "share": row[key],
                    "share_label": common.at_least(fmt.format_share(row[key], exact=True), bound),
                    "partner_revenue": common.at_least(partner_revenue, bound),
                    "total_revenue": fmt.format_money(row["total_revenue"], currency, scale=largest),
                    **({"lower_bound": bound} if bounds else {}),
                }
            )
    return rows


def _share_lines(ctx: ChartContext, reserved_px: int) -> list[Any]:
    import altair as alt

    rows = _series(ctx)
    apart = basis.annotate(rows, ctx.frame)  # no line across a basis change
    series_names = list(dict.fromkeys(r["series"] for r in rows)) or ["% of total revenue"]
    colour = alt.Color(
        "series:N",
        title=None,
        sort=series_names,
        legend=alt.Legend(labelLimit=360),
        scale=alt.Scale(domain=series_names, range=[COLOURS["partner"], COLOURS["partner_light"]]),
    )
    y = alt.Y(
        "share:Q",
        axis=common.share_axis("Share of revenue"),
        scale=alt.Scale(domain=list(_y_domain(ctx, reserved_px))),
    )
    base = alt.Chart(common.inline(rows)).encode(
        x=common.period_x(ctx),
        y=y,
        color=colour,
        tooltip=[
            alt.Tooltip("period:N", title=ctx.words.noun.capitalize()),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("share_label:N", title="Share"),
            alt.Tooltip("partner:N", title="Partner"),
            alt.Tooltip("partner_revenue:N", title="Partner revenue"),
            alt.Tooltip("total_revenue:N", title="Total revenue"),
            *basis.tooltip(rows),
        ],
        **apart,
    )
    line = base.mark_line(invalid="break-paths-show-domains")
    points = base.mark_point(invalid="break-paths-show-domains")
    extra = markers.marker_layers(ctx, usual_stream(ctx), y)
    if not has_lower_bounds(ctx):
        return [line, points, *extra]
    hollow = base.mark_point(
        invalid="break-paths-show-domains", filled=False, size=90, strokeWidth=2
    ).transform_filter("datum.lower_bound")
    return [line, points.transform_filter("!datum.lower_bound"), hollow, *extra]


def _y_domain(ctx: ChartContext, reserved_px: int) -> tuple[float, float]:
    """Every share plotted, lines and markers, inside and below the rule labels."""
    shares = [
        v
        for c in ("share_of_total", "share_of_stream", "share_of_total_excl_one_offs")
        for v in ctx.frame[c].to_list()
        if v is not None
    ]
    return context.share_domain([*shares, *markers.marker_values(ctx, usual_stream(ctx))], reserved_px)


def _last_value(ctx: ChartContext) -> Any:
    """Label the latest disclosed share so the slide reads without the axis."""
    import altair as alt

    column = "share_of_total_excl_one_offs"
    known = ctx.frame.filter(ctx.frame[column].is_not_null())
    if not known.height:
        return None
    last = common.values(
        known.tail(1), ["period", "period_start", column, "share_is_lower_bound", "has_one_off"]
    )[0]
    share = common.at_least(fmt.format_share(last[column], exact=True), last.pop("share_is_lower_bound"))
    excluding = " excl. one-offs" if last.pop("has_one_off") else ""
    last["label"] = f"{share} ({fmt.format_period(last['period'], ctx.year_end_month)}{excluding})"
    return (
        alt.Chart(common.inline([last]))
        .mark_text(
            align="left",
            dx=8,
            dy=-8,
            fontWeight="bold",
            color=COLOURS["partner"],
            fontSize=13,
        )
        .encode(x=common.period_x(ctx), y=f"{column}:Q", text="label:N")
    )
