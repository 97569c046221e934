"""The analyst's notebook API: a chart as an Altair object to show inline and restyle, and the
CLI's end products (chart folder, deck, report) as calls returning the paths they wrote.

Thin wrappers over `build`, `deck` and `report`, so a notebook and the CLI make the same files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.errors import UnknownNameError

CHART_PARAMS = ("from_period", "to_period", "period_kind", "basis", "as_of")


def chart(
    name: str,
    company: str = DEFAULT_COMPANY,
    partner: str = DEFAULT_PARTNER,
    *,
    data_dir: Path | str | None = None,
    **params: str | None,
) -> Any:
    """The Altair chart `name` for a company and partner, themed; `from_period` and `to_period`
    narrow its range, `period_kind` (quarter or year) overrides the automatic choice, `basis`
    and `as_of` choose the publications (every period on one basis; what was published by a
    date). It renders inline in Jupyter; restyle it with Altair's own methods."""
    from analytics.publish.build import chart_for

    for key in params:
        if key not in CHART_PARAMS:
            raise UnknownNameError("parameter", key, list(CHART_PARAMS))
    return chart_for(
        name,
        company=company,
        partner=partner,
        data_dir=data_dir,
        from_period=params.get("from_period"),
        to_period=params.get("to_period"),
        period_kind=params.get("period_kind"),
        basis=params.get("basis"),
        as_of=params.get("as_of"),
    )


def build_charts(
    names: list[str] | str | None = None,
    *,
    company: str = DEFAULT_COMPANY,
    partner: str = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    formats: tuple[str, ...] | list[str] = ("html", "png", "svg", "csv"),
    out: Path | str | None = None,
    html: str = "inline",
    data_dir: Path | str | None = None,
    period_kind: str | None = None,
    basis: str | None = None,
    as_of: date | str | None = None,
) -> list[Path]:
    """`analytics charts build`: write the charts (all when None) and the gallery; return the
    written paths. Charts that fail raise `ChartBuildError` (its `written` holds the rest)."""
    from analytics.publish.build import ChartBuildError
    from analytics.publish.build import build_charts as build

    chosen = [names] if isinstance(names, str) else names
    result = build(
        chosen,
        company=company,
        partner=partner,
        from_period=from_period,
        to_period=to_period,
        formats=tuple(formats),
        out_dir=Path(out) if out is not None else None,
        data_dir=data_dir,
        html=html,
        period_kind=period_kind,
        basis=basis,
        as_of=as_of,
    )
    if result.failed:
        raise ChartBuildError(result.failed, result.written)
    return result.written


def deck(
    *,
    company: str = DEFAULT_COMPANY,
    partner: str = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    out: Path | str = "dependence.pptx",
    editable_charts: bool = False,
    data_dir: Path | str | None = None,
    period_kind: str | None = None,
    basis: str | None = None,
    as_of: date | str | None = None,
) -> Path:
    """`analytics deck`: write the .pptx (native charts with `editable_charts`); return its path."""
    from analytics.publish.deck import build_deck

    return build_deck(
        company=company,
        partner=partner,
        from_period=from_period,
        to_period=to_period,
        out=Path(out).resolve(),
        data_dir=data_dir,
        editable_charts=editable_charts,
        period_kind=period_kind,
        basis=basis,
        as_of=as_of,
    )


def report(
    *,
    company: str = DEFAULT_COMPANY,
    partner: str = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    out: Path | str = "report.html",
    data_dir: Path | str | None = None,
    period_kind: str | None = None,
    basis: str | None = None,
    as_of: date | str | None = None,
) -> Path:
    """`analytics report`: write the self-contained HTML report; return its path."""
    from analytics.publish.report import build_report

    return build_report(
        company=company,
        partner=partner,
        from_period=from_period,
        to_period=to_period,
        out=Path(out).resolve(),
        data_dir=data_dir,
        period_kind=period_kind,
        basis=basis,
        as_of=as_of,
    )
