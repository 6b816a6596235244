"""Read the "MHHS Design Dashboard" table (the DAG pack's monthly status slide, kept as a
spreadsheet) into DesignDashboardRecords.

The layout is the pack's: title rows above; a header row with Tranche | MHHS Service |
Artefacts | RAG | Planned DAG Month | Expected DAG Month | Current status and issues |
Actions to resolve, where "RAG" may be one cell merged over two columns with "Last month |
This month" in the row below it (or two headed columns "RAG Last month", "RAG This month");
the tranche written once per group and blank below it (filled down); RAG cells as words
("Green", "A", "At risk", "Complete", "TBD"). The table may repeat (tranches 1-2, then 3-4)
with a legend in between: repeated header rows and legend lines are skipped.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

from .normalise import (
    fold_name,
    header_field,
    normalise_header,
    normalise_tranche,
    synonym_lookup,
    tidy_name,
)
from .records import ReadResult, SheetReport
from .sheet_rows import SheetRows, TableReader, read_each_sheet
from .sources import RawSheet, Row, Source
from .table import Header, cell_text

# Written forms of each RAG status, keyed by vocabulary.RAG_STATUSES' keys. Matching folds
# case, spaces and punctuation (normalise_header), so "Not on track / high risk" and "not on
# track, high risk" are one synonym.
RAG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "on_track": ("Green", "G", "On track", "On target"),
    "at_risk": ("Amber", "A", "At risk", "Orange"),
    "not_on_track": (
        "Red",
        "R",
        "Not on track",
        "Not on track / high risk",
        "Not on track, at high risk",
        "Not on track / at high risk",
        "High risk",
        "At high risk",
        "Off track",
    ),
    "complete": ("Complete", "Completed", "Blue", "Done"),
    "tbd": ("TBD", "To be determined", "Grey", "Gray"),
}
_RAG_LOOKUP = synonym_lookup(RAG_SYNONYMS)

DESIGN_DASHBOARD_FIELDS: dict[str, tuple[str, ...]] = {
    "tranche": ("Tranche",),
    "service": ("MHHS Service", "Service", "Design Service"),
    "artefacts": ("Artefacts", "Artifacts", "No. of Artefacts", "Number of Artefacts"),
    "rag_last_month": (
        "RAG Last month",
        "Last month",
        "RAG (Last month)",
        "RAG - Last month",
        "Last month RAG",
        "Previous month",
    ),
    "rag_this_month": (
        "RAG This month",
        "This month",
        "RAG (This month)",
        "RAG - This month",
        "This month RAG",
        "Current month",
        "Current RAG",
    ),
    "planned": ("Planned DAG Month", "Planned DAG", "Planned DAG Date", "Planned Month"),
    "expected": ("Expected DAG Month", "Expected DAG", "Expected DAG Date", "Expected Month"),
    "status_and_issues": (
        "Current status and issues",
        "Status and issues",
        "Current status",
        "Status / issues",
        "Issues",
    ),
    "actions": ("Actions to resolve", "Actions", "Action to resolve", "Actions to Resolve Issues"),
}
DESIGN_DASHBOARD_HEADER_LOOKUP = synonym_lookup(DESIGN_DASHBOARD_FIELDS)
_SUB_HEADER_FIELDS = ("rag_last_month", "rag_this_month")
_RAG_HINT = "(use Green, Amber, Red, Complete or TBD)"
_DOTS = "●•○◉⬤ "
NO_TABLE = (
    "no design dashboard table found: no sheet has a header row with a 'MHHS Service' "
    "column in its first 40 rows"
)
# A lone "RAG" header: merged over "Last month | This month" below it, or this month's RAG.
_LONE_RAG = frozenset({"rag", "rag status"})


@dataclass(slots=True)
class DesignDashboardRecord:
    """One row of the design dashboard: a tranche x service and its status."""

    sheet: str
    row: int  # 1-based, as Excel shows it
    tranche: str  # "1".."4" or "TBC"
    service: str
    artefacts: int | None = None  # as the slide says; the app counts the register itself
    rag_last_month: str | None = None  # a key of RAG_STATUSES, None if blank
    rag_this_month: str | None = None
    planned: str | None = None  # as written: "Apr", "June", "TBC", or YYYY-MM from a date cell
    expected: str | None = None
    status_and_issues: str = ""
    actions: str = ""


def normalise_rag(value: object) -> str | None:
    """'Green', 'G', 'On track' -> 'on_track', ...; None if blank or unknown."""
    text = cell_text(value)
    if text is None:
        return None
    return _RAG_LOOKUP.get(normalise_header(text))


def read_design_dashboard(source: Source, *, filename: str | None = None) -> ReadResult:
    """Read a design dashboard (.xlsx or .csv). Never raises for bad input: everything wrong
    is a Problem naming the file, sheet, row and column."""
    return read_each_sheet(source, filename, _Reader, NO_TABLE)


def _month_text(value: Any) -> str | None:
    """A month as written ('Apr', 'June', 'TBC'); a date cell (Excel's 'Apr-22') as YYYY-MM."""
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    return cell_text(value)


def _is_sub_header(row: Row, header: Header) -> bool:
    """The row under a merged 'RAG' cell: 'Last month' and 'This month', and no service."""
    found = {
        header_field(v, DESIGN_DASHBOARD_HEADER_LOOKUP)
        for v in row
        if isinstance(v, str) and v.strip()
    }
    service_col = header.columns["service"]
    service = cell_text(row[service_col]) if service_col < len(row) else None
    return bool(found & set(_SUB_HEADER_FIELDS)) and (
        service is None or header_field(service, DESIGN_DASHBOARD_HEADER_LOOKUP) == "service"
    )


def _take_sub_header(header: Header, rows: Iterator[Row]) -> Iterator[Row]:
    """Map 'Last month' / 'This month' from the row below the header, if it is that row."""
    following = next(rows, None)
    if following is None:
        return rows
    if not _is_sub_header(following, header):
        return chain([following], rows)
    header.row += 1
    taken = set(header.columns.values())
    for col, value in enumerate(following):
        name = header_field(value, DESIGN_DASHBOARD_HEADER_LOOKUP)
        if name in _SUB_HEADER_FIELDS and name not in header.columns and col not in taken:
            header.columns[name] = col
            header.cells[col] = cell_text(value) or ""
    return rows


def _settle_rag_columns(header: Header) -> None:
    """Name the RAG columns 'RAG Last month' / 'RAG This month' in problems; a lone 'RAG'
    column with nothing below it is this month's RAG."""
    if not any(name in header.columns for name in _SUB_HEADER_FIELDS):
        taken = set(header.columns.values())
        for col, text in enumerate(header.cells):
            if col not in taken and normalise_header(text) in _LONE_RAG:
                header.columns["rag_this_month"] = col
                break
    for name in _SUB_HEADER_FIELDS:
        col = header.columns.get(name)
        if col is not None and "rag" not in normalise_header(header.cells[col]).split():
            header.cells[col] = f"RAG {header.cells[col]}"


class _Reader(TableReader):
    LOOKUP = DESIGN_DASHBOARD_HEADER_LOOKUP
    REQUIRED = "service"
    NO_HEADER = "no header row with an MHHS Service column"

    def read_table(
        self, raw: RawSheet, header: Header, rows: Iterator[Row], report: SheetReport
    ) -> None:
        rows = _take_sub_header(header, rows)
        _settle_rag_columns(header)
        if "tranche" not in header.columns:
            self.log.add(
                f"the table (header row {header.row + 1}) has no Tranche column",
                sheet=None if raw.is_csv else raw.name,
            )
            return
        report.header_row = header.row + 1
        report.mapping = header.mapping()
        mapped = set(header.columns.values())
        report.unmapped = [t for col, t in enumerate(header.cells) if t and col not in mapped]
        report.records = _SheetRows(self, raw, header, rows).read()


class _SheetRows(SheetRows):
    def __init__(self, owner: _Reader, raw: RawSheet, header: Header, rows: Iterator[Row]):
        super().__init__(owner, raw, header, rows)
        self.tranche: str | None = None  # carried down the group

    def _value(self, row: Row, name: str) -> Any:
        col = self.columns.get(name)
        return "" if col is None else row[col]

    def _text(self, row: Row, name: str) -> str | None:
        return cell_text(self._value(row, name))

    def _carry_tranche(self, number: int, row: Row, has_service: bool) -> bool:
        """Update the carried tranche from the row's own cell; False if it is unreadable."""
        written = self._text(row, "tranche")
        if written is None:
            return True
        tranche = normalise_tranche(written)
        self.tranche = tranche
        if tranche is None and has_service:
            self.log.add(
                "unknown tranche {value} (use 1, 2, 3, 4 or TBC)",
                row=number,
                value=written,
                **self.where("tranche"),
            )
            return False
        return True

    def record(self, number: int, row: Row) -> DesignDashboardRecord | None:
        service = self._text(row, "service")
        if service is not None and self._is_noise(service, row):
            return None
        if not self._carry_tranche(number, row, service is not None) or service is None:
            return None  # blank, a group heading that only sets the tranche, or a note
        service = tidy_name(service)
        if self.tranche is None:
            self.log.add(
                "no tranche for this row, and none above it in its group",
                row=number,
                **self.where("service"),
            )
            return None
        if not self._unique(number, service):
            return None
        return DesignDashboardRecord(
            sheet=self.raw.name,
            row=number,
            tranche=self.tranche,
            service=service,
            artefacts=self._artefacts(number, row),
            rag_last_month=self._rag(number, row, "rag_last_month"),
            rag_this_month=self._rag(number, row, "rag_this_month"),
            planned=_month_text(self._value(row, "planned")),
            expected=_month_text(self._value(row, "expected")),
            status_and_issues=self._text(row, "status_and_issues") or "",
            actions=self._text(row, "actions") or "",
        )

    def _is_noise(self, service: str, row: Row) -> bool:
        """A repeated header row ('MHHS Service' again, for the next tranches) or a legend line
        ('● On track') in the service column, with nothing in the RAG columns."""
        if header_field(service, DESIGN_DASHBOARD_HEADER_LOOKUP) == "service":
            self.tranche = None  # a new table starts: its first row names its tranche
            return True
        legend = service.lstrip(_DOTS).strip()
        rags_blank = all(self._text(row, n) is None for n in _SUB_HEADER_FIELDS)
        return rags_blank and (legend != service or normalise_rag(legend) is not None)

    def _rag(self, number: int, row: Row, name: str) -> str | None:
        written = self._text(row, name)
        if written is None:
            return None
        rag = normalise_rag(written)
        if rag is None:
            dot = not written.strip(_DOTS)
            self.log.add(
                ("a coloured dot {value} can't be read: write the RAG as a word " + _RAG_HINT)
                if dot
                else ("unknown RAG {value} " + _RAG_HINT),
                row=number,
                value=written,
                **self.where(name),
            )
        return rag

    def _artefacts(self, number: int, row: Row) -> int | None:
        value = self._value(row, "artefacts")
        text = cell_text(value)
        if text is None:
            return None
        if text.isdigit():
            return int(text)
        self.log.add(
            "not a number of artefacts: {value}",
            row=number,
            value=text,
            severity="warning",
            **self.where("artefacts"),
        )
        return None

    def _unique(self, number: int, service: str) -> bool:
        key = (self.tranche or "", fold_name(service))
        what = f"tranche {self.tranche} lists this service twice"
        return self.unique(key, number, what, "service", service)


__all__ = [
    "DESIGN_DASHBOARD_FIELDS",
    "RAG_SYNONYMS",
    "DesignDashboardRecord",
    "normalise_rag",
    "read_design_dashboard",
]
