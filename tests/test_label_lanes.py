"""Rule labels never overlap one another, and the dependence charts keep every share below them.

Checked on the layout itself (any labels, by hypothesis), then on the built specs: Weibo (events
and three basis changes crowded into 2013), Quillon Browser (several partners, a 100% share),
and Kestrel (a basis change, no events).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analytics
from analytics.charts.label_lanes import (
    FIRST_LANE_PX,
    LABEL_GAP_PX,
    LANE_PX,
    RULE_GAP_PX,
    Label,
    extent,
    place,
    reserved_px,
)
from analytics.charts.theme import HEIGHT, WIDTH
from analytics.publish.build import chart_for
from tests.shapes import ingest_fixture

SHIPPED = Path(__file__).parent.parent / "data"
SHOWN = ("2013-01-01", "2021-12-31")


def spans(labels: list[Label], shown: tuple[str, str] = SHOWN) -> list[tuple[int, float, float]]:
    """(lane top, start, end) in pixels of each placed label, as its estimated width says."""
    first, last = (dt.date.fromisoformat(day).toordinal() for day in shown)
    out = []
    for label, where in zip(labels, place(labels, shown), strict=True):
        x = (dt.date.fromisoformat(label.day).toordinal() - first) / (last - first) * WIDTH
        start, end, right = extent(label, x)
        assert where.align == ("left" if right else "right")
        out.append((where.y_px, start, end))
    return out


days = st.dates(min_value=dt.date(2013, 1, 1), max_value=dt.date(2021, 12, 31)).map(dt.date.isoformat)
labels = st.lists(
    st.builds(Label, days, st.text("abcdefgh ", min_size=1, max_size=40), st.booleans()), max_size=12
).map(lambda found: sorted(found, key=lambda label: label.day))


@given(labels)
def test_no_two_labels_in_a_lane_overlap_and_none_leaves_the_plot(found):
    placed = spans(found)
    for i, (lane, start, end) in enumerate(placed):
        assert start >= -1e-9 - WIDTH and end <= WIDTH + RULE_GAP_PX + 1e-9
        for other_lane, other_start, other_end in placed[i + 1 :]:
            if lane == other_lane:
                assert end + LABEL_GAP_PX <= other_start or other_end + LABEL_GAP_PX <= start


def test_labels_far_apart_share_the_top_lane_and_crowded_ones_step_down():
    far = [Label("2013-04-01", "Stake bought"), Label("2019-01-01", "Cooperation expires")]
    assert [p.y_px for p in place(far, SHOWN)] == [FIRST_LANE_PX, FIRST_LANE_PX]
    crowded = [
        Label("2013-04-01", "Stake bought"),
        Label("2013-05-01", "IPO on Nasdaq"),
        Label("2013-06-01", "ASC 605 from Q3 2013", bold=True),
    ]
    assert [p.y_px for p in place(crowded, SHOWN)] == [FIRST_LANE_PX + LANE_PX * i for i in range(3)]
    assert reserved_px(place(crowded, SHOWN)) == FIRST_LANE_PX * 2 + LANE_PX * 3


def test_a_label_at_the_right_edge_ends_at_its_rule():
    (where,) = place([Label("2021-10-01", "A long label near the end of the range")], SHOWN)
    assert where.align == "right"


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every layer of a chart, through its vertical concatenation (the footnotes) and layers."""
    found = []
    for part in [*spec.get("vconcat", []), *spec.get("layer", [])]:
        found += [part, *layers(part)]
    return found


def rule_label_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        row
        for layer in layers(spec)
        if isinstance(layer.get("data"), dict)
        for row in layer["data"].get("values", [])
        if "y_px" in row and "align" in row
    ]


def highest_px(spec: dict[str, Any], field: str) -> float:
    """Pixels from the top of the plot to the highest value of `field` drawn (on the scale's
    domain as the chart gives it; Vega may round its top up, which only lowers the value)."""
    values = [
        row[field]
        for layer in layers(spec)
        if isinstance(layer.get("data"), dict)
        for row in layer["data"].get("values", [])
        if isinstance(row.get(field), float | int)
    ]
    low, top = next(
        layer["encoding"]["y"]["scale"]["domain"]
        for layer in layers(spec)
        if layer.get("encoding", {}).get("y", {}).get("field") == field
        and "domain" in layer["encoding"]["y"].get("scale", {})
    )
    return HEIGHT * (top - max(values)) / (top - low)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shapes") / "data"
    folder.mkdir()
    for company in ("quillon", "kestrel"):
        ingest_fixture(folder, company)
    events = folder.parent / "events.csv"  # Quillon's switches, labelled at the top of 2020-2023
    events.write_text(
        "company,event_date,label,description,source,note,annotate\n"
        "Quillon Browser,2021-07-01,Default switches to Searchly,The switch,test fixture,,true\n"
        "Quillon Browser,2021-08-01,Lookwise stays optional,Kept as an option,test fixture,,true\n"
        "Quillon Browser,2023-01-01,Default back to Lookwise,The switch back,test fixture,,true\n",
        encoding="utf-8",
    )
    analytics.ingest(events, "events", folder)
    return folder


@pytest.mark.parametrize(
    ("company", "partners"),
    [
        ("Weibo", "Alibaba"),
        ("Quillon Browser", ["Lookwise", "Searchly"]),
        ("Kestrel Media", "Osprey Retail"),
    ],
)
def test_every_share_is_drawn_below_the_rule_labels(company, partners, shapes):
    folder = SHIPPED if company == "Weibo" else shapes
    spec = chart_for(
        "partner_dependence",
        company=company,
        partner=partners,
        from_period=None,
        to_period=None,
        data_dir=folder,
    ).to_dict()
    rows = rule_label_rows(spec)
    assert rows, "every shape here has a rule label (an event or a basis change)"
    reserved = max(row["y_px"] for row in rows) + LANE_PX + FIRST_LANE_PX
    assert highest_px(spec, "share") >= reserved
    if company == "Weibo":
        assert len({row["y_px"] for row in rows}) >= 3  # crowded 2013: several lanes used


@pytest.mark.parametrize(
    ("chart", "fields"), [("concentration", ("hhi", "top_share")), ("growth_ex_partner", ("growth",))]
)
def test_the_other_charts_draw_their_values_below_the_basis_labels(chart, fields):
    spec = chart_for(chart, company="Weibo", partner="Alibaba", data_dir=SHIPPED).to_dict()
    rows = rule_label_rows(spec)
    assert len({row["label"] for row in rows}) == 3  # Weibo's three basis changes, two in 2013
    reserved = max(row["y_px"] for row in rows) + LANE_PX + FIRST_LANE_PX
    for field in fields:
        assert highest_px(spec, field) >= reserved
