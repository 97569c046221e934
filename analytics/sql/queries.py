"""Named queries: queries/*.sql, each with a header that is its contract.

Header format (leading `--` comment lines):

    -- The partner's share of total revenue per period.
    -- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
    -- @param top_n INTEGER = 1
    -- @param partner VARCHAR[] = DEFAULT_PARTNER  -- a list; one name is a list of one
    -- @param from_period PERIOD START = NULL  -- first period shown: bound as its first day
    -- @param to_period PERIOD END = NULL  -- last period shown: bound as its last day

Parameters reach DuckDB as `$name` bindings, never pasted into the SQL. A default is a literal,
NULL, or the name of a shipped default in analytics/defaults.py (`DEFAULT_COMPANY`), so the
Weibo/Alibaba defaults are written once. A `PERIOD START` or `PERIOD END` parameter takes a
period label (`2016Q1`, `2016H1`, `2016`) and binds a DATE, its first or last day in the fiscal
calendar of the query's `company` (calendar years without one), so SQL compares dates
(`period_start >= $from_period`) and never parses a label. A plain `PERIOD` binds the label
itself, as text, for SQL written before (`period_start_of($from_period, $company)`, which
looks the label up in `period_calendar`, periods.py's dates rendered as SQL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.errors import QueryError, UnknownNameError
from analytics.project import query_dirs
from analytics.sql.parameters import TYPES, Parameter, default_value, year_end_month
from analytics.store.vintages import PARAMETERS

if TYPE_CHECKING:
    import duckdb

_PARAM = re.compile(
    r"^@param\s+(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+(?:\[\]|\s+START|\s+END)?)"
    r"(?:\s*=\s*(?P<default>'(?:[^']|'')*'|[^\s(]+?))?"
    r"(?:\s+in\s*\((?P<allowed>[^)]*)\))?(?:\s+--\s*(?P<doc>.*))?\s*$"
)
_PLACEHOLDER = re.compile(r"\$([a-z_][a-z0-9_]*)")
__all__ = ["TYPES", "NamedQuery", "Parameter", "discover", "load", "parse_checked", "parse_query_file"]


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    description: str
    parameters: tuple[Parameter, ...]
    sql: str

    def sql_params(
        self, bound: dict[str, Any], connection: duckdb.DuckDBPyConnection | None = None
    ) -> dict[str, Any]:
        """The bound values the SQL takes: `basis` and `as_of` choose the session's
        publications (vintages.PARAMETERS) and are bound only where the SQL names them; a
        `PERIOD START`/`END` label becomes its day in the calendar of the bound `company`,
        read on `connection`, the session the query runs on (the one place labels are dated)."""
        used = _used_parameters(self.sql)
        params = {name: value for name, value in bound.items() if name not in PARAMETERS or name in used}
        dated = [p for p in self.parameters if p.day and params.get(p.name) is not None]
        if not dated:
            return params
        if connection is None:
            raise TypeError(
                f"query '{self.name}': dating {', '.join(p.name for p in dated)} "
                "needs the session (sql_params(bound, connection))"
            )
        month = year_end_month(connection, bound.get("company"))
        return params | {p.name: p.dated(params[p.name], month) for p in dated}

    def sql_with_variables(self) -> str:
        """The SQL with each `$name` read from the DuckDB variable `name`, else its header
        default, for a database file opened without this tool (`SET VARIABLE from_period =
        '2016Q1'`). No Python runs there, so a `PERIOD START`/`END` variable holds a label that
        `period_start_of`/`period_end_of` look up in the company's calendar: the view
        `period_calendar`, periods.py's dates rendered as SQL (sql/period_dates.py)."""
        params = {p.name: p for p in self.parameters}

        def variable(name: str) -> str:
            return f"coalesce(getvariable('{name}'), {params[name].default_literal})"

        def placeholder(match: re.Match[str]) -> str:
            param = params[match[1]]
            if param.day is None:
                return variable(param.name)
            company = f", {variable('company')}" if "company" in params else ""
            return f"period_{param.day.lower()}_of({variable(param.name)}{company})"

        body = "\n".join(line for line in self.sql.splitlines() if not line.startswith("--"))
        return _PLACEHOLDER.sub(placeholder, body.strip().rstrip(";"))

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with `values` (`Parameter.accept`); unknown names are errors."""
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                raise UnknownNameError(f"parameter of query '{self.name}'", name, sorted(known))
        bound = {}
        for param in self.parameters:
            if param.name in values:
                bound[param.name] = param.accept(values[param.name])
            elif param.has_default:
                bound[param.name] = param.accept(param.default) if param.is_list else param.default
            else:
                raise QueryError(f"Query '{self.name}' needs --param {param.name}=...")
        return bound


def parse_query_file(path: Path) -> NamedQuery:
    """Read a query file and check that its header and its `$name` placeholders agree."""
    try:
        sql = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"{path}: cannot read the query file ({error})") from None
    description: list[str] = []
    parameters: list[Parameter] = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        comment = line[2:].strip()
        if comment.startswith("@param"):
            match = _PARAM.match(comment)
            kind = " ".join(match["type"].split()) if match else ""
            if not match or kind not in TYPES:
                raise QueryError(
                    f"{path}: bad parameter line '{comment}' (expected "
                    f"@param name TYPE = default  -- doc; TYPE one of {TYPES})"
                )
            default, has_default = default_value(kind, match["default"])
            allowed = tuple(v.strip() for v in (match["allowed"] or "").split(",") if v.strip())
            parameters.append(
                Parameter(match["name"], kind, default, has_default, (match["doc"] or "").strip(), allowed)
            )
        elif comment:
            description.append(comment)
    used = _used_parameters(sql)
    declared = {p.name for p in parameters}
    if used - declared or declared - used - set(PARAMETERS):
        raise QueryError(
            f"{path}: parameters used {sorted(used)} but declared "
            f"{sorted(declared)}: every $name needs an @param line and vice versa "
            f"(only {' and '.join(PARAMETERS)} may go unused: they choose the "
            "publications the query reads)"
        )
    _check_dated_use(path, sql, parameters)
    return NamedQuery(path.stem, path, " ".join(description), tuple(parameters), sql)


def _check_dated_use(path: Path, sql: str, parameters: list[Parameter]) -> None:
    """A `PERIOD START`/`END` parameter is a date already: handing it to a macro that dates a
    label (`period_start_of($from_period, ...)`, as SQL written for a plain PERIOD does) is
    refused with the way to write it, not left to fail in DuckDB."""
    for param in parameters:
        if param.day and re.search(
            rf"period_(start|end)_(of|in)\s*\(\s*\${param.name}\b", _without_comments(sql)
        ):
            column = "period_start >=" if param.day == "START" else "period_end <="
            raise QueryError(
                f"{path}: ${param.name} is declared {param.type}, so it is bound as "
                f"a date already: compare `{column} ${param.name}` instead of "
                f"dating it again with period_start_of/period_end_of (or declare "
                "it PERIOD to bind the label)"
            )


def parse_checked(path: Path, checker: Any) -> NamedQuery:
    """`parse_query_file`, then the sandbox's statement check on its SQL (nothing runs): the one
    test of whether a query file may run, for `query list` and `db export` alike."""
    from analytics.sql.sandbox import check_statement

    named = parse_query_file(path)
    check_statement(checker, named.sql)
    return named


def _used_parameters(sql: str) -> set[str]:
    return set(_PLACEHOLDER.findall(_without_comments(sql)))


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def discover() -> dict[str, Path]:
    """Query name -> file, the first folder of `query_dirs` holding a name wins: the project's
    queries/, then $ANALYTICS_QUERIES_DIR, then the bundled ones."""
    found: dict[str, Path] = {}
    for folder in query_dirs():
        for path in sorted(folder.glob("*.sql")):
            found.setdefault(path.stem, path)
    return found


def load(name: str) -> NamedQuery:
    files = discover()
    if name not in files:
        raise UnknownNameError("query", name, sorted(files))
    return parse_query_file(files[name])
