"""Key figures and chart headlines, computed from the shipped queries, never typed by hand.

The deck and the report both read these, so a slide title and the report's key-figure table
always agree, and both change when the data changes. Unknown (undisclosed) values stay unknown:
a gap is skipped, never read as zero. Names shown are `format.label`s (no control characters).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.charts.format import currency_symbol, label
from analytics.errors import QueryError

if TYPE_CHECKING:
    import polars as pl

THRESHOLD = 0.10
HEADLINE_LIMIT = 160  # characters kept of a headline (a slide title, a report heading)


@dataclass(frozen=True)
class Frames:
    """The query results everything else is computed from."""

    company: str
    partner: str
    dependence: pl.DataFrame
    growth: pl.DataFrame
    concentration: pl.DataFrame

    @property
    def currency(self) -> str:
        known = [c for c in self.dependence["currency"].to_list() if c]
        return known[0] if known else ""


@dataclass(frozen=True)
class ShareAt:
    """The partner's share of total revenue in one period where it was disclosed."""

    period: str
    share: float
    partner_revenue: Decimal
    total_revenue: Decimal


@dataclass(frozen=True)
class Crossing:
    """The known share crossed the threshold between two disclosed periods (gaps skipped)."""

    direction: str  # "above" or "below"
    before: ShareAt
    after: ShareAt


@dataclass(frozen=True)
class KeyFigures:
    """The numbers an analyst quotes about the partner's weight in the company's revenue; the
    company and partner are names as a reader sees them (`format.label`)."""

    company: str
    partner: str
    currency: str
    first_period: str
    last_period: str
    first_known: ShareAt | None
    latest: ShareAt | None
    peak: ShareAt | None
    crossings: tuple[Crossing, ...]
    latest_ttm_share: float | None
    latest_ttm_period: str | None
    latest_hhi: float | None
    latest_hhi_period: str | None
    hhi_is_lower_bound: bool


def load_frames(*, company: str, partner: str, from_period: str | None = None,
                to_period: str | None = None, data_dir: Path | str | None = None) -> Frames:
    """Run the three queries; an unknown name or a range with no revenue is an error."""
    from analytics import query
    from analytics.api import check_scope

    check_scope(company, partner, from_period, to_period, data_dir)

    def run(name: str, **params: Any) -> pl.DataFrame:
        return query(name, data_dir, from_period=from_period, to_period=to_period, **params)

    dependence = run("partner_dependence", company=company, partner=partner)
    if dependence.filter(dependence["total_revenue"].is_not_null()).height == 0:
        raise QueryError(f"No quarter of {company} between {from_period or 'the start'} and "
                         f"{to_period or 'the end'} has a total revenue figure: the period "
                         "range holds no data to chart")
    growth = run("growth", company=company, partner=partner)
    concentration = run("concentration", company=company)
    return Frames(company, partner, dependence, growth, concentration)


def known_shares(frames: Frames) -> list[ShareAt]:
    """Every period where the partner's share of total revenue was disclosed, in order."""
    rows = frames.dependence.sort("period_start").to_dicts()
    return [ShareAt(r["period"], r["share_of_total"], r["partner_revenue"], r["total_revenue"])
            for r in rows if r["share_of_total"] is not None]


def threshold_crossings(shares: list[ShareAt], threshold: float = THRESHOLD
                        ) -> tuple[Crossing, ...]:
    """Consecutive disclosed periods on opposite sides of the threshold."""
    crossings = []
    for before, after in itertools.pairwise(shares):
        if before.share >= threshold > after.share:
            crossings.append(Crossing("below", before, after))
        elif before.share < threshold <= after.share:
            crossings.append(Crossing("above", before, after))
    return tuple(crossings)


def _latest(frame: pl.DataFrame, column: str) -> dict[str, Any] | None:
    known = frame.filter(frame[column].is_not_null()).sort("period_start")
    return known.row(-1, named=True) if known.height else None


def key_figures(frames: Frames) -> KeyFigures:
    """Latest and peak share, 10% crossings, latest TTM share and latest HHI."""
    shares = known_shares(frames)
    with_revenue = frames.dependence.filter(frames.dependence["total_revenue"].is_not_null())
    periods = with_revenue.sort("period_start")["period"].to_list()
    ttm = _latest(frames.dependence, "ttm_share_of_total")
    hhi = _latest(frames.concentration, "hhi")
    return KeyFigures(
        company=label(frames.company), partner=label(frames.partner), currency=frames.currency,
        first_period=periods[0], last_period=periods[-1],
        first_known=shares[0] if shares else None,
        latest=shares[-1] if shares else None,
        peak=max(shares, key=lambda s: s.share) if shares else None,
        crossings=threshold_crossings(shares),
        latest_ttm_share=ttm["ttm_share_of_total"] if ttm else None,
        latest_ttm_period=ttm["period"] if ttm else None,
        latest_hhi=hhi["hhi"] if hhi else None,
        latest_hhi_period=hhi["period"] if hhi else None,
        hhi_is_lower_bound=bool(hhi and hhi["hhi_is_lower_bound"]),
    )


def format_period(label: str) -> str:
    """`2013Q4` -> `Q4 2013`; a year label stays as it is."""
    if len(label) == 6 and label[4] == "Q":
        return f"{label[4:]} {label[:4]}"
    return label


def format_share(share: float | None, *, exact: bool = False) -> str:
    """Two significant figures (0.399 -> 40%, 0.093 -> 9.3%), or one decimal when `exact`."""
    if share is None:
        return "not disclosed"
    percent = share * 100
    return f"{percent:.0f}%" if abs(percent) >= 10 and not exact else f"{percent:.1f}%"


def format_money(amount: Decimal | float | None, currency: str) -> str:
    """Millions (or billions) in the data's currency: $28.5M, ¥210.0M, -$44.4M."""
    if amount is None:
        return "not disclosed"
    value = float(amount)
    symbol = currency_symbol(currency)
    sign = "-" if value < 0 else ""
    scaled, unit = (abs(value) / 1e9, "B") if abs(value) >= 1e9 else (abs(value) / 1e6, "M")
    return f"{sign}{symbol}{scaled:.1f}{unit}"


def format_hhi(figures: KeyFigures) -> str:
    """HHI on the 0-10,000 scale, flagged when pools make it a lower bound."""
    if figures.latest_hhi is None:
        return "not disclosed"
    bound = " (a lower bound)" if figures.hhi_is_lower_bound else ""
    return f"{figures.latest_hhi:,.0f}{bound}"


def describe_crossing(crossing: Crossing) -> str:
    """`fell below 10% between Q4 2013 (40%) and Q1 2016 (9.3%)`."""
    verb = "fell below" if crossing.direction == "below" else "rose above"
    return (f"{verb} {format_share(THRESHOLD)} between {format_period(crossing.before.period)} "
            f"({format_share(crossing.before.share, exact=True)}) and "
            f"{format_period(crossing.after.period)} "
            f"({format_share(crossing.after.share, exact=True)})")


def key_figure_rows(figures: KeyFigures) -> list[tuple[str, str]]:
    """The key figures as (label, value) pairs for a table slide or an HTML table."""
    def at(share: ShareAt | None) -> str:
        return "not disclosed" if share is None else \
            f"{format_share(share.share)} in {format_period(share.period)}"

    crossings = "; ".join(describe_crossing(c) for c in figures.crossings) or "none"
    ttm_when = f" ({format_period(figures.latest_ttm_period)})" if figures.latest_ttm_period \
        else ""
    return [
        ("Period covered", f"{format_period(figures.first_period)} – "
                           f"{format_period(figures.last_period)}"),
        (f"Latest {figures.partner} share of revenue", at(figures.latest)),
        ("Peak share", at(figures.peak)),
        (f"{format_share(THRESHOLD)} threshold crossings", crossings),
        ("Latest trailing-twelve-month share",
         f"{format_share(figures.latest_ttm_share)}{ttm_when}"),
        ("Latest customer HHI (0–10,000)", format_hhi(figures) if figures.latest_hhi_period is None else
         f"{format_hhi(figures)} in {format_period(figures.latest_hhi_period)}"),
    ]


def _dependence_headline(figures: KeyFigures) -> str:
    first, latest = figures.first_known, figures.latest
    if first is None or latest is None:
        return f"{figures.partner}'s revenue was not disclosed in this range"
    if first.period == latest.period or first.share == latest.share:
        return (f"{figures.partner} was {format_share(latest.share)} of revenue in "
                f"{format_period(latest.period)}")
    verb = "fell" if latest.share < first.share else "rose"
    return (f"{figures.partner} {verb} from {format_share(first.share)} of revenue in "
            f"{format_period(first.period)} to {format_share(latest.share)} in "
            f"{format_period(latest.period)}")


def _source_headline(figures: KeyFigures) -> str:
    latest = figures.latest
    if latest is None:
        return f"{figures.partner}'s revenue was not disclosed in this range"
    return (f"{figures.partner} brought {format_money(latest.partner_revenue, figures.currency)}"
            f" of {format_money(latest.total_revenue, figures.currency)} revenue in "
            f"{format_period(latest.period)}")


def _rest_headline(figures: KeyFigures) -> str:
    first, latest = figures.first_known, figures.latest
    if first is None or latest is None:
        return f"Revenue excluding {figures.partner} is unknown in this range"
    before = first.total_revenue - first.partner_revenue
    after = latest.total_revenue - latest.partner_revenue
    verb = "grew" if after >= before else "shrank"
    return (f"Revenue excluding {figures.partner} {verb} from "
            f"{format_money(before, figures.currency)} in {format_period(first.period)} to "
            f"{format_money(after, figures.currency)} in {format_period(latest.period)}")


def _mix_headline(frames: Frames, figures: KeyFigures) -> str:
    row = _latest(frames.dependence, "share_of_stream")
    if row is None:
        return _dependence_headline(figures)
    stream = label(str(row["partner_stream"]).replace("_", " "))
    return (f"{figures.partner} was {format_share(row['share_of_stream'])} of {stream} revenue "
            f"in {format_period(row['period'])}")


def _growth_headline(frames: Frames, figures: KeyFigures) -> str:
    row = _latest(frames.growth, "ex_partner_yoy")
    if row is None or row["total_yoy"] is None:
        return f"Growth excluding {figures.partner} is unknown in this range"
    return (f"In {format_period(row['period'])} revenue excluding {figures.partner} "
            f"{_change(row['ex_partner_yoy'])} year on year; total revenue "
            f"{_change(row['total_yoy'])}")


def _change(rate: float) -> str:
    return f"{'grew' if rate >= 0 else 'fell'} {format_share(abs(rate))}"


def _bridge_headline(frames: Frames, figures: KeyFigures) -> str:
    row = _latest(frames.growth, "partner_change")
    if row is None or row["rest_change"] is None:
        return f"The growth bridge needs {figures.partner}'s revenue a year apart: not disclosed"
    money = figures.currency
    return (f"Of {format_money(row['total_change'], money)} revenue growth in "
            f"{format_period(row['period'])}, {figures.partner} added "
            f"{format_money(row['partner_change'], money)} and the rest "
            f"{format_money(row['rest_change'], money)}")


def _concentration_headline(frames: Frames, figures: KeyFigures) -> str:
    row = _latest(frames.concentration, "top_share")
    if row is None:
        return f"No counterparty of {figures.company} was disclosed in this range"
    return (f"Largest customer {label(row['top_counterparty'])}: {format_share(row['top_share'])}"
            f" of revenue in {format_period(row['period'])}; HHI {format_hhi(figures)}")


def headlines(frames: Frames, figures: KeyFigures) -> dict[str, str]:
    """One sentence per chart that states its finding in numbers, cut at `HEADLINE_LIMIT`."""
    sentences = {
        "partner_dependence": _dependence_headline(figures),
        "revenue_by_source": _source_headline(figures),
        "partner_vs_rest": _rest_headline(figures),
        "revenue_mix": _mix_headline(frames, figures),
        "growth_ex_partner": _growth_headline(frames, figures),
        "growth_bridge": _bridge_headline(frames, figures),
        "concentration": _concentration_headline(frames, figures),
    }
    return {name: label(sentence, HEADLINE_LIMIT) for name, sentence in sentences.items()}
