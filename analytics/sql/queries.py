"""Named queries: queries/*.sql, each with a header that is its contract.

Header format (leading `--` comment lines):

    -- The partner's share of total revenue per period.
    -- @param company VARCHAR = 'Weibo'  -- company to analyse
    -- @param top_n INTEGER = 1
    -- @param partner VARCHAR[] = 'Alibaba'  -- a list; one name is a list of one

Parameters reach DuckDB as `$name` bindings, never pasted into the SQL.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analytics.errors import InputError, QueryError, UnknownNameError
from analytics.periods import parse_period, period_problem
from analytics.project import query_dirs
from analytics.sql.sandbox import sql_literal
from analytics.store.vintages import PARAMETERS

_PARAM = re.compile(
    r"^@param\s+(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+(?:\[\])?)"
    r"(?:\s*=\s*(?P<default>'(?:[^']|'')*'|[^\s(]+?))?"
    r"(?:\s+in\s*\((?P<allowed>[^)]*)\))?(?:\s+--\s*(?P<doc>.*))?\s*$"
)
_PLACEHOLDER = re.compile(r"\$([a-z_][a-z0-9_]*)")
#: PERIOD is a period label (2016Q1 or 2016), checked and bound as VARCHAR in canonical form;
#: VARCHAR[] a list of texts, where one text is a list of one (`--param partner=A` repeated
#: gives several).
TYPES = ("VARCHAR", "INTEGER", "DOUBLE", "DATE", "BOOLEAN", "PERIOD", "VARCHAR[]")
_EXPECTED = {"INTEGER": "a whole number such as 5", "DOUBLE": "a number such as 0.1",
             "DATE": "a date as YYYY-MM-DD", "BOOLEAN": "true or false",
             "PERIOD": "a period such as 2016Q1 (a quarter) or 2016 (a fiscal year)",
             "VARCHAR[]": "one or more texts"}
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


@dataclass(frozen=True)
class Parameter:
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
            why = f" ({error})" if self.type == "PERIOD" else ""
            raise InputError(f"parameter {self.name}: '{raw}' is not "
                             f"{_EXPECTED[self.type]}{why}") from None
        if self.allowed and raw not in self.allowed:
            raise InputError(f"parameter {self.name}: '{raw}' is not one of "
                             f"{', '.join(self.allowed)}")
        return value

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
            raise InputError(f"parameter {self.name} takes one value, not {len(value)} "
                             f"({', '.join(map(str, value))})")
        return self.convert(value) if isinstance(value, str) else value

    def _texts(self, value: Any) -> list[str] | None:
        if value is None:
            return None
        items = [value] if isinstance(value, str) else list(value)
        if not items:
            raise InputError(f"parameter {self.name}: give at least one value")
        if not all(isinstance(item, str) for item in items):
            raise InputError(f"parameter {self.name}: {value!r} is not "
                             f"{_EXPECTED[self.type]}")
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
        if self.type == "PERIOD":
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


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    description: str
    parameters: tuple[Parameter, ...]
    sql: str

    def sql_params(self, bound: dict[str, Any]) -> dict[str, Any]:
        """The bound values the SQL takes: `basis` and `as_of` choose the session's
        publications (vintages.PARAMETERS) and are bound only where the SQL names them."""
        used = _used_parameters(self.sql)
        return {name: value for name, value in bound.items()
                if name not in PARAMETERS or name in used}

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
                bound[param.name] = param.accept(param.default) if param.is_list \
                    else param.default
            else:
                raise QueryError(f"Query '{self.name}' needs --param {param.name}=...")
        return bound


def _default(param_type: str, raw: str | None) -> tuple[Any, bool]:
    if raw is None:
        return None, False
    if raw.upper() == "NULL":
        return None, True
    text = raw[1:-1].replace("''", "'") if raw.startswith("'") else raw
    try:
        return Parameter("default", param_type, None, False, "").convert(text), True
    except InputError as error:
        raise QueryError(f"bad default: {error}") from None


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
            if not match or match["type"] not in TYPES:
                raise QueryError(f"{path}: bad parameter line '{comment}' (expected "
                                 f"@param name TYPE = default  -- doc; TYPE one of {TYPES})")
            default, has_default = _default(match["type"], match["default"])
            allowed = tuple(v.strip() for v in (match["allowed"] or "").split(",") if v.strip())
            parameters.append(Parameter(match["name"], match["type"], default, has_default,
                                        (match["doc"] or "").strip(), allowed))
        elif comment:
            description.append(comment)
    used = _used_parameters(sql)
    declared = {p.name for p in parameters}
    if used - declared or declared - used - set(PARAMETERS):
        raise QueryError(f"{path}: parameters used {sorted(used)} but declared "
                         f"{sorted(declared)}: every $name needs an @param line and vice versa "
                         f"(only {' and '.join(PARAMETERS)} may go unused: they choose the "
                         "publications the query reads)")
    return NamedQuery(path.stem, path, " ".join(description), tuple(parameters), sql)


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
