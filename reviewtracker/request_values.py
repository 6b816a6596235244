"""Reading request values defensively, for the resolution workflow's views and filters: no
value a browser can send gets a 500. (To be replaced by `reviewtracker/inputs.py` when that
lands: the same two functions.)"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"^[0-9]{1,18}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ID = 2**31 - 1


def positive_int(value: object, maximum: int = MAX_ID) -> int | None:
    """`value` as a whole number 1..maximum if it is written in ASCII digits (trimmed), else
    None: never int() of an unchecked string ("²" and "١" are digits to str.isdigit)."""
    if value is None:
        return None
    text = str(value).strip()
    if not _ASCII_DIGITS.match(text):
        return None
    number = int(text)
    return number if 0 < number <= maximum else None


def clean_text(value: object, max_length: int) -> str:
    """`value` as text without control characters (line breaks kept), at most `max_length`."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value))[:max_length]


def flag(value: object) -> bool:
    """A checkbox or URL flag: "1", "on", "yes", "true" (any case) is set."""
    return str(value or "").strip().lower() in ("1", "on", "yes", "true")


__all__ = ["MAX_ID", "clean_text", "flag", "positive_int"]
