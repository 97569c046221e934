"""What chart headlines share, worded from the key figures: the dependence sentence (the
partner's share from the first to the latest period), two shares told apart, the year-on-year
row to quote, and the words for a change; each chart's own headline is its registry entry's.

A lower bound (a group member undisclosed) is always worded `at least`, and a direction
(rose, fell) is stated only when the bounds imply it; a share in a period with one-offs is stated
without them and says so (`excluding a one-off $40.0M from Norbridge Labs; 43.8% including it`).
Two periods compared on different accounting bases are said to be (`ASC 605 in Q4 2013, ASC
606 in Q3 2021: not like for like`), and a year-on-year figure the query left out because it
spans a basis change (`basis_break`) is never quoted: the sentence names those periods instead.
`key_figures.headlines` cuts each sentence, never its basis note. Several partners compared are
worded in `analytics.publish.compared`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts.format import (
    format_money,
    format_period,
    format_range,
    format_share,
    possessive,
)
from analytics.periods import CALENDAR_YEAR_END
from analytics.publish.key_figure_text import across_bases, printed_text, share_text, when
from analytics.publish.shares import ShareAt, latest_row

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.registry import Sentence
    from analytics.publish.key_figures import KeyFigures

_share = share_text


def noted(body: str, note: str) -> Sentence:
    """The sentence with the basis note its cut must keep, or the sentence alone."""
    return (body, note) if note else body


def not_disclosed_here(figures: KeyFigures) -> str:
    """`Alibaba's revenue was not disclosed in this range`."""
    return f"{possessive(figures.partner)} revenue was not disclosed in this range"


def direction(first: ShareAt, latest: ShareAt) -> str | None:
    """`rose` or `fell` when the two shares, lower bounds included, imply it; else None (an
    exact 30% then at least 25% may be a rise or a fall)."""
    if latest.share > first.share and not first.lower_bound:
        return "rose"
    if latest.share < first.share and not latest.lower_bound:
        return "fell"
    return None


def dependence_headline(figures: KeyFigures) -> Sentence:
    """The share's course from the amounts; a share printed only as a percentage is told apart
    (`printed only as a percentage: about 85% in 2021`), never as a computed one."""
    sentence = _amounts_headline(figures)
    if not figures.printed_shares:
        return sentence
    if figures.first_known is None:
        return (
            f"{not_disclosed_here(figures)}; its share was printed only as a percentage: "
            f"{printed_text(figures)}"
        )
    body, note = sentence if isinstance(sentence, tuple) else (sentence, "")
    return noted(f"{body}; printed only as a percentage: {printed_text(figures)}", note)


def _amounts_headline(figures: KeyFigures) -> Sentence:
    first, latest = figures.first_known, figures.latest
    if first is None or latest is None:
        return not_disclosed_here(figures)
    if first.period == latest.period or (
        first.share == latest.share and first.lower_bound == latest.lower_bound
    ):
        return f"{figures.partner} was {_share(latest)} of revenue {when(latest)}"
    verb = direction(first, latest)
    note = across_bases(first, latest)
    before, after = distinct_shares(first, latest)
    peak = _peak(figures)
    if verb is None:
        return noted(
            f"{figures.partner} was {before} of revenue "
            f"{when(first, ends_sentence=False)} and {after} {when(latest)}{peak}",
            note,
        )
    return noted(
        f"{figures.partner} {verb} from {before} of revenue "
        f"{when(first, ends_sentence=False)} to {after} {when(latest)}{peak}",
        note,
    )


def distinct_shares(first: ShareAt, latest: ShareAt) -> tuple[str, str]:
    """The two shares as a sentence prints them, with as many decimals as it takes to tell two
    different values apart (54.4% and 53.6%, never 54% and 54%)."""
    before, after = _share(first), _share(latest)
    if before != after or first.share == latest.share:
        return before, after
    for decimals in (1, 2, 3):
        before = format_share(first.share, exact=True, lower_bound=first.lower_bound, decimals=decimals)
        after = format_share(latest.share, exact=True, lower_bound=latest.lower_bound, decimals=decimals)
        if before != after:
            break
    return before, after


def _peak(figures: KeyFigures) -> str:
    """`, peaking at 60% in Q2 2023` when the share went above both ends in between: a
    sentence from one end to the other must not hide it."""
    first, latest, peak = figures.first_known, figures.latest, figures.peak
    if peak is None or first is None or latest is None or peak.period in (first.period, latest.period):
        return ""
    if peak.share <= max(first.share, latest.share):
        return ""
    shown = format_share(peak.share, lower_bound=peak.lower_bound)
    if shown in (_share(first), _share(latest)):
        shown = format_share(peak.share, exact=True, lower_bound=peak.lower_bound)
    return f", peaking at {shown} in {peak.period_name}"


def latest_comparable(frame: pl.DataFrame, column: str) -> dict[str, Any] | None:
    """The latest row with `column` known and not across a basis change (`basis_break`): a
    year-on-year figure the query left out for a basis change is never quoted."""
    if "basis_break" in frame.columns:
        frame = frame.filter(~frame["basis_break"].fill_null(False))
    return latest_row(frame, column)


def breaks_after(frame: pl.DataFrame, row: dict[str, Any] | None) -> list[list[str]]:
    """Runs of consecutive periods after `row` (all periods when None) not compared year on
    year because the year before is on another basis (`basis_break`)."""
    from analytics.charts.basis import break_periods

    if row is not None:
        frame = frame.filter(frame["period_start"] > row["period_start"])
    return break_periods(frame)


def not_compared(runs: list[list[str]], year_end_month: int = CALENDAR_YEAR_END) -> str:
    """` (Q1 2018 – Q4 2018 not compared: the year before is on another basis)`, '' for none."""
    if not runs:
        return ""
    spans = ", ".join(format_range(run[0], run[-1], year_end_month) for run in runs)
    return f" ({spans} not compared: the year before is on another basis)"


def one_offs_in(row: dict[str, object], year_end_month: int = CALENDAR_YEAR_END) -> str:
    """`, one-offs included (2021)` when either year of a growth row holds one-offs."""
    years = [
        str(row[key])
        for key, flag in (("prior_period", "prior_has_one_off"), ("period", "has_one_off"))
        if row.get(flag)
    ]
    named = " and ".join(format_period(year, year_end_month) for year in years)
    return f", one-offs included ({named})" if years else ""


def change_text(rate: float) -> str:
    """`grew 12%` or `fell 3.4%`, never `grew −3.4%`."""
    return f"{'grew' if rate >= 0 else 'fell'} {format_share(abs(rate))}"


def added(amount: Any, currency: str) -> str:
    """`added $12.0M` or `lost $198.5M`, never `added -$198.5M`."""
    verb = "added" if amount >= 0 else "lost"
    return f"{verb} {format_money(abs(amount), currency)}"
