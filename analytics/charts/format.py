"""How every figure is spelt for a person, in charts, headlines, slides and the report: money,
shares, HHI, periods (`format_period`, calendar aware), "not disclosed", the minus sign; and the
axis formats, source footnotes and length caps of chart text.

One module so a figure reads the same on a chart's tooltip, a slide and the report. Vega's
d3-format only knows the locale's `$`, so currency axes use a label expression that puts the
right symbol in front of a scaled number (`$120M`, `¥1.0B`); that expression never holds data
text, only symbols from `SYMBOLS` or an unknown code's ASCII letters. Every name shown passes
`label` (control characters out, at most `LABEL_LIMIT` characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from analytics.periods import CALENDAR_YEAR_END, format_period
from analytics.text import for_renderer, shorten

__all__ = [
    "MINUS",
    "NOT_DISCLOSED",
    "format_hhi",
    "format_money",
    "format_period",
    "format_range",
    "format_share",
    "label",
    "one_off_phrase",
    "possessive",
]

SYMBOLS = {"USD": "$", "CNY": "¥", "RMB": "¥", "JPY": "¥", "EUR": "€", "GBP": "£", "HKD": "HK$"}
URL = re.compile(r"<?https?://\S+>?")
DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
FOOTNOTE_MAX_ITEMS = 4
FOOTNOTE_LINE_CHARS = 140
#: Characters kept of one name or label (company, partner, stream, counterparty, event label).
LABEL_LIMIT = 80
#: Characters kept of a chart title and of its subtitle; a cut ends in an ellipsis.
TITLE_LIMIT, SUBTITLE_LIMIT = 120, 200
#: Characters kept of one source reference in a footnote.
SOURCE_ITEM_LIMIT = 80
#: What every text says for an unknown (undisclosed) value: unknown is never zero.
NOT_DISCLOSED = "not disclosed"
#: The minus sign of every amount and share shown (U+2212, as the axes' d3-format writes it).
MINUS = "\u2212"


def label(text: object, limit: int = LABEL_LIMIT) -> str:
    """Data text as a chart, slide or page shows it: control characters become spaces and a
    text longer than `limit` characters is cut with an ellipsis, so no name can stretch a chart."""
    return shorten(for_renderer(str(text)), limit)


def currency_symbol(currency: str | None) -> str:
    """`$` for USD, `¥` for CNY; unknown codes are spelled out (`CHF `) with their ASCII letters
    only, so a symbol is safe inside a Vega expression whatever the data holds."""
    code = (currency or "").upper()
    if code in SYMBOLS:
        return SYMBOLS[code]
    letters = re.sub(r"[^A-Z]", "", code)[:3]
    return f"{letters} " if letters else ""


def scale_for(max_abs: float) -> tuple[float, str, int]:
    """Divisor, suffix and decimals for amounts of this size: billions get one decimal."""
    if max_abs >= 1e9:
        return 1e9, "B", 1
    if max_abs >= 1e6:
        return 1e6, "M", 0
    if max_abs >= 1e3:
        return 1e3, "K", 0
    return 1.0, "", 0


def currency_label_expr(currency: str | None, max_abs: float) -> str:
    """A Vega label expression for an amount axis, e.g. `$120M` or `−¥1.0B`."""
    divisor, suffix, decimals = scale_for(max_abs)
    symbol = currency_symbol(currency)
    return (
        f"(datum.value < 0 ? '{MINUS}' : '') + '{symbol}' + "
        f"format(abs(datum.value) / {divisor:g}, ',.{decimals}f') + '{suffix}'"
    )


def format_money(
    amount: Decimal | float | None,
    currency: str | None,
    *,
    lower_bound: bool = False,
    scale: float | None = None,
) -> str:
    """An amount in the data's currency, one decimal in billions, millions or thousands: $28.5M,
    ¥1.2B, −$44.4M; `at least ¥63.6M` for a lower bound. `scale` (the largest amount shown
    beside it) keeps a chart's amounts in one unit, but never a unit that would show an amount
    as zero (¥15.0M beside ¥1.2B, not ¥0.0B)."""
    if amount is None:
        return NOT_DISCLOSED
    value = float(amount)
    divisor, suffix, _ = scale_for(abs(scale if scale is not None else value))
    if abs(value) / divisor < 0.05:  # zero in the chart's unit: in its own unit
        divisor, suffix, _ = scale_for(abs(value))
    sign = MINUS if value < 0 else ""
    decimals = 1 if divisor > 1 else 0
    text = f"{sign}{currency_symbol(currency)}{abs(value) / divisor:,.{decimals}f}{suffix}"
    return f"at least {text}" if lower_bound else text


def format_share(
    share: float | None, *, exact: bool = False, lower_bound: bool = False, decimals: int = 1
) -> str:
    """A 0..1 share as a percentage: two significant figures (0.399 -> 40%, 0.093 -> 9.3%), or
    `decimals` decimals when `exact`; `at least 9.3%` for a lower bound, so no sentence states
    one as exact; `not disclosed` when unknown (unknown is not zero)."""
    if share is None:
        return NOT_DISCLOSED
    percent = share * 100
    text = f"{abs(percent):.0f}%" if abs(percent) >= 10 and not exact else f"{abs(percent):.{decimals}f}%"
    text = f"{MINUS}{text}" if percent < 0 and text.strip("0.%") else text
    return f"at least {text}" if lower_bound else text


def format_hhi(hhi: float | None, lower_bound: bool = False) -> str:
    """HHI on the 0-10,000 scale (`2,415`), flagged when pools make it a lower bound."""
    if hhi is None:
        return NOT_DISCLOSED
    return f"{hhi:,.0f}{' (a lower bound)' if lower_bound else ''}"


def format_range(first: str, last: str, year_end_month: int = CALENDAR_YEAR_END) -> str:
    """`Q1 2013 – Q3 2021` (`H1 FY2022 – H1 FY2025` in a fiscal calendar); one period alone."""
    if first == last:
        return format_period(first, year_end_month)
    return f"{format_period(first, year_end_month)} – {format_period(last, year_end_month)}"


def shorten_source(source: str) -> str:
    """One source reference without URLs: the publisher before ': ' plus a date if given."""
    text = URL.sub("", source).strip(" ;,:")
    if text.lower().startswith("derived"):
        return ""
    if not text:  # the source is a URL alone: cite its site rather than "not recorded"
        return _site(source)
    head = text.split(": ", 1)[0] if ": " in text[:60] else text
    head = head.split(" (", 1)[0].strip()
    date = DATE.search(text)
    if date and date.group(1) not in head:
        head = f"{head} ({date.group(1)})"
    return label(head, SOURCE_ITEM_LIMIT)


def _site(source: str) -> str:
    """`fool.com` for `https://www.fool.com/investing/...`; '' when no URL is found."""
    from urllib.parse import urlsplit

    found = URL.search(source)
    host = urlsplit(found.group(0).strip("<>")).hostname if found else None
    return label(host.removeprefix("www."), SOURCE_ITEM_LIMIT) if host else ""


def source_footnote(sources: Iterable[str | None]) -> list[str]:
    """'Source: ...' lines: every distinct shortened reference once, long lists cut with a count."""
    seen: list[str] = []
    for value in sources:
        for part in (value or "").split(" | "):
            short = shorten_source(part)
            if short and short not in seen:
                seen.append(short)
    if not seen:
        return ["Source: not recorded"]
    shown = seen[:FOOTNOTE_MAX_ITEMS]
    more = len(seen) - len(shown)
    text = "Source: " + "; ".join(shown) + (f"; and {more} more (see CSV)" if more else "")
    return _wrap(text, FOOTNOTE_LINE_CHARS)


def footnote_lines(note: str) -> list[str]:
    """A footnote note as a chart shows it: cleaned (`label`) and wrapped like the sources."""
    return _wrap(label(note, SUBTITLE_LIMIT * 2), FOOTNOTE_LINE_CHARS)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current]


def one_off_phrase(amount: str, counterparties: str | None) -> str:
    """`a one-off $40.0M from Norbridge Labs` (`one-offs of ... from A, B` for several payers),
    the one wording of a period's one-offs in charts, slides and the report."""
    payers = [name for name in (counterparties or "").split(", ") if name]
    source = f" from {label(', '.join(payers))}" if payers else ""
    return f"one-offs of {amount}{source}" if len(payers) > 1 else f"a one-off {amount}{source}"


def possessive(name: str) -> str:
    """`Alibaba's`, but `Tidewater Games'` and `subsidiaries'`: a name ending in s takes the
    apostrophe alone, the one rule for every title and headline."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
