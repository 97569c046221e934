"""A chart's HTML as decks embed it: width follows its frame, the JavaScript optionally shared.

vl-convert inlines ~0.9 MB of Vega in every page; `split_bundle` moves it into one `vega.js`
beside the charts. Only the HTML spec gets `"width": "container"`: PNG and SVG keep the fixed
width they were designed at.
"""

from __future__ import annotations

import html
from typing import Any

BUNDLE_NAME = "vega.js"
HTML_MODES = ("inline", "shared")
_BUNDLE_OPEN = '<script type="text/javascript">'


def fluid_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with every view's width following its container and the padding fitted in."""
    fluid = dict(spec)
    fluid["autosize"] = {"type": "fit-x", "contains": "padding"}
    if isinstance(fluid.get("vconcat"), list):
        fluid["vconcat"] = [{**view, "width": "container"} for view in fluid["vconcat"]]
    else:
        fluid["width"] = "container"
    return fluid


def split_bundle(page: str) -> tuple[str, str]:
    """The page referencing `vega.js`, and the JavaScript it inlined (the first script)."""
    start = page.index(_BUNDLE_OPEN)
    end = page.index("</script>", start)
    script = page[start + len(_BUNDLE_OPEN) : end]
    shared = page[:start] + f'<script src="{BUNDLE_NAME}"></script>' + page[end + len("</script>") :]
    return shared, script


def embed_snippet(name: str, title: str) -> str:
    """The iframe code that embeds chart `name` in a deck, a site or a notebook."""
    return (
        f'<iframe src="{html.escape(name)}.html" '
        f'style="width:100%;aspect-ratio:16/9;border:0" '
        f'title="{html.escape(title)}"></iframe>\n'
    )
