"""CSV exports: no cell a spreadsheet could run, whatever the reviewer typed (OWASP's CSV
injection guidance), read back from the CSV file itself; the xlsx stays safe too."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_register import comment_register, comment_register_csv
from reviewtracker.services.formula_safety import (
    FORMULA_CHARACTERS,
    csv_cell,
    looks_like_formula,
)
from reviewtracker.services.scope import Scope

from .dashboard_data import add_comment

# Text a spreadsheet reads as a formula (or a DDE call), each way the first character can hide.
DANGEROUS = {
    "equals": "=1+1",
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1+1)",
    "space then equals": " =1+1",
    "spaces and tab then plus": "  \t+1",
    "newline then minus": "\n-1+1",
    "CR LF then at": "\r\n@SUM(1)",
    "full-width equals": "＝1+1",
    "full-width plus": "＋1",
    "full-width minus": "－1",
    "full-width at": "＠SUM(1)",
    "no-break space then equals": "\u00a0=1+1",
    "zero-width space then equals": "\u200b=1+1",
    "tab": "\tanything",
    "carriage return": "\ranything",
    "escape": "\x1bx",
}
# Not in the database (PostgreSQL refuses NUL; the request guard refuses it first): checked on
# the cell function alone.
NUL = "\x00=1"
SAFE = ("Plain text", "a = b", "1+1", "", "email@example.org", "x - y")
STAFF = Scope.staff()
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _first_seen(text: str) -> str:
    """The character a spreadsheet starts reading a cell at: past whitespace and invisible
    characters."""
    for character in text:
        if not (character.isspace() or character in "\u200b\ufeff\u2060"):
            return character
    return ""


@pytest.mark.parametrize("name", list(DANGEROUS))
def test_a_dangerous_comment_is_quoted_in_the_csv(app_context, name):
    text = DANGEROUS[name]
    add_comment("BP004", text, response=text, reviewer=text)
    (row,) = _csv_rows(comment_register_csv(CommentFilter(scope=STAFF)))
    for column in ("Reviewer Comment", "Response", "Reviewer"):
        cell = row[column]
        assert cell.startswith("'"), f"{name}: {column} {cell!r}"
        # (CSV keeps a carriage return; the text is otherwise the reviewer's, after the quote.)
        assert cell[1:].replace("\r\n", "\n") == text.replace("\r\n", "\n"), (name, column)


def test_ordinary_text_is_left_as_typed(app_context):
    for text in SAFE[:-1]:
        add_comment("BP004", text)
    texts = {
        row["Reviewer Comment"]
        for row in _csv_rows(comment_register_csv(CommentFilter(scope=STAFF)))
    }
    assert texts == set(SAFE[:-1])


def test_the_xlsx_register_keeps_every_dangerous_text_as_text(app_context):
    for text in DANGEROUS.values():
        add_comment("BP004", text)
    sheet = load_workbook(io.BytesIO(comment_register(CommentFilter(scope=STAFF)))).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Reviewer Comment") + 1
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, column)
        assert cell.data_type == "s", cell.value
        # (xlsx cannot hold some control characters: dropped, what is left may be harmless.)
        assert cell.quotePrefix or not looks_like_formula(cell.value), repr(cell.value)


@PROPERTY
@given(st.text(max_size=30))
def test_no_csv_cell_starts_a_formula(text):
    cell = csv_cell(text)
    assert cell in (text, "'" + text)  # the text is kept, behind a quote if need be
    if cell == text:  # left as typed: then nothing in it starts a formula
        assert _first_seen(text) not in FORMULA_CHARACTERS or not _first_seen(text)
        assert not text or unicodedata.category(text[0]) != "Cc"


def test_a_nul_first_is_quoted():
    assert csv_cell(NUL) == "'" + NUL


@PROPERTY
@given(
    st.sampled_from(["", " ", "\t", "\n", "\r\n", "\u3000", "\u200b", "\ufeff"]),
    st.sampled_from(list(FORMULA_CHARACTERS)),
    st.text(max_size=10),
)
def test_a_formula_character_after_any_blank_start_is_quoted(blank, trigger, rest):
    assert csv_cell(blank + trigger + rest) == "'" + blank + trigger + rest
