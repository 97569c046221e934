"""Query -> chart -> export: build the deck pack (HTML, PNG, SVG, CSV per chart, and a gallery).

Every output is rendered in memory first and committed through `analytics.export`, per chart all
or nothing, under a folder lock; a chart that fails is recorded and the others still build.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics import export
from analytics.charts import registry, theme
from analytics.errors import AnalyticsError, QueryError, UnknownNameError

if TYPE_CHECKING:
    import polars as pl

FORMATS = ("html", "png", "svg", "csv")
PNG_SCALE = 2
SPEC_MARKER = "const spec = "


class ChartBuildError(AnalyticsError):
    """Some charts failed to build; the others were written. Names each failure and its cause."""

    exit_code = 6

    def __init__(self, failed: dict[str, str]) -> None:
        self.failed = failed
        causes = "; ".join(f"{name}: {cause}" for name, cause in failed.items())
        super().__init__(f"{len(failed)} chart(s) failed: {causes}")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, which charts failed and why, and the seconds spent in vl-convert."""

    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    vl_convert_seconds: float = 0.0


@dataclass(frozen=True)
class RenderedChart:
    """One chart's outputs in memory, keyed by format, plus its title for the gallery."""

    name: str
    title: str
    outputs: dict[str, bytes]
    vl_convert_seconds: float


def chart_for(name: str, *, company: str = "Weibo", partner: str = "Alibaba",
              from_period: str | None = None, to_period: str | None = None,
              data_dir: Path | str | None = None) -> Any:
    """The Altair chart `name` for a company and partner, with the project theme baked in."""
    chart, _ = _chart_and_frame(name, company, partner, from_period, to_period, data_dir)
    return chart


def _chart_and_frame(name: str, company: str, partner: str, from_period: str | None,
                     to_period: str | None, data_dir: Path | str | None,
                     ) -> tuple[Any, pl.DataFrame]:
    from analytics.api import query
    from analytics.charts.registry import ChartContext

    definition = registry.get(name)
    offered = {"company": company, "partner": partner, "from_period": from_period,
               "to_period": to_period}
    params: dict[str, Any] = {key: offered[key] for key in definition.params}
    frame = query(definition.query, data_dir, **params)
    missing = [column for column in definition.columns if column not in frame.columns]
    if missing:
        raise QueryError(f"query '{definition.query}' lacks columns chart '{name}' needs: "
                         f"{', '.join(missing)}")

    def fetch(query_name: str, **side_params: Any) -> pl.DataFrame:
        return query(query_name, data_dir, **side_params)

    context = ChartContext(frame.select(definition.columns), company, partner, fetch)
    chart = definition.build(context)
    with theme.enabled():
        spec = chart.to_dict()
    return type(chart).from_dict(spec), context.frame


def build_charts(names: list[str] | None = None, *, company: str = "Weibo",
                 partner: str = "Alibaba", from_period: str | None = None,
                 to_period: str | None = None, formats: tuple[str, ...] | list[str] = FORMATS,
                 out_dir: Path | None = None, data_dir: Path | str | None = None,
                 progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the named charts (all when None) in `formats` into `out_dir`, then the gallery."""
    from analytics.api import check_scope
    from analytics.project import charts_dir

    chosen = _check_names_and_formats(names, formats)
    check_scope(company, partner, from_period, to_period, data_dir)
    target = Path(out_dir) if out_dir is not None else charts_dir()
    written: list[Path] = []
    failed: dict[str, str] = {}
    built: list[RenderedChart] = []
    vl_seconds = 0.0
    with export.locked(target):
        for name in chosen:
            try:
                rendered = render_chart(name, formats, company=company, partner=partner,
                                        from_period=from_period, to_period=to_period,
                                        data_dir=data_dir)
                written += _commit(target, rendered)
                built.append(rendered)
                vl_seconds += rendered.vl_convert_seconds
            except Exception as error:  # a failed chart must not stop the others
                failed[name] = f"{type(error).__name__}: {error}"
            if progress is not None:
                progress(name)
        if built:
            written.append(export.write_text(target / "index.html",
                                             gallery_html(built, formats, company, partner)))
    return BuildResult(written, failed, vl_seconds)


def _check_names_and_formats(names: list[str] | None, formats: Any) -> list[str]:
    known = registry.names()
    for name in names or []:
        if name not in known:
            raise UnknownNameError("chart", name, known)
    for fmt in formats:
        if fmt not in FORMATS:
            raise UnknownNameError("format", fmt, list(FORMATS))
    return list(names) if names else known


def render_chart(name: str, formats: tuple[str, ...] | list[str] = FORMATS, *,
                 company: str = "Weibo", partner: str = "Alibaba",
                 from_period: str | None = None, to_period: str | None = None,
                 data_dir: Path | str | None = None) -> RenderedChart:
    """One chart's outputs as bytes in memory (nothing is written)."""
    import vl_convert

    chart, frame = _chart_and_frame(name, company, partner, from_period, to_period, data_dir)
    spec = chart.to_dict()
    title = _title_text(spec)
    started = time.perf_counter()
    outputs: dict[str, bytes] = {}
    if "html" in formats:
        page = vl_convert.vegalite_to_html(spec, bundle=True, renderer="svg")
        outputs["html"] = safe_html(page, title).encode("utf-8")
    if "png" in formats:
        outputs["png"] = vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)
    if "svg" in formats:
        outputs["svg"] = vl_convert.vegalite_to_svg(spec).encode("utf-8")
    seconds = time.perf_counter() - started
    if "csv" in formats:
        outputs["csv"] = frame.write_csv().encode("utf-8")
    return RenderedChart(name, title, outputs, seconds)


def _title_text(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def safe_html(page: str, title: str) -> str:
    """Make vl-convert's page safe for any label: re-encode the embedded spec so `<`, `>` and `&`
    cannot close its <script> element, and give the page an escaped <title>."""
    start = page.index(SPEC_MARKER) + len(SPEC_MARKER)
    end = page.index(";\n", start)
    spec = json.loads(page[start:end])
    encoded = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        encoded = encoded.replace(char, escape)
    page = page[:start] + encoded + page[end:]
    head = f'<meta charset="UTF-8">\n    <title>{html.escape(title)}</title>'
    return page.replace('<meta charset="UTF-8">', head, 1)


def _commit(target: Path, rendered: RenderedChart) -> list[Path]:
    return export.commit_bytes({target / f"{rendered.name}.{fmt}": content
                                for fmt, content in rendered.outputs.items()})


def gallery_html(charts: list[RenderedChart], formats: Any, company: str, partner: str) -> str:
    """An offline index page: every chart's preview and a link to each of its formats."""
    cards = "\n".join(_card(chart) for chart in charts)
    heading = html.escape(f"{company}: dependence on {partner}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{heading}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 2rem; color: #222; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr));
         gap: 1.5rem; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 1rem; border-radius: 6px; }}
figure img {{ width: 100%; height: auto; }}
figcaption a {{ margin-right: 0.8rem; }}
</style>
</head>
<body>
<h1>{heading}</h1>
<div class="grid">
{cards}
</div>
</body>
</html>
"""


def _card(chart: RenderedChart) -> str:
    name = html.escape(chart.name)
    preview = next((fmt for fmt in ("svg", "png") if fmt in chart.outputs), None)
    image = (f'<a href="{name}.{preview}"><img src="{name}.{preview}" alt="{html.escape(chart.title)}"></a>'
             if preview else "")
    links = " ".join(f'<a href="{name}.{fmt}">{fmt.upper()}</a>' for fmt in chart.outputs)
    return (f"<figure>\n<h2>{html.escape(chart.title)}</h2>\n{image}\n"
            f"<figcaption><code>{name}</code> {links}</figcaption>\n</figure>")
