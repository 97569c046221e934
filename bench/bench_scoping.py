"""One company's named query in a universe of N companies against the same query over a folder
holding only that company's files: the issue's "<= 1.2x" target, without the slow full ingest.

One synthetic company (bench/universe.py) is ingested through the CLI, then its partition files
are copied under N company names with DuckDB (the layout store.py documents). Each timing is a
fresh `python -m analytics query run ...` process; the two commands alternate, medians reported.

    python bench/bench_scoping.py 100 1000 [--runs 9] [--work /tmp/scoping]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from universe import PARTNER, company, generate

TABLES_READ = ("revenue", "reported_totals", "counterparties")


def cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "analytics", "--data-dir", str(data), *args]


def seed(work: Path) -> Path:
    """A data folder holding company(0) alone, ingested as an analyst would."""
    paths, data = generate(1, work / "input"), work / "seed"
    data.mkdir(parents=True)
    for table in ("counterparties", "revenue"):
        subprocess.run(
            cli(data, "ingest", "--table", table, str(paths[table])), check=True, capture_output=True
        )
    return data


def universe(seed_dir: Path, target: Path, n: int) -> Path:
    """`target` holding the seed company's files under the names company(0) .. company(n-1)."""
    import duckdb

    from analytics.store.parquet import partition_path

    with duckdb.connect(":memory:") as connection:
        for table in TABLES_READ:
            source = partition_path(seed_dir, table, company(0))
            for number in range(n):
                destination = partition_path(target, table, company(number))
                destination.parent.mkdir(parents=True, exist_ok=True)
                connection.execute(
                    "COPY (SELECT * REPLACE ($name AS company) FROM read_parquet($source)) "
                    f"TO '{destination}' (FORMAT parquet, COMPRESSION zstd)",
                    {"name": company(number), "source": str(source)},
                )
    return target


def alternate(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall seconds of each command, run in turn (one warm-up each, not counted)."""
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs + 1):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            if run:
                seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--work", type=Path, default=Path("/tmp/analytics-scoping"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    seed_dir = seed(args.work)
    alone = universe(seed_dir, args.work / "one", 1)
    query = (
        "query",
        "run",
        "partner_dependence",
        "-p",
        f"company={company(0)}",
        "-p",
        f"partner={PARTNER}",
        "--format",
        "csv",
    )
    print("| N | partner_dependence (s) | over its files alone (s) | ratio |\n|---|---|---|---|")
    for n in args.sizes:
        data = universe(seed_dir, args.work / str(n), n)
        medians = alternate({"all": cli(data, *query), "alone": cli(alone, *query)}, args.runs)
        print(
            f"| {n:,} | {medians['all']:.3f} | {medians['alone']:.3f} | "
            f"{medians['all'] / medians['alone']:.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
