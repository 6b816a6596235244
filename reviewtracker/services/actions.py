"""Changing the action log: raise an action (its reference generated per meeting), edit it,
give it a dated update that may move its status, link it to what it concerns, raise one from
a comment in Action.

Every change is written down as an ActionUpdate (who, when, what, the status move), so an
action's page is its whole history. Edits check the version the lead's form was loaded with
(optimistic locking). Services flush; the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from importers.governance import action_reference, action_sort_key, parse_action_ref
from importers.vocabulary import ACTION_LINK_KINDS, ACTION_STATUSES

from ..extensions import db
from ..models import (
    Action,
    ActionLink,
    ActionUpdate,
    Artefact,
    Comment,
    DissensusEntry,
    Meeting,
    utcnow,
)
from . import ServiceError
from .meetings import next_meeting, touch

# The moves an action's status may make: the group closes an action, or keeps it ongoing when
# the owner recommends closing it; a closed action is reopened as ongoing. Never back to open:
# "open" says no work has been reported yet.
ACTION_MOVES: dict[str, tuple[str, ...]] = {
    "open": ("ongoing", "recommend_closed", "closed"),
    "ongoing": ("recommend_closed", "closed"),
    "recommend_closed": ("closed", "ongoing"),
    "closed": ("ongoing",),
}
# The fields a lead edits, and how an update names them.
EDITABLE = {
    "area": "area",
    "text": "action",
    "owner": "owner",
    "due": "due date",
    "due_note": "due note",
    "public": "public",
}
LIMITS = {"area": 200, "owner": 200, "due_note": 120, "text": 10_000}
UPDATE_MAX = 10_000


class StaleAction(ServiceError):
    """Somebody changed the action since the form was loaded."""


class RefusedMove(ServiceError):
    """The status can't move there from where it is."""


def move_allowed(before: str, after: str) -> bool:
    return after in ACTION_MOVES.get(before, ())


def refused_move(before: str, after: str) -> RefusedMove:
    allowed = ACTION_MOVES.get(before, ())
    labels = ", ".join(ACTION_STATUSES[key].label.lower() for key in allowed) or "nothing"
    return RefusedMove(
        f"an action that is {ACTION_STATUSES[before].label.lower()} can't move to "
        f"{ACTION_STATUSES[after].label.lower()}; from here it can move to: {labels}"
    )


def _get(action_id: int, expected_version: int | None) -> Action:
    action = db.session.get(Action, action_id)
    if action is None:
        raise ServiceError("no such action")
    if expected_version is not None and action.version != expected_version:
        raise StaleAction(
            f"action {action.reference} was changed by someone else since you opened it"
        )
    return action


def _clean(name: str, value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        limit = LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise ServiceError(f"the {EDITABLE.get(name, name)} is longer than {limit} characters")
    return value


def _shown(value: object) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def record_update(
    action: Action,
    text: str,
    actor: str,
    *,
    dated: date,
    to_status: str | None = None,
    origin: str = "browser",
    source_file: str | None = None,
) -> ActionUpdate:
    """Add a dated update to `action`, moving its status to `to_status` if given (RefusedMove
    if that move is not allowed). The one place an action's status changes."""
    before = action.status
    if to_status is not None and to_status != before:
        if to_status not in ACTION_STATUSES:
            raise ServiceError(f"unknown status {to_status!r}")
        if not move_allowed(before, to_status):
            raise refused_move(before, to_status)
        action.status = to_status
        action.closed_on = dated if to_status == "closed" else None
    action.origin = origin
    moved = action.status != before
    update = ActionUpdate(
        action_id=action.id,
        dated=dated,
        actor=actor,
        text=text,
        from_status=before if moved else None,
        to_status=action.status if moved else None,
        origin=origin,
        source_file=source_file,
    )
    db.session.add(update)
    touch(action)
    db.session.flush()
    return update


def add_update(
    action_id: int,
    text: str,
    actor: str,
    *,
    dated: date,
    to_status: str | None = None,
    expected_version: int | None = None,
) -> ActionUpdate:
    """A lead's update: text, and maybe a status move. An update needs words or a move."""
    action = _get(action_id, expected_version)
    text = (text or "").strip()
    if len(text) > UPDATE_MAX:
        raise ServiceError(f"the update is longer than {UPDATE_MAX} characters")
    if not text and (to_status is None or to_status == action.status):
        raise ServiceError("write the update, or choose the status it moves the action to")
    return record_update(action, text, actor, dated=dated, to_status=to_status)


def edit_action(
    action_id: int,
    changes: Mapping[str, object],
    actor: str,
    *,
    dated: date,
    expected_version: int | None = None,
) -> list[str]:
    """Change the fields in `changes` (of EDITABLE); returns the names of those that changed.
    The change is written down as an update ("due date: 10/08/2022 -> 31/08/2022")."""
    action = _get(action_id, expected_version)
    changed, lines = [], []
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ServiceError(f"an action has no field {name!r} to edit")
        value = _clean(name, value)
        if name == "text" and not value:
            raise ServiceError("an action needs its text")
        before = getattr(action, name)
        if before == value or (before in (None, "") and value in (None, "")):
            continue
        setattr(action, name, value)
        changed.append(name)
        lines.append(f"{EDITABLE[name].capitalize()}: {_shown(before)} -> {_shown(value)}")
    if changed:
        record_update(action, "\n".join(lines), actor, dated=dated)
    return changed


# --- raising an action -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewAction:
    text: str
    area: str = ""
    owner: str = ""
    due: date | None = None
    due_note: str | None = None
    public: bool = False


def next_reference(meeting: Meeting) -> str:
    """The meeting's next action reference: DAG13-01, DAG13-02, ... after the highest taken."""
    taken = db.session.scalars(select(Action.reference).where(Action.meeting_id == meeting.id))
    numbers = [parsed.number for ref in taken if (parsed := parse_action_ref(ref))]
    candidate = action_reference(meeting.reference, max(numbers, default=0) + 1)
    while db.session.scalar(select(Action.id).where(Action.reference == candidate)):
        candidate = action_reference(meeting.reference, parse_action_ref(candidate).number + 1)
    return candidate


def raise_action(
    meeting_id: int,
    new: NewAction,
    actor: str,
    *,
    dated: date,
    links: tuple[tuple[str, int], ...] = (),
) -> Action:
    """A new open action of the meeting, with the next reference of that meeting."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise ServiceError("no such meeting")
    values = {name: _clean(name, getattr(new, name)) for name in EDITABLE}
    if not values["text"]:
        raise ServiceError("an action needs its text")
    reference = next_reference(meeting)
    action = Action(
        reference=reference,
        sort_key=action_sort_key(reference),
        meeting_id=meeting.id,
        raised_on=dated,
        raised_by=actor,
        status="open",
        origin="browser",
        **values,
    )
    db.session.add(action)
    try:
        db.session.flush()
    except IntegrityError:
        # Another lead numbered an action of this meeting at the same moment. The caller's
        # unit of work rolls back on the way out (PostgreSQL has aborted the transaction).
        raise ServiceError(
            f"another action was numbered {reference} at the same moment: nothing was saved, "
            "try again"
        ) from None
    for kind, target_id in links:
        link_action(action.id, kind, target_id, actor)
    return action


def raise_from_comment(comment_id: int, actor: str, *, today: date) -> Action:
    """One click on a comment in Action: an action for the next meeting, linked to the comment
    and its artefact, owned and due as the triage form says."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ServiceError("no such comment")
    if comment.disposition != "action":
        raise ServiceError("only a comment whose disposition is Action raises an action")
    meeting = next_meeting(today)
    if meeting is None:
        raise ServiceError("there is no meeting to raise it for: add the next meeting first")
    artefact = comment.artefact
    summary = " ".join(comment.text.split())
    summary = summary if len(summary) <= 300 else summary[:297] + "..."
    new = NewAction(
        text=f"Resolve comment #{comment.id} on {artefact.reference} "
        f"({comment.organisation.name}): {summary}",
        area=f"{artefact.reference} {artefact.title}".strip()[:200],
        owner=(comment.action_owner or "")[:200],
        due=comment.action_due,
    )
    links = (("comment", comment.id), ("artefact", artefact.id))
    return raise_action(meeting.id, new, actor, dated=today, links=links)


# --- links -------------------------------------------------------------------------------------


def _artefact_exists(target_id: int) -> bool:
    return db.session.get(Artefact, target_id) is not None


def _comment_exists(target_id: int) -> bool:
    return db.session.get(Comment, target_id) is not None


def _entry_exists(target_id: int) -> bool:
    return db.session.get(DissensusEntry, target_id) is not None


# How a link's target is checked, per kind (its label: services/action_queries.py's
# LINK_LABELLERS).
LINK_TARGETS: dict[str, Callable[[int], bool]] = {
    "artefact": _artefact_exists,
    "comment": _comment_exists,
    "dissensus": _entry_exists,
}


def link_action(action_id: int, kind: str, target_id: int, actor: str) -> ActionLink | None:
    """Link the action to an artefact, a comment or a dissensus entry; None if it was linked
    already."""
    action = _get(action_id, None)
    if kind not in ACTION_LINK_KINDS:
        raise ServiceError(f"an action can't link to a {kind!r}")
    exists = LINK_TARGETS.get(kind)
    if exists is None:
        raise ServiceError(
            f"links to {ACTION_LINK_KINDS[kind].label.lower()}s are not available in this "
            "installation yet"
        )
    if not exists(target_id):
        raise ServiceError(f"there is no {ACTION_LINK_KINDS[kind].label.lower()} #{target_id}")
    found = db.session.scalar(
        select(ActionLink).where(
            ActionLink.action_id == action.id,
            ActionLink.kind == kind,
            ActionLink.target_id == target_id,
        )
    )
    if found is not None:
        return None
    link = ActionLink(action_id=action.id, kind=kind, target_id=target_id, created_by=actor)
    db.session.add(link)
    action.updated_at = utcnow()  # a link is no edit of the action: its version stays
    db.session.flush()
    return link


def unlink_action(action_id: int, link_id: int) -> None:
    link = db.session.get(ActionLink, link_id)
    if link is None or link.action_id != action_id:
        raise ServiceError("no such link")
    db.session.delete(link)
    _get(action_id, None).updated_at = utcnow()
    db.session.flush()


__all__ = [
    "ACTION_MOVES",
    "EDITABLE",
    "LINK_TARGETS",
    "NewAction",
    "RefusedMove",
    "StaleAction",
    "add_update",
    "edit_action",
    "link_action",
    "move_allowed",
    "next_reference",
    "raise_action",
    "raise_from_comment",
    "record_update",
    "unlink_action",
]
