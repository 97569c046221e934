"""Hostile writes: folders in the way, read-only targets, a full disk, bad output paths, locks.

Every write is all or nothing: a refusal is one stderr line with its exit code, the data folder
and the output folder are byte-identical afterwards, and no temp or lock file is left in them.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from analytics.project import PROJECT_ROOT
from analytics.store.parquet import partition_path
from tests.hostile.conftest import assert_refused, fingerprint, run_cli

NIMBUS = Path(__file__).parents[1] / "fixtures" / "nimbus"
CHART = "partner_dependence"
CHART_BUILD = ("charts", "build", CHART, "--format", "html,png,svg,csv")


def leftovers(folder: Path) -> list[str]:
    """Temp files, journals and lock files of ours anywhere under `folder`."""
    return [
        p.name
        for p in folder.rglob("*")
        if p.name.endswith((".tmp", ".lock")) or "analytics-commit" in p.name
    ]


def ingest_nimbus_counterparties(data_dir: Path) -> None:
    from analytics.store.ingest import ingest

    ingest(NIMBUS / "counterparties.csv", "counterparties", data_dir)


@pytest.fixture(scope="module")
def old_charts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chart folder holding the four files of a first build, up to 2016Q1."""
    out = tmp_path_factory.mktemp("charts") / "old"
    built = run_cli(*CHART_BUILD, "--to", "2016Q1", "--out", str(out))
    assert built.returncode == 0, built.stderr
    return out


@pytest.mark.parametrize("fmt", ["html", "png", "svg", "csv"])
def test_a_folder_in_the_way_of_one_chart_file_replaces_none_of_that_chart(fmt, old_charts, tmp_path):
    out = tmp_path / "charts"
    shutil.copytree(old_charts, out)
    blocker = out / f"{CHART}.{fmt}"
    blocker.unlink()
    blocker.mkdir()
    (blocker / "mine.txt").write_text("a folder someone put here", encoding="utf-8")
    before = fingerprint(out)
    result = run_cli(*CHART_BUILD, "--out", str(out))
    assert_refused(result, 6, CHART, f"{CHART}.{fmt}", "folder")
    assert fingerprint(out) == before


@pytest.mark.parametrize("table", ["counterparties", "revenue"])
def test_an_ingest_into_a_read_only_data_folder_is_one_line_and_changes_nothing(table, data_dir):
    if table == "revenue":
        ingest_nimbus_counterparties(data_dir)
    before = fingerprint(data_dir)
    data_dir.chmod(0o555)
    try:
        result = run_cli("ingest", "--table", table, str(NIMBUS / f"{table}.csv"), data_dir=data_dir)
    finally:
        data_dir.chmod(0o755)
    assert_refused(result, 1, str(data_dir), "read-only")
    assert fingerprint(data_dir) == before


@pytest.mark.parametrize("table", ["revenue", "reported_totals", "counterparties"])
def test_an_ingest_over_a_read_only_table_file_replaces_no_table(table, data_dir):
    from analytics.store.ingest import ingest

    ingest_nimbus_counterparties(data_dir)
    ingest(NIMBUS / "revenue.csv", "revenue", data_dir)
    target = partition_path(data_dir, table, "Nimbus Cloud")
    target.chmod(0o444)
    before = fingerprint(data_dir)
    result = run_cli("ingest", str(NIMBUS / "revenue.csv"), data_dir=data_dir)
    assert_refused(result, 1, str(target.relative_to(data_dir)), "read-only")
    assert fingerprint(data_dir) == before


def file_size_limit(max_bytes: int) -> Callable[[], None]:
    """A child-process hook: files may not grow past `max_bytes` (writes fail with EFBIG)."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return limit


def new_table_sizes(data_dir: Path, scratch: Path) -> tuple[int, int]:
    """Sizes of the first new file a revenue ingest stages (files are staged in path order:
    counterparties first) and of a later one (revenue), from an ingest into a copy."""
    from analytics.store.ingest import ingest

    shutil.copytree(data_dir, scratch)
    ingest(NIMBUS / "revenue.csv", "revenue", scratch)
    first, later = (
        partition_path(scratch, name, "Nimbus Cloud").stat().st_size for name in ("counterparties", "revenue")
    )
    return first, later


@pytest.mark.parametrize("full_at", ["the_first_table", "a_later_table"])
def test_a_full_disk_during_ingest_is_one_line_and_keeps_the_data(full_at, data_dir, tmp_path):
    ingest_nimbus_counterparties(data_dir)
    max_bytes = 1
    if full_at == "a_later_table":  # counterparties is written first and fits; revenue does not
        first_size, later_size = new_table_sizes(data_dir, tmp_path / "probe")
        max_bytes = first_size + 1
        assert later_size > max_bytes, "the fixture no longer makes a later table the bigger one"
    before = fingerprint(data_dir)
    result = run_cli(
        "ingest", str(NIMBUS / "revenue.csv"), data_dir=data_dir, preexec_fn=file_size_limit(max_bytes)
    )
    assert_refused(result, 1, "File too large", ".parquet")
    assert fingerprint(data_dir) == before


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o660], ids=lambda mode: f"{mode:04o}")
def test_an_output_file_replaced_with_o_keeps_its_mode(mode, data_dir, tmp_path):
    target = tmp_path / "private.csv"
    target.write_text("old contents\n", encoding="utf-8")
    target.chmod(mode)
    result = run_cli("sql", "-f", "csv", "-o", str(target), "SELECT 1 AS x", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == "x\n1\n"
    assert oct(stat.S_IMODE(target.stat().st_mode)) == oct(mode)


def test_an_ingest_keeps_the_mode_of_the_table_files_it_replaces(data_dir):
    ingest_nimbus_counterparties(data_dir)
    table_file = partition_path(data_dir, "counterparties", "Nimbus Cloud")
    table_file.chmod(0o640)
    before = table_file.read_bytes()
    result = run_cli("ingest", str(NIMBUS / "revenue.csv"), data_dir=data_dir)  # adds pools
    assert result.returncode == 0, result.stderr
    assert table_file.read_bytes() != before
    assert oct(stat.S_IMODE(table_file.stat().st_mode)) == oct(0o640)


OUTPUT_COMMANDS: dict[str, Callable[[str], tuple[str, ...]]] = {
    "sql_o": lambda path: ("sql", "-f", "csv", "-o", path, "SELECT 1 AS x"),
    "db_export": lambda path: ("db", "export", path),
    "deck_out": lambda path: ("deck", "--to", "2016Q1", "--out", path),
    "report_out": lambda path: ("report", "--to", "2016Q1", "--out", path),
}
# Where the output would go (given the scratch folder and the data folder), and what the one
# error line must say.
BAD_OUTPUTS: dict[str, tuple[Callable[[Path, Path], str], str]] = {
    "a_folder": (lambda scratch, data: str(scratch / "outputs"), "folder"),
    "an_empty_name": (lambda scratch, data: "", ""),
    "a_missing_folder": (lambda scratch, data: str(scratch / "missing" / "out.bin"), "does not exist"),
    "inside_the_data_folder": (lambda scratch, data: str(data / "out.bin"), "data folder"),
    "an_unwritable_folder": (lambda scratch, data: str(scratch / "locked" / "out.bin"), "not writable"),
}


@pytest.mark.parametrize("place", list(BAD_OUTPUTS))
@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
def test_an_output_path_that_cannot_take_a_file_is_refused_and_nothing_is_written(
    command, place, data_dir, tmp_path
):
    outputs, unwritable = tmp_path / "outputs", tmp_path / "locked"
    outputs.mkdir()
    unwritable.mkdir()
    unwritable.chmod(0o555)
    where, needle = BAD_OUTPUTS[place]
    before = fingerprint(tmp_path)
    try:
        result = run_cli(*OUTPUT_COMMANDS[command](where(tmp_path, data_dir)), data_dir=data_dir, cwd=outputs)
    finally:
        unwritable.chmod(0o755)
    assert_refused(result, 2, needle)
    assert fingerprint(tmp_path) == before
    assert not (tmp_path / "missing").exists()


def test_an_ingest_leaves_no_lock_or_temp_file_in_the_data_folder(data_dir):
    result = run_cli(
        "ingest", "--table", "counterparties", str(NIMBUS / "counterparties.csv"), data_dir=data_dir
    )
    assert result.returncode == 0, result.stderr
    assert leftovers(data_dir) == []


def test_a_chart_build_leaves_no_lock_or_temp_file_in_the_charts_folder(tmp_path):
    out = tmp_path / "charts"
    result = run_cli("charts", "build", "concentration", "--format", "csv,svg", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "charts.json",
        "concentration.csv",
        "concentration.svg",
        "index.html",
    ]
    assert leftovers(out) == []


def company_files(company: str, folder: Path) -> tuple[Path, Path]:
    """Nimbus's counterparties and revenue CSVs, renamed to another company."""
    written = []
    for name in ("counterparties.csv", "revenue.csv"):
        text = (NIMBUS / name).read_text(encoding="utf-8").replace("Nimbus Cloud", company)
        written.append(folder / f"{company.replace(' ', '_')}_{name}")
        written[-1].write_text(text, encoding="utf-8")
    return written[0], written[1]


def run_all_at_once(commands: list[list[str]]) -> list[tuple[int, str]]:
    """Start every `python -m analytics COMMAND` at once; (exit code, stderr) of each."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "analytics", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    return [(child.returncode, stderr) for child, (_, stderr) in zip(children, outputs, strict=True)]


def test_eight_concurrent_ingests_of_different_companies_all_land(data_dir, tmp_path):
    from analytics.store import parquet

    companies = [f"Company {number}" for number in range(8)]
    files = [company_files(company, tmp_path) for company in companies]
    data = ["--data-dir", str(data_dir), "ingest"]
    for table, index in (("counterparties", 0), ("revenue", 1)):
        results = run_all_at_once([[*data, "--table", table, str(pair[index])] for pair in files])
        assert [code for code, _ in results] == [0] * 8, results
    for table in ("revenue", "reported_totals", "counterparties"):
        stored = set(parquet.read_table(data_dir, table)["company"].to_list())
        assert set(companies) <= stored, f"{table} lacks {set(companies) - stored}"
    assert run_cli("validate", data_dir=data_dir).returncode == 0
    assert leftovers(data_dir) == []


COMMIT_INSIDE_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from analytics.store import commit
    folder = Path(sys.argv[1])
    with commit.locked(folder), commit.locked(folder):
        commit.commit_bytes({folder / "a.txt": b"a", folder / "b.txt": b"b"})
""")


def test_a_commit_inside_a_held_folder_lock_does_not_deadlock(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", COMMIT_INSIDE_LOCK, str(tmp_path)],
        env={"PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
