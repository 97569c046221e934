"""The revenue mix chart: each period's revenue by source and counterparty class, as shares.

Classes are the vocabulary's (store/schema.py) in a fixed order, the strategic partner first, so
a class keeps its place and colour from chart to chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts import basis, common
from analytics.charts import format as fmt
from analytics.charts.dependence import dependence_notes
from analytics.charts.registry import ChartContext, chart
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH
from analytics.store.schema import MIXED, RELATED_PARTY, STRATEGIC_PARTNER, THIRD_PARTY

if TYPE_CHECKING:
    from analytics.charts.registry import Sentence
    from analytics.publish.key_figures import Frames, KeyFigures

#: Every counterparty class, in stacking order.
CLASSES = (STRATEGIC_PARTNER, RELATED_PARTY, THIRD_PARTY, MIXED)


def mix_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """`Alibaba was 5.1% of advertising revenue in Q3 2021`; the dependence sentence when the
    partner's stream share is never known."""
    from analytics.publish.headlines import dependence_headline
    from analytics.publish.shares import latest_row

    row = latest_row(frames.dependence, "share_of_stream")
    if row is None:
        return dependence_headline(figures)
    stream = common.name_label(str(row["partner_stream"]))
    noun = stream if stream.lower().endswith(("revenue", "revenues")) else f"{stream} revenue"
    share = fmt.format_share(row["share_of_stream"], lower_bound=bool(row["share_is_lower_bound"]))
    return (
        f"{figures.partner} was {share} of {noun} in "
        f"{fmt.format_period(row['period'], figures.year_end_month)}"
    )


@chart(
    "revenue_mix",
    headline=mix_headline,
    notes=dependence_notes,
    query="revenue_mix",
    columns=(
        "period",
        "period_start",
        "period_end",
        "currency",
        "stream",
        "counterparty_class",
        "amount",
        "share_of_period",
        "source",
    ),
    params=("company", "period_kind", "from_period", "to_period"),
    requires="amount",
)
def revenue_mix(ctx: ChartContext) -> Any:
    """100% stacked revenue mix by source and counterparty class."""
    import altair as alt

    classes = [common.name_label(c) for c in CLASSES]
    words = ctx.words
    bars = (
        alt.Chart(common.inline(_mix_rows(ctx)))
        .mark_bar(stroke="white", strokeWidth=0.7)
        .encode(
            **common.period_bar_x(ctx),
            # stack="zero", not "normalize": Vega normalises by absolute values, which would draw a
            # negative line (investment losses) as a positive slice; here it hangs below 0 and the
            # positive slices reach past 100%, as the figures do.
            y=alt.Y(
                "share_of_period:Q",
                stack="zero",
                axis=common.share_axis(f"Share of the {words.noun}'s revenue"),
            ),
            color=alt.Color(
                "class:N",
                title="Counterparty",
                sort=classes,
                scale=alt.Scale(domain=classes, range=[COLOURS[c] for c in CLASSES]),
            ),
            detail="stream:N",
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=common.text_tooltip(
                ("period", words.noun.capitalize()),
                ("stream", "Source"),
                ("class", "Counterparty"),
                ("amount_label", "Revenue"),
                ("share_label", f"% of {words.noun}"),
            ),
        )
    )
    return common.finish(
        basis.with_rules(bars, ctx).properties(width=WIDTH, height=HEIGHT),
        f"{ctx.company} revenue mix by source and counterparty",
        f"% of each {words.noun}'s revenue "
        f"{common.period_label(ctx.frame, ctx.year_end_month)}, by counterparty class; "
        f"segments are sources ({common.name_label(MIXED)} = not split by counterparty)",
        ctx.frame["source"].to_list(),
        basis.notes(ctx),
    )


def _mix_rows(ctx: ChartContext) -> list[dict[str, Any]]:
    """The query's rows with their class and stream as a reader sees them, the class's
    stacking order (an unknown class last) and labels."""
    currency, largest = common.currency_of(ctx.frame), common.max_abs(ctx.frame, "amount")
    return [
        {
            **row,
            "class": common.name_label(row["counterparty_class"]),
            "stream": common.name_label(row["stream"]),
            "order": CLASSES.index(row["counterparty_class"])
            if row["counterparty_class"] in CLASSES
            else len(CLASSES),
            "amount_label": fmt.format_money(row["amount"], currency, scale=largest),
            "share_label": fmt.format_share(row["share_of_period"], exact=True),
        }
        for row in common.values(ctx.frame)
    ]
