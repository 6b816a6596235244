"""The register's CSV writer (services/csv_text.py) writes what csv.writer writes, and its
column-wise formula safety (formula_safety.csv_columns) what csv_cell makes of every cell."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewtracker.services.csv_text import csv_text
from reviewtracker.services.formula_safety import FORMULA_CHARACTERS, csv_cell, csv_columns

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
# Text rich in what CSV and spreadsheets treat specially.
TEXT = st.text(
    alphabet=st.sampled_from(list(",\"\r\n\t \x00\x01\u200b\u3000aZ9'é—" + FORMULA_CHARACTERS))
    | st.characters(),
    max_size=12,
)
VALUES = st.one_of(
    st.none(),
    TEXT,
    st.integers(),
    st.floats(allow_nan=False),
    st.dates(),
    st.datetimes(),
)


def _csv_writer(rows: list[list[object]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@PROPERTY
@given(st.integers(1, 4), st.lists(st.lists(VALUES, min_size=4, max_size=4), max_size=6))
def test_csv_text_writes_what_csv_writer_writes(width, rows):
    rows = [row[:width] for row in rows]
    columns = [[row[c] for row in rows] for c in range(width)]
    assert csv_text(columns) == _csv_writer(rows)


def test_csv_text_of_typed_columns():
    columns = [
        [1, 2, 3],
        ["plain", 'say "hi", twice', "two\nlines"],
        [None, 2.5, -0.0],
        [date(2024, 3, 8), None, date(1999, 12, 31)],
        ["", "\r", None],
    ]
    assert csv_text(columns) == (
        "1,plain,,2024-03-08,\r\n"
        '2,"say ""hi"", twice",2.5,,"\r"\r\n'
        '3,"two\nlines",-0.0,1999-12-31,\r\n'
    )
    assert csv_text([[], []]) == ""
    assert csv_text([[""]]) == '""\r\n'  # a lone empty cell, as csv.writer writes it


@PROPERTY
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=8))
def test_csv_columns_is_csv_cell_on_every_text(texts):
    (safe,) = csv_columns([texts])
    assert list(safe) == [None if text is None else csv_cell(text) for text in texts]


def test_csv_columns_formats_datetimes_and_leaves_the_rest():
    columns = [
        [1, 2],
        [datetime(2024, 3, 8, 9, 30, 15, 120), None],
        [date(2024, 3, 8), None],
        ["=1+1", "fine"],
    ]
    safe = csv_columns(columns)
    assert safe == [
        [1, 2],
        ["2024-03-08 09:30:15", None],
        [date(2024, 3, 8), None],
        ["'=1+1", "fine"],
    ]
    quiet = [[1, 2], ["fine", None], [2.5, None]]
    assert all(new is old for new, old in zip(csv_columns(quiet), quiet, strict=True))
