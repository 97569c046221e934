"""The stored rows of the companies an edit touches, as DuckDB tables, changed in SQL and
committed back all or nothing.

Ingest and delete both: open a working set over their companies (only those companies' files
are read), change it set-based, derive remainders, validate, and write the changed tables. The
invariants are screened set-based (screen.py); only companies the screen flags are loaded into
Python, a batch at a time, for validate.py to word each violation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.sql.period_dates import create_period_dates
from analytics.store import derive, parquet, screen, vintages
from analytics.store.schema import PERIOD_TABLES, TABLES, VINTAGE_TABLES
from analytics.store.validate import Dataset, Violation, validate
from analytics.store.validate import warnings as validate_warnings
from analytics.store.vintages import create_state_views

if TYPE_CHECKING:
    import duckdb

#: Companies whose rows are loaded into Python at once to word their violations.
VALIDATE_BATCH = 50
#: Once this many violations are worded, the rest of the flagged companies are not loaded.
ENOUGH_VIOLATIONS = 100


class WorkingSet:
    """Tables `working_<table>` holding every stored row of `companies` (listed in
    `working_scope`)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, folder: Path, companies: Iterable[str]) -> None:
        self.connection, self.folder = connection, folder
        self.companies = sorted(set(companies))
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.scope} AS SELECT unnest($1::VARCHAR[]) AS company",
            [self.companies],
        ).fetchall()
        for name in TABLES:
            connection.execute(
                f"CREATE OR REPLACE TEMP TABLE {self.table(name)} AS "
                f"{parquet.stored_sql(folder, name, self.companies)}"
            ).fetchall()

    #: The table listing the working set's companies.
    scope = "working_scope"

    @staticmethod
    def table(name: str) -> str:
        return f"working_{name}"

    def count(self, name: str, where: str = "true") -> int:
        ((found,),) = self.connection.execute(
            f"SELECT count(*) FROM {self.table(name)} WHERE {where}"
        ).fetchall()
        return int(found)

    def delete(self, name: str, where: str) -> int:
        """Delete the rows matching `where`; returns how many went."""
        ((removed,),) = self.connection.execute(f"DELETE FROM {self.table(name)} WHERE {where}").fetchall()
        return int(removed)

    def year_end_months(self) -> str:
        """SQL of (company, year_end_month) for the working set's companies (12: December)."""
        return (
            f"SELECT s.company, year_end_month(any_value(c.fiscal_year_end)) "
            f"AS year_end_month FROM {self.scope} s LEFT JOIN {self.table('companies')} c "
            "USING (company) GROUP BY s.company"
        )

    def period_dates(self, rows_sql: str) -> str:
        """Date the labels `rows_sql` holds (columns company, period) in their companies'
        calendars, in Python (sql/period_dates.py): the temp table to join on period and
        year_end_month (`year_end_months`)."""
        return create_period_dates(
            self.connection,
            f"SELECT r.period, m.year_end_month FROM ({rows_sql}) AS r "
            f"JOIN ({self.year_end_months()}) AS m USING (company)",
        )

    def date_periods(self) -> None:
        """Date every period in its company's fiscal calendar (`companies.fiscal_year_end`,
        else the calendar year): rows arrive dated in the calendar year, and a company whose
        calendar is declared or changed has every stored period re-dated with it. A label that
        is not a period keeps its dates: validate names it."""
        dates = self.period_dates(
            " UNION ALL ".join(f"SELECT company, period FROM {self.table(name)}" for name in PERIOD_TABLES)
        )
        months = self.year_end_months()
        for name in PERIOD_TABLES:
            self.connection.execute(f"""
                UPDATE {self.table(name)} AS t
                SET period_start = d.period_start, period_end = d.period_end
                FROM ({months}) AS m, {dates} AS d
                WHERE m.company = t.company AND d.period = t.period
                  AND d.year_end_month = m.year_end_month AND d.period_kind IS NOT NULL
                  AND (t.period_start IS DISTINCT FROM d.period_start
                       OR t.period_end IS DISTINCT FROM d.period_end)
                """).fetchall()

    def derive(self) -> None:
        """Remainders, and which rows each period shows (`shown`): after any change to a figure
        table, since a new publication can change what every figure table shows."""
        derive.derive(self.connection, self.table("revenue"), self.table("reported_totals"))
        self.date_periods()
        vintages.mark_shown(self.connection, {name: self.table(name) for name in VINTAGE_TABLES})

    def violations(self, limit: int | None = ENOUGH_VIOLATIONS) -> list[Violation]:
        """Every violation (validate.py's words) in the working set; past `limit` violations
        the companies not yet checked are left (an error shows the first ones anyway)."""
        return self._worded(screen.suspects, validate, limit)

    def warnings(self, limit: int | None = ENOUGH_VIOLATIONS) -> list[Violation]:
        """validate.warnings over the working set: legitimate, but worth a look."""
        return self._worded(screen.warned, validate_warnings, limit)

    def _worded(
        self, flag: Callable[..., set[str]], word: Callable[[Dataset], list[Violation]], limit: int | None
    ) -> list[Violation]:
        """`word` over the companies `flag` finds, a batch at a time, up to `limit` results."""
        flagged = sorted(flag(self.connection, {name: self.table(name) for name in TABLES}))
        found: list[Violation] = []
        for start in range(0, len(flagged), VALIDATE_BATCH):
            if limit is not None and len(found) >= limit:
                break
            found += word(self.records(flagged[start : start + VALIDATE_BATCH]))
        return found

    def _states(self) -> dict[str, str]:
        """Table -> relation to check: the figure tables as their publication states (every
        snapshot, vintages.py), the others as they are."""
        return create_state_views(
            self.connection, {name: self.table(name) for name in TABLES}, prefix="working"
        )

    def records(self, companies: list[str]) -> Dataset:
        """The rows of `companies` as Python records (for wording violations only); the figure
        tables' as their publication states, each row with its `snapshot`."""
        return {
            name: self.connection.sql(
                f"SELECT * FROM {relation} WHERE company IN (SELECT unnest($companies::VARCHAR[]))",
                params={"companies": companies},
            )
            .to_arrow_table()
            .to_pylist()
            for name, relation in self._states().items()
        }

    def commit(self, tables: Iterable[str]) -> list[Path]:
        """Write `tables` of the working set's companies back, all or nothing."""
        from analytics.store.parquet_write import write_relations

        return write_relations(
            self.folder,
            self.connection,
            {name: f"SELECT * FROM {self.table(name)}" for name in sorted(set(tables))},
            self.companies,
        )
