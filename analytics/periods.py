"""Period labels and fiscal calendars: `2016` is a fiscal year, `2016H1` its first half,
`2016Q1` its first quarter.

A company's fiscal year ends on the last day of a month (`companies.fiscal_year_end`, December
when not declared) and is named by the calendar year it ends in: with a March year end, FY2024
runs from 1 April 2023 to 31 March 2024 and 2024Q1 is April to June 2023. A period's dates are
derived from its label and its company's calendar, never typed in by hand. This module is the
one rule: SQL never parses a label, it gets dates (sql/period_dates.py, sql/parameters.py).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

# ASCII digits only: `\d` would also read Arabic-Indic or full-width digits as a year.
_SUBPERIOD = re.compile(r"^([0-9]{4})\s*-?\s*([QqHh])([0-9])$")
_YEAR = re.compile(r"^(?:FY)?([0-9]{4})$")
#: The years ingest accepts for a period or a date: wide enough for any filing, narrow enough
#: that `0000Q1` or `9999` is caught as a typo instead of reaching date arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: Period kinds, longest last, and how many months each spans.
MONTHS = {"quarter": 3, "half": 6, "year": 12}
_LETTER = {"quarter": "Q", "half": "H"}
#: The month a fiscal year ends in when the company declares none.
CALENDAR_YEAR_END = 12


@dataclass(frozen=True, order=True)
class Period:
    """A fiscal year (`part` None), or its half (kind `half`, part 1-2) or quarter (part 1-4)."""

    year: int
    part: int | None = None
    kind: str = "year"

    @property
    def label(self) -> str:
        return str(self.year) if self.part is None else f"{self.year}{_LETTER[self.kind]}{self.part}"

    def start(self, year_end_month: int = CALENDAR_YEAR_END) -> date:
        """First day, in a calendar whose fiscal year ends with `year_end_month`."""
        offset = year_end_month - 12 + MONTHS[self.kind] * ((self.part or 1) - 1)
        return _add_months(date(self.year, 1, 1), offset)

    def end(self, year_end_month: int = CALENDAR_YEAR_END) -> date:
        """Last day, in a calendar whose fiscal year ends with `year_end_month`."""
        return _add_months(self.start(year_end_month), MONTHS[self.kind]) - timedelta(days=1)

    def parts(self) -> list[list[Period]]:
        """The ways a period splits into smaller ones: a year into quarters and into halves,
        a half into its two quarters, a quarter not at all."""
        if self.kind == "year":
            return [
                [Period(self.year, q, "quarter") for q in range(1, 5)],
                [Period(self.year, h, "half") for h in (1, 2)],
            ]
        if self.kind == "half":
            first = 2 * (self.part or 1) - 1
            return [[Period(self.year, q, "quarter") for q in (first, first + 1)]]
        return []


def _add_months(day: date, months: int) -> date:
    """The first of a month plus `months` months."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(day: date, kind: str, year_end_month: int = CALENDAR_YEAR_END) -> Period:
    """The period of `kind` a day falls in, in a calendar whose fiscal year ends with
    `year_end_month`."""
    shifted = _add_months(date(day.year, day.month, 1), 12 - year_end_month)
    if kind == "year":
        return Period(shifted.year)
    return Period(shifted.year, (shifted.month - 1) // MONTHS[kind] + 1, kind)


def parse_period(text: str) -> Period | None:
    """Parse `2016Q1`, `2016-Q1`, `2016H1` or `2016`; None when the text is not a period label
    with dates (a quarter 1-4 or half 1-2 of a year 1 or later). Ingest is stricter: see
    `period_problem`."""
    parsed = _period(text)
    if parsed is None or parsed.year < 1 or _part_problem(parsed) is not None:
        return None
    return parsed


def period_problem(text: str) -> str | None:
    """Why ingest refuses `text` as a period (None when it accepts it): the format, the quarter
    or half, or the year range, so an error can say which."""
    parsed = _period(text)
    if parsed is None:
        return "expected 2016Q1 (a quarter), 2016H1 (a half-year) or 2016 (a fiscal year)"
    if (problem := _part_problem(parsed)) is not None:
        return problem
    if not year_in_range(parsed.year):
        return f"the year must be between {FIRST_YEAR} and {LAST_YEAR}"
    return None


def _part_problem(period: Period) -> str | None:
    if period.part is None:
        return None
    count = 12 // MONTHS[period.kind]
    if not 1 <= period.part <= count:
        return f"the {period.kind} must be 1-{count}, not {period.part}"
    return None


def year_in_range(year: int) -> bool:
    """True for the years a period or a date may fall in (FIRST_YEAR-LAST_YEAR)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def _period(text: str) -> Period | None:
    cleaned = text.strip()
    if match := _SUBPERIOD.match(cleaned):
        kind = "quarter" if match[2] in "Qq" else "half"
        return Period(int(match[1]), int(match[3]), kind)
    if match := _YEAR.match(cleaned):
        return Period(int(match[1]))
    return None


def fiscal_note(year_end_month: int) -> str:
    """` (fiscal years to 31 March)` after a range of a company whose fiscal year does not end
    in December, so `2024H1` is never read as January to June 2024; empty otherwise."""
    if year_end_month == CALENDAR_YEAR_END:
        return ""
    last = calendar.monthrange(2001, year_end_month)[1]
    return f" (fiscal years to {last} {calendar.month_name[year_end_month]})"


def year_end_problem(text: str) -> str | None:
    """Why `text` is not a fiscal year end (None when it is one): `MM-DD`, the last day of its
    month (28 or 29 for February)."""
    match = re.fullmatch(r"([0-9]{1,2})-([0-9]{1,2})", text.strip())
    if match is None:
        return "expected the month and day the fiscal year ends, as MM-DD (03-31, 12-31)"
    month, day = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return f"the month must be 1-12, not {month}"
    last = calendar.monthrange(2001, month)[1]
    if day != last and not (month == 2 and day == 29):
        return (
            f"a fiscal year must end on the last day of a month ({month:02d}-{last:02d}); "
            "52/53-week years are not supported: give the month end nearest the year end"
        )
    return None


def year_end_month(text: str) -> int:
    """The month of a fiscal year end `MM-DD` (checked by `year_end_problem`)."""
    return int(text.strip().split("-")[0])


def normal_year_end(text: str) -> str:
    """`3-31` -> `03-31`: the one spelling stored."""
    month = year_end_month(text)
    day = int(text.strip().split("-")[1])
    return f"{month:02d}-{min(day, calendar.monthrange(2001, month)[1]):02d}"


def format_period(label: str, year_end_month: int = CALENDAR_YEAR_END) -> str:
    """A period as a person reads it: `Q4 2013`, `H1 2019`, `2019` in calendar years; in a fiscal
    calendar `Q1 FY2024`, `H1 FY2022`, `FY2022`, so a March year end's `2022H1` (April to
    September 2021) is never read as January to June 2022. Other text is returned as it is."""
    period = parse_period(label)
    if period is None:
        return label
    year = str(period.year) if year_end_month == CALENDAR_YEAR_END else f"FY{period.year}"
    return year if period.part is None else f"{_LETTER[period.kind]}{period.part} {year}"
