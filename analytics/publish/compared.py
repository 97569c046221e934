"""Several partners compared (`--partner A --partner B`): what happened to each one's share of
revenue, and who was the largest partner when, for the deck's and the report's key figures and
the dependence chart's headline.

A period ranks the partners only where at least two shares are known and no lower bound could
hide a larger share than the leader's (a lower bound is at least, not exactly, its value); the
other periods are skipped like gaps, never read as a change of leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics.publish.key_figures import (
    THRESHOLD,
    ShareAt,
    format_share,
    share_at,
    share_text,
    when,
)

if TYPE_CHECKING:
    from analytics.publish.key_figures import Frames, KeyFigures

#: Lead changes a headline names one by one; more are counted.
NAMED_LEADS = 3


@dataclass(frozen=True)
class PartnerShares:
    """One partner's known shares of revenue in the range: `name` short (`Lookwise group`),
    `title` with a group's members."""

    name: str
    title: str
    shares: tuple[ShareAt, ...]

    @property
    def first_known(self) -> ShareAt | None:
        return self.shares[0] if self.shares else None

    @property
    def latest(self) -> ShareAt | None:
        return self.shares[-1] if self.shares else None


@dataclass(frozen=True)
class Lead:
    """The largest partner of a period where the lead changed (or the first ranked period):
    `leader` and its share, and `behind`, the previous leader (or the runner-up at the start)."""

    period: str
    leader: str
    share: ShareAt
    behind: str
    behind_share: ShareAt
    again: bool = False


def partner_shares(frames: Frames) -> tuple[PartnerShares, ...]:
    """Every partner's known shares, in the order given (empty for one partner)."""
    if frames.compared is None:
        return ()
    rows = frames.compared.sort("period_start")
    found = []
    for key, scope in zip(frames.subject.partners, frames.subject.scopes, strict=True):
        mine = rows.filter(rows["partner"] == key).to_dicts()
        found.append(
            PartnerShares(
                scope.short,
                scope.title,
                tuple(
                    share_at(row, frames.currency, frames.subject.year_end_month)
                    for row in mine
                    if row["share_of_total_excl_one_offs"] is not None
                ),
            )
        )
    return tuple(found)


def leads(compared: tuple[PartnerShares, ...]) -> tuple[Lead, ...]:
    """The first ranked period's leader, then every period where another partner leads and the
    previous leader's share is known (so the lead is known to have changed)."""
    by_period: dict[str, dict[str, ShareAt]] = {}
    for partner in compared:
        for share in partner.shares:
            by_period.setdefault(share.period, {})[partner.name] = share
    found: list[Lead] = []
    for period in sorted(by_period):  # labels of one kind sort as their periods do
        shares = by_period[period]
        ranked = sorted(shares.items(), key=lambda item: item[1].share, reverse=True)
        if (
            len(ranked) < 2
            or any(share.lower_bound for _, share in ranked[1:])
            or ranked[0][1].share == ranked[1][1].share
        ):
            continue
        leader, share = ranked[0]
        if found and (found[-1].leader == leader or found[-1].leader not in shares):
            continue  # the same leader, or the one it would overtake is not known then
        behind = found[-1].leader if found else ranked[1][0]
        found.append(
            Lead(period, leader, share, behind, shares[behind], any(lead.leader == leader for lead in found))
        )
    return tuple(found)


def headline(figures: KeyFigures) -> str:
    """`Lookwise group led with 80% of revenue in 2020; Searchly took the lead in 2021 (40% vs
    38%); Lookwise group led again in 2023 (85% vs 2.7%)`."""
    from analytics.charts.subject import and_list, words

    found = figures.leads
    names = and_list([partner.name for partner in figures.compared])
    if not found:
        return f"No {words(figures.period_kind).noun} in this range discloses the shares of {names} together"
    first = found[0]
    if len(found) == 1:
        ahead, behind = _versus(first)
        return (
            f"{first.leader} led throughout: {ahead} of revenue vs {first.behind} {behind} "
            f"{when(first.share)}"
        )
    opening = (
        f"{first.leader} led with {share_text(first.share)} of revenue "
        f"{when(first.share, ends_sentence=False)}"
    )
    changes = [_change(lead) for lead in found[1:]]
    if len(changes) > NAMED_LEADS:
        last = found[-1]
        changes = [
            f"the lead changed {len(changes)} times",
            f"{last.leader} led {when(last.share)} ({' vs '.join(_versus(last))})",
        ]
    return "; ".join([opening, *changes])


def _change(lead: Lead) -> str:
    verb = "led again" if lead.again else "took the lead"
    return f"{lead.leader} {verb} in {lead.share.period_name} ({' vs '.join(_versus(lead))})"


def _versus(lead: Lead) -> tuple[str, str]:
    """The leader's and the one behind's shares, with the decimals it takes to tell them
    apart (40% and 38%, never 40% and 40%)."""
    from analytics.publish.headlines import distinct_shares

    return distinct_shares(lead.share, lead.behind_share)


def key_figure_rows(figures: KeyFigures, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The key figures `rows` for several partners: each one's shares and who led when, in
    place of the first partner's latest and peak share; the rows left name the first partner."""
    first, threshold = figures.partner, format_share(THRESHOLD)
    named = {
        "Latest trailing-twelve-month share": f"Latest {first} trailing-twelve-month share",
        f"{threshold} threshold crossings": f"{first} {threshold} threshold crossings",
    }
    kept = [
        (named.get(name, name), value)
        for name, value in rows
        if name not in (f"Latest {first} share of revenue", "Peak share")
    ]
    groups = [("Partner", p.title) for p in figures.compared if p.title != p.name]
    return [kept[0], *groups, *_partner_rows(figures), *kept[1:]]


def _partner_rows(figures: KeyFigures) -> list[tuple[str, str]]:
    """Each partner's first, latest and peak share, and who led when."""
    found = [(f"{partner.name} share of revenue", _story(partner)) for partner in figures.compared]
    if figures.leads:
        found.append(
            (
                "Largest partner",
                "; ".join(
                    f"{lead.leader} from {lead.share.period_name} ({share_text(lead.share)})"
                    for lead in figures.leads
                ),
            )
        )
    return found


def _story(partner: PartnerShares) -> str:
    """`80% in 2020 to 85% in 2023; low 11% in 2022`, or `not disclosed`: from the first to the
    latest share, with the peak and the low in between when they pass both ends."""
    first, latest = partner.first_known, partner.latest
    if first is None or latest is None:
        return "not disclosed"
    story = f"{share_text(first)} {when(first, ends_sentence=False)}"
    if latest.period != first.period:
        story += f" to {share_text(latest)} {when(latest, ends_sentence=False)}"
    ends = (first.share, latest.share)
    peak = max(partner.shares, key=lambda share: share.share)
    low = min(partner.shares, key=lambda share: share.share)
    for word, at, beyond in (("peak", peak, peak.share > max(ends)), ("low", low, low.share < min(ends))):
        if beyond:
            story += f"; {word} {share_text(at)} {when(at, ends_sentence=False)}"
    return story
