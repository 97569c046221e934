"""Invariants over random data (hypothesis): parts sum to totals, shares in [0, 1], TTM is the
last four quarters, and Decimal amounts survive CSV -> Parquet -> SQL unchanged."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analytics
from analytics.store.parquet import read_table

HEADER = ["company", "period", "stream", "counterparty", "amount", "currency", "unit", "source"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPANY, PARTNER = "Prop Co", "Partner"


@contextmanager
def fresh_data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        cp = Path(folder) / "cp.csv"
        write_csv(
            cp, ["company", "counterparty", "counterparty_class"], [[COMPANY, PARTNER, "strategic_partner"]]
        )
        analytics.ingest(cp, "counterparties", data)
        yield data


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@st.composite
def amounts(draw: st.DrawFn, places: int, low: int = 0, high: int = 10**9) -> Decimal:
    """A non-negative amount printed with `places` decimals."""
    cents = draw(st.integers(min_value=low, max_value=high))
    return Decimal(cents).scaleb(-places)


@st.composite
def quarter_rows(draw: st.DrawFn) -> tuple[list[list[str]], list[dict[str, Decimal]]]:
    """Rows for consecutive quarters; per quarter the known partner revenue and total."""
    quarters = draw(st.integers(min_value=1, max_value=7))
    rows: list[list[str]] = []
    truth: list[dict[str, Decimal]] = []
    for index in range(quarters):
        period = f"{2020 + index // 4}Q{index % 4 + 1}"
        places = draw(st.integers(min_value=0, max_value=2))
        streams = draw(st.integers(min_value=1, max_value=3))
        grand, partner_total = Decimal(0), Decimal(0)
        for s in range(streams):
            total = draw(amounts(places, low=1))
            partner = draw(st.integers(min_value=0, max_value=int(total.scaleb(places)))) if s == 0 else 0
            partner_amount = Decimal(partner).scaleb(-places)
            stream = f"stream_{s}"
            row = [COMPANY, period, stream]
            rows.append([*row, "all", str(total), "USD", "units", f"table {period}"])
            if s == 0:
                rows.append([*row, PARTNER, str(partner_amount), "USD", "units", "note 3"])
                partner_total += partner_amount
                if draw(st.booleans()):
                    rest = total - partner_amount
                    third = Decimal(draw(st.integers(min_value=0, max_value=int(rest.scaleb(places)))))
                    rows.append([*row, "third_parties", str(third.scaleb(-places)), "USD", "units", "note 4"])
            grand += total
        rows.append([COMPANY, period, "total", "all", str(grand), "USD", "units", "totals"])
        truth.append({"partner": partner_total, "total": grand})
    return rows, truth


@SETTINGS
@given(quarter_rows())
def test_random_quarters_keep_every_invariant(data):
    rows, truth = data
    with fresh_data_dir() as data_dir:
        analytics.ingest(write_csv(data_dir.parent / "rev.csv", HEADER, rows), "revenue", data_dir)
        assert analytics.validate(data_dir) == []
        check_leaves_sum_to_totals(data_dir)
        check_shares_and_ttm(data_dir, truth)


def check_leaves_sum_to_totals(data_dir: Path) -> None:
    periods = analytics.sql(
        "SELECT p.period, p.total_revenue, p.leaves_total, "
        "  (SELECT sum(coalesce(precision, 0)) FROM revenue r "
        "   WHERE r.company = p.company AND r.period = p.period AND r.derivation IS NULL) "
        "  + (SELECT sum(coalesce(precision, 0)) FROM reported_totals t "
        "   WHERE t.company = p.company AND t.period = p.period) AS tolerance "
        "FROM period_revenue p",
        data_dir=data_dir,
    )
    for row in periods.to_dicts():
        assert abs(row["leaves_total"] - row["total_revenue"]) <= row["tolerance"], row


def check_shares_and_ttm(data_dir: Path, truth: list[dict[str, Decimal]]) -> None:
    frame = analytics.query("partner_dependence", data_dir=data_dir, company=COMPANY, partner=PARTNER)
    assert frame.height == len(truth)
    for column in ("share_of_total", "share_of_stream", "ttm_share_of_total"):
        values = frame[column].drop_nulls()
        assert ((values >= 0) & (values <= 1)).all(), column
    rows = frame.to_dicts()
    for index, row in enumerate(rows):
        assert row["partner_revenue"] == truth[index]["partner"]
        assert row["total_revenue"] == truth[index]["total"]
        if index < 3:
            assert row["ttm_share_of_total"] is None
            continue
        window = truth[index - 3 : index + 1]
        partner = sum(q["partner"] for q in window)
        total = sum(q["total"] for q in window)
        assert row["ttm_partner_revenue"] == partner
        assert row["ttm_total_revenue"] == total
        assert abs(row["ttm_share_of_total"] - float(partner / total)) < 1e-9


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=10**15 - 1)),
        min_size=1,
        max_size=8,
    )
)
def test_decimal_amounts_survive_csv_to_parquet_to_sql_unchanged(specs):
    amounts_in = [Decimal(units).scaleb(-places) for places, units in specs]
    rows = [
        [COMPANY, "2021Q1", f"stream_{i}", "third_parties", str(a), "USD", "units", "t"]
        for i, a in enumerate(amounts_in)
    ]
    with fresh_data_dir() as data_dir:
        analytics.ingest(write_csv(data_dir.parent / "rev.csv", HEADER, rows), "revenue", data_dir)
        via_sql = analytics.sql("SELECT stream, amount FROM revenue ORDER BY stream", data_dir=data_dir)
        via_parquet = read_table(data_dir, "revenue").sort("stream")
        by_stream = {f"stream_{i}": a for i, a in enumerate(amounts_in)}
        for stream, amount in via_sql.iter_rows():
            assert amount == by_stream[stream]
            assert isinstance(amount, Decimal)
        assert via_parquet["amount"].to_list() == [by_stream[s] for s in via_parquet["stream"]]
        rendered = analytics.sql(
            "SELECT amount::VARCHAR AS text FROM revenue ORDER BY stream", data_dir=data_dir
        )["text"].to_list()
        assert [Decimal(t) for t in rendered] == [by_stream[s] for s in sorted(by_stream)]


@SETTINGS
@given(
    st.integers(min_value=0, max_value=10**7),
    st.sampled_from(["thousands", "millions"]),
    st.integers(min_value=0, max_value=3),
)
def test_unit_multipliers_are_exact(units, unit, places):
    printed = Decimal(units).scaleb(-places)
    factor = Decimal(1000) if unit == "thousands" else Decimal(1_000_000)
    row = [COMPANY, "2021Q1", "ads", "third_parties", str(printed), "USD", unit, "t"]
    with fresh_data_dir() as data_dir:
        analytics.ingest(write_csv(data_dir.parent / "rev.csv", HEADER, [row]), "revenue", data_dir)
        (amount,) = analytics.sql("SELECT amount FROM revenue", data_dir=data_dir)["amount"]
        assert amount == printed * factor
