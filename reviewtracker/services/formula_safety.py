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


def csv_rows(block: Sequence[Sequence[object]]) -> Sequence[Sequence[object]]:
    """csv_cell over a block of rows (each row one value per column, its type the column's),
    for a register that runs to millions of cells. The block's text is joined and searched
    once for what could be a formula; only when something is found is each text cell
    csv_cell'd. Numbers and None go as they are (the csv writer writes None as an empty
    field); date-times as csv_cell writes them, anything else through csv_cell, by column."""
    if not block:
        return block
    kinds = [
        type(next((row[column] for row in block if row[column] is not None), None))
        for column in range(len(block[0]))
    ]
    moments = [column for column, kind in enumerate(kinds) if kind is datetime]
    others = [c for c, kind in enumerate(kinds) if kind not in _AS_THEY_ARE and c not in moments]
    text = "\n".join(filter(_is_text, chain.from_iterable(block)))
    risky = _MAYBE_FORMULA.search("\n" + text) is not None
    if not (others or moments or risky):
        return block
    rows = []
    for values in block:
        row = [csv_cell(v) if type(v) is str else v for v in values] if risky else list(values)
        for column in moments:  # csv_cell's format without its checks: 100,000 a register
            if (moment := row[column]) is not None:
                row[column] = moment.isoformat(sep=" ", timespec="seconds")  # type: ignore[attr-defined]
        for column in others:
            row[column] = csv_cell(row[column])
        rows.append(row)
    return rows


__all__ = ["FORMULA_CHARACTERS", "FORMULA_TRIGGERS", "csv_cell", "csv_rows", "looks_like_formula"]
