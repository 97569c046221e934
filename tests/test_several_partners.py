"""Several partners in one view (issue 12, item 12): `partner_dependence` takes a list of
partners, one row per partner and period; `--partner A --partner B` on charts, deck and report
draws each partner's share in the dependence chart, and the other charts are about the first.

Quillon Browser (tests/fixtures/quillon/README.md) switches its default search engine from
Lookwise to Searchly and back: the Lookwise group (Lookwise, and Mailbridge from 2022) is 400 /
500 = 80% of revenue in 2020, 200 / 520 = 38.46% in 2021, 60 / 540 = 11.11% in 2022 and 475 /
560 = 84.82% in 2023; Searchly 20 / 500 = 4%, 210 / 520 = 40.38%, 420 / 540 = 77.78% and 15 /
560 = 2.68%. Brightwater Software (tests/fixtures/brightwater) has quarters, a group that is a
lower bound in 2020 and a member undisclosed (NULL) in 2020. Halfco, below, reports half-years.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import analytics
from analytics.charts.theme import COLOURS
from analytics.cli.app import app
from analytics.errors import InputError, UnknownNameError
from analytics.publish import key_figures
from analytics.publish.build import chart_for
from tests.shapes import ingest_fixture

QUILLON, BRIGHTWATER, HALFCO = "Quillon Browser", "Brightwater Software", "Halfco"
SWITCH = ["Lookwise", "Searchly"]
TOTALS = {"2020": 500, "2021": 520, "2022": 540, "2023": 560}
LOOKWISE = {"2020": 400, "2021": 200, "2022": 60, "2023": 475}
SEARCHLY = {"2020": 20, "2021": 210, "2022": 420, "2023": 15}
MILLION = Decimal(1_000_000)
HALFCO_REVENUE = """company,period,stream,counterparty,amount,currency,unit,source
Halfco,2020H1,total,all,100.0,USD,millions,Interim report 2020 (fictional)
Halfco,2020H1,royalties,Alpha,60.0,USD,millions,Interim report 2020 (fictional)
Halfco,2020H1,royalties,Beta,10.0,USD,millions,Interim report 2020 (fictional)
Halfco,2020H2,total,all,120.0,USD,millions,Annual report 2020 (fictional)
Halfco,2020H2,royalties,Alpha,50.0,USD,millions,Annual report 2020 (fictional)
Halfco,2020H2,royalties,Beta,40.0,USD,millions,Annual report 2020 (fictional)
Halfco,2021H1,total,all,130.0,USD,millions,Interim report 2021 (fictional)
Halfco,2021H1,royalties,Alpha,20.0,USD,millions,Interim report 2021 (fictional)
Halfco,2021H1,royalties,Beta,90.0,USD,millions,Interim report 2021 (fictional)
"""
HALFCO_COUNTERPARTIES = """company,counterparty,counterparty_class
Halfco,Alpha,strategic_partner
Halfco,Beta,third_party
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("several") / "data"
    folder.mkdir()
    ingest_fixture(folder, "quillon")
    ingest_fixture(folder, "brightwater")
    files = tmp_path_factory.mktemp("halfco")
    for table, text in (("counterparties", HALFCO_COUNTERPARTIES), ("revenue", HALFCO_REVENUE)):
        (files / f"{table}.csv").write_text(text, encoding="utf-8")
        analytics.ingest(files / f"{table}.csv", table, folder)
    return folder


def cli(data: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--data-dir", str(data), *args], catch_exceptions=False)


def eur(millions: int) -> Decimal:
    return Decimal(millions) * MILLION


def column(frame: pl.DataFrame, partner: str, name: str) -> dict[str, Any]:
    mine = frame.filter(pl.col("partner") == partner)
    return dict(zip(mine["period"].to_list(), mine[name].to_list(), strict=True))


# --- the query -----------------------------------------------------------------------------


def test_a_list_of_partners_gives_one_row_per_partner_and_period_in_the_order_given(data):
    frame = analytics.query(
        "partner_dependence", company=QUILLON, partner=SWITCH, period_kind="year", data_dir=data
    )
    assert list(zip(frame["period"], frame["partner"], strict=True)) == [
        (period, partner) for period in TOTALS for partner in SWITCH
    ]
    assert column(frame, "Lookwise", "partner_revenue") == {p: eur(a) for p, a in LOOKWISE.items()}
    assert column(frame, "Searchly", "partner_revenue") == {p: eur(a) for p, a in SEARCHLY.items()}
    for partner, amounts in (("Lookwise", LOOKWISE), ("Searchly", SEARCHLY)):
        shares = column(frame, partner, "share_of_total")
        for period, amount in amounts.items():
            assert shares[period] == pytest.approx(amount / TOTALS[period], abs=1e-12)
    assert column(frame, "Lookwise", "partner_members")["2020"] == "Lookwise, Mailbridge"
    assert set(column(frame, "Lookwise", "partner_is_group").values()) == {True}
    assert set(column(frame, "Searchly", "partner_is_group").values()) == {False}


def test_the_order_given_is_kept_and_a_name_given_twice_counts_once(data):
    frame = analytics.query(
        "partner_dependence",
        company=QUILLON,
        period_kind="year",
        partner=["Searchly", "Lookwise", "Searchly"],
        data_dir=data,
    )
    assert frame["partner"].to_list()[:2] == ["Searchly", "Lookwise"]
    assert frame.height == 2 * len(TOTALS)


def test_one_partner_as_a_name_or_a_list_of_one_gives_what_it_gave_before(data):
    name = analytics.query(
        "partner_dependence", company=QUILLON, partner="Lookwise", period_kind="year", data_dir=data
    )
    listed = analytics.query(
        "partner_dependence", company=QUILLON, partner=["Lookwise"], period_kind="year", data_dir=data
    )
    assert name.equals(listed) and name.schema == listed.schema
    # the values tests/test_relationships_over_time.py expects of `partner=Lookwise`
    assert dict(zip(name["period"], name["partner_revenue"], strict=True)) == {
        "2020": eur(400),
        "2021": eur(200),
        "2022": eur(60),
        "2023": eur(475),
    }
    assert name["partner"].to_list() == ["Lookwise"] * 4


def test_each_partner_in_a_list_equals_that_partner_asked_for_alone(data):
    both = analytics.query(
        "partner_dependence", company=BRIGHTWATER, data_dir=data, partner=["Meridian", "Meridian Cloud"]
    )
    for partner in ("Meridian", "Meridian Cloud"):
        alone = analytics.query("partner_dependence", company=BRIGHTWATER, partner=partner, data_dir=data)
        assert both.filter(pl.col("partner") == partner).equals(alone)


def test_the_trailing_twelve_months_are_each_partners_own_quarters(data):
    frame = analytics.query(
        "partner_dependence",
        company=BRIGHTWATER,
        data_dir=data,
        partner=["Meridian Holdings", "Meridian Cloud"],
    )
    holdings = column(frame, "Meridian Holdings", "ttm_share_of_total")
    cloud = column(frame, "Meridian Cloud", "ttm_share_of_total")
    assert holdings["2020Q4"] == pytest.approx((80 + 82 + 84 + 86) / 860)
    assert holdings["2021Q4"] == pytest.approx((88 + 90 + 92 + 94) / 1020)
    assert cloud["2021Q3"] is None  # its 2020Q4 is unknown: no TTM over it
    assert cloud["2021Q4"] == pytest.approx((16 + 17 + 18 + 19) / 1020)
    assert column(frame, "Meridian Cloud", "share_of_total")["2020Q2"] is None  # not zero


def test_half_years_have_a_trailing_twelve_months_of_two_halves_per_partner(data):
    frame = analytics.query(
        "partner_dependence", company=HALFCO, partner=["Alpha", "Beta"], period_kind="half", data_dir=data
    )
    alpha, beta = (column(frame, p, "ttm_share_of_total") for p in ("Alpha", "Beta"))
    assert alpha == {
        "2020H1": None,
        "2020H2": pytest.approx((60 + 50) / 220),
        "2021H1": pytest.approx((50 + 20) / 250),
    }
    assert beta == {
        "2020H1": None,
        "2020H2": pytest.approx((10 + 40) / 220),
        "2021H1": pytest.approx((40 + 90) / 250),
    }


def test_an_unknown_partner_in_the_list_is_named(data):
    with pytest.raises(UnknownNameError, match="'Findr'"):
        analytics.query("partner_dependence", company=QUILLON, partner=["Lookwise", "Findr"], data_dir=data)


def test_an_empty_list_of_partners_is_refused(data):
    with pytest.raises(InputError, match="parameter partner"):
        analytics.query("partner_dependence", company=QUILLON, partner=[], data_dir=data)


def test_query_run_takes_the_partner_parameter_repeated(data):
    result = cli(
        data,
        "query",
        "run",
        "partner_dependence",
        "--param",
        f"company={QUILLON}",
        "--param",
        "partner=Lookwise",
        "--param",
        "partner=Searchly",
        "--param",
        "period_kind=year",
        "--columns",
        "period,partner,partner_revenue",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "period,partner,partner_revenue",
        "2020,Lookwise,400000000.00",
        "2020,Searchly,20000000.00",
    ]


def test_a_one_value_parameter_given_twice_is_refused(data):
    result = cli(
        data,
        "query",
        "run",
        "partner_dependence",
        "--param",
        f"company={QUILLON}",
        "--param",
        "company=Weibo",
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert "parameter company takes one value, not 2" in result.stderr


def test_query_list_shows_the_list_parameter(data):
    result = cli(data, "query", "list")
    assert "--param partner VARCHAR[] = ['Alibaba']" in result.stdout
    assert "--param period_kind VARCHAR = 'quarter' in (quarter, half, year)" in result.stdout


# --- the dependence chart ------------------------------------------------------------------


def layers_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["vconcat"][0]["layer"]


def share_layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        layer
        for layer in layers_of(spec)
        if layer.get("encoding", {}).get("y", {}).get("field") == "share"
        and layer.get("encoding", {}).get("color", {}).get("field") == "partner"
    ]


def test_the_dependence_chart_draws_one_line_per_partner_in_its_colour(data):
    spec = chart_for("partner_dependence", company=QUILLON, partner=SWITCH, data_dir=data).to_dict()
    assert spec["title"]["text"] == ("Quillon Browser's revenue dependence on Lookwise group and Searchly")
    assert spec["title"]["subtitle"].startswith(
        "Each partner's revenue as % of total revenue, by fiscal year 2020 – 2023; gaps = not "
        "disclosed; Lookwise group = Lookwise, Mailbridge"
    )
    lines = share_layers(spec)
    line = next(layer for layer in lines if layer["mark"]["type"] == "line")
    colour = line["encoding"]["color"]
    assert colour["scale"] == {
        "domain": ["Lookwise group", "Searchly"],
        "range": [COLOURS["partner"], COLOURS["rest"]],
    }
    assert colour["legend"] is not None
    rows = {(r["partner"], r["period"]): r for r in line["data"]["values"]}
    assert len(rows) == 8
    assert rows[("Lookwise group", "2022")]["share"] == pytest.approx(60 / 540)
    assert rows[("Searchly", "2022")]["share"] == pytest.approx(420 / 540)
    assert rows[("Searchly", "2021")]["share_label"] == "40.4%"
    labels = [
        r["label"]
        for layer in layers_of(spec)
        if layer.get("mark", {}).get("type") == "text"
        for r in layer.get("data", {}).get("values", [])
        if "partner" in r
    ]
    assert labels == ["Lookwise group 84.8% (2023)", "Searchly 2.7% (2023)"]


def test_gaps_stay_gaps_and_lower_bounds_are_hollow_on_their_own_line(data):
    spec = chart_for(
        "partner_dependence", company=BRIGHTWATER, data_dir=data, partner=["Meridian", "Meridian Cloud"]
    ).to_dict()
    lines = share_layers(spec)
    rows = {(r["partner"], r["period"]): r for r in lines[0]["data"]["values"]}
    assert rows[("Meridian Cloud", "2020Q3")]["share"] is None  # a gap, not zero
    assert rows[("Meridian group", "2020Q1")]["share"] == pytest.approx(80 / 200)
    assert rows[("Meridian group", "2020Q1")]["share_label"] == "≥40.0%"
    bounds = {key for key, row in rows.items() if row["lower_bound"]}
    assert bounds == {("Meridian group", f"2020Q{q}") for q in range(1, 5)}
    hollow = [layer for layer in lines if layer["mark"].get("filled") is False]
    assert hollow and hollow[0]["transform"] == [{"filter": "datum.lower_bound"}]
    assert lines[0]["mark"]["invalid"] == "break-paths-show-domains"
    assert "hollow ≥ = lower bound" in spec["title"]["subtitle"]


def test_one_partner_draws_the_chart_it_drew_before(data):
    alone = chart_for("partner_dependence", company=QUILLON, partner="Lookwise", data_dir=data).to_dict()
    listed = chart_for("partner_dependence", company=QUILLON, partner=["Lookwise"], data_dir=data).to_dict()
    assert alone == listed
    assert alone["title"]["text"] == (
        "Quillon Browser's revenue dependence on Lookwise group: Lookwise, Mailbridge"
    )
    assert "series" in json.dumps(alone)  # the share of total and of stream lines


def test_a_chart_about_one_partner_says_it_is_about_the_first(data):
    spec = chart_for("partner_vs_rest", company=QUILLON, partner=SWITCH, data_dir=data).to_dict()
    assert spec["title"]["subtitle"][-1] == (
        "About Lookwise group, the first partner given; "
        "the dependence chart compares Lookwise group and "
        "Searchly"
    )
    assert "Searchly" not in json.dumps(spec["vconcat"])


# --- figures, deck and report --------------------------------------------------------------


def test_the_headline_says_who_led_when(data):
    frames = key_figures.load_frames(company=QUILLON, partner=SWITCH, data_dir=data)
    key = key_figures.key_figures(frames)
    assert key_figures.headlines(frames, key)["partner_dependence"] == (
        "Lookwise group led with 80% of revenue in 2020; Searchly took the lead in 2021 (40% "
        "vs 38%); Lookwise group led again in 2023 (85% vs 2.7%)"
    )
    assert key_figures.title(key) == "Quillon Browser: dependence on Lookwise group and Searchly"


def test_the_key_figures_say_what_happened_to_each_partner(data):
    frames = key_figures.load_frames(company=QUILLON, partner=SWITCH, data_dir=data)
    rows = dict(key_figures.key_figure_rows(key_figures.key_figures(frames)))
    assert rows["Partner"] == "Lookwise group: Lookwise, Mailbridge"
    assert rows["Lookwise group share of revenue"] == "80% in 2020 to 85% in 2023; low 11% in 2022"
    assert rows["Searchly share of revenue"] == "4.0% in 2020 to 2.7% in 2023; peak 78% in 2022"
    assert rows["Largest partner"] == (
        "Lookwise group from 2020 (80%); Searchly from 2021 (40%); Lookwise group from 2023 (85%)"
    )
    assert "Peak share" not in rows


def test_the_first_partners_figures_are_what_one_partner_gives(data):
    one = key_figures.load_frames(company=QUILLON, partner="Lookwise", data_dir=data)
    two = key_figures.load_frames(company=QUILLON, partner=SWITCH, data_dir=data)
    assert one.dependence.equals(two.dependence) and one.growth.equals(two.growth)
    assert one.compared is None and two.compared is not None
    one_key = key_figures.key_figures(one)
    assert not one_key.compared and dict(key_figures.key_figure_rows(one_key))["Peak share"]


def test_the_editable_deck_has_one_native_line_per_partner(data, tmp_path):
    from pptx import Presentation

    from analytics.publish.deck import build_deck

    out = build_deck(
        company=QUILLON, partner=SWITCH, out=tmp_path / "switch.pptx", data_dir=data, editable_charts=True
    )
    deck = Presentation(str(out))
    assert deck.slides[0].shapes.title.text == ("Quillon Browser: dependence on Lookwise group and Searchly")
    slide = deck.slides[1]
    assert slide.shapes.title.text.startswith("Lookwise group led with 80% of revenue in 2020")
    chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
    lines = {s.name: list(s.values) for s in chart.plots[0].series}
    assert list(lines) == ["Lookwise group share of total revenue", "Searchly share of total revenue"]
    assert lines["Searchly share of total revenue"] == pytest.approx(
        [SEARCHLY[p] / TOTALS[p] for p in TOTALS]
    )
    notes = slide.notes_slide.notes_text_frame.text
    assert "2022: Searchly €420.0M of €540.0M (77.8%)" in notes


@pytest.mark.parametrize("command", [("charts", "build"), ("deck",), ("report",)])
def test_the_commands_take_the_partner_option_repeated(data, tmp_path, command):
    out = tmp_path / {"charts": "charts", "deck": "switch.pptx", "report": "switch.html"}[command[0]]
    names = (
        ("partner_dependence", "partner_vs_rest", "--format", "csv,html") if command[0] == "charts" else ()
    )
    result = cli(
        data,
        *command,
        *names,
        "--company",
        QUILLON,
        "--partner",
        "Lookwise",
        "--partner",
        "Searchly",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written and all(path.exists() for path in written)
    if command[0] == "charts":
        csv = pl.read_csv(out / "partner_dependence.csv")
        assert csv["partner"].to_list() == [p for _ in TOTALS for p in SWITCH]
        manifest = json.loads((out / "charts.json").read_text(encoding="utf-8"))
        assert manifest["charts"]["partner_dependence"]["partner"] == "Lookwise and Searchly"
    elif command[0] == "report":
        page = out.read_text(encoding="utf-8")
        assert "<h1>Quillon Browser: dependence on Lookwise group and Searchly</h1>" in page
        compared = page.split("<h2>Share of total revenue by partner</h2>", 1)[1]
        compared = compared.split("</table>", 1)[0]
        cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", compared)
        # Hand-computed in tests/fixtures/quillon/README.md: 2021 Lookwise group 200 of 520,
        # Searchly 210 of 520; 2022 Searchly 420 of 540.
        assert cells[:3] == ["Period", "Lookwise group", "Searchly"]
        assert cells[3:9] == ["2020", "80.0%", "4.0%", "2021", "38.5%", "40.4%"]
        assert cells[9:12] == ["2022", "11.1%", "77.8%"]
        assert "<h2>Annual figures: Lookwise group</h2>" in page


# --- half-years ----------------------------------------------------------------------------


def test_a_half_year_reporter_gets_half_year_charts_chosen_by_itself(data):
    from analytics.charts.subject import resolve_subject

    subject = resolve_subject(HALFCO, ["Alpha", "Beta"], data_dir=data)
    assert subject.period_kind == "half" and subject.words.noun == "half-year"
    spec = chart_for("partner_dependence", company=HALFCO, partner=["Alpha", "Beta"], data_dir=data).to_dict()
    assert "by half-year H1 2020 – H1 2021" in spec["title"]["subtitle"]
    assert share_layers(spec)[0]["encoding"]["x"]["timeUnit"] == "utcyearmonthdate"
    frames = key_figures.load_frames(company=HALFCO, partner=["Alpha", "Beta"], data_dir=data)
    rows = dict(key_figures.key_figure_rows(key_figures.key_figures(frames)))
    assert rows["Latest Alpha trailing-twelve-month share"] == "28% (H1 2021)"


def test_period_kind_half_is_taken_and_a_company_without_halves_is_told_its_kind(data, tmp_path):
    result = cli(
        data,
        "charts",
        "build",
        "--company",
        QUILLON,
        "--partner",
        "Lookwise",
        "--period-kind",
        "half",
        "--out",
        str(tmp_path / "charts"),
    )
    assert result.exit_code == 5 and result.stdout == ""
    assert "no half-year of Quillon Browser" in result.stderr
    assert "use --period-kind year" in result.stderr
    for command in (["charts", "build"], ["deck"], ["report"]):
        help_text = " ".join(cli(data, *command, "--help").stdout.split())
        assert "quarter, half or year" in help_text and "repeat to compare several" in help_text
