"""The table view for a person at a terminal: it fits the width, and every cell is readable.

Only this view formats values (thousands separators, shares as percentages, URLs as their site,
long text cut with an ellipsis); every other format keeps the data exact. Text passes
`text.for_terminal`, so data can never drive the terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from analytics.text import for_terminal, shorten

if TYPE_CHECKING:
    import polars as pl

MAX_CELL_WIDTH = 40
MIN_CELL_WIDTH = 8
#: Values this short are never cut (periods, dates, codes).
SHORT_WIDTH = 12
#: At most this many rows switch to one record per block when the columns cannot fit.
RECORD_VIEW_MAX_ROWS = 10
GAP = "  "
NULL = "NULL"
_URL = re.compile(r"https?://(?:www\.)?([^/\s;,|]+)[^\s;,|]*")


def width() -> int:
    """Columns to fit: $COLUMNS, else the terminal's, else 160 when output is not a terminal."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 160


def cell(value: object, column: str) -> str:
    """One value as a person reads it; numbers keep their sign and cents."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and "share" in column:
        return f"{value:.2%}"
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value == value else "NaN"
    return for_terminal(_URL.sub(lambda m: m.group(1), str(value)))


def table_text(frame: pl.DataFrame, columns: int | None = None) -> str:
    """The frame as aligned columns fitting `columns` characters, or as records when a few
    very wide rows cannot fit."""
    numeric = {name for name, dtype in frame.schema.items() if dtype.is_numeric()}
    return rows_text(frame.columns, numeric, frame.rows(), columns)


def rows_text(
    names: list[str], numeric: set[str], rows: Sequence[Sequence[Any]], columns: int | None = None
) -> str:
    """Rows as aligned columns fitting `columns` characters (numbers right-aligned), or as
    records when a few very wide rows cannot fit."""
    limit = columns or width()
    cells = {name: [cell(row[i], name) for row in rows] for i, name in enumerate(names)}
    natural = {n: max([len(n), *map(len, cells[n])]) for n in names}
    # Numbers are never cut (a cut number is a wrong number), nor short values such as dates.
    fixed = {n for n, w in natural.items() if n in numeric or w <= SHORT_WIDTH}
    widths = _fit(natural, fixed, limit)
    if widths is None and len(rows) <= RECORD_VIEW_MAX_ROWS:
        return _records(cells, len(rows), limit)
    shown = widths or _first_that_fit(natural, fixed, limit)
    lines = [_line(list(shown), shown, set()), GAP.join("─" * w for w in shown.values())]
    lines += [_line([cells[n][i] for n in shown], shown, numeric) for i in range(len(rows))]
    hidden = [n for n in names if n not in shown]
    if hidden:
        lines.append(
            f"({len(hidden)} more columns not shown: {', '.join(hidden)}; "
            "choose with --columns, or use --format csv)"
        )
    return "\n".join(lines) + "\n"


def _fit(natural: dict[str, int], fixed: set[str], limit: int) -> dict[str, int] | None:
    """Column widths within `limit`: text capped, then the widest text narrowed; None when
    even the narrowest text columns do not fit beside the fixed ones."""
    widths = {n: w if n in fixed else min(w, MAX_CELL_WIDTH) for n, w in natural.items()}
    total = sum(widths.values()) + len(GAP) * (len(widths) - 1)
    while total > limit:
        narrowable = [n for n in widths if n not in fixed and widths[n] > MIN_CELL_WIDTH]
        if not narrowable:
            return None
        widest = max(narrowable, key=lambda n: widths[n])
        widths[widest] -= 1
        total -= 1
    return widths


def _first_that_fit(natural: dict[str, int], fixed: set[str], limit: int) -> dict[str, int]:
    """The leading columns that fit, at their narrowest widths."""
    shown: dict[str, int] = {}
    used = 0
    for name, size in natural.items():
        size = size if name in fixed else min(size, MIN_CELL_WIDTH)
        needed = size + (len(GAP) if shown else 0)
        if used + needed > limit and shown:
            break
        shown[name] = size
        used += needed
    return shown


def _line(values: list[str], widths: dict[str, int], numeric: set[str]) -> str:
    parts = []
    for value, (name, size) in zip(values, widths.items(), strict=True):
        text = shorten(value, size)
        parts.append(text.rjust(size) if name in numeric else text.ljust(size))
    return GAP.join(parts).rstrip()


def _records(cells: dict[str, list[str]], rows: int, limit: int) -> str:
    """One block per row: `column  value`, values cut to the width."""
    key_width = min(max(map(len, cells)), MAX_CELL_WIDTH)
    value_width = max(limit - key_width - len(GAP), MIN_CELL_WIDTH)
    blocks = []
    for index in range(rows):
        header = f"-[ row {index + 1} ]"
        lines = [header + "─" * max(limit - len(header), 0)]
        lines += [
            shorten(name, key_width).ljust(key_width) + GAP + shorten(values[index], value_width)
            for name, values in cells.items()
        ]
        blocks.append("\n".join(line.rstrip() for line in lines))
    return "\n".join(blocks) + "\n"


def catalogue_text(entries: list[Any]) -> str:
    """`query list` for a person: each query, its description, then one line per parameter."""
    blocks = []
    for entry in entries:
        lines = [for_terminal(f"{entry.name}  ({entry.status})" if entry.status != "ok" else entry.name)]
        if entry.description:
            lines += ["    " + line for line in textwrap.wrap(for_terminal(entry.description), width() - 4)]
        lines += [
            for_terminal(f"    --param {signature}" + (f"  -- {doc}" if doc else ""))
            for signature, doc in entry.parameters
        ]
        lines.append(for_terminal(f"    file: {entry.file}"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
