"""The comment register's streamed xlsx (services/xlsx_stream.py) and CSV: every cell read
back (openpyxl and calamine), formula safety, the house style, and downloads that start before
the last row is read."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from hashlib import sha256

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from reviewtracker.extensions import db
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_register import comment_register, comment_register_chunks
from reviewtracker.services.scope import Scope
from reviewtracker.services.spreadsheet import MAX_CELL_TEXT
from reviewtracker.services.xlsx_stream import StreamColumn, xlsx_stream

from .dashboard_data import add_comment

COLUMNS = [
    StreamColumn("Text", 40, wrap=True),
    StreamColumn("Plain", 12),
    StreamColumn("Number", 8),
    StreamColumn("Day", 12),
    StreamColumn("When", 18),
]
LONG = "long " * 8_000  # 40,000 characters
ROWS = [
    ['=HYPERLINK("http://evil.example","x")', "+44 20", 7, date(2024, 3, 8), None],
    ["  spaces kept  ", "-1", 2.5, None, datetime(2024, 3, 8, 9, 30)],
    ["bell\x07 and \x1b escape", "@SUM(A1)", None, None, None],
    ['<tag> & "quotes" \'', "\t=1", 0, date(1900, 3, 1), None],
    [LONG, "Ünïcödé — “quotes” £", -3, None, None],
    ["line one\nline two", None, None, None, None],
]


def workbook_bytes(rows=ROWS) -> bytes:
    return b"".join(xlsx_stream("Log's sheet", COLUMNS, iter(rows)))


def test_every_cell_reads_back_as_written_and_text_is_never_a_formula():
    data = workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data))["Log's sheet"]
    assert [c.value for c in sheet[1]] == [c.label for c in COLUMNS]
    got = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_col=5)]
    assert got[0] == [
        '=HYPERLINK("http://evil.example","x")',
        "+44 20",
        7,
        datetime(2024, 3, 8),
        None,
    ]
    assert got[1] == ["  spaces kept  ", "-1", 2.5, None, datetime(2024, 3, 8, 9, 30)]
    assert got[2] == [
        "bell and  escape",
        "@SUM(A1)",
        None,
        None,
        None,
    ]  # control characters dropped
    assert got[3] == ['<tag> & "quotes" \'', "\t=1", 0, datetime(1900, 3, 1), None]
    assert got[4][0] == LONG[:MAX_CELL_TEXT] and got[4][1:3] == ["Ünïcödé — “quotes” £", -3]
    assert got[5][0] == "line one\nline two"
    for row in sheet.iter_rows(min_row=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@", "\t"))
    assert sheet["A2"].number_format == "General" and sheet["D2"].number_format == "mm-dd-yy"
    assert sheet["E3"].number_format == "yyyy-mm-dd hh:mm"


def test_the_house_style_header_widths_wrapping_frozen_and_filtered():
    sheet = load_workbook(io.BytesIO(workbook_bytes()))["Log's sheet"]
    header = sheet[1]
    assert all(c.font.bold and c.fill.fgColor.rgb == "FFE9EEF5" for c in header)
    assert header[0].border.left.style == "thin"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E1"
    assert [sheet.column_dimensions[letter].width for letter in "ABCDE"] == [40, 12, 8, 12, 18]
    assert sheet["A3"].alignment.wrap_text and not sheet["B3"].alignment.wrap_text
    assert sheet["A2"].alignment.wrap_text  # the quote prefix keeps the column's wrapping


def test_calamine_reads_it_too():
    """Our own reader (as a reviewer's re-upload would be read) gets the same values."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook_bytes())).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0] == [c.label for c in COLUMNS]
    assert rows[1][:3] == ['=HYPERLINK("http://evil.example","x")', "+44 20", 7.0]
    assert len(rows) == 1 + len(ROWS)


def test_the_bytes_leave_before_the_last_row_is_read():
    read = []

    def rows():
        for number in range(1, 2_001):
            read.append(number)
            # Text that compresses little, so that the compressor has bytes to hand on.
            yield [sha256(str(number).encode()).hexdigest() * 2, None, number, None, None]

    stream = xlsx_stream("Comments", COLUMNS, rows())
    first = next(stream)
    assert first.startswith(b"PK\x03\x04") and read == []  # the parts before the rows
    second = next(stream)
    assert second and len(read) < 2_000  # compressed rows out while rows are still unread
    data = first + second + b"".join(stream)
    sheet = load_workbook(io.BytesIO(data))["Comments"]
    assert sheet.max_row == 2_001 and sheet["C2001"].value == 2_000


@pytest.mark.usefixtures("app_context")
def test_the_register_streams_the_same_workbook():
    add_comment("BP004", "=1+1 a formula", reviewer="@Bob", raised_on=date(2024, 3, 8))
    f = CommentFilter(scope=Scope.staff())
    chunks = list(comment_register_chunks(f))
    assert len(chunks) > 1 and b"".join(chunks) == comment_register(f)
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
    header = [c.value for c in sheet[1]]
    row = {label: sheet.cell(2, i + 1) for i, label in enumerate(header)}
    assert row["Reviewer Comment"].value == "=1+1 a formula" and row["Reviewer Comment"].quotePrefix
    assert row["Date Raised"].value == datetime(2024, 3, 8)
    assert isinstance(row["Comment"].value, int)


def test_the_downloads_are_streamed(app, client, login):
    with app.app_context():
        for number in range(3):
            add_comment("BP004", f"Comment {number}, with a comma")
        db.session.commit()
    login("viewer")
    response = client.get("/exports/comments.xlsx", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Length" not in response.headers
    assert response.headers["Content-Disposition"] == "attachment; filename=comments.xlsx"
    assert response.headers["Cache-Control"] == "private, no-store"
    data = b"".join(response.response)
    response.close()
    assert load_workbook(io.BytesIO(data)).active.max_row == 4
    response = client.get("/exports/comments.csv?tranche=1", buffered=False)
    assert response.is_streamed and response.mimetype == "text/csv"
    text = b"".join(response.response).decode("utf-8-sig")
    response.close()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["Reviewer Comment"] for row in rows] == [
        f"Comment {n}, with a comma" for n in range(3)
    ]


def test_csv_rows_neutralise_every_trigger_and_leave_the_rest():
    from reviewtracker.services.formula_safety import csv_rows

    def written(block) -> list[list[str]]:
        out = io.StringIO()
        csv.writer(out).writerows(csv_rows(block))
        return list(csv.reader(io.StringIO(out.getvalue(), newline="")))

    plain = [[1, "BP004", "a\n- a bullet, not a formula", None, date(2024, 3, 8)]]
    assert written(plain) == [["1", "BP004", "a\n- a bullet, not a formula", "", "2024-03-08"]]
    block = [
        [1, "=SUM(A1)", "fine", None, datetime(2024, 3, 8, 9, 30, 15, 120)],
        [2, "fine", "\tx", 2.5, None],
        [3, "-1", "line\n=not at the start of the cell", None, None],
    ]
    assert written(block) == [
        ["1", "'=SUM(A1)", "fine", "", "2024-03-08 09:30:15"],
        ["2", "fine", "'\tx", "2.5", ""],
        ["3", "'-1", "line\n=not at the start of the cell", "", ""],
    ]
    # The rule of formula_safety: after leading spaces or invisible characters, full width.
    hidden = [[1, "  =1+1"], [2, "\u200b+cmd"], [3, "＝1"], [4, "plain"], [5, "\x01x"]]
    assert written(hidden) == [
        ["1", "'  =1+1"],
        ["2", "'\u200b+cmd"],
        ["3", "'＝1"],
        ["4", "plain"],
        ["5", "'\x01x"],
    ]
    quiet = [[1, "a", None, date(2024, 3, 8)], [2, "b", 3.0, None]]
    assert csv_rows(quiet) is quiet  # nothing to do: the block as it is
