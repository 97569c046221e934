"""The key figures in words: the rows of the key-figures table, the subtitle of a deck or report,
and the phrases headlines share (`in Q4 2013`, `at least 9.3%`, `not like for like`).

Every figure is spelt by `analytics.charts.format` and every period named by `format_period` in
the company's calendar, so a slide, a report and a chart say the same thing the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts.format import (
    NOT_DISCLOSED,
    format_hhi,
    format_period,
    format_range,
    format_share,
    label,
)
from analytics.periods import CALENDAR_YEAR_END, fiscal_note
from analytics.publish.shares import THRESHOLD, Crossing, ShareAt

if TYPE_CHECKING:
    from analytics.publish.key_figures import KeyFigures


def share_text(share: ShareAt) -> str:
    """`72%`, or in a period with one-offs the exact share without them (`67.9%`)."""
    return format_share(share.share, lower_bound=share.lower_bound, exact=share.one_off is not None)


def when(share: ShareAt, *, ends_sentence: bool = True) -> str:
    """`in 2019`, or with one-offs `in 2021 excluding a one-off $40.0M from Norbridge Labs;
    43.8% including it` (in parentheses when the sentence goes on)."""
    text = f"in {share.period_name}"
    if share.one_off is None:
        return text
    pronoun = "them" if share.one_off.startswith("one-offs") else "it"
    including = (
        format_share(share.share_including_one_offs, exact=True, lower_bound=share.lower_bound)
        + f" including {pronoun}"
    )
    return (
        f"{text} excluding {share.one_off}; {including}"
        if ends_sentence
        else f"{text} excluding {share.one_off} ({including})"
    )


def printed_text(figures: KeyFigures) -> str:
    """`about 85% in 2021` for each share printed only as a percentage (the latest three)."""
    return ", ".join(
        f"about {format_share(share)} in {format_period(period, figures.year_end_month)}"
        for period, share in figures.printed_shares[-3:]
    )


def across_bases(
    first: ShareAt | dict[str, Any], latest: ShareAt | dict[str, Any], year_end_month: int = CALENDAR_YEAR_END
) -> str:
    """` (ASC 605 in Q4 2013, ASC 606 in Q3 2021: not like for like)` when two periods a
    sentence compares are on different bases; '' when on one (or a basis is unknown). A
    ShareAt brings its own calendar; rows are named in `year_end_month`'s."""

    def of(at: ShareAt | dict[str, Any]) -> tuple[str, str | None]:
        if isinstance(at, ShareAt):
            return at.period_name, at.basis
        return format_period(str(at["period"]), year_end_month), at.get("basis")

    (first_period, first_basis), (latest_period, latest_basis) = of(first), of(latest)
    if first_basis is None or latest_basis is None or first_basis == latest_basis:
        return ""
    return (
        f" ({label(first_basis)} in {first_period}, {label(latest_basis)} "
        f"in {latest_period}: not like for like)"
    )


def peak_basis(figures: KeyFigures) -> str:
    """` (ASC 605; the latest share, Q4 2021, is on ASC 606: not like for like)` when the peak
    and the latest share are on different bases, else ''."""
    peak, latest = figures.peak, figures.latest
    if (
        peak is None
        or latest is None
        or peak.basis is None
        or latest.basis is None
        or peak.basis == latest.basis
    ):
        return ""
    return (
        f" ({label(peak.basis)}; the latest share, {latest.period_name}, is on "
        f"{label(latest.basis)}: not like for like)"
    )


def describe_bases(figures: KeyFigures) -> str:
    """`SINA segment Q1 2013 – Q4 2013; ASC 605 Q1 2014 – Q4 2017; ASC 606 Q1 2018 – Q3 2021`,
    '' when the range holds one basis; the chosen basis and publication date when given."""
    parts = []
    if figures.chosen_basis:
        parts.append(f"{label(figures.chosen_basis)} (chosen)")
    elif len(figures.bases) > 1:
        parts.append(
            "; ".join(
                f"{label(run.basis)} {format_range(run.first, run.last, figures.year_end_month)}"
                for run in figures.bases
            )
        )
    if figures.as_of:
        parts.append(f"as published by {figures.as_of.isoformat()}")
    return ", ".join(parts)


def covered(figures: KeyFigures) -> str:
    """`Q1 2013 – Q3 2021`: the first and last period with revenue, in the company's calendar."""
    return format_range(figures.first_period, figures.last_period, figures.year_end_month)


def subtitle(figures: KeyFigures) -> str:
    """`Orchard group: Orchard, Orchard Pay · FY2019 – FY2023 (fiscal years to 31 March) by
    fiscal year · amounts in USD`: what the partner stands for (a group's members), the range
    and its period kind, the currency, and the basis and publication date when chosen
    (`· basis: ASC 605 · as published by 2016-06-30`)."""
    from analytics.charts.subject import words

    titles = [(p.name, p.title) for p in figures.compared] or [(figures.partner, figures.partner_title)]
    scope = "".join(f"{title} · " for name, title in titles if title != name)
    chosen = [
        f"basis: {label(figures.chosen_basis)}" if figures.chosen_basis else "",
        f"as published by {figures.as_of.isoformat()}" if figures.as_of else "",
    ]
    vintage = "".join(f" · {part}" for part in chosen if part)
    return (
        f"{scope}{covered(figures)}{fiscal_note(figures.year_end_month)} "
        f"{words(figures.period_kind).by} · amounts in {figures.currency}{vintage}"
    )


def hhi_text(figures: KeyFigures) -> str:
    """The latest HHI on the 0-10,000 scale, flagged when pools make it a lower bound."""
    return format_hhi(figures.latest_hhi, figures.hhi_is_lower_bound)


def describe_crossing(crossing: Crossing) -> str:
    """`fell below 10% between Q4 2013 (40%) and Q1 2016 (9.3%)`."""
    verb = "fell below" if crossing.direction == "below" else "rose above"
    before, after = crossing.before, crossing.after
    return (
        f"{verb} {format_share(THRESHOLD)} between {before.period_name} "
        f"({format_share(before.share, exact=True, lower_bound=before.lower_bound)}) and "
        f"{after.period_name} "
        f"({format_share(after.share, exact=True, lower_bound=after.lower_bound)})"
        f"{across_bases(before, after)}"
    )


def _at(share: ShareAt | None) -> str:
    return NOT_DISCLOSED if share is None else f"{share_text(share)} {when(share)}"


def _ttm_text(figures: KeyFigures) -> str:
    """The latest TTM share and when (`12% (Q3 2021)`), or why it is left out."""
    if figures.ttm_spans_basis_change:
        return "not disclosed on one basis (twelve months that span a basis change are left out)"
    ttm = format_share(figures.latest_ttm_share, lower_bound=figures.latest_ttm_is_lower_bound)
    if figures.latest_ttm_period is None:
        return ttm
    excluding = "; excluding one-offs" if figures.latest_ttm_excludes_one_offs else ""
    return f"{ttm} ({format_period(figures.latest_ttm_period, figures.year_end_month)}{excluding})"


def _hhi_row(figures: KeyFigures) -> str:
    if figures.latest_hhi_period is None:
        return hhi_text(figures)
    return f"{hhi_text(figures)} in {format_period(figures.latest_hhi_period, figures.year_end_month)}"


def key_figure_rows(figures: KeyFigures) -> list[tuple[str, str]]:
    """The key figures as (label, value) pairs for a table slide or an HTML table."""
    from analytics.charts.subject import TTM_PERIOD_KINDS

    crossings = "; ".join(describe_crossing(c) for c in figures.crossings) or "none"
    rows = [
        ("Period covered", covered(figures)),
        (f"Latest {figures.partner} share of revenue", _at(figures.latest)),
        *([("Shares printed only as a percentage", printed_text(figures))] if figures.printed_shares else []),
        ("Peak share", _at(figures.peak) + peak_basis(figures)),
        (f"{format_share(THRESHOLD)} threshold crossings", crossings),
        ("Latest customer HHI (0–10,000)", _hhi_row(figures)),
    ]
    bases = describe_bases(figures)
    if bases:
        rows.insert(1, ("Accounting basis", bases))
    if figures.period_kind in TTM_PERIOD_KINDS:  # four quarters or two halves; years: none
        rows.insert(4, ("Latest trailing-twelve-month share", _ttm_text(figures)))
    if figures.compared:
        from analytics.publish.compared import key_figure_rows as compared_rows

        return compared_rows(figures, rows)
    if figures.partner_title != figures.partner:
        rows.insert(1, ("Partner", figures.partner_title))
    return rows
