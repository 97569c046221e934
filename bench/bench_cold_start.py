"""Cold-start benchmark: how long `analytics --help` and `import analytics` take.

Runs each command in a fresh interpreter (subprocess) 10 times and reports the median, next to
a bare interpreter and to importing the heavy libraries the CLI defers. Prints a markdown table
and writes it into bench/RESULTS.md under "## Cold start" (other sections are left alone).

    python bench/bench_cold_start.py
"""

from __future__ import annotations

import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from installed import compile_package

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
RUNS = 10


def commands() -> list[tuple[str, list[str]]]:
    python = sys.executable
    found = shutil.which("analytics", path=str(Path(python).parent))
    script = [("`analytics --help` (console script)", [found, "--help"])] if found else []
    return [
        *script,
        ("`python -m analytics --help`", [python, "-m", "analytics", "--help"]),
        ("`python -c 'import analytics'`", [python, "-c", "import analytics"]),
        ("`python -c 'pass'` (bare interpreter)", [python, "-c", "pass"]),
        ("`python -c 'import duckdb, polars'` (deferred)", [python, "-c", "import duckdb, polars"]),
    ]


def median_seconds(argv: list[str], runs: int = RUNS) -> float:
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table() -> str:
    lines = [
        f"Median of {RUNS} runs, each in a fresh interpreter; {platform.python_version()} "
        f"on {platform.machine()} ({platform.system()}), measured "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
        "| Command | Median (ms) |",
        "|---|---:|",
    ]
    for label, argv in commands():
        lines.append(f"| {label} | {median_seconds(argv) * 1000:.0f} |")
    return "\n".join(lines) + "\n"


def write_section(body: str) -> None:
    section = f"## Cold start\n\n{body}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Cold start\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    compile_package(ROOT)
    body = table()
    print(body)
    write_section(body)


if __name__ == "__main__":
    main()
