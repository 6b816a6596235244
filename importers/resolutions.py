"""Read a resolutions workbook (exported by reviewtracker, edited offline) back into records:
one per row, matched later by its comment id.

Columns are found by their header, wherever they are (the editor may reorder, add or delete
columns, sort, filter and delete rows); dispositions are read as comment logs write them
(`normalise_disposition`). Only the columns present are read: a record's `values` holds the
fields whose column the sheet has. Every problem names the file, sheet, row and column.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .normalise import normalise_disposition, synonym_lookup
from .records import ReadResult, SheetReport
from .sheet_rows import SheetRows, TableReader, read_each_sheet
from .sources import RawSheet, Row, Source
from .table import CellProblem, Header, cell_date, cell_text

# The workbook's columns: its stable comment id, the comment's stamp at export (hidden), and
# the editable fields. Other columns (the reviewer's text, the editor's own) are not read.
RESOLUTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "comment_ref": ("Comment Ref", "Comment Reference", "Tracker Ref", "Tracker ID"),
    "stamp": ("Stamp", "Export Stamp", "Version Stamp"),
    "disposition": ("Disposition", "Status", "Comment Status", "Resolution"),
    "response": ("Response", "Programme Response", "Design Team Response"),
    "assignee": ("Assignee", "Assigned To"),
    "working_group": ("Working Group", "Group"),
    "due_date": ("Due Date", "Due", "Action Due"),
    "implemented_in": ("Implemented In", "Implemented In Version"),
}
EDITABLE = ("disposition", "response", "assignee", "working_group", "due_date", "implemented_in")
RESOLUTION_LOOKUP = synonym_lookup(RESOLUTION_COLUMNS)
NO_TABLE = (
    "no resolutions table found: no sheet has a header row with a 'Comment Ref' column in its "
    "first rows (export the workbook again from reviewtracker)"
)
_REF = re.compile(r"^#?\s*([0-9]{1,12})$")


@dataclass(slots=True)
class ResolutionRecord:
    """One row of a resolutions workbook: the comment it is about, its stamp at export, and
    the values of the editable columns the sheet has (None: blank)."""

    sheet: str
    row: int
    comment_id: int
    stamp: int | None
    values: dict[str, Any] = field(default_factory=dict)


def read_resolutions(source: Source, *, filename: str | None = None) -> ReadResult:
    """Read a resolutions workbook. Never raises for bad input: everything wrong is a Problem.
    A value that cannot be read (an unknown disposition, a date that is none) is a problem
    and leaves that field out of the row's values; the row's other values stay."""
    return read_each_sheet(source, filename, _ResolutionsReader, NO_TABLE)


class _ResolutionsReader(TableReader):
    LOOKUP = RESOLUTION_LOOKUP
    REQUIRED = "comment_ref"
    NO_HEADER = "no header row with a 'Comment Ref' column"

    def read_table(
        self, raw: RawSheet, header: Header, rows: Iterator[Row], report: SheetReport
    ) -> None:
        report.header_row = header.row + 1
        report.mapping, report.unmapped = header.mapping(), header.unmapped
        for field_name, kept, ignored in header.duplicates:
            self.log.add(
                f"two columns map to {field_name}: using '{header.cells[kept]}', ignoring",
                sheet=None if raw.is_csv else raw.name,
                column=header.cells[ignored],
                column_index=ignored + raw.col_offset,
                severity="warning",
            )
        report.records = _Rows(self, raw, header, rows).read()


class _Rows(SheetRows):
    def record(self, number: int, row: Row) -> ResolutionRecord | None:
        written = cell_text(row[self.columns["comment_ref"]])
        if written is None:
            if any(cell_text(row[col]) for col in self.columns.values()):
                self.log.add(
                    "a row without a comment ref: it cannot be matched (left out)",
                    row=number,
                    severity="warning",
                    **self.where("comment_ref"),
                )
            return None
        found = _REF.match(written)
        if found is None:
            self.log.add(
                "not a comment ref {value} (the number reviewtracker wrote)",
                row=number,
                value=written,
                **self.where("comment_ref"),
            )
            return None
        comment_id = int(found.group(1))
        what = f"comment ref {comment_id} twice"
        if not self.unique(comment_id, number, what, "comment_ref", written):
            return None
        return ResolutionRecord(
            sheet=self.raw.name,
            row=number,
            comment_id=comment_id,
            stamp=self._stamp(number, row),
            values=self._values(number, row),
        )

    def _stamp(self, number: int, row: Row) -> int | None:
        if "stamp" not in self.columns:
            return None
        written = cell_text(row[self.columns["stamp"]])
        if written is None:
            return None
        if not written.isascii() or not written.isdigit() or len(written) > 12:
            self.log.add("not a stamp {value}", row=number, value=written, **self.where("stamp"))
            return None
        return int(written)

    def _values(self, number: int, row: Row) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in EDITABLE:
            if name not in self.columns:
                continue
            cell = row[self.columns[name]]
            try:
                values[name] = self._value(name, cell)
            except CellProblem as problem:
                self.log.add(
                    f"{problem.message}: left as it is",
                    row=number,
                    value=cell_text(cell),
                    **self.where(name),
                )
        return values

    @staticmethod
    def _value(name: str, cell: Any) -> Any:
        text = cell_text(cell)
        if name == "disposition":
            key = normalise_disposition(text)
            if key is None:
                raise CellProblem("not a disposition")
            return key
        if name == "due_date":
            return None if text is None else cell_date(cell)
        if name == "response":
            # Kept as written (line breaks included), blank as None.
            return text
        if name in ("assignee", "working_group"):
            return " ".join(text.split()) if text else None
        return text


__all__ = [
    "EDITABLE",
    "RESOLUTION_COLUMNS",
    "ResolutionRecord",
    "read_resolutions",
]
