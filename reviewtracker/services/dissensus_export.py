"""The dissensus log as xlsx, in the log's own shape (one row per entry: reference, title,
artefacts, comments, raised by, date, issue, programme's position, the latest meeting's
positions and tally, outcome, post-meeting update, status), and as a sheet of the board pack.
The programme's: internal notes only when asked."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importers.vocabulary import DISSENSUS_OUTCOMES, DISSENSUS_STATUSES

from . import ServiceError
from .dissensus import EntryFilter, EntryRow, entries, meetings
from .scope import Scope, require
from .spreadsheet import WRAP, header_row, set_widths, title_rows, workbook_bytes, xlsx_cell

COLUMNS = (
    ("Ref", 8),
    ("Title", 36),
    ("Design Artefacts", 16),
    ("Comments", 12),
    ("Raised By", 24),
    ("Constituency", 24),
    ("Date Raised", 12),
    ("Issue", 50),
    ("Programme Position", 45),
    ("Meeting", 12),
    ("Positions", 40),
    ("Tally", 28),
    ("Outcome", 24),
    ("Outcome Note", 36),
    ("Post-Meeting Update", 40),
    ("Decided On", 12),
    ("Status", 9),
)
INTERNAL_NOTE = ("Internal Note", 36)


def _values(row: EntryRow) -> list[object]:
    entry = row.entry
    latest = next(iter(meetings(entry.id)), None)
    positions = tally = None
    if latest is not None:
        positions = "; ".join(f"{name}: {p}" for name, p in latest.positions if p)
        tally = latest.tally_text()
    outcome = DISSENSUS_OUTCOMES[entry.outcome].label if entry.outcome else None
    return [
        entry.reference,
        entry.title,
        ", ".join(row.artefacts),
        ", ".join(f"#{i}" for i in row.comment_ids),
        entry.raised_by_organisation.name if entry.raised_by_organisation else None,
        entry.raised_by_constituency.name if entry.raised_by_constituency else None,
        entry.raised_on,
        entry.issue,
        entry.programme_position,
        latest.meeting_on if latest else None,
        positions,
        tally,
        outcome,
        entry.outcome_note,
        entry.post_meeting_update,
        entry.decided_on,
        DISSENSUS_STATUSES[entry.status].label,
    ]


def write_log(sheet: Worksheet, rows: list[EntryRow], *, internal_notes: bool) -> None:
    """The log's table on `sheet`, below a title."""
    columns = [*COLUMNS, INTERNAL_NOTE] if internal_notes else list(COLUMNS)
    title_rows(sheet, "Dissensus log", f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")
    header_row(sheet, [label for label, _ in columns])
    for row in rows:
        values = _values(row) + ([row.internal_note] if internal_notes else [])
        sheet.append([xlsx_cell(sheet, value, alignment=WRAP) for value in values])
    set_widths(sheet, [width for _, width in columns])
    sheet.freeze_panes = "B4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(columns))}{max(sheet.max_row, 3)}"


def dissensus_log_xlsx(f: EntryFilter, scope: Scope, *, internal_notes: bool = False) -> bytes:
    if require(scope).is_reviewer:
        raise ServiceError("the dissensus log export is the programme's")
    book = Workbook()
    sheet = book.active
    sheet.title = "Dissensus log"
    write_log(sheet, entries(f, scope), internal_notes=internal_notes)
    return workbook_bytes(book)


def board_pack_sheet(book: Workbook) -> None:
    """The board pack's sheet: every entry, open ones first (no internal notes)."""
    rows = entries(EntryFilter(), Scope.staff())
    rows.sort(key=lambda row: (row.entry.status != DISSENSUS_STATUSES.keys[0], row.entry.number))
    write_log(book.create_sheet("Dissensus log"), rows, internal_notes=False)


__all__ = ["board_pack_sheet", "dissensus_log_xlsx", "write_log"]
