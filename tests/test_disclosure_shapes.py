"""Disclosure shapes beyond Weibo's: negative lines, one-offs, a grand total filed as a stream.

Aurora Foundation (tests/fixtures/aurora, fictional) lives on royalties from Helix Pharma; in
2021 a one-off settlement nearly doubles its revenue, in 2022 investment losses make royalties
exceed total revenue. Every figure below is computed by hand from the fixture (US$ thousands).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import InputError, ValidationError
from tests.conftest import stored_bytes
from tests.shapes import FIXTURES, ingest_fixture

AURORA = FIXTURES / "aurora"
COMPANY = "Aurora Foundation"
HEADER = "company,period,stream,counterparty,amount,currency,unit,source\n"


@pytest.fixture
def aurora(data_dir: Path) -> Path:
    return ingest_fixture(data_dir, "aurora")


def leaves(folder: Path) -> pl.DataFrame:
    return analytics.sql(f"SELECT * FROM revenue_of('{COMPANY}') ORDER BY period, stream", data_dir=folder)


def test_a_negative_line_is_stored_and_royalties_may_exceed_total_revenue(aurora):
    frame = leaves(aurora)
    losses = frame.filter((pl.col("period") == "2022") & (pl.col("stream") == "investment_income"))
    assert losses["amount"].to_list() == [Decimal("-9870000.00")]
    shares = analytics.sql(
        f"SELECT p.period, l.amount / p.total_revenue AS share FROM period_revenue('{COMPANY}') p "
        f"JOIN revenue_of('{COMPANY}') l USING (period) WHERE l.counterparty = 'Helix Pharma' "
        "ORDER BY p.period",
        data_dir=aurora,
    )
    by_year = dict(zip(shares["period"], shares["share"], strict=True))
    assert by_year["2022"] == pytest.approx(52_300 / 48_210)  # 108.48%: not clipped to 100%
    assert by_year["2019"] == pytest.approx(44_120 / 61_450)  # 71.80%
    # Leaves still sum to every printed total: no remainder was needed in any year.
    assert frame.filter(pl.col("derived"))["amount"].to_list() == []


def test_the_fixture_validates_without_warnings_a_pool_may_lose_money(aurora):
    report = analytics.check(aurora)
    assert report.violations == []
    assert report.warnings == []  # investment losses are third_parties' (a pool): legitimate


def test_a_partners_negative_revenue_is_stored_with_a_warning(aurora, tmp_path, cli):
    path = tmp_path / "refund.csv"
    path.write_text(
        HEADER
        + "\n".join(
            [
                f'{COMPANY},2024,total,all,"60,000",USD,thousands,AR 2024',
                f'{COMPANY},2024,royalties,Helix Pharma,"-1,250",USD,thousands,AR 2024 note 4',
                f'{COMPANY},2024,grants,third_parties,"61,250",USD,thousands,AR 2024',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = cli("ingest", str(path))
    assert result.exit_code == 0, result.stderr
    warning = (
        "Warning: Aurora Foundation 2024 royalties: Helix Pharma's revenue is negative "
        "(-1,250,000): a refund or a loss, or a sign typo?"
    )
    assert warning in result.stderr.splitlines()
    validated = cli("validate")
    assert validated.exit_code == 0
    assert warning in validated.stderr.splitlines()
    assert "OK: every invariant holds (1 warning(s) above)" in validated.stderr


def test_a_printed_total_cannot_be_negative(aurora, tmp_path):
    path = tmp_path / "negative_total.csv"
    path.write_text(HEADER + f"{COMPANY},2024,total,all,-5,USD,thousands,AR\n", encoding="utf-8")
    before = stored_bytes(aurora)
    with pytest.raises(InputError, match=r"a printed total \(counterparty all\) is zero or more"):
        analytics.ingest(path, data_dir=aurora)
    assert stored_bytes(aurora) == before


def test_one_offs_are_stored_as_such(aurora):
    frame = leaves(aurora)
    one_offs = frame.filter(pl.col("one_off"))
    assert one_offs.select("period", "counterparty", "amount").rows() == [
        ("2021", "Norbridge Labs", Decimal("40000000.00"))
    ]
    # The share of Helix in 2021 with and without the one-off, from the stored columns.
    year = frame.filter(pl.col("period") == "2021")
    total = sum(year["amount"])
    helix = year.filter(pl.col("counterparty") == "Helix Pharma")["amount"][0]
    recurring = sum(year.filter(~pl.col("one_off"))["amount"])
    assert (total, recurring) == (Decimal("112680000.00"), Decimal("72680000.00"))
    assert float(helix / total) == pytest.approx(0.4380, abs=5e-5)
    assert float(helix / recurring) == pytest.approx(0.6790, abs=5e-5)


def test_files_written_before_one_off_existed_read_it_as_false(data_dir):
    """Older partition files have no one_off column: every reader sees false, not NULL."""
    import pyarrow.parquet as pq

    path = data_dir / "revenue" / "company=Weibo" / "data.parquet"
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["one_off"]), path)
    flags = analytics.sql("SELECT DISTINCT one_off FROM revenue", data_dir=data_dir)
    assert flags["one_off"].to_list() == [False]
    assert analytics.validate(data_dir) == []


def test_a_grand_total_filed_under_a_stream_name_is_refused(data_dir, tmp_path):
    """`total_revenue` with counterparty `all` beside the streams it sums would be stored as one
    more stream and double the period's revenue."""
    analytics.ingest(AURORA / "counterparties.csv", "counterparties", data_dir)
    path = tmp_path / "doubled.csv"
    path.write_text(
        HEADER
        + "\n".join(
            [
                f'{COMPANY},2019,total_revenue,all,"61,450",USD,thousands,AR',
                f'{COMPANY},2019,royalties,all,"44,120",USD,thousands,AR',
                f'{COMPANY},2019,grants,all,"12,880",USD,thousands,AR',
                f'{COMPANY},2019,investment_income,all,"4,450",USD,thousands,AR',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    before = stored_bytes(data_dir)
    with pytest.raises(ValidationError) as caught:
        analytics.ingest(path, data_dir=data_dir)
    assert caught.value.violations == [
        "row 2: Aurora Foundation 2019 total_revenue: looks like total revenue: its printed "
        "total 61,450,000 is the sum of the other streams (grants, investment_income, "
        "royalties); file total revenue as stream `total` (counterparty all)"
    ]
    assert stored_bytes(data_dir) == before


@pytest.fixture
def tidewater(data_dir: Path) -> Path:
    return ingest_fixture(data_dir, "tidewater")


def test_percent_only_disclosures_are_stored_with_their_rounding(tidewater):
    shares = analytics.sql(
        "SELECT period, partner, share_percent, share_of, precision "
        "FROM disclosed_shares_of('Tidewater Games') ORDER BY period",
        data_dir=tidewater,
    )
    assert shares.rows() == [
        ("2021", "Orbit Interactive", Decimal("85.0000"), "total", Decimal("0.5000")),
        ("2022", "Orbit Interactive", Decimal("80.0000"), "total", Decimal("0.5000")),
        ("2023", "Orbit Interactive", Decimal("81.5000"), "total", Decimal("0.0500")),
    ]
    # A disclosure is never turned into an amount: 2021 has no revenue rows at all.
    assert (
        analytics.sql(
            "SELECT count(*) AS n FROM revenue_of('Tidewater Games') WHERE period = '2021'",
            data_dir=tidewater,
        )["n"][0]
        == 0
    )


def test_a_disclosed_share_the_amounts_contradict_is_a_warning_not_an_error(tidewater):
    report = analytics.check(tidewater)
    assert report.violations == []
    # 2022: 98.4 / 120.0 = 82.00% against "approximately 80%" (±0.5); 2023: 107.2 / 131.5 =
    # 81.52% is within 81.5% ± 0.05; 2021 has no amounts to compare.
    assert report.warnings == [
        "Tidewater Games 2022 total: the disclosed share of Orbit Interactive is 80% (±0.5) but "
        "the amounts give 82.00% (98,400,000 of 120,000,000): the sources disagree"
    ]


def test_a_disclosed_share_of_an_unknown_partner_is_refused_naming_the_row(data_dir, tmp_path):
    path = tmp_path / "shares.csv"
    path.write_text(
        "company,period,partner,share_percent,source\nTidewater Games,2021,Nobody Inc,85,S-1\n",
        encoding="utf-8",
    )
    before = stored_bytes(data_dir)
    with pytest.raises(ValidationError) as caught:
        analytics.ingest(path, "disclosed_shares", data_dir)
    assert caught.value.violations == [
        "row 2: Tidewater Games 2021 total: the disclosed share's partner 'Nobody Inc' is not a "
        "counterparty or group in the counterparties table: ingest it first with "
        "`analytics ingest FILE --table counterparties`"
    ]
    assert stored_bytes(data_dir) == before
