"""What a query, chart set, deck or report is about must exist: the company, each partner, and
revenue in the period range. Checked before any work, so a typo is an error listing the known
names, never an empty result or a half-written output.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, UnknownNameError
from analytics.periods import parse_period
from analytics.sql.parameters import period_day, year_end_month

if TYPE_CHECKING:
    import duckdb

    from analytics.sql.session import DataSource


def check_company_and_partner(connection: duckdb.DuckDBPyConnection, bound: dict[str, Any]) -> None:
    """An unknown company or partner is an error listing the known ones, not an empty result;
    `partner` may be one name or a list of names (each is checked)."""
    company = bound.get("company")
    if company is None:
        return
    # One statement, run once (no separate bind), opening that company's files only.
    found, partners, groups = connection.execute(
        "SELECT EXISTS (FROM revenue_vintages_of($c)),"
        " coalesce(list(DISTINCT counterparty ORDER BY counterparty)"
        " FILTER (WHERE NOT is_pool), []), coalesce(list(DISTINCT counterparty_group), [])"
        " FROM counterparties_of($c)",
        {"c": company},
    ).fetchall()[0]
    if not found:
        companies = [
            r[0]
            for r in connection.execute("SELECT DISTINCT company FROM revenue_vintages ORDER BY 1").fetchall()
        ]
        raise UnknownNameError("company", company, companies)
    for partner in partner_names(bound.get("partner")):
        if partner not in partners and partner not in groups:
            raise UnknownNameError(f"partner of {company}", partner, partners)


def partner_names(partner: str | Sequence[str] | None) -> list[str]:
    """The partner names a parameter holds: one name, or several in order (empty ones out)."""
    names = [partner] if isinstance(partner, str) else list(partner or [])
    return [name for name in names if name]


def check_scope(
    company: str,
    partner: str | Sequence[str] | None = None,
    from_period: str | None = None,
    to_period: str | None = None,
    data_dir: DataSource = None,
) -> tuple[date | None, date | None]:
    """Fail before any work when the company or partner is unknown, a period label is not one,
    or the period range holds no revenue, so builds never leave part of their output behind.
    `data_dir` is a data folder or the command's open session. Returns the range as dates
    (`dated_range`), for the caller's own queries."""
    from analytics.sql.session import session

    for label in (from_period, to_period):
        period = parse_period(label) if label else None
        if label and (period is None or period.label != label):
            raise QueryError(
                f"'{label}' is not a period: use 2016Q1 (a quarter), 2016H1 "
                "(a half-year) or 2016 (a fiscal year)"
            )
    with session(data_dir) as opened:
        connection = opened.connection()
        check_company_and_partner(connection, {"company": company, "partner": partner})
        first_day, last_day = dated_range(connection, company, from_period, to_period)
        has_revenue = connection.sql(
            "SELECT count(*) FROM revenue_of($c)"
            " WHERE ($f IS NULL OR period_start >= $f) AND ($t IS NULL OR period_end <= $t)",
            params={"c": company, "f": first_day, "t": last_day},
        ).fetchall()[0][0]
    if not has_revenue:
        raise QueryError(
            f"No revenue for {company} between {from_period or 'the start'} and "
            f"{to_period or 'the end'}: the period range holds no data"
        )
    return first_day, last_day


def dated_range(
    connection: duckdb.DuckDBPyConnection, company: str, from_period: str | None, to_period: str | None
) -> tuple[date | None, date | None]:
    """The first day of `from_period` and the last of `to_period` in the company's calendar
    (None where no label is given), dated in Python as a named query's PERIOD START/END are
    (parameters.period_day), so SQL compares dates; the calendar is read only when needed."""
    if not from_period and not to_period:
        return None, None
    month = year_end_month(connection, company)
    return (
        period_day(from_period, "START", month) if from_period else None,
        period_day(to_period, "END", month) if to_period else None,
    )
