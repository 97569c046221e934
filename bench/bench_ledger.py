"""Ledger rollup benchmark: `analytics ledger rollup` against a hand-written DuckDB GROUP BY.

Both sides are whole processes over the same demo ledger that end by ingesting the same facts
(leaves, stream totals, `total`) into a fresh copy of the data folder, so the ratio is the cost
of the rollup's checks and bookkeeping. Runs alternate (rollup, hand-written, rollup, ...); wall
time, CPU time (user + system, every thread) and peak RSS (from the kernel's accounting of each
child) are medians, the ratios medians of the pairs' ratios. On a shared machine CPU time is the
steadier figure: other work slows the wall clock, not the work done. Spark runs in local mode;
its start-up (JVM and session, no query) is measured apart. Ledgers are generated once.

    python bench/bench_ledger.py --rows 10000000,100000000 --spark-rows 1000000 --write
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Revenue ledgers"
COMPANY = "Lumen Social"
PYTHON = sys.executable

HAND_WRITTEN = """
SELECT CAST(date_trunc('quarter', booked_at) AS DATE) AS period_start, stream,
  CASE WHEN list_contains($known, counterparty) THEN counterparty ELSE 'third_parties' END
    AS counterparty, sum(amount) AS amount
FROM read_parquet($ledger, hive_partitioning = true) WHERE company = $company{since} GROUP BY ALL
"""
SINCE = " AND year >= {year} AND booked_at >= DATE '{day}'"
FACTS = """
SELECT $company AS company, year(period_start) || 'Q' || quarter(period_start) AS period, stream,
  counterparty, amount, 'USD' AS currency, 'units' AS unit, 'hand-written GROUP BY' AS source,
  0 AS precision
FROM (SELECT * FROM leaves
      UNION ALL SELECT period_start, stream, 'all', sum(amount) FROM leaves GROUP BY ALL
      UNION ALL SELECT period_start, 'total', 'all', sum(amount) FROM leaves GROUP BY ALL)
"""


def hand_written(ledger: str, data_dir: str, since: str | None = None) -> None:
    """What an analyst would write by hand: one GROUP BY, the totals, then ingest."""
    from datetime import date

    import duckdb

    import analytics
    from analytics.ledger.definition import PERIOD_KINDS
    from analytics.ledger.demo import PARTNERS

    spill = tempfile.mkdtemp(prefix="bench-ledger-")
    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '2GiB'; SET temp_directory = '{spill}'")
        known = [name for name, *_ in PARTNERS]  # written out by hand, as an analyst would
        day = PERIOD_KINDS["quarter"].start_of(date.fromisoformat(since)) if since else None
        where = SINCE.format(year=day.year, day=day) if day else ""
        files = f"{ledger}/**/*.parquet" if Path(ledger).is_dir() else ledger
        con.execute(
            f"CREATE TABLE leaves AS {HAND_WRITTEN.format(since=where)}",
            {"known": known, "ledger": files, "company": COMPANY},
        )
        csv_path = Path(spill) / "facts.csv"
        con.execute(f"COPY ({FACTS}) TO '{csv_path}' (HEADER)", {"company": COMPANY})
    analytics.ingest(csv_path, "revenue", data_dir)
    shutil.rmtree(spill, ignore_errors=True)


def spark_startup(tiny_ledger: str) -> None:
    """Open a one-row ledger on Spark as a rollup does (JVM, session, schema), then stop."""
    from analytics.ledger.spark_engine import SparkLedger

    with SparkLedger(tiny_ledger) as engine:
        engine.columns()


#: Runs a command and prints its peak RSS (KiB), CPU seconds and exit code. A small launcher, because Linux
#: counts a forked child's pre-exec size in its peak: started from this (large) process, every
#: command would inherit this process's size.
LAUNCHER = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[1:], "
    "stdout=subprocess.DEVNULL); _, status, usage = os.wait4(child.pid, 0); "
    "print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, "
    "os.waitstatus_to_exitcode(status))"
)


def measure(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds of one command, which must succeed."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        launched = subprocess.run(
            [PYTHON, "-c", LAUNCHER, *argv],
            cwd=ROOT,
            stderr=errors,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
        peak, cpu, status = launched.stdout.split()
        peak_kib, code = int(peak), int(status)
        if code != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{errors.read().decode(errors='replace')}")
    return wall, peak_kib / 1024, float(cpu)


def demo_ledger(folder: Path, rows: int, partitioned: bool = False) -> Path:
    from analytics.ledger import demo

    target = folder / (f"ledger_{rows}_by_year" if partitioned else f"ledger_{rows}.parquet")
    if not target.exists():
        print(f"generating {target} ...", file=sys.stderr)
        demo(target, rows, partition_by="year" if partitioned else None)
    return target


def fresh_data(folder: Path, counterparties: Path) -> Path:
    """A copy of the shipped data with the demo's partners ingested."""
    import analytics

    target = folder / "data"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("sources"))
    analytics.ingest(counterparties, "counterparties", target)
    return target


def rollup_argv(data: Path, ledger: Path, *options: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "analytics",
        "--data-dir",
        str(data),
        "ledger",
        "rollup",
        str(ledger),
        "--company",
        COMPANY,
        *options,
    ]


def compare(folder: Path, ledger: Path, runs: int, *options: str) -> dict[str, float]:
    """Alternate rollup and hand-written runs, each on a fresh data folder; medians."""
    counterparties = ledger.parent / f"{ledger.stem}-counterparties.csv"
    figures: dict[str, list[float]] = {
        "rollup_s": [],
        "rollup_mb": [],
        "rollup_cpu": [],
        "hand_s": [],
        "hand_mb": [],
        "hand_cpu": [],
        "ratio": [],
        "cpu_ratio": [],
    }
    for _ in range(runs):
        ours = measure(rollup_argv(fresh_data(folder, counterparties), ledger, *options))
        data = fresh_data(folder, counterparties)
        since = [options[1]] if options else []
        theirs = measure([PYTHON, __file__, "--hand-written", str(ledger), str(data), *since])
        ratios = (ours[0] / theirs[0], ours[2] / theirs[2])
        for key, value in zip(figures, (*ours, *theirs, *ratios), strict=True):
            figures[key].append(value)
    return {key: statistics.median(values) for key, values in figures.items()}


def phases(ledger: Path) -> dict[str, float]:
    """In one process, after one untimed read of the ledger: the rollup's aggregate (with the row
    checks) and its txn_id uniqueness check as it runs them, then the hand-written GROUP BY; CPU
    seconds of every thread (steadier than the wall clock on a shared machine)."""
    import resource

    from analytics.ledger.checks import Scope, check_columns
    from analytics.ledger.definition import PERIOD_KINDS, Pooling, aggregate_sql, bound
    from analytics.ledger.duckdb_engine import DuckDBLedger
    from analytics.ledger.ids import check_duplicates
    from analytics.sql.sandbox import Limits

    pooling = Pooling(kept=("Orchard Group", "Harbor Pay", "Northwind Games"))
    values = {"company": COMPANY, "known": list(pooling.kept), **pooling.values()}
    timed: dict[str, float] = {}
    with DuckDBLedger(str(ledger), Limits.from_environment()) as engine:
        shape = check_columns(engine.columns(), str(ledger), engine.partitioned_by_year)
        connection = engine.connection
        assert connection is not None
        aggregate = aggregate_sql(shape, PERIOD_KINDS["quarter"], None, pooling)
        hand = HAND_WRITTEN.format(since="").replace(
            "read_parquet($ledger, hive_partitioning = true)", "ledger"
        )
        engine.rows(hand, bound(hand, values))  # warm-up, untimed: no step pays the first read
        for name, step in (
            ("aggregate", lambda: engine.aggregate_into(connection, aggregate, bound(aggregate, values))),
            ("txn_id check", lambda: check_duplicates(Scope(engine, shape, None, values))),
            ("hand GROUP BY", lambda: engine.rows(hand, bound(hand, values))),
        ):
            start = resource.getrusage(resource.RUSAGE_SELF)
            step()
            end = resource.getrusage(resource.RUSAGE_SELF)
            timed[name] = end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime
    return timed


def duckdb_rows(folder: Path, rows: int, runs: int, since: str | None) -> list[str]:
    ledger = demo_ledger(folder, rows, partitioned=since is not None)
    options = ("--since", since) if since else ()
    med = compare(folder, ledger, runs, *options)
    label = f"{rows / 1e6:g}M" + (f", year= partitions, --since {since}" if since else "")
    lines = [
        f"| DuckDB {label} | {med['rollup_s']:.1f} / {med['rollup_cpu']:.1f} | "
        f"{med['rollup_mb']:.0f} | {med['hand_s']:.1f} / {med['hand_cpu']:.1f} | "
        f"{med['hand_mb']:.0f} | {med['ratio']:.2f}x / {med['cpu_ratio']:.2f}x |"
    ]
    if since is None:
        timed = json.loads(
            subprocess.run(
                [PYTHON, __file__, "--phases", str(ledger)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        lines.append(
            f"| ↳ in one process (`--phases`, after one untimed read), CPU: hand GROUP BY "
            f"{timed['hand GROUP BY']:.2f} s, rollup aggregate with row checks "
            f"{timed['aggregate']:.2f} s, txn_id uniqueness "
            f"{timed['txn_id check']:.2f} s | | | | | |"
        )
    return lines


def spark_rows(folder: Path, rows: int, runs: int) -> list[str]:
    ledger = demo_ledger(folder, rows)
    counterparties = ledger.parent / f"{ledger.stem}-counterparties.csv"
    walls = [
        measure(rollup_argv(fresh_data(folder, counterparties), ledger, "--engine", "spark"))[0]
        for _ in range(runs)
    ]
    tiny = demo_ledger(folder, 1)
    starts = [measure([PYTHON, __file__, "--spark-startup", str(tiny)])[0] for _ in range(runs)]
    duck = [measure(rollup_argv(fresh_data(folder, counterparties), ledger))[0] for _ in range(runs)]
    total, start = statistics.median(walls), statistics.median(starts)
    return [
        f"| Spark local[*] {rows / 1e6:g}M | {total:.1f} | | {start:.1f} (start-up alone) "
        f"| | {total - start:.1f} s past start-up; DuckDB on the same ledger "
        f"{statistics.median(duck):.1f} s |"
    ]


def table(args: argparse.Namespace) -> str:
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"`python bench/bench_ledger.py` on this 2-core machine ({time.strftime('%Y-%m-%d')}, "
        f"load average {os.getloadavg()[0]:.1f} at the end; medians of {args.runs} "
        "alternating runs, each on a fresh copy of the data folder; DuckDB memory limit "
        "2 GiB).",
        "",
        "| ledger | rollup wall / CPU (s) | rollup peak RSS (MiB) | hand-written GROUP BY "
        "wall / CPU (s) | its peak RSS (MiB) | ratio wall / CPU |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for rows in args.rows:
        lines += duckdb_rows(folder, rows, args.runs, None)
    if args.since:
        lines += duckdb_rows(folder, args.rows[-1], args.runs, args.since)
    if args.spark_rows:
        lines += spark_rows(folder, args.spark_rows, args.runs)
    lines[0] = re.sub(r"load average [0-9.]+", f"load average {os.getloadavg()[0]:.1f}", lines[0])
    return "\n".join(lines) + "\n"


def write_section(body: str) -> None:
    """Replace (or append) this benchmark's section of RESULTS.md; others stay as they are."""
    text = RESULTS.read_text(encoding="utf-8")
    before, _, rest = text.partition(SECTION)
    after = rest[rest.find("\n## ") :] if rest and "\n## " in rest else ""
    if not rest:
        before = text.rstrip("\n") + "\n\n"
    RESULTS.write_text(f"{before}{SECTION}\n\n{body}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=lambda t: [int(x) for x in t.split(",")], default=[10_000_000, 100_000_000]
    )
    parser.add_argument(
        "--since", default="2023-01-01", help="also time a --since rollup of the largest ledger, partitioned"
    )
    parser.add_argument("--spark-rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/analytics-ledger-bench")
    parser.add_argument("--write", action="store_true", help="write the table into RESULTS.md")
    parser.add_argument("--hand-written", nargs="+", metavar="LEDGER DATA_DIR [SINCE]")
    parser.add_argument("--spark-startup", metavar="TINY_LEDGER")
    parser.add_argument("--phases", metavar="LEDGER")
    args = parser.parse_args()
    if args.hand_written:
        return hand_written(*args.hand_written)
    if args.spark_startup:
        return spark_startup(args.spark_startup)
    if args.phases:
        return print(json.dumps(phases(Path(args.phases))))
    body = table(args)
    print(body)
    if args.write:
        write_section(body)


if __name__ == "__main__":
    main()
