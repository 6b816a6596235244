"""Text a spreadsheet would run as a formula, and the one function that makes a CSV cell safe.

A comment, a response, a reviewer's name: text from outside that ends up in a spreadsheet.
Following OWASP's CSV injection guidance, a cell is dangerous when its text starts with
`=`, `+`, `-` or `@` (or their full-width forms `＝ ＋ － ＠`, which some spreadsheets read
the same), also after leading spaces, line breaks or invisible characters (a spreadsheet
skips those), or when it starts with a control character (a tab or a carriage return can
start a formula too). Such a cell is written with a leading `'`, which every spreadsheet
shows as text. The xlsx exports need no prefix: they store every text as a string cell
(never a formula) and set Excel's quote-prefix flag on the same cells (services/spreadsheet.py).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

FORMULA_CHARACTERS = "=+-@＝＋－＠"
# Starts that make a cell dangerous on their own (kept for the exports' tests and callers).
FORMULA_TRIGGERS = (*FORMULA_CHARACTERS, "\t", "\r", "\n")


def _skipped(character: str) -> bool:
    """What a spreadsheet passes over before the first character it reads: whitespace
    (line breaks included), control and format characters (zero-width space, BOM)."""
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf")


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet could run: a formula character first, also after
    whitespace or invisible characters, or a control character first."""
    if not isinstance(value, str) or not value:
        return False
    if unicodedata.category(value[0]) == "Cc":
        return True
    for character in value:
        if not _skipped(character):
            return character in FORMULA_CHARACTERS
    return False


def csv_cell(value: object) -> object:
    """A value for the CSV writer: None blank, dates ISO, formula-like text behind a `'`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if looks_like_formula(value):
        return "'" + value
    return value


__all__ = ["FORMULA_CHARACTERS", "FORMULA_TRIGGERS", "csv_cell", "looks_like_formula"]
