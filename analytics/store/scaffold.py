"""`analytics init`: a new project folder, written in one all-or-nothing commit.

A project is what the installed package needs to be writable: `analytics.toml` marks it, its
`data/` is the system of record, its `queries/` shadow the bundled ones, `charts/` takes builds.
"""

from __future__ import annotations

from pathlib import Path

from analytics.errors import InputError, Location
from analytics.project import MARKER, bundled_dir
from analytics.store import commit

EXAMPLE_QUERY_NAME = "revenue_by_period"
FOLDERS = ("data", "queries", "charts")

MARKER_TEXT = """\
# Marks this folder as an analytics project: commands run in it (or below it) use its data/,
# queries/ and charts/, as git finds .git. Its content is not read.
"""

README_TEXT = """\
# {name}

An `analytics` project: every `analytics` command run in this folder or below it uses it
(found by `analytics.toml`, as git finds `.git`).

| | |
|---|---|
| `analytics.toml` | marks the project |
| `data/` | the system of record (Parquet): `analytics ingest` writes here |
| `queries/` | your named queries; one here shadows a bundled query of the same name |
| `charts/` | `analytics charts build` writes here |

Start with `queries/{example}.sql`, then:

```bash
analytics ingest my_revenue.csv
analytics query run {example} --param company="My Company"
analytics charts build --company "My Company" --partner "My Partner"
```
"""

EXAMPLE_QUERY = """\
-- Total revenue per period for one company, and how many stored figures make it up: an example to copy.
-- @param company VARCHAR  -- company to analyse (required: it has no default)
-- @param period_kind VARCHAR = 'quarter' in (quarter, half, year)  -- quarter, half or year
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2016Q1 (bound as its first day)

-- How a named query works (the header above ends at the first line that is not a comment):
-- * its leading comment lines are its contract: a description, then one line per parameter,
--   `@param name TYPE = default in (allowed, values)  -- meaning`, TYPE one of
--   {types};
-- * a value reaches DuckDB bound as `$name`, never pasted into the SQL;
-- * every table is a view (`analytics tables` lists them), with helper macros such as
--   major_customer_share(); a PERIOD START (END) parameter is bound as the first (last) day of
--   the period, in the company's fiscal calendar, so SQL compares dates; run this with
--   `analytics query run {name} --param company="My Company"`.
SELECT company, period, period_kind, period_start, period_end, currency,
       sum(amount) AS revenue,
       count(*) AS figures
FROM revenue
WHERE company = $company AND period_kind = $period_kind
  AND ($from_period IS NULL OR period_start >= $from_period)
GROUP BY ALL
ORDER BY period_start
"""


def init_project(folder: Path, sample: bool = False) -> list[Path]:
    """Scaffold a project in `folder` (new, empty, or without any of the paths it would make);
    with `sample`, data/ starts as a copy of the bundled Weibo tables. Returns the written files.
    """
    root = Path(folder).expanduser().resolve()
    _refuse_existing(root)
    contents = {
        root / MARKER: MARKER_TEXT,
        root / "README.md": README_TEXT.format(name=root.name, example=EXAMPLE_QUERY_NAME),
        root / "queries" / f"{EXAMPLE_QUERY_NAME}.sql": example_query(),
    }
    files = {path: text.encode("utf-8") for path, text in contents.items()}
    if sample:
        files |= _sample_tables(root / "data")
    written = commit.commit_bytes(files)
    for name in FOLDERS:
        (root / name).mkdir(exist_ok=True)
    return written


def example_query() -> str:
    """The commented example query, naming the parameter types the header accepts."""
    from analytics.sql.queries import TYPES

    return EXAMPLE_QUERY.format(name=EXAMPLE_QUERY_NAME, types=", ".join(TYPES))


def _refuse_existing(root: Path) -> None:
    """Nothing of a project may be there already: init never overwrites or merges."""
    if root.exists() and not root.is_dir():
        raise InputError("is a file: give a folder for the new project", Location(root))
    in_the_way = [name for name in (MARKER, "README.md") if (root / name).exists()]
    in_the_way += [
        name + "/"
        for name in FOLDERS
        if (root / name).exists() and (not (root / name).is_dir() or any((root / name).iterdir()))
    ]
    if in_the_way:
        raise InputError(
            f"already has {', '.join(in_the_way)}: init makes a new project and "
            "never overwrites one; choose a new or empty folder",
            Location(root),
        )


def _sample_tables(target: Path) -> dict[Path, bytes]:
    """The bundled Weibo tables (their partition files, not their sources), under `target`."""
    from analytics.store.parquet import PARTITION_FILE, PARTITION_PREFIX

    sample = bundled_dir("data")
    return {
        target / path.relative_to(sample): path.read_bytes()
        for path in sorted(sample.glob(f"*/{PARTITION_PREFIX}*/{PARTITION_FILE}"))
    }
