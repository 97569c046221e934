"""The slide deck: a 16:9 .pptx of a company's dependence on one partner, or on several compared
(the dependence chart and its notes show each; the other charts are about the first).

Figures and headlines come from `analytics.publish.key_figures` (the shipped queries), chart PNGs from
`analytics.publish.build` as bytes in memory, or from the last chart build's folder when its PNG is
exactly the picture of the same spec (`analytics.publish.reuse`); the whole deck is assembled in
memory and written once by `commit.write_output`, so an error (unknown name, empty range, a refused
--out) leaves no file.
Every text set on a slide passes `slide_text`: no control character (invalid in the XML), and
at most the limit of its place.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.charts.format import LABEL_LIMIT, label
from analytics.defaults import DEFAULT_COMPANY, DEFAULT_PARTNER
from analytics.publish.key_figures import (
    HEADLINE_LIMIT,
    Frames,
    KeyFigures,
    headlines,
    key_figure_rows,
    subtitle,
    title,
)
from analytics.publish.publication import open_publication
from analytics.store import commit

if TYPE_CHECKING:
    from pptx.presentation import Presentation
    from pptx.slide import Slide

    from analytics.publish.deck_charts import NativeChart
    from analytics.publish.reuse import BuiltPictures
    from analytics.sql.session import Session

    ChartPicture = bytes | NativeChart

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
CHART_BOX_IN = (0.5, 1.45, 12.333, 5.25)  # left, top, width, height
#: The query columns saying which basis a period is on and whether a comparison spans a change.
#: Characters kept of a footnote, a key-figures table cell and a speaker-notes line.
FOOTNOTE_LIMIT, CELL_LIMIT, NOTE_LINE_LIMIT = 300, 200, 2000


def build_deck(
    *,
    company: str = DEFAULT_COMPANY,
    partner: str | Sequence[str] = DEFAULT_PARTNER,
    from_period: str | None = None,
    to_period: str | None = None,
    out: Path,
    data_dir: Path | str | None = None,
    editable_charts: bool = False,
    progress: Callable[[str], None] | None = None,
    period_kind: str | None = None,
    basis: str | None = None,
    as_of: dt.date | str | None = None,
    built_charts: Path | None = None,
) -> Path:
    """Write the deck to `out` and return it; nothing is written if anything fails, and an `out`
    that is a folder or lies inside the data folder is refused before any chart is rendered.
    `partner` is one name or several (`--partner A --partner B`: compared in the dependence
    chart, the first the subject of the others). `editable_charts` puts native PowerPoint
    charts in place of images; `progress` is called with each chart's name once it is ready;
    `period_kind` None picks quarters when the range has quarterly totals, else half-years,
    else fiscal years; `basis` and `as_of` go to every query (None: each period's latest
    basis, as published today). Every query runs on one DuckDB session. A chart's PNG is taken
    from `built_charts` (default: the project's charts/) when a build rendered it from the same
    spec with the same renderer, else rendered."""
    from analytics.project import charts_dir
    from analytics.publish.reuse import BuiltPictures

    with open_publication(
        company=company,
        partner=partner,
        from_period=from_period,
        to_period=to_period,
        out=out,
        data_dir=data_dir,
        period_kind=period_kind,
        basis=basis,
        as_of=as_of,
    ) as opened:
        pictures = BuiltPictures.of(built_charts if built_charts is not None else charts_dir())
        charts = slide_charts(opened.frames, opened.session, editable_charts, progress, pictures)
    content = render_deck(opened.frames, opened.figures, charts)
    return commit.write_output(Path(out), content, opened.session.data_dir)


def slide_charts(
    frames: Frames,
    session: Session,
    editable: bool,
    progress: Callable[[str], None] | None = None,
    pictures: BuiltPictures | None = None,
) -> dict[str, ChartPicture]:
    """Every chart in registry order: native PowerPoint charts when `editable` (images for
    charts with no native form), else PNG images (a build's, from `pictures`, where they are
    the same picture)."""
    from analytics.charts import registry

    native: dict[str, ChartPicture] = {}
    if editable:
        from analytics.publish.deck_charts import native_charts

        native = dict(native_charts(frames, session, progress))
    rest = [name for name in registry.names() if name not in native]
    images = chart_images(frames, session, progress, rest, pictures) if rest else {}
    return {name: native[name] if name in native else images[name] for name in registry.names()}


def chart_images(
    frames: Frames,
    session: Session,
    progress: Callable[[str], None] | None = None,
    names: list[str] | None = None,
    pictures: BuiltPictures | None = None,
) -> dict[str, bytes]:
    """The charts `names` (default: all) as PNG bytes in registry order: a build's PNG from
    `pictures` when it was rendered from the very spec built here, else rendered once in memory.

    A chart that fails fails the deck: a deck missing a chart is half-written."""
    from analytics.charts import registry
    from analytics.publish.build import ChartBuildError, render_charts

    built, failed = render_charts(
        names or registry.names(),
        ("png",),
        subject=frames.subject,
        data_dir=session,
        progress=progress,
        reuse=pictures.outputs if pictures is not None else None,
    )
    if failed:
        raise ChartBuildError(failed)
    return {chart.name: chart.outputs["png"] for chart in built}


def slide_text(text: object, limit: int = LABEL_LIMIT) -> str:
    """Text as a slide may hold it: control characters out, at most `limit` characters."""
    return label(text, limit)


def render_deck(frames: Frames, figures: KeyFigures, charts: dict[str, ChartPicture]) -> bytes:
    """The .pptx bytes: title slide, one slide per chart, key-figures table."""
    from pptx import Presentation as new_presentation
    from pptx.util import Inches

    deck = new_presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    add_title_slide(deck, figures)
    chart_headlines = headlines(frames, figures)
    for name, picture in charts.items():
        headline = chart_headlines.get(name, name.replace("_", " ").capitalize())
        slide = add_chart_slide(deck, headline, picture, footnote(frames, name))
        notes = slide.notes_slide.notes_text_frame
        assert notes is not None, "a new notes slide has a body placeholder"
        notes.text = chart_notes(name, frames, figures, headline)
    add_key_figures_slide(deck, figures)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def add_title_slide(deck: Presentation, figures: KeyFigures) -> Slide:
    slide: Slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    heading = slide.shapes.title
    assert heading is not None, "the Title layout has a title placeholder"
    heading.text = slide_text(title(figures), HEADLINE_LIMIT)
    slide.placeholders[1].text = slide_text(subtitle(figures), HEADLINE_LIMIT)
    return slide


def add_chart_slide(deck: Presentation, headline: str, picture: ChartPicture, note: str) -> Slide:
    """Headline as title, the chart (an image fitted, or a native chart filling it) in the body
    box, the source as a footnote."""
    from pptx.util import Inches, Pt

    slide: Slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    place_title(slide, headline)
    if isinstance(picture, bytes):
        left, top, width, height = fit_image(picture)
        slide.shapes.add_picture(
            io.BytesIO(picture), Inches(left), Inches(top), Inches(width), Inches(height)
        )
    else:
        picture.place(slide, CHART_BOX_IN)
    box = slide.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.333), Inches(0.5))
    box.text_frame.word_wrap = True
    box.text_frame.text = slide_text(note, FOOTNOTE_LIMIT)
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    return slide


def place_title(slide: Slide, text: str) -> None:
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    assert title is not None, "the Title Only layout has a title placeholder"
    title.left, title.top = Inches(0.5), Inches(0.3)
    title.width, title.height = Inches(12.333), Inches(1.0)
    title.text = slide_text(text, HEADLINE_LIMIT)
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

    slide: Slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    place_title(slide, f"Key figures: {figures.company} and {figures.partners}")
    rows = key_figure_rows(figures)
    table = slide.shapes.add_table(
        len(rows) + 1, 2, Inches(0.5), Inches(1.5), Inches(12.333), Inches(0.5 * (len(rows) + 1))
    ).table
    table.columns[0].width, table.columns[1].width = Inches(4.0), Inches(8.333)
    for row_index, (name, value) in enumerate([("Figure", "Value"), *rows]):
        for column_index, text in enumerate((name, value)):
            cell = table.cell(row_index, column_index)
            cell.text = slide_text(text, CELL_LIMIT)
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
    subject = frames.subject
    chosen = [
        f"basis {subject.basis}" if subject.basis else "",
        f"as published by {subject.as_of.isoformat()}" if subject.as_of else "",
    ]
    vintage = ", ".join(part for part in chosen if part)
    return (
        f"Source: {latest}every period's source is in the speaker notes. Query: {query}"
        f"{f' ({vintage})' if vintage else ''}."
    )


def chart_notes(chart: str, frames: Frames, figures: KeyFigures, headline: str) -> str:
    """The numbers behind a chart (its registry entry's `notes`: one line per disclosed period,
    with sources) under its headline."""
    from analytics.charts import registry

    notes = registry.get(chart).notes if chart in registry.names() else None
    lines = notes(frames, figures) if notes is not None else []
    return "\n".join(slide_text(line, NOTE_LINE_LIMIT) for line in [headline, "", *lines])
