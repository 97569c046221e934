"""Text cells: required or optional, names of a bounded length, free text without controls.

Names reach terminals, charts and slides, and free text reaches notes and tooltips, so both are
refused here, at the cell, when they carry control characters or exceed a documented length.
"""

from __future__ import annotations

from analytics.errors import InputError
from analytics.store.readers import SourceRow
from analytics.text import (
    MAX_NAME_LENGTH,
    first_control_character,
    first_control_character_in_free_text,
    for_terminal,
    shorten,
)

#: The longest free text (source, note, description) accepted at ingest.
MAX_TEXT_LENGTH = 10_000
#: How much of a bad value an error message quotes.
SHOWN_LENGTH = 60


def shown(raw: str) -> str:
    """A cell's text as an error message quotes it: shortened, control characters escaped."""
    return for_terminal(shorten(raw, SHOWN_LENGTH))


def text(row: SourceRow, column: str, required: bool = True) -> str | None:
    value = row.cells.get(column, "")
    if required and not value:
        raise InputError("is empty; a value is required", row.where(column))
    return value or None


def required_text(row: SourceRow, column: str) -> str:
    value = text(row, column)
    assert value is not None
    return value


def name(row: SourceRow, column: str) -> str:
    """A required name (company, stream, counterparty, ...): plain text of a bounded length."""
    value = required_text(row, column)
    _check_name(row, column, value)
    return value


def optional_name(row: SourceRow, column: str) -> str | None:
    value = text(row, column, required=False)
    if value is not None:
        _check_name(row, column, value)
    return value


def _check_name(row: SourceRow, column: str, value: str) -> None:
    """Names reach terminals, charts and slides: no control characters, no megabyte labels."""
    control = first_control_character(value)
    if control is not None:
        raise InputError(
            f"contains the control character {control}: names must be plain text", row.where(column)
        )
    if len(value) > MAX_NAME_LENGTH:
        raise InputError(
            f"is {len(value):,} characters long: names are at most {MAX_NAME_LENGTH} characters",
            row.where(column),
        )


def free_text(row: SourceRow, column: str) -> str | None:
    """Optional free text (source, note, description): tabs and line breaks allowed."""
    value = text(row, column, required=False)
    if value is None:
        return None
    control = first_control_character_in_free_text(value)
    if control is not None:
        raise InputError(
            f"contains the control character {control}: only tabs and line breaks are allowed in free text",
            row.where(column),
        )
    if len(value) > MAX_TEXT_LENGTH:
        raise InputError(
            f"is {len(value):,} characters long: free text is at most {MAX_TEXT_LENGTH:,} characters",
            row.where(column),
        )
    return value
