"""The partner's share of revenue period by period, as the key figures and headlines quote it:
disclosed shares, threshold crossings and runs of one accounting basis.

Unknown (undisclosed) values stay unknown: a gap is skipped, never read as zero, and a share that
is a lower bound (a group member undisclosed) is never read as exact. A share keeps its company's
fiscal calendar, so every text names its period as `format.format_period` does.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from analytics.charts.format import format_money, format_period, one_off_phrase
from analytics.periods import CALENDAR_YEAR_END

if TYPE_CHECKING:
    import polars as pl

#: The major-customer threshold: the one definition every crossing and its wording use.
THRESHOLD = 0.10


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
    #: The month the company's fiscal year ends in (12: calendar years), to name `period`.
    year_end_month: int = CALENDAR_YEAR_END

    @property
    def period_name(self) -> str:
        """`Q4 2013`, or `H1 FY2022` in a fiscal calendar."""
        return format_period(self.period, self.year_end_month)


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


def share_at(row: dict[str, Any], currency: str, year_end_month: int = CALENDAR_YEAR_END) -> ShareAt:
    """One `partner_dependence` row as a ShareAt, its one-offs worded."""
    one_off = None
    if row["has_one_off"]:
        one_off = one_off_phrase(
            format_money(row["one_off_revenue"], currency), row["one_off_counterparties"]
        )
    return ShareAt(
        row["period"],
        row["share_of_total_excl_one_offs"],
        row["partner_revenue"],
        row["total_revenue"],
        bool(row["share_is_lower_bound"]),
        one_off,
        row["share_of_total"] if one_off else None,
        row.get("basis"),
        year_end_month,
    )


def threshold_crossings(shares: list[ShareAt], threshold: float = THRESHOLD) -> tuple[Crossing, ...]:
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
    """The latest row with `column` known, None when it is unknown throughout."""
    known = frame.filter(frame[column].is_not_null()).sort("period_start")
    return known.row(-1, named=True) if known.height else None


def printed_only(dependence: pl.DataFrame) -> tuple[tuple[str, float], ...]:
    """The periods whose share of total revenue is known only as a printed percentage."""
    rows = dependence.filter(
        dependence["share_of_total"].is_null() & dependence["disclosed_share_of_total"].is_not_null()
    )
    return tuple(
        (r["period"], r["disclosed_share_of_total"]) for r in rows.sort("period_start").iter_rows(named=True)
    )


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


def any_true(frame: pl.DataFrame, column: str) -> bool:
    """Whether `column` exists and is true in any row."""
    return column in frame.columns and bool(frame[column].fill_null(False).any())
