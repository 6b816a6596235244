"""The board pack's sheets of the advisory group's own logs, for one meeting: "Actions" (the
meeting's actions by area, the earlier meetings' still open under "Previous meetings", then
those closed since the previous meeting) and "Decisions" (the meeting's). Laid out as the
papers' tables, from the same meeting_pack() as the meeting's page, so `import-actions` and
`import-decisions` read them back."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook

from importers.vocabulary import ACTION_STATUSES

from ..models import Meeting
from . import ServiceError
from .action_queries import ActionRow
from .meeting_pack import PREVIOUS_MEETINGS, MeetingPack, meeting_pack
from .meetings import meeting_by_reference, next_meeting
from .scope import Scope
from .spreadsheet import BOLD, BOX, HEAD_FILL, TOP, WRAP, header_row, set_widths, xlsx_cell

ACTION_COLUMNS = (
    ("Area", 26),
    ("Action Ref", 12),
    ("Action", 60),
    ("Owner", 26),
    ("Due Date", 12),
    ("Status", 16),
    ("Update", 50),
)
DECISION_COLUMNS = (("Area", 30), ("Dec Ref", 14), ("Decision", 100))
CLOSED_SINCE = "Closed since the previous meeting"


def pack_meeting(reference: str | None, today: date) -> Meeting | None:
    """The meeting the pack is for: `reference`'s (ServiceError if unknown), else the next."""
    if reference is None:
        return next_meeting(today)
    meeting = meeting_by_reference(reference)
    if meeting is None:
        raise ServiceError(f"no meeting {reference!r}")
    return meeting


def _heads(sheet, title: str, pack: MeetingPack | None) -> None:
    """Title rows and the paper's key/value lines (the import reads "Meeting Number" back)."""
    sheet.append([xlsx_cell(sheet, title, font=BOLD)])
    if pack is None:
        sheet.append([xlsx_cell(sheet, "No meeting recorded yet.")])
        return
    held_on = pack.meeting.held_on
    sheet.append([xlsx_cell(sheet, "Meeting Number"), xlsx_cell(sheet, pack.meeting.reference)])
    sheet.append(
        [
            xlsx_cell(sheet, "Meeting Date"),
            xlsx_cell(sheet, held_on.strftime("%d/%m/%Y") if held_on else "not set"),
        ]
    )
    sheet.append([])


def _action_row(sheet, area: str | None, row: ActionRow) -> list:
    due = row.due.strftime("%d/%m/%Y") if row.due else ""
    if row.due_note:
        due = f"{due} ({row.due_note})" if due else row.due_note
    return [
        xlsx_cell(sheet, area, font=BOLD, alignment=TOP, border=BOX),
        xlsx_cell(sheet, row.reference, alignment=TOP, border=BOX),
        xlsx_cell(sheet, row.text, alignment=WRAP, border=BOX),
        xlsx_cell(sheet, row.owner, alignment=WRAP, border=BOX),
        xlsx_cell(sheet, due, alignment=TOP, border=BOX),
        xlsx_cell(sheet, ACTION_STATUSES[row.status].label, alignment=TOP, border=BOX),
        xlsx_cell(sheet, row.update or "", alignment=WRAP, border=BOX),
    ]


def _heading(sheet, text: str) -> None:
    sheet.append([xlsx_cell(sheet, text, font=BOLD, fill=HEAD_FILL, border=BOX)])


def actions_sheet(book: Workbook, pack: MeetingPack | None) -> None:
    sheet = book.create_sheet("Actions")
    reference = pack.meeting.reference if pack else ""
    _heads(sheet, f"Actions - {reference}".strip(" -"), pack)
    header_row(sheet, [label for label, _ in ACTION_COLUMNS])
    sheet.freeze_panes = f"A{sheet.max_row + 1}"
    if pack is not None:
        for group in pack.groups:  # the area written once for its run, as the papers
            for index, row in enumerate(group.rows):
                sheet.append(_action_row(sheet, group.area if index == 0 else None, row))
        if pack.earlier_open:
            _heading(sheet, PREVIOUS_MEETINGS)
            for row in pack.earlier_open:
                sheet.append(_action_row(sheet, None, row))
        if pack.closed_since:
            _heading(sheet, CLOSED_SINCE)
            for row in pack.closed_since:
                sheet.append(_action_row(sheet, None, row))
        if not (pack.groups or pack.earlier_open or pack.closed_since):
            sheet.append([xlsx_cell(sheet, "No actions for this meeting.")])
    set_widths(sheet, [width for _, width in ACTION_COLUMNS])


def decisions_sheet(book: Workbook, pack: MeetingPack | None) -> None:
    sheet = book.create_sheet("Decisions")
    reference = pack.meeting.reference if pack else ""
    _heads(sheet, f"Decisions - {reference}".strip(" -"), pack)
    header_row(sheet, [label for label, _ in DECISION_COLUMNS])
    sheet.freeze_panes = f"A{sheet.max_row + 1}"
    previous_area = None
    for row in pack.decisions if pack else []:
        area = row.area if row.area != previous_area else None
        previous_area = row.area
        sheet.append(
            [
                xlsx_cell(sheet, area, font=BOLD, alignment=TOP, border=BOX),
                xlsx_cell(sheet, row.reference, alignment=TOP, border=BOX),
                xlsx_cell(sheet, row.text, alignment=WRAP, border=BOX),
            ]
        )
    if pack is not None and not pack.decisions:
        sheet.append([xlsx_cell(sheet, "No decisions recorded for this meeting.")])
    set_widths(sheet, [width for _, width in DECISION_COLUMNS])


def governance_sheets(book: Workbook, meeting: str | None, today: date) -> None:
    """Add the Actions and Decisions sheets for `meeting` (default: the next meeting). The
    board pack is the programme's own: the staff's scope, every item, public or not."""
    found = pack_meeting(meeting, today)
    pack = meeting_pack(found.id, Scope.staff(), today=today) if found else None
    actions_sheet(book, pack)
    decisions_sheet(book, pack)


__all__ = ["governance_sheets", "pack_meeting"]
