"""A reviewer's comments typed on the web form, one artefact of the round at a time: drafts
the reviewer alone sees and edits (never the design team, never another reviewer, not even of
the same organisation), until they submit them. Submitting writes the drafts out as a log in
the round's template (each with the comment id "W<draft id>", so a later submission of more
drafts adds to them) and imports it like an uploaded log (services/submissions.py): the drafts
are then locked, stamped with the time, and linked to their submission.

And the round's blank log template: the round's artefacts listed (and offered in a drop-down),
a drop-down for the comment type; what submitting drafts writes too. Cells through the one
formula-safe helper (services/spreadsheet.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select, update

from ..extensions import db
from ..models import Artefact, CommentDraft, utcnow
from . import ServiceError
from .comment_import import ImportReport, parse_comment_log
from .scope import Scope, require
from .spreadsheet import BOLD, HEAD_FILL, WRAP, set_widths, workbook_bytes, xlsx_cell
from .submission_audit import (
    DRAFT_DELETED,
    DRAFT_SAVED,
    record_event,
)
from .submissions import (
    COMMENT_TYPES,
    RoundWindow,
    Submitter,
    submission_options,
    submit_log,
)

# The template's comment table: (field, header as the reader knows it, width).
TEMPLATE_COLUMNS = (
    ("log_comment_id", "Comment No.", 12),
    ("artefact", "Design Artefact", 16),
    ("section", "Section", 12),
    ("page", "Page", 8),
    ("line", "Line No", 8),
    ("comment_type", "Comment Type", 14),
    ("comment", "Reviewer Comment", 60),
    ("proposed_change", "Proposed Amendment", 50),
)
TEMPLATE_ROWS = 500  # rows the drop-downs cover
MAX_COMMENT = 10_000
LIMITS = {"section": 200, "page": 50, "line": 50, "proposed_change": MAX_COMMENT}
DRAFT_ID_PREFIX = "W"


class NoSuchDraft(ServiceError):
    """Not a draft of this reviewer's that is still open: answered as if it did not exist."""


# --- the template --------------------------------------------------------------------------


def template_xlsx(window: RoundWindow, rows: list[dict] | None = None) -> bytes:
    """The round's log: a 'Comments' sheet (title lines, the header, `rows` if any, drop-downs
    for the artefact and the comment type) and an 'Artefacts' sheet listing the round's."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Comments"
    sheet.append([xlsx_cell(sheet, f"Comment log: {window.title}", font=BOLD)])
    sheet.append([xlsx_cell(sheet, f"Organisation: {window.organisation}")])
    closes = f"{window.closes_on:%d %B %Y}" if window.closes_on else "when the round closes"
    sheet.append([xlsx_cell(sheet, f"Closing date: {closes}")])
    sheet.append([])
    header_at = 5
    sheet.append(
        [xlsx_cell(sheet, header, font=BOLD, fill=HEAD_FILL) for _, header, _ in TEMPLATE_COLUMNS]
    )
    for row in rows or []:
        sheet.append(
            [xlsx_cell(sheet, row.get(name), alignment=WRAP) for name, _, _ in TEMPLATE_COLUMNS]
        )
    set_widths(sheet, [width for _, _, width in TEMPLATE_COLUMNS])
    sheet.freeze_panes = sheet.cell(row=header_at + 1, column=1)
    _drop_downs(book, sheet, window, header_at)
    return workbook_bytes(book)


def _drop_downs(book: Workbook, sheet, window: RoundWindow, header_at: int) -> None:
    listed = book.create_sheet("Artefacts")
    listed.append(
        [xlsx_cell(listed, text, font=BOLD) for text in ("Artefact under review", "Version")]
    )
    for row in window.artefacts:
        listed.append([xlsx_cell(listed, row.reference), xlsx_cell(listed, row.version or "")])
    listed.append([])
    listed.append([xlsx_cell(listed, "Comment types")])
    types_at = listed.max_row + 1
    for comment_type in COMMENT_TYPES:
        listed.append([xlsx_cell(listed, comment_type.title())])
    set_widths(listed, [24, 10])
    first, last = header_at + 1, header_at + TEMPLATE_ROWS
    columns = {name: index for index, (name, _, _) in enumerate(TEMPLATE_COLUMNS, start=1)}
    types = DataValidation(
        type="list",
        formula1=f"Artefacts!$A${types_at}:$A${types_at + len(COMMENT_TYPES) - 1}",
        allow_blank=True,
        errorTitle="Comment type",
        error="Choose one of the comment types listed.",
    )
    _cover(sheet, types, columns["comment_type"], first, last)
    if window.artefacts:
        artefacts = DataValidation(
            type="list",
            formula1=f"Artefacts!$A$2:$A${len(window.artefacts) + 1}",
            allow_blank=True,
            errorTitle="Design artefact",
            error="Only the artefacts under review in this round take comments.",
        )
        _cover(sheet, artefacts, columns["artefact"], first, last)


def _cover(sheet, validation: DataValidation, column: int, first: int, last: int) -> None:
    letter = sheet.cell(row=1, column=column).column_letter
    validation.add(f"{letter}{first}:{letter}{last}")
    sheet.add_data_validation(validation)


# --- drafts --------------------------------------------------------------------------------


@dataclass(slots=True)
class DraftValues:
    """What the form says about one comment."""

    artefact_id: int
    comment: str
    section: str = ""
    page: str = ""
    line: str = ""
    proposed_change: str = ""
    comment_type: str = ""


@dataclass(slots=True)
class DraftRow:
    id: int
    review_round_id: int
    artefact_id: int
    reference: str
    section: str | None
    page: str | None
    line: str | None
    comment: str
    proposed_change: str | None
    comment_type: str | None
    updated_at: datetime
    submitted_at: datetime | None

    @property
    def locked(self) -> bool:
        return self.submitted_at is not None


def _check(values: DraftValues, window: RoundWindow) -> None:
    if values.artefact_id not in {row.artefact_id for row in window.artefacts}:
        raise ServiceError("choose an artefact under review in the round")
    if not values.comment.strip():
        raise ServiceError("write the comment")
    if len(values.comment) > MAX_COMMENT:
        raise ServiceError(f"a comment is at most {MAX_COMMENT:,} characters")
    for name, limit in LIMITS.items():
        if len(getattr(values, name)) > limit:
            raise ServiceError(f"{name.replace('_', ' ')} is at most {limit:,} characters")
    if values.comment_type and values.comment_type not in COMMENT_TYPES:
        raise ServiceError(f"a comment type is one of {', '.join(COMMENT_TYPES)}")


def _draft(draft_id: int, author_id: int, scope: Scope) -> CommentDraft:
    """The author's draft, still open; NoSuchDraft for anyone else's or a submitted one."""
    scope = require(scope)
    draft = db.session.get(CommentDraft, draft_id)
    if (
        draft is None
        or draft.author_id != author_id
        or draft.organisation_id != scope.organisation_id
        or draft.submitted_at is not None
    ):
        raise NoSuchDraft("no such draft")
    return draft


def save_draft(
    window: RoundWindow, submitter: Submitter, values: DraftValues, draft_id: int | None = None
) -> CommentDraft:
    """A new draft, or the author's open draft updated."""
    _check(values, window)
    scope = Scope.organisation(window.organisation_id)
    if draft_id is None:
        draft = CommentDraft(
            review_round_id=window.round_id,
            organisation_id=window.organisation_id,
            author_id=submitter.user_id,
        )
        db.session.add(draft)
    else:
        draft = _draft(draft_id, submitter.user_id, scope)
        if draft.review_round_id != window.round_id:
            raise NoSuchDraft("no such draft")
    draft.artefact_id = values.artefact_id
    draft.comment = values.comment.strip()
    for name in ("section", "page", "line", "proposed_change", "comment_type"):
        setattr(draft, name, getattr(values, name).strip() or None)
    draft.updated_at = utcnow()
    db.session.flush()
    record_event(
        DRAFT_SAVED,
        actor=submitter.email,
        user_id=submitter.user_id,
        organisation_id=window.organisation_id,
        round_id=window.round_id,
        detail=f"draft {draft.id}",
    )
    return draft


def delete_draft(draft_id: int, submitter: Submitter, scope: Scope) -> int:
    """Delete the author's open draft; returns its round's id."""
    draft = _draft(draft_id, submitter.user_id, scope)
    round_id = draft.review_round_id
    db.session.delete(draft)
    record_event(
        DRAFT_DELETED,
        actor=submitter.email,
        user_id=submitter.user_id,
        organisation_id=draft.organisation_id,
        round_id=round_id,
        detail=f"draft {draft_id}",
    )
    return round_id


def get_draft(draft_id: int, author_id: int, scope: Scope) -> DraftRow:
    draft = _draft(draft_id, author_id, scope)
    return _rows(CommentDraft.id == draft.id)[0]


def author_drafts(round_id: int, author_id: int, scope: Scope) -> list[DraftRow]:
    """The author's drafts in the round, open and submitted, by artefact then as written."""
    scope = require(scope)
    return _rows(
        CommentDraft.review_round_id == round_id,
        CommentDraft.author_id == author_id,
        CommentDraft.organisation_id == scope.organisation_id,
    )


def _rows(*where) -> list[DraftRow]:
    query = (
        select(
            CommentDraft.id,
            CommentDraft.review_round_id,
            CommentDraft.artefact_id,
            Artefact.reference,
            CommentDraft.section,
            CommentDraft.page,
            CommentDraft.line,
            CommentDraft.comment,
            CommentDraft.proposed_change,
            CommentDraft.comment_type,
            CommentDraft.updated_at,
            CommentDraft.submitted_at,
        )
        .join(Artefact, Artefact.id == CommentDraft.artefact_id)
        .where(*where)
        .order_by(Artefact.position, Artefact.reference, CommentDraft.id)
    )
    return [DraftRow(*row) for row in db.session.execute(query)]


def submit_drafts(window: RoundWindow, submitter: Submitter, today: date) -> ImportReport:
    """Submit the author's open drafts in the round as one batch (the normal import); they
    are locked and stamped in the import's transaction. ServiceError if there are none."""
    scope = Scope.organisation(window.organisation_id)
    drafts = [d for d in author_drafts(window.round_id, submitter.user_id, scope) if not d.locked]
    if not drafts:
        raise ServiceError("there are no drafts to submit")
    content = template_xlsx(window, [_log_row(draft) for draft in drafts])
    name = f"comments-tranche-{window.tranche}-round-{window.number}-web-form.xlsx"
    options = submission_options(window, submitter.email)
    parsed = parse_comment_log(content, filename=name, options=options)
    ids = [draft.id for draft in drafts]

    def lock(submission_id: int) -> None:
        db.session.execute(
            update(CommentDraft)
            .where(CommentDraft.id.in_(ids), CommentDraft.submitted_at.is_(None))
            .values(submitted_at=utcnow(), submission_id=submission_id)
        )

    return submit_log(parsed, content, window, submitter, today, kind="form", after=lock)


def _log_row(draft: DraftRow) -> dict:
    return {
        "log_comment_id": f"{DRAFT_ID_PREFIX}{draft.id}",
        "artefact": draft.reference,
        "section": draft.section,
        "page": draft.page,
        "line": draft.line,
        "comment_type": draft.comment_type,
        "comment": draft.comment,
        "proposed_change": draft.proposed_change,
    }


__all__ = [
    "DraftRow",
    "DraftValues",
    "NoSuchDraft",
    "author_drafts",
    "delete_draft",
    "get_draft",
    "save_draft",
    "submit_drafts",
    "template_xlsx",
]
