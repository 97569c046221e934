"""Where the data, queries and chart outputs live: a `Project`, resolved once and passed down.

A project is a folder holding `analytics.toml` (looked up from the working directory, as git
finds `.git`). The named queries and the Weibo sample ship inside the package
(`analytics/_bundled/`, mapped from the repository's top-level `queries/` and `data/` by
pyproject.toml) and are read through importlib.resources; the installed copy is read-only.
The CLI resolves one `Project` at its edge and hands it to every command (as sqlite-utils hands
a `Database`); library functions given no folder resolve one from the environment the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MARKER = "analytics.toml"
DATA_DIR_ENV = "ANALYTICS_DATA_DIR"
QUERIES_DIR_ENV = "ANALYTICS_QUERIES_DIR"
#: The folder holding the package: the repository in a checkout (used by the tests and by
#: `python -m analytics.weibo.seed`); in an installed package, site-packages, which nothing reads.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_BUNDLED = "_bundled"


@dataclass(frozen=True)
class Project:
    """The folders one command works with: `root` (the folder holding analytics.toml, None
    outside any project), the data folder, the query folders (the first holding a name wins)
    and the default output folder for charts."""

    root: Path | None
    data_dir: Path
    query_dirs: tuple[Path, ...]
    charts_dir: Path

    @classmethod
    def resolve(cls, data_dir: Path | str | None = None, start: Path | None = None) -> Project:
        """The project seen from `start` (default: the working directory): the data folder is
        `data_dir`, else $ANALYTICS_DATA_DIR, else the project's data/, else the bundled
        Weibo sample (read-only when installed)."""
        root = find_project(start)
        return cls(
            root,
            _data_dir(data_dir, root),
            tuple(_query_dirs(root)),
            (root or Path(start or Path.cwd()).resolve()) / "charts",
        )


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the working directory) holding
    analytics.toml; None outside any project."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def installed_bundle() -> Path | None:
    """The package's `_bundled/` folder (queries and the Weibo sample) in an installed wheel;
    None when the package runs from a checkout, whose top-level folders are the bundle."""
    from importlib import resources

    bundle = Path(str(resources.files("analytics"))) / _BUNDLED
    return bundle if bundle.is_dir() else None


def bundled_dir(name: str) -> Path:
    """A folder that ships with the package, `queries` or `data` (the Weibo sample)."""
    bundle = installed_bundle()
    return bundle / name if bundle is not None else PROJECT_ROOT / name


def is_bundled(folder: Path | str) -> bool:
    """Whether `folder` lies inside the installed package's bundle (read-only)."""
    bundle = installed_bundle()
    return bundle is not None and Path(folder).resolve().is_relative_to(bundle.resolve())


def data_dir(override: Path | str | None = None) -> Path:
    """The data folder: the explicit override, else $ANALYTICS_DATA_DIR, else the project's
    data/, else the bundled Weibo sample (read-only when installed)."""
    chosen = override or os.environ.get(DATA_DIR_ENV)
    return _data_dir(chosen, None if chosen else find_project())  # no lookup when not needed


def _data_dir(override: Path | str | None, root: Path | None) -> Path:
    chosen = override or os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return (root / "data" if root is not None else bundled_dir("data")).resolve()


def query_dirs() -> list[Path]:
    """Folders searched for named queries, the first holding a name wins: the project's
    queries/, then $ANALYTICS_QUERIES_DIR (os.pathsep-separated), then the bundled ones."""
    return _query_dirs(find_project())


def _query_dirs(root: Path | None) -> list[Path]:
    dirs = [root / "queries"] if root is not None else []
    extra = os.environ.get(QUERIES_DIR_ENV)
    if extra:
        dirs.extend(Path(p).expanduser() for p in extra.split(os.pathsep) if p)
    dirs.append(bundled_dir("queries"))
    return list(dict.fromkeys(folder.resolve() for folder in dirs))  # a checkout's repeat goes


def charts_dir() -> Path:
    """Default output folder for built charts: the project's charts/, else charts/ in the
    working directory; never inside the installed package."""
    return (find_project() or Path.cwd()) / "charts"


def check_writable(folder: Path) -> None:
    """Refuse (exit 2) to write into the installed package's bundle: the Weibo sample there is
    read-only, so an installed package never changes under its users."""
    from analytics.errors import InputError

    if is_bundled(folder):
        raise InputError(
            f"{folder} is the bundled Weibo sample, which is read-only: run "
            "`analytics init DIR` to make a project of your own (with --sample for "
            "a copy of the Weibo data), then work in DIR or pass --data-dir DIR/data"
        )
