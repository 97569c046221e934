"""The sentence each chart's slide and report section opens with, worded from the key figures.

A lower bound (a group member undisclosed) is always worded `at least`, and a direction
(rose, fell) is stated only when the bounds imply it; a share in a period with one-offs is stated
without them and says so (`excluding a one-off $40.0M from Norbridge Labs; 43.8% including it`).
Two periods compared on different accounting bases are said to be (`ASC 605 in Q4 2013, ASC
606 in Q3 2021: not like for like`), and a year-on-year figure the query left out because it
spans a basis change (`basis_break`) is never quoted: the sentence names those periods instead.
`figures.headlines` cuts each sentence, never its basis note. Several partners compared are
worded in `analytics.publish.compared`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.charts.format import label, one_off_phrase, possessive
from analytics.publish.key_figures import (
    Frames,
    KeyFigures,
    ShareAt,
    across_bases,
    format_hhi,
    format_money,
    format_period,
    format_share,
    known_shares,
    latest_row,
    printed_text,
    share_text,
    when,
)

if TYPE_CHECKING:
    import polars as pl

_share = share_text
#: A headline, or a headline and the basis note its cut must keep (`figures.fit`).
Sentence = str | tuple[str, str]


def _noted(body: str, note: str) -> Sentence:
    return (body, note) if note else body


def direction(first: ShareAt, latest: ShareAt) -> str | None:
    """`rose` or `fell` when the two shares, lower bounds included, imply it; else None (an
    exact 30% then at least 25% may be a rise or a fall)."""
    if latest.share > first.share and not first.lower_bound:
        return "rose"
    if latest.share < first.share and not latest.lower_bound:
        return "fell"
    return None


def _dependence_headline(figures: KeyFigures) -> Sentence:
    """The share's course from the amounts; a share printed only as a percentage is told apart
    (`printed only as a percentage: about 85% in 2021`), never as a computed one."""
    sentence = _amounts_headline(figures)
    if not figures.printed_shares:
        return sentence
    if figures.first_known is None:
        return (f"{possessive(figures.partner)} revenue was not disclosed in this range; its "
                f"share was printed only as a percentage: {printed_text(figures)}")
    body, note = sentence if isinstance(sentence, tuple) else (sentence, "")
    return _noted(f"{body}; printed only as a percentage: {printed_text(figures)}", note)


def _amounts_headline(figures: KeyFigures) -> Sentence:
    first, latest = figures.first_known, figures.latest
    if first is None or latest is None:
        return f"{possessive(figures.partner)} revenue was not disclosed in this range"
    if first.period == latest.period or (first.share == latest.share
                                         and first.lower_bound == latest.lower_bound):
        return f"{figures.partner} was {_share(latest)} of revenue {when(latest)}"
    verb = direction(first, latest)
    note = across_bases(first, latest)
    before, after = distinct_shares(first, latest)
    peak = _peak(figures)
    if verb is None:
        return _noted(f"{figures.partner} was {before} of revenue "
                      f"{when(first, ends_sentence=False)} and {after} {when(latest)}{peak}",
                      note)
    return _noted(f"{figures.partner} {verb} from {before} of revenue "
                  f"{when(first, ends_sentence=False)} to {after} {when(latest)}{peak}", note)


def distinct_shares(first: ShareAt, latest: ShareAt) -> tuple[str, str]:
    """The two shares as a sentence prints them, with as many decimals as it takes to tell two
    different values apart (54.4% and 53.6%, never 54% and 54%)."""
    before, after = _share(first), _share(latest)
    if before != after or first.share == latest.share:
        return before, after
    for decimals in (1, 2, 3):
        before = format_share(first.share, exact=True, lower_bound=first.lower_bound,
                              decimals=decimals)
        after = format_share(latest.share, exact=True, lower_bound=latest.lower_bound,
                             decimals=decimals)
        if before != after:
            break
    return before, after


def _peak(figures: KeyFigures) -> str:
    """`, peaking at 60% in Q2 2023` when the share went above both ends in between: a
    sentence from one end to the other must not hide it."""
    first, latest, peak = figures.first_known, figures.latest, figures.peak
    if peak is None or first is None or latest is None or peak.period in (first.period,
                                                                            latest.period):
        return ""
    if peak.share <= max(first.share, latest.share):
        return ""
    shown = format_share(peak.share, lower_bound=peak.lower_bound)
    if shown in (_share(first), _share(latest)):
        shown = format_share(peak.share, exact=True, lower_bound=peak.lower_bound)
    return f", peaking at {shown} in {format_period(peak.period)}"


def _source_headline(figures: KeyFigures) -> str:
    latest = figures.latest
    if latest is None:
        return f"{possessive(figures.partner)} revenue was not disclosed in this range"
    brought = format_money(latest.partner_revenue, figures.currency,
                           lower_bound=latest.lower_bound)
    including = f", which includes {latest.one_off}" if latest.one_off else ""
    return (f"{figures.partner} brought {brought}"
            f" of {format_money(latest.total_revenue, figures.currency)} revenue in "
            f"{format_period(latest.period)}{including}")


def _rest_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    """From the first to the latest exact share: revenue excluding a lower bound is unknown."""
    exact = [share for share in known_shares(frames) if not share.lower_bound]
    if not exact:
        return f"Revenue excluding {figures.partner} is unknown in this range"
    first, latest = exact[0], exact[-1]
    before = first.total_revenue - first.partner_revenue
    after = latest.total_revenue - latest.partner_revenue
    verb = "grew" if after >= before else "shrank"
    first_one_off = f" (including {first.one_off})" if first.one_off else ""
    latest_one_off = f", including {latest.one_off}" if latest.one_off else ""
    return _noted(f"Revenue excluding {figures.partner} {verb} from "
                  f"{format_money(before, figures.currency)} in {format_period(first.period)}"
                  f"{first_one_off} to {format_money(after, figures.currency)} in "
                  f"{format_period(latest.period)}{latest_one_off}", across_bases(first, latest))


def _mix_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    row = latest_row(frames.dependence, "share_of_stream")
    if row is None:
        return _dependence_headline(figures)
    stream = label(str(row["partner_stream"]).replace("_", " "))
    noun = stream if stream.lower().endswith(("revenue", "revenues")) else f"{stream} revenue"
    share = format_share(row["share_of_stream"], lower_bound=bool(row["share_is_lower_bound"]))
    return f"{figures.partner} was {share} of {noun} in {format_period(row['period'])}"


def _growth_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    row = latest_comparable(frames.growth, "ex_partner_yoy")
    later = breaks_after(frames.growth, row)
    if row is None or row["total_yoy"] is None:
        if later:
            return (f"Growth excluding {figures.partner} is not comparable year on year in "
                    f"this range{not_compared(later)}")
        return f"Growth excluding {figures.partner} is unknown in this range"
    return _noted(f"In {format_period(row['period'])} revenue excluding {figures.partner} "
                  f"{_change(row['ex_partner_yoy'])} year on year; total revenue "
                  f"{_change(row['total_yoy'])}{_one_offs_in(row)}", not_compared(later))


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


def not_compared(runs: list[list[str]]) -> str:
    """` (Q1 2018 – Q4 2018 not compared: the year before is on another basis)`, '' for none."""
    if not runs:
        return ""
    spans = ", ".join(format_period(run[0]) if len(run) == 1 else
                      f"{format_period(run[0])} – {format_period(run[-1])}" for run in runs)
    return f" ({spans} not compared: the year before is on another basis)"


def _one_offs_in(row: dict[str, object]) -> str:
    """`, one-offs included (2021)` when either year of a growth row holds one-offs."""
    years = [str(row[key]) for key, flag in (("prior_period", "prior_has_one_off"),
                                              ("period", "has_one_off")) if row.get(flag)]
    return f", one-offs included ({' and '.join(format_period(y) for y in years)})" \
        if years else ""


def _change(rate: float) -> str:
    return f"{'grew' if rate >= 0 else 'fell'} {format_share(abs(rate))}"


def _bridge_headline(frames: Frames, figures: KeyFigures) -> Sentence:
    row = latest_comparable(frames.growth, "partner_change")
    later = breaks_after(frames.growth, row)
    if row is None or row["rest_change"] is None:
        if later:
            return (f"The growth bridge needs {possessive(figures.partner)} revenue a year "
                    f"apart on one basis{not_compared(later)}")
        return f"The growth bridge needs {possessive(figures.partner)} revenue a year apart: not disclosed"
    money = figures.currency
    change = "growth" if row["total_change"] >= 0 else "decline"
    return _noted(f"Of {format_money(abs(row['total_change']), money)} revenue {change} in "
                  f"{format_period(row['period'])}, {figures.partner} "
                  f"{_added(row['partner_change'], money)} and the rest "
                  f"{_added(row['rest_change'], money)}{_one_offs_in(row)}",
                  not_compared(later))


def _added(amount: Any, currency: str) -> str:
    """`added $12.0M` or `lost $198.5M`, never `added -$198.5M`."""
    verb = "added" if amount >= 0 else "lost"
    return f"{verb} {format_money(abs(amount), currency)}"


def _concentration_headline(frames: Frames, figures: KeyFigures) -> str:
    row = latest_row(frames.concentration, "top_share")
    if row is None:
        return f"No counterparty of {figures.company} was disclosed in this range"
    excluding = ""
    if row.get("one_offs_excluded"):
        amount = format_money(row["one_off_revenue"], figures.currency)
        excluding = f" excluding {one_off_phrase(amount, row['one_off_counterparties'])}"
    return (f"Largest customer {label(row['top_counterparty'])}: {format_share(row['top_share'])}"
            f" of revenue in {format_period(row['period'])}{excluding}; HHI {format_hhi(figures)}")


def sentences(frames: Frames, figures: KeyFigures) -> dict[str, Sentence]:
    """One sentence per chart, uncut; where it compares across bases, with its basis note.
    With several partners, the dependence chart's says who led when (`compared.headline`); the
    others are about the first partner, as their charts are."""
    from analytics.publish.compared import headline

    return {
        "partner_dependence": headline(figures) if figures.compared
        else _dependence_headline(figures),
        "revenue_by_source": _source_headline(figures),
        "partner_vs_rest": _rest_headline(frames, figures),
        "revenue_mix": _mix_headline(frames, figures),
        "growth_ex_partner": _growth_headline(frames, figures),
        "growth_bridge": _bridge_headline(frames, figures),
        "concentration": _concentration_headline(frames, figures),
    }
