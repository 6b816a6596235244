"""The advisory group's own logs: meetings, their actions (with dated updates and links to
artefacts, comments and dissensus entries) and their decisions (with linked artefacts and the
lifecycle move a decision carries)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from importers.vocabulary import ACTION_LINK_KINDS, ACTION_STATUSES

from ..extensions import db
from .artefacts import Artefact
from .base import ORIGINS, in_, utcnow


class Meeting(db.Model):
    """One meeting of the group: DAG013, held on 28 July 2022."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # canonical, e.g. DAG013
    # Orders DAG006.1 after DAG006 and DAG013 after DAG009 (importers.governance).
    sort_key: Mapped[str] = mapped_column(String(40), index=True)
    held_on: Mapped[date | None] = mapped_column(Date)  # unknown for a meeting an import named
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Action(db.Model):
    """An action of the action log: DAG13-04 "Review and update the dissensus log", owner,
    due date, status; its updates and links hang off it."""

    __tablename__ = "action_item"  # "action" is an SQL keyword
    __table_args__ = (
        CheckConstraint(in_("status", ACTION_STATUSES.keys), name="status"),
        CheckConstraint(in_("origin", ORIGINS), name="origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # DAG13-04, kept as given
    sort_key: Mapped[str] = mapped_column(String(40), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    area: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")  # "Programme (Claire Silk)"
    due: Mapped[date | None] = mapped_column(Date)
    due_note: Mapped[str | None] = mapped_column(String(120))  # "ASAP", or words after a date
    raised_on: Mapped[date | None] = mapped_column(Date)
    raised_by: Mapped[str | None] = mapped_column(String(120))  # None: imported from a paper
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Where the last change came from: "import" or "browser". A re-import never overwrites an
    # action last changed in the browser (it lists the differences instead).
    origin: Mapped[str] = mapped_column(String(8), default="browser")
    closed_on: Mapped[date | None] = mapped_column(Date)  # when it last moved to closed
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # reviewers see it
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking

    meeting: Mapped[Meeting] = relationship()


class ActionUpdate(db.Model):
    """One dated update of an action: who, when, what, and the status move it made if any."""

    __tablename__ = "action_update"
    __table_args__ = (
        CheckConstraint(
            f"from_status IS NULL OR {in_('from_status', ACTION_STATUSES.keys)}",
            name="from_status",
        ),
        CheckConstraint(
            f"to_status IS NULL OR {in_('to_status', ACTION_STATUSES.keys)}", name="to_status"
        ),
        CheckConstraint(in_("origin", ORIGINS), name="origin"),
        Index("ix_action_update_action", "action_id", "dated", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"))
    dated: Mapped[date] = mapped_column(Date)  # the day the update was given
    actor: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(8))  # import | browser
    source_file: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ActionLink(db.Model):
    """What an action concerns: an artefact, a comment or a dissensus entry (by its id in its
    own table; `kind` says which, from vocabulary.ACTION_LINK_KINDS)."""

    __tablename__ = "action_link"
    __table_args__ = (
        CheckConstraint(in_("kind", ACTION_LINK_KINDS.keys), name="kind"),
        UniqueConstraint("action_id", "kind", "target_id", name="uq_action_link_target"),
        # The comment page and the artefact page look up the actions that link to them.
        Index("ix_action_link_kind_target", "kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Decision(db.Model):
    """A decision of the decision log: DAG-DEC-29 "DAG agreed that: 1. ... 2. ...".

    A decision may carry an artefact lifecycle move ("the SRO approved the baselining of
    DES196"): the target state and its date are kept here, the artefacts it moves are the
    linked artefacts marked `moves` (services/decision_moves.py applies it)."""

    __tablename__ = "decision"
    __table_args__ = (CheckConstraint(in_("origin", ORIGINS), name="origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # DAG-DEC-29
    sort_key: Mapped[str] = mapped_column(String(40), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    area: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)  # paragraphs and numbered points, lines kept
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    move_state: Mapped[str | None] = mapped_column(String(40))  # a lifecycle state's key
    move_on: Mapped[date | None] = mapped_column(Date)
    # As the action's: a re-import never overwrites a decision last changed in the browser.
    origin: Mapped[str] = mapped_column(String(8), default="browser")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    meeting: Mapped[Meeting] = relationship()


class DecisionArtefact(db.Model):
    """An artefact a decision concerns; `moves`: the decision's lifecycle move applies to it."""

    __tablename__ = "decision_artefact"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True
    )
    artefact_id: Mapped[int] = mapped_column(
        ForeignKey("artefact.id"), primary_key=True, index=True
    )
    moves: Mapped[bool] = mapped_column(Boolean, default=False)

    artefact: Mapped[Artefact] = relationship()
