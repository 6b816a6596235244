"""CSV text of a block of rows held column by column, exactly as `csv.writer` writes it.

The comment register's CSV runs to 100,000 rows of 27 columns (56 MB): `csv.writer` took over
a second of it, reading every character one at a time. Here each column is one list
comprehension and a cell is quoted only when it holds a delimiter, a quote or a line break
(`in` on a string is a memchr), which is what the writer's default dialect (excel: minimal
quoting, quotes doubled, rows ended by CRLF) does; tests/reviewtracker/test_csv_text.py
checks the two agree. Formula safety is not done here: see formula_safety.csv_columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fields(column: Sequence[object]) -> list[str]:
    """A column's cells as csv.writer writes them: text (quoted if need be), None empty."""
    try:
        return [
            ""
            if value is None
            else _quoted(value)
            if '"' in value or "," in value or "\n" in value or "\r" in value  # type: ignore[operator]
            else value
            for value in column
        ]  # type: ignore[misc]
    except TypeError:  # not text (`in` refuses numbers, dates): as csv.writer makes them text
        return _fields(
            ["" if v is None else repr(v) if type(v) is float else str(v) for v in column]
        )


def csv_text(columns: Sequence[Sequence[object]]) -> str:
    """The rows `columns` hold (one sequence per column, all as long) as CSV text, each row
    ended by CRLF. A row of one column is csv.writer's own (it quotes a lone empty cell)."""
    if not columns or not columns[0]:
        return ""
    if len(columns) < 2:
        out = io.StringIO()
        csv.writer(out).writerows(zip(*columns, strict=True))
        return out.getvalue()
    rows = zip(*map(_fields, columns), strict=True)
    return "\r\n".join(map(",".join, rows)) + "\r\n"


__all__ = ["csv_text"]
