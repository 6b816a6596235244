"""Read a list of organisations invited to a review round (Organisation, Constituency) into
InvitationRecords. Pure Python: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterator

from .normalise import fold_name, match_constituency, synonym_lookup, tidy_name
from .records import InvitationRecord, ReadResult, SheetReport
from .sheet_rows import SheetRows, TableReader, read_each_sheet
from .sources import RawSheet, Row, Source
from .table import Header, cell_text

INVITATION_FIELDS: dict[str, tuple[str, ...]] = {
    "organisation": ("Organisation", "Organization", "Company", "Participant", "Name"),
    "constituency": ("Constituency", "Participant Category", "Category"),
}
INVITATION_LOOKUP = synonym_lookup(INVITATION_FIELDS)
NO_TABLE = (
    "no list of organisations found: no sheet has a header row with an 'Organisation' column "
    "in its first 40 rows"
)


def read_invitation_list(source: Source, *, filename: str | None = None) -> ReadResult:
    """Read the list; never raises for bad input: everything wrong is a Problem."""
    return read_each_sheet(source, filename, _Reader, NO_TABLE)


class _Reader(TableReader):
    LOOKUP = INVITATION_LOOKUP
    REQUIRED = "organisation"
    NO_HEADER = "no header row with an Organisation column"

    def read_table(
        self, raw: RawSheet, header: Header, rows: Iterator[Row], report: SheetReport
    ) -> None:
        report.header_row = header.row + 1
        report.mapping, report.unmapped = header.mapping(), header.unmapped
        report.records = _Rows(self, raw, header, rows).read()


class _Rows(SheetRows):
    def record(self, number: int, row: Row) -> InvitationRecord | None:
        name = cell_text(row[self.columns["organisation"]])
        if name is None:
            return None
        written = (
            cell_text(row[self.columns["constituency"]]) if "constituency" in self.columns else None
        )
        constituency = match_constituency(written) if written else None
        if written and constituency is None:
            self.log.add(
                "unknown constituency {value}: not one of the reference list",
                row=number,
                value=written,
                **self.where("constituency"),
            )
            return None
        if not self.unique(
            fold_name(name), number, "organisation listed twice", "organisation", name
        ):
            return None
        return InvitationRecord(self.raw.name, number, tidy_name(name), constituency)
