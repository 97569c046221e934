"""Period labels: `2016Q1` is a calendar quarter, `2016` a fiscal year.

Fiscal years are assumed to be calendar years (true of Weibo and most US-listed Chinese
platforms); a period's dates are derived from its label, never typed in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[Qq]([1-4])$")
_YEAR = re.compile(r"^(?:FY)?(\d{4})$")


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
    """Parse `2016Q1`, `2016-Q1` or `2016`; None when the text is not a period label."""
    cleaned = text.strip()
    if match := _QUARTER.match(cleaned):
        return Period(int(match[1]), int(match[2]))
    if match := _YEAR.match(cleaned):
        return Period(int(match[1]))
    return None
