"""Months as the design dashboard keys them: 'YYYY-MM' text. Pure helpers, no database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from . import ServiceError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str | None) -> str:
    """'2022-04' as is; anything else is a ServiceError."""
    text = (text or "").strip()
    if not _MONTH.match(text):
        raise ServiceError(f"not a month: {text!r} (write it as YYYY-MM, e.g. 2022-04)")
    return text


def is_month(text: str | None) -> bool:
    return bool(text and _MONTH.match(text))


def previous_month(month: str) -> str:
    year, number = (int(part) for part in parse_month(month).split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def next_month(month: str) -> str:
    year, number = (int(part) for part in parse_month(month).split("-"))
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def month_label(month: str) -> str:
    """'2022-04' -> 'April 2022'."""
    return datetime.strptime(parse_month(month), "%Y-%m").strftime("%B %Y")


__all__ = [
    "current_month",
    "is_month",
    "month_label",
    "next_month",
    "parse_month",
    "previous_month",
]
