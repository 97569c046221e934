"""The slide deck: a 16:9 .pptx of a company's dependence on one partner.

Figures and headlines come from `analytics.figures` (the shipped queries), charts from
`analytics.build`; the whole deck is assembled in memory and written once by `export`, so an
error (unknown name, empty range) leaves no file behind.
"""

from __future__ import annotations

import io
import re
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import export
from analytics.figures import (
    Frames,
    KeyFigures,
    format_money,
    format_period,
    format_share,
    headlines,
    key_figure_rows,
    key_figures,
    load_frames,
)

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
CHART_BOX_IN = (0.5, 1.45, 12.333, 5.25)  # left, top, width, height


def build_deck(*, company: str = "Weibo", partner: str = "Alibaba",
               from_period: str | None = None, to_period: str | None = None,
               out: Path, data_dir: Path | str | None = None) -> Path:
    """Write the deck to `out` and return it; nothing is written if anything fails."""
    frames = load_frames(company=company, partner=partner, from_period=from_period,
                         to_period=to_period, data_dir=data_dir)
    figures = key_figures(frames)
    with tempfile.TemporaryDirectory(prefix="analytics-deck-") as folder:
        chart_pngs = chart_images(frames, from_period, to_period, Path(folder), data_dir)
    content = render_deck(frames, figures, chart_pngs)
    return export.write_bytes(Path(out), content)


def chart_images(frames: Frames, from_period: str | None, to_period: str | None,
                 folder: Path, data_dir: Path | str | None) -> dict[str, bytes]:
    """Build every chart as PNG into a scratch folder and read the bytes back, in order.

    A chart that fails fails the deck: a deck missing a chart is half-written."""
    from analytics.build import ChartBuildError, build_charts

    result = build_charts(company=frames.company, partner=frames.partner,
                          from_period=from_period, to_period=to_period, formats=("png",),
                          out_dir=folder, data_dir=data_dir)
    if result.failed:
        raise ChartBuildError(result.failed)
    return {path.stem: path.read_bytes() for path in result.written if path.suffix == ".png"}


def render_deck(frames: Frames, figures: KeyFigures, chart_pngs: dict[str, bytes]) -> bytes:
    """The .pptx bytes: title slide, one slide per chart, key-figures table."""
    from pptx import Presentation as new_presentation
    from pptx.util import Inches

    deck = new_presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    add_title_slide(deck, figures)
    chart_headlines = headlines(frames, figures)
    for name, png in chart_pngs.items():
        headline = chart_headlines.get(name, name.replace("_", " ").capitalize())
        slide = add_chart_slide(deck, headline, png, footnote(frames, name))
        notes = slide.notes_slide.notes_text_frame
        assert notes is not None, "a new notes slide has a body placeholder"
        notes.text = chart_notes(name, frames, figures, headline)
    add_key_figures_slide(deck, figures)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def add_title_slide(deck: Presentation, figures: KeyFigures) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    slide.shapes.title.text = f"{figures.company}: dependence on {figures.partner}"
    slide.placeholders[1].text = (f"{format_period(figures.first_period)} – "
                                  f"{format_period(figures.last_period)} · "
                                  f"amounts in {figures.currency}")
    return slide


def add_chart_slide(deck: Presentation, headline: str, png: bytes, note: str) -> Slide:
    """Headline as title, the chart fitted into the body box, the source as a footnote."""
    from pptx.util import Inches, Pt

    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    place_title(slide, headline)
    left, top, width, height = fit_image(png)
    slide.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(top), Inches(width),
                             Inches(height))
    box = slide.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.333), Inches(0.5))
    box.text_frame.word_wrap = True
    box.text_frame.text = note
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    return slide


def place_title(slide: Slide, text: str) -> None:
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    assert title is not None, "the Title Only layout has a title placeholder"
    title.left, title.top = Inches(0.5), Inches(0.3)
    title.width, title.height = Inches(12.333), Inches(1.0)
    title.text = text
    title.text_frame.word_wrap = True
    title.text_frame.paragraphs[0].runs[0].font.size = Pt(24)


def fit_image(png: bytes) -> tuple[float, float, float, float]:
    """Largest placement of the PNG inside the chart box that keeps its aspect ratio."""
    pixel_width, pixel_height = struct.unpack(">II", png[16:24])
    left, top, box_width, box_height = CHART_BOX_IN
    scale = min(box_width / pixel_width, box_height / pixel_height)
    width, height = pixel_width * scale, pixel_height * scale
    return left + (box_width - width) / 2, top + (box_height - height) / 2, width, height


def add_key_figures_slide(deck: Presentation, figures: KeyFigures) -> Slide:
    from pptx.util import Inches, Pt

    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    place_title(slide, f"Key figures: {figures.company} and {figures.partner}")
    rows = key_figure_rows(figures)
    table = slide.shapes.add_table(len(rows) + 1, 2, Inches(0.5), Inches(1.5), Inches(12.333),
                                   Inches(0.5 * (len(rows) + 1))).table
    table.columns[0].width, table.columns[1].width = Inches(4.0), Inches(8.333)
    for row_index, (label, value) in enumerate([("Figure", "Value"), *rows]):
        for column_index, text in enumerate((label, value)):
            cell = table.cell(row_index, column_index)
            cell.text = text
            cell.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    return slide


def footnote(frames: Frames, chart: str) -> str:
    """Where the numbers come from: the chart's query and the latest disclosed period's source."""
    from analytics.charts import registry

    query = registry.get(chart).query if chart in registry.names() else "partner_dependence"
    known = frames.dependence.filter(frames.dependence["share_of_total"].is_not_null())
    latest_source = known.sort("period_start")["source"][-1] if known.height else None
    cited = re.split(r"\s*<?https?://", latest_source)[0].strip(" ;,:") if latest_source else ""
    latest = f"{cited} (latest disclosed figure); " if cited else ""
    return f"Source: {latest}every period's source is in the speaker notes. Query: {query}."


def chart_notes(chart: str, frames: Frames, figures: KeyFigures, headline: str) -> str:
    """The numbers behind a chart, one line per disclosed period, with sources."""
    if chart.startswith("growth"):
        lines = growth_lines(frames, figures.currency)
    elif chart == "concentration":
        lines = concentration_lines(frames)
    else:
        lines = dependence_lines(frames, figures.currency)
    return "\n".join([headline, "", *lines])


def dependence_lines(frames: Frames, currency: str) -> list[str]:
    rows = frames.dependence.filter(frames.dependence["share_of_total"].is_not_null())
    return [f"{format_period(r['period'])}: {frames.partner} "
            f"{format_money(r['partner_revenue'], currency)} of "
            f"{format_money(r['total_revenue'], currency)} "
            f"({format_share(r['share_of_total'], exact=True)}). Source: {r['source']}"
            for r in rows.sort("period_start").iter_rows(named=True)]


def growth_lines(frames: Frames, currency: str) -> list[str]:
    rows = frames.growth.filter(frames.growth["total_change"].is_not_null())
    return [f"{format_period(r['period'])} vs {format_period(r['prior_period'])}: total "
            f"{format_money(r['total_change'], currency)} "
            f"({format_share(r['total_yoy'], exact=True)}); {frames.partner} "
            f"{format_money(r['partner_change'], currency)}; rest "
            f"{format_money(r['rest_change'], currency)}"
            for r in rows.sort("period_start").iter_rows(named=True)]


def concentration_lines(frames: Frames) -> list[str]:
    rows = frames.concentration.filter(frames.concentration["hhi"].is_not_null())
    return [f"{format_period(r['period'])}: largest {r['top_counterparty']} "
            f"{format_share(r['top_share'], exact=True)}; HHI {r['hhi']:,.0f}"
            f"{' (lower bound)' if r['hhi_is_lower_bound'] else ''}"
            for r in rows.sort("period_start").iter_rows(named=True)]
