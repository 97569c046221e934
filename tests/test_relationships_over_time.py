"""Relationships change over time (issue 12, item 11): a counterparty's class and group hold
over a span of dates (`valid_from`, `valid_to`), and every query uses the row in force on a
period's last day. Quillon Browser (tests/fixtures/quillon/README.md) switches its default
search engine to a rival and back, and a customer becomes the first partner's subsidiary; every
number below is computed by hand there."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import InputError, ValidationError
from tests.conftest import stored_bytes
from tests.shapes import ingest_fixture

COMPANY = "Quillon Browser"
MILLION = Decimal(1_000_000)
TOTALS = {"2020": 500, "2021": 520, "2022": 540, "2023": 560}


@pytest.fixture(scope="module")
def quillon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quillon") / "data"
    folder.mkdir()
    return ingest_fixture(folder, "quillon")


def eur(millions: float | int) -> Decimal:
    return Decimal(str(millions)) * MILLION


def by_period(frame: pl.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["period"].to_list(), frame[column].to_list(), strict=True))


def test_revenue_by_class_follows_the_class_in_force_each_year(quillon):
    mix = analytics.query("revenue_mix", company=COMPANY, period_kind="year", data_dir=quillon)
    sums = mix.group_by("period", "counterparty_class").agg(pl.col("amount").sum())
    found = {(p, c): a for p, c, a in sums.iter_rows()}
    assert {p: found[(p, "strategic_partner")] for p in TOTALS} == {
        "2020": eur(400),
        "2021": eur(210),
        "2022": eur(460),
        "2023": eur(475),
    }
    assert {p: found[(p, "third_party")] for p in TOTALS} == {
        "2020": eur(100),
        "2021": eur(310),
        "2022": eur(80),
        "2023": eur(85),
    }


def test_a_group_counts_a_member_only_from_the_day_it_joins(quillon):
    frame = analytics.query(
        "partner_dependence", company=COMPANY, partner="Lookwise", period_kind="year", data_dir=quillon
    )
    assert by_period(frame, "partner_revenue") == {
        "2020": eur(400),
        "2021": eur(200),
        "2022": eur(60),
        "2023": eur(475),
    }
    shares = by_period(frame, "share_of_total")
    for period, partner in {"2020": 400, "2021": 200, "2022": 60, "2023": 475}.items():
        assert shares[period] == pytest.approx(partner / TOTALS[period], abs=1e-12)
    assert frame["partner_is_group"].to_list() == [True] * 4
    assert frame["partner_members"][0] == "Lookwise, Mailbridge"
    assert not any(frame["share_is_lower_bound"].to_list())


def test_a_counterparty_alone_is_counted_in_every_span_whatever_its_class(quillon):
    frame = analytics.query(
        "partner_dependence", company=COMPANY, partner="Searchly", period_kind="year", data_dir=quillon
    )
    assert by_period(frame, "partner_revenue") == {
        "2020": eur(20),
        "2021": eur(210),
        "2022": eur(420),
        "2023": eur(15),
    }
    assert frame["partner_is_group"].to_list() == [False] * 4


def test_concentration_groups_counterparties_by_the_group_in_force(quillon):
    frame = analytics.query("concentration", company=COMPANY, period_kind="year", data_dir=quillon)
    assert by_period(frame, "top_counterparty") == {
        "2020": "Lookwise",
        "2021": "Searchly",
        "2022": "Searchly",
        "2023": "Lookwise",
    }
    top = by_period(frame, "top_share")
    for period, amount in {"2020": 400, "2021": 210, "2022": 420, "2023": 475}.items():
        assert top[period] == pytest.approx(amount / TOTALS[period], abs=1e-12)


def test_revenue_by_source_splits_out_the_group_as_it_stood(quillon):
    frame = analytics.query(
        "revenue_by_source", company=COMPANY, partner="Lookwise", period_kind="year", data_dir=quillon
    )
    partner = frame.filter(pl.col("portion") == "Lookwise").group_by("period").agg(pl.col("amount").sum())
    assert dict(partner.iter_rows()) == {
        "2020": eur(400),
        "2021": eur(200),
        "2022": eur(60),
        "2023": eur(475),
    }


def test_spans_that_overlap_are_refused_and_nothing_is_written(quillon, tmp_path):
    bad = tmp_path / "overlap.csv"
    bad.write_text(
        "company,counterparty,counterparty_class,valid_from,valid_to\n"
        f"{COMPANY},Searchly,strategic_partner,2022-06-01,\n",
        encoding="utf-8",
    )
    before = stored_bytes(quillon)
    with pytest.raises(ValidationError, match="Searchly' has two rows in force at once"):
        analytics.ingest(bad, "counterparties", quillon)
    assert stored_bytes(quillon) == before


def test_a_span_that_ends_before_it_starts_is_refused_at_its_row(quillon, tmp_path):
    bad = tmp_path / "backwards.csv"
    bad.write_text(
        "company,counterparty,counterparty_class,valid_from,valid_to\n"
        f"{COMPANY},Orbit,third_party,2022-06-01,2021-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="valid_to 2021-01-01 is before valid_from 2022-06-01") as caught:
        analytics.ingest(bad, "counterparties", quillon)
    assert "row 2" in str(caught.value) and "valid_to" in str(caught.value)
