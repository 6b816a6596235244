"""Request values parsed defensively, in one place, for the lifecycle, tracker and round views
(until the shared reviewtracker/inputs.py replaces it): a value that is not what is wanted is
None (the view ignores it, or answers 400/404 with a message), never an exception.

- digits are ASCII only ("²" and "١" are digits to str.isdigit(), not to us), and bounded;
- text loses its control characters and is cut to a length;
- a choice is one of the allowed values, or None.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

MAX_ID = 2**31 - 1
_ASCII_DIGITS = re.compile(r"^[0-9]{1,10}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def positive_int(value: object, maximum: int = MAX_ID) -> int | None:
    """1..maximum from ASCII digits, else None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not _ASCII_DIGITS.match(text):
        return None
    number = int(text)
    return number if 0 < number <= maximum else None


def clean_text(value: object, max_length: int) -> str:
    """Text without control characters (newlines and tabs kept), stripped, cut to a length."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value)).strip()[:max_length]


def choice(value: object, allowed: Collection[str]) -> str | None:
    """`value` if it is one of `allowed`, else None."""
    return value if isinstance(value, str) and value in allowed else None


def iso_date(value: object) -> date | None:
    """A YYYY-MM-DD date in ASCII digits, else None."""
    if not isinstance(value, str):
        return None
    found = _DATE.match(value.strip())
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def id_list(values: list[str], maximum_count: int = 10_000) -> list[int]:
    """The positive ids among `values` (others dropped), at most `maximum_count`."""
    ids = (positive_int(value) for value in values[:maximum_count])
    return [number for number in ids if number is not None]


__all__ = ["choice", "clean_text", "id_list", "iso_date", "positive_int"]
