"""Named queries: queries/*.sql, each with a header that is its contract.

Header format (leading `--` comment lines):

    -- The partner's share of total revenue per period.
    -- @param company VARCHAR = 'Weibo'  -- company to analyse
    -- @param top_n INTEGER = 1

Parameters reach DuckDB as `$name` bindings, never pasted into the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analytics.errors import QueryError, UnknownNameError
from analytics.project import query_dirs

_PARAM = re.compile(
    r"^@param\s+(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z]+)"
    r"(?:\s*=\s*(?P<default>'(?:[^']|'')*'|\S+?))?(?:\s+--\s*(?P<doc>.*))?\s*$"
)
_PLACEHOLDER = re.compile(r"\$([a-z_][a-z0-9_]*)")
TYPES = ("VARCHAR", "INTEGER", "DOUBLE", "DATE", "BOOLEAN")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    has_default: bool
    doc: str

    def convert(self, raw: str) -> Any:
        """A CLI string as this parameter's type."""
        try:
            if self.type == "INTEGER":
                return int(raw)
            if self.type == "DOUBLE":
                return float(raw)
            if self.type == "DATE":
                return date.fromisoformat(raw)
            if self.type == "BOOLEAN":
                return {"true": True, "false": False}[raw.lower()]
        except (ValueError, KeyError):
            raise QueryError(f"Parameter {self.name}: '{raw}' is not a {self.type}") from None
        return raw


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    description: str
    parameters: tuple[Parameter, ...]
    sql: str

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with `values` (strings are converted); unknown names are errors."""
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                raise UnknownNameError(f"parameter of query '{self.name}'", name, sorted(known))
        bound = {}
        for param in self.parameters:
            if param.name in values:
                value = values[param.name]
                bound[param.name] = param.convert(value) if isinstance(value, str) else value
            elif param.has_default:
                bound[param.name] = param.default
            else:
                raise QueryError(f"Query '{self.name}' needs --param {param.name}=...")
        return bound


def _default(param_type: str, raw: str | None) -> tuple[Any, bool]:
    if raw is None:
        return None, False
    if raw.upper() == "NULL":
        return None, True
    text = raw[1:-1].replace("''", "'") if raw.startswith("'") else raw
    return Parameter("default", param_type, None, False, "").convert(text), True


def parse_query_file(path: Path) -> NamedQuery:
    """Read a query file and check that its header and its `$name` placeholders agree."""
    sql = path.read_text(encoding="utf-8")
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
            parameters.append(Parameter(match["name"], match["type"], default, has_default,
                                        (match["doc"] or "").strip()))
        elif comment:
            description.append(comment)
    used = set(_PLACEHOLDER.findall(_without_comments(sql)))
    declared = {p.name for p in parameters}
    if used != declared:
        raise QueryError(f"{path}: parameters used {sorted(used)} but declared "
                         f"{sorted(declared)}: every $name needs an @param line and vice versa")
    return NamedQuery(path.stem, path, " ".join(description), tuple(parameters), sql)


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def discover() -> dict[str, Path]:
    """Query name -> file; the shipped queries/ first, analysts' extra folders after."""
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
