"""Installed anywhere: the package as a wheel installs it, run from folders that are not the repo,
and the project (analytics.toml) found from the working directory.

The install is offline: the wheel's contents are built from a copy of the sources (by `pip wheel`
when bdist_wheel is importable, else by setuptools' build_py, the step that collects a wheel's
packages and package data), into a fresh venv that sees this venv's dependencies through a .pth.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics import project
from analytics.project import MARKER, PROJECT_ROOT
from analytics.sql import queries

NIMBUS = Path(__file__).parent / "fixtures" / "nimbus"
SHIPPED_QUERIES = sorted(p.stem for p in (PROJECT_ROOT / "queries").glob("*.sql"))
SOURCES = ("pyproject.toml", "README.md", "analytics", "queries", "data")
SCRUBBED_ENV = (
    "ANALYTICS_DATA_DIR",
    "ANALYTICS_QUERIES_DIR",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "PYTHONSTARTUP",
)

Run = Callable[..., subprocess.CompletedProcess[str]]


def invoke(*args: str) -> object:
    """The CLI in-process, with no --data-dir: folders come from the working directory."""
    from analytics.cli.app import app

    return CliRunner().invoke(app, list(args), catch_exceptions=False)


# --- packaging configuration -------------------------------------------------------------------


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for init in (PROJECT_ROOT / "analytics").rglob("__init__.py")
    }
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
    mapped = config["tool"]["setuptools"]["package-dir"]
    assert mapped == {"analytics._bundled.queries": "queries", "analytics._bundled.data": "data"}


# --- resolution from the working directory ------------------------------------------------------


def test_outside_any_project_the_bundled_sample_and_queries_are_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(project.DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(project.QUERIES_DIR_ENV, raising=False)
    assert project.find_project() is None
    assert project.data_dir() == project.bundled_dir("data").resolve()
    assert project.query_dirs() == [project.bundled_dir("queries").resolve()]
    assert project.charts_dir() == tmp_path.resolve() / "charts"


def test_a_project_is_found_from_a_subfolder_as_git_finds_dot_git(tmp_path, monkeypatch):
    (tmp_path / MARKER).write_text("", encoding="utf-8")
    (tmp_path / "notes" / "q1").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notes" / "q1")
    monkeypatch.delenv(project.DATA_DIR_ENV, raising=False)
    root = tmp_path.resolve()
    assert project.find_project() == root
    assert project.data_dir() == root / "data"
    assert project.charts_dir() == root / "charts"
    assert project.query_dirs()[0] == root / "queries"


def test_the_data_folder_is_the_argument_then_the_environment_then_the_project(tmp_path, monkeypatch):
    (tmp_path / MARKER).write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(project.DATA_DIR_ENV, str(tmp_path / "from_env"))
    assert project.data_dir(tmp_path / "given") == tmp_path.resolve() / "given"
    assert project.data_dir() == tmp_path.resolve() / "from_env"
    monkeypatch.delenv(project.DATA_DIR_ENV)
    assert project.data_dir() == tmp_path.resolve() / "data"


def test_a_project_is_resolved_once_with_every_folder_a_command_needs(tmp_path, monkeypatch):
    (tmp_path / MARKER).write_text("", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    monkeypatch.chdir(tmp_path / "notes")
    monkeypatch.delenv(project.DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(project.QUERIES_DIR_ENV, raising=False)
    root = tmp_path.resolve()
    assert project.Project.resolve() == project.Project(
        root, root / "data", (root / "queries", project.bundled_dir("queries").resolve()), root / "charts"
    )
    assert project.Project.resolve(tmp_path / "given").data_dir == root / "given"
    outside = project.Project.resolve(start=tmp_path.parent)
    assert outside.root is None and outside.charts_dir == tmp_path.parent.resolve() / "charts"


def test_project_queries_shadow_the_environments_which_shadow_the_bundled_ones(tmp_path, monkeypatch):
    (tmp_path / MARKER).write_text("", encoding="utf-8")
    (tmp_path / "queries").mkdir()
    extra = tmp_path / "extra"
    extra.mkdir()
    shadow = "-- Shadow.\nSELECT 1 AS x\n"
    (tmp_path / "queries" / "growth.sql").write_text(shadow, encoding="utf-8")
    (extra / "growth.sql").write_text(shadow, encoding="utf-8")
    (extra / "events.sql").write_text(shadow, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(project.QUERIES_DIR_ENV, str(extra))
    found = queries.discover()
    assert found["growth"] == tmp_path.resolve() / "queries" / "growth.sql"
    assert found["events"] == extra.resolve() / "events.sql"
    assert found["concentration"].parent == project.bundled_dir("queries").resolve()


# --- analytics init -------------------------------------------------------------------------


def test_init_makes_a_project_whose_example_query_is_listed_as_valid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(project.QUERIES_DIR_ENV, raising=False)
    result = invoke("init", "p")
    assert result.exit_code == 0, result.stderr
    root = tmp_path.resolve() / "p"
    assert {p.name for p in root.iterdir()} == {MARKER, "README.md", "data", "queries", "charts"}
    assert not any((root / "data").iterdir())
    monkeypatch.chdir(root)
    listed = invoke("query", "list", "--format", "csv")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(listed.stdout))}
    assert rows["revenue_by_period"]["status"] == "ok"
    assert rows["revenue_by_period"]["file"] == str(root / "queries" / "revenue_by_period.sql")
    assert set(SHIPPED_QUERIES) <= set(rows)


def test_init_sample_copies_the_weibo_tables_into_the_projects_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "p", "--sample").exit_code == 0
    bundled = project.bundled_dir("data")
    copied = sorted(
        p.relative_to(tmp_path / "p" / "data") for p in (tmp_path / "p" / "data").rglob("*.parquet")
    )
    assert copied == sorted(p.relative_to(bundled) for p in bundled.glob("*/company=*/*.parquet"))
    monkeypatch.chdir(tmp_path / "p")
    assert invoke("validate").exit_code == 0


def test_init_refuses_a_folder_that_holds_a_project_and_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "p").exit_code == 0
    example = tmp_path / "p" / "queries" / "revenue_by_period.sql"
    example.write_text("-- Mine.\nSELECT 1 AS x\n", encoding="utf-8")
    result = invoke("init", "p")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "already has analytics.toml" in result.stderr
    assert example.read_text(encoding="utf-8") == "-- Mine.\nSELECT 1 AS x\n"


# --- the installed package, from folders that are not the repo ------------------------------


def can_build_wheels() -> bool:
    """Whether setuptools here can make a wheel offline (its own bdist_wheel from 70.1, or the
    `wheel` package's)."""
    if importlib.util.find_spec("wheel") is not None:
        return True
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    return tuple(int(part) for part in version.split(".")[:2]) >= (70, 1)


def build_package_into(site_packages: Path, workspace: Path) -> None:
    """Install what the wheel holds into `site_packages`, built from a copy of the sources so
    the repo gets no build/ or egg-info."""
    source = workspace / "source"
    for name in SOURCES:
        origin = PROJECT_ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".lock", "*.tmp", ".analytics-*"),
            )
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    if can_build_wheels():
        wheels = workspace / "wheels"
        run_checked(
            [
                *pip,
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
                "-w",
                str(wheels),
                str(source),
            ],
            workspace,
        )
        run_checked(
            [
                *pip,
                "install",
                "--no-deps",
                "--no-index",
                "--target",
                str(site_packages),
                *map(str, wheels.glob("analytics-*.whl")),
            ],
            workspace,
        )
    else:
        run_checked(
            [
                sys.executable,
                "-c",
                "import setuptools; setuptools.setup()",
                "-q",
                "build_py",
                "--build-lib",
                str(site_packages),
            ],
            source,
        )


def run_checked(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def fresh_venv(folder: Path) -> tuple[Path, Path]:
    """A venv without pip whose only extra path is this venv's site-packages (the dependencies):
    (its python, its site-packages)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    found = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    site_packages = Path(found.stdout.strip())
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n", encoding="utf-8")
    return python, site_packages


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """`run(*args, cwd=...)` runs the installed `analytics`; with the installed bundle folder."""
    workspace = tmp_path_factory.mktemp("install")
    python, site_packages = fresh_venv(workspace / "venv")
    build_package_into(site_packages, workspace)
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV} | {"COLUMNS": "200"}

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-m", "analytics", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run, (site_packages / "analytics" / "_bundled").resolve()


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_the_installed_package_lists_and_runs_the_bundled_queries_from_anywhere(installed, tmp_path):
    run, bundle = installed
    listed = run("query", "list", "--format", "csv", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert sorted(row["name"] for row in rows) == SHIPPED_QUERIES
    assert {row["status"] for row in rows} == {"ok"}
    assert all(Path(row["file"]).parent == bundle / "queries" for row in rows)
    dependence = run("query", "run", "partner_dependence", "--format", "csv", cwd=tmp_path)
    assert dependence.returncode == 0, dependence.stderr
    by_period = {r["period"]: r for r in csv.DictReader(io.StringIO(dependence.stdout))}
    assert float(by_period["2016Q2"]["share_of_total"]) == pytest.approx(0.0871, abs=5e-5)
    assert float(by_period["2016Q1"]["share_of_total"]) == pytest.approx(0.0930, abs=5e-5)


@pytest.mark.slow
def test_the_installed_sample_is_read_only_with_a_hint_to_init(installed, tmp_path):
    run, bundle = installed
    before = files_under(bundle)
    for args in (
        ["ingest", str(NIMBUS / "counterparties.csv"), "--table", "counterparties"],
        ["delete", "--company", "Weibo", "--table", "events"],
    ):
        refused = run(*args, cwd=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert refused.stdout == ""
        assert "read-only" in refused.stderr
        assert "analytics init DIR" in refused.stderr
    assert files_under(bundle) == before


@pytest.mark.slow
def test_an_initialised_project_takes_ingests_queries_and_charts(installed, tmp_path):
    run, bundle = installed
    before = files_under(bundle)
    assert run("init", "p", cwd=tmp_path).returncode == 0
    root = tmp_path / "p"
    for table in ("counterparties", "revenue"):
        ingested = run("ingest", str(NIMBUS / f"{table}.csv"), "--table", table, cwd=root)
        assert ingested.returncode == 0, ingested.stderr
    assert (root / "data" / "revenue" / "company=Nimbus%20Cloud" / "data.parquet").is_file()
    example = run(
        "query",
        "run",
        "revenue_by_period",
        "-p",
        "company=Nimbus Cloud",
        "--format",
        "csv",
        cwd=root / "queries",
    )
    assert example.returncode == 0, example.stderr
    first = next(csv.DictReader(io.StringIO(example.stdout)))
    assert (first["period"], first["revenue"]) == ("2019Q1", "520400000.00")
    built = run(
        "charts",
        "build",
        "partner_dependence",
        "--company",
        "Nimbus Cloud",
        "--partner",
        "Nimbus Group",
        "--format",
        "csv",
        cwd=root,
    )
    assert built.returncode == 0, built.stderr
    assert Path(built.stdout.splitlines()[0]) == root.resolve() / "charts" / "partner_dependence.csv"
    assert (root / "charts" / "partner_dependence.csv").is_file()
    assert files_under(bundle) == before
