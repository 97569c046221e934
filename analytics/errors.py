"""Typed errors: every failure a user can cause, with where it happened.

The CLI turns these into one line on stderr and an exit code; the library never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AnalyticsError(Exception):
    """Base of every error the CLI reports as a one-line message."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The message as the CLI prints it, one stderr line each."""
        return [str(self)]


@dataclass(frozen=True)
class Location:
    """Where in an input file a problem sits (1-based row as a spreadsheet shows it)."""

    file: Path | str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


class InputError(AnalyticsError):
    """Bad input: names the file, row and column; nothing was written."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location or Location()
        self.message = message
        where = str(self.location)
        super().__init__(f"{where}: {message}" if where else message)


class InputErrors(InputError):
    """Several bad rows: the first ones listed (each naming its row and column), and how many
    there are in all. The CLI prints one line per listed row."""

    def __init__(self, errors: list[InputError], total: int) -> None:
        self.errors, self.total = errors, total
        self.location, self.message = errors[0].location, errors[0].message
        Exception.__init__(
            self, f"{total:,} bad rows; the first {len(errors)}: " + " | ".join(str(e) for e in errors)
        )

    def lines(self) -> list[str]:
        return [
            f"{self.total:,} bad rows (the first {len(self.errors)} listed; nothing was written):",
            *(str(e) for e in self.errors),
        ]


class ValidationError(AnalyticsError):
    """Accounting invariants do not hold; carries every violation found."""

    exit_code = 3

    def __init__(self, violations: list[str], context: str = "") -> None:
        self.violations = violations
        head = f"{context}: " if context else ""
        shown = "; ".join(violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"{head}{len(violations)} violation(s): {shown}{more}")


class UnknownNameError(AnalyticsError):
    """An unknown query, chart, table, company or partner: lists the known ones."""

    exit_code = 4

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        listed = ", ".join(known) if known else "(none)"
        super().__init__(f"Unknown {kind} '{name}'. Known: {listed}")


class WriteError(AnalyticsError):
    """A file could not be written (disk full, permission denied); names the path and the reason."""

    exit_code = 1


class QueryError(AnalyticsError):
    """A query failed, was refused by the sandbox, or has a bad header or parameter."""

    exit_code = 5


class SandboxRefusal(QueryError):
    """Ad hoc SQL tried something only the tool itself may do."""
