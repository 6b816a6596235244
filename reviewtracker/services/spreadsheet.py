"""Writing spreadsheets safely: the one cell helper every export uses, and its house style.

Formula injection: a comment is text from outside. Every value goes through one helper
(`xlsx_cell` / `xlsx_value` for xlsx, `csv_value` for CSV) that makes text starting with `=`,
`+`, `-`, `@`, a tab or a carriage return inert: in xlsx it is stored as a string cell (never a
formula) with Excel's own "quote prefix" flag; in CSV it gets a leading `'`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..extensions import db

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"

# Text that a spreadsheet would read as a formula (or a DDE call) when it starts with these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit for the text of one cell.
MAX_CELL_TEXT = 32_767
# Rows fetched from the database at a time (and ids per IN (...) list, well under every
# backend's limit on bound parameters).
CHUNK_ROWS = 500

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="E9EEF5")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="D9DEE4")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would run as a formula if it were typed in."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def clean_text(value: str) -> str:
    """Text as an xlsx cell can hold it: no XML-illegal control characters, Excel's length."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]


def xlsx_cell(sheet: Any, value: object, **style: Any) -> Cell:
    """A cell for `sheet.append([...])`: every xlsx export writes every value through here.

    Text is always a string cell (openpyxl would otherwise store "=..." as a formula), and
    formula-like text also gets Excel's quote prefix, so editing the cell keeps it text.
    `style`: font, fill, alignment, border, number_format.
    """
    if isinstance(value, str):
        value = clean_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def xlsx_value(sheet: Any, value: object) -> object:
    """`value` for `sheet.append` as it is when openpyxl would store it unchanged (a number,
    a date, None, plain text), else its `xlsx_cell`: a cell object per value costs a third of a
    large register's time, and most values need none."""
    if value is None or isinstance(value, int | float | date):
        return value
    if isinstance(value, str) and not looks_like_formula(value) and value == clean_text(value):
        return value
    return xlsx_cell(sheet, value)


def csv_value(value: object) -> object:
    """A value for the CSV writer: formula-like text gets a leading quote; dates ISO."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if looks_like_formula(value):
        return "'" + value
    return value


# A formula trigger at the start of a line: in a column's cells joined by line feeds, where
# each cell starts (or where a cell's own line starts: then the column is looked at cell by cell).
_TRIGGER_AFTER_LINE_FEED = re.compile("\n[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def csv_rows(block: Sequence[Sequence[object]]) -> Sequence[Sequence[object]]:
    """csv_value over a block of rows (each row one value per column, its type the column's),
    for a register that runs to millions of cells. The block's text is joined and searched
    once for a trigger at a line start; only when one is there is each text cell csv_value'd.
    Numbers and None go as they are (the csv writer writes None as an empty field); dates and
    anything else through csv_value, by column."""
    if not block:
        return block
    kinds = [
        type(next((row[column] for row in block if row[column] is not None), None))
        for column in range(len(block[0]))
    ]
    others = [column for column, kind in enumerate(kinds) if kind not in _AS_THEY_ARE]
    moments = [column for column, kind in enumerate(kinds) if kind is datetime]
    others = [column for column in others if column not in moments]
    text = "\n".join(filter(_is_text, chain.from_iterable(block)))
    risky = _TRIGGER_AFTER_LINE_FEED.search("\n" + text) is not None
    if not (others or moments or risky):
        return block
    rows = []
    for values in block:
        row = [csv_value(v) if type(v) is str else v for v in values] if risky else list(values)
        for column in moments:  # csv_value's format, without its checks: 100,000 a register
            moment = row[column]
            if moment is not None:
                row[column] = moment.isoformat(sep=" ", timespec="seconds")  # type: ignore[attr-defined]
        for column in others:
            row[column] = csv_value(row[column])
        rows.append(row)
    return rows


# Written by the csv writer as they are: str(date) is its ISO form too, as csv_value writes it.
_AS_THEY_ARE = (str, int, float, date, type(None))
_is_text = str.__instancecheck__


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def set_widths(sheet: Any, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def title_rows(sheet: Worksheet, title: str, subtitle: str = "") -> None:
    """Rows 1-2: the sheet's title (and what it covers); the table starts on row 3."""
    sheet.append([xlsx_cell(sheet, title, font=TITLE)])
    sheet.append([xlsx_cell(sheet, subtitle)] if subtitle else [])


def header_row(sheet: Any, labels: Iterable[str | None]) -> None:
    sheet.append(
        [
            xlsx_cell(sheet, label, font=BOLD, fill=HEAD_FILL, alignment=CENTRE, border=BOX)
            for label in labels
        ]
    )


def stream(query) -> Iterator[Sequence]:
    """Rows of a column query, fetched CHUNK_ROWS at a time (a server-side cursor where the
    database has one), never as ORM objects."""
    result = db.session.execute(query, execution_options={"yield_per": CHUNK_ROWS})
    for partition in result.partitions():
        yield from partition


__all__ = [
    "BOLD",
    "BOX",
    "CENTRE",
    "CHUNK_ROWS",
    "CSV_MIMETYPE",
    "FORMULA_TRIGGERS",
    "MAX_CELL_TEXT",
    "HEAD_FILL",
    "TITLE",
    "TOP",
    "WRAP",
    "XLSX_MIMETYPE",
    "xlsx_cell",
    "csv_rows",
    "csv_value",
    "header_row",
    "looks_like_formula",
    "workbook_bytes",
    "set_widths",
    "stream",
    "title_rows",
    "xlsx_value",
]
