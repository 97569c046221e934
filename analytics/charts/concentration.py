"""Customer concentration over time: HHI and the top counterparty's share of revenue.

Two measures on two axes (HHI 0-10,000 left, share right); where pools hide customers the HHI
is a lower bound and the tooltip says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from analytics.charts import basis, common
from analytics.charts import format as fmt
from analytics.charts.label_lanes import reserved_px, scale_below_labels
from analytics.charts.registry import ChartContext, chart
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH

if TYPE_CHECKING:
    from analytics.charts.registry import Sentence
    from analytics.publish.key_figures import Frames, KeyFigures


def concentration_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """`Largest customer Alibaba: 31% of revenue in Q3 2021; HHI 1,234`."""
    from analytics.publish.key_figure_text import hhi_text
    from analytics.publish.shares import latest_row

    row = latest_row(frames.concentration, "top_share")
    if row is None:
        return f"No counterparty of {figures.company} was disclosed in this range"
    excluding = ""
    if row.get("one_offs_excluded"):
        amount = fmt.format_money(row["one_off_revenue"], figures.currency)
        excluding = f" excluding {fmt.one_off_phrase(amount, row['one_off_counterparties'])}"
    return (
        f"Largest customer {fmt.label(row['top_counterparty'])}: "
        f"{fmt.format_share(row['top_share'])} of revenue in "
        f"{fmt.format_period(row['period'], figures.year_end_month)}{excluding}; "
        f"HHI {hhi_text(figures)}"
    )


def concentration_notes(frames: Frames, figures: KeyFigures) -> list[str]:
    """One line per period with an HHI: the largest customer, its share and the HHI."""
    rows = frames.concentration.filter(frames.concentration["hhi"].is_not_null())
    return [
        f"{fmt.format_period(r['period'], figures.year_end_month)}: largest "
        f"{fmt.label(r['top_counterparty'])} {fmt.format_share(r['top_share'], exact=True)}; "
        f"HHI {fmt.format_hhi(r['hhi'], bool(r['hhi_is_lower_bound']))}"
        for r in rows.sort("period_start").iter_rows(named=True)
    ]


@chart(
    "concentration",
    query="concentration",
    headline=concentration_headline,
    notes=concentration_notes,
    columns=(
        "period",
        "period_start",
        "top_counterparty",
        "top_share",
        "hhi",
        "hhi_is_lower_bound",
        "hhi_above_scale",
        "one_offs_excluded",
        "source",
    ),
    params=("company", "period_kind", "from_period", "to_period"),
)
def concentration(ctx: ChartContext) -> Any:
    """HHI and the top counterparty's share of total revenue per period."""
    import altair as alt

    frame = ctx.frame
    rows = [_with_labels(row) for row in common.values(frame)]
    apart = basis.annotate(rows, frame)  # no line across a basis change
    tooltip = [
        alt.Tooltip("period:N", title=ctx.words.noun.capitalize()),
        alt.Tooltip("top_counterparty:N", title="Top counterparty"),
        alt.Tooltip("top_share_label:N", title="Top share of revenue"),
        alt.Tooltip("hhi_label:N", title="HHI"),
        *basis.tooltip(rows),
    ]
    base = alt.Chart(common.inline(rows)).encode(x=common.period_x(ctx), tooltip=tooltip, **apart)
    places = basis.label_places(ctx)
    hhi_y, share_y = _y_axes(rows, reserved_px(list(places.values())))
    invalid: Final = "break-paths-show-domains"
    hhi = alt.layer(
        base.mark_line(color=COLOURS["total"], invalid=invalid).encode(y=hhi_y),
        base.mark_point(color=COLOURS["total"], invalid=invalid).encode(y=hhi_y),
    )
    share = alt.layer(
        base.mark_line(color=COLOURS["partner"], strokeDash=[5, 3], invalid=invalid).encode(y=share_y),
        base.mark_point(color=COLOURS["partner"], invalid=invalid).encode(y=share_y),
    )
    above = [r for r in rows if r["hhi_above_scale"]]
    if above:  # a share over 100% (negative lines elsewhere): ringed, and said in the subtitle
        hhi = alt.layer(
            hhi,
            alt.Chart(common.inline(above))
            .mark_point(shape="circle", size=260, filled=False, color=COLOURS["negative"], strokeWidth=2)
            .encode(x=common.period_x(ctx), y=hhi_y, tooltip=tooltip),
        )
    body = (
        alt.layer(hhi, share, *basis.rule_layers(ctx, places))
        .resolve_scale(y="independent")
        .properties(width=WIDTH, height=HEIGHT)
    )
    return common.finish(
        body,
        f"{fmt.possessive(ctx.company)} customer concentration",
        _subtitle(ctx, bool(above)),
        frame["source"].to_list(),
        [*_above_scale_notes(ctx, above), *basis.notes(ctx)],
    )


def _y_axes(rows: list[dict[str, Any]], reserved: int) -> tuple[Any, Any]:
    """The HHI's y (left, in the total's colour) and the top share's (right, the partner's),
    each from 0 to above its highest value, which stays below the basis labels' `reserved`
    pixels (and is never cut by the plot's top edge)."""
    import altair as alt

    def scale(column: str) -> Any:
        return scale_below_labels(
            [row[column] for row in rows if isinstance(row.get(column), int | float)], reserved
        )

    hhi_y = alt.Y(
        "hhi:Q",
        title="HHI (0–10,000)",
        scale=scale("hhi"),
        axis=alt.Axis(titleColor=COLOURS["total"], format=",d"),
    )
    share_y = alt.Y(
        "top_share:Q",
        scale=scale("top_share"),
        axis=alt.Axis(
            format=".0%", title="Top counterparty's share", titleColor=COLOURS["partner"], orient="right"
        ),
    )
    return hhi_y, share_y


def _subtitle(ctx: ChartContext, above: bool) -> str:
    """What is drawn, over which periods, and flags: HHI above its scale, one-offs left out."""
    frame = ctx.frame
    excluded = [
        fmt.format_period(period, ctx.year_end_month)
        for period in frame.filter(frame["one_offs_excluded"].fill_null(False))["period"].to_list()
    ]
    flags = "; ringed: HHI over 10,000" if above else ""
    flags += f"; one-offs left out ({', '.join(excluded[:3])})" if excluded else ""
    return (
        "HHI of revenue by customer group (solid, left) and the top customer's % of total "
        f"revenue (dashed, right) "
        f"{common.period_label(frame, ctx.year_end_month)}; gaps = not disclosed{flags}"
    )


def _above_scale_notes(ctx: ChartContext, above: list[dict[str, Any]]) -> list[str]:
    """Why an HHI passes 10,000, for the first three periods where it does."""
    return [
        f"HHI over 10,000 in {fmt.format_period(r['period'], ctx.year_end_month)}: "
        f"{r['top_counterparty']}'s revenue exceeds total "
        "revenue (negative lines elsewhere), a share over 100%"
        for r in above[:3]
    ]


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A period's row plus the texts its tooltip shows (the counterparty as `format.label`)."""
    top = row["top_counterparty"]
    hhi = fmt.format_hhi(row["hhi"], bool(row["hhi_is_lower_bound"]))
    if row["hhi_above_scale"]:
        hhi += " (above 10,000: a customer's revenue exceeds total revenue)"
    excluded = " (one-offs left out)" if row["one_offs_excluded"] else ""
    return {
        **row,
        "top_counterparty": None if top is None else fmt.label(top),
        "top_share_label": fmt.format_share(row["top_share"], exact=True) + excluded,
        "hhi_label": hhi,
    }
