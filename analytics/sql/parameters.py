"""A named query's parameters: the header types, CLI strings converted and checked, defaults
(literals or the shipped ones), and period labels dated in the company's calendar.

Kept apart from queries.py (which reads query files) because this is what a value goes through
between a user and DuckDB: checked once when bound, dated once on the session it runs on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.errors import InputError, QueryError
from analytics.periods import CALENDAR_YEAR_END, parse_period, period_problem
from analytics.sql.sandbox import sql_literal

if TYPE_CHECKING:
    import duckdb

#: PERIOD START and PERIOD END take a period label (2016Q1, 2016H1 or 2016), checked, and bind
#: its first or last day in the company's fiscal calendar (a DATE); PERIOD binds the label as
#: VARCHAR in canonical form. VARCHAR[] is a list of texts, where one text is a list of one
#: (`--param partner=A` repeated gives several).
TYPES = (
    "VARCHAR",
    "INTEGER",
    "DOUBLE",
    "DATE",
    "BOOLEAN",
    "PERIOD START",
    "PERIOD END",
    "PERIOD",
    "VARCHAR[]",
)
_EXPECTED = {
    "INTEGER": "a whole number such as 5",
    "DOUBLE": "a number such as 0.1",
    "DATE": "a date as YYYY-MM-DD",
    "BOOLEAN": "true or false",
    "PERIOD": "a period such as 2016Q1 (a quarter) or 2016 (a fiscal year)",
    "VARCHAR[]": "one or more texts",
}
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


@dataclass(frozen=True)
class Parameter:
    """One `@param` line: its type (one of TYPES), default (resolved), meaning and allowed
    values."""

    name: str
    type: str
    default: Any
    has_default: bool
    doc: str
    allowed: tuple[str, ...] = ()

    def convert(self, raw: str) -> Any:
        """A CLI string as this parameter's type; a bad value names the parameter (exit 2)."""
        try:
            value = self._typed(raw)
        except (ValueError, KeyError) as error:
            why = f" ({error})" if self.base_type == "PERIOD" else ""
            raise InputError(
                f"parameter {self.name}: '{raw}' is not {_EXPECTED[self.base_type]}{why}"
            ) from None
        if self.allowed and raw not in self.allowed:
            raise InputError(f"parameter {self.name}: '{raw}' is not one of {', '.join(self.allowed)}")
        return value

    @property
    def base_type(self) -> str:
        """The type without the day a period binds: `PERIOD START` is a PERIOD."""
        return self.type.split()[0]

    @property
    def day(self) -> str | None:
        """`START` or `END` for a period bound as that day (a DATE); None otherwise."""
        words = self.type.split()
        return words[1] if len(words) > 1 else None

    def dated(self, value: Any, year_end_month: int) -> Any:
        """The bound value as SQL takes it: a period label as its first or last day in a
        calendar whose fiscal year ends with `year_end_month` (a date or NULL as given)."""
        if self.day is None or value is None or isinstance(value, date):
            return value
        day = period_day(str(value), self.day, year_end_month)
        if day is None:
            raise InputError(f"parameter {self.name}: '{value}' is not {_EXPECTED['PERIOD']}")
        return day

    @property
    def is_list(self) -> bool:
        """Whether the parameter takes a list (`VARCHAR[]`)."""
        return self.type.endswith("[]")

    def accept(self, value: Any) -> Any:
        """A value as bound: a CLI string converted; for a list parameter a list of texts, each
        once in the order given (a plain text is a list of one); several values for a
        one-value parameter are refused (exit 2)."""
        if self.is_list:
            return self._texts(value)
        if isinstance(value, list | tuple):
            raise InputError(
                f"parameter {self.name} takes one value, not {len(value)} ({', '.join(map(str, value))})"
            )
        return self.convert(value) if isinstance(value, str) else value

    def _texts(self, value: Any) -> list[str] | None:
        if value is None:
            return None
        items = [value] if isinstance(value, str) else list(value)
        if not items:
            raise InputError(f"parameter {self.name}: give at least one value")
        if not all(isinstance(item, str) for item in items):
            raise InputError(f"parameter {self.name}: {value!r} is not {_EXPECTED[self.base_type]}")
        for item in items:
            self.convert(item)  # each value checked as a CLI string is
        return list(dict.fromkeys(items))

    def _typed(self, raw: str) -> Any:
        if self.type == "VARCHAR[]":
            return (raw,)
        if self.type == "INTEGER":
            return int(raw)
        if self.type == "DOUBLE":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
        if self.type == "DATE":
            return date.fromisoformat(raw)
        if self.type == "BOOLEAN":
            return _BOOLEANS[raw.strip().lower()]
        if self.base_type == "PERIOD":
            return _period_label(raw)
        return raw

    @property
    def default_literal(self) -> str:
        """The default as a SQL literal (NULL when there is none)."""
        return _literal(self.default) if self.has_default else "NULL"

    @property
    def signature(self) -> str:
        """`name TYPE = default in (a, b)` as a header line would say it (NULL as NULL)."""
        text = f"{self.name} {self.type}"
        if self.has_default:
            text += " = " + _literal(self.default)
        if self.allowed:
            text += f" in ({', '.join(self.allowed)})"
        return text


def _literal(value: Any) -> str:
    """A value as a SQL literal in a header line: NULL, true, 5, 'text'."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return f"[{', '.join(_literal(item) for item in value)}]"
    return sql_literal(str(value))


def _period_label(raw: str) -> str:
    problem = period_problem(raw)
    if problem:
        raise ValueError(problem)
    period = parse_period(raw)
    assert period is not None
    return period.label


def period_day(label: str, day: str, year_end_month: int) -> date | None:
    """The first (`day` START) or last (END) day of a period label in a calendar whose fiscal
    year ends with `year_end_month`, by periods.py (None: not a period): SQL gets the date and
    never parses the label."""
    period = parse_period(label)
    if period is None:
        return None
    return period.start(year_end_month) if day == "START" else period.end(year_end_month)


def year_end_month(connection: duckdb.DuckDBPyConnection, company: Any) -> int:
    """The month the company's fiscal year ends in (`companies`; December without a row or
    without a company), read on the session the query runs on."""
    if not isinstance(company, str):
        return CALENDAR_YEAR_END
    ((month,),) = connection.execute("SELECT year_end_month_of($company)", {"company": company}).fetchall()
    return int(month) if month is not None else CALENDAR_YEAR_END


def shipped_defaults() -> dict[str, str]:
    """The defaults a header may name (`= DEFAULT_COMPANY`): analytics/defaults.py's."""
    from analytics import defaults

    return {
        name: value
        for name, value in vars(defaults).items()
        if name.startswith("DEFAULT_") and isinstance(value, str)
    }


def default_value(param_type: str, raw: str | None) -> tuple[Any, bool]:
    """A header default as (value, has_default): a literal, NULL, or a shipped default's name
    (`DEFAULT_COMPANY`) as its value; a bad one is a bad header (QueryError)."""
    if raw is None:
        return None, False
    if raw.upper() == "NULL":
        return None, True
    if raw.startswith("DEFAULT_"):
        named = shipped_defaults()
        if raw not in named:
            raise QueryError(
                f"bad default: {raw} is not a shipped default (one of {', '.join(sorted(named))})"
            )
        raw = sql_literal(named[raw])
    text = raw[1:-1].replace("''", "'") if raw.startswith("'") else raw
    try:
        return Parameter("default", param_type, None, False, "").convert(text), True
    except InputError as error:
        raise QueryError(f"bad default: {error}") from None
