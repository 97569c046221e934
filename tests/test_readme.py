"""The README is tested: its CLI examples run, and its schema names every column."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from analytics.project import PROJECT_ROOT
from analytics.store.schema import TABLES

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def cli_examples() -> list[str]:
    """Every `analytics ...` line of the README's CLI block, except placeholders (my_*)."""
    block = README.split("## The CLI", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith("analytics ") and "my_" not in line]


def test_the_readme_shows_at_least_ten_runnable_cli_examples() -> None:
    assert len(cli_examples()) >= 10


@pytest.mark.parametrize("line", cli_examples())
def test_each_readme_cli_example_runs(line: str, cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    command, _, redirect = line.partition(" > ")
    args = shlex.split(command)[1:]
    if args[:2] == ["charts", "build"] and "--out" not in args:
        args += ["--out", str(tmp_path / "charts")]  # never overwrite the user's charts/
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    if redirect:
        (tmp_path / redirect.strip()).write_text(result.stdout, encoding="utf-8")
        assert result.stdout.strip()


@pytest.mark.parametrize("table", sorted(TABLES))
def test_the_readme_documents_every_column_of_every_table(table: str) -> None:
    section = README.split(f"### `{table}`", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))
    assert documented == set(TABLES[table].column_names)


def test_the_readme_table_documentation_is_generated_from_the_schema() -> None:
    """Stale when schema.py changed without `python -m analytics.store.schema_docs`."""
    from analytics.store.schema_docs import with_tables

    assert with_tables(README) == README, "run `python -m analytics.store.schema_docs`"
