"""The README's table documentation, generated from schema.py so the two cannot drift apart.

`python -m analytics.store.schema_docs` rewrites the block between the markers in README.md; a test
fails when the README is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analytics.project import PROJECT_ROOT
from analytics.store.schema import TABLES
from analytics.store.schema_model import Table

BEGIN = "<!-- tables: generated from analytics/store/schema.py by `python -m analytics.store.schema_docs` -->"
END = "<!-- end of generated tables -->"


def table_markdown(table: Table) -> str:
    """One table's section: heading, description and grain, and its columns."""
    grain = ", ".join(f"`{name}`" for name in table.grain)
    rows = "\n".join(f"| `{c.name}` | {c.sql_type} | {c.description} |" for c in table.columns)
    return (
        f"### `{table.name}`\n\n{table.description} Grain: {grain}.\n\n"
        f"| column | type | meaning |\n|---|---|---|\n{rows}\n"
    )


def tables_markdown() -> str:
    return "\n".join(table_markdown(table) for table in TABLES.values())


def with_tables(readme: str) -> str:
    """`readme` with the generated block replaced by the current schema's."""
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{tables_markdown()}\n{END}{tail}"


def main(path: Path = PROJECT_ROOT / "README.md") -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(with_tables(text), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "README.md")
