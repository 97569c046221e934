"""Revenue level charts: by source with the partner split out, and the partner against the rest
(the mix by counterparty class is `charts.revenue_mix`). Amount axes use the data's currency and
unit; a labelled rule marks the first period on a new accounting basis (`charts.basis`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts import basis, common
from analytics.charts import format as fmt
from analytics.charts.dependence import dependence_notes
from analytics.charts.registry import ChartContext, chart
from analytics.charts.theme import COLOURS, HEIGHT, WIDTH, stream_colour
from analytics.store.schema import UNATTRIBUTED

if TYPE_CHECKING:
    from analytics.charts.registry import Sentence
    from analytics.publish.key_figures import Frames, KeyFigures

NOT_SPLIT = "total (partner not disclosed)"
ONE_OFF = "one-offs"
EVERYONE_ELSE = "everyone else"


def source_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """`Alibaba brought $20.8M of $607.4M revenue in Q3 2021` (and the one-offs it includes)."""
    from analytics.publish.headlines import not_disclosed_here

    latest = figures.latest
    if latest is None:
        return not_disclosed_here(figures)
    brought = fmt.format_money(latest.partner_revenue, figures.currency, lower_bound=latest.lower_bound)
    including = f", which includes {latest.one_off}" if latest.one_off else ""
    return (
        f"{figures.partner} brought {brought} of "
        f"{fmt.format_money(latest.total_revenue, figures.currency)} revenue in "
        f"{latest.period_name}{including}"
    )


@chart(
    "revenue_by_source",
    headline=source_headline,
    notes=dependence_notes,
    query="revenue_by_source",
    columns=(
        "period",
        "period_start",
        "period_end",
        "currency",
        "stream",
        "portion",
        "one_off",
        "partner_is_lower_bound",
        "amount",
        "total_revenue",
        "share_of_total",
        "source",
    ),
    requires="amount",
)
def revenue_by_source(ctx: ChartContext) -> Any:
    """Stacked quarterly revenue by source, the partner's portion in the partner's colour;
    one-offs in a colour of their own, a partner portion that is a lower bound lightly filled.
    Negative lines (losses) stack below zero."""
    import altair as alt

    currency, largest = common.currency_of(ctx.frame), common.max_abs(ctx.frame, "total_revenue")
    categories, colours = _source_categories(ctx)
    rows = _source_rows(ctx, categories, currency, largest)
    bounds = any(row["lower_bound"] for row in rows)
    encoding: dict[str, Any] = {}
    if bounds:  # a lower bound is lightly filled, as in partner_vs_rest
        encoding["fillOpacity"] = alt.condition("datum.lower_bound", alt.value(0.35), alt.value(1.0))
    words = ctx.words
    bars = (
        alt.Chart(common.inline(rows))
        .mark_bar()
        .encode(
            **encoding,
            **common.period_bar_x(ctx),
            y=alt.Y("sum(amount):Q", axis=common.amount_axis(currency, largest, "Revenue")),
            color=alt.Color(
                "category:N", title=None, sort=categories, scale=alt.Scale(domain=categories, range=colours)
            ),
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=common.text_tooltip(
                ("period", words.noun.capitalize()),
                ("category", "Source"),
                ("amount_label", "Revenue"),
                ("share_label", "% of total revenue"),
            ),
        )
    )
    return common.finish(
        basis.with_rules(bars, ctx).properties(width=WIDTH, height=HEIGHT),
        f"{ctx.company} revenue by source, with {_possessive(ctx.title_partner)} portion",
        _source_subtitle(ctx, currency, bounds),
        ctx.frame["source"].to_list(),
        basis.notes(ctx),
    )


def _has_one_offs(ctx: ChartContext) -> bool:
    return bool(ctx.frame["one_off"].fill_null(False).any())


def _source_categories(ctx: ChartContext) -> tuple[list[str], list[str]]:
    """The stacked categories in order, with their colours: the partner, each recurring
    stream, the unattributed rest, then the one-offs when there are any."""
    frame = ctx.frame
    recurring = frame.filter(~frame["one_off"].fill_null(False))
    streams = list(dict.fromkeys(s for s in recurring["stream"].to_list() if s != UNATTRIBUTED))
    one_offs = _has_one_offs(ctx)
    categories = [
        ctx.partner,
        *[common.name_label(s) for s in streams],
        common.name_label(UNATTRIBUTED),
        *([ONE_OFF] if one_offs else []),
    ]
    colours = [
        COLOURS["partner"],
        *[stream_colour(s, i) for i, s in enumerate(streams)],
        COLOURS[UNATTRIBUTED],
        *([COLOURS["one_off"]] if one_offs else []),
    ]
    return categories, colours


def _source_rows(
    ctx: ChartContext, categories: list[str], currency: str, largest: float
) -> list[dict[str, Any]]:
    """The query's rows with their category, stacking order and labels; only the partner's
    portion can be a lower bound (`≥`)."""
    rows = []
    for row in common.values(ctx.frame):
        category = (
            ONE_OFF
            if row["one_off"]
            else ctx.partner
            if row["portion"] != "rest"
            else common.name_label(row["stream"])
        )
        bound = bool(row["partner_is_lower_bound"]) and category == ctx.partner
        amount = fmt.format_money(row["amount"], currency, scale=largest)
        rows.append(
            {
                **row,
                "category": category,
                "order": categories.index(category),
                "lower_bound": bound,
                "amount_label": common.at_least(amount, bound),
                "share_label": common.at_least(fmt.format_share(row["share_of_total"], exact=True), bound),
            }
        )
    return rows


def _source_subtitle(ctx: ChartContext, currency: str, bounds: bool) -> str:
    return (
        f"{ctx.words.adjective} revenue ({currency}) stacked by source "
        f"{common.period_label(ctx.frame, ctx.year_end_month)}; "
        f"{common.name_label(UNATTRIBUTED)} = part of total revenue no source explains"
        + ("; light = lower bound (≥: a member undisclosed)" if bounds else "")
        + ("; one-offs apart" if _has_one_offs(ctx) else "")
    )


def _possessive(name: str) -> str:
    """`Alibaba's`; a group's title keeps its members after the possessive:
    `Orchard group: Orchard Retail, Orchard Pay` becomes `Orchard group's (Orchard Retail, ...)`."""
    if ": " in name:
        short, members = name.split(": ", 1)
        return f"{fmt.possessive(short)} ({members})"
    return fmt.possessive(name)


def rest_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """From the first to the latest exact share: revenue excluding a lower bound is unknown."""
    from analytics.publish.headlines import noted
    from analytics.publish.key_figure_text import across_bases
    from analytics.publish.key_figures import known_shares

    exact = [share for share in known_shares(frames) if not share.lower_bound]
    if not exact:
        return f"Revenue excluding {figures.partner} is unknown in this range"
    first, latest = exact[0], exact[-1]
    before = first.total_revenue - first.partner_revenue
    after = latest.total_revenue - latest.partner_revenue
    verb = "grew" if after >= before else "shrank"
    first_one_off = f" (including {first.one_off})" if first.one_off else ""
    latest_one_off = f", including {latest.one_off}" if latest.one_off else ""
    money = figures.currency
    return noted(
        f"Revenue excluding {figures.partner} {verb} from "
        f"{fmt.format_money(before, money)} in {first.period_name}{first_one_off} to "
        f"{fmt.format_money(after, money)} in {latest.period_name}{latest_one_off}",
        across_bases(first, latest),
    )


@chart(
    "partner_vs_rest",
    headline=rest_headline,
    notes=dependence_notes,
    query="partner_dependence",
    columns=(
        "period",
        "period_start",
        "period_end",
        "currency",
        "partner_revenue",
        "total_revenue",
        "share_of_total",
        "share_is_lower_bound",
        "source",
    ),
)
def partner_vs_rest(ctx: ChartContext) -> Any:
    """The partner's revenue against everyone else's; quarters without a split show the total."""
    import altair as alt

    frame, currency = ctx.frame, common.currency_of(ctx.frame)
    categories = [ctx.partner, EVERYONE_ELSE, NOT_SPLIT]
    largest = common.max_abs(frame, "total_revenue")
    bounds = bool(frame["share_is_lower_bound"].fill_null(False).any())
    rows = _rest_rows(ctx, categories, currency, largest, bounds)
    encoding: dict[str, Any] = {}
    if bounds:  # a lower bound is a hollow bar: outlined, lightly filled
        encoding["fillOpacity"] = alt.condition("datum.lower_bound", alt.value(0.25), alt.value(1.0))
    words = ctx.words
    outline: dict[str, Any] = {"stroke": COLOURS["partner"], "strokeWidth": 1} if bounds else {}
    bars = (
        alt.Chart(common.inline(rows))
        .mark_bar(**outline)
        .encode(
            **common.period_bar_x(ctx),
            y=alt.Y("amount:Q", stack="zero", axis=common.amount_axis(currency, largest, "Revenue")),
            color=alt.Color(
                "category:N",
                title=None,
                sort=categories,
                scale=alt.Scale(
                    domain=categories, range=[COLOURS["partner"], COLOURS["rest"], COLOURS[UNATTRIBUTED]]
                ),
            ),
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=common.text_tooltip(
                ("period", words.noun.capitalize()), ("category", "Revenue from"), ("amount_label", "Revenue")
            ),
            **encoding,
        )
    )
    bound = "; hollow = lower bound (≥: a member undisclosed)" if bounds else ""
    return common.finish(
        basis.with_rules(bars, ctx).properties(width=WIDTH, height=HEIGHT),
        f"{ctx.title_partner} vs everyone else in {fmt.possessive(ctx.company)} revenue",
        f"{words.adjective} revenue ({currency}) "
        f"{common.period_label(frame, ctx.year_end_month)}: {ctx.partner} "
        f"and the rest of total revenue; grey where the split was not disclosed{bound}",
        frame["source"].to_list(),
        basis.notes(ctx),
    )


def _rest_rows(
    ctx: ChartContext, categories: list[str], currency: str, largest: float, bounds: bool
) -> list[dict[str, Any]]:
    """The partner's and everyone else's amount per period (the total where it was not split),
    labelled `≥`/`≤` where the partner's is a lower bound."""
    rows = [part for row in common.values(ctx.frame) for part in _split(row, ctx.partner)]
    for row in rows:
        bound = row.pop("lower_bound")
        mark = ("≥" if row["category"] == ctx.partner else "≤") if bound else ""
        row["amount_label"] = mark + fmt.format_money(row["amount"], currency, scale=largest)
        row["order"] = categories.index(row["category"])
        if bounds:
            row["lower_bound"] = bound
    return rows


def _split(row: dict[str, Any], partner: str) -> list[dict[str, Any]]:
    base = {
        "period": row["period"],
        "period_start": row["period_start"],
        "lower_bound": bool(row["share_is_lower_bound"]),
    }
    total, partner_amount = row["total_revenue"], row["partner_revenue"]
    if total is None:
        return []
    if partner_amount is None:
        return [{**base, "category": NOT_SPLIT, "amount": total}]
    return [
        {**base, "category": partner, "amount": partner_amount},
        {**base, "category": EVERYONE_ELSE, "amount": total - partner_amount},
    ]
