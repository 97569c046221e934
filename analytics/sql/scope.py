"""What a query, chart set, deck or report is about must exist: the company, each partner, and
revenue in the period range. Checked before any work, so a typo is an error listing the known
names, never an empty result or a half-written output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, UnknownNameError
from analytics.periods import parse_period

if TYPE_CHECKING:
    import duckdb

    from analytics.sql.session import DataSource


def check_company_and_partner(connection: duckdb.DuckDBPyConnection,
                              bound: dict[str, Any]) -> None:
    """An unknown company or partner is an error listing the known ones, not an empty result;
    `partner` may be one name or a list of names (each is checked)."""
    company = bound.get("company")
    if company is None:
        return
    found = connection.sql("SELECT 1 FROM revenue_vintages_of($c) LIMIT 1",
                           params={"c": company}).fetchall()  # opens that company's file only
    if not found:
        companies = [r[0] for r in connection.sql(
            "SELECT DISTINCT company FROM revenue_vintages ORDER BY 1").fetchall()]
        raise UnknownNameError("company", company, companies)
    names = partner_names(bound.get("partner"))
    if not names:
        return
    partners, groups = connection.sql(  # one pass over the company's file for both lists
        "SELECT coalesce(list(DISTINCT counterparty ORDER BY counterparty)"
        " FILTER (WHERE NOT is_pool), []), coalesce(list(DISTINCT counterparty_group), [])"
        " FROM counterparties_of($c)", params={"c": company}).fetchall()[0]
    for partner in names:
        if partner not in partners and partner not in groups:
            raise UnknownNameError(f"partner of {company}", partner, partners)


def partner_names(partner: str | Sequence[str] | None) -> list[str]:
    """The partner names a parameter holds: one name, or several in order (empty ones out)."""
    names = [partner] if isinstance(partner, str) else list(partner or [])
    return [name for name in names if name]


def check_scope(company: str, partner: str | Sequence[str] | None = None,
                from_period: str | None = None, to_period: str | None = None,
                data_dir: DataSource = None) -> None:
    """Fail before any work when the company or partner is unknown, a period label is not one,
    or the period range holds no revenue, so builds never leave part of their output behind.
    `data_dir` is a data folder or the command's open session."""
    from analytics.sql.session import session

    for label in (from_period, to_period):
        period = parse_period(label) if label else None
        if label and (period is None or period.label != label):
            raise QueryError(f"'{label}' is not a period: use 2016Q1 (a quarter), 2016H1 "
                             "(a half-year) or 2016 (a fiscal year)")
    with session(data_dir) as opened:
        connection = opened.connection()
        check_company_and_partner(connection, {"company": company, "partner": partner})
        has_revenue = connection.sql(
            "SELECT count(*) FROM revenue_of($c)"
            " WHERE ($f IS NULL OR period_start >= period_start_of($f, $c))"
            " AND ($t IS NULL OR period_end <= period_end_of($t, $c))",
            params={"c": company, "f": from_period, "t": to_period}).fetchall()[0][0]
    if not has_revenue:
        raise QueryError(f"No revenue for {company} between {from_period or 'the start'} and "
                         f"{to_period or 'the end'}: the period range holds no data")
