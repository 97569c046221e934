"""Publications of a figure: the state of a company's figures as of each of its publications.

A figure may be published more than once: restated on another basis (continuing operations
after a divestiture, a new accounting standard) or corrected on the same one. Every publication
is stored (its `basis` and `reported_on`). Remainders and the accounting checks work on one
consistent state at a time: per company, basis and fiscal year (remainders never reach past a
fiscal year), one state per date something of that year was published (a "snapshot"), holding
per line the latest figure published by that date, and the remainders derived from those
figures (stamped with the snapshot's date). Queries pick a state the same
way (views.sql): the basis a period shows and the latest snapshot as of a date.

An unknown publication date counts as the oldest: in SQL it is UNKNOWN_DATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.sql.sandbox import sql_literal
from analytics.store.schema import TABLES

if TYPE_CHECKING:
    import duckdb

#: The publication date an unknown one counts as: the oldest.
UNKNOWN = date(1, 1, 1)
UNKNOWN_DATE = f"DATE '{UNKNOWN.isoformat()}'"
#: The SQL macro giving a figure's publication date for ordering (unknown: the oldest).
PUBLISHED_ON_MACRO = f"CREATE MACRO published_on(reported_on) AS coalesce(reported_on, {UNKNOWN_DATE})"
#: The fiscal year a period label belongs to (`2016Q3` -> `2016`).
FISCAL_YEAR_MACRO = "CREATE MACRO fiscal_year_of(period) AS left(period, 4)"
#: Per figure table, what one line of it is (its grain without company, period and vintage).
LINES = {
    "revenue": ("stream", "counterparty"),
    "reported_totals": ("stream",),
    "disclosed_shares": ("partner", "share_of"),
}
#: The tables whose rows remainders are derived from and checked against.
STATE_TABLES = {name: LINES[name] for name in ("revenue", "reported_totals")}


def snapshots_sql(revenue: str, totals: str) -> str:
    """Every (company, basis, fiscal_year, snapshot): the publication dates of read figures,
    per basis and fiscal year (remainders never reach past a fiscal year: a quarter's total
    from its year, a stream's rest within a period)."""
    return (
        "SELECT DISTINCT company, basis, fiscal_year_of(period) AS fiscal_year, "
        "published_on(reported_on) AS snapshot "
        f"FROM (SELECT company, basis, period, reported_on FROM {revenue} "
        "WHERE NOT derived_by_tool(derivation) "
        f"UNION ALL SELECT company, basis, period, reported_on FROM {totals} "
        "WHERE NOT derived_by_tool(derivation))"
    )


def state_sql(name: str, relations: dict[str, str]) -> str:
    """The rows of table `name` in every snapshot, with a column `snapshot`: per line the
    latest figure read by the snapshot's date (two of the same date both stay, so a duplicate
    shows), and the remainders derived at that snapshot."""
    table, line = relations[name], STATE_TABLES[name]
    keys = ", ".join(f"r.{c}" for c in ("company", "basis", "period", *line))
    columns = ", ".join(f"r.{c}" for c in TABLES[name].column_names)
    snapshots = snapshots_sql(relations["revenue"], relations["reported_totals"])
    published = "published_on(r.reported_on)"
    return f"""
        WITH snapshots AS ({snapshots})
        SELECT {columns}, s.snapshot FROM {table} r
        JOIN snapshots s ON s.company = r.company AND s.basis = r.basis
                        AND s.fiscal_year = fiscal_year_of(r.period)
                        AND {published} <= s.snapshot
        WHERE NOT derived_by_tool(r.derivation)
        QUALIFY rank() OVER (PARTITION BY {keys}, s.snapshot ORDER BY {published} DESC) = 1
        UNION ALL
        SELECT {columns}, {published} AS snapshot FROM {table} r
        WHERE derived_by_tool(r.derivation)"""


def chosen_sql(relations: dict[str, str], basis: str = "NULL", as_of: str = "NULL") -> str:
    """The one definition of what a period shows: the keys (table_name, company, period,
    basis, line, reported_on) of the figure rows of `relations` (table -> relation of stored
    rows) that count.

    One basis per period: `basis` (SQL) when not NULL, else the basis of the period's most
    recent publication of its total revenue (without a total, of its most recent figure; a
    figure read beats a remainder; ties go to the basis name last in order). Only what was
    published by `as_of` counts (unknown dates always do). Per basis and line the latest
    publication wins; remainders count from the latest snapshot of their basis and fiscal year
    (derive.py stamps them with its date).
    """
    keys = _figure_keys_sql(relations)
    return f"""
WITH figures AS MATERIALIZED (
    SELECT *, published_on(reported_on) AS published,
           derived_by_tool(derivation) AS remainder
    FROM ({keys})
    WHERE {as_of} IS NULL OR derived_by_tool(derivation) OR published_on(reported_on) <= {as_of}
),
snapshots AS (
    SELECT company, basis, fiscal_year_of(period) AS fiscal_year, max(published) AS snapshot
    FROM figures WHERE table_name <> 'disclosed_shares' AND NOT remainder GROUP BY ALL
),
counting AS (
    SELECT f.* FROM figures f
    LEFT JOIN snapshots s ON s.company = f.company AND s.basis = f.basis
                         AND s.fiscal_year = fiscal_year_of(f.period)
    WHERE NOT f.remainder OR f.published = s.snapshot
    QUALIFY f.remainder OR rank() OVER (PARTITION BY f.table_name, f.company, f.period,
                                                     f.basis, f.line
                                        ORDER BY f.published DESC) = 1
),
period_bases AS (
    SELECT company, period,
           coalesce({basis}, arg_max(basis, struct_pack(read := NOT remainder,
                                                        total := is_total,
                                                        published := published,
                                                        basis := basis))) AS basis
    FROM counting GROUP BY company, period
)
SELECT c.table_name, c.company, c.period, c.basis, c.line, c.reported_on FROM counting c
JOIN period_bases b ON b.company = c.company AND b.period = c.period AND b.basis = c.basis"""


def _figure_keys_sql(relations: dict[str, str]) -> str:
    """Every figure row of `relations` as one shape (table, keys, its line as a list, whether
    it is a total revenue), so `chosen_sql` ranks the three figure tables in one query."""
    parts = []
    for name, line in LINES.items():
        derivation = "derivation" if "derivation" in TABLES[name].column_names else "NULL"
        parts.append(
            f"SELECT '{name}' AS table_name, company, period, basis, reported_on, "
            f"[{', '.join(line)}] AS line, {derivation} AS derivation, "
            f"{'stream = ' + repr('total') if name == 'reported_totals' else 'false'}"
            f" AS is_total FROM {relations[name]}"
        )
    return "\n    UNION ALL ".join(parts)


#: The named-query parameters that choose the publications a session sees (not SQL values).
PARAMETERS = ("basis", "as_of")


@dataclass(frozen=True)
class Vintage:
    """Which publications a session shows: a basis for every period (None: each period's
    latest), and figures published by a date only (None: everything)."""

    basis: str | None = None
    as_of: date | None = None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Vintage:
        return cls(params.get("basis"), params.get("as_of"))

    @property
    def is_default(self) -> bool:
        return self.basis is None and self.as_of is None

    def describe(self) -> str:
        """`basis ASC 605, as published by 2016-06-30`, or '' by default."""
        return ", ".join(
            [
                *([f"basis {self.basis}"] if self.basis else []),
                *([f"as published by {self.as_of}"] if self.as_of else []),
            ]
        )


def _view_columns(name: str) -> str:
    return ", ".join(f"r.{c}" for c in TABLES[name].view_column_names)


def table_macros(vintage: Vintage) -> list[str]:
    """`<table>_of(which_company)` for the figure tables: what each period shows in a session
    of `vintage`. By default the rows ingest marked `shown` (one read of the stored file);
    otherwise chosen afresh by chosen_sql."""
    if vintage.is_default:
        return [
            f"CREATE MACRO {name}_of(which_company) AS TABLE SELECT {_view_columns(name)} "
            f"FROM {name}_vintages_of(which_company) r WHERE shown"
            for name in LINES
        ]
    relations = {name: f"{name}_vintages_of(which_company)" for name in LINES}
    basis = "NULL" if vintage.basis is None else sql_literal(vintage.basis)
    as_of = "NULL" if vintage.as_of is None else f"DATE '{vintage.as_of.isoformat()}'"
    macros = [f"CREATE MACRO chosen_figures(which_company) AS TABLE {chosen_sql(relations, basis, as_of)}"]
    for name, line in LINES.items():
        columns = ", ".join(f"r.{c}" for c in line)
        macros.append(f"""
            CREATE MACRO {name}_of(which_company) AS TABLE
            SELECT {_view_columns(name)} FROM {name}_vintages_of(which_company) r
            SEMI JOIN (FROM chosen_figures(which_company) WHERE table_name = '{name}') c
              ON c.company = r.company AND c.period = r.period AND c.basis = r.basis
             AND c.line = [{columns}] AND c.reported_on IS NOT DISTINCT FROM r.reported_on""")
    return macros


def mark_shown(connection: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> None:
    """Set `shown` in the working tables `tables` (table -> relation): what each period shows
    by default, by chosen_sql. A fiscal year of a company with one basis and one publication
    date throughout shows every row (rows arrive shown): only the other years (few) go through
    the choice, so a universe of companies publishing once costs one aggregate."""
    keys = " UNION ALL ".join(
        f"SELECT company, period, basis, reported_on FROM {relation}" for relation in tables.values()
    )
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE republished_years AS
        SELECT company, fiscal_year_of(period) AS fiscal_year FROM ({keys}) GROUP BY ALL
        HAVING count(DISTINCT basis) > 1 OR count(DISTINCT published_on(reported_on)) > 1
        """).fetchall()
    restricted = {
        name: f"(SELECT r.* FROM {relation} r SEMI JOIN republished_years y "
        "ON y.company = r.company AND y.fiscal_year = fiscal_year_of(r.period))"
        for name, relation in tables.items()
    }
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE chosen_by_default AS {chosen_sql(restricted)}"
    ).fetchall()
    for name, relation in tables.items():
        line = ", ".join(f"{relation}.{c}" for c in LINES[name])
        # Hidden before: shown again unless chosen below; then the republished years' rows
        # are hidden, and their chosen ones shown.
        connection.execute(f"UPDATE {relation} SET shown = true WHERE NOT shown").fetchall()
        connection.execute(f"""
            UPDATE {relation} SET shown = false FROM republished_years y
            WHERE y.company = {relation}.company
              AND y.fiscal_year = fiscal_year_of({relation}.period)""").fetchall()
        connection.execute(f"""
            UPDATE {relation} SET shown = true FROM chosen_by_default c
            WHERE c.table_name = '{name}' AND c.company = {relation}.company
              AND c.period = {relation}.period AND c.basis = {relation}.basis
              AND c.line = [{line}]
              AND c.reported_on IS NOT DISTINCT FROM {relation}.reported_on""").fetchall()
    connection.execute("DROP TABLE chosen_by_default").fetchall()
    connection.execute("DROP TABLE republished_years").fetchall()


def create_state_views(
    connection: duckdb.DuckDBPyConnection, relations: dict[str, str], prefix: str
) -> dict[str, str]:
    """Temp views `<prefix>_<table>_state` over `relations` (table -> relation of its stored
    rows); returns `relations` with the state tables replaced by their views. When no company
    has two publication dates in one basis and fiscal year (the common case), every row is its
    own state and the view skips the ranking."""
    snapshots = snapshots_sql(relations["revenue"], relations["reported_totals"])
    republished = connection.execute(
        f"SELECT 1 FROM ({snapshots}) GROUP BY company, basis, fiscal_year HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    states = dict(relations)
    for name in STATE_TABLES:
        view = f"{prefix}_{name}_state"
        state = (
            state_sql(name, relations)
            if republished
            else f"SELECT *, published_on(reported_on) AS snapshot FROM {relations[name]}"
        )
        connection.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {state}").fetchall()
        states[name] = view
    return states
