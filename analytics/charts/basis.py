"""Accounting bases on charts (issue 9): a line never joins two periods on different bases, a
rule labelled `ASC 606 from 2018Q1` marks the first period on each new basis, and the footnote
says which basis and publication date the figures are as of when the user chose them.

Every named query returns a `basis` per period. When all periods of a chart share one basis
nothing here adds a field, an encoding or a layer, so such a chart's spec is what it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analytics.charts import common
from analytics.charts import format as fmt
from analytics.charts.label_lanes import Label, Placed, place, text_layers
from analytics.charts.theme import COLOURS
from analytics.periods import CALENDAR_YEAR_END
from analytics.store.schema import AS_REPORTED
from analytics.store.vintages import PARAMETERS

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.registry import ChartContext
    from analytics.charts.subject import Subject

#: Columns a chart takes from its query when the query has them (every named query does).
COLUMNS = common.BASIS_COLUMNS
NOT_LIKE_FOR_LIKE = "not like for like"


@dataclass(frozen=True)
class Change:
    """The first period on a new basis: `period` (and its start, ISO) moves from `before`;
    `year_end_month` is the company's calendar, to name the period."""

    period: str
    period_start: str
    before: str
    after: str
    year_end_month: int = CALENDAR_YEAR_END

    @property
    def period_name(self) -> str:
        return fmt.format_period(self.period, self.year_end_month)

    @property
    def label(self) -> str:
        """`ASC 606 from Q1 2018`, the rule's label."""
        return f"{fmt.label(self.after)} from {self.period_name}"


def vintage_params(query_name: str, subject: Subject, *, strict: bool = True) -> dict[str, Any]:
    """The `basis` and `as_of` parameters of a named query for this subject (None: not chosen).

    A query that does not declare one is run without it; when the user chose a value that is
    an error (`strict`, the queries of figures: never a silent mix of bases or publications),
    or not (side queries such as events, which hold no figures)."""
    from analytics.errors import QueryError
    from analytics.sql import queries

    declared = {parameter.name for parameter in queries.load(query_name).parameters}
    params: dict[str, Any] = {}
    for name in PARAMETERS:
        value = getattr(subject, name)
        if name in declared:
            params[name] = value
        elif value is not None and strict:
            raise QueryError(
                f"query '{query_name}' takes no {name} parameter, so "
                f"--{name.replace('_', '-')} cannot apply to it"
            )
    return params


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("period_start") if "period_start" in frame.columns else frame


def period_bases(frame: pl.DataFrame) -> list[tuple[str, str, str | None]]:
    """(period, period start as ISO, basis) per distinct period in order; basis None where the
    query has no `basis` column or the period has no figure. A long-format frame (several rows
    per period) gives each period once, with its first known basis."""
    if not frame.height or "period" not in frame.columns:
        return []
    ordered = _sorted(frame)
    column = ordered["basis"].to_list() if "basis" in ordered.columns else [None] * ordered.height
    seen: dict[str, tuple[str, str, str | None]] = {}
    for period, start, basis in zip(
        ordered["period"].to_list(), ordered["period_start"].to_list(), column, strict=True
    ):
        known = seen.get(period)
        if known is None or (known[2] is None and basis is not None):
            seen[period] = (period, start.isoformat() if start is not None else "", basis)
    return list(seen.values())


def changes(frame: pl.DataFrame, year_end_month: int = CALENDAR_YEAR_END) -> list[Change]:
    """Every first period on a new basis, in order; a period without a basis (a gap) changes
    nothing. Periods are named in the calendar whose year ends in `year_end_month`."""
    found: list[Change] = []
    current: str | None = None
    for period, start, basis in period_bases(frame):
        if basis is None:
            continue
        if current is not None and basis != current:
            found.append(Change(period, start, current, basis, year_end_month))
        current = basis
    return found


def segments(frame: pl.DataFrame) -> dict[str, int]:
    """Period -> the number of the run of one basis it belongs to (0, 1, ...), for `detail`;
    empty when the chart holds one basis (nothing changes then)."""
    if not changes(frame):
        return {}
    runs: dict[str, int] = {}
    segment, current = 0, None
    for period, _, basis in period_bases(frame):
        if basis is not None and current is not None and basis != current:
            segment += 1
        current = basis if basis is not None else current
        runs[period] = segment
    return runs


def bases_of(frame: pl.DataFrame) -> dict[str, str]:
    """Period -> its basis as a reader sees it (`format.label`), where known."""
    return {period: fmt.label(basis) for period, _, basis in period_bases(frame) if basis is not None}


def annotate(rows: list[dict[str, Any]], frame: pl.DataFrame) -> dict[str, Any]:
    """Give each plotted row its basis run (`segment`) and basis when the frame changes basis,
    and return the encodings that keep lines apart across a change (`detail` on the run) and
    name the basis in the tooltip; with one basis, rows and encodings stay as they are."""
    runs = segments(frame)
    if not runs:
        return {}
    import altair as alt

    bases = bases_of(frame)
    for row in rows:
        row["segment"] = runs.get(row["period"], 0)
        row["basis"] = bases.get(row["period"], AS_REPORTED)
    return {"detail": alt.Detail("segment:N")}


def tooltip(rows: list[dict[str, Any]]) -> list[Any]:
    """The basis tooltip entry when `annotate` gave the rows one."""
    import altair as alt

    return [alt.Tooltip("basis:N", title="Basis")] if rows and "basis" in rows[0] else []


def label_places(ctx: ChartContext) -> dict[str, Placed]:
    """Where each basis change's label goes when the chart has no other rule labels: in lanes
    from the top of the plot, by the period the basis starts (label_lanes.place)."""
    found = changes(ctx.frame, ctx.year_end_month)
    shown = common.shown_dates(ctx.frame)
    if not found or shown is None:
        return {}
    spots = place([Label(change.period_start, change.label, bold=True) for change in found], shown)
    return {change.period: spot for change, spot in zip(found, spots, strict=True)}


def rule_layers(ctx: ChartContext, placed: Mapping[str, Placed] | None = None) -> list[Any]:
    """A vertical rule at the first period on each new basis, labelled `ASC 606 from 2018Q1`
    where `placed` says by period (default: in lanes from the top of the plot, none overlapping
    another); none when the chart holds one basis. The rule shares the chart's period axis, so
    it lies where that period's bar starts and between the two points it keeps apart."""
    import altair as alt

    found = changes(ctx.frame, ctx.year_end_month)
    if not found:
        return []
    placed = label_places(ctx) if placed is None else placed
    rows = [
        {
            "period": change.period,
            "period_start": change.period_start,
            "label": change.label,
            "y_px": placed[change.period].y_px,
            "align": placed[change.period].align,
            "detail": f"{fmt.label(change.before)} before, {fmt.label(change.after)} from "
            f"{change.period_name}: {NOT_LIKE_FOR_LIKE}",
        }
        for change in found
    ]
    axis = common.period_x(ctx)
    rule = (
        alt.Chart(common.inline(rows))
        .mark_rule(color=COLOURS["basis"], strokeWidth=1.5)
        .encode(
            x=axis,
            tooltip=[
                alt.Tooltip("label:N", title="Basis change"),
                alt.Tooltip("detail:N", title="Comparison"),
            ],
        )
    )
    return [rule, *text_layers(rows, axis, COLOURS["basis"], bold=True)]


def with_rules(chart: Any, ctx: ChartContext) -> Any:
    """`chart` with the basis rules layered over it; the chart itself when it holds one basis."""
    import altair as alt

    rules = rule_layers(ctx)
    return alt.layer(chart, *rules) if rules else chart


def notes(ctx: ChartContext, *, year_on_year: bool = False) -> list[str]:
    """Footnote lines on the basis: the one chosen (`basis: ASC 605`), the publication date
    (`as published by 2016-06-30`), the basis changes marked, and for a chart of year-on-year
    changes the periods left blank because a year earlier is on another basis."""
    chosen = [
        f"basis: {fmt.label(ctx.basis)}" if ctx.basis else "",
        f"as published by {ctx.as_of.isoformat()}" if ctx.as_of else "",
    ]
    parts = [part for part in chosen if part]
    found = changes(ctx.frame, ctx.year_end_month)
    if found:
        runs = ", ".join(change.label for change in found)
        parts.append(
            f"basis changes: {runs}, each marked by a rule: figures either side are {NOT_LIKE_FOR_LIKE}"
        )
    breaks = break_periods(ctx.frame) if year_on_year else []
    if breaks:
        parts.append(f"no change across a basis change in {span(breaks, ctx.year_end_month)}")
    if not parts:
        return []
    text = "; ".join(parts)
    return [text[0].upper() + text[1:]]


def break_periods(frame: pl.DataFrame) -> list[list[str]]:
    """Runs of consecutive periods whose year-on-year or TTM figure the query left NULL
    because it would span a basis change (`basis_break`), in order."""
    if "basis_break" not in frame.columns or not frame.height:
        return []
    runs: list[list[str]] = []
    previous = False
    for period, flagged in zip(*_distinct(frame, "basis_break"), strict=True):
        if flagged and previous:
            runs[-1].append(period)
        elif flagged:
            runs.append([period])
        previous = flagged
    return runs


def _distinct(frame: pl.DataFrame, column: str) -> tuple[list[str], list[bool]]:
    """Each period once, in order, with whether `column` is true in any of its rows."""
    flags: dict[str, bool] = {}
    ordered = _sorted(frame)
    for period, value in zip(ordered["period"].to_list(), ordered[column].to_list(), strict=True):
        flags[period] = flags.get(period, False) or bool(value)
    return list(flags), list(flags.values())


def span(runs: Iterable[list[str]], year_end_month: int = CALENDAR_YEAR_END) -> str:
    """`Q1 2014 – Q4 2014, Q1 2018`: each run of periods by its first and last."""
    return ", ".join(fmt.format_range(run[0], run[-1], year_end_month) for run in runs if run)
