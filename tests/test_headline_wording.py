"""Deck and report headlines read right on shapes other than Weibo's (issue 12, item 10): a
share that went up and came back is not told as a fall without its peak; two different shares
are never printed as the same rounded figure; a loss is `lost $4.4M`, never `added -$4.4M`; a
stream already named revenue is not `revenue revenue`. Tessera Games is made for this; every
number is computed by hand in the docstrings."""

from __future__ import annotations

from pathlib import Path

import pytest

import analytics
from analytics.publish.key_figures import headlines, key_figures, load_frames

COMPANY, PARTNER = "Tessera Games", "Nova Publishing"
#: Year: (total revenue, Nova's), US$ millions. Nova's share: 54.4%, 55%, 60%, 56.0%, 53.57%.
YEARS = {
    "2019": ("100.0", "54.4"),
    "2020": ("120.0", "66.0"),
    "2021": ("130.0", "78.0"),
    "2022": ("115.0", "64.4"),
    "2023": ("112.0", "60.0"),
}


@pytest.fixture(scope="module")
def tessera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tessera")
    folder = root / "data"
    folder.mkdir()
    (root / "counterparties.csv").write_text(
        f"company,counterparty,counterparty_class\n{COMPANY},{PARTNER},strategic_partner\n", encoding="utf-8"
    )
    rows = ["company,period,stream,counterparty,amount,currency,unit,source"]
    for year, (total, nova) in YEARS.items():
        rest = f"{float(total) - float(nova):.1f}"
        source = f"Annual report {year} (fictional)"
        rows += [
            f"{COMPANY},{year},total,all,{total},USD,millions,{source}",
            f"{COMPANY},{year},game_revenue,{PARTNER},{nova},USD,millions,{source}",
            f"{COMPANY},{year},game_revenue,third_parties,{rest},USD,millions,{source}",
        ]
    (root / "revenue.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    analytics.ingest(root / "counterparties.csv", "counterparties", folder)
    analytics.ingest(root / "revenue.csv", "revenue", folder)
    return folder


@pytest.fixture(scope="module")
def sentences(tessera: Path) -> dict[str, str]:
    frames = load_frames(company=COMPANY, partner=PARTNER, data_dir=tessera)
    return headlines(frames, key_figures(frames))


def test_a_share_that_peaked_in_between_says_so_and_both_ends_are_told_apart(sentences):
    """54.4% (2019) and 53.57% (2023) both round to 54%: one decimal tells them apart. The
    share peaked at 78.0 / 130.0 = 60% in 2021, above both ends."""
    assert sentences["partner_dependence"] == (
        "Nova Publishing fell from 54.4% of revenue in 2019 to 53.6% in 2023, peaking at 60% in 2021"
    )


def test_a_loss_is_lost_not_a_negative_addition(sentences):
    """2023 against 2022: total 112.0 - 115.0 = -3.0 (a decline), Nova 60.0 - 64.4 = -4.4,
    the rest (112.0 - 60.0) - (115.0 - 64.4) = 52.0 - 50.6 = +1.4."""
    assert sentences["growth_bridge"] == (
        "Of $3.0M revenue decline in 2023, Nova Publishing lost $4.4M and the rest added $1.4M"
    )
    assert not any(f"{minus}$" in " ".join(sentences.values()) for minus in "-\u2212")


def test_a_stream_named_revenue_is_not_revenue_revenue(sentences):
    """Nova's stream `game_revenue` is fully split: its share is 60.0 / 112.0 = 54% (2023)."""
    assert sentences["revenue_mix"] == "Nova Publishing was 54% of game revenue in 2023"
    assert "revenue revenue" not in " ".join(sentences.values())
