"""Working groups (BPRWG, Registration, DRG, ...) and their members: who comments are assigned
to besides a person. Nothing here commits (the caller's unit of work does)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import REVIEWER, CommentResolution, User, WorkingGroup, WorkingGroupMember
from . import ServiceError

MAX_NAME = 80
MAX_DESCRIPTION = 300


@dataclass(frozen=True, slots=True)
class GroupSummary:
    id: int
    name: str
    description: str
    members: list[User]
    comments: int  # comments assigned to the group


def working_groups() -> list[GroupSummary]:
    """Every working group with its members and how many comments are assigned to it
    (counted in the database)."""
    assigned = dict(
        db.session.execute(
            select(CommentResolution.working_group_id, func.count())
            .where(CommentResolution.working_group_id.is_not(None))
            .group_by(CommentResolution.working_group_id)
        ).all()
    )
    groups = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.name))
    return [
        GroupSummary(g.id, g.name, g.description, list(g.members), int(assigned.get(g.id, 0)))
        for g in groups
    ]


def groups_of(user_id: int) -> list[WorkingGroup]:
    """The working groups a user is a member of, by name."""
    return list(
        db.session.scalars(
            select(WorkingGroup)
            .join(WorkingGroupMember, WorkingGroupMember.working_group_id == WorkingGroup.id)
            .where(WorkingGroupMember.user_id == user_id)
            .order_by(WorkingGroup.name)
        )
    )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("a working group needs a name")
    if len(name) > MAX_NAME:
        raise ServiceError(f"a working group's name is at most {MAX_NAME} characters")
    return name


def _unique(name: str, other_than: int | None = None) -> None:
    found = db.session.scalar(
        select(WorkingGroup.id).where(func.lower(WorkingGroup.name) == name.lower())
    )
    if found is not None and found != other_than:
        raise ServiceError(f"there is already a working group called {name!r}")


def create_group(name: str, description: str = "") -> WorkingGroup:
    name = _clean_name(name)
    _unique(name)
    group = WorkingGroup(name=name, description=" ".join(description.split())[:MAX_DESCRIPTION])
    db.session.add(group)
    db.session.flush()
    return group


def get_group(group_id: int) -> WorkingGroup:
    group = db.session.get(WorkingGroup, group_id)
    if group is None:
        raise ServiceError(f"no working group {group_id}")
    return group


def update_group(group_id: int, name: str, description: str) -> WorkingGroup:
    group = get_group(group_id)
    name = _clean_name(name)
    _unique(name, other_than=group_id)
    group.name = name
    group.description = " ".join(description.split())[:MAX_DESCRIPTION]
    db.session.flush()
    return group


def add_member(group_id: int, user_id: int) -> None:
    group = get_group(group_id)
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.role == REVIEWER:
        raise ServiceError("only an active member of the design team can join a working group")
    if db.session.get(WorkingGroupMember, (group_id, user_id)) is not None:
        raise ServiceError(f"{user.display_name} is already a member of {group.name}")
    db.session.add(WorkingGroupMember(working_group_id=group_id, user_id=user_id))
    db.session.flush()


def remove_member(group_id: int, user_id: int) -> None:
    get_group(group_id)
    result = db.session.execute(
        delete(WorkingGroupMember).where(
            WorkingGroupMember.working_group_id == group_id, WorkingGroupMember.user_id == user_id
        )
    )
    if result.rowcount != 1:
        raise ServiceError("that user is not a member of this working group")


def delete_group(group_id: int) -> None:
    """Delete a working group no comment is assigned to (its memberships go with it)."""
    group = get_group(group_id)
    assigned = db.session.scalar(
        select(func.count()).where(CommentResolution.working_group_id == group_id)
    )
    if assigned:
        raise ServiceError(
            f"{group.name} has {assigned} comment{'' if assigned == 1 else 's'} assigned: "
            "assign them elsewhere first"
        )
    db.session.execute(
        delete(WorkingGroupMember).where(WorkingGroupMember.working_group_id == group_id)
    )
    db.session.delete(group)
    db.session.flush()


__all__ = [
    "GroupSummary",
    "add_member",
    "create_group",
    "delete_group",
    "get_group",
    "groups_of",
    "remove_member",
    "update_group",
    "working_groups",
]
