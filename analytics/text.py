"""The one escaping step for text that reaches people: terminals, spreadsheets and renderers.

Data text is hostile until shown otherwise: a counterparty named `\\x1b]0;pwned\\x07` retitles a
terminal, `=cmd|...` runs in a spreadsheet, and a control character panics vl-convert. Every
output path passes its text through the matching function here, never its own copy.
"""

from __future__ import annotations

import re

#: C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a reader
#: sees ("Trojan Source"). Tab and newline are among them; only free text (below) keeps them.
CONTROL_RANGES = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x200E, 0x200F),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
    (0x2028, 0x2029),
)
#: The three control characters free text (source, note, description) keeps.
FREE_TEXT_CONTROLS = "\t\n\r"


def _character_class(keep: str = "", re2: bool = False) -> str:
    """The control set minus `keep` as a regex character class: Python's escapes, or RE2's
    (DuckDB) with `re2`, so the set-based ingest checks the very same characters."""

    def escape(code: int) -> str:
        return f"\\x{{{code:x}}}" if re2 else f"\\U{code:08x}"

    codes = [c for lo, hi in CONTROL_RANGES for c in range(lo, hi + 1) if chr(c) not in keep]
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(escape(lo) + (f"-{escape(hi)}" if hi > lo else "") for lo, hi in runs) + "]"


#: The control set, and the part of it free text may not hold, as RE2 classes (DuckDB).
CONTROL_CLASS_RE2 = _character_class(re2=True)
FREE_TEXT_CONTROL_CLASS_RE2 = _character_class(FREE_TEXT_CONTROLS, re2=True)
_CONTROL = re.compile(_character_class())
#: What a spreadsheet would read as the start of a formula (OWASP, "CSV Injection"); also used
#: set-based (polars).
FORMULA_START_PATTERN = r"^[=+\-@\t\r\n]"
_FORMULA_START = re.compile(FORMULA_START_PATTERN)
#: The longest name accepted at ingest (company, counterparty, stream, partner, label).
MAX_NAME_LENGTH = 200
ELLIPSIS = "…"


def has_control_characters(text: str) -> bool:
    """True when `text` holds a character that must never reach a terminal or renderer raw."""
    return _CONTROL.search(text) is not None


def first_control_character(text: str) -> str | None:
    """The first control character in `text`, shown escaped (`\\x1b`), or None."""
    match = _CONTROL.search(text)
    return _escape_one(match) if match else None


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object) -> str:
    """Text safe to print: every control character shown as `\\x1b`, `\\u202e`, ..."""
    return _CONTROL.sub(_escape_one, str(text))


def for_spreadsheet(text: str) -> str:
    """A text cell a spreadsheet will not run: a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`.

    Only text cells pass here; numbers stay numbers (OWASP's recommendation).
    """
    return "'" + text if _FORMULA_START.match(text) else text


def for_renderer(text: str) -> str:
    """Text safe for vl-convert, SVG/XML and PowerPoint: control characters become spaces."""
    return _CONTROL.sub(" ", text)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


#: Free text (source, note, description) may keep tabs and line breaks, and nothing else of the
#: control set: an ESC or a bidirectional override in a note is as hostile as in a name.
_CONTROL_IN_FREE_TEXT = re.compile(_character_class(FREE_TEXT_CONTROLS))


def first_control_character_in_free_text(text: str) -> str | None:
    """The first control character other than tab, newline or carriage return, escaped, or None.

    Notes and sources legitimately span lines; everything else in the control set is refused.
    """
    match = _CONTROL_IN_FREE_TEXT.search(text)
    return _escape_one(match) if match else None
