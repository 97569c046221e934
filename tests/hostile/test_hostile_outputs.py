"""Hostile text in the data reaching charts, decks and reports, and hostile output paths.

Families: partner names that break quoting or length, control characters in sources and event
labels, formula-like text landing in chart CSVs, a renderer that crashes on one chart, and
output paths that would overwrite the data folder or someone else's files. Hostile names and
sources are written straight into Parquet (data edited by hand, past ingest's checks), and every
command runs in a child process: before the fix some of them aborted the whole process.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from analytics.charts import names as chart_names
from analytics.charts.format import LABEL_LIMIT, SUBTITLE_LIMIT, TITLE_LIMIT, label
from analytics.project import PROJECT_ROOT
from tests.browser import render_in_chromium
from tests.conftest import copy_tables, weibo_file
from tests.hostile.conftest import assert_refused, fingerprint, run_cli

SHIPPED = PROJECT_ROOT / "data"
CHARTS = chart_names()
FORMATS = ("html", "png", "svg", "csv")
#: Widest PNG allowed (2x scale): the shipped charts are 1,680-1,800 px; an 80-character name in
#: a title adds about 900 px; before the fix a 20,000-character name made 920,000 px.
MAX_PNG_WIDTH = 3200
LONG = "L" * 20_000
PARTNERS = {
    "double_quote": 'P"q',
    "backslash_quote": 'P\\"q',
    "apostrophe_and_ampersand": "O'Brien & Co",
    "newline": "Line\nBreak",
    "script_tag": "</script><script>alert(1)</script>",
    "template_syntax": "${alert(1)} {{7*7}} %s",
    "backslashes": "C:\\path\\to\\",
    "unicode": "阿里巴巴 Ålibaba 🚀",
    "terminal_escape": "Esc\x1b[31mCo",
    "twenty_thousand_characters": LONG,
}
#: Partners whose deck failed before the fix (a chart failed, the PPTX XML refused a control
#: character, or PIL refused a 920,000 px PNG); the others already made a correct deck.
DECK_BREAKERS = ["backslash_quote", "newline", "terminal_escape", "twenty_thousand_characters"]
CONTROL_CHARACTERS = {
    "escape": "\x1b",
    "bell": "\x07",
    "vertical_tab": "\x0b",
    "form_feed": "\x0c",
    "start_of_heading": "\x01",
    "nul": "\x00",
}
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXPRESSION_KEYS = ("expr", "labelExpr", "calculate", "test", "filter")


# --- hostile data: Parquet edited by hand ------------------------------------------------------


def copy_data(folder: Path) -> Path:
    copy_tables(SHIPPED, folder)
    return folder


def edit(folder: Path, table: str, **columns: pl.Expr) -> None:
    """Rewrite some columns of a table in place, keeping the file's schema."""
    path = weibo_file(folder, table)
    frame = pl.read_parquet(path)
    frame.with_columns(**columns).cast(frame.schema).write_parquet(path)


def replaced(column: str, old: str, new: str) -> pl.Expr:
    return pl.when(pl.col(column) == old).then(pl.lit(new)).otherwise(pl.col(column))


def rename_partner(folder: Path, partner: str) -> None:
    """Alibaba becomes `partner` everywhere it is named."""
    edit(folder, "revenue", counterparty=replaced("counterparty", "Alibaba", partner))
    edit(
        folder,
        "counterparties",
        counterparty=replaced("counterparty", "Alibaba", partner),
        counterparty_group=replaced("counterparty_group", "Alibaba", partner),
    )
    edit(folder, "partnerships", partner=replaced("partner", "Alibaba", partner))


def hostile_source(char: str) -> str:
    return f"Filing{char}Co: annual report"


# --- reading what was written --------------------------------------------------------------


def png_width(content: bytes) -> int:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(content[16:20], "big")


def svg_texts(path: Path) -> list[str]:
    """Every line of text of an SVG (which must parse as XML): each <tspan> of a multi-line
    <text> (a footnote of several lines), else the <text> itself."""
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    texts = [element for element in root.iter() if element.tag.endswith("}text") or element.tag == "text"]
    return [
        line
        for element in texts
        for line in (
            [("".join(span.itertext())) for span in element if span.tag.endswith("tspan")]
            or ["".join(element.itertext())]
        )
    ]


def chart_spec(path: Path) -> dict[str, Any]:
    """The Vega-Lite spec a chart's HTML page embeds."""
    page = path.read_text(encoding="utf-8")
    start = page.index("const spec = ") + len("const spec = ")
    return json.loads(page[start : page.index(";\n", start)])


def expressions_and_tooltip_titles(node: Any) -> list[str]:
    """Every Vega expression and tooltip title in a spec: where data text would be parsed."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in EXPRESSION_KEYS and isinstance(value, str):
                found.append(value)
            if key == "tooltip":
                items = value if isinstance(value, list) else [value]
                found += [str(item.get("title", "")) for item in items if isinstance(item, dict)]
            found += expressions_and_tooltip_titles(value)
    elif isinstance(node, list):
        for item in node:
            found += expressions_and_tooltip_titles(item)
    return found


def assert_no_expression_holds(spec: dict[str, Any], name: str) -> None:
    for text in expressions_and_tooltip_titles(spec):
        assert name not in text and label(name) not in text, text[:200]


def strings(node: Any) -> list[str]:
    """Every string in a JSON value (before any JSON escaping could hide a control character)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for item in node for text in strings(item)]
    return []


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def deck_texts(path: Path) -> tuple[list[str], list[str], list[bytes]]:
    """Slide titles, every other text (shapes, table cells, notes) and the pictures of a deck."""
    from pptx import Presentation

    deck = Presentation(str(path))
    titles, texts, pictures = [], [], []
    for slide in deck.slides:
        titles.append(slide.shapes.title.text)
        for shape in slide.shapes:
            if shape.shape_type == 13:  # MSO_SHAPE_TYPE.PICTURE
                pictures.append(shape.image.blob)
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return titles, texts, pictures


def report_specs(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>', page, re.S)
    assert found, "the report embeds no chart specs"
    return json.loads(found.group(1))


def visible_text(page: str) -> str:
    """A page without its scripts (the specs there carry data values no one sees)."""
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.S | re.I)


def no_leftovers(folder: Path) -> list[str]:
    return [
        p.name for p in folder.rglob("*") if p.name.startswith("analytics-deck-") or p.name.endswith(".tmp")
    ]


# --- one hostile data folder per case, built once ----------------------------------------------


@dataclass
class Case:
    """A data folder with one hostile edit, and the commands' results, each run once."""

    root: Path
    partner: str = "Alibaba"
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def run(self, command: str, *args: str, env: dict[str, str] | None = None) -> Any:
        """`analytics <command> --partner P ...` in a child process, temp files kept under the
        case's own TMPDIR so leftovers can be counted."""
        key = " ".join((command, *args))
        if key not in self.results:
            temp = self.root / "tmp"
            temp.mkdir(exist_ok=True)
            words = command.split()
            self.results[key] = run_cli(
                *words,
                "--partner",
                self.partner,
                *args,
                data_dir=self.data,
                env={"TMPDIR": str(temp), **(env or {})},
            )
        return self.results[key]

    def build(self) -> Any:
        return self.run("charts build", "--out", str(self.root / "charts"))

    def deck(self) -> Any:
        return self.run("deck", "--out", str(self.root / "deck.pptx"))

    def report(self) -> Any:
        return self.run("report", "--out", str(self.root / "report.html"))


@pytest.fixture(scope="module", params=list(PARTNERS), ids=list(PARTNERS))
def partner_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    case = Case(tmp_path_factory.mktemp(request.param), PARTNERS[request.param])
    rename_partner(copy_data(case.data), case.partner)
    return case


@pytest.fixture(scope="module", params=list(CONTROL_CHARACTERS), ids=list(CONTROL_CHARACTERS))
def source_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, str]:
    char = CONTROL_CHARACTERS[request.param]
    case = Case(tmp_path_factory.mktemp(request.param))
    edit(copy_data(case.data), "revenue", source=pl.lit(hostile_source(char)))
    return case, char


def assert_every_chart_built(case: Case, result: Any) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for name in CHARTS:
        for ext in FORMATS:
            assert (case.root / "charts" / f"{name}.{ext}").stat().st_size > 0, (name, ext)
    assert (case.root / "charts" / "index.html").exists()


# --- partner names ----------------------------------------------------------------------------


def test_every_chart_builds_for_a_hostile_partner_with_its_name_cut_and_never_in_an_expression(
    partner_case: Case,
) -> None:
    assert_every_chart_built(partner_case, partner_case.build())
    charts = partner_case.root / "charts"
    shown = label(partner_case.partner)
    for name in CHARTS:
        assert png_width((charts / f"{name}.png").read_bytes()) <= MAX_PNG_WIDTH, name
        texts = svg_texts(charts / f"{name}.svg")
        assert all(len(text) <= SUBTITLE_LIMIT for text in texts), name
        assert not any(CONTROL.search(text) or "L" * LABEL_LIMIT in text for text in texts), name
        spec = chart_spec(charts / f"{name}.html")
        assert_no_expression_holds(spec, partner_case.partner)
        assert len(spec["title"]["text"]) <= TITLE_LIMIT, name
    assert any(shown in text for text in svg_texts(charts / "partner_vs_rest.svg"))
    assert "<script>alert(1)" not in (charts / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("partner_case", DECK_BREAKERS, indirect=True)
def test_the_deck_builds_for_a_hostile_partner_with_its_name_cleaned_and_cut(partner_case: Case) -> None:
    result = partner_case.deck()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(partner_case.root / "deck.pptx")
    titles, texts, pictures = deck_texts(partner_case.root / "deck.pptx")
    shown = label(partner_case.partner)
    assert titles[0] == f"Weibo: dependence on {shown}"
    assert len(pictures) == len(CHARTS)
    assert all(png_width(picture) <= MAX_PNG_WIDTH for picture in pictures)
    assert any(shown in text for text in texts)
    assert not any(CONTROL.search(text) for text in titles + texts)
    assert "L" * LABEL_LIMIT not in "".join(titles + texts)
    assert no_leftovers(partner_case.root) == []


def test_the_report_shows_a_hostile_partner_escaped_and_cut_and_never_in_an_expression(
    partner_case: Case,
) -> None:
    result = partner_case.report()
    assert result.returncode == 0, result.stderr
    page = (partner_case.root / "report.html").read_text(encoding="utf-8")
    shown = label(partner_case.partner)
    assert f"<h1>Weibo: dependence on {html.escape(shown)}</h1>" in page
    specs = report_specs(page)
    assert len(specs) == len(CHARTS)
    for spec in specs.values():
        assert_no_expression_holds(spec, partner_case.partner)
    assert "<script>alert(1)" not in page
    assert "L" * LABEL_LIMIT not in visible_text(page)


@pytest.mark.browser
@pytest.mark.parametrize("partner_case", ["backslash_quote", "newline"], indirect=True)
def test_a_hostile_partners_chart_page_renders_offline_without_errors(partner_case: Case) -> None:
    assert partner_case.build().returncode == 0
    dom, console_errors = render_in_chromium(partner_case.root / "charts" / "partner_dependence.html")
    assert 'class="marks"' in dom
    assert console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("partner_case", ["backslash_quote"], indirect=True)
def test_a_hostile_partners_report_renders_every_chart_offline(partner_case: Case) -> None:
    assert partner_case.report().returncode == 0
    dom, console_errors = render_in_chromium(partner_case.root / "report.html")
    assert dom.count('class="marks"') >= len(CHARTS)
    assert console_errors == []


# --- control characters in sources and event labels ---------------------------------------------


def test_a_control_character_in_a_source_costs_no_chart_and_is_shown_as_a_space(
    source_case: tuple[Case, str],
) -> None:
    case, _ = source_case
    assert_every_chart_built(case, case.build())
    footnote = " ".join(svg_texts(case.root / "charts" / "partner_dependence.svg"))
    assert "Filing Co" in footnote
    for name in CHARTS:
        assert not any(CONTROL.search(t) for t in svg_texts(case.root / "charts" / f"{name}.svg"))
    assert no_leftovers(case.root) == []


def test_the_deck_survives_a_control_character_in_a_source_and_leaves_no_temp_folder(
    source_case: tuple[Case, str],
) -> None:
    case, char = source_case
    result = case.deck()
    assert result.returncode == 0, result.stderr
    titles, texts, pictures = deck_texts(case.root / "deck.pptx")
    assert len(pictures) == len(CHARTS)
    assert any("Filing Co" in text for text in texts)
    assert not any(char in text for text in titles + texts)
    assert no_leftovers(case.root) == []


def test_the_report_shows_a_source_with_a_control_character_cleaned(source_case: tuple[Case, str]) -> None:
    case, char = source_case
    result = case.report()
    assert result.returncode == 0, result.stderr
    page = (case.root / "report.html").read_text(encoding="utf-8")
    assert "Filing Co: annual report" in page
    assert hostile_source(char) not in page
    assert not any(CONTROL.search(text) for text in strings(report_specs(page)))


@pytest.mark.parametrize(
    "event_label",
    [LONG, "Deal\x1b]0;pwned\x07 signed"],
    ids=["twenty_thousand_characters", "terminal_escape"],
)
def test_a_hostile_event_label_is_cut_and_cleaned_on_the_dependence_chart(
    event_label: str, tmp_path: Path
) -> None:
    case = Case(tmp_path)
    edit(copy_data(case.data), "events", label=pl.lit(event_label))
    result = case.run(
        "charts build", "partner_dependence", "--format", "png,svg", "--out", str(tmp_path / "charts")
    )
    assert result.returncode == 0, result.stderr
    assert png_width((tmp_path / "charts" / "partner_dependence.png").read_bytes()) <= MAX_PNG_WIDTH
    texts = svg_texts(tmp_path / "charts" / "partner_dependence.svg")
    assert all(len(text) <= LABEL_LIMIT for text in texts if text.startswith(("L", "Deal")))
    assert not any(CONTROL.search(text) for text in texts)


# --- formula-like text in chart CSVs --------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_in_a_source_is_neutralised_in_every_chart_csv(
    formula: str, tmp_path: Path, cli: Any
) -> None:
    data = copy_data(tmp_path / "edited")
    for table in ("revenue", "reported_totals"):
        edit(data, table, source=pl.lit(formula))
    result = cli("charts", "build", "--format", "csv", "--out", str(tmp_path / "charts"), data=data)
    assert result.exit_code == 0, result.stderr
    for name in CHARTS:
        sources = [row["source"] for row in csv_rows(tmp_path / "charts" / f"{name}.csv")]
        assert any(cell.startswith("'" + formula) for cell in sources), name
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in sources), name
    growth = csv_rows(tmp_path / "charts" / "growth_bridge.csv")
    assert any(row["total_change"].startswith("-") for row in growth), "numbers untouched"


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_as_a_stream_name_is_neutralised_in_the_chart_csv(
    formula: str, tmp_path: Path, cli: Any
) -> None:
    data = copy_data(tmp_path / "edited")
    for table in ("revenue", "reported_totals"):
        edit(data, table, stream=replaced("stream", "value_added_services", formula))
    result = cli(
        "charts",
        "build",
        "revenue_by_source",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "charts"),
        data=data,
    )
    assert result.exit_code == 0, result.stderr
    streams = {row["stream"] for row in csv_rows(tmp_path / "charts" / "revenue_by_source.csv")}
    assert "'" + formula in streams and formula not in streams


# --- a renderer crash costs one chart ----------------------------------------------------------


def test_a_renderer_crash_fails_only_that_chart_and_names_it(tmp_path: Path) -> None:
    case = Case(tmp_path)
    copy_data(case.data)
    result = case.run(
        "charts build",
        "--out",
        str(tmp_path / "charts"),
        env={"ANALYTICS_FAULT_RENDERER_CRASH": "revenue_mix"},
    )
    assert result.returncode == 6, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert "revenue_mix" in line and "renderer crashed" in line
    for name in CHARTS:
        written = [(tmp_path / "charts" / f"{name}.{ext}").exists() for ext in FORMATS]
        assert written == [name != "revenue_mix"] * len(FORMATS), name
    assert no_leftovers(tmp_path) == []


def test_a_renderer_crash_fails_the_deck_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    case = Case(tmp_path)
    copy_data(case.data)
    result = case.run(
        "deck", "--out", str(tmp_path / "deck.pptx"), env={"ANALYTICS_FAULT_RENDERER_CRASH": "growth_bridge"}
    )
    assert_refused(result, 6, "growth_bridge", "renderer crashed")
    assert not (tmp_path / "deck.pptx").exists()
    assert no_leftovers(tmp_path) == []


# --- output paths -----------------------------------------------------------------------------


@pytest.mark.parametrize("inside", ["charts", "."])
def test_charts_out_inside_the_data_folder_is_refused(inside: str, untouched: Path, cli: Any) -> None:
    out = untouched / inside
    result = cli("charts", "build", "partner_vs_rest", "--format", "csv", "--out", str(out))
    assert_refused(result, 2, "data folder")
    assert not (untouched / "charts").exists()


def test_charts_out_with_a_foreign_index_html_is_refused(tmp_path: Path, cli: Any) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>my own site</body></html>", encoding="utf-8")
    before = fingerprint(site)
    result = cli("charts", "build", "partner_vs_rest", "--format", "csv", "--out", str(site))
    line = assert_refused(result, 2, "index.html", "not written by analytics")
    assert str(site / "index.html") in line
    assert fingerprint(site) == before


def test_charts_out_naming_a_file_is_refused(tmp_path: Path, cli: Any) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    result = cli("charts", "build", "partner_vs_rest", "--format", "csv", "--out", str(target))
    assert_refused(result, 2, "not a folder")
    assert target.read_text(encoding="utf-8") == "mine"


def test_a_gallery_this_tool_wrote_is_marked_and_rebuilt(tmp_path: Path, cli: Any) -> None:
    out = tmp_path / "charts"
    for _ in range(2):
        result = cli("charts", "build", "partner_vs_rest", "--format", "csv", "--out", str(out))
        assert result.exit_code == 0, result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta name="generator" content="analytics charts">' in index


@pytest.mark.parametrize("command", ["deck", "report"])
def test_deck_and_report_out_a_folder_is_refused_and_leaves_no_temp_file(
    command: str, tmp_path: Path, cli: Any
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = cli(command, "--out", str(folder))
    assert_refused(result, 2, "folder")
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("command", ["deck", "report"])
def test_deck_and_report_out_inside_the_data_folder_is_refused(
    command: str, untouched: Path, cli: Any
) -> None:
    result = cli(command, "--out", str(untouched / f"{command}.out"))
    assert_refused(result, 2, "data folder")
