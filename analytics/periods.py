"""Period labels: `2016Q1` is a calendar quarter, `2016` a fiscal year.

Fiscal years are assumed to be calendar years (true of Weibo and most US-listed Chinese
platforms); a period's dates are derived from its label, never typed in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# ASCII digits only: `\d` would also read Arabic-Indic or full-width digits as a year.
_QUARTER = re.compile(r"^([0-9]{4})\s*-?\s*[Qq]([0-9])$")
_YEAR = re.compile(r"^(?:FY)?([0-9]{4})$")
#: The years ingest accepts for a period or a date: wide enough for any filing, narrow enough
#: that `0000Q1` or `9999` is caught as a typo instead of reaching date arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True, order=True)
class Period:
    """A quarter (quarter 1-4) or a fiscal year (quarter None)."""

    year: int
    quarter: int | None = None

    @property
    def kind(self) -> str:
        return "year" if self.quarter is None else "quarter"

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        last_month = 12 if self.quarter is None else 3 * self.quarter
        last_day = 31 if last_month in (3, 12) else 30
        return date(self.year, last_month, last_day)

    def quarters(self) -> list[Period]:
        """The four quarters of a fiscal year."""
        return [Period(self.year, q) for q in range(1, 5)]


def parse_period(text: str) -> Period | None:
    """Parse `2016Q1`, `2016-Q1` or `2016`; None when the text is not a period label with dates
    (quarter 1-4, year 1 or later). Ingest is stricter: see `period_problem`."""
    parsed = _period(text)
    if parsed is None or parsed.year < 1 or parsed.quarter not in (None, 1, 2, 3, 4):
        return None
    return parsed


def period_problem(text: str) -> str | None:
    """Why ingest refuses `text` as a period (None when it accepts it): the format, the quarter
    or the year range, so an error can say which."""
    parsed = _period(text)
    if parsed is None:
        return "expected 2016Q1 (a quarter) or 2016 (a fiscal year)"
    if parsed.quarter is not None and not 1 <= parsed.quarter <= 4:
        return f"the quarter must be 1-4, not {parsed.quarter}"
    if not year_in_range(parsed.year):
        return f"the year must be between {FIRST_YEAR} and {LAST_YEAR}"
    return None


def year_in_range(year: int) -> bool:
    """True for the years a period or a date may fall in (FIRST_YEAR-LAST_YEAR)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def _period(text: str) -> Period | None:
    cleaned = text.strip()
    if match := _QUARTER.match(cleaned):
        return Period(int(match[1]), int(match[2]))
    if match := _YEAR.match(cleaned):
        return Period(int(match[1]))
    return None
