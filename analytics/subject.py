"""What a chart, deck or report is about: the company, what the partner name stands for (a
counterparty alone or a group, `partner_scope` in views.sql) and the period kind, resolved once.

Charts, headlines and pages word themselves from here (`PeriodWords`), so a company that reports
only fiscal years never reads "by quarter", and a group is never titled as one counterparty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from analytics.charts.format import label
from analytics.errors import InputError, QueryError

#: The period kinds charts, deck and report draw. Half-years are not implemented yet.
PERIOD_KINDS = ("quarter", "year")


@dataclass(frozen=True)
class PeriodWords:
    """How texts name a period kind: `noun` (quarter), `by` (by quarter), `adjective`
    (Quarterly), `prior` and `prior_revenue` (what a growth rate compares with) and the axis
    time unit."""

    kind: str
    noun: str
    by: str
    adjective: str
    prior: str
    prior_revenue: str
    time_unit: str


WORDS = {
    "quarter": PeriodWords("quarter", "quarter", "by quarter", "Quarterly",
                           "the same quarter a year earlier",
                           "the same quarter's revenue a year earlier", "utcyearquarter"),
    "year": PeriodWords("year", "fiscal year", "by fiscal year", "Annual",
                        "the fiscal year before", "the revenue of the fiscal year before",
                        "utcyear"),
}


def words(kind: str) -> PeriodWords:
    """The words for a period kind (`quarter` or `year`)."""
    return WORDS[kind]


@dataclass(frozen=True)
class PartnerScope:
    """A partner name and what it stands for: the counterparty alone, or a group and its
    members (the partner's own name first). Names are as a reader sees them (`format.label`)."""

    name: str
    is_group: bool
    members: tuple[str, ...]

    @property
    def short(self) -> str:
        """`Alibaba`, or `Nimbus Group` / `Orchard group` for a group (never 'Group group')."""
        if not self.is_group or self.name.lower().split()[-1:] == ["group"]:
            return self.name
        return f"{self.name} group"

    @property
    def title(self) -> str:
        """`Alibaba`, or for a group its members: `Orchard group: Orchard Retail, Orchard Pay`."""
        return f"{self.short}: {', '.join(self.members)}" if self.is_group else self.name


@dataclass(frozen=True)
class Subject:
    """The resolved scope of one chart set, deck or report; `basis` and `as_of` (None: not
    chosen) go to every named query it runs (issue 9: which basis, as published by when)."""

    company: str
    partner: str
    scope: PartnerScope
    period_kind: str
    from_period: str | None = None
    to_period: str | None = None
    basis: str | None = None
    as_of: dt.date | None = None

    @property
    def words(self) -> PeriodWords:
        return WORDS[self.period_kind]


def check_period_kind(requested: str | None) -> None:
    """Refuse a period kind charts cannot draw, naming the ones they can (exit 2)."""
    if requested is None or requested in PERIOD_KINDS:
        return
    hint = " (half-years are not implemented yet)" if requested.startswith("half") else ""
    raise InputError(f"period kind '{requested}' is not one of {', '.join(PERIOD_KINDS)}{hint}")


def check_as_of(value: dt.date | str | None) -> dt.date | None:
    """`--as-of` as a date: a `YYYY-MM-DD` text or a date; anything else is refused (exit 2)."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    try:
        if len(text) == 10:  # fromisoformat also takes 20160630 and 2016-W26
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InputError(f"as-of date '{value}' is not a date as YYYY-MM-DD (e.g. 2016-06-30)")


def check_basis(value: str | None) -> str | None:
    """`--basis` as given; an empty text is refused (exit 2): leave the option out instead."""
    if value is not None and not value.strip():
        raise InputError("basis is empty: give a basis such as 'ASC 605', or leave --basis out")
    return value


def resolve_subject(company: str, partner: str, from_period: str | None = None,
                    to_period: str | None = None, period_kind: str | None = None,
                    data_dir: Path | str | None = None, *, basis: str | None = None,
                    as_of: dt.date | str | None = None) -> Subject:
    """Check the scope (unknown names, bad or empty ranges fail here) and resolve the partner's
    members and the period kind: the one asked for, else quarters when the company has a
    quarterly total revenue in the range, else fiscal years. No total of that kind is an error."""
    from analytics.api import check_scope
    from analytics.engine import connect

    check_period_kind(period_kind)
    chosen_basis, chosen_as_of = check_basis(basis), check_as_of(as_of)
    check_scope(company, partner, from_period, to_period, data_dir)
    connection = connect(data_dir)
    try:
        scope = connection.sql(
            "SELECT is_group, member_list FROM partner_scope($c, $p)",
            params={"c": company, "p": partner}).fetchall()
        kinds = {row[0] for row in connection.sql(
            "SELECT DISTINCT period_kind FROM period_revenue($c) WHERE total_revenue IS NOT NULL"
            " AND ($f IS NULL OR period_start >= period_start_of($f))"
            " AND ($t IS NULL OR period_end <= period_end_of($t))",
            params={"c": company, "f": from_period, "t": to_period}).fetchall()}
    finally:
        connection.close()
    chosen = period_kind or next((kind for kind in PERIOD_KINDS if kind in kinds), None)
    if chosen is None or chosen not in kinds:
        raise QueryError(_nothing_to_plot(company, from_period, to_period, chosen, kinds))
    is_group, members = scope[0] if scope else (False, [partner])
    partner_scope = PartnerScope(label(partner), bool(is_group),
                                 tuple(label(member) for member in members))
    return Subject(company, partner, partner_scope, chosen, from_period, to_period,
                   chosen_basis, chosen_as_of)


def _nothing_to_plot(company: str, from_period: str | None, to_period: str | None,
                     kind: str | None, kinds: set[str]) -> str:
    span = f"between {from_period or 'the start'} and {to_period or 'the end'}"
    if kind is None:
        return (f"Nothing to plot: no period of {company} {span} has a total revenue figure "
                "(ingest its `total` rows)")
    other = [k for k in PERIOD_KINDS if k in kinds]
    hint = f"; it has {WORDS[other[0]].noun}s: use --period-kind {other[0]}" if other else ""
    return f"Nothing to plot: no {WORDS[kind].noun} of {company} {span} has a total revenue{hint}"
