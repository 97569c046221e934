"""Period names and figures as people read them (issue 13, "One source of truth"): one
`format_period` names every period in the company's calendar (Marlow's `2022H1`, April to
September 2021, is `H1 FY2022`, never `H1 2022`; Weibo's calendar quarters stay `Q4 2013`), one
module spells money, shares and unknowns, and each chart's registry entry brings its own
headline and speaker notes."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from analytics.charts import format as fmt
from analytics.charts import registry
from analytics.periods import format_period
from analytics.publish import key_figures
from tests.shapes import ingest_fixture

MARLOW, ORBIS = "Marlow", "Orbis"
#: A half or quarter named by a bare year (`H1 2022`): wrong in a March-year-end calendar.
CALENDAR_NAME = re.compile(r"\b[HQ][1-4] 20[0-9]{2}\b")


@pytest.fixture(scope="module")
def marlow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("marlow") / "data"
    folder.mkdir()
    return ingest_fixture(folder, "marlow")


@pytest.fixture(scope="module")
def marlow_words(marlow: Path) -> tuple[key_figures.Frames, key_figures.KeyFigures]:
    frames = key_figures.load_frames(company=MARLOW, partner=ORBIS, data_dir=marlow)
    return frames, key_figures.key_figures(frames)


@pytest.mark.parametrize(
    ("label", "year_end_month", "name"),
    [
        ("2013Q4", 12, "Q4 2013"),
        ("2019H1", 12, "H1 2019"),
        ("2016", 12, "2016"),
        ("2022H1", 3, "H1 FY2022"),
        ("2022", 3, "FY2022"),
        ("2024Q1", 6, "Q1 FY2024"),
        ("not a period", 3, "not a period"),
    ],
)
def test_a_period_is_named_in_its_companys_calendar(label, year_end_month, name):
    assert format_period(label, year_end_month) == name


def test_fiscal_headlines_name_fiscal_halves(marlow_words):
    frames, figures = marlow_words
    lines = key_figures.headlines(frames, figures)
    # Orbis 12.1 of 60.4 (GBP millions) in 2025H1, the interim to 30 September 2024.
    assert lines["revenue_by_source"] == "Orbis brought £12.1M of £60.4M revenue in H1 FY2025"
    for chart, line in lines.items():
        assert not CALENDAR_NAME.search(line), (chart, line)


def test_fiscal_key_figures_and_speaker_notes_name_fiscal_halves(marlow_words):
    frames, figures = marlow_words
    rows = dict(key_figures.key_figure_rows(figures))
    assert rows["Period covered"] == "H1 FY2022 – H1 FY2025"
    notes = registry.get("partner_dependence").notes
    assert notes is not None
    lines = notes(frames, figures)
    assert lines[0].startswith("H1 FY2022: Orbis £18.0M of £40.0M (45.0%). Source: Interim")
    text = " ".join([*rows.values(), *lines])
    assert not CALENDAR_NAME.search(text), CALENDAR_NAME.findall(text)


def test_calendar_years_keep_their_names():
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba")
    figures = key_figures.key_figures(frames)
    assert figures.year_end_month == 12
    assert key_figures.headlines(frames, figures)["partner_dependence"].startswith(
        "Alibaba fell from 40% of revenue in Q4 2013 to 3.4% in Q3 2021"
    )
    assert dict(key_figures.key_figure_rows(figures))["Period covered"] == "Q1 2013 – Q3 2021"
    notes = registry.get("partner_dependence").notes
    assert notes is not None
    assert notes(frames, figures)[0].startswith("Q4 2013: Alibaba $28.5M of $71.4M (39.9%)")


def test_one_spelling_for_money_shares_and_unknowns():
    assert fmt.format_money(-44_400_000, "USD") == "\u2212$44.4M"
    assert fmt.format_money(120_000_000, "USD") == "$120.0M"
    assert fmt.format_money(980_000_000, "CNY", scale=1.2e9) == "¥1.0B"  # one unit per chart
    assert fmt.format_money(15_000_000, "CNY", scale=1.2e9) == "¥15.0M"  # never ¥0.0B
    assert fmt.format_money(None, "USD") == fmt.format_share(None) == "not disclosed"
    assert fmt.format_share(-0.034, exact=True) == "\u22123.4%"
    assert fmt.format_hhi(2415.4, lower_bound=True) == "2,415 (a lower bound)"


def test_every_chart_entry_brings_its_headline_and_notes():
    for name, chart in registry.load_all().items():
        assert chart.headline is not None and chart.notes is not None, name


def test_a_chart_added_in_one_place_gets_its_headline(monkeypatch, marlow_words):
    """A new chart is one registry entry: its headline reaches the deck and report with no
    name looked up anywhere else."""
    frames, figures = marlow_words
    base = registry.get("concentration")
    extra = dataclasses.replace(base, name="orbis_note", headline=lambda f, k: f"{k.partner} in {k.company}")
    monkeypatch.setitem(registry.CHARTS, "orbis_note", extra)
    assert key_figures.headlines(frames, figures)["orbis_note"] == "Orbis in Marlow Holdings plc"


def test_fiscal_report_tables_name_fiscal_periods(marlow_words):
    from analytics.publish import report

    frames, _ = marlow_words
    _, by_period = report.period_table(frames, "GBP")
    assert by_period.rows[0][0] == "H1 FY2022"
    text = " ".join(
        cell for row in [*by_period.rows, *report.reconciliation_table(frames, "GBP").rows] for cell in row
    )
    assert "FY2025" in text and not CALENDAR_NAME.search(text), CALENDAR_NAME.findall(text)
