"""Kill the process at every commit step: the folder is in its old or its new state, never mixed.

`ANALYTICS_FAULT_KILL_AT=commit:N` makes a command SIGKILL itself just before the N-th step of
its commits (each temp write, each journal write, each rename, the journal delete); the next
command must recover the folder and leave no temp file or journal behind.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analytics.project import PROJECT_ROOT
from tests.conftest import copy_tables
from tests.hostile.conftest import fingerprint, run_cli

NIMBUS = Path(__file__).parents[1] / "fixtures" / "nimbus"
FAULT = "ANALYTICS_FAULT_KILL_AT"
INGEST_STEPS = 8  # 3 temp writes, the journal, 3 renames, the journal delete
INGEST_COMMIT_POINT = 5  # killed from this step on, the journal exists: the next run rolls forward
# One commit per chart: its 4 files, its embed snippet, charts.json and index.html (7 temp
# writes), the journal, 7 renames, the journal delete.
CHART_STEPS = 16
CHART_COMMIT_POINT = 9
CHART = "partner_dependence"
CHART_BUILD = ("charts", "build", CHART, "--format", "html,png,svg,csv")


def leftovers(folder: Path) -> list[str]:
    """Temp files, journals and lock files of ours anywhere under `folder`."""
    return [
        p.name
        for p in folder.rglob("*")
        if p.name.endswith((".tmp", ".lock")) or "analytics-commit" in p.name
    ]


def killed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def ingest_states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A data folder holding Nimbus's counterparties (old), and the fingerprint of the same
    folder after an uninterrupted ingest of Nimbus's revenue (new)."""
    old = tmp_path_factory.mktemp("ingest") / "data"
    copy_tables(PROJECT_ROOT / "data", old)
    assert (
        run_cli(
            "ingest", "--table", "counterparties", str(NIMBUS / "counterparties.csv"), data_dir=old
        ).returncode
        == 0
    )
    new = old.parent / "new"
    shutil.copytree(old, new)
    done = run_cli("ingest", str(NIMBUS / "revenue.csv"), data_dir=new)
    assert done.returncode == 0, done.stderr
    return old, fingerprint(old), fingerprint(new)


@pytest.mark.parametrize("step", range(1, INGEST_STEPS + 1))
def test_an_ingest_killed_at_any_commit_step_leaves_the_old_or_the_new_tables(step, ingest_states, tmp_path):
    old_dir, old, new = ingest_states
    data = tmp_path / "data"
    shutil.copytree(old_dir, data)
    run = run_cli("ingest", str(NIMBUS / "revenue.csv"), data_dir=data, env={FAULT: f"commit:{step}"})
    assert killed(run), f"not killed at step {step}: exit {run.returncode} {run.stderr!r}"
    checked = run_cli("validate", data_dir=data)
    assert checked.returncode == 0, checked.stderr
    assert fingerprint(data) == (new if step >= INGEST_COMMIT_POINT else old)
    assert leftovers(data) == []


def test_the_multi_table_ingest_commit_has_exactly_its_counted_steps(ingest_states, tmp_path):
    old_dir, _, new = ingest_states
    data = tmp_path / "data"
    shutil.copytree(old_dir, data)
    run = run_cli(
        "ingest", str(NIMBUS / "revenue.csv"), data_dir=data, env={FAULT: f"commit:{INGEST_STEPS + 1}"}
    )
    assert run.returncode == 0, run.stderr
    assert fingerprint(data) == new
    assert leftovers(data) == []


DELETE_STEPS = 7  # the journal, 5 file deletions (one per table Nimbus has), the journal delete
DELETE_COMMIT_POINT = 2


@pytest.fixture(scope="module")
def delete_states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A data folder holding Weibo and Nimbus (old), and its fingerprint once Nimbus is deleted."""
    old = tmp_path_factory.mktemp("delete") / "data"
    copy_tables(PROJECT_ROOT / "data", old)
    for table in ("counterparties", "revenue", "partnerships", "events"):
        done = run_cli("ingest", "--table", table, str(NIMBUS / f"{table}.csv"), data_dir=old)
        assert done.returncode == 0, done.stderr
    new = old.parent / "new"
    shutil.copytree(old, new)
    done = run_cli("delete", "--company", "Nimbus Cloud", data_dir=new)
    assert done.returncode == 0, done.stderr
    return old, fingerprint(old), fingerprint(new)


@pytest.mark.parametrize("step", range(1, DELETE_STEPS + 2))
def test_a_delete_killed_at_any_commit_step_leaves_the_old_or_the_new_tables(step, delete_states, tmp_path):
    old_dir, old, new = delete_states
    data = tmp_path / "data"
    shutil.copytree(old_dir, data)
    run = run_cli("delete", "--company", "Nimbus Cloud", data_dir=data, env={FAULT: f"commit:{step}"})
    assert killed(run) == (step <= DELETE_STEPS), f"step {step}: exit {run.returncode}"
    assert run_cli("validate", data_dir=data).returncode == 0
    assert fingerprint(data) == (new if step >= DELETE_COMMIT_POINT else old)
    assert leftovers(data) == []
    assert not (data / "revenue" / "company=Nimbus%20Cloud").exists() or step < DELETE_COMMIT_POINT


def chart_files(folder: Path) -> dict[str, str]:
    return {name: digest for name, digest in fingerprint(folder).items() if name.startswith(f"{CHART}.")}


@pytest.fixture(scope="module")
def chart_states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A chart folder built up to 2016Q1 (old) and its chart files after a full build (new)."""
    old = tmp_path_factory.mktemp("charts") / "old"
    first = run_cli(*CHART_BUILD, "--to", "2016Q1", "--out", str(old))
    assert first.returncode == 0, first.stderr
    new = old.parent / "new"
    shutil.copytree(old, new)
    second = run_cli(*CHART_BUILD, "--out", str(new))
    assert second.returncode == 0, second.stderr
    assert chart_files(old) != chart_files(new) and len(chart_files(new)) == 5
    return old, chart_files(old), chart_files(new)


@pytest.mark.parametrize("step", range(1, CHART_STEPS + 1))
def test_a_chart_build_killed_at_any_commit_step_leaves_the_old_or_the_new_chart(
    step, chart_states, tmp_path
):
    old_dir, old, new = chart_states
    out = tmp_path / "charts"
    shutil.copytree(old_dir, out)
    run = run_cli(*CHART_BUILD, "--out", str(out), env={FAULT: f"commit:{step}"})
    assert killed(run), f"not killed at step {step}: exit {run.returncode} {run.stderr!r}"
    after = run_cli("charts", "build", "concentration", "--format", "csv", "--out", str(out))
    assert after.returncode == 0, after.stderr
    assert chart_files(out) == (new if step >= CHART_COMMIT_POINT else old)
    assert leftovers(out) == []


# A rebuild in fewer formats: html, png, embed snippet, charts.json, index.html (5 temp writes),
# the journal, 5 renames, 2 deletions (the chart's svg and csv), the journal delete.
SHRINK_STEPS = 14
SHRINK_COMMIT_POINT = 7
SHRINK_BUILD = ("charts", "build", CHART, "--format", "html,png")


@pytest.fixture(scope="module")
def shrink_states(
    chart_states: tuple[Path, dict[str, str], dict[str, str]],
) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The chart folder up to 2016Q1 in four formats (old), and its chart files after a full
    range rebuild in html and png only (new: no svg or csv left beside them)."""
    old_dir, old, _ = chart_states
    new = old_dir.parent / "shrunk"
    shutil.copytree(old_dir, new)
    done = run_cli(*SHRINK_BUILD, "--out", str(new))
    assert done.returncode == 0, done.stderr
    assert sorted(chart_files(new)) == [f"{CHART}.embed.html", f"{CHART}.html", f"{CHART}.png"]
    return old_dir, old, chart_files(new)


@pytest.mark.parametrize("step", range(1, SHRINK_STEPS + 1))
def test_a_rebuild_in_fewer_formats_killed_at_any_step_never_mixes_old_and_new_files(
    step, shrink_states, tmp_path
):
    old_dir, old, new = shrink_states
    out = tmp_path / "charts"
    shutil.copytree(old_dir, out)
    run = run_cli(*SHRINK_BUILD, "--out", str(out), env={FAULT: f"commit:{step}"})
    assert killed(run), f"not killed at step {step}: exit {run.returncode} {run.stderr!r}"
    after = run_cli("charts", "build", "concentration", "--format", "csv", "--out", str(out))
    assert after.returncode == 0, after.stderr
    assert chart_files(out) == (new if step >= SHRINK_COMMIT_POINT else old)
    assert leftovers(out) == []


TWO_FOLDER_COMMIT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from analytics.store import commit
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    commit.commit_bytes({a / "x.txt": b"new x", b / "y.txt": b"new y"})
""")
TWO_FOLDER_STEPS = 7  # 2 temp writes, 2 journals (one per folder), 2 renames, the journal delete


@pytest.mark.parametrize("recovery_order", ["a_first", "b_first"])
@pytest.mark.parametrize("step", range(1, TWO_FOLDER_STEPS + 1))
def test_a_commit_across_two_folders_killed_at_any_step_recovers_to_one_state(step, recovery_order, tmp_path):
    from analytics.store import commit

    a, b = tmp_path / "a", tmp_path / "b"
    for folder, name in ((a, "x.txt"), (b, "y.txt")):
        folder.mkdir()
        (folder / name).write_bytes(b"old")
    run = subprocess.run(
        [sys.executable, "-c", TWO_FOLDER_COMMIT, str(a), str(b)],
        env={FAULT: f"commit:{step}", "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert killed(run), run.stderr
    for folder in (a, b) if recovery_order == "a_first" else (b, a):
        commit.recover(folder)
    state = ((a / "x.txt").read_bytes(), (b / "y.txt").read_bytes())
    assert state in ((b"old", b"old"), (b"new x", b"new y")), state
    assert leftovers(tmp_path) == []
