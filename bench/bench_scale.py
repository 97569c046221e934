"""Scale benchmark: ingest, validate, upsert, refuse, query and chart a universe of N companies.

Each step runs as `python -m analytics ...` in a fresh measuring parent, which reads the step's
peak RSS with getrusage(RUSAGE_CHILDREN) and stops it past a memory ceiling. Prints a markdown
table and writes it into bench/RESULTS.md under "## Scale" (other sections are left alone).

    python bench/bench_scale.py 10 100 1000 [--work /tmp/scale] [--ceiling-gb 8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT / "bench"))
from universe import PARTNER, company, generate  # noqa: E402

COMPANY = company(0)
BAD_FILE_ROWS = 200_000
STEPS = (
    "ingest",
    "validate",
    "upsert 10 rows",
    "bad row refused",
    "partner_dependence",
    "same SQL, one company's rows",
    "cross-company aggregate",
    "charts, one company",
)


def measure(argv: list[str], ceiling_bytes: int, timeout: float) -> dict[str, float | int]:
    """Run `argv`; wall seconds, peak RSS (MB) and exit code; killed past the memory ceiling."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = _watch(child, ceiling_bytes, start + timeout)
    stderr = child.stderr.read() if child.stderr else ""
    child.wait()
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "wall": wall,
        "rss_mb": peak_mb,
        "code": child.returncode,
        "killed": killed,
        "stderr": stderr.strip().splitlines()[-1][:300] if stderr.strip() else "",
    }


def _watch(child: subprocess.Popen[str], ceiling_bytes: int, deadline: float) -> str:
    while child.poll() is None:
        if _rss_bytes(child.pid) > ceiling_bytes:
            child.kill()
            return "memory"
        if time.perf_counter() > deadline:
            child.kill()
            return "time"
        time.sleep(0.1)
    return ""


def _rss_bytes(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) * 1024 if found else 0


def run_step(argv: list[str], ceiling_gb: float, timeout: float) -> dict[str, float | int]:
    """`measure` in a fresh parent process, so RUSAGE_CHILDREN holds this step alone."""
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_scale; "
        "print(json.dumps(bench_scale.measure(json.loads(sys.argv[2]), "
        "int(float(sys.argv[3]) * 2**30), float(sys.argv[4]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "bench"), json.dumps(argv), str(ceiling_gb), str(timeout)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "analytics", "--data-dir", str(data), *args]


def small_files(work: Path, revenue: Path) -> tuple[Path, Path]:
    """Ten existing rows (an upsert that changes nothing else) and 200,000 rows whose first data
    row is bad."""
    with open(revenue, encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(BAD_FILE_ROWS + 1)] if _enough(revenue) else []
    if not lines:
        lines = revenue.read_text(encoding="utf-8").splitlines(keepends=True)
    upsert, bad = work / "upsert.csv", work / "bad.csv"
    upsert.write_text("".join(lines[:11]), encoding="utf-8")
    first = lines[1].split(",")
    first[1] = "2010Q5"
    bad.write_text("".join([lines[0], ",".join(first), *lines[2 : BAD_FILE_ROWS + 1]]), encoding="utf-8")
    return upsert, bad


def _enough(revenue: Path) -> bool:
    with open(revenue, encoding="utf-8") as handle:
        return sum(1 for _ in zip(range(BAD_FILE_ROWS + 1), handle, strict=False)) > BAD_FILE_ROWS


def one_company_folder(data: Path, target: Path) -> Path:
    """A data folder holding only COMPANY's files (for the same SQL over its rows alone)."""
    from analytics.store.parquet import partition_path
    from analytics.store.schema import TABLES

    for name in TABLES:
        source = partition_path(data, name, COMPANY)
        if source.exists():
            destination = partition_path(target, name, COMPANY)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def commands(n: int, work: Path) -> dict[str, list[str]]:
    """Every step's command line, generating the universe first."""
    paths = generate(n, work / "input")
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    subprocess.run(
        cli(data, "ingest", "--table", "counterparties", str(paths["counterparties"])),
        check=True,
        capture_output=True,
    )
    upsert, bad = small_files(work, paths["revenue"])
    query = (
        "query",
        "run",
        "partner_dependence",
        "-p",
        f"company={COMPANY}",
        "-p",
        f"partner={PARTNER}",
        "--format",
        "csv",
    )
    return {
        "ingest": cli(data, "ingest", str(paths["revenue"])),
        "validate": cli(data, "validate"),
        "upsert 10 rows": cli(data, "ingest", str(upsert)),
        "bad row refused": cli(data, "ingest", str(bad)),
        "partner_dependence": cli(data, *query),
        "same SQL, one company's rows": cli(work / "one", *query),
        "cross-company aggregate": cli(
            data,
            "sql",
            "SELECT period, sum(amount) AS revenue, "
            "count(DISTINCT company) AS companies FROM revenue "
            "GROUP BY period ORDER BY period",
            "--format",
            "csv",
        ),
        "charts, one company": cli(
            data,
            "charts",
            "build",
            "partner_dependence",
            "--company",
            COMPANY,
            "--partner",
            PARTNER,
            "--format",
            "svg",
            "--out",
            str(work / "charts"),
        ),
    }


def bench(n: int, work: Path, ceiling_gb: float, timeout: float) -> dict[str, dict]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    steps = commands(n, work)
    results: dict[str, dict] = {}
    for name, argv in steps.items():
        if name == "same SQL, one company's rows":
            one_company_folder(work / "data", work / "one")
        results[name] = run_step(argv, ceiling_gb, timeout)
        print(f"N={n} {name}: {cell(results[name])}", file=sys.stderr, flush=True)
        if name == "ingest" and results[name]["code"] != 0:
            ingest_in_chunks(work, n)
    return results


def ingest_in_chunks(work: Path, n: int, chunk: int = 100) -> None:
    """Set-up only (not measured) when the one-file ingest failed: the same revenue, ingested
    `chunk` companies at a time, so the other steps still run over the whole universe."""
    import duckdb

    revenue, data = work / "input" / "revenue.csv", work / "data"
    for start in range(0, n, chunk):
        part = work / "input" / f"revenue_{start}.csv"
        with duckdb.connect(":memory:") as connection:
            connection.execute(
                f"COPY (SELECT * FROM read_csv('{revenue}', all_varchar = true) "
                f"WHERE company >= '{company(start)}' AND company < '{company(start + chunk)}') "
                f"TO '{part}' (HEADER)"
            )
        subprocess.run(cli(data, "ingest", str(part)), check=True, capture_output=True)
        part.unlink()


def cell(result: dict | None) -> str:
    if result is None:
        return "-"
    if result["killed"]:
        return f"killed ({result['killed']}) at {result['rss_mb'] / 1024:.1f} GB after {result['wall']:.0f} s"
    failed = "" if result["code"] in (0, 2) else f", exit {result['code']}"
    return f"{result['wall']:.2f} s, {result['rss_mb']:.0f} MB{failed}"


def table(all_results: dict[int, dict[str, dict]]) -> str:
    header = "| step | " + " | ".join(f"N={n:,} ({n * 3240:,} rows)" for n in all_results) + " |"
    lines = [header, "|---|" + "---|" * len(all_results)]
    for step in STEPS:
        lines.append(f"| {step} | " + " | ".join(cell(r.get(step)) for r in all_results.values()) + " |")
    return "\n".join(lines)


def write_results(text: str) -> None:
    section = (
        "## Scale\n\n`python bench/bench_scale.py` on this 2-core machine: a synthetic "
        "universe (bench/universe.py) of N companies x 40 quarters x 4 streams x 20 "
        "counterparties plus one printed total per company and quarter. Each step is "
        "`python -m analytics ...` in a fresh process: wall time and peak RSS (a step "
        "past the memory ceiling is stopped). When the one-file ingest fails, the store "
        "is set up by ingesting 100 companies at a time (not measured), so the other "
        "steps still run over the whole universe. The query steps run company "
        f'`{COMPANY}` with partner `{PARTNER}`; "same SQL, one company\'s rows" runs '
        "it over a folder holding only that company's files.\n\n"
        f"{text}\n"
    )
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"## Scale\n.*?(?=\n## |\Z)", re.S)
    updated = (
        pattern.sub(section.rstrip("\n"), current)
        if pattern.search(current)
        else current.rstrip("\n") + "\n\n" + section
    )
    from analytics.store import commit

    commit.write_text(RESULTS, updated)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--work", type=Path, default=Path("/tmp/analytics-scale"))
    parser.add_argument("--ceiling-gb", type=float, default=8.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    all_results = {n: bench(n, args.work / str(n), args.ceiling_gb, args.timeout) for n in args.sizes}
    text = table(all_results)
    print(text)
    write_results(text)


if __name__ == "__main__":
    main()
