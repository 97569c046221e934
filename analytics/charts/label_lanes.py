"""Labels beside vertical rules (events, basis changes), laid out so none overlaps another.

Each label starts just right of its rule, or ends just left of it when it would run past the
plot's right edge, and takes the first lane from the top where it clears every label already
there. Widths are estimated from the font size (no renderer is asked), generously, so an
estimate errs towards another lane rather than towards an overlap. The lanes taken are reported,
so the chart can keep its data below them (`reserved_px`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.charts import common
from analytics.charts.theme import HEIGHT, WIDTH

FONT_SIZE = 11
FIRST_LANE_PX = 4
LANE_PX = 15
#: Pixels between a rule and its label (`dx`), and kept clear between two labels in a lane.
RULE_GAP_PX, LABEL_GAP_PX = 4, 8
#: An average character's width in ems, for the theme's sans-serif at its widest (capitals,
#: digits, bold): an estimate on the wide side.
_CHAR_EMS = {False: 0.58, True: 0.64}


@dataclass(frozen=True)
class Label:
    """A label to place: the day its rule stands on, its text, and whether it is bold."""

    day: str
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Placed:
    """Where a label goes: `y_px` from the top of the plot, and on which side of its rule."""

    y_px: int
    align: str


def place(labels: Sequence[Label], shown: tuple[str, str], width: int = WIDTH) -> list[Placed]:
    """A place for each of `labels` (same order) on a plot `width` pixels wide showing the days
    `shown` (first, last; ISO), in lanes from the top."""
    first, last = (dt.date.fromisoformat(day).toordinal() for day in shown)
    span = max(last - first, 1)
    lanes: list[list[tuple[float, float]]] = []
    placed: list[Placed] = []
    for label in labels:
        x = (dt.date.fromisoformat(label.day).toordinal() - first) / span * width
        start, end, right = extent(label, x, width)
        lane = next((i for i, taken in enumerate(lanes) if _clear(taken, start, end)), len(lanes))
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append((start, end))
        placed.append(Placed(FIRST_LANE_PX + LANE_PX * lane, "left" if right else "right"))
    return placed


def extent(label: Label, x: float, width: int = WIDTH) -> tuple[float, float, bool]:
    """The pixels a label beside a rule at `x` takes (start, end, estimated), and whether it
    goes right of the rule: it does unless it would run past the plot's right edge."""
    size = RULE_GAP_PX + len(label.text) * FONT_SIZE * _CHAR_EMS[label.bold]
    right = x + size <= width
    return (x, x + size, True) if right else (x - size, x, False)


def _clear(taken: list[tuple[float, float]], start: float, end: float) -> bool:
    return all(end + LABEL_GAP_PX <= a or b + LABEL_GAP_PX <= start for a, b in taken)


def reserved_px(placed: Sequence[Placed]) -> int:
    """How far down from the top of the plot the labels reach: the data stays below."""
    return max((p.y_px for p in placed), default=-LANE_PX) + LANE_PX + FIRST_LANE_PX


#: Pixels kept between the lowest label and the highest point (a marker's radius and a bit).
MARKER_CLEARANCE_PX = 8


def headroom(highest: float, low: float, reserved: int, height: int) -> float:
    """The top of an axis from `low` that keeps `highest` below the `reserved` pixels at the top
    of a plot `height` pixels high (at most two thirds of it go to labels)."""
    free = max(height - reserved - MARKER_CLEARANCE_PX, height / 3)
    return low + (highest - low) * height / free


def scale_below_labels(values: list[float], reserved: int, height: int = HEIGHT) -> Any:
    """A zero-based, nicely rounded y scale on which the highest of `values` is drawn below the
    `reserved` pixels of rule labels (and never on the plot's top edge)."""
    import altair as alt

    if not values or max(values) <= 0:
        return alt.Scale(zero=True, nice=True)
    low = min(0.0, *values)
    return alt.Scale(zero=True, nice=True, domain=[low, headroom(max(values), low, reserved, height)])


def text_layers(rows: list[dict[str, Any]], x: Any, colour: str, bold: bool = False) -> list[Any]:
    """Text layers for `rows` (each with `label`, `y_px` and `align`), one per side of the rule
    used, since a text mark has one alignment."""
    import altair as alt

    layers = []
    for align, dx in (("left", RULE_GAP_PX), ("right", -RULE_GAP_PX)):
        side = [row for row in rows if row["align"] == align]
        if side:
            style: dict[str, Any] = {"align": align, "baseline": "top", "dx": dx, "color": colour}
            style |= {"fontSize": FONT_SIZE, **({"fontWeight": "bold"} if bold else {})}
            mark = alt.Chart(common.inline(side)).mark_text(**style)
            layers.append(mark.encode(x=x, y=alt.Y("y_px:Q", scale=None, axis=None), text="label:N"))
    return layers
