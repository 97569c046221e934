"""Benchmark: `analytics charts build` (every chart in every format) against bare vl-convert.

Each side runs in a fresh process, as from the shell, and the sides are interleaved round by
round (their order rotating), so a busy machine slows them alike; the table gives medians and
the ratio of each build to the bare side. The bare side is a script that only calls vl-convert
for the same specs (the HTML page with Vega inlined, PNG at 2x, SVG) and writes the files; the
build also runs its queries, validates each spec and writes the CSVs, manifest and gallery.
"cold" builds start with an empty bundle cache (as after installing a new vl-convert), "warm"
ones find it. `--baseline DIR` adds a side running the package found in DIR (an older checkout,
e.g. from `git archive`). Run `python bench/bench_charts.py [--runs N] [--baseline DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from installed import compile_package

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR_ENV = "ANALYTICS_CACHE_DIR"
#: The bare side: vl-convert called on the dumped specs, nothing else.
BARE_SCRIPT = """
import json, sys
from pathlib import Path
import vl_convert
out = Path(sys.argv[2])
for name, specs in json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")).items():
    page = vl_convert.vegalite_to_html(specs["page"], bundle=True, renderer="svg")
    (out / f"{name}.html").write_text(page, encoding="utf-8")
    (out / f"{name}.png").write_bytes(vl_convert.vegalite_to_png(specs["image"], scale=2))
    (out / f"{name}.svg").write_text(vl_convert.vegalite_to_svg(specs["image"]), encoding="utf-8")
"""

Side = Callable[[Path], list[str]]


def dump_specs(path: Path) -> int:
    """Write every chart's spec, as the build hands it to vl-convert, for the bare side."""
    from analytics.charts import registry
    from analytics.charts.page import fluid_spec
    from analytics.publish.build import chart_for

    specs = {}
    for name in registry.names():
        spec = chart_for(name, data_dir=ROOT / "data").to_dict()
        specs[name] = {"image": spec, "page": fluid_spec(spec)}
    path.write_text(json.dumps(specs), encoding="utf-8")
    return len(specs)


def timed(argv: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    """Wall seconds of one run in a fresh process; a failing run stops the benchmark."""
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed:\n{result.stderr}")
    return time.perf_counter() - started


def sides(work: Path, baseline: Path | None) -> dict[str, Callable[[int], float]]:
    """Each side as a function of the round number, its output folder fresh every run."""
    python, base_env = sys.executable, {**os.environ}
    specs, warm_cache = work / "specs.json", work / "warm-cache"

    def build(cache: Callable[[int], Path], checkout: Path = ROOT) -> Callable[[int], float]:
        def run(number: int) -> float:
            out = Path(tempfile.mkdtemp(dir=work))
            env = {**base_env, CACHE_DIR_ENV: str(cache(number)), "PYTHONPATH": str(checkout)}
            return timed([python, "-m", "analytics", "charts", "build", "--out", str(out)], env, checkout)

        return run

    def bare(number: int) -> float:
        out = Path(tempfile.mkdtemp(dir=work))
        return timed([python, "-c", BARE_SCRIPT, str(specs), str(out)], base_env)

    chosen: dict[str, Callable[[int], float]] = {
        "bare vl-convert": bare,
        "charts build, cold cache": build(lambda number: work / f"cold-cache-{number}"),
        "charts build, warm cache": build(lambda number: warm_cache),
    }
    if baseline is not None:
        chosen["baseline charts build"] = build(
            lambda number: work / f"base-cache-{number}", baseline.resolve()
        )
    return chosen


def measure(runs: int, baseline: Path | None) -> tuple[dict[str, list[float]], int]:
    """Seconds per side over `runs` rounds, after one untimed round (file cache, warm cache)."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        charts = dump_specs(work / "specs.json")
        chosen = sides(work, baseline)
        for run in chosen.values():
            run(-1)
        seconds: dict[str, list[float]] = {label: [] for label in chosen}
        labels = list(chosen)
        for number in range(runs):
            for label in labels[number % len(labels) :] + labels[: number % len(labels)]:
                seconds[label].append(chosen[label](number))
    return seconds, charts


def table(seconds: dict[str, list[float]], charts: int, runs: int) -> str:
    bare = statistics.median(seconds["bare vl-convert"])
    lines = [
        f"{charts} charts x html, png, svg (+ csv, manifest, gallery for builds); median "
        f"of {runs} interleaved runs, each in a fresh process",
        "",
        "| side | median (s) | min (s) | max (s) | ratio to bare |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, times in seconds.items():
        median = statistics.median(times)
        lines.append(
            f"| {label} | {median:.2f} | {min(times):.2f} | {max(times):.2f} | {median / bare:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (each runs every side)")
    parser.add_argument("--baseline", type=Path, help="a checkout whose build to time as well")
    options = parser.parse_args()
    for checkout in (ROOT, options.baseline):
        if checkout is not None:
            compile_package(checkout)
    seconds, charts = measure(options.runs, options.baseline)
    print(table(seconds, charts, options.runs))


if __name__ == "__main__":
    main()
