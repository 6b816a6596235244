"""The advisory group's meetings: find, create, edit, list them, and which one comes next.

Meetings are ordered by their reference within a group (DAG006 < DAG006.1 < DAG013; see
importers.governance.meeting_sort_key); "earlier meetings" are the same group's before it.
Services here flush; the caller's unit of work commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.sql import ColumnElement

from importers.governance import (
    MEETING_REF_HINT,
    meeting_sort_key,
    normalise_meeting_ref,
    split_meeting_ref,
)

from ..extensions import db
from ..models import Action, Decision, Meeting, utcnow
from . import ServiceError
from .scope import Scope, require

TITLE_MAX = 200


def public_only(scope: Scope, column: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """WHERE clauses confining a query on actions or decisions to what `scope` may see: the
    staff everything, a reviewer only the items marked public."""
    return [column.is_(True)] if require(scope).is_reviewer else []


def meeting_by_reference(reference: str | None) -> Meeting | None:
    canonical = normalise_meeting_ref(reference)
    if canonical is None:
        return None
    return db.session.scalar(select(Meeting).where(Meeting.reference == canonical))


def get_or_create_meeting(reference: str, held_on: date | None = None) -> tuple[Meeting, bool]:
    """The meeting `reference` names, created if new (with `held_on`); (meeting, created). A
    known meeting without a date takes `held_on`; one with a date keeps it."""
    canonical = normalise_meeting_ref(reference)
    if canonical is None:
        raise ServiceError(f"{reference!r} is not a meeting reference ({MEETING_REF_HINT})")
    meeting = db.session.scalar(select(Meeting).where(Meeting.reference == canonical))
    if meeting is not None:
        if meeting.held_on is None and held_on is not None:
            meeting.held_on = held_on
        return meeting, False
    meeting = Meeting(
        reference=canonical, sort_key=meeting_sort_key(canonical), held_on=held_on, title=""
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting, True


def create_meeting(reference: str, held_on: date | None, title: str = "") -> Meeting:
    canonical = normalise_meeting_ref(reference)
    if canonical is None:
        raise ServiceError(f"{reference!r} is not a meeting reference ({MEETING_REF_HINT})")
    if meeting_by_reference(canonical) is not None:
        raise ServiceError(f"meeting {canonical} already exists")
    meeting, _created = get_or_create_meeting(canonical, held_on)
    meeting.title = title.strip()[:TITLE_MAX]
    return meeting


def edit_meeting(meeting_id: int, held_on: date | None, title: str) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise ServiceError("no such meeting")
    meeting.held_on = held_on
    meeting.title = title.strip()[:TITLE_MAX]
    db.session.flush()
    return meeting


def group_of(meeting: Meeting) -> str:
    return split_meeting_ref(meeting.reference)[0]


def earlier_meetings(meeting: Meeting) -> ColumnElement[bool]:
    """The same group's meetings before `meeting`."""
    group = group_of(meeting)
    return (Meeting.sort_key.startswith(f"{group}|", autoescape=True)) & (
        Meeting.sort_key < meeting.sort_key
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The group's meeting just before `meeting`, if any."""
    query = select(Meeting).where(earlier_meetings(meeting)).order_by(Meeting.sort_key.desc())
    return db.session.scalars(query.limit(1)).first()


def next_meeting(today: date) -> Meeting | None:
    """The meeting the next pack is for: the first held today or later; else the latest."""
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.held_on >= today)
        .order_by(Meeting.held_on, Meeting.sort_key)
        .limit(1)
    ).first()
    if upcoming is not None:
        return upcoming
    return latest_meeting()


def latest_meeting() -> Meeting | None:
    return db.session.scalars(
        select(Meeting).order_by(Meeting.held_on.desc().nulls_last(), Meeting.sort_key.desc())
    ).first()


@dataclass(frozen=True, slots=True)
class MeetingRow:
    id: int
    reference: str
    held_on: date | None
    title: str
    actions: int
    open_actions: int  # not closed
    decisions: int


def meeting_list(scope: Scope) -> list[MeetingRow]:
    """Every meeting, newest first, with its actions (and how many are not closed) and
    decisions counted by the database; a reviewer's counts are of the public items only."""
    actions = (
        select(
            Action.meeting_id,
            func.count().label("actions"),
            func.sum(case((Action.status != "closed", 1), else_=0)).label("open_actions"),
        )
        .where(*public_only(scope, Action.public))
        .group_by(Action.meeting_id)
        .subquery()
    )
    decisions = (
        select(Decision.meeting_id, func.count().label("decisions"))
        .where(*public_only(scope, Decision.public))
        .group_by(Decision.meeting_id)
        .subquery()
    )
    query = (
        select(
            Meeting.id,
            Meeting.reference,
            Meeting.held_on,
            Meeting.title,
            func.coalesce(actions.c.actions, 0),
            func.coalesce(actions.c.open_actions, 0),
            func.coalesce(decisions.c.decisions, 0),
        )
        .outerjoin(actions, actions.c.meeting_id == Meeting.id)
        .outerjoin(decisions, decisions.c.meeting_id == Meeting.id)
        .order_by(Meeting.sort_key.desc())
    )
    return [MeetingRow(*row) for row in db.session.execute(query)]


def meeting_choices() -> list[tuple[str, str]]:
    """(reference, label) of every meeting, newest first, for the forms' selects."""
    rows = db.session.execute(
        select(Meeting.reference, Meeting.held_on).order_by(Meeting.sort_key.desc())
    )
    return [
        (reference, f"{reference} ({held_on:%d %b %Y})" if held_on else reference)
        for reference, held_on in rows
    ]


def touch(item: Action | Decision) -> None:
    item.updated_at = utcnow()
    item.version += 1


__all__ = [
    "create_meeting",
    "earlier_meetings",
    "edit_meeting",
    "get_or_create_meeting",
    "latest_meeting",
    "meeting_by_reference",
    "meeting_choices",
    "meeting_list",
    "next_meeting",
    "previous_meeting",
    "public_only",
    "touch",
]
