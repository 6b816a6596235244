"""The resolutions workbook: the comments a filter selects, to resolve offline in Excel and
import back (services/resolutions_import.py, importers/resolutions.py).

Each row has a stable comment id ("Comment Ref"), the comment's stamp when exported (its
version, in a hidden column: a row whose comment changed in the browser since is stale), the
reviewer's text (locked: the sheets are protected, without a password, so the locked cells
are read-only while sorting, filtering, and inserting or deleting rows and columns stay
allowed), and the editable columns, unlocked: disposition (a drop-down of the dispositions),
response, assignee (an email), working group (a drop-down of the groups), due date and
implemented in. One sheet, or one per artefact or working group (`by`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from importers.resolutions import RESOLUTION_COLUMNS
from importers.vocabulary import DISPOSITIONS

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    CommentResolution,
    Organisation,
    User,
    WorkingGroup,
)
from . import ServiceError
from .comment_filter import CommentFilter
from .comment_queries import filtered_ids
from .scope import require
from .spreadsheet import BOLD, CHUNK_ROWS, TITLE, WRAP, header_row, workbook_bytes, xlsx_cell

BY = ("artefact", "group")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
FIRST_ROW = 4  # title, instructions, header, then the rows
MAX_ROWS = 1_048_576


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    width: float
    editable: bool = False
    wrap: bool = False
    hidden: bool = False


def _label(field: str) -> str:
    """The header the reader knows first for a field (one list of names, importers')."""
    return RESOLUTION_COLUMNS[field][0]


COLUMNS = (
    Column(_label("comment_ref"), 11),
    Column(_label("stamp"), 8, hidden=True),
    Column("Artefact", 11),
    Column("Organisation", 24, wrap=True),
    Column("Log No.", 8),
    Column("Section", 10),
    Column("Comment", 60, wrap=True),
    Column("Proposed Change", 40, wrap=True),
    Column(_label("disposition"), 18, editable=True),
    Column(_label("response"), 60, editable=True, wrap=True),
    Column(_label("assignee"), 26, editable=True),
    Column(_label("working_group"), 18, editable=True),
    Column(_label("due_date"), 12, editable=True),
    Column(_label("implemented_in"), 14, editable=True),
)
INSTRUCTIONS = (
    "Edit the unlocked columns (Disposition, Response, Assignee as an email, Working Group, "
    "Due Date, Implemented In), then import the workbook back in reviewtracker (Comments > "
    "Import resolutions, or `reviewtracker import-resolutions`). Rows are matched by Comment "
    "Ref: keep that column. You may sort, filter, delete rows, and add or move columns."
)


def _rows(f: CommentFilter) -> Iterator[tuple]:
    """The filter's comments in the list's order, with what the workbook shows."""
    require(f.scope)
    query = (
        select(
            Comment.id,
            Comment.version,
            Artefact.reference,
            Organisation.name,
            Comment.log_comment_id,
            Comment.section,
            Comment.text,
            Comment.proposed_change,
            Comment.disposition,
            Comment.response,
            User.email,
            WorkingGroup.name,
            CommentResolution.due_on,
            CommentResolution.implemented_in,
        )
        .select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(CommentResolution, CommentResolution.comment_id == Comment.id)
        .outerjoin(User, User.id == CommentResolution.assignee_id)
        .outerjoin(WorkingGroup, WorkingGroup.id == CommentResolution.working_group_id)
    )
    ids = db.session.execute(filtered_ids(f), execution_options={"yield_per": CHUNK_ROWS})
    for chunk in ids.scalars().partitions():
        found = {row[0]: row for row in db.session.execute(query.where(Comment.id.in_(chunk)))}
        for comment_id in chunk:
            yield found[comment_id]


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    clean = "".join("-" if c in "[]:*?/\\" else c for c in name).strip("' ")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def resolutions_workbook(f: CommentFilter, *, by: str | None = None) -> bytes:
    """The workbook of the comments the filter selects (the staff's: it holds the working
    values). `by`: None for one sheet, "artefact" or "group" for one sheet each."""
    scope = require(f.scope)
    if scope.is_reviewer:
        raise ServiceError("the resolutions workbook is the design team's")
    if by is not None and by not in BY:
        raise ServiceError(f"--by is artefact or group, not {by!r}")
    groups = list(db.session.scalars(select(WorkingGroup.name).order_by(WorkingGroup.name)))
    book = Workbook()
    book.remove(book.active)
    sheets: dict[str, Worksheet] = {}
    taken: set[str] = {"read me"}
    for row in _rows(f):
        key = "Resolutions" if by is None else (row[2] if by == "artefact" else row[11])
        key = key or "No working group"
        if key not in sheets:
            sheets[key] = _new_sheet(book, _sheet_name(key, taken), groups)
        _append(sheets[key], row)
    if not sheets:
        sheets["Resolutions"] = _new_sheet(book, "Resolutions", groups)
    for sheet in sheets.values():
        _finish(sheet)
    _read_me(book)
    return workbook_bytes(book)


def _new_sheet(book: Workbook, name: str, groups: list[str]) -> Worksheet:
    sheet = book.create_sheet(name)
    sheet.append([xlsx_cell(sheet, f"Resolutions: {name}", font=TITLE)])
    sheet.append([xlsx_cell(sheet, INSTRUCTIONS, alignment=WRAP)])
    header_row(sheet, [c.label for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        sheet.column_dimensions[letter].hidden = column.hidden
    sheet.freeze_panes = f"C{FIRST_ROW}"
    labels = ",".join(term.label for term in DISPOSITIONS)
    dispositions = DataValidation(
        type="list",
        formula1=f'"{labels}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Disposition",
        error="Choose one of the dispositions.",
    )
    sheet.add_data_validation(dispositions)
    dispositions.add(_whole_column(_index("disposition")))
    if groups and len(",".join(groups)) < 250:  # Excel's limit for a list written inline
        working_groups = DataValidation(
            type="list", formula1='"' + ",".join(groups) + '"', allow_blank=True
        )
        sheet.add_data_validation(working_groups)
        working_groups.add(_whole_column(_index("working_group")))
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    sheet.add_data_validation(dates)
    dates.add(_whole_column(_index("due_date")))
    return sheet


def _index(field: str) -> int:
    label = _label(field)
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.label == label)


def _whole_column(index: int) -> str:
    letter = get_column_letter(index)
    return f"{letter}{FIRST_ROW}:{letter}{MAX_ROWS}"


def _append(sheet: Worksheet, row: tuple) -> None:
    (
        comment_id,
        version,
        reference,
        organisation,
        log_id,
        section,
        text,
        proposed,
        disposition,
        response,
        assignee,
        group,
        due,
        implemented,
    ) = row
    values = (
        comment_id,
        version,
        reference,
        organisation,
        log_id,
        section,
        text,
        proposed,
        DISPOSITIONS[disposition].label,
        response,
        assignee,
        group,
        due,
        implemented,
    )
    cells = []
    for column, value in zip(COLUMNS, values, strict=True):
        style = {"protection": UNLOCKED if column.editable else LOCKED}
        if column.wrap:
            style["alignment"] = WRAP
        if column.label == _label("due_date"):
            style["number_format"] = "yyyy-mm-dd"
        cells.append(xlsx_cell(sheet, value, **style))
    sheet.append(cells)


def _finish(sheet: Worksheet) -> None:
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{FIRST_ROW - 1}:{last}{max(sheet.max_row, FIRST_ROW)}"
    # Locked cells read-only; no password, and sorting, filtering, rows and columns allowed
    # (in SheetProtection, False is "allowed").
    protection = sheet.protection
    protection.sheet = True
    for allowed in (
        "sort",
        "autoFilter",
        "insertRows",
        "deleteRows",
        "insertColumns",
        "deleteColumns",
        "formatColumns",
        "formatRows",
        "formatCells",
    ):
        setattr(protection, allowed, False)


def _read_me(book: Workbook) -> None:
    sheet = book.create_sheet("Read Me")
    sheet.column_dimensions["A"].width = 110
    lines = (
        ("How to use this workbook", TITLE),
        (INSTRUCTIONS, None),
        (
            "Disposition: "
            + "; ".join(f"{t.label}: {t.definition}" for t in DISPOSITIONS)
            + " (logs' spellings such as ACCEPTED or Clarification required are read too).",
            None,
        ),
        (
            "A row whose comment was changed in reviewtracker after this export is shown as a "
            "conflict, side by side, and is applied only if you choose it.",
            None,
        ),
        ("The locked columns (the reviewer's text) are for reading only.", BOLD),
    )
    for text, font in lines:
        style = {"alignment": WRAP} | ({"font": font} if font else {})
        sheet.append([xlsx_cell(sheet, text, **style)])


def workbook_filename(f: CommentFilter, by: str | None = None) -> str:
    parts = ["resolutions"]
    for value in (f.tranche and f"tranche-{f.tranche}", f.artefact, by and f"by-{by}"):
        if value:
            parts.append(value)
    return "-".join(parts).lower() + ".xlsx"


__all__ = ["BY", "COLUMNS", "resolutions_workbook", "workbook_filename"]
