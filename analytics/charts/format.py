"""Axis formats in the data's currency and unit, source footnotes, and the length caps of chart text.

Vega's d3-format only knows the locale's `$`, so currency axes use a label expression that puts
the right symbol in front of a scaled number (`$120M`, `¥1.0B`); that expression never holds data
text, only symbols from `SYMBOLS` or an unknown code's ASCII letters. Every name shown in a chart
passes `label` (control characters out, at most `LABEL_LIMIT` characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analytics.text import for_renderer, shorten

SYMBOLS = {"USD": "$", "CNY": "¥", "RMB": "¥", "JPY": "¥", "EUR": "€", "GBP": "£",
           "HKD": "HK$"}
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
    return (f"(datum.value < 0 ? '−' : '') + '{symbol}' + "
            f"format(abs(datum.value) / {divisor:g}, ',.{decimals}f') + '{suffix}'")


def format_amount(value: float | None, currency: str | None, max_abs: float | None = None) -> str:
    """An amount as the axis would show it (`$120M`); `n/d` when not disclosed."""
    if value is None:
        return "n/d"
    divisor, suffix, decimals = scale_for(abs(max_abs if max_abs is not None else value))
    if divisor > 1 and abs(value) < 10 * divisor:
        decimals = max(decimals, 1)
    sign = "−" if value < 0 else ""
    return f"{sign}{currency_symbol(currency)}{abs(value) / divisor:,.{decimals}f}{suffix}"


def format_share(value: float | None, decimals: int = 1) -> str:
    """A 0..1 share as a percentage; `n/d` when not disclosed (unknown is not zero)."""
    return "n/d" if value is None else f"{value * 100:.{decimals}f}%"


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
    return (f"one-offs of {amount}{source}" if len(payers) > 1
            else f"a one-off {amount}{source}")


def possessive(name: str) -> str:
    """`Alibaba's`, but `Tidewater Games'` and `subsidiaries'`: a name ending in s takes the
    apostrophe alone, the one rule for every title and headline."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
