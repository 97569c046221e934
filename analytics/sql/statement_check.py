"""Which SQL the sandbox lets through: exactly one plain SELECT that calls no refused function.

DuckDB's settings stop reads outside the data folder, but not `COPY ... TO` into it, so each
statement is classified here before it runs (MEASURED.md, "Sandboxing"). Function names are
found by a small tokenizer rather than a regex over the text, so a name inside a string or a
comment is not refused and a quoted identifier is not missed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from analytics.errors import QueryError, SandboxRefusal

if TYPE_CHECKING:
    import duckdb

#: Comments before a statement's first word (DuckDB keeps them in the statement's text).
_LEADING_COMMENTS = re.compile(r"^(\s*(--[^\n]*(\n|$)|/\*.*?\*/))*\s*", re.S)
_REFUSED_STATEMENTS = {
    "COPY": "writing files (COPY ... TO) is not allowed",
    "EXPORT": "writing files (EXPORT DATABASE) is not allowed",
    "ATTACH": "attaching databases is not allowed",
    "DETACH": "detaching databases is not allowed",
    "LOAD": "installing or loading extensions is not allowed",
    "SET": "changing settings is not allowed",
    "VARIABLE_SET": "changing settings is not allowed",
    "PRAGMA": "PRAGMA statements are not allowed",
}
#: Functions that show the machine (paths, home, settings) or run SQL built from strings, which
#: would pass the statement check unseen. Refused wherever the name appears as an identifier.
REFUSED_FUNCTIONS = frozenset(
    {
        "current_setting",
        "duckdb_settings",
        "getvariable",
        "query_table",
        "duckdb_extensions",
        "duckdb_secrets",
        "which_secret",
        "duckdb_temporary_files",
        "duckdb_databases",
        "pragma_database_list",
        "pragma_user_agent",
        "duckdb_memory",
        "duckdb_logs",
        "duckdb_log_contexts",
        "pragma_platform",
        "duckdb_secret_types",
    }
)
#: Refused only when called: `query` is also an ordinary column name.
REFUSED_CALLS = frozenset({"query"})
_TOKEN = re.compile(
    r"(?P<string>[eE]?'(?:[^']|'')*'?)|(?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))"
    r"|(?P<quoted>\"(?:[^\"]|\"\")*\"?)|(?P<line>--[^\n]*)|(?P<block>/\*.*?(?:\*/|\Z))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)|(?P<other>\S)",
    re.DOTALL,
)


def check_statement(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but exactly one SELECT that calls no refused function."""
    import duckdb

    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryError(first_line(error)) from None
    if len(statements) != 1:
        raise SandboxRefusal(f"Refused: one statement per call (got {len(statements)})")
    try:
        kind = statements[0].type.name
    except ValueError:  # a statement type the Python client cannot name (UPDATE EXTENSIONS)
        kind = "UNKNOWN"
    if kind != "SELECT":
        keyword = " ".join(_LEADING_COMMENTS.sub("", statements[0].query).split()[:1]).upper() or kind
        reason = _REFUSED_STATEMENTS.get(kind, f"{keyword} statements are not allowed")
        raise SandboxRefusal(f"Refused: {reason}; SQL here may only SELECT from the tables")
    refused = refused_function(sql)
    if refused:
        raise SandboxRefusal(
            f"Refused: {refused}() is not allowed (it shows settings and paths or runs SQL built from text)"
        )


def refused_function(sql: str) -> str | None:
    """The first refused function named in `sql` outside strings and comments, or None."""
    tokens = [(kind, value) for kind, value in _tokens(sql) if kind not in ("line", "block")]
    for index, (kind, value) in enumerate(tokens):
        if kind not in ("word", "quoted"):
            continue
        name = (value.strip('"').replace('""', '"') if kind == "quoted" else value).lower()
        called = index + 1 < len(tokens) and tokens[index + 1][1] == "("
        if name in REFUSED_FUNCTIONS or (called and name in REFUSED_CALLS):
            return name
    return None


def _tokens(sql: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup if match.lastgroup != "tag" else "dollar"
        yield str(kind), match.group()


def first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
