"""Readers of one table per sheet that make a record row by row (the artefact register, the
design dashboard): every sheet through the reader, and the loop over the rows below a header.

The comment log reader converts whole columns at a time instead (see comment_log.py): its
logs run to 100,000 rows, these tables to a few hundred.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .records import ReadResult, SheetReport
from .sources import OpenedSource, RawSheet, Row, Source
from .table import Header, ProblemLog, find_header, read_source, sheet_report


class TableReader:
    """Reads the one table of each sheet: finds its header row (a row naming `REQUIRED`'s
    column among others of `LOOKUP`), then hands it to `read_table`. Counts the tables found
    and keeps `seen`: what must not repeat across the file's sheets, and where it was first."""

    LOOKUP: Mapping[str, str]  # normalised header text -> field
    REQUIRED: str  # the field whose column a header row must have
    NO_HEADER: str  # why a sheet with rows but no header row is skipped

    def __init__(self, result: ReadResult, log: ProblemLog) -> None:
        self.result, self.log = result, log
        self.tables = 0
        self.seen: dict[Any, tuple[str, int]] = {}

    def read_sheet(self, raw: RawSheet) -> None:
        report = sheet_report(self.result, raw)
        if report.skipped:
            return
        header, above, rows = find_header(raw.rows, self.LOOKUP, self.REQUIRED)
        if header is None:
            report.skipped = self.NO_HEADER if above else "empty sheet"
            return
        self.tables += 1
        self.read_table(raw, header, rows, report)

    def read_table(
        self, raw: RawSheet, header: Header, rows: Iterator[Row], report: SheetReport
    ) -> None:
        """Read the rows below `header` into the result, filling the sheet's `report`."""
        raise NotImplementedError


class SheetRows:
    """The rows below one sheet's header, each made a record (or nothing) by `record`.

    Rows are padded to the mapped columns' width: a CSV row stops at its last filled cell.
    `where(field)` locates a problem in the field's column, as the sheet shows it.
    """

    def __init__(
        self,
        owner: TableReader,
        raw: RawSheet,
        header: Header,
        rows: Iterator[Row],
        columns: Mapping[str, int] | None = None,
    ) -> None:
        self.owner, self.log = owner, owner.log
        self.raw, self.header, self.rows = raw, header, rows
        self.label = None if raw.is_csv else raw.name  # a CSV has no sheet to name
        self.columns = dict(header.columns if columns is None else columns)
        self.width = max(self.columns.values()) + 1

    def where(self, name: str) -> dict[str, Any]:
        col = self.columns[name]
        return {
            "sheet": self.label,
            "column": self.header.cells[col],
            "column_index": col + self.raw.col_offset,
        }

    def unique(self, key: Any, number: int, what: str, name: str, value: str) -> bool:
        """True if row `number` is the file's first with `key`; else reports `what` with where
        the first one was, in field `name`'s column."""
        first = self.owner.seen.setdefault(key, (self.raw.name, number))
        if first == (self.raw.name, number):
            return True
        sheet = "" if self.raw.is_csv else f"sheet '{first[0]}' "
        message = f"{what} (first at {sheet}row {first[1]}):"
        self.log.add(message, row=number, value=value, **self.where(name))
        return False

    def read(self) -> int:
        """Add each row's record to the file's records; returns how many were added."""
        records = self.owner.result.records
        before = len(records)
        for number, row in enumerate(self.rows, self.header.row + 2):
            if len(row) < self.width:
                row = row + [""] * (self.width - len(row))
            record = self.record(number, row)
            if record is not None:
                records.append(record)
        return len(records) - before

    def record(self, number: int, row: Row) -> Any | None:
        """The record of sheet row `number` (1-based), or None if the row makes none."""
        raise NotImplementedError


def read_each_sheet(
    source: Source, filename: str | None, reader: type[TableReader], no_table: str
) -> ReadResult:
    """Every sheet through a `reader`; a file in which no sheet had a table is the `no_table`
    problem."""

    def read(opened: OpenedSource, result: ReadResult, log: ProblemLog) -> None:
        tables = reader(result, log)
        for raw in opened.sheets:
            tables.read_sheet(raw)
        if not tables.tables:
            log.add(no_table)

    return read_source(source, filename, read)
