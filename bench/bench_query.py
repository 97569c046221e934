"""Query speed: `analytics query run` against a bare DuckDB script, `--help` against a minimal Typer app.

Each pair runs interleaved in one process (A B, then B A, ...), so a machine that slows down slows
both sides alike; the table gives each side's median wall and CPU milliseconds and the median of
the run-by-run ratios. The bare script creates the same views (the engine's macros, then
analytics/sql/views.sql) over the same Parquet files, runs the same SQL text of
queries/partner_dependence.sql with the same bound parameters, and writes CSV with the csv
module: the floor the CLI is measured against. It also reports which heavy libraries each
command imported. The package's bytecode is compiled first, as an install does (installed.py).
Prints a markdown table; never asserts (speed is not a test).

    python bench/bench_query.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from installed import compile_package

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
QUERY = "partner_dependence"

BARE_QUERY = '''\
"""The floor: the same views, SQL and parameters in plain DuckDB, rows to the csv module."""
import csv, pickle, sys
import duckdb
with open(sys.argv[1], "rb") as setup_file:
    setup, creating_views, sql, params = pickle.load(setup_file)
connection = duckdb.connect(":memory:")
connection.execute(f"SET VARIABLE {creating_views} = true")
for statement in connection.extract_statements(setup):
    connection.execute(statement)
connection.execute(f"RESET VARIABLE {creating_views}")
cursor = connection.execute(sql, params)
writer = csv.writer(sys.stdout, lineterminator="\\n")
writer.writerow([column[0] for column in cursor.description])
while rows := cursor.fetchmany(10_000):
    writer.writerows(rows)
'''

MINIMAL_TYPER = '''\
"""A minimal three-command Typer app: the floor for `--help`."""
import typer
app = typer.Typer()
@app.command()
def first(name: str = "x") -> None:
    """The first command."""
@app.command()
def second(count: int = 1) -> None:
    """The second command."""
@app.command()
def third(flag: bool = False) -> None:
    """The third command."""
app()
'''

#: Runs a CLI command in-process, then says on stderr which heavy libraries it imported.
IMPORTED_AFTER = """\
import json, sys
from analytics.cli.app import main
sys.argv = ["analytics", *{args!r}]
try:
    main()
except SystemExit:
    pass
heavy = ("polars", "pyarrow", "pydantic", "rich", "duckdb")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


@dataclass(frozen=True)
class Pair:
    """Two commands timed against each other; `floor` names the second for the table."""

    label: str
    command: list[str]
    floor_label: str
    floor: list[str]
    target: str


@dataclass(frozen=True)
class Timing:
    wall: list[float]
    cpu: list[float]


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one whole process; output thrown away."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    finished = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({finished.returncode}):\n"
            + finished.stderr.decode(errors="replace")[-2000:]
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(first: list[str], second: list[str], runs: int) -> tuple[Timing, Timing]:
    """Both commands `runs` times, alternating which goes first, after one warm-up each."""
    run_once(first), run_once(second)
    timings: tuple[Timing, Timing] = (Timing([], []), Timing([], []))
    for index in range(runs):
        order = (0, 1) if index % 2 == 0 else (1, 0)
        for side in order:
            wall, cpu = run_once((first, second)[side])
            timings[side].wall.append(wall)
            timings[side].cpu.append(cpu)
    return timings


def median_ratio(tops: list[float], bottoms: list[float]) -> float:
    return statistics.median(top / bottom for top, bottom in zip(tops, bottoms, strict=True))


def write_bare_query(folder: Path) -> list[str]:
    """The bare script and its pickled set-up: the engine's view SQL, the query's SQL text and
    its default parameters as the CLI binds them."""
    from analytics.sql import queries
    from analytics.sql.engine import CREATING_VIEWS, helper_views_sql

    named = queries.load(QUERY)
    params = named.sql_params(named.bind({}))
    setup = folder / "setup.pickle"
    setup.write_bytes(pickle.dumps((helper_views_sql(DATA), CREATING_VIEWS, named.sql, params)))
    script = folder / "bare_query.py"
    script.write_text(BARE_QUERY, encoding="utf-8")
    return [sys.executable, str(script), str(setup)]


def analytics_command(*args: str) -> list[str]:
    """The console script when installed (what users run), else `python -m analytics`."""
    found = shutil.which("analytics", path=str(Path(sys.executable).parent))
    return [found, *args] if found else [sys.executable, "-m", "analytics", *args]


def pairs(folder: Path) -> list[Pair]:
    minimal = folder / "minimal_typer.py"
    minimal.write_text(MINIMAL_TYPER, encoding="utf-8")
    bare_python = [sys.executable, "-c", "pass"]
    return [
        Pair(
            f"`analytics query run {QUERY} --format csv`",
            analytics_command("query", "run", QUERY, "--format", "csv"),
            "bare DuckDB script, csv module",
            write_bare_query(folder),
            "<= 1.3x",
        ),
        Pair(
            "`analytics --help`",
            analytics_command("--help"),
            "minimal three-command Typer app `--help`",
            [sys.executable, str(minimal), "--help"],
            "<= 1.25x",
        ),
        Pair(
            "`analytics query list`",
            analytics_command("query", "list"),
            "minimal three-command Typer app `--help`",
            [sys.executable, str(minimal), "--help"],
            "(no polars)",
        ),
        Pair("`python -c pass`", bare_python, "`python -c pass`", bare_python, "(noise)"),
    ]


def imported(args: list[str]) -> str:
    """The heavy libraries a CLI command imports, run in-process in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORTED_AFTER.format(args=args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stderr.strip().splitlines()
    if not lines:
        return "?"
    return ", ".join(json.loads(lines[-1])) or "none"


def table(runs: int) -> str:
    load = os.getloadavg()[0]
    lines = [
        f"Median of {runs} interleaved runs per pair, each a fresh process; Python "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f} at the start, {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "| Command | wall ms | CPU ms | Floor | wall ms | CPU ms | ratio wall | ratio CPU | target |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        for pair in pairs(Path(folder)):
            ours, floor = interleaved(pair.command, pair.floor, runs)
            lines.append(
                f"| {pair.label} | {statistics.median(ours.wall) * 1000:.0f} "
                f"| {statistics.median(ours.cpu) * 1000:.0f} | {pair.floor_label} "
                f"| {statistics.median(floor.wall) * 1000:.0f} "
                f"| {statistics.median(floor.cpu) * 1000:.0f} "
                f"| {median_ratio(ours.wall, floor.wall):.2f}x "
                f"| {median_ratio(ours.cpu, floor.cpu):.2f}x | {pair.target} |"
            )
    lines += ["", "| Command | heavy libraries imported |", "|---|---|"]
    for args in (["query", "run", QUERY, "--format", "csv"], ["query", "list"], ["--help"]):
        lines.append(f"| `analytics {' '.join(args)}` | {imported(args)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs of each side per pair")
    compile_package(ROOT)
    print(table(parser.parse_args().runs))


if __name__ == "__main__":
    main()
