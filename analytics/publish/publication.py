"""The one way a publication (the deck, the report) opens its data: one DuckDB session, the three
frames behind its figures, its output path checked and its key figures computed.

Shared so the deck and the report resolve the same subject the same way, and refuse a bad `--out`
before the slow part (the charts) on the session that will run every chart's queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.publish.key_figures import Frames, KeyFigures, key_figures, load_frames
from analytics.store import commit

if TYPE_CHECKING:
    from analytics.sql.session import Session


@dataclass(frozen=True)
class Publication:
    """What a publication is made from: the open session, the frames and their key figures."""

    session: Session
    frames: Frames
    figures: KeyFigures


@contextmanager
def open_publication(
    *,
    company: str,
    partner: str | Sequence[str],
    from_period: str | None,
    to_period: str | None,
    out: Path,
    data_dir: Path | str | None,
    period_kind: str | None,
    basis: str | None,
    as_of: dt.date | str | None,
) -> Iterator[Publication]:
    """Open one session on `data_dir`, load the frames for the subject asked for, refuse an
    `out` that is a folder or lies inside the data folder, and compute the key figures; the
    session closes when the block ends."""
    from analytics.sql.session import session

    with session(data_dir) as opened:
        # A session goes where key_figures takes a data folder: its queries then share it.
        frames = load_frames(
            company=company,
            partner=partner,
            from_period=from_period,
            to_period=to_period,
            data_dir=opened,
            period_kind=period_kind,
            basis=basis,
            as_of=as_of,
        )
        commit.check_output_path(out, opened.data_dir)  # before the slow part: the charts
        yield Publication(opened, frames, key_figures(frames))
