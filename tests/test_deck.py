"""The deck and the figures behind it: opened back with python-pptx, numbers checked against the
shipped queries, errors leave no file."""

from __future__ import annotations

from pathlib import Path

import pytest

import analytics
from analytics.errors import QueryError, UnknownNameError
from analytics.publish import key_figures


def known_shares(**params: str) -> list[dict]:
    frame = analytics.query("partner_dependence", **params).sort("period_start")
    return [row for row in frame.to_dicts() if row["share_of_total"] is not None]


def quarter(period: str) -> str:
    """`2018Q4` as headlines write it: `Q4 2018`."""
    return f"Q{period[-1]} {period[:4]}"


def chart_names() -> list[str]:
    from analytics.charts import registry

    return registry.names()


def slide_titles(deck) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]


def pictures(slide) -> list:
    return [shape for shape in slide.shapes if shape.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE


@pytest.fixture(scope="module")
def weibo_deck(tmp_path_factory) -> Path:
    from analytics.publish.deck import build_deck

    return build_deck(out=tmp_path_factory.mktemp("deck") / "dependence.pptx")


@pytest.fixture(scope="module")
def opened(weibo_deck):
    from pptx import Presentation

    return Presentation(str(weibo_deck))


# --- figures -------------------------------------------------------------------------------


def test_periods_read_quarter_first():
    assert key_figures.format_period("2013Q4") == "Q4 2013"
    assert key_figures.format_period("2016") == "2016"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (28_500_000, "USD", "$28.5M"),
        (210_000_000, "CNY", "¥210.0M"),
        (-44_400_000, "USD", "\u2212$44.4M"),
        (1_250_000_000, "USD", "$1.2B"),
        (5_000_000, "XYZ", "XYZ 5.0M"),
        (None, "USD", "not disclosed"),
    ],
)
def test_money_is_in_millions_of_the_datas_currency(amount, currency, text):
    assert key_figures.format_money(amount, currency) == text


def test_shares_keep_two_significant_figures_and_unknown_stays_unknown():
    assert key_figures.format_share(0.399) == "40%"
    assert key_figures.format_share(0.0930) == "9.3%"
    assert key_figures.format_share(0.1007, exact=True) == "10.1%"
    assert key_figures.format_share(None) == "not disclosed"


def test_crossings_compare_disclosed_periods_and_skip_gaps():
    shares = [
        key_figures.ShareAt(p, s, None, None)
        for p, s in [("2013Q4", 0.40), ("2016Q1", 0.093), ("2017Q3", 0.079), ("2017Q4", 0.1007)]
    ]
    crossings = key_figures.threshold_crossings(shares)
    assert [(c.direction, c.before.period, c.after.period) for c in crossings] == [
        ("below", "2013Q4", "2016Q1"),
        ("above", "2017Q3", "2017Q4"),
    ]


def test_key_figures_equal_the_query_results():
    known = known_shares()
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba")
    key = key_figures.key_figures(frames)
    peak = max(known, key=lambda row: row["share_of_total"])
    assert (key.latest.period, key.latest.share) == (known[-1]["period"], known[-1]["share_of_total"])
    assert (key.peak.period, key.peak.share) == (peak["period"], peak["share_of_total"])
    assert key.peak.period == "2013Q4"
    hhi = analytics.query("concentration").drop_nulls("hhi").sort("period_start")
    assert key.latest_hhi == hhi["hhi"][-1]


def test_the_issues_headline_comes_out_of_the_data():
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba", to_period="2016Q1")
    headline = key_figures.headlines(frames, key_figures.key_figures(frames))["partner_dependence"]
    assert headline == "Alibaba fell from 40% of revenue in Q4 2013 to 9.3% in Q1 2016"


def test_an_undisclosed_ttm_share_says_so():
    frames = key_figures.load_frames(
        company="Weibo", partner="Alibaba", from_period="2015Q1", to_period="2016Q4"
    )
    key = key_figures.key_figures(frames)
    assert key.latest_ttm_share is None
    assert ("Latest trailing-twelve-month share", "not disclosed") in key_figures.key_figure_rows(key)


def test_the_latest_ttm_share_is_the_querys():
    ttm = analytics.query("partner_dependence").drop_nulls("ttm_share_of_total")
    key = key_figures.key_figures(key_figures.load_frames(company="Weibo", partner="Alibaba"))
    assert (key.latest_ttm_period, key.latest_ttm_share) == (ttm["period"][-1], ttm["ttm_share_of_total"][-1])


# --- the deck ------------------------------------------------------------------------------


def test_the_deck_is_16_9_with_title_chart_and_key_figure_slides(opened):
    assert (opened.slide_width.inches, opened.slide_height.inches) == pytest.approx((13.333, 7.5), abs=0.01)
    assert len(opened.slides) == 1 + len(chart_names()) + 1
    titles = slide_titles(opened)
    assert titles[0] == "Weibo: dependence on Alibaba"
    assert "Q1 2013" in opened.slides[0].placeholders[1].text
    assert titles[-1] == "Key figures: Weibo and Alibaba"


def test_each_chart_slide_shows_that_charts_png(opened, tmp_path):
    from analytics.publish.build import build_charts

    result = build_charts(company="Weibo", partner="Alibaba", formats=("png",), out_dir=tmp_path)
    built = {path.stem: path.read_bytes() for path in result.written if path.suffix == ".png"}
    chart_slides = list(opened.slides)[1:-1]
    for name, slide in zip(chart_names(), chart_slides, strict=True):
        [picture] = pictures(slide)
        assert picture.image.blob == built[name], name


def test_chart_titles_are_the_computed_headlines(opened):
    frames = key_figures.load_frames(company="Weibo", partner="Alibaba")
    expected = key_figures.headlines(frames, key_figures.key_figures(frames))
    assert slide_titles(opened)[1:-1] == [expected[name] for name in chart_names()]


def test_the_dependence_headline_numbers_equal_the_query(opened):
    known = known_shares()
    first, latest = known[0], known[-1]
    title = slide_titles(opened)[1 + chart_names().index("partner_dependence")]
    # Weibo's first and latest shares are on different bases (ASC 605, ASC 606): it says so
    note = (
        ""
        if first["basis"] == latest["basis"]
        else (
            f" ({first['basis']} in Q4 2013, {latest['basis']} in {quarter(latest['period'])}: "
            "not like for like)"
        )
    )
    assert title == (
        f"Alibaba fell from {first['share_of_total'] * 100:.0f}% of revenue in "
        f"Q4 2013 to {latest['share_of_total'] * 100:.1f}% in "
        f"{quarter(latest['period'])}{note}"
    )


def test_speaker_notes_carry_the_numbers_behind_each_chart(opened):
    chart_slides = list(opened.slides)[1:-1]
    for slide in chart_slides:
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith(slide.shapes.title.text)
    dependence = chart_slides[chart_names().index("partner_dependence")]
    assert "Q4 2013: Alibaba $28.5M of $71.4M (39.9%)" in dependence.notes_slide.notes_text_frame.text


def test_every_chart_slide_has_a_source_footnote(opened):
    for slide in list(opened.slides)[1:-1]:
        texts = [
            shape.text_frame.text
            for shape in slide.shapes
            if shape.has_text_frame and shape != slide.shapes.title
        ]
        assert any(text.startswith("Source: ") for text in texts)


def test_the_key_figures_table_shows_latest_and_peak_share(opened):
    [table_shape] = [shape for shape in opened.slides[-1].shapes if shape.has_table]
    cells = {
        table_shape.table.cell(r, 0).text: table_shape.table.cell(r, 1).text
        for r in range(len(table_shape.table.rows))
    }
    known = known_shares()
    latest, peak = known[-1], max(known, key=lambda row: row["share_of_total"])
    assert (
        cells["Latest Alibaba share of revenue"]
        == f"{latest['share_of_total'] * 100:.1f}% in {quarter(latest['period'])}"
    )
    note = (
        ""
        if peak["basis"] == latest["basis"]
        else (
            f" ({peak['basis']}; the latest share, {quarter(latest['period'])}, is on "
            f"{latest['basis']}: not like for like)"
        )
    )
    assert cells["Peak share"] == f"40% in Q4 2013{note}"


# --- errors and other companies ------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "listed"), [({"company": "Sina"}, "Weibo"), ({"partner": "Tencent"}, "Alibaba")]
)
def test_an_unknown_name_lists_the_known_ones_and_writes_nothing(data_dir, tmp_path, params, listed):
    from analytics.publish.deck import build_deck

    out = tmp_path / "deck.pptx"
    with pytest.raises(UnknownNameError, match=listed):
        build_deck(out=out, data_dir=data_dir, **params)
    assert list(tmp_path.glob("deck.pptx*")) == []


def test_an_empty_period_range_is_a_clear_error_and_writes_nothing(data_dir, tmp_path):
    from analytics.publish.deck import build_deck

    out = tmp_path / "deck.pptx"
    with pytest.raises(QueryError, match="holds no data"):
        build_deck(out=out, from_period="2030Q1", data_dir=data_dir)
    assert not out.exists()


def test_a_second_company_in_yuan_gets_its_own_deck(two_company_data_dir, tmp_path):
    from pptx import Presentation

    from analytics.publish.deck import build_deck

    out = build_deck(
        company="Nimbus Cloud", partner="Nimbus Group", out=tmp_path / "n.pptx", data_dir=two_company_data_dir
    )
    deck = Presentation(str(out))
    titles = slide_titles(deck)
    assert titles[0] == "Nimbus Cloud: dependence on Nimbus Group"
    assert len(titles) == 2 + len(chart_names())
    assert any("¥" in title for title in titles)
    assert "Weibo" not in " ".join(titles) and "Alibaba" not in " ".join(titles)


def test_the_deck_command_prints_the_written_path(cli, tmp_path):
    out = tmp_path / "cli.pptx"
    result = cli("deck", "--to", "2016Q1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out.resolve())
    assert out.stat().st_size > 0


def test_the_deck_command_reports_an_unknown_company_on_stderr(cli, tmp_path):
    out = tmp_path / "cli.pptx"
    result = cli("deck", "--company", "Sina", "--out", str(out))
    assert result.exit_code == UnknownNameError.exit_code
    assert result.stdout == ""
    assert "Known: Weibo" in result.stderr
    assert not out.exists()
