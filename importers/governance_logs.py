"""Read the advisory group's action log and decision log into records plus a problem report.

The layouts are the papers' (a Word table pasted into Excel, or kept in Excel):

- Actions: Area | Action Ref | Action | Owner | Due Date, with Date (raised), Status and
  Update columns in some papers, and a first column of labels ("Actions") in others.
- Decisions: Area | Dec Ref | Decision, the decision in paragraphs and numbered points.

The area is written once for a run of rows: the cells below it are blank, or merged with it
(both read as the area above). A row naming only an area is a heading for the rows below it;
"Previous meetings" (or "Previous Meeting(s)") starts the earlier meetings' actions, whose
area the paper does not give. Title rows and a key/value block may sit above the table:
"Meeting Number | DAG013", "Meeting Date and Time | 28 July 2022 09:30-14:00",
"Classification | Public".

Pure Python: no Flask, no database. Never raises for bad input: everything wrong is a Problem
naming the file, sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .governance import (
    ACTION_REF_HINT,
    DECISION_REF_HINT,
    MEETING_REF_HINT,
    STATUS_HINT,
    due_date,
    leading_date,
    normalise_action_ref,
    normalise_decision_ref,
    normalise_meeting_ref,
    parse_action_ref,
    read_status,
    tidy_update,
)
from .normalise import normalise_artefact_ref, normalise_header, synonym_lookup, tidy_name
from .records import ReadResult, SheetReport
from .sheet_rows import SheetRows, TableReader, read_each_sheet
from .sources import RawSheet, Row, Source
from .table import (
    CellProblem,
    Header,
    cell_date,
    cell_text,
    find_header,
    read_context,
    sheet_report,
)

_AREA = ("Area", "Agenda Item", "Agenda Area", "Item", "Topic")
_MEETING = ("Meeting", "Meeting Ref", "Meeting Reference", "Raised At")

ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "area": _AREA,
    "reference": (
        "Action Ref",
        "Ref",
        "Action Reference",
        "Action No",
        "Action Number",
        "Action ID",
        "Reference",
    ),
    "raised_on": ("Date", "Date Raised", "Raised", "Raised On", "Date Opened"),
    "action": ("Action", "Action Description", "Description", "Action Text"),
    "owner": ("Owner", "Action Owner", "Owner(s)", "Responsible", "Lead"),
    "due": ("Due Date", "Due", "Due By", "Target Date", "Deadline"),
    "status": ("Status", "Action Status", "Current Status"),
    "update": ("Update", "Updates", "Latest Update", "Progress Update", "Status Update"),
    "meeting": _MEETING,
}
DECISION_FIELDS: dict[str, tuple[str, ...]] = {
    "area": _AREA,
    "reference": (
        "Dec Ref",
        "Ref",
        "Decision Ref",
        "Decision Reference",
        "Decision No",
        "Decision Number",
        "Decision ID",
        "Reference",
    ),
    "decision": ("Decision", "Decision Text", "Decisions", "Description"),
    "artefacts": ("Artefacts", "Artefact", "Design Artefacts", "Linked Artefacts", "Artifacts"),
    "meeting": _MEETING,
}
# The key/value lines above a table: the paper's meeting, its date, its classification.
CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "meeting": ("Meeting Number", "Meeting", "Meeting No", "Meeting Ref", "Meeting Reference"),
    "meeting_date": ("Meeting Date and Time", "Meeting Date", "Date of Meeting"),
    "classification": ("Classification", "Document Classification"),
}
ACTION_LOOKUP = synonym_lookup(ACTION_FIELDS)
DECISION_LOOKUP = synonym_lookup(DECISION_FIELDS)
CONTEXT_LOOKUP = synonym_lookup(CONTEXT_FIELDS)

# Headings of rows that belong to no area of this meeting: the earlier meetings' actions, and
# (in the board pack's Actions sheet) those closed since the previous meeting. Folded by
# normalise_header; a heading starting with one of these counts.
_NO_AREA_HEADINGS = ("previous meeting", "closed since")
NO_ACTION_TABLE = (
    "no action table found: no sheet has a header row with an 'Action Ref' (or 'Ref') column "
    "and an 'Action' column in its first 40 rows"
)
NO_DECISION_TABLE = (
    "no decision table found: no sheet has a header row with a 'Dec Ref' (or 'Ref') column "
    "and a 'Decision' column in its first 40 rows"
)


@dataclass(slots=True)
class ActionRecord:
    """One action as the log writes it, normalised but not yet matched to the database."""

    sheet: str
    row: int  # 1-based, as Excel shows it
    reference: str  # "DAG13-04", upper-cased, no spaces
    text: str
    meeting: str | None  # "DAG013": from the Meeting column, else from the reference
    area: str | None = None  # None: the log doesn't say (a "Previous meetings" row)
    owner: str = ""
    due: date | None = None
    due_note: str | None = None  # "ASAP", or what follows a due date
    raised_on: date | None = None
    status: str | None = None  # a key of ACTION_STATUSES; None: the log says nothing
    update: str | None = None  # the status cell's words after the status, and the Update cell
    previous: bool = False  # listed under "Previous meetings"


@dataclass(slots=True)
class DecisionRecord:
    sheet: str
    row: int
    reference: str  # "DAG-DEC-29"
    text: str  # paragraphs and numbered points, line breaks kept
    meeting: str | None  # from the Meeting column, else the paper's meeting line
    area: str | None = None
    artefacts: list[str] = field(default_factory=list)  # canonical references


@dataclass(slots=True)
class GovernanceReadResult(ReadResult):
    """A read log, plus what the lines above its tables say about the paper."""

    meeting: str | None = None  # the paper's meeting ("Meeting Number | DAG013")
    meeting_date: date | None = None
    public: bool | None = None  # "Classification | Public"


def read_action_log(source: Source, *, filename: str | None = None) -> GovernanceReadResult:
    """Read an action log (.xlsx or .csv) into ActionRecords."""
    return _read(source, filename, _ActionReader, NO_ACTION_TABLE)


def read_decision_log(source: Source, *, filename: str | None = None) -> GovernanceReadResult:
    """Read a decision log (.xlsx or .csv) into DecisionRecords."""
    return _read(source, filename, _DecisionReader, NO_DECISION_TABLE)


def _read(
    source: Source, filename: str | None, reader: type[TableReader], no_table: str
) -> GovernanceReadResult:
    read = read_each_sheet(source, filename, reader, no_table)
    result = GovernanceReadResult(
        file=read.file,
        records=read.records,
        problems=read.problems,
        sheets=read.sheets,
        encoding=read.encoding,
    )
    for sheet in read.sheets:  # the first sheet that says wins
        context = sheet.context
        if result.meeting is None and context.get("meeting"):
            result.meeting = normalise_meeting_ref(context["meeting"])
        if result.meeting_date is None and context.get("meeting_date"):
            result.meeting_date = leading_date(context["meeting_date"])
        if result.public is None and context.get("classification"):
            result.public = normalise_header(context["classification"]) == "public"
    return result


class _LogReader(TableReader):
    REQUIRED = "reference"
    TEXT: str  # the field that holds the action or decision

    def read_sheet(self, raw: RawSheet) -> None:
        report = sheet_report(self.result, raw)
        if report.skipped:
            return
        header, above, rows = find_header(raw.rows, self.LOOKUP, self.REQUIRED)
        if header is None:
            report.skipped = self.NO_HEADER if above else "empty sheet"
            return
        self.tables += 1
        block, _titles = read_context(above, CONTEXT_LOOKUP, CONTEXT_FIELDS)
        report.context = {name: item.value for name, item in block.items()}
        self._check_context(raw, block)
        self.read_table(raw, header, rows, report)

    def _check_context(self, raw: RawSheet, block: dict) -> None:
        sheet = None if raw.is_csv else raw.name
        item = block.get("meeting")
        if item is not None and normalise_meeting_ref(item.value) is None:
            self.log.add(
                f"not a meeting reference ({MEETING_REF_HINT}):",
                sheet=sheet,
                row=item.row + 1,
                column=item.label,
                column_index=item.col + raw.col_offset,
                value=item.value,
            )

    def read_table(
        self, raw: RawSheet, header: Header, rows: Iterator[Row], report: SheetReport
    ) -> None:
        sheet = None if raw.is_csv else raw.name
        if self.TEXT not in header.columns:
            self.log.add(
                f"the table (header row {header.row + 1}) has no {self.TEXT.title()} column",
                sheet=sheet,
            )
            return
        report.header_row = header.row + 1
        report.mapping, report.unmapped = header.mapping(), header.unmapped
        for name, kept, ignored in header.duplicates:
            self.log.add(
                f"two columns map to {name}: using '{header.cells[kept]}', ignoring",
                sheet=sheet,
                column=header.cells[ignored],
                column_index=ignored + raw.col_offset,
                severity="warning",
            )
        report.records = self.ROWS(self, raw, header, rows).read()


class _LogRows(SheetRows):
    """The rows of one table: the area carried down, heading rows, the common checks."""

    TEXT: str
    KIND: str  # "action" or "decision"

    def __init__(self, owner: _LogReader, raw: RawSheet, header: Header, rows: Iterator[Row]):
        super().__init__(owner, raw, header, rows)
        self.area: str | None = None
        self.previous = False

    def _value(self, row: Row, name: str) -> Any:
        col = self.columns.get(name)
        return "" if col is None else row[col]

    def _text(self, row: Row, name: str) -> str | None:
        return cell_text(self._value(row, name))

    def _carry_area(self, written: str | None) -> None:
        """A written area starts a run; "Previous meetings" starts the earlier meetings'."""
        if written is None:
            return
        if normalise_header(written).startswith(_NO_AREA_HEADINGS):
            self.previous, self.area = True, None
        else:
            self.previous, self.area = False, tidy_name(written)

    def _reference(self, number: int, written: str | None) -> str | None:
        """The row's reference, or None (reported) if it is not one, or is the file's second."""
        normalise = normalise_action_ref if self.KIND == "action" else normalise_decision_ref
        hint = ACTION_REF_HINT if self.KIND == "action" else DECISION_REF_HINT
        reference = normalise(written)
        if reference is None:
            self.log.add(
                f"not {'an action' if self.KIND == 'action' else 'a decision'} reference ({hint}):",
                row=number,
                value=written,
                **self.where("reference"),
            )
            return None
        what = f"{self.KIND} {reference} is listed twice"
        return reference if self.unique(reference, number, what, "reference", written) else None

    def _start(self, number: int, row: Row) -> tuple[str, str] | None:
        """(reference, text) of a row that holds an item; None for a blank or heading row
        (which may set the area) or a row with a problem (reported)."""
        self._carry_area(self._text(row, "area"))
        written_ref = self._text(row, "reference")
        text = cell_text(self._value(row, self.TEXT))
        if written_ref is None:
            if text is not None:
                self.log.add(
                    f"{self.KIND} without a reference: add one ({self._hint()}) or delete the row",
                    row=number,
                    **self.where("reference"),
                )
            return None
        if normalise_header(written_ref) == normalise_header(
            self.header.cells[self.columns["reference"]]
        ):
            return None  # the header row again (a table continued on a new page)
        reference = self._reference(number, written_ref)
        if reference is None:
            return None
        if text is None:
            self.log.add(
                f"{self.KIND} {reference} has no text", row=number, **self.where(self.TEXT)
            )
            return None
        return reference, text

    def _hint(self) -> str:
        return ACTION_REF_HINT if self.KIND == "action" else DECISION_REF_HINT

    def _meeting(self, number: int, row: Row) -> tuple[bool, str | None]:
        """(ok, meeting) from the row's Meeting column; (True, None) if it has none."""
        written = self._text(row, "meeting")
        if written is None:
            return True, None
        meeting = normalise_meeting_ref(written)
        if meeting is None:
            self.log.add(
                f"not a meeting reference ({MEETING_REF_HINT}):",
                row=number,
                value=written,
                **self.where("meeting"),
            )
            return False, None
        return True, meeting


class _ActionRows(_LogRows):
    TEXT = "action"
    KIND = "action"

    def record(self, number: int, row: Row) -> ActionRecord | None:
        started = self._start(number, row)
        if started is None:
            return None
        reference, text = started
        ok, meeting = self._meeting(number, row)
        if meeting is None:
            parsed = parse_action_ref(reference)
            meeting = parsed.meeting if parsed is not None else None
        due, due_note, due_ok = self._due(number, row)
        raised_on, raised_ok = self._date(number, row, "raised_on")
        status, status_update, status_ok = self._status(number, row)
        if not (ok and due_ok and raised_ok and status_ok):
            return None
        updates = [
            text for text in (status_update, tidy_update(self._value(row, "update"))) if text
        ]
        return ActionRecord(
            sheet=self.raw.name,
            row=number,
            reference=reference,
            text=text,
            meeting=meeting,
            area=None if self.previous else self.area,
            owner=tidy_name(self._text(row, "owner") or ""),
            due=due,
            due_note=due_note,
            raised_on=raised_on,
            status=status,
            update="\n".join(updates) or None,
            previous=self.previous,
        )

    def _due(self, number: int, row: Row) -> tuple[date | None, str | None, bool]:
        try:
            due, note = due_date(self._value(row, "due"))
        except CellProblem as problem:
            self.log.add(
                problem.message, row=number, value=self._value(row, "due"), **self.where("due")
            )
            return None, None, False
        return due, note, True

    def _date(self, number: int, row: Row, name: str) -> tuple[date | None, bool]:
        value = self._value(row, name)
        try:
            return cell_date(value), True
        except CellProblem:
            self.log.add(
                "not a date (write dd/mm/yyyy):", row=number, value=value, **self.where(name)
            )
            return None, False

    def _status(self, number: int, row: Row) -> tuple[str | None, str | None, bool]:
        written = self._text(row, "status")
        if written is None:
            return None, None, True
        found = read_status(written)
        if found is None:
            self.log.add(
                f"unknown status ({STATUS_HINT}, followed by the update if you like):",
                row=number,
                value=written,
                **self.where("status"),
            )
            return None, None, False
        return found[0], found[1], True


class _DecisionRows(_LogRows):
    TEXT = "decision"
    KIND = "decision"

    def record(self, number: int, row: Row) -> DecisionRecord | None:
        started = self._start(number, row)
        if started is None:
            return None
        reference, text = started
        ok, meeting = self._meeting(number, row)
        artefacts, artefacts_ok = self._artefacts(number, row)
        if not (ok and artefacts_ok):
            return None
        return DecisionRecord(
            sheet=self.raw.name,
            row=number,
            reference=reference,
            text=text,
            meeting=meeting,
            area=self.area,
            artefacts=artefacts,
        )

    def _artefacts(self, number: int, row: Row) -> tuple[list[str], bool]:
        """'BP004, MHHSP-IF005; DES138' -> ['BP004', 'IF005', 'DES138']."""
        written = self._text(row, "artefacts")
        if written is None:
            return [], True
        found: list[str] = []
        for part in written.replace(";", ",").replace("\n", ",").split(","):
            if not part.strip():
                continue
            reference = normalise_artefact_ref(part)
            if reference is None:
                self.log.add(
                    "not an artefact reference (like BP004):",
                    row=number,
                    value=part.strip(),
                    **self.where("artefacts"),
                )
                return [], False
            if reference not in found:
                found.append(reference)
        return found, True


class _ActionReader(_LogReader):
    LOOKUP = ACTION_LOOKUP
    TEXT = "action"
    ROWS = _ActionRows
    NO_HEADER = "no header row with an Action Ref column"


class _DecisionReader(_LogReader):
    LOOKUP = DECISION_LOOKUP
    TEXT = "decision"
    ROWS = _DecisionRows
    NO_HEADER = "no header row with a decision reference column"


__all__ = [
    "ACTION_FIELDS",
    "DECISION_FIELDS",
    "ActionRecord",
    "DecisionRecord",
    "GovernanceReadResult",
    "read_action_log",
    "read_decision_log",
]
