"""The deck takes a chart build's PNGs instead of rendering them again, but only when a PNG is
exactly the picture it would render: a changed figure, subject, period range, basis, as-of date
or renderer, or a PNG edited, unreadable or unrecorded since, is rendered afresh.

Renders are counted by wrapping `Renderer.send` and `Renderer.__enter__` (the real ones still
run: a chart that misses is really rendered)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import analytics
from analytics.charts import registry
from analytics.charts.renderer import Renderer
from analytics.project import PROJECT_ROOT
from analytics.publish import reuse
from analytics.publish.build import build_charts
from analytics.publish.deck import build_deck

SHIPPED = PROJECT_ROOT / "data"
ALL = registry.names()
REVENUE_HEADER = (
    "company,period,stream,counterparty,amount,currency,unit,precision,derived,"
    "split_is_exhaustive,basis,reported_on,source,note\n"
)


class Renders:
    """The charts handed to a renderer worker, and how many workers were started."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.workers = 0


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Renders:
    seen = Renders()
    real_send, real_enter = Renderer.send, Renderer.__enter__

    def send(self: Renderer, name: str, spec: dict[str, Any]) -> None:
        seen.sent.append(name)
        real_send(self, name, spec)

    def enter(self: Renderer) -> Renderer:
        seen.workers += 1
        return real_enter(self)

    monkeypatch.setattr(Renderer, "send", send)
    monkeypatch.setattr(Renderer, "__enter__", enter)
    return seen


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every chart of the shipped data built as PNG (the default subject and range)."""
    folder = tmp_path_factory.mktemp("build") / "charts"
    assert build_charts(formats=("png",), out_dir=folder, data_dir=SHIPPED).failed == {}
    return folder


@pytest.fixture
def charts(built: Path, tmp_path: Path) -> Path:
    """A copy of the built folder this test may spoil."""
    return Path(shutil.copytree(built, tmp_path / "charts"))


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "charts.json").read_text(encoding="utf-8"))


def slide_pictures(deck: Path) -> dict[str, bytes]:
    """Each chart slide's picture bytes, by chart (slides 2 to 8, in registry order)."""
    from pptx import Presentation

    slides = list(Presentation(str(deck)).slides)[1 : 1 + len(ALL)]
    found = {}
    for name, slide in zip(ALL, slides, strict=True):
        (picture,) = [shape for shape in slide.shapes if shape.shape_type == 13]
        found[name] = picture.image.blob
    return found


def built_pngs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.png").read_bytes() for name in ALL}


def test_the_manifest_records_each_pngs_render_key_and_digest(built: Path) -> None:
    charts = manifest(built)["charts"]
    for name in ALL:
        png = (built / f"{name}.png").read_bytes()
        assert charts[name]["png_sha256"] == hashlib.sha256(png).hexdigest()
        assert len(charts[name]["render_key"]) == 64
    assert len({charts[name]["render_key"] for name in ALL}) == len(ALL)


def test_a_chart_built_without_png_records_no_picture(tmp_path: Path) -> None:
    assert build_charts(["concentration"], formats=("svg",), out_dir=tmp_path, data_dir=SHIPPED).failed == {}
    entry = manifest(tmp_path)["charts"]["concentration"]
    assert "render_key" not in entry and "png_sha256" not in entry


def test_the_deck_of_a_project_takes_every_png_of_its_last_build(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renders: Renders
) -> None:
    """`charts build` (every format) then `deck` in one project: no worker, no render, and
    the slides hold the very bytes of the built PNGs."""
    (tmp_path / "analytics.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli("charts", "build").exit_code == 0
    renders.sent.clear()
    renders.workers = 0
    result = cli("deck", "--out", str(tmp_path / "dependence.pptx"))
    assert result.exit_code == 0, result.stderr
    assert (renders.sent, renders.workers) == ([], 0)
    assert slide_pictures(tmp_path / "dependence.pptx") == built_pngs(tmp_path / "charts")


def test_a_changed_figure_renders_every_chart_that_shows_it(
    built: Path, data_dir: Path, tmp_path: Path, renders: Renders
) -> None:
    """Alibaba's 2016Q1 revenue ingested as 12.1M (was 11.1M): every chart draws it (the mix
    and the concentration through Alibaba's class and top share), so each is rendered again
    and its picture differs from the build's."""
    changed = tmp_path / "changed.csv"
    changed.write_text(
        REVENUE_HEADER + "Weibo,2016Q1,advertising,Alibaba,12100,USD,thousands,"
        "50,false,,ASC 605,,a corrected figure (test),\n",
        encoding="utf-8",
    )
    analytics.ingest(changed, data_dir=data_dir)
    deck = build_deck(out=tmp_path / "deck.pptx", data_dir=data_dir, built_charts=built)
    assert renders.sent == ALL
    before = built_pngs(built)
    assert all(picture != before[name] for name, picture in slide_pictures(deck).items())


def specs_of(
    partner: str = "Alibaba", from_period: str | None = None, **vintage: str
) -> dict[str, dict[str, Any]]:
    """The spec the deck builds for each chart of the shipped data, by chart."""
    from analytics.charts.subject import resolve_subject
    from analytics.publish.chart_spec import spec_and_frame
    from analytics.sql.session import session

    with session(SHIPPED) as opened:
        subject = resolve_subject("Weibo", partner, from_period, None, None, opened, **vintage)
        return {name: spec_and_frame(name, subject, opened)[0] for name in ALL}


def spec_of(name: str) -> dict[str, Any]:
    return specs_of()[name]


def test_the_built_png_is_found_for_the_same_spec_and_renderer(built: Path) -> None:
    png = (built / "partner_dependence.png").read_bytes()
    found = reuse.BuiltPictures.of(built).outputs("partner_dependence", spec_of("partner_dependence"))
    assert found == {"png": png}


@pytest.mark.parametrize(
    "subject",
    [{"from_period": "2016Q1"}, {"basis": "ASC 605"}, {"as_of": "2019-12-31"}, {"as_of": "2030-01-01"}],
)
def test_another_range_basis_or_as_of_date_finds_no_png(built: Path, subject: dict[str, str]) -> None:
    """The deck's test for each chart: a spec of another range or vintage never finds the
    built PNG (as of 2030 holds the same figures as today: the subtitle says so)."""
    pictures = reuse.BuiltPictures.of(built)
    for name, spec in specs_of(**subject).items():
        assert pictures.outputs(name, spec) is None, name


def test_another_partner_finds_only_the_charts_that_do_not_show_it(built: Path) -> None:
    """SINA in place of Alibaba: the mix and concentration charts draw no partner, so their
    specs, and pictures, are the same."""
    pictures = reuse.BuiltPictures.of(built)
    found = [name for name, spec in specs_of("SINA").items() if pictures.outputs(name, spec)]
    assert found == ["revenue_mix", "concentration"]


def test_another_renderer_version_or_scale_finds_no_png(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, pictures = spec_of("concentration"), reuse.BuiltPictures.of(built)
    assert pictures.outputs("concentration", spec) is not None
    with monkeypatch.context() as scaled:
        scaled.setattr(reuse, "PNG_SCALE", 3)
        assert pictures.outputs("concentration", spec) is None
    monkeypatch.setattr(reuse, "renderer_version", lambda: "vl-convert-python 0.0.1")
    assert pictures.outputs("concentration", spec) is None


def test_a_tampered_unreadable_or_unrecorded_png_is_rendered_again(
    charts: Path, tmp_path: Path, renders: Renders
) -> None:
    original = built_pngs(charts)
    tampered = charts / "partner_dependence.png"
    tampered.write_bytes(tampered.read_bytes() + b"\0")  # still a PNG, not the one recorded
    (charts / "revenue_mix.png").unlink()
    (charts / "revenue_mix.png").mkdir()  # there, but no file can be read from it
    document = manifest(charts)
    del document["charts"]["concentration"]
    (charts / "charts.json").write_text(json.dumps(document), encoding="utf-8")
    deck = build_deck(out=tmp_path / "deck.pptx", built_charts=charts)
    assert renders.sent == ["partner_dependence", "revenue_mix", "concentration"]
    assert renders.workers == 1
    assert slide_pictures(deck) == original  # the same spec renders the same picture


def test_a_folder_without_a_manifest_or_without_a_folder_offers_nothing(charts: Path, tmp_path: Path) -> None:
    spec = spec_of("concentration")
    assert reuse.BuiltPictures.of(charts).outputs("concentration", spec) is not None
    (charts / "charts.json").unlink()
    assert reuse.BuiltPictures.of(charts).outputs("concentration", spec) is None
    assert reuse.BuiltPictures.of(tmp_path / "nowhere").outputs("concentration", spec) is None
    assert reuse.BuiltPictures.of(None).outputs("concentration", spec) is None
