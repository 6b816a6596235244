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

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from itertools import chain

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


# A superset of the cells looks_like_formula finds, in a block's text joined by line feeds: a
# line start (each cell's, and each line's inside a cell) followed by a control character, or
# by characters that are not letters or digits (where whitespace and invisible characters
# are) up to a formula character. Linear: the run stops at a line feed, so runs never overlap.
_MAYBE_FORMULA = re.compile(
    "\n(?:[\x00-\x1f\x7f-\x9f]|[^\\w\n]*[" + re.escape(FORMULA_CHARACTERS) + "])"
)
# Written by the csv writer as they are: str(date) is its ISO form too, as csv_cell writes it.
_AS_THEY_ARE = (str, int, float, date, type(None))
_is_text = str.__instancecheck__


def csv_columns(columns: Sequence[Sequence[object]]) -> list[Sequence[object]]:
    """csv_cell over a block of rows held column by column (each column one type, or None),
    for a register that runs to millions of cells. The block's text is joined and searched
    once for what could be a formula; only when something is found is each text cell
    csv_cell'd. Numbers, dates and None are left as they are (the CSV writer writes them);
    date-times as csv_cell writes them, anything else through csv_cell, by column. A column
    with nothing to change is returned as it is."""
    text = "\n".join(filter(_is_text, chain.from_iterable(columns)))
    risky = _MAYBE_FORMULA.search("\n" + text) is not None
    return [_safe_column(column, risky) for column in columns]


def _safe_column(column: Sequence[object], risky: bool) -> Sequence[object]:
    kind = type(next((value for value in column if value is not None), None))
    if risky:
        column = [csv_cell(v) if type(v) is str else v for v in column]
    if kind is datetime:  # csv_cell's format without its checks: 100,000 a register
        return [
            None if v is None else v.isoformat(sep=" ", timespec="seconds")  # type: ignore[attr-defined]
            for v in column
        ]
    if kind not in _AS_THEY_ARE:
        return [csv_cell(v) for v in column]
    return column


def csv_rows(block: Sequence[Sequence[object]]) -> Sequence[Sequence[object]]:
    """csv_columns over a block of rows (each row one value per column, its type the
    column's): the block itself when nothing in it needs changing."""
    if not block:
        return block
    columns = list(zip(*block, strict=True))
    safe = csv_columns(columns)
    if all(new is old for new, old in zip(safe, columns, strict=True)):
        return block
    return [list(row) for row in zip(*safe, strict=True)]


__all__ = [
    "FORMULA_CHARACTERS",
    "FORMULA_TRIGGERS",
    "csv_cell",
    "csv_columns",
    "csv_rows",
    "looks_like_formula",
]
