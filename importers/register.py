"""Read the programme's artefact register (the "Design Artefact Tracker") into ArtefactRecords."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .normalise import (
    REGISTER_FIELDS,
    REGISTER_HEADER_LOOKUP,
    document_type,
    normalise_month,
    normalise_state,
    normalise_tranche,
    split_artefact_ref,
)
from .records import ArtefactRecord, ReadResult, SheetReport
from .sheet_rows import SheetRows, TableReader, read_each_sheet
from .sources import RawSheet, Row, Source
from .table import Header, cell_text
from .vocabulary import ARTEFACT_STATES

# Grouped trackers write these once per group and leave the rows below blank.
FILL_DOWN: tuple[str, ...] = ("tranche", "service", "document_type")
NO_TABLE = (
    "no artefact table found: no sheet has a header row with a 'Reference' column "
    "in its first 40 rows"
)


def read_artefact_register(source: Source, *, filename: str | None = None) -> ReadResult:
    """Read an artefact register. Never raises for bad input: everything wrong is a Problem."""
    return read_each_sheet(source, filename, _RegisterReader, NO_TABLE)


def _version(value: Any) -> str | None:
    """Versions stay as written: '1' -> '1', '1.2' -> '1.2'. A number cell gives 1.0 -> '1.0':
    xlsx stores 1 and 1.0 alike, and versions are major.minor."""
    return repr(value) if type(value) is float else cell_text(value)


class _RegisterReader(TableReader):
    LOOKUP = REGISTER_HEADER_LOOKUP
    REQUIRED = "reference"
    NO_HEADER = "no header row with a reference column"

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
        report.records = _SheetRows(self, raw, header, rows).read()


class _SheetRows(SheetRows):
    def __init__(
        self, owner: _RegisterReader, raw: RawSheet, header: Header, rows: Iterator[Row]
    ) -> None:
        columns = {name: col for name, col in header.columns.items() if name in REGISTER_FIELDS}
        super().__init__(owner, raw, header, rows, columns)
        self.carried: dict[str, str | None] = dict.fromkeys(FILL_DOWN)

    def _cells(self, row: Row) -> dict[str, Any]:
        values = {name: row[col] for name, col in self.columns.items()}
        month = values.pop("expected_dag_month", None)
        values = {
            name: (_version(v) if name == "version" else cell_text(v)) for name, v in values.items()
        }
        values["expected_dag_month"] = month
        for name in FILL_DOWN:
            if values.get(name) is not None:
                self.carried[name] = values[name]
        return values

    def record(self, number: int, row: Row) -> ArtefactRecord | None:
        values = self._cells(row)
        written = values.get("reference")
        if written is None:
            return None  # blank, or a group heading row that only sets the carried values
        reference, title_in_ref = split_artefact_ref(written)
        if reference is None:
            self.log.add(
                "no artefact reference (like 'BP004') in",
                row=number,
                value=written,
                **self.where("reference"),
            )
            return None
        written_tranche = values.get("tranche") or self.carried["tranche"]
        tranche = self._tranche(number, written_tranche)
        if (written_tranche and not tranche) or not self._unique(number, reference, written):
            return None
        return ArtefactRecord(
            sheet=self.raw.name,
            row=number,
            reference=reference,
            title=values.get("title") or title_in_ref or "",
            document_type=self._document_type(reference, values.get("document_type")),
            tranche=tranche,
            service=values.get("service") or self.carried["service"],
            status=values.get("status"),
            action_with=values.get("action_with"),
            version=values.get("version"),
            state=self._state(number, values.get("status")),
            expected_dag_month=self._month(number, values.get("expected_dag_month")),
            responsible=values.get("responsible"),
        )

    def _state(self, number: int, written: str | None) -> str | None:
        """The lifecycle state the status names; an unknown one is a warning (left unset)."""
        if written is None:
            return None
        state = normalise_state(written)
        if state is None:
            known = ", ".join(term.label for term in ARTEFACT_STATES)
            self.log.add(
                f"unknown state {{value}} (use one of: {known}): the artefact's state is "
                "left as it is",
                row=number,
                value=written,
                severity="warning",
                **self.where("status"),
            )
        return state

    def _month(self, number: int, written: object) -> str | None:
        """The expected DAG month as YYYY-MM; 'TBC' or blank is none, anything else a warning."""
        text = cell_text(written)
        if text is None or text.strip().upper() == "TBC":
            return None
        month = normalise_month(written)
        if month is None:
            self.log.add(
                "not a month {value} (write it as 2022-06, Jun-22 or June 2022): left blank",
                row=number,
                value=text,
                severity="warning",
                **self.where("expected_dag_month"),
            )
        return month

    def _document_type(self, reference: str, written: str | None) -> str:
        """As written on the row; else from the prefix; else the group's (carried) type."""
        if written:
            return written
        from_prefix = document_type(reference)
        if from_prefix == "Other" and self.carried["document_type"]:
            return self.carried["document_type"]
        return from_prefix

    def _tranche(self, number: int, written: str | None) -> str | None:
        if written is None:
            return None
        tranche = normalise_tranche(written)
        if tranche is None:
            self.log.add(
                "unknown tranche {value} (use 1, 2, 3, 4 or TBC)",
                row=number,
                value=written,
                **self.where("tranche"),
            )
        return tranche

    def _unique(self, number: int, reference: str, written: str) -> bool:
        what = f"duplicate artefact {reference}"
        return self.unique(reference, number, what, "reference", written)
