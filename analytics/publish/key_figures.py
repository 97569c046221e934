"""Key figures and chart headlines, computed from the shipped queries, never typed by hand.

The deck and the report both read these, so a slide title and the report's key-figure table
always agree, and both change when the data changes. Unknown (undisclosed) values stay unknown:
a gap is skipped, never read as zero. Names shown are `format.label`s (no control characters).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.charts.format import currency_symbol, label, one_off_phrase
from analytics.periods import fiscal_note

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.subject import Subject
    from analytics.publish.compared import Lead, PartnerShares

THRESHOLD = 0.10
HEADLINE_LIMIT = 160  # characters kept of a headline (a slide title, a report heading)


@dataclass(frozen=True)
class Frames:
    """The query results everything else is computed from: `dependence` and `growth` of the
    first partner; with several partners, `compared` holds every partner's dependence rows."""

    company: str
    partner: str
    dependence: pl.DataFrame
    growth: pl.DataFrame
    concentration: pl.DataFrame
    subject: Subject
    compared: pl.DataFrame | None = None

    @property
    def currency(self) -> str:
        known = [c for c in self.dependence["currency"].to_list() if c]
        return known[0] if known else ""


@dataclass(frozen=True)
class ShareAt:
    """The partner's share of total revenue in one period where it was disclosed; a
    `lower_bound` when a member of the partner's group was not (the share is at least this).

    In a period with one-offs, `share` leaves them out of both sides and `one_off` words them
    (`a one-off $40.0M from Norbridge Labs`), `share_including_one_offs` is the share with them;
    the amounts are always the reported ones, one-offs included."""

    period: str
    share: float
    partner_revenue: Decimal
    total_revenue: Decimal
    lower_bound: bool = False
    one_off: str | None = None
    share_including_one_offs: float | None = None
    basis: str | None = None


@dataclass(frozen=True)
class Crossing:
    """The known share crossed the threshold between two disclosed periods (gaps skipped)."""

    direction: str  # "above" or "below"
    before: ShareAt
    after: ShareAt


@dataclass(frozen=True)
class BasisRun:
    """Consecutive periods on one accounting basis: `basis` from `first` to `last`."""

    basis: str
    first: str
    last: str


@dataclass(frozen=True)
class KeyFigures:
    """The numbers an analyst quotes about the partner's weight in the company's revenue; the
    company and partner are names as a reader sees them (`format.label`): `partner` short
    (`Orchard group`), `partner_title` with a group's members. `bases` are the runs of one
    accounting basis in the range, `chosen_basis` and `as_of` what the user chose (None: not
    chosen); `ttm_spans_basis_change` when a TTM share is left out because its twelve months
    hold two bases. With several partners the figures above are the first partner's, and
    `compared` and `leads` (`analytics.publish.compared`) say what happened to each and who led when."""

    company: str
    partner: str
    partner_title: str
    period_kind: str
    currency: str
    first_period: str
    last_period: str
    first_known: ShareAt | None
    latest: ShareAt | None
    peak: ShareAt | None
    crossings: tuple[Crossing, ...]
    latest_ttm_share: float | None
    latest_ttm_period: str | None
    latest_ttm_is_lower_bound: bool
    latest_hhi: float | None
    latest_hhi_period: str | None
    hhi_is_lower_bound: bool
    bases: tuple[BasisRun, ...] = ()
    chosen_basis: str | None = None
    as_of: dt.date | None = None
    ttm_spans_basis_change: bool = False
    #: The latest TTM share leaves out one-offs its twelve months hold (as the chart's line).
    latest_ttm_excludes_one_offs: bool = False
    compared: tuple[PartnerShares, ...] = ()
    leads: tuple[Lead, ...] = ()
    #: The month the company's fiscal year ends in (12: calendar years).
    year_end_month: int = 12
    #: (period, share) where the filings print the partner's share of total revenue only as a
    #: percentage, the amounts giving none: told beside the computed shares, never mixed in.
    printed_shares: tuple[tuple[str, float], ...] = ()

    @property
    def partners(self) -> str:
        """`Alibaba`, or the partners compared: `Lookwise group and Searchly`."""
        from analytics.charts.subject import and_list

        return and_list([p.name for p in self.compared]) if self.compared else self.partner


def load_frames(*, company: str, partner: str | Sequence[str], from_period: str | None = None,
                to_period: str | None = None, data_dir: Path | str | None = None,
                period_kind: str | None = None, subject: Subject | None = None,
                basis: str | None = None, as_of: dt.date | str | None = None) -> Frames:
    """Run the three queries of the period kind asked for (None: quarters when the range has
    quarterly totals, else half-years, else fiscal years) on the basis and as of the date asked
    for (None: each period's latest basis, as published today); an unknown name or nothing to
    plot is an error. `partner` is one name or several: growth is the first partner's."""
    from analytics import query
    from analytics.charts.basis import vintage_params
    from analytics.charts.subject import resolve_subject

    subject = subject or resolve_subject(company, partner, from_period, to_period, period_kind,
                                         data_dir, basis=basis, as_of=as_of)

    def run(name: str, **params: Any) -> pl.DataFrame:
        return query(name, data_dir, from_period=from_period, to_period=to_period,
                     period_kind=subject.period_kind, **params,
                     **vintage_params(name, subject))

    compared = run("partner_dependence", company=company, partner=list(subject.partners))
    dependence = compared.filter(compared["partner"] == subject.partner)
    growth = run("growth", company=company, partner=subject.partner)
    concentration = run("concentration", company=company)
    return Frames(company, subject.partner, dependence, growth, concentration, subject,
                  compared if subject.several else None)


def known_shares(frames: Frames) -> list[ShareAt]:
    """Every period where the partner's share of total revenue was disclosed, in order."""
    rows = frames.dependence.sort("period_start").to_dicts()
    return [share_at(r, frames.currency) for r in rows
            if r["share_of_total_excl_one_offs"] is not None]


def share_at(row: dict[str, Any], currency: str) -> ShareAt:
    """One `partner_dependence` row as a ShareAt, its one-offs worded."""
    one_off = None
    if row["has_one_off"]:
        one_off = one_off_phrase(format_money(row["one_off_revenue"], currency),
                                 row["one_off_counterparties"])
    return ShareAt(row["period"], row["share_of_total_excl_one_offs"], row["partner_revenue"],
                   row["total_revenue"], bool(row["share_is_lower_bound"]), one_off,
                   row["share_of_total"] if one_off else None, row.get("basis"))


def share_text(share: ShareAt) -> str:
    """`72%`, or in a period with one-offs the exact share without them (`67.9%`)."""
    return format_share(share.share, lower_bound=share.lower_bound,
                        exact=share.one_off is not None)


def when(share: ShareAt, *, ends_sentence: bool = True) -> str:
    """`in 2019`, or with one-offs `in 2021 excluding a one-off $40.0M from Norbridge Labs;
    43.8% including it` (in parentheses when the sentence goes on)."""
    text = f"in {format_period(share.period)}"
    if share.one_off is None:
        return text
    pronoun = "them" if share.one_off.startswith("one-offs") else "it"
    including = format_share(share.share_including_one_offs, exact=True,
                             lower_bound=share.lower_bound) + f" including {pronoun}"
    return (f"{text} excluding {share.one_off}; {including}" if ends_sentence
            else f"{text} excluding {share.one_off} ({including})")


def threshold_crossings(shares: list[ShareAt], threshold: float = THRESHOLD
                        ) -> tuple[Crossing, ...]:
    """Consecutive disclosed periods on opposite sides of the threshold. A lower bound under
    the threshold is not known to be under it, so it is skipped like a gap."""
    crossings = []
    sided = [s for s in shares if not (s.lower_bound and s.share < threshold)]
    for before, after in itertools.pairwise(sided):
        if before.share >= threshold > after.share:
            crossings.append(Crossing("below", before, after))
        elif before.share < threshold <= after.share:
            crossings.append(Crossing("above", before, after))
    return tuple(crossings)


def latest_row(frame: pl.DataFrame, column: str) -> dict[str, Any] | None:
    known = frame.filter(frame[column].is_not_null()).sort("period_start")
    return known.row(-1, named=True) if known.height else None


def key_figures(frames: Frames) -> KeyFigures:
    """Latest and peak share, 10% crossings, latest TTM share and latest HHI; with several
    partners, each one's shares and who led when."""
    from analytics.publish.compared import leads, partner_shares

    shares = known_shares(frames)
    compared = partner_shares(frames)
    with_revenue = frames.dependence.filter(frames.dependence["total_revenue"].is_not_null())
    periods = with_revenue.sort("period_start")["period"].to_list()
    ttm = latest_row(frames.dependence, "ttm_share_of_total")
    ttm_one_offs = bool(ttm and ttm.get("ttm_has_one_off"))
    hhi = latest_row(frames.concentration, "hhi")
    scope = frames.subject.scope
    return KeyFigures(
        company=label(frames.subject.shown_name), partner=scope.short, partner_title=scope.title,
        period_kind=frames.subject.period_kind, currency=frames.currency,
        first_period=periods[0], last_period=periods[-1],
        first_known=shares[0] if shares else None,
        latest=shares[-1] if shares else None,
        peak=max(shares, key=lambda s: s.share) if shares else None,
        crossings=threshold_crossings(shares),
        latest_ttm_share=(ttm["ttm_share_of_total_excl_one_offs"] if ttm_one_offs
                          else ttm["ttm_share_of_total"]) if ttm else None,
        latest_ttm_excludes_one_offs=ttm_one_offs,
        latest_ttm_period=ttm["period"] if ttm else None,
        latest_ttm_is_lower_bound=bool(ttm and ttm["ttm_share_is_lower_bound"]),
        latest_hhi=hhi["hhi"] if hhi else None,
        latest_hhi_period=hhi["period"] if hhi else None,
        hhi_is_lower_bound=bool(hhi and hhi["hhi_is_lower_bound"]),
        bases=basis_runs(with_revenue),
        chosen_basis=frames.subject.basis, as_of=frames.subject.as_of,
        ttm_spans_basis_change=ttm is None and _any_true(frames.dependence, "basis_break"),
        compared=compared, leads=leads(compared), year_end_month=frames.subject.year_end_month,
        printed_shares=printed_only(frames.dependence),
    )


def printed_only(dependence: pl.DataFrame) -> tuple[tuple[str, float], ...]:
    """The periods whose share of total revenue is known only as a printed percentage."""
    rows = dependence.filter(dependence["share_of_total"].is_null()
                             & dependence["disclosed_share_of_total"].is_not_null())
    return tuple((r["period"], r["disclosed_share_of_total"])
                 for r in rows.sort("period_start").iter_rows(named=True))


def printed_text(figures: KeyFigures) -> str:
    """`about 85% in 2021` for each share printed only as a percentage (the latest three)."""
    return ", ".join(f"about {format_share(share)} in {format_period(period)}"
                     for period, share in figures.printed_shares[-3:])


def basis_runs(frame: pl.DataFrame) -> tuple[BasisRun, ...]:
    """The runs of one basis over the frame's periods in order (none without a `basis` column);
    a period without a basis continues the run it falls in."""
    if "basis" not in frame.columns:
        return ()
    runs: list[BasisRun] = []
    for row in frame.sort("period_start").select("period", "basis").iter_rows(named=True):
        if row["basis"] is None and runs:
            runs[-1] = BasisRun(runs[-1].basis, runs[-1].first, row["period"])
        elif row["basis"] is None:
            continue
        elif runs and runs[-1].basis == row["basis"]:
            runs[-1] = BasisRun(row["basis"], runs[-1].first, row["period"])
        else:
            runs.append(BasisRun(row["basis"], row["period"], row["period"]))
    return tuple(runs)


def _any_true(frame: pl.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].fill_null(False).any())


def across_bases(first: ShareAt | dict[str, Any], latest: ShareAt | dict[str, Any]) -> str:
    """` (ASC 605 in Q4 2013, ASC 606 in Q3 2021: not like for like)` when two periods a
    sentence compares are on different bases; '' when on one (or a basis is unknown)."""
    def of(at: ShareAt | dict[str, Any]) -> tuple[str, str | None]:
        if isinstance(at, ShareAt):
            return at.period, at.basis
        return str(at["period"]), at.get("basis")

    (first_period, first_basis), (latest_period, latest_basis) = of(first), of(latest)
    if first_basis is None or latest_basis is None or first_basis == latest_basis:
        return ""
    return (f" ({label(first_basis)} in {format_period(first_period)}, {label(latest_basis)} "
            f"in {format_period(latest_period)}: not like for like)")


def peak_basis(figures: KeyFigures) -> str:
    """` (ASC 605; the latest share, Q4 2021, is on ASC 606: not like for like)` when the peak
    and the latest share are on different bases, else ''."""
    peak, latest = figures.peak, figures.latest
    if peak is None or latest is None or peak.basis is None or latest.basis is None \
            or peak.basis == latest.basis:
        return ""
    return (f" ({label(peak.basis)}; the latest share, {format_period(latest.period)}, is on "
            f"{label(latest.basis)}: not like for like)")


def describe_bases(figures: KeyFigures) -> str:
    """`SINA segment Q1 2013 – Q4 2013; ASC 605 Q1 2014 – Q4 2017; ASC 606 Q1 2018 – Q3 2021`,
    '' when the range holds one basis; the chosen basis and publication date when given."""
    parts = []
    if figures.chosen_basis:
        parts.append(f"{label(figures.chosen_basis)} (chosen)")
    elif len(figures.bases) > 1:
        parts.append("; ".join(f"{label(run.basis)} {format_period(run.first)}"
                               + ("" if run.first == run.last else
                                  f" – {format_period(run.last)}") for run in figures.bases))
    if figures.as_of:
        parts.append(f"as published by {figures.as_of.isoformat()}")
    return ", ".join(parts)


def subtitle(figures: KeyFigures) -> str:
    """`Orchard group: Orchard, Orchard Pay · 2019 – 2023 by fiscal year · amounts in USD`: what
    the partner stands for (a group's members), the range and its period kind, the currency,
    and the basis and publication date when chosen (`· basis: ASC 605 · as published by
    2016-06-30`)."""
    from analytics.charts.subject import words

    titles = [(p.name, p.title) for p in figures.compared] or \
        [(figures.partner, figures.partner_title)]
    scope = "".join(f"{title} · " for name, title in titles if title != name)
    chosen = [f"basis: {label(figures.chosen_basis)}" if figures.chosen_basis else "",
              f"as published by {figures.as_of.isoformat()}" if figures.as_of else ""]
    vintage = "".join(f" · {part}" for part in chosen if part)
    return (f"{scope}{format_period(figures.first_period)} – "
            f"{format_period(figures.last_period)}{fiscal_note(figures.year_end_month)} "
            f"{words(figures.period_kind).by} · "
            f"amounts in {figures.currency}{vintage}")


def format_period(label: str) -> str:

    """`2013Q4` -> `Q4 2013`, `2019H1` -> `H1 2019`; a year label stays as it is."""
    if len(label) == 6 and label[4] in "QH":
        return f"{label[4:]} {label[:4]}"
    return label


def format_share(share: float | None, *, exact: bool = False, lower_bound: bool = False,
                 decimals: int = 1) -> str:
    """Two significant figures (0.399 -> 40%, 0.093 -> 9.3%), or `decimals` decimals when
    `exact`; `at least 9.3%` for a lower bound, so no sentence states one as exact."""
    if share is None:
        return "not disclosed"
    percent = share * 100
    text = (f"{percent:.0f}%" if abs(percent) >= 10 and not exact
            else f"{percent:.{decimals}f}%")
    return f"at least {text}" if lower_bound else text


def format_money(amount: Decimal | float | None, currency: str, *,
                 lower_bound: bool = False) -> str:
    """Millions (or billions) in the data's currency: $28.5M, ¥210.0M, -$44.4M; `at least
    ¥63.6M` for a lower bound."""
    if amount is None:
        return "not disclosed"
    value = float(amount)
    symbol = currency_symbol(currency)
    sign = "-" if value < 0 else ""
    scaled, unit = (abs(value) / 1e9, "B") if abs(value) >= 1e9 else (abs(value) / 1e6, "M")
    text = f"{sign}{symbol}{scaled:.1f}{unit}"
    return f"at least {text}" if lower_bound else text


def format_hhi(figures: KeyFigures) -> str:
    """HHI on the 0-10,000 scale, flagged when pools make it a lower bound."""
    if figures.latest_hhi is None:
        return "not disclosed"
    bound = " (a lower bound)" if figures.hhi_is_lower_bound else ""
    return f"{figures.latest_hhi:,.0f}{bound}"


def describe_crossing(crossing: Crossing) -> str:
    """`fell below 10% between Q4 2013 (40%) and Q1 2016 (9.3%)`."""
    verb = "fell below" if crossing.direction == "below" else "rose above"
    before, after = crossing.before, crossing.after
    return (f"{verb} {format_share(THRESHOLD)} between {format_period(before.period)} "
            f"({format_share(before.share, exact=True, lower_bound=before.lower_bound)}) and "
            f"{format_period(after.period)} "
            f"({format_share(after.share, exact=True, lower_bound=after.lower_bound)})"
            f"{across_bases(before, after)}")


def key_figure_rows(figures: KeyFigures) -> list[tuple[str, str]]:
    """The key figures as (label, value) pairs for a table slide or an HTML table."""
    from analytics.charts.subject import TTM_PERIOD_KINDS

    def at(share: ShareAt | None) -> str:
        return "not disclosed" if share is None else f"{share_text(share)} {when(share)}"

    crossings = "; ".join(describe_crossing(c) for c in figures.crossings) or "none"
    excluding = "; excluding one-offs" if figures.latest_ttm_excludes_one_offs else ""
    ttm_when = f" ({format_period(figures.latest_ttm_period)}{excluding})" \
        if figures.latest_ttm_period else ""
    ttm = format_share(figures.latest_ttm_share, lower_bound=figures.latest_ttm_is_lower_bound)
    if figures.ttm_spans_basis_change:
        ttm = "not disclosed on one basis (twelve months that span a basis change are left out)"
    peak = at(figures.peak) + peak_basis(figures)
    hhi = format_hhi(figures) if figures.latest_hhi_period is None else \
        f"{format_hhi(figures)} in {format_period(figures.latest_hhi_period)}"
    rows = [
        ("Period covered", f"{format_period(figures.first_period)} – "
                           f"{format_period(figures.last_period)}"),
        (f"Latest {figures.partner} share of revenue", at(figures.latest)),
        *([("Shares printed only as a percentage", printed_text(figures))]
          if figures.printed_shares else []),
        ("Peak share", peak),
        (f"{format_share(THRESHOLD)} threshold crossings", crossings),
        ("Latest customer HHI (0–10,000)", hhi),
    ]
    bases = describe_bases(figures)
    if bases:
        rows.insert(1, ("Accounting basis", bases))
    if figures.period_kind in TTM_PERIOD_KINDS:  # four quarters or two halves; years: none
        rows.insert(4, ("Latest trailing-twelve-month share", f"{ttm}{ttm_when}"))
    if figures.compared:
        from analytics.publish.compared import key_figure_rows as compared_rows

        return compared_rows(figures, rows)
    if figures.partner_title != figures.partner:
        rows.insert(1, ("Partner", figures.partner_title))
    return rows


def title(figures: KeyFigures) -> str:
    """`Quillon Browser: dependence on Lookwise group and Searchly`: a deck's or report's title."""
    return f"{figures.company}: dependence on {figures.partners}"


def headlines(frames: Frames, figures: KeyFigures) -> dict[str, str]:
    """One sentence per chart that states its finding in numbers, cut at `HEADLINE_LIMIT`
    (worded in `analytics.publish.headlines`)."""
    from analytics.publish.headlines import sentences

    return {name: fit(sentence, HEADLINE_LIMIT)
            for name, sentence in sentences(frames, figures).items()}


def fit(sentence: str | tuple[str, str], limit: int) -> str:
    """A headline cut at `limit` characters (`format.label`); a (sentence, basis note) pair
    loses characters of its sentence, never of its note: a cut must not hide that a
    comparison is not like for like."""
    if isinstance(sentence, str):
        return label(sentence, limit)
    body, note = sentence
    note = label(note, limit)
    return label(body, max(limit - len(note), 0)) + note
