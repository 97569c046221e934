"""The chart registry: a dict of frozen dataclasses filled by the `chart` decorator.

An entry owns everything about its chart: the query it reads and the columns it needs (so a test
can check every chart against its query without building it), the headline its slide and report
section open with, and its slide's speaker notes; adding a chart is adding one module to
`CHART_MODULES`. Chart modules are imported on first lookup.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analytics.errors import UnknownNameError

if TYPE_CHECKING:
    import polars as pl

    from analytics.charts.subject import PartnerScope, PeriodWords
    from analytics.publish.key_figures import Frames, KeyFigures

#: A headline: a sentence, or a sentence and the basis note a cut must keep (`key_figures.fit`).
Sentence = str | tuple[str, str]
#: What a chart says in words, from the deck's and report's frames and key figures.
Headline = Callable[["Frames", "KeyFigures"], Sentence]
Notes = Callable[["Frames", "KeyFigures"], list[str]]

CHART_MODULES = ("dependence", "revenue", "revenue_mix", "growth", "concentration")


@dataclass(frozen=True)
class ChartContext:
    """What a chart function gets: its query result, the subject, and a way to read side queries
    (events, partnerships) with the same company, partner and data folder.

    `company` and `partner` are the names as a reader sees them (`format.label`: cleaned, cut to
    `LABEL_LIMIT`), so chart code can show them as they are; `fetch` binds the real names itself.
    `partner` is short (`Orchard group` for a group), `partner_title` says what it stands for
    (`Orchard group: Orchard Retail, Orchard Pay`); `period_kind` is `quarter`, `half` or
    `year`; `basis` and `as_of` are what the user chose (None: not chosen), for the footnote.
    `scopes` are every partner compared, in order, for a chart that draws several
    (`several_partners`) when more than one was given; empty otherwise. `company` is the name
    titles use (`companies.display_name`, else the company).
    """

    frame: pl.DataFrame
    company: str
    partner: str
    fetch: Callable[..., pl.DataFrame]
    period_kind: str = "quarter"
    partner_title: str = ""
    basis: str | None = None
    as_of: dt.date | None = None
    scopes: tuple[PartnerScope, ...] = ()
    #: The month the company's fiscal year ends in (12: calendar years), for the time axis.
    year_end_month: int = 12

    @property
    def words(self) -> PeriodWords:
        """How this chart's texts name its periods (quarter, fiscal year)."""
        from analytics.charts.subject import words

        return words(self.period_kind)

    @property
    def title_partner(self) -> str:
        return self.partner_title or self.partner


PARAMS = ("company", "partner", "period_kind", "from_period", "to_period")


@dataclass(frozen=True)
class ChartDef:
    """One registered chart: its name, the query it reads, the columns it needs, and the column
    without which it has nothing to plot (`requires`: all NULL in the range is an error).
    A chart with `several_partners` gets every partner given (its query takes a list); any
    other is about the first partner. `headline` states its finding in numbers and `notes` are
    the lines behind it (one per period, with sources) for its slide's speaker notes."""

    name: str
    query: str
    columns: tuple[str, ...]
    build: Callable[[ChartContext], Any]
    params: tuple[str, ...] = PARAMS
    description: str = field(default="")
    requires: str = "total_revenue"
    several_partners: bool = False
    headline: Headline | None = None
    notes: Notes | None = None


CHARTS: dict[str, ChartDef] = {}


def chart(
    name: str,
    *,
    query: str,
    columns: tuple[str, ...],
    params: tuple[str, ...] = PARAMS,
    requires: str = "total_revenue",
    several_partners: bool = False,
    headline: Headline | None = None,
    notes: Notes | None = None,
) -> Callable[[Callable[[ChartContext], Any]], Callable[[ChartContext], Any]]:
    """Register the decorated function as chart `name` reading `query`, worded by `headline`
    and `notes`."""

    def register(build: Callable[[ChartContext], Any]) -> Callable[[ChartContext], Any]:
        doc = (build.__doc__ or "").strip().splitlines()
        CHARTS[name] = ChartDef(
            name,
            query,
            columns,
            build,
            params,
            doc[0] if doc else "",
            requires,
            several_partners,
            headline,
            notes,
        )
        return build

    return register


def load_all() -> dict[str, ChartDef]:
    """Every chart, in the order of `CHART_MODULES` and, within a module, of its definitions
    (importing the chart modules on first call): the order holds whichever chart module a
    caller happened to import first."""
    for module in CHART_MODULES:
        importlib.import_module(f"analytics.charts.{module}")
    return dict(sorted(CHARTS.items(), key=lambda item: _module_position(item[1])))


def _module_position(definition: ChartDef) -> int:
    """Where the module defining a chart stands in `CHART_MODULES` (any other module: last);
    the sort is stable, so a module's charts keep the order they were defined in."""
    module = definition.build.__module__.rpartition(".")[2]
    return CHART_MODULES.index(module) if module in CHART_MODULES else len(CHART_MODULES)


def get(name: str) -> ChartDef:
    """The chart called `name`; an unknown name is an error listing the known ones."""
    charts = load_all()
    if name not in charts:
        raise UnknownNameError("chart", name, list(charts))
    return charts[name]


def names() -> list[str]:
    """Names of every chart, in registration order."""
    return list(load_all())
