"""Reading the action log: the list with its filters, one action with its updates and links,
the actions of a comment or an artefact, and the JSON the CLI prints.

Every function takes a Scope: the staff see every action, a reviewer only those marked public
(and, among an action's links, only their own organisation's comments). Overdue is decided by
the database: open or ongoing, and due before today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, select
from sqlalchemy.sql import ColumnElement

from ..extensions import db
from ..models import Action, ActionLink, ActionUpdate, Artefact, Comment, Meeting
from .dissensus import entry_labels
from .meetings import public_only
from .scope import Scope, require

# An action still to do: what "overdue" and the pack's "open" mean.
NOT_DONE = ("open", "ongoing")


def overdue(today: date) -> ColumnElement[bool]:
    return and_(Action.status.in_(NOT_DONE), Action.due < today)


def open_actions_per_artefact(artefact_ids: Select, scope: Scope) -> Select:
    """(artefact id, actions still to do that link to it) for `artefact_ids`: a part of the
    artefacts' outstanding issues (services/outstanding.py). A reviewer's, public ones only."""
    return (
        select(ActionLink.target_id, func.count(func.distinct(Action.id)))
        .join(Action, Action.id == ActionLink.action_id)
        .where(
            ActionLink.kind == "artefact",
            ActionLink.target_id.in_(artefact_ids),
            Action.status.in_(NOT_DONE),
            *public_only(scope, Action.public),
        )
        .group_by(ActionLink.target_id)
    )


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: int
    reference: str
    meeting: str
    area: str
    text: str
    owner: str
    due: date | None
    due_note: str | None
    status: str
    public: bool
    closed_on: date | None
    overdue: bool
    update: str | None  # the latest update that has words
    update_on: date | None

    def as_json(self) -> dict[str, object]:
        """The shape `reviewtracker actions --json` prints."""
        return {
            "ref": self.reference,
            "meeting": self.meeting,
            "area": self.area,
            "action": self.text,
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
        }


def _latest_updates() -> Select:
    """Each action's latest update with words in it (id order: the last recorded)."""
    latest = (
        select(ActionUpdate.action_id, func.max(ActionUpdate.id).label("update_id"))
        .where(ActionUpdate.text != "")
        .group_by(ActionUpdate.action_id)
        .subquery()
    )
    return latest


def action_rows(scope: Scope, *where: ColumnElement[bool], today: date) -> list[ActionRow]:
    """The actions matching `where` that `scope` may see, in reference order."""
    latest = _latest_updates()
    query = (
        select(
            Action.id,
            Action.reference,
            Meeting.reference,
            Action.area,
            Action.text,
            Action.owner,
            Action.due,
            Action.due_note,
            Action.status,
            Action.public,
            Action.closed_on,
            overdue(today),
            ActionUpdate.text,
            ActionUpdate.dated,
        )
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(latest, latest.c.action_id == Action.id)
        .outerjoin(ActionUpdate, ActionUpdate.id == latest.c.update_id)
        .where(*public_only(scope, Action.public), *where)
        .order_by(Action.sort_key, Action.id)
    )
    return [ActionRow(*row[:11], bool(row[11]), *row[12:]) for row in db.session.execute(query)]


@dataclass(frozen=True, slots=True)
class ActionFilter:
    status: str | None = None  # a key of ACTION_STATUSES
    meeting: str | None = None  # a meeting reference
    overdue: bool = False
    owner: str | None = None  # words in the owner


def action_list(scope: Scope, f: ActionFilter, *, today: date) -> list[ActionRow]:
    where: list[ColumnElement[bool]] = []
    if f.status:
        where.append(Action.status == f.status)
    if f.meeting:
        where.append(Meeting.reference == f.meeting)
    if f.overdue:
        where.append(overdue(today))
    if f.owner:
        where.append(func.lower(Action.owner).contains(f.owner.lower(), autoescape=True))
    return action_rows(scope, *where, today=today)


def status_counts(scope: Scope) -> dict[str, int]:
    """Actions per status (GROUP BY), for the list's chips."""
    query = (
        select(Action.status, func.count())
        .where(*public_only(scope, Action.public))
        .group_by(Action.status)
    )
    return dict(db.session.execute(query).all())


def action_by_reference(reference: str, scope: Scope) -> Action | None:
    """The action, if `scope` may see it (a reviewer: only a public one)."""
    query = select(Action).where(
        Action.reference == reference.upper(), *public_only(scope, Action.public)
    )
    return db.session.scalar(query)


def action_updates(action_id: int) -> list[ActionUpdate]:
    """The action's updates, newest first."""
    query = (
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action_id)
        .order_by(ActionUpdate.dated.desc(), ActionUpdate.id.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True, slots=True)
class LinkView:
    id: int
    kind: str
    target_id: int
    label: str  # "BP004 Data Collection", "Comment #12 (Acme Energy)"
    reference: str | None  # the artefact's reference, for its page's URL


def _artefact_labels(ids: list[int], scope: Scope) -> dict[int, tuple[str, str | None]]:
    rows = db.session.execute(
        select(Artefact.id, Artefact.reference, Artefact.title).where(Artefact.id.in_(ids))
    )
    return {id_: (f"{ref} {title}".strip(), ref) for id_, ref, title in rows}


def _comment_labels(ids: list[int], scope: Scope) -> dict[int, tuple[str, str | None]]:
    rows = db.session.execute(
        select(Comment.id, Comment.organisation_id, Artefact.reference)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .where(Comment.id.in_(ids), *scope.comments())
    )
    return {id_: (f"Comment #{id_} on {ref}", None) for id_, _org, ref in rows}


# How a link's target is named, per kind; a target the scope may not see (another
# organisation's comment, an entry on another's comments) or that is gone is left out.
LINK_LABELLERS: dict[str, Callable[[list[int], Scope], dict[int, tuple[str, str | None]]]] = {
    "artefact": _artefact_labels,
    "comment": _comment_labels,
    "dissensus": entry_labels,
}


def action_links(action_id: int, scope: Scope) -> list[LinkView]:
    require(scope)
    links = list(
        db.session.scalars(
            select(ActionLink).where(ActionLink.action_id == action_id).order_by(ActionLink.id)
        )
    )
    labels: dict[str, dict[int, tuple[str, str | None]]] = {}
    for kind, labeller in LINK_LABELLERS.items():
        ids = [link.target_id for link in links if link.kind == kind]
        labels[kind] = labeller(ids, scope) if ids else {}
    views = []
    for link in links:
        found = labels.get(link.kind, {}).get(link.target_id)
        if found is not None:
            views.append(LinkView(link.id, link.kind, link.target_id, *found))
    return views


def linked_actions(kind: str, target_id: int, scope: Scope, *, today: date) -> list[ActionRow]:
    """The actions linked to one artefact or comment that `scope` may see."""
    linked = select(ActionLink.action_id).where(
        ActionLink.kind == kind, ActionLink.target_id == target_id
    )
    return action_rows(scope, Action.id.in_(linked), today=today)


def actions_json(scope: Scope, *, today: date) -> list[dict[str, object]]:
    return [row.as_json() for row in action_rows(scope, today=today)]


__all__ = [
    "NOT_DONE",
    "ActionFilter",
    "ActionRow",
    "LinkView",
    "action_by_reference",
    "action_links",
    "action_list",
    "action_rows",
    "action_updates",
    "actions_json",
    "linked_actions",
    "overdue",
    "open_actions_per_artefact",
    "status_counts",
]
