"""Who resolves a comment and where its response stands: the fields of `comment_resolution`
that triage changes beside the comment's own (assignee, working group, the assignment's due
date, response state, implemented in), and the moves between response states.

The moves (RESPONSE_STATES' keys): a draft is put up for review; a lead approves it (from
draft or ready for review); a response under review or approved may go back to draft; only
publishing (services/publishing.py) makes it published. A change of the disposition or the
response of a comment whose response is past draft takes it back to draft: what was reviewed,
approved or published is no longer what is there (the published version stays what reviewers
see until it is published again).

Nothing here commits; triage.py calls it inside the caller's unit of work and audits every
change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import String, func, insert, literal, select, update
from sqlalchemy.sql import ColumnElement

from importers.vocabulary import DRAFT, PUBLISHED, RESPONSE_STATES

from ..extensions import db
from ..models import Comment, CommentResolution, User, WorkingGroup
from . import ServiceError

# The resolution's fields as triage names them -> the column of comment_resolution.
RESOLUTION_FIELDS = {
    "assignee_id": "assignee_id",
    "working_group_id": "working_group_id",
    "due_on": "due_on",
    "response_state": "state",
    "implemented_in": "implemented_in",
}
DEFAULTS: dict[str, object] = {name: None for name in RESOLUTION_FIELDS} | {"response_state": DRAFT}
APPROVED = "approved"
READY = "ready_for_review"
# state -> the states a user may move it to (APPROVED only a lead); PUBLISHED is publishing's.
MOVES: dict[str, frozenset[str]] = {
    DRAFT: frozenset({READY, APPROVED}),
    READY: frozenset({DRAFT, APPROVED}),
    APPROVED: frozenset({DRAFT, READY}),
    PUBLISHED: frozenset({DRAFT}),
}
LEAD_ONLY = frozenset({APPROVED})
# A change of these takes a response that is past draft back to draft.
DECISION_FIELDS = ("disposition", "response")


def column(name: str) -> ColumnElement:
    """The comment_resolution column of a resolution field (triage's name)."""
    return getattr(CommentResolution, RESOLUTION_FIELDS[name])


def value_of(name: str) -> ColumnElement:
    """The field's value for a comment, its default where the comment has no resolution row
    (for a query outer-joined to comment_resolution)."""
    if name == "response_state":
        return func.coalesce(CommentResolution.state, DRAFT)
    return column(name)


def current(comment_id: int) -> dict[str, object]:
    """The comment's resolution fields (their defaults if it has no row yet)."""
    row = db.session.get(CommentResolution, comment_id)
    if row is None:
        return dict(DEFAULTS)
    return {name: getattr(row, attr) for name, attr in RESOLUTION_FIELDS.items()}


def check_move(before: str, after: str, *, may_approve: bool) -> None:
    """Refuse a move the workflow does not allow (ServiceError)."""
    if after not in RESPONSE_STATES:
        raise ServiceError(f"unknown response state {after!r}")
    if before == after:
        return
    if after == PUBLISHED:
        raise ServiceError("a response is published by publishing it, not by setting its state")
    if after not in MOVES[before]:
        raise ServiceError(
            f"a response {RESPONSE_STATES[before].label.lower()} cannot move to "
            f"{RESPONSE_STATES[after].label.lower()}"
        )
    if after in LEAD_ONLY and not may_approve:
        raise ServiceError("only a lead may approve a response")


def sources_of(target: str, *, may_approve: bool) -> tuple[str, ...]:
    """The states from which a user may move a response to `target` (for bulk changes)."""
    if target == PUBLISHED or (target in LEAD_ONLY and not may_approve):
        return ()
    return tuple(state for state, moves in MOVES.items() if target in moves)


def check_values(changes: dict[str, object]) -> None:
    """Refuse an assignee or a working group that does not exist (or an inactive user), a due
    date that is not a date."""
    assignee = changes.get("assignee_id")
    if assignee is not None:
        user = db.session.get(User, assignee)
        if user is None or not user.active or user.is_reviewer:
            raise ServiceError(f"no active member of the design team with id {assignee}")
    group = changes.get("working_group_id")
    if group is not None and db.session.get(WorkingGroup, group) is None:
        raise ServiceError(f"no working group with id {group}")
    due = changes.get("due_on")
    if due is not None and not isinstance(due, date):
        raise ServiceError(f"a due date is a date, not {due!r}")
    implemented = changes.get("implemented_in")
    if implemented is not None and len(str(implemented)) > 40:
        raise ServiceError("'implemented in' is at most 40 characters")


def write(comment_id: int, values: dict[str, object]) -> None:
    """Set resolution fields of one comment (its row made if missing)."""
    row = db.session.get(CommentResolution, comment_id)
    if row is None:
        row = CommentResolution(comment_id=comment_id, state=DRAFT)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, RESOLUTION_FIELDS[name], value)
    db.session.flush()


def ensure_rows(comment_ids: Iterable[int]) -> None:
    """Give each comment a resolution row (in draft, unassigned) if it has none: set-based,
    for bulk changes."""
    ids = list(comment_ids)
    if not ids:
        return
    missing = select(Comment.id, literal(DRAFT, String)).where(
        Comment.id.in_(ids),
        ~select(CommentResolution.comment_id)
        .where(CommentResolution.comment_id == Comment.id)
        .exists(),
    )
    db.session.execute(
        insert(CommentResolution).from_select(["comment_id", "state"], missing),
        execution_options={"synchronize_session": False},
    )


def audit_text(name: str, value: object) -> str | None:
    """How the audit trail writes a resolution field's value: a person by email, a working
    group by name, a state by its key."""
    if value is None:
        return None
    if name == "assignee_id":
        user = db.session.get(User, value)
        return user.email if user is not None else str(value)
    if name == "working_group_id":
        group = db.session.get(WorkingGroup, value)
        return group.name if group is not None else str(value)
    return str(value)


def audit_text_sql(name: str, value_column: ColumnElement) -> ColumnElement:
    """`audit_text` in SQL, for a set-based audit (INSERT ... SELECT)."""
    if name == "assignee_id":
        return select(User.email).where(User.id == value_column).scalar_subquery()
    if name == "working_group_id":
        return select(WorkingGroup.name).where(WorkingGroup.id == value_column).scalar_subquery()
    return value_column


def set_state_where(ids: list[int], state: str) -> None:
    """Set the response state of these comments' resolution rows (they exist)."""
    db.session.execute(
        update(CommentResolution)
        .where(CommentResolution.comment_id.in_(ids))
        .values(state=state)
        .execution_options(synchronize_session=False)
    )


__all__ = [
    "APPROVED",
    "DECISION_FIELDS",
    "DEFAULTS",
    "MOVES",
    "READY",
    "RESOLUTION_FIELDS",
    "audit_text",
    "audit_text_sql",
    "check_move",
    "check_values",
    "column",
    "current",
    "ensure_rows",
    "sources_of",
    "value_of",
    "write",
]
