"""The offline gallery (`index.html`) of a chart folder, drawn from its manifest, and where a
build may write.

A build overwrites an index.html only when it carries `GALLERY_MARK` (this tool wrote it), so
`--out site` can never replace someone's own page; nor does it write inside the data folder. The
page is `templates/gallery.html.j2`, every text escaped there (`analytics.publish.pages`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analytics.charts.manifest import Manifest, file_name
from analytics.errors import InputError

#: Marks the galleries this tool writes; an index.html without it is never overwritten.
GALLERY_MARK = '<meta name="generator" content="analytics charts">'
#: A line only galleries written before the mark existed hold, so upgrading refuses none of them.
LEGACY_GALLERY_LINE = "figcaption a { margin-right: 0.8rem; }"


def check_out_dir(target: Path, data_dir: Path | str | None) -> Path:
    """`target` itself, refused (InputError, before anything is written) when it lies inside the
    data folder, is a file, or holds an index.html this tool did not write."""
    from analytics.project import data_dir as resolve_data_dir

    folder = target.expanduser().resolve()
    data = resolve_data_dir(data_dir)
    if folder.is_relative_to(data):
        raise InputError(f"refusing to write charts inside the data folder {data}: choose another --out")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is not a folder: choose another --out")
    index = folder / "index.html"
    if index.exists() and not _written_by_us(index):
        raise InputError(f"{index} was not written by analytics: choose another --out or remove it")
    return target


def _written_by_us(index: Path) -> bool:
    try:
        page = index.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return GALLERY_MARK in page or LEGACY_GALLERY_LINE in page


def gallery_html(manifest: Manifest) -> str:
    """An offline index page of every chart in the manifest: its preview, subject, period range,
    build time, a link to each of its formats and its embed snippet."""
    from analytics.publish import pages

    cards = [_card(name, chart) for name, chart in manifest.items()]
    return pages.render("gallery.html.j2", mark=pages.trusted_markup(GALLERY_MARK), cards=cards)


def _card(name: str, chart: dict[str, Any]) -> dict[str, Any]:
    """What the template shows of one chart, as plain text (the template escapes it)."""
    formats = chart.get("formats", [])
    preview = next((fmt for fmt in ("svg", "png") if fmt in formats), None)
    return {
        "name": name,
        "title": chart.get("title") or name,
        "preview": file_name(name, preview) if preview else None,
        "links": [{"href": file_name(name, fmt), "text": _link_text(fmt)} for fmt in formats],
        "subject": _subject(chart),
    }


def _link_text(fmt: str) -> str:
    return "embed snippet (iframe)" if fmt == "embed" else fmt.upper()


def _subject(chart: dict[str, Any]) -> str:
    """Company, partner, period range, the chosen basis and publication date, and build time,
    each shown only when recorded."""
    company, partner = chart.get("company"), chart.get("partner")
    parts = [f"{company}: dependence on {partner}" if company and partner else ""]
    first, last = chart.get("from_period"), chart.get("to_period")
    parts.append(f"{first or '…'} – {last or '…'}" if first or last else "range not recorded")
    parts.append(f"basis: {chart['basis']}" if chart.get("basis") else "")
    parts.append(f"as published by {chart['as_of']}" if chart.get("as_of") else "")
    parts.append(f"built {chart['built_at']}" if chart.get("built_at") else "")
    return " · ".join(part for part in parts if part)
