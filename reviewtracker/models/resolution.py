"""The resolution workflow: working groups and their members, who resolves each comment
(assignee, working group), where its response stands (draft ... published), and the versions
of it published to the reviewer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from importers.vocabulary import DISPOSITIONS, DRAFT, OPEN, RESPONSE_STATES

from ..extensions import db
from .base import in_, utcnow
from .users import User


class WorkingGroup(db.Model):
    """A sub-group of the design team (BPRWG, Registration, DRG, ...) that comments are
    assigned to."""

    __tablename__ = "working_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(
        secondary="working_group_member", order_by="User.email", viewonly=True
    )


class WorkingGroupMember(db.Model):
    """A user's membership of a working group."""

    __tablename__ = "working_group_member"

    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CommentResolution(db.Model):
    """Who resolves a comment and where its response stands. One row per comment, made the
    first time any of it is set: a comment without one is unassigned, in draft, unpublished.
    The assignment's due date is its own (`due_on`): the comment's `action_due` is the
    action's, only for a comment in Action (services/triage.py)."""

    __tablename__ = "comment_resolution"
    __table_args__ = (CheckConstraint(in_("state", RESPONSE_STATES.keys), name="state"),)

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"), index=True)
    # When the assignee or group is to have resolved it ("overdue" after, while unresolved).
    due_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    # The artefact version an accepted change went into ("v1.2"), as the team writes it.
    implemented_in: Mapped[str | None] = mapped_column(String(40))
    # The version the reviewer sees (None: never published).
    published_id: Mapped[int | None] = mapped_column(ForeignKey("published_response.id"))

    assignee: Mapped[User | None] = relationship()
    working_group: Mapped[WorkingGroup | None] = relationship()


class PublishedResponse(db.Model):
    """One version of a comment's disposition and response as published to the reviewer.
    Every publication adds one; the comment's resolution points at the one in force."""

    __tablename__ = "published_response"
    __table_args__ = (
        CheckConstraint(in_("disposition", DISPOSITIONS.keys_except(OPEN)), name="disposition"),
        Index("ix_published_response_comment", "comment_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    disposition: Mapped[str] = mapped_column(String(16))
    response: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(120))
