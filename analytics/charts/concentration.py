"""Customer concentration over time: HHI and the top counterparty's share of revenue.

Two measures on two axes (HHI 0-10,000 left, share right); where pools hide customers the HHI
is a lower bound and the tooltip says so.
"""

from __future__ import annotations

from typing import Any, Final

from analytics.charts import basis, common
from analytics.charts import format as fmt
from analytics.charts.registry import ChartContext, chart
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH


@chart("concentration", query="concentration",
       columns=("period", "period_start", "top_counterparty", "top_share", "hhi",
                "hhi_is_lower_bound", "hhi_above_scale", "one_offs_excluded", "source"),
       params=("company", "period_kind", "from_period", "to_period"))
def concentration(ctx: ChartContext) -> Any:
    """HHI and the top counterparty's share of total revenue per period."""
    import altair as alt

    frame = ctx.frame
    rows = [_with_labels(row) for row in common.values(frame)]
    apart = basis.annotate(rows, frame)  # no line across a basis change
    tooltip = [alt.Tooltip("period:N", title=ctx.words.noun.capitalize()),
               alt.Tooltip("top_counterparty:N", title="Top counterparty"),
               alt.Tooltip("top_share_label:N", title="Top share of revenue"),
               alt.Tooltip("hhi_label:N", title="HHI"), *basis.tooltip(rows)]
    base = alt.Chart(alt.Data(values=rows)).encode(x=common.period_x(ctx),
                                                         tooltip=tooltip, **apart)
    hhi_y = alt.Y("hhi:Q", title="HHI (0–10,000)", scale=alt.Scale(zero=True, nice=True),
                  axis=alt.Axis(titleColor=COLOURS["total"], format=",d"))
    share_y = alt.Y("top_share:Q", scale=alt.Scale(zero=True, nice=True),
                    axis=alt.Axis(format=".0%", title="Top counterparty's share",
                                  titleColor=COLOURS["partner"], orient="right"))
    invalid: Final = "break-paths-show-domains"
    hhi = alt.layer(base.mark_line(color=COLOURS["total"], invalid=invalid).encode(y=hhi_y),
                    base.mark_point(color=COLOURS["total"], invalid=invalid).encode(y=hhi_y))
    share = alt.layer(
        base.mark_line(color=COLOURS["partner"], strokeDash=[5, 3], invalid=invalid).encode(
            y=share_y),
        base.mark_point(color=COLOURS["partner"], invalid=invalid).encode(y=share_y))
    above = [r for r in rows if r["hhi_above_scale"]]
    if above:  # a share over 100% (negative lines elsewhere): ringed, and said in the subtitle
        hhi = alt.layer(hhi, alt.Chart(alt.Data(values=above)).mark_point(
            shape="circle", size=260, filled=False, color=COLOURS["negative"], strokeWidth=2
        ).encode(x=common.period_x(ctx), y=hhi_y, tooltip=tooltip))
    body = alt.layer(hhi, share, *basis.rule_layers(ctx)).resolve_scale(
        y="independent").properties(width=WIDTH, height=HEIGHT)
    excluded = frame.filter(frame["one_offs_excluded"].fill_null(False))["period"].to_list()
    flags = "; ringed: HHI over 10,000" if above else ""
    flags += f"; one-offs left out ({', '.join(excluded[:3])})" if excluded else ""
    over = [f"HHI over 10,000 in {r['period']}: {r['top_counterparty']}'s revenue exceeds total "
            "revenue (negative lines elsewhere), a share over 100%" for r in above[:3]]
    return common.finish(
        body, f"{fmt.possessive(ctx.company)} customer concentration",
        "HHI of revenue by customer group (solid, left) and the top customer's % of total "
        f"revenue (dashed, right) "
        f"{common.period_label(frame, ctx.year_end_month)}; gaps = not disclosed{flags}",
        frame["source"].to_list(), [*over, *basis.notes(ctx)])


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A period's row plus the texts its tooltip shows (the counterparty as `format.label`)."""
    top = row["top_counterparty"]
    hhi = "n/d" if row["hhi"] is None else \
        f"{row['hhi']:,.0f}{' (lower bound)' if row['hhi_is_lower_bound'] else ''}"
    if row["hhi_above_scale"]:
        hhi += " (above 10,000: a customer's revenue exceeds total revenue)"
    excluded = " (one-offs left out)" if row["one_offs_excluded"] else ""
    return {**row, "top_counterparty": None if top is None else fmt.label(top),
            "top_share_label": fmt.format_share(row["top_share"]) + excluded, "hhi_label": hhi}
