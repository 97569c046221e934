"""One chart folder being built: each chart's commit carries its files, its embed snippet, the
updated manifest and gallery, and the deletion of its files in formats not built.

So a kill at any point leaves the folder with each chart's files, the manifest and the gallery
in agreement: the old state or the new one, never a range-limited .html beside an older .svg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.charts import manifest
from analytics.charts.gallery import gallery_html
from analytics.charts.page import BUNDLE_NAME, embed_snippet, split_bundle
from analytics.store import commit

if TYPE_CHECKING:
    from analytics.publish.build import RenderedChart

INDEX_NAME = "index.html"


@dataclass
class ChartSet:
    """The folder, the subject of this build (with the basis and as-of date chosen, if any)
    and its HTML mode, and the manifest so far."""

    folder: Path
    company: str
    partner: str
    html: str = "inline"
    charts: manifest.Manifest = field(default_factory=dict)
    committed: int = 0
    bundled: bool = False
    order: list[str] = field(default_factory=list)
    basis: str | None = None
    as_of: str | None = None

    @classmethod
    def open(
        cls,
        folder: Path,
        company: str,
        partner: str,
        html: str,
        known: list[str],
        basis: str | None = None,
        as_of: str | None = None,
    ) -> ChartSet:
        """The chart set of `folder`, its manifest read (or rebuilt from its files)."""
        return cls(
            folder,
            company,
            partner,
            html,
            manifest.read(folder, known),
            order=known,
            basis=basis,
            as_of=as_of,
        )

    def commit(self, rendered: RenderedChart) -> list[Path]:
        """Commit one chart, the manifest and the gallery in one all-or-nothing commit; return
        the chart's own files written."""
        files = self._chart_files(rendered)
        formats = [
            fmt
            for fmt in manifest.CHART_FILES
            if manifest.file_name(rendered.name, fmt) in {path.name for path in files}
        ]
        entries = {
            **self.charts,
            rendered.name: manifest.entry(
                title=rendered.title,
                company=self.company,
                partner=self.partner,
                periods=rendered.periods,
                formats=formats,
                html=self.html,
                basis=self.basis,
                as_of=self.as_of,
                render_key=rendered.render_key,
                png=rendered.outputs.get("png"),
            ),
        }
        charts = {name: entries[name] for name in sorted(entries, key=self._position)}
        writes = {
            **files,
            self.folder / manifest.MANIFEST_NAME: manifest.encode(charts),
            self.folder / INDEX_NAME: gallery_html(charts).encode("utf-8"),
        }
        stale = manifest.stale_files(self.folder, rendered.name, formats)
        commit.commit_all({path: _writer(data) for path, data in writes.items()}, stale)
        self.charts, self.committed = charts, self.committed + 1
        self.bundled = self.bundled or self.folder / BUNDLE_NAME in files
        return [path for path in files if path.name != BUNDLE_NAME]

    def _position(self, name: str) -> int:
        """Registry order, so the gallery shows charts as `charts list` does."""
        return self.order.index(name) if name in self.order else len(self.order)

    def summary_paths(self) -> list[Path]:
        """The shared bundle (when written), manifest and gallery, once any chart was committed."""
        if not self.committed:
            return []
        bundle = [self.folder / BUNDLE_NAME] if self.bundled else []
        return [*bundle, self.folder / manifest.MANIFEST_NAME, self.folder / INDEX_NAME]

    def _chart_files(self, rendered: RenderedChart) -> dict[Path, bytes]:
        files: dict[Path, bytes] = {}
        for fmt, content in rendered.outputs.items():
            files[self.folder / manifest.file_name(rendered.name, fmt)] = content
        page_path = self.folder / manifest.file_name(rendered.name, "html")
        if page_path in files:
            if self.html == "shared":
                page, bundle = split_bundle(files[page_path].decode("utf-8"))
                files[page_path] = page.encode("utf-8")
                files[self.folder / BUNDLE_NAME] = bundle.encode("utf-8")
            embed = embed_snippet(rendered.name, rendered.title)
            files[self.folder / manifest.file_name(rendered.name, "embed")] = embed.encode()
        return files


def _writer(data: bytes) -> commit.Writer:
    return lambda temp: temp.write_bytes(data)
