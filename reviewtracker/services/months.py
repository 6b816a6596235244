"""Months as the design dashboard keys them: 'YYYY-MM' text. Pure helpers, no database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from . import ServiceError

_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])\Z")

# The months a status may be kept for. Far wider than any programme, and narrow enough that a
# typing slip ("9999-12", "0001-01") is refused instead of becoming the dashboard's latest
# month, and that every month's neighbours are months too.
FIRST_MONTH = "2000-01"
LAST_MONTH = "2100-12"


def parse_month(text: str | None) -> str:
    """'2022-04' as is; anything else, or a month outside FIRST_MONTH..LAST_MONTH, is a
    ServiceError."""
    text = (text or "").strip()
    if not _MONTH.match(text):
        raise ServiceError(f"not a month: {text!r} (write it as YYYY-MM, e.g. 2022-04)")
    if not FIRST_MONTH <= text <= LAST_MONTH:
        raise ServiceError(f"{text} is not a month from {FIRST_MONTH} to {LAST_MONTH}")
    return text


def is_month(text: str | None) -> bool:
    """True for YYYY-MM from FIRST_MONTH to LAST_MONTH (what `parse_month` accepts)."""
    return bool(text and _MONTH.match(text) and FIRST_MONTH <= text <= LAST_MONTH)


def _shift(month: str, months: int) -> str:
    """The month `months` after `month`: YYYY-MM of any year (a month stored before the range
    was checked has neighbours too); anything else is a ServiceError."""
    match = _MONTH.match((month or "").strip())
    if match is None:
        raise ServiceError(f"not a month: {month!r} (write it as YYYY-MM, e.g. 2022-04)")
    index = int(match.group(1)) * 12 + int(match.group(2)) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(month: str) -> str:
    return _shift(month, -1)


def next_month(month: str) -> str:
    return _shift(month, 1)


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def month_label(month: str | None) -> str:
    """'2022-04' -> 'April 2022'. A stored month that is no calendar month (from before the
    range was checked) is shown as it is."""
    try:
        return datetime.strptime(month or "", "%Y-%m").strftime("%B %Y")
    except ValueError:
        return month or ""


def neighbour_in_range(month: str) -> str | None:
    """`month` if it is one a page may link to (see `is_month`), else None."""
    return month if is_month(month) else None


__all__ = [
    "FIRST_MONTH",
    "LAST_MONTH",
    "current_month",
    "is_month",
    "month_label",
    "neighbour_in_range",
    "next_month",
    "parse_month",
    "previous_month",
]
