"""Accounting bases in charts, deck and report (issue 9): lines break at a basis change and a
labelled rule marks it, headlines never compare across a change without saying so, and
`--basis` / `--as-of` reach every query.

The first half runs on frames built here (the chart and headline code takes query results); the
second on the shipped Weibo data (ASC 605 to ASC 606 in 2018Q1) and on Kestrel Media, a
fictional company made for this (tests/fixtures/kestrel: its 2017Q4 is restated on ASC 606).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from analytics.charts import basis, registry, theme
from analytics.charts.registry import ChartContext
from analytics.charts.subject import PartnerScope, Subject
from analytics.publish import key_figures

QUARTERS = ["2017Q1", "2017Q2", "2017Q3", "2017Q4", "2018Q1", "2018Q2", "2018Q3", "2018Q4"]
ONE_BASIS = ["ASC 605"] * 8
SWITCH = ["ASC 605"] * 4 + ["ASC 606"] * 4


def starts(periods: list[str]) -> list[dt.date]:
    return [dt.date(int(p[:4]), 3 * int(p[-1]) - 2, 1) for p in periods]


def ends(periods: list[str]) -> list[dt.date]:
    return [
        dt.date(int(p[:4]) + (p[-1] == "4"), (3 * int(p[-1])) % 12 + 1, 1) - dt.timedelta(days=1)
        for p in periods
    ]


def dependence_frame(
    bases: list[str | None] | None, shares: list[float | None] | None = None
) -> pl.DataFrame:
    """A `partner_dependence` result: total revenue 100 + 10 a quarter, the partner's share as
    given (default 10% rising by a point a quarter)."""
    shares = shares or [0.10 + 0.01 * i for i in range(len(QUARTERS))]
    totals = [100.0 + 10 * i for i in range(len(QUARTERS))]
    partner = [None if s is None else s * t for s, t in zip(shares, totals, strict=True)]
    n = len(QUARTERS)
    frame = pl.DataFrame(
        {
            "company": ["Weibo"] * n,
            "period": QUARTERS,
            "period_kind": ["quarter"] * n,
            "period_start": starts(QUARTERS),
            "period_end": ends(QUARTERS),
            "currency": ["USD"] * n,
            "partner_revenue": partner,
            "total_revenue": totals,
            "share_of_total": shares,
            "partner_stream": ["advertising"] * n,
            "stream_revenue": [t * 0.8 for t in totals],
            "share_of_stream": [None if s is None else s / 0.8 for s in shares],
            "share_is_lower_bound": [False] * n,
            "share_of_total_excl_one_offs": shares,
            "has_one_off": [False] * n,
            "one_off_revenue": [None] * n,
            "one_off_counterparties": [None] * n,
            "disclosed_share_of_total": [None] * n,
            "disclosed_share_of_stream": [None] * n,
            "disclosed_share_of_total_precision": [None] * n,
            "disclosed_share_of_stream_precision": [None] * n,
            "disclosed_source": [None] * n,
            "ttm_share_of_total": [None] * n,
            "ttm_share_is_lower_bound": [False] * n,
            "derived": [False] * n,
            "source": ["Filing"] * n,
        },
        schema_overrides={
            "one_off_revenue": pl.Float64,
            "disclosed_share_of_total": pl.Float64,
            "disclosed_share_of_stream": pl.Float64,
            "ttm_share_of_total": pl.Float64,
            "disclosed_share_of_total_precision": pl.Float64,
            "disclosed_share_of_stream_precision": pl.Float64,
            "one_off_counterparties": pl.Utf8,
            "disclosed_source": pl.Utf8,
            "partner_revenue": pl.Float64,
            "share_of_total": pl.Float64,
            "share_of_stream": pl.Float64,
            "share_of_total_excl_one_offs": pl.Float64,
        },
    )
    if bases is None:
        return frame
    return frame.with_columns(pl.Series("basis", bases, dtype=pl.Utf8), pl.Series("basis_break", [False] * n))


def growth_frame(bases: list[str]) -> pl.DataFrame:
    """A `growth` result over QUARTERS: a year-on-year change only where a year earlier is in
    the frame on the same basis (so 2017 has none, and 2018 none across a change)."""
    n = len(QUARTERS)
    breaks = [i >= 4 and bases[i] != bases[i - 4] for i in range(n)]
    known = [i >= 4 and not breaks[i] for i in range(n)]
    value = [0.2 if k else None for k in known]
    change = [10.0 if k else None for k in known]
    return pl.DataFrame(
        {
            "period": QUARTERS,
            "period_start": starts(QUARTERS),
            "currency": ["USD"] * n,
            "prior_period": [f"{int(p[:4]) - 1}{p[4:]}" for p in QUARTERS],
            "total_yoy": value,
            "ex_partner_yoy": value,
            "partner_change": change,
            "rest_change": change,
            "total_change": [None if c is None else 2 * c for c in change],
            "reconciles": [True] * n,
            "has_one_off": [False] * n,
            "prior_has_one_off": [False] * n,
            "basis": bases,
            "basis_break": breaks,
            "source": ["Filing"] * n,
        },
        schema_overrides={
            "total_yoy": pl.Float64,
            "ex_partner_yoy": pl.Float64,
            "partner_change": pl.Float64,
            "rest_change": pl.Float64,
            "total_change": pl.Float64,
        },
    )


def concentration_frame(bases: list[str]) -> pl.DataFrame:
    n = len(QUARTERS)
    return pl.DataFrame(
        {
            "period": QUARTERS,
            "period_start": starts(QUARTERS),
            "top_counterparty": ["Alibaba"] * n,
            "top_share": [0.1] * n,
            "hhi": [500.0] * n,
            "hhi_is_lower_bound": [False] * n,
            "hhi_above_scale": [False] * n,
            "one_offs_excluded": [False] * n,
            "one_off_revenue": [None] * n,
            "one_off_counterparties": [None] * n,
            "source": ["Filing"] * n,
            "basis": bases,
        },
        schema_overrides={"one_off_revenue": pl.Float64, "one_off_counterparties": pl.Utf8},
    )


def no_side_rows(query_name: str, **_: Any) -> pl.DataFrame:
    """The events and partnerships queries with nothing in range."""
    if query_name == "events":
        return pl.DataFrame(schema={"event_date": pl.Date, "label": pl.Utf8})
    return pl.DataFrame(schema={"kind": pl.Utf8, "start_date": pl.Date, "end_date": pl.Date})


def spec_of(
    name: str, frame: pl.DataFrame, *, chosen: str | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    context = ChartContext(frame, "Weibo", "Alibaba", no_side_rows, "quarter", "Alibaba", chosen, as_of)
    with theme.enabled():
        return registry.get(name).build(context).to_dict()


def walk(node: Any) -> list[dict[str, Any]]:
    """Every dict in a spec, depth first."""
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


def mark_type(node: dict[str, Any]) -> str | None:
    mark = node.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def line_layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in walk(spec) if mark_type(node) == "line"]


def rule_labels(spec: dict[str, Any]) -> list[str]:
    """Labels of the basis-change rules' text layers."""
    return [
        row["label"]
        for node in walk(spec)
        if mark_type(node) == "text" and (node.get("encoding", {}).get("text", {}).get("field") == "label")
        for row in node.get("data", {}).get("values", [])
        if " from " in str(row.get("label", ""))
    ]


def footnote(spec: dict[str, Any]) -> str:
    return " ".join(spec["vconcat"][0]["title"]["text"])


def segments_of(layer: dict[str, Any]) -> set[int]:
    return {
        row["segment"]
        for row in layer["data"]["values"]
        if row.get("share") is not None or row.get("growth") is not None or row.get("hhi") is not None
    }


# --- which runs, which changes ---------------------------------------------------------------


def test_a_change_is_the_first_period_on_a_new_basis_and_a_gap_changes_nothing():
    frame = dependence_frame(
        ["ASC 605", "ASC 605", None, "ASC 605", "ASC 606", None, "ASC 606", "SINA segment"]
    )
    found = basis.changes(frame)
    assert [(c.before, c.after, c.period) for c in found] == [
        ("ASC 605", "ASC 606", "2018Q1"),
        ("ASC 606", "SINA segment", "2018Q4"),
    ]
    assert found[0].label == "ASC 606 from Q1 2018"
    assert list(basis.segments(frame).values()) == [0, 0, 0, 0, 1, 1, 1, 2]
    assert basis.segments(dependence_frame(ONE_BASIS)) == {}
    assert basis.segments(dependence_frame(None)) == {}


# --- charts ------------------------------------------------------------------------------------

LINE_CHARTS = {
    "partner_dependence": dependence_frame,
    "growth_ex_partner": growth_frame,
    "concentration": concentration_frame,
}


@pytest.mark.parametrize("name", list(LINE_CHARTS))
def test_lines_break_at_the_basis_change_and_a_rule_names_it(name):
    spec = spec_of(name, LINE_CHARTS[name](SWITCH))
    lines = line_layers(spec)
    assert lines
    for layer in lines:
        data = spec_data(spec, layer)
        assert layer["encoding"]["detail"]["field"] == "segment"
        assert {row["segment"] for row in data} == {0, 1}
        assert {row["basis"] for row in data if row["segment"] == 1} == {"ASC 606"}
    assert rule_labels(spec) == ["ASC 606 from Q1 2018"]
    assert [
        node
        for node in walk(spec)
        if mark_type(node) == "rule" and node.get("encoding", {}).get("x", {}).get("field") == "period_start"
    ]
    assert "ASC 606 from Q1 2018" in footnote(spec)
    assert "not like for like" in footnote(spec)


def spec_data(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    """A line layer's rows: its own data or its parent layer's (Altair may lift shared data)."""
    if "data" in layer:
        return layer["data"]["values"]
    for node in walk(spec):
        if layer in node.get("layer", []) and "data" in node:
            return node["data"]["values"]
    for node in walk(spec):
        if "datasets" in node:
            return next(iter(node["datasets"].values()))
    raise AssertionError("no data for the line layer")


@pytest.mark.parametrize("name", list(LINE_CHARTS))
def test_one_basis_changes_nothing_in_the_spec(name):
    one_basis = LINE_CHARTS[name](ONE_BASIS)
    plain = spec_of(name, one_basis.drop("basis", "basis_break", strict=False))
    assert spec_of(name, one_basis) == plain
    assert "segment" not in json.dumps(plain)
    assert rule_labels(plain) == []


def test_the_bar_charts_mark_the_change_too():
    frame = dependence_frame(SWITCH).select(
        "period",
        "period_start",
        "currency",
        "partner_revenue",
        "total_revenue",
        "share_of_total",
        "share_is_lower_bound",
        "source",
        "basis",
    )
    spec = spec_of("partner_vs_rest", frame)
    assert rule_labels(spec) == ["ASC 606 from Q1 2018"]
    assert rule_labels(spec_of("partner_vs_rest", frame.drop("basis"))) == []


def test_growth_says_which_periods_are_not_compared_across_the_change():
    spec = spec_of("growth_ex_partner", growth_frame(SWITCH))
    assert "no change across a basis change in Q1 2018 – Q4 2018" in footnote(spec)
    plotted = spec_data(spec, line_layers(spec)[0])
    assert all(row["growth"] is None for row in plotted if row["period"].startswith("2018"))


def test_the_chosen_basis_and_date_are_in_the_footnote():
    spec = spec_of(
        "partner_dependence", dependence_frame(ONE_BASIS), chosen="ASC 605", as_of=dt.date(2016, 6, 30)
    )
    assert footnote(spec).startswith("Basis: ASC 605; as published by 2016-06-30")
    assert rule_labels(spec) == []


def test_a_basis_label_is_cleaned_like_any_data_text():
    spec = spec_of("partner_dependence", dependence_frame(["A\x1b[31m"] * 4 + ["B\u202e"] * 4))
    assert rule_labels(spec) == ["B  from Q1 2018"]
    assert "\x1b" not in json.dumps(spec) and "\u202e" not in json.dumps(spec)


# --- headlines ---------------------------------------------------------------------------------


def frames_of(
    dependence: pl.DataFrame, growth: pl.DataFrame, *, chosen: str | None = None, as_of: dt.date | None = None
) -> key_figures.Frames:
    concentration = concentration_frame(["ASC 605"] * 8).with_columns(
        pl.lit(None, pl.Float64).alias("one_off_revenue")
    )
    subject = Subject(
        "Weibo", "Alibaba", PartnerScope("Alibaba", False, ("Alibaba",)), "quarter", basis=chosen, as_of=as_of
    )
    return key_figures.Frames("Weibo", "Alibaba", dependence, growth, concentration, subject)


def headlines_of(frames: key_figures.Frames) -> dict[str, str]:
    return key_figures.headlines(frames, key_figures.key_figures(frames))


def test_a_headline_comparing_two_bases_says_they_are_not_like_for_like():
    lines = headlines_of(frames_of(dependence_frame(SWITCH), growth_frame(SWITCH)))
    assert lines["partner_dependence"] == (
        "Alibaba rose from 10% of revenue in Q1 2017 to 17% in Q4 2018 "
        "(ASC 605 in Q1 2017, ASC 606 in Q4 2018: not like for like)"
    )
    assert lines["partner_vs_rest"].endswith("(ASC 605 in Q1 2017, ASC 606 in Q4 2018: not like for like)")


def test_a_headline_on_one_basis_has_no_basis_note():
    lines = headlines_of(frames_of(dependence_frame(ONE_BASIS), growth_frame(ONE_BASIS)))
    assert lines["partner_dependence"] == "Alibaba rose from 10% of revenue in Q1 2017 to 17% in Q4 2018"
    assert "like for like" not in " ".join(lines.values())


def test_growth_headlines_never_quote_a_change_left_out_for_a_basis_change():
    lines = headlines_of(frames_of(dependence_frame(SWITCH), growth_frame(SWITCH)))
    assert lines["growth_ex_partner"] == (
        "Growth excluding Alibaba is not comparable year on year in this range "
        "(Q1 2018 – Q4 2018 not compared: the year before is on another basis)"
    )
    assert "(Q1 2018 – Q4 2018 not compared: the year before is on another basis)" in lines["growth_bridge"]
    assert "%" not in lines["growth_ex_partner"]


def test_a_later_break_is_named_after_the_last_comparable_growth():
    bases = ["ASC 605"] * 4 + ["ASC 605"] * 2 + ["ASC 606"] * 2
    lines = headlines_of(frames_of(dependence_frame(bases), growth_frame(bases)))
    assert lines["growth_ex_partner"] == (
        "In Q2 2018 revenue excluding Alibaba grew 20% year on year; total revenue grew 20% "
        "(Q3 2018 – Q4 2018 not compared: the year before is on another basis)"
    )


def test_a_hostile_basis_label_reaches_no_headline_raw():
    bases = ["ASC\x1b]0;x\x07 605"] * 4 + ["<b>606\u202e</b>"] * 4
    lines = headlines_of(frames_of(dependence_frame(bases), growth_frame(bases)))
    text = " ".join(lines.values())
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "(ASC ]0;x  605 in Q1 2017, <b>606 </b> in Q4 2018: not like for like)" in text


def test_a_cut_headline_keeps_its_basis_note():
    note = " (ASC 605 in Q1 2017, ASC 606 in Q4 2018: not like for like)"
    cut = key_figures.fit(("x" * 300, note), key_figures.HEADLINE_LIMIT)
    assert len(cut) == key_figures.HEADLINE_LIMIT and cut.endswith(note)


def test_key_figures_name_the_bases_the_peak_and_the_chosen_vintage():
    shares = [0.30, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05]
    frames = frames_of(dependence_frame(SWITCH, shares), growth_frame(SWITCH))
    rows = dict(key_figures.key_figure_rows(key_figures.key_figures(frames)))
    assert rows["Accounting basis"] == "ASC 605 Q1 2017 – Q4 2017; ASC 606 Q1 2018 – Q4 2018"
    assert (
        rows["Peak share"]
        == "30% in Q1 2017 (ASC 605; the latest share, Q4 2018, is on ASC 606: not like for like)"
    )
    chosen = frames_of(
        dependence_frame(ONE_BASIS), growth_frame(ONE_BASIS), chosen="ASC 605", as_of=dt.date(2016, 6, 30)
    )
    key = key_figures.key_figures(chosen)
    assert (
        dict(key_figures.key_figure_rows(key))["Accounting basis"]
        == "ASC 605 (chosen), as published by 2016-06-30"
    )
    assert key_figures.subtitle(key).endswith("· basis: ASC 605 · as published by 2016-06-30")


def test_speaker_notes_name_periods_not_compared_across_a_basis_change():
    frames = frames_of(dependence_frame(SWITCH), growth_frame(SWITCH))
    notes = registry.get("growth_ex_partner").notes
    assert notes is not None
    lines = notes(frames, key_figures.key_figures(frames))
    assert lines[0] == (
        "Q1 2018 vs Q1 2017: not compared, the year before is on another basis (ASC 606 in Q1 2018)"
    )


def test_native_deck_lines_are_split_per_basis():
    from analytics.publish.deck_charts import dependence

    chart = dependence(dependence_frame(SWITCH), "t", "Alibaba")
    names = [name for name, _ in chart.series]
    assert names[:2] == [
        "Alibaba share of total revenue (ASC 605)",
        "Alibaba share of total revenue (ASC 606)",
    ]
    before, after = chart.series[0][1], chart.series[1][1]
    assert before[4:] == [None] * 4 and after[:4] == [None] * 4
    assert len(dependence(dependence_frame(ONE_BASIS), "t", "Alibaba").series) == 2


# --- options -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["charts", "build", "--format", "csv"], ["deck"], ["report"]])
@pytest.mark.parametrize("bad", ["2016-13-01", "30/06/2016", "20160630", "yesterday"])
def test_a_bad_as_of_date_is_refused_before_anything_runs(cli, tmp_path, command, bad):
    result = cli(*command, "--out", str(tmp_path / "out"), "--as-of", bad)
    assert result.exit_code == 2
    assert f"as-of date '{bad}' is not a date as YYYY-MM-DD" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_an_empty_basis_is_refused(cli, tmp_path):
    result = cli("charts", "build", "--out", str(tmp_path / "out"), "--basis", " ")
    assert result.exit_code == 2
    assert "basis is empty" in result.stderr


def test_a_chosen_basis_is_refused_by_a_query_that_cannot_take_it(monkeypatch):
    from analytics.errors import QueryError
    from analytics.sql import queries

    real = queries.load("events")
    without = dataclasses.replace(
        real, parameters=[p for p in real.parameters if p.name not in ("basis", "as_of")]
    )
    monkeypatch.setattr(queries, "load", lambda name: without)
    subject = Subject(
        "Weibo", "Alibaba", PartnerScope("Alibaba", False, ("Alibaba",)), "quarter", basis="ASC 605"
    )
    with pytest.raises(QueryError, match="takes no basis parameter"):
        basis.vintage_params("events", subject)
    assert basis.vintage_params("events", subject, strict=False) == {}


def test_the_options_are_documented_on_each_command(cli):
    for command in (["charts", "build"], ["deck"], ["report"]):
        text = cli(*command, "--help").stdout
        assert "--basis" in text and "--as-of" in text, command


FIXTURE = Path(__file__).parent / "fixtures" / "kestrel"


# --- end to end: Kestrel Media ------------------------------------------------------------------

KESTREL, OSPREY = "Kestrel Media", "Osprey Retail"


@pytest.fixture(scope="module")
def kestrel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data plus Kestrel Media, ingested from its CSVs as an analyst would."""
    from tests.conftest import SHIPPED_DATA, copy_tables
    from tests.shapes import ingest_fixture

    folder = tmp_path_factory.mktemp("kestrel") / "data"
    copy_tables(SHIPPED_DATA, folder)
    return ingest_fixture(folder, "kestrel")


def kestrel_spec(name: str, data: Path, **vintage: Any) -> dict[str, Any]:
    from analytics.publish.build import chart_for

    return chart_for(name, company=KESTREL, partner=OSPREY, data_dir=data, **vintage).to_dict()


def test_kestrel_lines_break_where_its_restated_quarter_starts_the_new_basis(kestrel):
    spec = kestrel_spec("partner_dependence", kestrel)
    assert rule_labels(spec) == ["ASC 606 from Q4 2017"]
    [line] = line_layers(spec)
    rows = spec_data(spec, line)
    assert {(row["period"], row["segment"]) for row in rows if row["period"] in ("2017Q3", "2017Q4")} == {
        ("2017Q3", 0),
        ("2017Q4", 1),
    }
    assert "Basis changes: ASC 606 from Q4 2017" in footnote(spec)


def test_kestrel_as_of_before_the_restatement_shows_the_original_basis(kestrel):
    spec = kestrel_spec("partner_dependence", kestrel, as_of="2018-12-31")
    assert rule_labels(spec) == ["ASC 606 from Q1 2018"]
    assert footnote(spec).startswith("As published by 2018-12-31; basis changes: ASC 606 from Q1 2018")
    growth = kestrel_spec("growth_ex_partner", kestrel, as_of="2018-12-31")
    assert "no change across a basis change in Q1 2018 – Q3 2018" in footnote(growth)


def test_kestrel_on_one_chosen_basis_has_no_break(kestrel):
    spec = kestrel_spec("partner_dependence", kestrel, basis="ASC 605")
    assert rule_labels(spec) == []
    assert "segment" not in json.dumps(spec)
    assert footnote(spec).startswith("Basis: ASC 605")


def test_charts_build_as_of_changes_the_numbers(cli, kestrel, tmp_path):
    def total_2017q4(*options: str) -> tuple[str, str]:
        out = tmp_path / "-".join(options or ("default",))
        result = cli(
            "charts",
            "build",
            "partner_dependence",
            "--company",
            KESTREL,
            "--partner",
            OSPREY,
            "--format",
            "csv",
            "--out",
            str(out),
            *options,
            data=kestrel,
        )
        assert result.exit_code == 0, result.stderr
        rows = pl.read_csv(out / "partner_dependence.csv")
        row = rows.filter(pl.col("period") == "2017Q4").row(0, named=True)
        return f"{float(row['total_revenue']):.0f}", row["basis"]

    assert total_2017q4() == ("119000000", "ASC 606")  # the restated comparative
    assert total_2017q4("--as-of", "2018-12-31") == ("125000000", "ASC 605")  # as first published
    assert total_2017q4("--basis", "ASC 605") == ("125000000", "ASC 605")


def test_kestrel_headlines_say_when_they_compare_across_bases(kestrel):
    frames = key_figures.load_frames(company=KESTREL, partner=OSPREY, data_dir=kestrel)
    lines = headlines_of(frames)
    # 20/100 in 2016Q1 on ASC 605; 18/150 in 2019Q4 on ASC 606
    assert lines["partner_dependence"] == (
        "Osprey Retail fell from 20% of revenue in Q1 2016 to 12% in Q4 2019, peaking at 21% in "
        "Q4 2016 (ASC 605 in Q1 2016, ASC 606 in Q4 2019: not like for like)"
    )
    cut = key_figures.load_frames(company=KESTREL, partner=OSPREY, to_period="2018Q3", data_dir=kestrel)
    # 2017Q3 against 2016Q3, both ASC 605: (120 - 24) / (108 - 22) = +11.6%, 120 / 108 = +11.1%
    assert headlines_of(cut)["growth_ex_partner"] == (
        "In Q3 2017 revenue excluding Osprey Retail grew 12% year on year; total revenue grew "
        "11% (Q4 2017 – Q3 2018 not compared: the year before is on another basis)"
    )
    chosen = key_figures.load_frames(company=KESTREL, partner=OSPREY, basis="ASC 605", data_dir=kestrel)
    assert "like for like" not in " ".join(headlines_of(chosen).values())


def test_the_deck_with_as_of_says_so_and_shows_the_numbers_then(cli, kestrel, tmp_path):
    from pptx import Presentation

    out = tmp_path / "kestrel.pptx"
    result = cli(
        "deck",
        "--company",
        KESTREL,
        "--partner",
        OSPREY,
        "--as-of",
        "2018-12-31",
        "--out",
        str(out),
        data=kestrel,
    )
    assert result.exit_code == 0, result.stderr
    deck = Presentation(str(out))
    assert deck.slides[0].placeholders[1].text.endswith("as published by 2018-12-31")
    dependence = deck.slides[1]
    assert dependence.shapes.title.text == (
        "Osprey Retail fell from 20% of revenue in Q1 2016 to 13% in Q3 2018, peaking at 21% in "
        "Q4 2016 (ASC 605 in Q1 2016, ASC 606 in Q3 2018: not like for like)"
    )
    notes = dependence.notes_slide.notes_text_frame.text
    assert "Q4 2017: Osprey Retail $25.0M of $125.0M (20.0%), ASC 605." in notes
    footnotes = [
        shape.text_frame.text
        for shape in dependence.shapes
        if shape.has_text_frame and shape.text_frame.text.startswith("Source:")
    ]
    assert footnotes and footnotes[0].endswith("(as published by 2018-12-31).")


def test_the_editable_deck_splits_its_lines_per_basis(kestrel, tmp_path):
    from analytics.publish.deck_charts import native_charts

    frames = key_figures.load_frames(company=KESTREL, partner=OSPREY, data_dir=kestrel)
    chart = native_charts(frames, kestrel)["partner_dependence"]
    assert [name for name, _ in chart.series][:2] == [
        "Osprey Retail share of total revenue (ASC 605)",
        "Osprey Retail share of total revenue (ASC 606)",
    ]


def test_the_report_on_a_chosen_basis_and_by_default(cli, kestrel, tmp_path):
    out = tmp_path / "report.html"
    result = cli(
        "report",
        "--company",
        KESTREL,
        "--partner",
        OSPREY,
        "--basis",
        "ASC 605",
        "--out",
        str(out),
        data=kestrel,
    )
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "· basis: ASC 605 ·" in page
    assert "ASC 605 (chosen)" in page and "like for like" not in page
    default = tmp_path / "default.html"
    assert (
        cli(
            "report", "--company", KESTREL, "--partner", OSPREY, "--out", str(default), data=kestrel
        ).exit_code
        == 0
    )
    page = default.read_text(encoding="utf-8")
    assert "<th>Basis</th>" in page
    assert "not comparable (basis change)" in page  # 2017Q4's TTM spans both bases
    assert "(ASC 605 in Q1 2016, ASC 606 in Q4 2019: not like for like)" in page
    assert "Q4 2017 – Q3 2018: not compared with a year earlier" in page


def test_the_manifest_and_gallery_record_the_chosen_basis_and_date(kestrel, tmp_path):
    from analytics.publish.build import build_charts

    result = build_charts(
        ["partner_vs_rest"],
        company=KESTREL,
        partner=OSPREY,
        formats=("csv",),
        out_dir=tmp_path,
        data_dir=kestrel,
        basis="ASC 605",
        as_of="2018-12-31",
    )
    assert result.failed == {}
    entry = json.loads((tmp_path / "charts.json").read_text())["charts"]["partner_vs_rest"]
    assert (entry["basis"], entry["as_of"]) == ("ASC 605", "2018-12-31")
    assert "basis: ASC 605 · as published by 2018-12-31" in (tmp_path / "index.html").read_text(
        encoding="utf-8"
    )


# --- end to end: the shipped Weibo data (ASC 605 to ASC 606 in 2018Q1) --------------------------


@pytest.mark.parametrize("name", ["partner_dependence", "growth_ex_partner", "concentration"])
def test_weibos_lines_break_at_asc_606(name):
    from analytics.project import PROJECT_ROOT
    from analytics.publish.build import chart_for

    spec = chart_for(name, data_dir=PROJECT_ROOT / "data").to_dict()
    assert "ASC 606 from Q1 2018" in rule_labels(spec)
    for layer in line_layers(spec):
        rows = spec_data(spec, layer)
        before = {row["segment"] for row in rows if "2017Q1" <= row["period"] <= "2017Q4"}
        after = {row["segment"] for row in rows if "2018Q1" <= row["period"] <= "2018Q4"}
        assert len(before) == len(after) == 1 and before != after
    assert "ASC 606 from Q1 2018" in footnote(spec)


def test_weibos_dependence_headline_says_2013_and_2021_are_not_like_for_like():
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba")
    headline = headlines_of(frames)["partner_dependence"]
    assert headline.startswith("Alibaba fell from 40% of revenue in Q4 2013 to ")
    assert headline.endswith(": not like for like)") and "ASC 606 in Q" in headline


def test_weibos_growth_never_quotes_2018_across_the_change():
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba", to_period="2018Q4")
    growth = frames.growth.filter(pl.col("period").str.starts_with("2018"))
    assert growth["basis_break"].all() and growth["total_yoy"].null_count() == 4
    headline = headlines_of(frames)["growth_ex_partner"]
    assert "Q4 2018" not in headline.split("(")[0]
    assert headline.endswith("(Q1 2018 – Q4 2018 not compared: the year before is on another basis)")


def test_weibo_on_asc_605_stops_at_2017_and_draws_no_break(cli, tmp_path):
    out = tmp_path / "charts"
    result = cli(
        "charts", "build", "partner_vs_rest", "--format", "csv,svg", "--basis", "ASC 605", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    rows = pl.read_csv(out / "partner_vs_rest.csv")
    assert set(rows["basis"].drop_nulls().to_list()) == {"ASC 605"}
    assert max(rows.drop_nulls("total_revenue")["period"].to_list()) == "2017Q4"
    svg = (out / "partner_vs_rest.svg").read_text(encoding="utf-8")
    assert "Basis: ASC 605" in svg and "ASC 606 from" not in svg


def test_a_growth_chart_with_every_period_across_a_change_says_why_it_is_empty(kestrel):
    from analytics.errors import QueryError
    from analytics.publish.build import chart_for

    with pytest.raises(QueryError, match="a year earlier to compare with on the same accounting basis"):
        chart_for(
            "growth_ex_partner",
            company=KESTREL,
            partner=OSPREY,
            from_period="2017Q4",
            to_period="2018Q3",
            data_dir=kestrel,
        )


def test_several_later_breaks_are_each_named():
    from analytics.publish.headlines import breaks_after, not_compared

    growth = growth_frame(SWITCH).with_columns(
        pl.Series("basis_break", [False, True, False, False, True, True, False, True])
    )
    runs = breaks_after(growth, None)
    assert runs == [["2017Q2"], ["2018Q1", "2018Q2"], ["2018Q4"]]
    assert not_compared(runs) == (
        " (Q2 2017, Q1 2018 – Q2 2018, Q4 2018 not compared: the year before is on another basis)"
    )
