"""Where the data, queries and chart outputs live.

One place resolves folders so `--data-dir` and `ANALYTICS_DATA_DIR` mean the same everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_ENV = "ANALYTICS_DATA_DIR"
QUERIES_DIR_ENV = "ANALYTICS_QUERIES_DIR"


_cli_data_dir: Path | None = None


def use_data_dir(folder: Path | None) -> None:
    """Set (or with None, clear) the folder the CLI's --data-dir chose, for this invocation."""
    global _cli_data_dir
    _cli_data_dir = folder


def data_dir(override: Path | str | None = None) -> Path:
    """The data folder: the explicit override, else --data-dir, else $ANALYTICS_DATA_DIR, else
    the project's data/."""
    chosen = override or _cli_data_dir or os.environ.get(DATA_DIR_ENV) or PROJECT_ROOT / "data"
    return Path(chosen).expanduser().resolve()


def query_dirs() -> list[Path]:
    """Folders searched for named queries: the project's queries/, then $ANALYTICS_QUERIES_DIR."""
    dirs = [PROJECT_ROOT / "queries"]
    extra = os.environ.get(QUERIES_DIR_ENV)
    if extra:
        dirs.extend(Path(p).expanduser().resolve() for p in extra.split(os.pathsep) if p)
    return dirs


def charts_dir() -> Path:
    """Default output folder for built charts."""
    return PROJECT_ROOT / "charts"
