"""Ingest: the bad-input catalogue (clear error, nothing written) and the good inputs."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import analytics
from analytics.errors import InputError
from analytics.store.parquet import read_table
from tests.conftest import copy_tables, weibo_file

HEADER = ["company", "period", "stream", "counterparty", "amount", "currency", "unit", "source"]
ACME = [
    ["Acme", "2020Q1", "total", "all", "100", "USD", "millions", "Acme 10-Q table 1"],
    ["Acme", "2020Q1", "advertising", "all", "70", "USD", "millions", "Acme 10-Q table 2"],
    ["Acme", "2020Q1", "advertising", "third_parties", "60", "USD", "millions", "Acme 10-Q"],
    ["Acme", "2020Q1", "services", "all", "30", "USD", "millions", "Acme 10-Q table 2"],
]


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def revenue(data_dir: Path, company: str = "Acme") -> pl.DataFrame:
    return analytics.sql(
        f"SELECT * FROM revenue WHERE company = '{company}' ORDER BY period, stream, counterparty",
        data_dir=data_dir,
    )


def with_cell(row: list[str], column: str, value: str) -> list[str]:
    changed = list(row)
    changed[HEADER.index(column)] = value
    return changed


# --- the bad-input catalogue -----------------------------------------------------------------


def bad_cell(column: str, value: str) -> list[list[str]]:
    """The Acme rows with one cell of data row 3 (spreadsheet row 4) changed."""
    return [*ACME[:2], with_cell(ACME[2], column, value), ACME[3]]


INPUT_ERRORS = {
    "unknown_period_16q1": (bad_cell("period", "16Q1"), 4, "period", "16Q1"),
    "unknown_period_q5": (bad_cell("period", "Q5 2016"), 4, "period", "Q5 2016"),
    "unknown_period_quarter_5": (bad_cell("period", "2016Q5"), 4, "period", "2016Q5"),
    "negative_printed_total": (
        [with_cell(ACME[0], "amount", "-100"), *ACME[1:]],
        2,
        "amount",
        "a printed total (counterparty all) is zero or more",
    ),
    "non_numeric_amount": (bad_cell("amount", "lots"), 4, "amount", "lots"),
    "mixed_currencies_in_file": (bad_cell("currency", "CNY"), 4, "currency", "mixed"),
    "unknown_unit": (bad_cell("unit", "dozens"), 4, "unit", "dozens"),
    "unknown_counterparty": (bad_cell("counterparty", "Tencent"), 4, "counterparty", "Tencent"),
    "empty_company": (bad_cell("company", ""), 4, "company", "empty"),
    "duplicate_row": ([*ACME, ACME[2]], 6, None, "duplicate"),
}


@pytest.mark.parametrize("case", list(INPUT_ERRORS))
def test_bad_input_names_the_file_row_and_column_and_writes_nothing(case, data_dir, tmp_path):
    rows, row_number, column, words = INPUT_ERRORS[case]
    path = write_csv(tmp_path / f"{case}.csv", rows)
    before = fingerprint(data_dir)
    with pytest.raises(InputError) as caught:
        analytics.ingest(path, "revenue", data_dir)
    error = caught.value
    assert Path(error.location.file) == path
    assert error.location.row == row_number
    assert error.location.column == column
    assert str(path) in str(error)
    assert f"row {row_number}" in str(error)
    assert words.lower() in str(error).lower()
    assert fingerprint(data_dir) == before


def test_a_currency_other_than_the_stored_one_is_refused(data_dir, tmp_path):
    path = write_csv(
        tmp_path / "weibo_cny.csv", [["Weibo", "2030Q1", "total", "all", "100", "CNY", "millions", "made up"]]
    )
    before = fingerprint(data_dir)
    with pytest.raises(InputError) as caught:
        analytics.ingest(path, "revenue", data_dir)
    assert caught.value.location.row == 2
    assert caught.value.location.column == "currency"
    assert "USD" in str(caught.value)
    assert fingerprint(data_dir) == before


def test_leaves_exceeding_a_printed_total_leave_a_negative_remainder_and_a_warning(data_dir, tmp_path):
    """Printed parts above their printed total: the rest is a negative derived line (a loss the
    filing does not itemise), so leaves still sum to the total; ingest and validate warn."""
    path = write_csv(
        tmp_path / "over.csv",
        [
            ["Acme", "2020Q1", "total", "all", "100", "USD", "millions", "t"],
            ["Acme", "2020Q1", "advertising", "third_parties", "150", "USD", "millions", "t"],
        ],
    )
    summary = analytics.ingest(path, "revenue", data_dir)
    leaves = revenue(data_dir)
    rest = leaves.filter(pl.col("derivation") == "total_remainder")
    assert rest["amount"].to_list() == [Decimal("-50000000.00")]
    assert rest["counterparty"].to_list() == ["unattributed"]
    assert sum(leaves["amount"]) == Decimal("100000000.00")
    expected = "Acme 2020Q1 unattributed: the printed parts exceed the printed total by 50,000,000"
    assert any(w.startswith(expected) for w in summary.warnings)
    report = analytics.check(data_dir)
    assert report.violations == []
    assert any(w.startswith(expected) for w in report.warnings)


def test_parts_exceeding_their_stream_total_leave_a_negative_stream_remainder(data_dir, tmp_path):
    path = write_csv(
        tmp_path / "stream_over.csv",
        [
            ["Acme", "2020Q1", "advertising", "all", "50", "USD", "millions", "t"],
            ["Acme", "2020Q1", "advertising", "third_parties", "80", "USD", "millions", "t"],
        ],
    )
    analytics.ingest(path, "revenue", data_dir)
    rest = revenue(data_dir).filter(pl.col("derivation") == "stream_remainder")
    # Not related_parties: a negative rest is nobody's revenue in particular.
    assert rest.select("stream", "counterparty", "amount").rows() == [
        ("advertising", "unattributed", Decimal("-30000000.00"))
    ]


def test_a_missing_column_names_it(data_dir, tmp_path):
    header = [c for c in HEADER if c != "currency"]
    rows = [[v for c, v in zip(HEADER, r, strict=True) if c != "currency"] for r in ACME]
    path = write_csv(tmp_path / "no_currency.csv", rows, header)
    before = fingerprint(data_dir)
    with pytest.raises(InputError) as caught:
        analytics.ingest(path, "revenue", data_dir)
    assert caught.value.location.column == "currency"
    assert caught.value.location.row == 1
    assert str(path) in str(caught.value)
    assert fingerprint(data_dir) == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (",".join(HEADER).encode() + b"\n", "no data rows"),
    ],
)
def test_an_empty_or_header_only_file_is_refused(content, words, data_dir, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    before = fingerprint(data_dir)
    with pytest.raises(InputError, match=words) as caught:
        analytics.ingest(path, "revenue", data_dir)
    assert str(path) in str(caught.value)
    assert fingerprint(data_dir) == before


def test_a_latin1_file_is_refused_as_not_utf8_naming_the_row(data_dir, tmp_path):
    path = tmp_path / "latin1.csv"
    lines = [
        ",".join(HEADER),
        *(",".join(r) for r in ACME[:2]),
        ",".join(with_cell(ACME[2], "source", "Société Générale report")),
    ]
    path.write_bytes("\n".join(lines).encode("latin-1"))
    before = fingerprint(data_dir)
    with pytest.raises(InputError, match="UTF-8") as caught:
        analytics.ingest(path, "revenue", data_dir)
    assert caught.value.location.row == 4
    assert str(path) in str(caught.value)
    assert fingerprint(data_dir) == before


def test_an_unsupported_file_type_is_refused(data_dir, tmp_path):
    path = tmp_path / "figures.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported"):
        analytics.ingest(path, "revenue", data_dir)


def test_an_amount_finer_than_a_cent_is_refused(data_dir, tmp_path):
    path = write_csv(tmp_path / "fine.csv", bad_cell("amount", "60.000000001"))
    with pytest.raises(InputError) as caught:
        analytics.ingest(path, "revenue", data_dir)
    assert caught.value.location.column == "amount"


def test_a_duplicate_header_column_is_refused(data_dir, tmp_path):
    path = write_csv(tmp_path / "dup_header.csv", [[*r, "x"] for r in ACME], [*HEADER, "amount"])
    with pytest.raises(InputError, match="twice"):
        analytics.ingest(path, "revenue", data_dir)


# --- good inputs -----------------------------------------------------------------------------


def test_re_ingesting_the_same_file_is_idempotent(data_dir, tmp_path):
    path = write_csv(tmp_path / "acme.csv", ACME)
    analytics.ingest(path, "revenue", data_dir)
    first = {name: read_table(data_dir, name) for name in ("revenue", "reported_totals", "counterparties")}
    summary = analytics.ingest(path, "revenue", data_dir)
    assert summary.inserted == 0
    assert summary.replaced == summary.rows_read
    for name, frame in first.items():
        again = read_table(data_dir, name)
        assert again.height == frame.height, name
        assert again.equals(frame), name


def test_an_upsert_replaces_an_amount(data_dir, tmp_path):
    analytics.ingest(write_csv(tmp_path / "acme.csv", ACME), "revenue", data_dir)
    changed = [*ACME[:2], with_cell(ACME[2], "amount", "65"), ACME[3]]
    analytics.ingest(write_csv(tmp_path / "acme2.csv", changed), "revenue", data_dir)
    frame = revenue(data_dir)
    leaf = frame.filter((pl.col("stream") == "advertising") & (pl.col("counterparty") == "third_parties"))
    assert leaf["amount"].to_list() == [Decimal("65000000")]
    # Whose the rest of advertising is, the file does not say: unattributed.
    remainder = frame.filter(
        (pl.col("stream") == "advertising") & (pl.col("derivation") == "stream_remainder")
    )
    assert remainder.select("counterparty", "amount").rows() == [("unattributed", Decimal("5000000"))]


def test_the_rest_of_an_exhaustively_split_stream_is_related_party_revenue(data_dir, tmp_path):
    """A filing that splits a stream into third and related parties completely says so on the
    stream total (`split_is_exhaustive`): what the printed parts leave is related parties'."""
    header = [*HEADER, "split_is_exhaustive"]
    rows = [[*row, "true" if row[2] == "advertising" and row[3] == "all" else ""] for row in ACME]
    analytics.ingest(write_csv(tmp_path / "acme.csv", rows, header), "revenue", data_dir)
    remainder = revenue(data_dir).filter(pl.col("derivation") == "stream_remainder")
    assert remainder.select("stream", "counterparty", "amount", "derived").rows() == [
        ("advertising", "related_parties", Decimal("10000000"), True)
    ]
    wrong = [[*ACME[2], "true"]]
    with pytest.raises(InputError, match="marks a printed stream total"):
        analytics.ingest(write_csv(tmp_path / "wrong.csv", wrong, header), "revenue", data_dir)


def test_ingest_keeps_the_weibo_data_it_does_not_touch(data_dir, tmp_path):
    before = analytics.sql("SELECT * FROM revenue WHERE company = 'Weibo' ORDER BY ALL", data_dir=data_dir)
    analytics.ingest(write_csv(tmp_path / "acme.csv", ACME), "revenue", data_dir)
    after = analytics.sql("SELECT * FROM revenue WHERE company = 'Weibo' ORDER BY ALL", data_dir=data_dir)
    assert after.equals(before)


def test_units_convert_exactly_to_full_currency_units(data_dir, tmp_path):
    rows = [
        ["Acme", "2021Q1", "total", "all", "67.5", "USD", "millions", "t"],
        ["Acme", "2021Q1", "ads", "third_parties", "40123.45", "USD", "thousands", "t"],
        ["Acme", "2021Q1", "fees", "third_parties", "27376550.00", "USD", "units", "t"],
    ]
    analytics.ingest(write_csv(tmp_path / "units.csv", rows), "revenue", data_dir)
    totals = analytics.sql("SELECT amount FROM reported_totals WHERE company = 'Acme'", data_dir=data_dir)
    assert totals["amount"].to_list() == [Decimal("67500000")]
    leaves = dict(revenue(data_dir).select("stream", "amount").iter_rows())
    assert leaves["ads"] == Decimal("40123450")
    assert leaves["fees"] == Decimal("27376550")
    assert sum(leaves.values()) == Decimal("67500000")


def test_an_xlsx_file_ingests_like_its_csv(data_dir, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ACME:
        sheet.append([float(v) if c == "amount" else v for c, v in zip(HEADER, row, strict=True)])
    path = tmp_path / "acme.xlsx"
    workbook.save(path)
    other = tmp_path / "other"
    copy_tables(data_dir, other)
    analytics.ingest(path, "revenue", data_dir)
    analytics.ingest(write_csv(tmp_path / "acme.csv", ACME), "revenue", other)
    from_xlsx = revenue(data_dir).drop("source")
    from_csv = revenue(other).drop("source")
    assert from_xlsx.equals(from_csv)
    assert from_xlsx["amount"].sum() == Decimal("100000000")


def test_a_cny_company_with_annual_only_data_works(data_dir, tmp_path):
    write_csv(
        tmp_path / "cp.csv",
        [["Huo", "Huo Parent", "related_party", "Huo Parent"]],
        ["company", "counterparty", "counterparty_class", "counterparty_group"],
    )
    analytics.ingest(tmp_path / "cp.csv", "counterparties", data_dir)
    rows = [
        ["Huo", "2019", "total", "all", "1000", "CNY", "millions", "Huo annual report 2019"],
        ["Huo", "2019", "services", "Huo Parent", "300", "CNY", "millions", "AR 2019"],
        ["Huo", "2019", "services", "third_parties", "700", "CNY", "millions", "AR 2019"],
        ["Huo", "2020", "total", "all", "1200", "CNY", "millions", "Huo annual report 2020"],
        ["Huo", "2020", "services", "Huo Parent", "240", "CNY", "millions", "AR 2020"],
    ]
    analytics.ingest(write_csv(tmp_path / "huo.csv", rows), "revenue", data_dir)
    frame = analytics.query(
        "partner_dependence", data_dir=data_dir, company="Huo", partner="Huo Parent", period_kind="year"
    )
    by_period = {r["period"]: r for r in frame.to_dicts()}
    assert set(by_period) == {"2019", "2020"}
    assert by_period["2019"]["currency"] == "CNY"
    assert by_period["2019"]["partner_revenue"] == Decimal("300000000")
    assert by_period["2019"]["share_of_total"] == pytest.approx(0.3)
    assert by_period["2020"]["share_of_total"] == pytest.approx(0.2)
    assert by_period["2020"]["ttm_share_of_total"] is None
    assert analytics.validate(data_dir) == []


def test_the_note_column_is_kept_and_an_unknown_extra_column_ignored(data_dir, tmp_path):
    header = [*HEADER, "note", "analyst_initials"]
    rows = [[*r, f"note {i}", "JD"] for i, r in enumerate(ACME)]
    analytics.ingest(write_csv(tmp_path / "extra.csv", rows, header), "revenue", data_dir)
    frame = revenue(data_dir)
    assert "analyst_initials" not in frame.columns
    leaf = frame.filter(pl.col("counterparty") == "third_parties")
    assert leaf["note"].to_list() == ["note 2"]


def test_an_empty_source_still_says_where_the_figure_came_from(data_dir, tmp_path):
    rows = [with_cell(r, "source", "") for r in ACME]
    path = write_csv(tmp_path / "nosource.csv", rows)
    analytics.ingest(path, "revenue", data_dir)
    sources = revenue(data_dir)["source"].to_list()
    assert all(sources)
    assert any("nosource.csv" in s for s in sources)


def test_events_partnerships_counterparties_and_kpis_ingest(data_dir, tmp_path):
    write_csv(
        tmp_path / "cp.csv", [["Acme", "BigCo", "strategic_partner"]], ["company", "counterparty", "class"]
    )
    write_csv(
        tmp_path / "ps.csv",
        [["Acme", "BigCo", "equity_stake", "2020-01-01", "", "12.5", "press"]],
        ["company", "partner", "kind", "start", "end", "stake_percent", "source"],
    )
    write_csv(
        tmp_path / "ev.csv",
        [["Acme", "2020-03", "Deal signed", "press"]],
        ["company", "date", "label", "source"],
    )
    write_csv(
        tmp_path / "kpi.csv",
        [["Acme", "2020Q1", "mau", "12.5", "millions", "10-Q"]],
        ["company", "period", "metric", "value", "unit", "source"],
    )
    for table, name in [
        ("counterparties", "cp.csv"),
        ("partnerships", "ps.csv"),
        ("events", "ev.csv"),
        ("kpis", "kpi.csv"),
    ]:
        summary = analytics.ingest(tmp_path / name, table, data_dir)
        assert summary.rows_read == 1
        assert summary.inserted == 1
    cp = analytics.sql("SELECT * FROM counterparties WHERE company = 'Acme'", data_dir=data_dir)
    assert cp.row(0, named=True)["counterparty_class"] == "strategic_partner"
    assert cp.row(0, named=True)["counterparty_group"] == "BigCo"
    ps = analytics.sql("SELECT * FROM partnerships WHERE company = 'Acme'", data_dir=data_dir)
    assert ps["stake_percent"].to_list() == [Decimal("12.5")]
    assert ps["end_date"].to_list() == [None]
    ev = analytics.sql("SELECT * FROM events WHERE company = 'Acme'", data_dir=data_dir)
    assert ev.row(0, named=True)["date_precision"] == "month"
    assert str(ev.row(0, named=True)["event_date"]) == "2020-03-01"
    kpi = analytics.sql("SELECT * FROM kpis WHERE company = 'Acme'", data_dir=data_dir)
    assert kpi.row(0, named=True)["value"] == 12.5
    assert kpi.row(0, named=True)["period_kind"] == "quarter"
    assert analytics.validate(data_dir) == []


def test_a_named_counterparty_ingested_first_can_then_be_used(data_dir, tmp_path):
    write_csv(
        tmp_path / "cp.csv",
        [["Acme", "BigCo", "strategic_partner"]],
        ["company", "counterparty", "counterparty_class"],
    )
    analytics.ingest(tmp_path / "cp.csv", "counterparties", data_dir)
    rows = [*ACME, ["Acme", "2020Q1", "services", "BigCo", "10", "USD", "millions", "t"]]
    analytics.ingest(write_csv(tmp_path / "acme.csv", rows), "revenue", data_dir)
    frame = analytics.query("partner_dependence", data_dir=data_dir, company="Acme", partner="BigCo")
    assert frame["share_of_total"].to_list() == [pytest.approx(0.1)]


def test_a_bad_counterparty_class_names_the_cell(data_dir, tmp_path):
    write_csv(
        tmp_path / "cp.csv", [["Acme", "BigCo", "friend"]], ["company", "counterparty", "counterparty_class"]
    )
    before = fingerprint(data_dir)
    with pytest.raises(InputError) as caught:
        analytics.ingest(tmp_path / "cp.csv", "counterparties", data_dir)
    assert caught.value.location.row == 2
    assert caught.value.location.column == "counterparty_class"
    assert fingerprint(data_dir) == before


def test_a_partnership_that_ends_before_it_starts_is_refused(data_dir, tmp_path):
    write_csv(
        tmp_path / "ps.csv",
        [["Acme", "BigCo", "equity_stake", "2020-01-01", "2019-01-01", "press"]],
        ["company", "partner", "kind", "start_date", "end_date", "source"],
    )
    before = fingerprint(data_dir)
    with pytest.raises(InputError, match="ends before it starts"):
        analytics.ingest(tmp_path / "ps.csv", "partnerships", data_dir)
    assert fingerprint(data_dir) == before


# --- validate ----------------------------------------------------------------------------------


def test_validate_finds_nothing_wrong_with_the_shipped_data(data_dir):
    assert analytics.validate(data_dir) == []


def test_validate_reports_a_tampered_amount_with_company_period_and_stream(data_dir):
    path = weibo_file(data_dir, "revenue")
    frame = pl.read_parquet(path)
    target = (
        (pl.col("company") == "Weibo")
        & (pl.col("period") == "2013Q4")
        & (pl.col("stream") == "advertising")
        & (pl.col("counterparty") == "Alibaba")
    )
    assert frame.filter(target).height == 1
    amount_type = frame.schema["amount"]
    tampered = frame.with_columns(
        pl.when(target)
        .then(pl.col("amount") * 10)
        .otherwise(pl.col("amount"))
        .cast(amount_type)
        .alias("amount")
    )
    tampered.write_parquet(path)
    violations = analytics.validate(data_dir)
    assert violations
    assert any("Weibo 2013Q4 advertising" in v for v in violations)


def test_validate_reports_a_duplicated_row(data_dir):
    path = weibo_file(data_dir, "revenue")
    frame = pl.read_parquet(path)
    pl.concat([frame, frame.head(1)]).write_parquet(path)
    violations = analytics.validate(data_dir)
    assert any("share the grain" in v and "company=Weibo" in v for v in violations)


def test_validate_on_the_two_company_data_finds_nothing(two_company_data_dir):
    assert analytics.validate(two_company_data_dir) == []


def test_many_bad_rows_list_the_first_twenty_with_the_count_and_write_nothing(tmp_path, data_dir, cli):
    """Fail fast: the cheap per-row checks report the first 20 bad rows and how many there are,
    before the store is touched."""
    from tests.conftest import stored_bytes

    good = [
        ["Acme", f"{2000 + i // 4}Q{i % 4 + 1}", "total", "all", "100", "USD", "millions", "10-Q"]
        for i in range(200)
    ]
    bad_rows = {7, 40, *range(100, 125)}  # 27 bad rows: amounts that are not numbers
    rows = [with_cell(row, "amount", "12 000") if i in bad_rows else row for i, row in enumerate(good)]
    path = write_csv(tmp_path / "acme.csv", rows)
    before = stored_bytes(data_dir)
    result = cli("ingest", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 27 bad rows (the first 20 listed; nothing was written):"
    listed = lines[1:]
    assert len(listed) == 20
    expected_rows = sorted(i + 2 for i in bad_rows)[:20]  # header is row 1
    for line, row in zip(listed, expected_rows, strict=True):
        assert f"acme.csv, row {row}, column 'amount': '12 000' has a space in it" in line
    assert stored_bytes(data_dir) == before


def test_a_file_mixing_fast_and_slow_rows_types_every_row_as_the_row_builder_would(tmp_path, data_dir):
    """Rows in unusual but valid shapes (left to the row builder) land beside plain ones."""
    rows = [
        ACME[0],
        with_cell(ACME[1], "period", "2020 - Q1"),  # unusual period spelling
        with_cell(ACME[2], "amount", "6.0e1"),  # exponent
        ACME[3],
    ]
    analytics.ingest(write_csv(tmp_path / "acme.csv", rows), data_dir=data_dir)
    stored = revenue(data_dir).filter(pl.col("derivation").is_null())
    amounts = dict(zip(stored["stream"] + "/" + stored["counterparty"], stored["amount"], strict=True))
    assert amounts["advertising/third_parties"] == Decimal("60000000.00")
    assert set(stored["period"]) == {"2020Q1"}


def test_remainders_derived_a_batch_of_companies_at_a_time_are_the_same(tmp_path, monkeypatch):
    """Remainders are derived a slice of companies at a time (derive.BATCH_ROWS) so thousands
    of companies fit the memory limit. One file holding three companies, ingested with a batch
    of 7 rows (each company its own batch), stores exactly what one batch stores."""
    from analytics.store import derive
    from tests.shapes import COMPANIES, FIXTURES

    combined = tmp_path / "three.csv"
    pl.concat(
        [pl.read_csv(FIXTURES / c / "revenue.csv", infer_schema=False) for c in COMPANIES], how="diagonal"
    ).write_csv(combined)

    def build(folder: Path) -> dict[str, pl.DataFrame]:
        folder.mkdir()
        for company in COMPANIES:
            analytics.ingest(FIXTURES / company / "counterparties.csv", "counterparties", folder)
        analytics.ingest(combined, "revenue", folder)
        return {name: read_table(folder, name) for name in ("revenue", "reported_totals")}

    whole = build(tmp_path / "whole")
    monkeypatch.setattr(derive, "BATCH_ROWS", 7)
    sliced = build(tmp_path / "sliced")
    assert whole["revenue"]["company"].n_unique() == len(COMPANIES)
    assert whole["revenue"].filter(pl.col("derivation").is_not_null()).height > 0
    for name, frame in whole.items():
        assert frame.equals(sliced[name]), name
