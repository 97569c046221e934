"""What a chart, deck or report is about: the company, what each partner name stands for (a
counterparty alone or a group, `partner_scope` in views.sql; several partners are compared,
the first is the subject of the charts about one partner) and the period kind, resolved once.

Charts, headlines and pages word themselves from here (`PeriodWords`), so a company that reports
only fiscal years never reads "by quarter", and a group is never titled as one counterparty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from analytics.charts.format import label
from analytics.errors import InputError, QueryError

if TYPE_CHECKING:
    from analytics.sql.session import DataSource

#: The period kinds charts, deck and report draw, in the order the automatic choice tries them.
PERIOD_KINDS = ("quarter", "half", "year")
#: The kinds with a trailing twelve months (four quarters, two halves): a fiscal year has none.
TTM_PERIOD_KINDS = ("quarter", "half")


@dataclass(frozen=True)
class PeriodWords:
    """How texts name a period kind: `noun` (quarter), `by` (by quarter), `adjective`
    (Quarterly), `prior` and `prior_revenue` (what a growth rate compares with) and the axis
    time unit (Vega-Lite has no half-year unit: halves are placed by their first month)."""

    kind: str
    noun: str
    by: str
    adjective: str
    prior: str
    prior_revenue: str
    time_unit: str


WORDS = {
    "quarter": PeriodWords(
        "quarter",
        "quarter",
        "by quarter",
        "Quarterly",
        "the same quarter a year earlier",
        "the same quarter's revenue a year earlier",
        "utcyearquarter",
    ),
    "half": PeriodWords(
        "half",
        "half-year",
        "by half-year",
        "Half-yearly",
        "the same half a year earlier",
        "the same half's revenue a year earlier",
        "utcyearmonthdate",
    ),
    "year": PeriodWords(
        "year",
        "fiscal year",
        "by fiscal year",
        "Annual",
        "the fiscal year before",
        "the revenue of the fiscal year before",
        "utcyear",
    ),
}


def words(kind: str) -> PeriodWords:
    """The words for a period kind (`quarter`, `half` or `year`)."""
    return WORDS[kind]


@dataclass(frozen=True)
class PartnerScope:
    """A partner name and what it stands for: the counterparty alone, or a group and its
    members (the partner's own name first). Names are as a reader sees them (`format.label`);
    `key` is the name as stored, the one queries bind."""

    name: str
    is_group: bool
    members: tuple[str, ...]
    key: str = ""

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
    chosen) go to every named query it runs (issue 9: which basis, as published by when).

    `partner` and `scope` are the first partner, the subject of the charts about one partner;
    `more_partners` and `more_scopes` the others compared with it (empty for one partner)."""

    company: str
    partner: str
    scope: PartnerScope
    period_kind: str
    from_period: str | None = None
    to_period: str | None = None
    basis: str | None = None
    as_of: dt.date | None = None
    more_partners: tuple[str, ...] = ()
    more_scopes: tuple[PartnerScope, ...] = ()
    #: The name titles use (`companies.display_name`) and the month its fiscal year ends in.
    display_name: str = ""
    year_end_month: int = 12

    @property
    def words(self) -> PeriodWords:
        return WORDS[self.period_kind]

    @property
    def shown_name(self) -> str:
        """The company as titles and headlines name it: its display name, else its name."""
        return self.display_name or self.company

    @property
    def partners(self) -> tuple[str, ...]:
        """Every partner name as stored, in the order given."""
        return (self.partner, *self.more_partners)

    @property
    def scopes(self) -> tuple[PartnerScope, ...]:
        """What every partner stands for, in the order given."""
        return (self.scope, *self.more_scopes)

    @property
    def several(self) -> bool:
        return bool(self.more_partners)


def and_list(names: Sequence[str]) -> str:
    """`A`, `A and B`, `A, B and C`: names in a sentence."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def partner_list(partner: str | Sequence[str]) -> tuple[str, ...]:
    """The partner names given, each once in order: one name or several; none is an error."""
    names = tuple(dict.fromkeys([partner] if isinstance(partner, str) else partner))
    if not names:
        raise InputError("no partner given: name at least one (--partner NAME)")
    return names


def check_period_kind(requested: str | None) -> None:
    """Refuse a period kind charts cannot draw, naming the ones they can (exit 2)."""
    if requested is None or requested in PERIOD_KINDS:
        return
    raise InputError(f"period kind '{requested}' is not one of {', '.join(PERIOD_KINDS)}")


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


def resolve_subject(
    company: str,
    partner: str | Sequence[str],
    from_period: str | None = None,
    to_period: str | None = None,
    period_kind: str | None = None,
    data_dir: DataSource = None,
    *,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
) -> Subject:
    """Check the scope (unknown names, bad or empty ranges fail here) and resolve each
    partner's members (`partner`: one name or several) and the period kind: the one asked for,
    else quarters when the company has a quarterly total revenue in the range, else half-years
    when it has half-year totals, else fiscal years. No total of that kind is an error.
    `data_dir` is a data folder or the command's open session."""
    check_period_kind(period_kind)
    partners = partner_list(partner)
    chosen_basis, chosen_as_of = check_basis(basis), check_as_of(as_of)
    stored = _read_stored(company, partners, from_period, to_period, data_dir)
    chosen = period_kind or next((kind for kind in PERIOD_KINDS if kind in stored.kinds), None)
    if chosen is None or chosen not in stored.kinds:
        raise QueryError(_nothing_to_plot(company, from_period, to_period, chosen, stored.kinds))
    return Subject(
        company,
        partners[0],
        stored.scopes[0],
        chosen,
        from_period,
        to_period,
        chosen_basis,
        chosen_as_of,
        partners[1:],
        stored.scopes[1:],
        stored.display_name,
        stored.year_end_month,
    )


class _Stored(NamedTuple):
    """What a subject reads from the store: each partner's scope, the company's display name
    and calendar, and the period kinds with a total revenue in the range."""

    scopes: tuple[PartnerScope, ...]
    display_name: str
    year_end_month: int
    kinds: set[str]


def _read_stored(
    company: str,
    partners: tuple[str, ...],
    from_period: str | None,
    to_period: str | None,
    data_dir: DataSource,
) -> _Stored:
    """Check the scope, then read what the subject needs on one session; the range arrives
    as dates (scope.check_scope dates it in Python), so no SQL parses a label."""
    from analytics.sql.scope import check_scope
    from analytics.sql.session import session

    with session(data_dir) as opened:
        first_day, last_day = check_scope(company, partners, from_period, to_period, opened)
        connection = opened.connection()
        scopes = tuple(_scope(connection, company, name) for name in partners)
        display_name, year_end_month = connection.sql(
            "SELECT any_value(display_name), year_end_month(any_value(fiscal_year_end)) "
            "FROM companies_of($c)",
            params={"c": company},
        ).fetchall()[0]
        kinds = {
            row[0]
            for row in connection.sql(
                "SELECT DISTINCT period_kind FROM period_revenue($c) WHERE total_revenue IS NOT NULL"
                " AND ($f IS NULL OR period_start >= $f) AND ($t IS NULL OR period_end <= $t)",
                params={"c": company, "f": first_day, "t": last_day},
            ).fetchall()
        }
    return _Stored(scopes, display_name or "", int(year_end_month), kinds)


def _scope(connection: Any, company: str, partner: str) -> PartnerScope:
    """What one partner name stands for (`partner_scope`; a name with no row stands alone)."""
    found = connection.sql(
        "SELECT is_group, member_list FROM partner_scope($c, $p)", params={"c": company, "p": partner}
    ).fetchall()
    is_group, members = found[0] if found else (False, [partner])
    return PartnerScope(label(partner), bool(is_group), tuple(label(member) for member in members), partner)


def _nothing_to_plot(
    company: str, from_period: str | None, to_period: str | None, kind: str | None, kinds: set[str]
) -> str:
    span = f"between {from_period or 'the start'} and {to_period or 'the end'}"
    if kind is None:
        return (
            f"Nothing to plot: no period of {company} {span} has a total revenue figure "
            "(ingest its `total` rows)"
        )
    other = [k for k in PERIOD_KINDS if k in kinds]
    hint = f"; it has {WORDS[other[0]].noun}s: use --period-kind {other[0]}" if other else ""
    return f"Nothing to plot: no {WORDS[kind].noun} of {company} {span} has a total revenue{hint}"
