"""The one Altair theme and the one mapping of semantic colours.

The theme is registered but enabled only inside `enabled()`, so importing the package changes
nothing global; chart code names colours by meaning (`COLOURS["partner"]`), never by hex value.
Counterparty classes and the unattributed stream are keyed by the vocabulary's words
(store/schema.py), so renaming a class there renames its colour too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from analytics.store.schema import MIXED, RELATED_PARTY, STRATEGIC_PARTNER, THIRD_PARTY, UNATTRIBUTED

THEME_NAME = "analytics"
WIDTH, HEIGHT = 760, 380
FONT = "Helvetica, Arial, sans-serif"

COLOURS: dict[str, str] = {
    "partner": "#e4572e",
    "partner_light": "#f3a712",
    "rest": "#2e86ab",
    "total": "#2e3a46",
    THIRD_PARTY: "#2e86ab",
    RELATED_PARTY: "#8e5ea2",
    STRATEGIC_PARTNER: "#e4572e",
    MIXED: "#a3c4bc",
    UNATTRIBUTED: "#b8b8b8",
    "one_off": "#c9b458",
    "threshold": "#6b6b6b",
    "shading": "#f6d8cc",
    "event": "#4a4a4a",
    "positive": "#3c9d5d",
    "negative": "#c0392b",
    "muted": "#8a8a8a",
    "basis": "#7a4f9e",
}

STREAM_PALETTE = ["#2e86ab", "#76b7d6", "#1b4f72", "#a3c4bc", "#5d6d7e", "#9bb7d4"]


def stream_colour(stream: str, index: int) -> str:
    """Colour of a revenue stream: unattributed is always grey, the rest cycle a blue palette."""
    if stream == UNATTRIBUTED:
        return COLOURS[UNATTRIBUTED]
    return STREAM_PALETTE[index % len(STREAM_PALETTE)]


def theme_spec() -> dict[str, Any]:
    """The theme as a Vega-Lite top-level fragment: fonts, sizes, quiet axes, left titles."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 16,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
            "title": {
                "anchor": "start",
                "fontSize": 18,
                "fontWeight": 600,
                "subtitleFontSize": 13,
                "subtitleColor": "#555555",
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleColor": "#444444",
                "labelColor": "#444444",
                "gridColor": "#e9e9e9",
                "domainColor": "#999999",
                "tickColor": "#999999",
            },
            "axisX": {"grid": False},
            "legend": {"orient": "top", "labelFontSize": 12, "titleFontSize": 12, "symbolType": "square"},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
            "text": {"fontSize": 12},
        }
    }


def register() -> None:
    """Register the theme (idempotent) without enabling it."""
    import altair as alt

    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme_spec)  # type: ignore[arg-type]


@contextlib.contextmanager
def enabled() -> Iterator[None]:
    """Enable the theme for the duration of a build, then restore whatever was active."""
    import altair as alt

    register()
    previous = alt.theme.active
    alt.theme.enable(THEME_NAME)
    try:
        yield
    finally:
        alt.theme.enable(previous)


@contextlib.contextmanager
def building() -> Iterator[None]:
    """Build and export charts under the theme, validated once: Altair's debug mode checks every
    object as it is made (a third of a build), and `to_dict()` checks the whole spec anyway."""
    from altair.utils.schemapi import debug_mode

    with enabled(), debug_mode(False):
        yield
