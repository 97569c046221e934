"""The report: one self-contained HTML page that opens offline.

Vega, Vega-Lite and vega-embed are inlined once from vl-convert's bundle and every chart's spec
is embedded as JSON, so the page makes no request; every text is escaped (data text also
cleaned and cut by `format.label`), and the page is rendered to a string in memory and written
once by `export.write_output`, which refuses a folder or a path inside the data folder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from analytics import export
from analytics.charts.format import label
from analytics.figures import (
    Frames,
    KeyFigures,
    basis_runs,
    format_money,
    format_period,
    format_share,
    headlines,
    key_figure_rows,
    key_figures,
    load_frames,
    subtitle,
)

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.source { color: #666; font-size: .8rem; word-break: break-word; }
section.chart { margin: 2rem 0; }
@media print {
  body { margin: 0; max-width: none; }
  section.chart { break-before: page; page-break-before: always; break-inside: avoid;
                  page-break-inside: avoid; }
  section.tables { break-before: page; page-break-before: always; }
  .vega-embed summary, .vega-actions { display: none; }
}
"""

#: Characters kept of a table cell: sources, the longest legitimate texts, run to about 1,000.
CELL_LIMIT = 2000

EMBED_SCRIPT = """
const specs = JSON.parse(document.getElementById("chart-specs").textContent);
for (const [id, spec] of Object.entries(specs)) {
  vegaEmbed("#" + id, spec, {renderer: "svg", actions: false})
    .catch((error) => console.error(id, error));
}
"""


def build_report(*, company: str = "Weibo", partner: str = "Alibaba",
                 from_period: str | None = None, to_period: str | None = None,
                 out: Path, data_dir: Path | str | None = None,
                 progress: Callable[[str], None] | None = None,
                 period_kind: str | None = None, basis: str | None = None,
                 as_of: dt.date | str | None = None) -> Path:
    """Write the report to `out` and return it; nothing is written if anything fails, and an `out`
    that is a folder or lies inside the data folder is refused before any chart is rendered.
    `progress` is called with each chart's name once its spec is ready; `period_kind` None picks
    quarters when the range has quarterly totals, else fiscal years; `basis` and `as_of` go to
    every query (None: each period's latest basis, as published today)."""
    from analytics.project import data_dir as resolve_data_dir

    frames = load_frames(company=company, partner=partner, from_period=from_period,
                         to_period=to_period, data_dir=data_dir, period_kind=period_kind,
                         basis=basis, as_of=as_of)
    data_folder = resolve_data_dir(data_dir)
    export.check_output_path(out, data_folder)  # before the slow part: the charts
    figures = key_figures(frames)
    specs = chart_specs(frames, from_period, to_period, data_dir, progress)
    page = render_report(frames, figures, specs)
    return export.write_output(Path(out), page.encode("utf-8"), data_folder)


def chart_specs(frames: Frames, from_period: str | None, to_period: str | None,
                data_dir: Path | str | None,
                progress: Callable[[str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Every registered chart as a Vega-Lite spec with its data inlined (`chart_for` themes it)."""
    from analytics.build import chart_for
    from analytics.charts import registry

    specs: dict[str, dict[str, Any]] = {}
    for name in registry.names():
        specs[name] = chart_for(name, data_dir=data_dir, subject=frames.subject).to_dict()
        if progress is not None:
            progress(name)
    return specs


def render_report(frames: Frames, figures: KeyFigures, specs: dict[str, dict[str, Any]]) -> str:
    """The whole page as one string."""
    import vl_convert

    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # stub omits the default
    chart_headlines = headlines(frames, figures)
    sections = [chart_section(i, name, chart_headlines.get(name, name))
                for i, name in enumerate(specs)]
    ids = {f"chart-{i}": spec for i, spec in enumerate(specs.values())}
    title = f"{figures.company}: dependence on {figures.partner}"
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>",
        f"<script>{inline_script(bundle)}</script>",
        "</head><body>", f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">{escape(label(page_subtitle(figures), CELL_LIMIT))}</p>',
        "<h2>Key figures</h2>", key_figures_table(figures), *sections,
        '<section class="tables">', quarterly_table(frames, figures.currency),
        reconciliation_table(frames, figures.currency), "</section>",
        f'<script type="application/json" id="chart-specs">{json_for_html(ids)}</script>',
        f"<script>{EMBED_SCRIPT}</script>", "</body></html>",
    ])


def page_subtitle(figures: KeyFigures) -> str:
    return f"{subtitle(figures)} · computed from the shipped queries"


def inline_script(code: str) -> str:
    """Make JavaScript safe inside a <script> element (no early `</script`)."""
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def json_for_html(value: Any) -> str:
    """JSON that cannot close its <script> element."""
    text = json.dumps(value, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_section(index: int, name: str, headline: str) -> str:
    return (f'<section class="chart" data-chart="{escape(name)}"><h2>{escape(headline)}</h2>'
            f'<div id="chart-{index}" class="vega-chart"></div></section>')


def table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    """An escaped HTML table; columns in `numeric` are right-aligned. Each text is cleaned and
    cut at `CELL_LIMIT` characters."""
    head = "".join(f"<th>{escape(label(h, CELL_LIMIT))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if i in numeric else ""}">'
                         f"{escape(label(cell, CELL_LIMIT))}</td>"
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def key_figures_table(figures: KeyFigures) -> str:
    return table(["Figure", "Value"], [list(row) for row in key_figure_rows(figures)], set())


def quarterly_table(frames: Frames, currency: str) -> str:
    """Every period with revenue: partner, rest and total, share, TTM share (quarters only: a
    fiscal year has none), source. A lower bound reads `at least`, the rest then `at most`."""
    quarters = frames.subject.period_kind == "quarter"
    shown = frames.dependence.filter(frames.dependence["total_revenue"].is_not_null())
    with_basis = len(basis_runs(shown)) > 1 or frames.subject.basis is not None
    rows = []
    for r in shown.sort("period_start").iter_rows(named=True):
        bound = bool(r["share_is_lower_bound"])
        rest = None if r["partner_revenue"] is None else r["total_revenue"] - r["partner_revenue"]
        rest_text = format_money(rest, currency)
        ttm = [ttm_text(r)] if quarters else []
        rows.append([format_period(r["period"]),
                     format_money(r["partner_revenue"], currency, lower_bound=bound),
                     f"at most {rest_text}" if bound else rest_text,
                     format_money(r["total_revenue"], currency),
                     format_share(r["share_of_total"], exact=True, lower_bound=bound), *ttm,
                     *([str(r.get("basis") or "")] if with_basis else []),
                     ("derived: " if r["derived"] else "") + str(r["source"] or "")])
    partner = frames.subject.scope.short
    headers = ["Period", partner, f"Excluding {partner}", "Total revenue", "Share",
               *(["TTM share"] if quarters else []), *(["Basis"] if with_basis else []),
               "Source"]
    numeric = {1, 2, 3, 4, 5} if quarters else {1, 2, 3, 4}
    heading = f"{frames.subject.words.adjective} figures"
    return f"<h2>{escape(heading)}</h2>" + table(headers, rows, numeric)


def ttm_text(row: dict[str, Any]) -> str:
    """A period's TTM share; `not comparable (basis change)` where its twelve months hold two
    bases (`basis_break`: the query leaves it NULL), never `not disclosed`."""
    if row.get("basis_break") and row["ttm_share_of_total"] is None:
        return "not comparable (basis change)"
    return format_share(row["ttm_share_of_total"], exact=True,
                        lower_bound=bool(row["ttm_share_is_lower_bound"]))


def reconciliation_table(frames: Frames, currency: str) -> str:
    """Year-on-year change: partner change + change excluding the partner = total change."""
    rows = []
    for r in frames.growth.sort("period_start").iter_rows(named=True):
        if r["partner_change"] is None or r["rest_change"] is None:
            continue
        rows.append([f"{format_period(r['period'])} vs {format_period(r['prior_period'])}",
                     format_money(r["partner_change"], currency),
                     format_money(r["rest_change"], currency),
                     format_money(r["partner_change"] + r["rest_change"], currency),
                     format_money(r["total_change"], currency),
                     "yes" if r["reconciles"] else "NO"])
    partner = frames.subject.scope.short
    headers = ["Period", f"{partner} change", f"Change excluding {partner}",
               "Sum", "Total revenue change", "Reconciles"]
    intro = (f"<h2>Reconciliation</h2><p>Revenue excluding {escape(partner)} plus "
             f"{escape(partner)}'s revenue gives total revenue; year on year, the two "
             "changes add up to the change in total revenue. Only periods where the partner's "
             "revenue was disclosed in both years (not as a lower bound) can be reconciled."
             f"{escape(basis_breaks(frames))}</p>")
    empty = "<p>No period in this range has the partner's revenue a year apart.</p>"
    return intro + (table(headers, rows, {1, 2, 3, 4}) if rows else empty)


def basis_breaks(frames: Frames) -> str:
    """` Q1 2018 – Q4 2018 are not compared with a year earlier: ...` for the periods the growth
    query leaves out because the year before is on another basis; '' when there are none."""
    from analytics.charts.basis import break_periods

    runs = break_periods(frames.growth)
    if not runs:
        return ""
    spans = ", ".join(format_period(run[0]) if len(run) == 1 else
                      f"{format_period(run[0])} – {format_period(run[-1])}" for run in runs)
    return (f" {spans}: not compared with a year earlier, which is on another accounting basis "
            "(not like for like).")
