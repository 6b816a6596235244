"""The dissensus log: entries (D-001, ...) where industry and the programme disagree, the
artefacts and comments they concern, the constituencies' positions at a meeting, the outcome,
and every change (history)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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

from importers.vocabulary import DISSENSUS_OUTCOMES, DISSENSUS_STATUSES, POSITIONS

from ..extensions import db
from .base import ORIGINS, FieldChange, in_, utcnow
from .reference import Constituency, Organisation


class DissensusEntry(db.Model):
    """One entry of the dissensus log."""

    __tablename__ = "dissensus_entry"
    __table_args__ = (
        CheckConstraint(in_("status", DISSENSUS_STATUSES.keys), name="status"),
        CheckConstraint(
            f"outcome IS NULL OR {in_('outcome', DISSENSUS_OUTCOMES.keys)}", name="outcome"
        ),
        Index("ix_dissensus_entry_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # D-001 is 1
    title: Mapped[str] = mapped_column(String(300))
    raised_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    raised_by_constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituency.id"))
    raised_on: Mapped[date] = mapped_column(Date)
    issue: Mapped[str] = mapped_column(Text, default="")
    programme_position: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str | None] = mapped_column(Text)  # never shown to a reviewer
    status: Mapped[str] = mapped_column(String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    post_meeting_update: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    raised_by_organisation: Mapped[Organisation | None] = relationship()
    raised_by_constituency: Mapped[Constituency | None] = relationship()

    @property
    def reference(self) -> str:
        return f"D-{self.number:03d}"


class DissensusArtefact(db.Model):
    __tablename__ = "dissensus_artefact"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("dissensus_entry.id", ondelete="CASCADE"), primary_key=True
    )
    artefact_id: Mapped[int] = mapped_column(
        ForeignKey("artefact.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DissensusComment(db.Model):
    __tablename__ = "dissensus_comment"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("dissensus_entry.id", ondelete="CASCADE"), primary_key=True
    )
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DissensusPosition(db.Model):
    """A constituency's position on an entry at one meeting."""

    __tablename__ = "dissensus_position"
    __table_args__ = (
        UniqueConstraint("entry_id", "meeting_on", "constituency_id", name="uq_dissensus_position"),
        CheckConstraint(in_("position", POSITIONS.keys), name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("dissensus_entry.id", ondelete="CASCADE"))
    meeting_on: Mapped[date] = mapped_column(Date)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"))
    position: Mapped[str] = mapped_column(String(20))


class DissensusEvent(FieldChange, db.Model):
    """One change of one field of a dissensus entry: who, when, before, after."""

    __tablename__ = "dissensus_event"
    __table_args__ = (
        CheckConstraint(in_("origin", ORIGINS), name="origin"),
        Index("ix_dissensus_event_entry", "entry_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("dissensus_entry.id", ondelete="CASCADE"))
