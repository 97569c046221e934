"""Benchmark: rebuild every chart in every format, and the share of that time inside vl-convert.

Run `python bench/bench_charts.py [--runs N]`; prints a markdown table for bench/RESULTS.md.
The first build in a process pays vl-convert's one-off JS bundle set-up, so it is shown apart.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from analytics.project import PROJECT_ROOT
from analytics.publish.build import build_charts


def timed_build(out_dir: Path) -> tuple[float, float, int]:
    """Wall seconds, seconds inside vl-convert, and files written for one full rebuild."""
    started = time.perf_counter()
    result = build_charts(out_dir=out_dir, data_dir=PROJECT_ROOT / "data")
    if result.failed:
        raise SystemExit(f"charts failed: {result.failed}")
    return time.perf_counter() - started, result.vl_convert_seconds, len(result.written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="warm rebuilds after the first")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        out_dir = Path(folder)
        first = timed_build(out_dir)
        warm = [timed_build(out_dir) for _ in range(runs)]
    wall = statistics.median(run[0] for run in warm)
    inside = statistics.median(run[1] for run in warm)
    print("| build | files | wall (s) | in vl-convert (s) | vl-convert share |")
    print("|---|---:|---:|---:|---:|")
    print(f"| first in process | {first[2]} | {first[0]:.2f} | {first[1]:.2f} | "
          f"{first[1] / first[0]:.0%} |")
    print(f"| warm (median of {runs}) | {warm[0][2]} | {wall:.2f} | {inside:.2f} | "
          f"{inside / wall:.0%} |")


if __name__ == "__main__":
    main()
