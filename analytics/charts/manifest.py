"""The chart folder's manifest (`charts.json`): what each chart was built for, in which formats.

The gallery is drawn from it, so building one chart never drops the others; it is committed in
the same commit as the chart's files, so it always describes the files that are there. A
missing or unreadable manifest is rebuilt from the chart files found in the folder. A chart
built as PNG also records its render key and the PNG's sha256, so the deck can take that
picture instead of rendering the same spec again (`analytics.publish.reuse`).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analytics.charts.format import label

MANIFEST_NAME = "charts.json"
#: Every file a chart may own, by format; `embed` is the iframe snippet beside an HTML chart.
CHART_FILES = {
    "html": "{name}.html",
    "png": "{name}.png",
    "svg": "{name}.svg",
    "csv": "{name}.csv",
    "embed": "{name}.embed.html",
}
_TEXT_FIELDS = (
    "title",
    "company",
    "partner",
    "from_period",
    "to_period",
    "basis",
    "as_of",
    "built_at",
    "html",
)
#: Fields holding a sha256 (hex): the render key of a chart's PNG and the PNG's own digest.
_DIGEST_FIELDS = ("render_key", "png_sha256")
_DIGEST = re.compile(r"[0-9a-f]{64}")

Manifest = dict[str, dict[str, Any]]


def read(folder: Path, known: list[str]) -> Manifest:
    """The manifest of `folder`, keeping only charts in `known` and well-formed fields; without
    one, an entry (range unknown) for every known chart that has files there."""
    try:
        loaded = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        charts = loaded["charts"]
        if not isinstance(charts, dict):
            raise TypeError("charts is not an object")
    except (OSError, ValueError, KeyError, TypeError):
        return _discovered(folder, known)
    return {
        name: _clean(entry) for name, entry in charts.items() if name in known and isinstance(entry, dict)
    }


def _clean(entry: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        key: label(entry[key]) for key in _TEXT_FIELDS if isinstance(entry.get(key), str)
    }
    cleaned |= {
        key: entry[key]
        for key in _DIGEST_FIELDS
        if isinstance(entry.get(key), str) and _DIGEST.fullmatch(entry[key])
    }
    formats = entry.get("formats")
    cleaned["formats"] = [fmt for fmt in CHART_FILES if isinstance(formats, list) and fmt in formats]
    return cleaned


def _discovered(folder: Path, known: list[str]) -> Manifest:
    found: Manifest = {}
    for name in known:
        formats = [
            fmt for fmt, pattern in CHART_FILES.items() if (folder / pattern.format(name=name)).is_file()
        ]
        if formats:
            found[name] = {"title": name, "formats": formats}
    return found


def entry(
    *,
    title: str,
    company: str,
    partner: str,
    periods: tuple[str | None, str | None],
    formats: list[str],
    html: str,
    basis: str | None = None,
    as_of: str | None = None,
    render_key: str | None = None,
    png: bytes | None = None,
) -> dict[str, Any]:
    """One chart's record: subject, period range actually charted, formats, build time (UTC),
    the basis and publication date it was built on when chosen (`--basis`, `--as-of`), and,
    when a PNG was rendered, its render key and digest (what the deck checks before reuse)."""
    vintage = {key: label(value) for key, value in (("basis", basis), ("as_of", as_of)) if value is not None}
    picture = (
        {"render_key": render_key, "png_sha256": digest(png)}
        if render_key is not None and png is not None
        else {}
    )
    return {
        "title": label(title),
        "company": label(company),
        "partner": label(partner),
        "from_period": periods[0],
        "to_period": periods[1],
        **vintage,
        "formats": formats,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "html": html,
        **picture,
    }


def digest(data: bytes) -> str:
    """The sha256 of `data` as hex, as the manifest records a PNG's."""
    return hashlib.sha256(data).hexdigest()


def encode(manifest: Manifest) -> bytes:
    """The manifest as readable JSON, charts in the order given."""
    document = {"generator": "analytics charts", "charts": manifest}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def stale_files(folder: Path, name: str, formats: list[str]) -> list[Path]:
    """The files of chart `name` in formats other than `formats` that exist in `folder`: removed
    in the commit that writes the others, so one chart's files always agree."""
    return [
        folder / pattern.format(name=name)
        for fmt, pattern in CHART_FILES.items()
        if fmt not in formats and (folder / pattern.format(name=name)).exists()
    ]


def file_name(name: str, fmt: str) -> str:
    """The file chart `name` has in format `fmt`."""
    return CHART_FILES[fmt].format(name=name)
