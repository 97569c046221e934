"""Key figures and chart headlines, computed from the shipped queries, never typed by hand.

The deck and the report both read these, so a slide title and the report's key-figure table
always agree, and both change when the data changes. Unknown (undisclosed) values stay unknown:
a gap is skipped, never read as zero. Names shown are `format.label`s (no control characters).
The shares behind the figures are `analytics.publish.shares`, their words
`analytics.publish.key_figure_text` (both re-exported here), each chart's headline its registry
entry's (`ChartDef.headline`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analytics.charts.format import format_money, format_period, format_share, label
from analytics.publish.key_figure_text import (
    across_bases,
    describe_bases,
    describe_crossing,
    hhi_text,
    key_figure_rows,
    peak_basis,
    printed_text,
    share_text,
    subtitle,
    when,
)
from analytics.publish.shares import (
    THRESHOLD,
    BasisRun,
    Crossing,
    ShareAt,
    any_true,
    basis_runs,
    latest_row,
    printed_only,
    share_at,
    threshold_crossings,
)

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.registry import Sentence
    from analytics.charts.subject import Subject
    from analytics.publish.compared import Lead, PartnerShares
    from analytics.sql.session import DataSource

__all__ = [
    "HEADLINE_LIMIT",
    "THRESHOLD",
    "BasisRun",
    "Crossing",
    "Frames",
    "KeyFigures",
    "ShareAt",
    "across_bases",
    "basis_runs",
    "describe_bases",
    "describe_crossing",
    "fit",
    "format_money",
    "format_period",
    "format_share",
    "headlines",
    "hhi_text",
    "key_figure_rows",
    "key_figures",
    "known_shares",
    "latest_row",
    "load_frames",
    "peak_basis",
    "printed_only",
    "printed_text",
    "share_at",
    "share_text",
    "subtitle",
    "threshold_crossings",
    "title",
    "when",
]

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


def load_frames(
    *,
    company: str,
    partner: str | Sequence[str],
    from_period: str | None = None,
    to_period: str | None = None,
    data_dir: DataSource = None,
    period_kind: str | None = None,
    subject: Subject | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> Frames:
    """Run the three queries of the period kind asked for (None: quarters when the range has
    quarterly totals, else half-years, else fiscal years) on the basis and as of the date asked
    for (None: each period's latest basis, as published today); an unknown name or nothing to
    plot is an error. `partner` is one name or several: growth is the first partner's."""
    from analytics import query
    from analytics.charts.basis import vintage_params
    from analytics.charts.subject import resolve_subject

    subject = subject or resolve_subject(
        company, partner, from_period, to_period, period_kind, data_dir, basis=basis, as_of=as_of
    )

    def run(name: str, **params: Any) -> pl.DataFrame:
        return query(
            name,
            data_dir,
            from_period=from_period,
            to_period=to_period,
            period_kind=subject.period_kind,
            **params,
            **vintage_params(name, subject),
        )

    compared = run("partner_dependence", company=company, partner=list(subject.partners))
    dependence = compared.filter(compared["partner"] == subject.partner)
    growth = run("growth", company=company, partner=subject.partner)
    concentration = run("concentration", company=company)
    return Frames(
        company,
        subject.partner,
        dependence,
        growth,
        concentration,
        subject,
        compared if subject.several else None,
    )


def known_shares(frames: Frames) -> list[ShareAt]:
    """Every period where the partner's share of total revenue was disclosed, in order."""
    rows = frames.dependence.sort("period_start").to_dicts()
    return [
        share_at(r, frames.currency, frames.subject.year_end_month)
        for r in rows
        if r["share_of_total_excl_one_offs"] is not None
    ]


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
        company=label(frames.subject.shown_name),
        partner=scope.short,
        partner_title=scope.title,
        period_kind=frames.subject.period_kind,
        currency=frames.currency,
        first_period=periods[0],
        last_period=periods[-1],
        first_known=shares[0] if shares else None,
        latest=shares[-1] if shares else None,
        peak=max(shares, key=lambda s: s.share) if shares else None,
        crossings=threshold_crossings(shares),
        latest_ttm_share=(
            ttm["ttm_share_of_total_excl_one_offs"] if ttm_one_offs else ttm["ttm_share_of_total"]
        )
        if ttm
        else None,
        latest_ttm_excludes_one_offs=ttm_one_offs,
        latest_ttm_period=ttm["period"] if ttm else None,
        latest_ttm_is_lower_bound=bool(ttm and ttm["ttm_share_is_lower_bound"]),
        latest_hhi=hhi["hhi"] if hhi else None,
        latest_hhi_period=hhi["period"] if hhi else None,
        hhi_is_lower_bound=bool(hhi and hhi["hhi_is_lower_bound"]),
        bases=basis_runs(with_revenue),
        chosen_basis=frames.subject.basis,
        as_of=frames.subject.as_of,
        ttm_spans_basis_change=ttm is None and any_true(frames.dependence, "basis_break"),
        compared=compared,
        leads=leads(compared),
        year_end_month=frames.subject.year_end_month,
        printed_shares=printed_only(frames.dependence),
    )


def title(figures: KeyFigures) -> str:
    """`Quillon Browser: dependence on Lookwise group and Searchly`: a deck's or report's title."""
    return f"{figures.company}: dependence on {figures.partners}"


def headlines(frames: Frames, figures: KeyFigures) -> dict[str, str]:
    """One sentence per chart that states its finding in numbers (its registry entry's
    `headline`), cut at `HEADLINE_LIMIT`; charts without one are left out."""
    from analytics.charts import registry

    return {
        name: fit(chart.headline(frames, figures), HEADLINE_LIMIT)
        for name, chart in registry.load_all().items()
        if chart.headline is not None
    }


def fit(sentence: Sentence, limit: int) -> str:
    """A headline cut at `limit` characters (`format.label`); a (sentence, basis note) pair
    loses characters of its sentence, never of its note: a cut must not hide that a
    comparison is not like for like."""
    if isinstance(sentence, str):
        return label(sentence, limit)
    body, note = sentence
    note = label(note, limit)
    return label(body, max(limit - len(note), 0)) + note
