"""Growth charts: year-over-year growth with and without the partner, and the growth bridge
(partner change + rest change = total change) as a per-period waterfall. A change from a
partner revenue that is a lower bound is unknown (the query leaves it NULL), never drawn; so is
a change across a basis change (`basis_break`), and the growth lines break at the change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts import basis, common
from analytics.charts import format as fmt
from analytics.charts.label_lanes import Placed, reserved_px, scale_below_labels
from analytics.charts.registry import ChartContext, chart
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH

if TYPE_CHECKING:
    from analytics.charts.registry import Sentence
    from analytics.publish.key_figures import Frames, KeyFigures


def growth_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """`In Q3 2021 revenue excluding Alibaba grew 33% year on year; total revenue grew 30%`,
    never a year-on-year figure across a basis change."""
    from analytics.publish import headlines as words

    row = words.latest_comparable(frames.growth, "ex_partner_yoy")
    later = words.breaks_after(frames.growth, row)
    year_end = figures.year_end_month
    if row is None or row["total_yoy"] is None:
        if later:
            return (
                f"Growth excluding {figures.partner} is not comparable year on year in "
                f"this range{words.not_compared(later, year_end)}"
            )
        return f"Growth excluding {figures.partner} is unknown in this range"
    return words.noted(
        f"In {fmt.format_period(row['period'], year_end)} revenue excluding "
        f"{figures.partner} {words.change_text(row['ex_partner_yoy'])} year on "
        f"year; total revenue {words.change_text(row['total_yoy'])}"
        f"{words.one_offs_in(row, year_end)}",
        words.not_compared(later, year_end),
    )


def bridge_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """`Of $12.0M revenue growth in Q3 2021, Alibaba added $3.0M and the rest added $9.0M`."""
    from analytics.publish import headlines as words

    row = words.latest_comparable(frames.growth, "partner_change")
    later = words.breaks_after(frames.growth, row)
    year_end, partner = figures.year_end_month, fmt.possessive(figures.partner)
    if row is None or row["rest_change"] is None:
        if later:
            return (
                f"The growth bridge needs {partner} revenue a year apart on one basis"
                f"{words.not_compared(later, year_end)}"
            )
        return f"The growth bridge needs {partner} revenue a year apart: not disclosed"
    money = figures.currency
    change = "growth" if row["total_change"] >= 0 else "decline"
    return words.noted(
        f"Of {fmt.format_money(abs(row['total_change']), money)} revenue {change} "
        f"in {fmt.format_period(row['period'], year_end)}, {figures.partner} "
        f"{words.added(row['partner_change'], money)} and the rest "
        f"{words.added(row['rest_change'], money)}{words.one_offs_in(row, year_end)}",
        words.not_compared(later, year_end),
    )


def growth_notes(frames: Frames, figures: KeyFigures) -> list[str]:
    """One line per period compared with a year earlier; a period not compared because the
    year before is on another basis (`basis_break`) says so instead of quoting a change."""
    growth = frames.growth
    shown = growth["total_change"].is_not_null()
    if "basis_break" in growth.columns:
        shown = shown | growth["basis_break"].fill_null(False)
    return [
        _growth_line(row, frames.subject.scope.short, figures)
        for row in growth.filter(shown).sort("period_start").iter_rows(named=True)
    ]


def _growth_line(row: dict[str, Any], partner: str, figures: KeyFigures) -> str:
    year_end, money = figures.year_end_month, figures.currency
    period = fmt.format_period(row["period"], year_end)
    versus = f"{period} vs {fmt.format_period(row['prior_period'], year_end)}"
    if row.get("basis_break"):
        return (
            f"{versus}: not compared, the year before is on another basis "
            f"({fmt.label(row.get('basis') or 'unknown')} in {period})"
        )
    return (
        f"{versus}: total {fmt.format_money(row['total_change'], money)} "
        f"({fmt.format_share(row['total_yoy'], exact=True)}); {partner} "
        f"{fmt.format_money(row['partner_change'], money)}; rest "
        f"{fmt.format_money(row['rest_change'], money)}"
    )


@chart(
    "growth_ex_partner",
    query="growth",
    headline=growth_headline,
    notes=growth_notes,
    columns=("period", "period_start", "currency", "total_yoy", "ex_partner_yoy", "source"),
    requires="total_yoy",
)
def growth_ex_partner(ctx: ChartContext) -> Any:
    """Year-over-year growth of total revenue against revenue excluding the partner."""
    import altair as alt

    frame = ctx.frame
    series = {"total_yoy": "Total revenue", "ex_partner_yoy": f"Excluding {ctx.partner}"}
    rows = _growth_rows(ctx, series)
    names = list(series.values())
    apart = basis.annotate(rows, frame)  # no line across a basis change
    places = basis.label_places(ctx)
    base = alt.Chart(common.inline(rows)).encode(
        x=common.period_x(ctx),
        y=alt.Y(
            "growth:Q", axis=common.share_axis("Year-over-year growth"), scale=_growth_scale(rows, places)
        ),
        color=alt.Color(
            "series:N",
            title=None,
            sort=names,
            scale=alt.Scale(domain=names, range=[COLOURS["total"], COLOURS["rest"]]),
        ),
        tooltip=[
            alt.Tooltip("period:N", title=ctx.words.noun.capitalize()),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("growth_label:N", title="YoY growth"),
            *basis.tooltip(rows),
        ],
        **apart,
    )
    zero = alt.Chart(common.inline([{"y": 0}])).mark_rule(color=COLOURS["threshold"]).encode(y="y:Q")
    body = alt.layer(
        zero,
        base.mark_line(invalid="break-paths-show-domains"),
        base.mark_point(invalid="break-paths-show-domains"),
        *basis.rule_layers(ctx, places),
    ).properties(width=WIDTH, height=HEIGHT)
    return common.finish(
        body,
        f"{ctx.company} revenue growth with and without {ctx.title_partner}",
        f"Year-over-year growth, % of {ctx.words.prior_revenue} "
        f"{common.period_label(frame, ctx.year_end_month)}; "
        "gaps = not disclosed",
        frame["source"].to_list(),
        basis.notes(ctx, year_on_year=True),
    )


def _growth_scale(rows: list[dict[str, Any]], places: dict[str, Placed]) -> Any:
    """Every growth rate drawn below the basis-change labels at `places`."""
    growth = [row["growth"] for row in rows if isinstance(row.get("growth"), int | float)]
    return scale_below_labels(growth, reserved_px(list(places.values())))


def _growth_rows(ctx: ChartContext, series: dict[str, str]) -> list[dict[str, Any]]:
    """Long-format rows: one per period and series (`series`: query column -> its name)."""
    return [
        {
            "period": row["period"],
            "period_start": row["period_start"],
            "series": label,
            "growth": row[key],
            "growth_label": fmt.format_share(row[key], exact=True),
        }
        for row in common.values(ctx.frame)
        for key, label in series.items()
    ]


@chart(
    "growth_bridge",
    query="growth",
    headline=bridge_headline,
    notes=growth_notes,
    columns=(
        "period",
        "period_start",
        "currency",
        "partner_change",
        "rest_change",
        "total_change",
        "reconciles",
        "source",
    ),
    requires="total_change",
)
def growth_bridge(ctx: ChartContext) -> Any:
    """Waterfall per period: the partner's change, then the rest's, ending at the total change."""
    import altair as alt

    frame, currency = ctx.frame, common.currency_of(ctx.frame)
    known = frame.filter(frame["partner_change"].is_not_null() & frame["rest_change"].is_not_null())
    largest = max(common.max_abs(known, "partner_change", "rest_change", "total_change"), 1.0)
    steps = [step for row in common.values(known) for step in _steps(row, ctx.partner)]
    for step in steps:
        step["amount_label"] = fmt.format_money(step["change"], currency, scale=largest)
    names = [f"{ctx.partner} change", "Rest change", "Total change"]
    noun = ctx.words.noun.capitalize()
    base = alt.Chart(common.inline(steps)).encode(
        x=alt.X("period:N", title=f"{noun} (vs {ctx.words.prior})", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("step:N", sort=names),
        color=alt.Color(
            "step:N",
            title=None,
            sort=names,
            scale=alt.Scale(domain=names, range=[COLOURS["partner"], COLOURS["rest"], COLOURS["total"]]),
        ),
        tooltip=[
            alt.Tooltip("period:N", title=noun),
            alt.Tooltip("step:N", title="Step"),
            alt.Tooltip("amount_label:N", title="Change"),
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y("start:Q", axis=common.amount_axis(currency, largest, "Change in revenue")), y2="end:Q"
    )
    zero = alt.Chart(common.inline([{"y": 0}])).mark_rule(color=COLOURS["threshold"]).encode(y="y:Q")
    labels = base.mark_text(dy=-6, fontSize=11).encode(y="top:Q", text="amount_label:N")
    body = alt.layer(zero, bars, labels).properties(width=WIDTH, height=HEIGHT)
    return common.finish(
        body,
        f"What drove {fmt.possessive(ctx.company)} revenue growth: {ctx.title_partner} vs the rest",
        f"Year-over-year change in total revenue ({currency}) = {fmt.possessive(ctx.partner)} change + the "
        f"rest's change; {ctx.words.noun}s where the partner's revenue is known in both years",
        frame["source"].to_list(),
        basis.notes(ctx, year_on_year=True),
    )


def _steps(row: dict[str, Any], partner: str) -> list[dict[str, Any]]:
    """Floating bars of the waterfall: each starts where the previous ended."""
    partner_change, rest_change = row["partner_change"], row["rest_change"]
    total = partner_change + rest_change
    base = {"period": row["period"], "period_start": row["period_start"]}
    parts = [
        (f"{partner} change", 0.0, partner_change, partner_change),
        ("Rest change", partner_change, total, rest_change),
        ("Total change", 0.0, total, total),
    ]
    return [
        {**base, "step": step, "start": start, "end": end, "change": change, "top": max(start, end)}
        for step, start, end, change in parts
    ]
