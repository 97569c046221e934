"""A chart build's PNGs taken again by the deck when they are exactly the picture it would render.

The render key is a sha256 over the canonical JSON of the spec (its data inlined, so company,
partner, range, basis, as-of date and every figure are in it) and every render option
(vl-convert's version, the PNG scale). The build records it per chart in its manifest with the
PNG's own sha256; a picture is taken only when both match and the file reads, so a changed
figure, subject, range or renderer, or a PNG edited since, is rendered afresh, never reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytics.charts import manifest
from analytics.charts.renderer import PNG_SCALE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_key(spec: dict[str, Any]) -> str:
    """What a PNG of `spec` depends on, as one sha256: the spec and every render option."""
    document = {"spec": spec, "renderer": renderer_version(), "png_scale": PNG_SCALE}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@functools.cache
def renderer_version() -> str:
    """vl-convert's installed version (the worker runs the same interpreter), read from its
    metadata so the renderer is not imported here."""
    from importlib import metadata

    try:
        return f"vl-convert-python {metadata.version('vl-convert-python')}"
    except metadata.PackageNotFoundError:  # nothing renders then either
        return "vl-convert-python unknown"


@dataclass(frozen=True)
class BuiltPictures:
    """The PNGs of one chart folder, as its manifest records them (none without a folder)."""

    folder: Path | None
    charts: manifest.Manifest = field(default_factory=dict)

    @classmethod
    def of(cls, folder: Path | None) -> BuiltPictures:
        """The folder's manifest, read once; a missing or unreadable one offers nothing."""
        from analytics.charts import registry

        if folder is None:
            return cls(None)
        return cls(folder, manifest.read(folder, registry.names()))

    def outputs(self, name: str, spec: dict[str, Any]) -> dict[str, bytes] | None:
        """`{"png": bytes}` of chart `name` when the folder's PNG was rendered from `spec` by
        this renderer and is unchanged since; None (render it) otherwise."""
        entry = self.charts.get(name, {})
        if self.folder is None or "png_sha256" not in entry or entry.get("render_key") != render_key(spec):
            return None
        try:
            png = (self.folder / manifest.file_name(name, "png")).read_bytes()
        except OSError:  # gone or unreadable: render it
            return None
        if not png.startswith(PNG_SIGNATURE) or manifest.digest(png) != entry["png_sha256"]:
            return None
        return {"png": png}
