"""The shape of a table definition: its columns, grain, and how an ingest file fills it.

schema.py fills these in for every table; everything else (Parquet files, views, the README's
tables, the ingest formats in records.py) reads them, so adding a column is one edit there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Whether an ingest file must have a column in its header, or may (absent or empty: the
#: rule's default). A required column's cells may still be empty where its rule allows.
REQUIRED: Literal["required"] = "required"
OPTIONAL: Literal["optional"] = "optional"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    description: str
    #: SQL literal a stored file without this column (written before it existed) reads as.
    default: str | None = None
    #: Bookkeeping of the stored rows, left out of the table's view (`<table>_vintages` has it).
    stored_only: bool = False
    #: REQUIRED or OPTIONAL in the table's ingest format; None: never read from a file.
    ingest: Literal["required", "optional"] | None = None
    #: The cell rule that reads it from a file (records.CELL_RULES, cells_sql.SQL_RULES).
    rule: str = "name"
    #: Other header names a file may give it (`class` for counterparty_class).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]
    #: The table whose ingest format also fills this one (reported_totals: revenue's totals).
    ingested_with: str | None = None
    #: Columns of its ingest format that are read but not stored (revenue's `unit`).
    read_only: tuple[Column, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def ingest_columns(self) -> tuple[Column, ...]:
        """The columns a file for it has, in the documented order: its stored columns read from
        a file, with the read-only ones just before the provenance (`source`)."""
        read = [c for c in self.columns if c.ingest is not None]
        at = next((i for i, c in enumerate(read) if c.name == "source"), len(read))
        return (*read[:at], *self.read_only, *read[at:])

    @property
    def view_column_names(self) -> list[str]:
        """The columns of the table's view (`revenue`): all but the stored rows' bookkeeping."""
        return [c.name for c in self.columns if not c.stored_only]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)
