"""What a rollup reads, and that reading less keeps its answers exact: the txn_id check first
counted over every row of the files read, the rows' own source taken from the files' statistics,
the lean session (only the stored tables a rollup reads), and the CLI's start-up."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics.errors import InputError
from analytics.ledger import rollup
from tests.test_ledger import AD, TINY, TWELVE, add_counterparties, facts, write_ledger

OTHER = "Other Co"
SOURCED = {"source": "VARCHAR"}


def _with_source(rows: list[tuple], source: str | None) -> list[tuple]:
    return [(*row, source) for row in rows]


def _hive_ledger(folder: Path, rows: list[tuple]) -> Path:
    """`rows` (test_ledger's COLUMNS) written as Hive partitions year=YYYY/ by booking year."""
    plain = write_ledger(folder.parent / f"{folder.name}.parquet", rows)
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT *, year(booked_at) AS year FROM '{plain}') TO '{folder}' "
            "(FORMAT parquet, PARTITION_BY (year))"
        )
    plain.unlink()
    return folder


def test_an_id_repeated_in_a_partition_since_skips_is_not_refused(tmp_path, data_dir):
    add_counterparties(data_dir, tmp_path, TINY, "Big Partner")
    again = (1, "2020-02-03 00:00:00", TINY, AD, "small_a", "1.00", "USD")  # TWELVE's id 1
    ledger = _hive_ledger(tmp_path / "hive", [*TWELVE, again])
    assert rollup(ledger, TINY, since="2020-01-01", data_dir=data_dir).transactions == 1
    with pytest.raises(InputError, match=r"2 rows share 1 transaction id, e\.g\. 1 "):
        rollup(ledger, TINY, data_dir=data_dir)


def test_ids_repeated_in_the_same_partition_before_since_are_not_refused(tmp_path, data_dir):
    """Rows before --since in the first partition read are in the files read, not the rows."""
    early = [
        (1, "2019-01-01 09:00:00", TINY, AD, "a", "1.00", "USD"),
        (1, "2019-08-01 09:00:00", TINY, AD, "a", "2.00", "USD"),
    ]
    ledger = _hive_ledger(tmp_path / "hive", early)
    assert rollup(ledger, TINY, since="2019-07-01", data_dir=data_dir).transactions == 1
    with pytest.raises(InputError, match="2 rows share 1 transaction id"):
        rollup(ledger, TINY, data_dir=data_dir)


def test_other_companies_may_reuse_ids_but_not_repeat_their_own(tmp_path, data_dir):
    reused = [(txn, day, OTHER, AD, "a", "5.00", "USD") for txn, day, *_ in TWELVE[:3]]
    ledger = write_ledger(tmp_path / "shared.parquet", [*TWELVE, *reused])
    assert rollup(ledger, TINY, data_dir=data_dir).transactions == 12
    assert rollup(ledger, OTHER, data_dir=data_dir).transactions == 3
    twice = write_ledger(tmp_path / "twice.parquet", [*TWELVE, *reused, reused[0]])
    assert rollup(twice, TINY, data_dir=data_dir).transactions == 12
    with pytest.raises(InputError, match=r"2 rows share 1 transaction id, e\.g\. 1 "):
        rollup(twice, OTHER, data_dir=data_dir)


def test_text_ids_are_checked_exactly_too(tmp_path, data_dir):
    rows = [(f"t-{row[0] % 11}", *row[1:]) for row in TWELVE]  # t-1 twice
    ledger = write_ledger(tmp_path / "text_ids.parquet", rows, {"txn_id": "VARCHAR"})
    with pytest.raises(InputError, match=r"2 rows share 1 transaction id, e\.g\. t-1 "):
        rollup(ledger, TINY, data_dir=data_dir)


def _source_of_facts(data_dir: Path) -> str:
    (source,) = {
        row[0]
        for row in analytics.sql(
            f"SELECT DISTINCT source FROM revenue WHERE company = '{TINY}'", data_dir=data_dir
        ).rows()
    }
    return str(source)


@pytest.mark.parametrize(
    ("tiny_source", "other_source", "said"),
    [
        ("export A", "export A", " (export A)"),  # one source in the files: from statistics
        ("export A", "export B", " (export A)"),  # several in the files, one in the rows read
        (None, "export B", ""),  # one in the files, none in the rows read
    ],
)
def test_the_rows_own_source_is_named_only_when_every_row_read_says_it(
    tiny_source, other_source, said, tmp_path, data_dir
):
    other = (13, "2019-01-03 00:00:00", OTHER, AD, "a", "9.00", "USD", other_source)
    ledger = write_ledger(tmp_path / "sourced.parquet", [*_with_source(TWELVE, tiny_source), other], SOURCED)
    rollup(ledger, TINY, data_dir=data_dir)
    assert _source_of_facts(data_dir) == (
        f"ledger {ledger}, 12 transactions, booked 2019-01-01 to 2019-06-30{said}"
    )


def test_two_sources_among_the_rows_read_name_none(tmp_path, data_dir):
    rows = [(*row, "export A" if row[0] % 2 else "export B") for row in TWELVE]
    ledger = write_ledger(tmp_path / "two.parquet", rows, SOURCED)
    rollup(ledger, TINY, data_dir=data_dir)
    assert _source_of_facts(data_dir).endswith("2019-06-30")


def test_a_data_folder_in_the_flat_layout_gets_the_full_session(tmp_path, data_dir):
    from analytics.store.parquet import read_table
    from analytics.store.schema import TABLES

    flat = tmp_path / "flat"
    flat.mkdir()
    add_counterparties(data_dir, tmp_path, TINY, "Big Partner")
    for name in TABLES:
        read_table(data_dir, name).write_parquet(flat / f"{name}.parquet")
    rollup(write_ledger(tmp_path / "tiny.parquet", TWELVE), TINY, data_dir=flat)
    written = facts(flat)
    assert (written[("2019Q1", AD, "Big Partner")], written[("2019Q2", "total", "all")]) == (
        Decimal("101.00"),
        Decimal("313.95"),
    )  # Big Partner read from the flat counterparties


def test_a_rollup_from_a_pipe_loads_no_rich_no_charts_and_no_demo(tmp_path, data_dir):
    from tests.test_cold_start import heavy_modules_after

    ledger = write_ledger(tmp_path / "tiny.parquet", TWELVE)
    args = ["--data-dir", str(data_dir), "ledger", "rollup", str(ledger), "--company", TINY]
    code = (
        f"import json, sys\nfrom analytics.cli.app import main\nsys.argv = ['analytics', "
        f"*{args!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'altair', 'vl_convert') or m == 'analytics.ledger.demo')\n"
        "print(json.dumps(loaded), file=sys.stderr)\n"
    )
    assert heavy_modules_after(code) == []


def test_since_lists_only_the_partitions_from_its_year_on(tmp_path, data_dir):
    from analytics.ledger.duckdb_engine import DuckDBLedger
    from analytics.sql.sandbox import Limits

    rows = [
        (n, f"{year}-03-01 00:00:00", TINY, AD, "a", "1.00", "USD")
        for n, year in enumerate((2019, 2020, 2021), start=1)
    ]
    ledger = _hive_ledger(tmp_path / "hive", rows)
    for since_year, years, listed in ((2020, ["2020", "2021"], True), (None, [], False), (2030, [], False)):
        with DuckDBLedger(str(ledger), Limits(), since_year=since_year) as engine:
            files = [
                str(file) for (file,) in engine.rows("SELECT DISTINCT ledger_file FROM ledger ORDER BY 1", {})
            ]
            assert engine.partitions_listed is listed
        assert [f.split("year=")[1][:4] for f in files] == (years or ["2019", "2020", "2021"])
