"""`analytics init DIR`: scaffold a project (analytics.toml, data/, queries/, charts/, README)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def init(
    folder: Annotated[Path, typer.Argument(help="New or empty folder for the project")],
    sample: Annotated[
        bool,
        typer.Option("--sample", help="Start data/ as a copy of the bundled Weibo tables, to edit or extend"),
    ] = False,
) -> None:
    """Make a project: analytics.toml, data/, queries/ with a commented example query, charts/
    and a README; commands run in it (or below it) use its folders. data/ starts empty, since a
    project holds your own companies' figures and the bundled Weibo sample stays readable outside
    any project; --sample copies the Weibo tables in to change them. Never overwrites a project.
    """
    from analytics.cli.output import message
    from analytics.store.scaffold import init_project

    for path in init_project(folder, sample=sample):
        typer.echo(str(path))
    message(f"Project ready in {folder}: cd into it, then `analytics ingest FILE`")
