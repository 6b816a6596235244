"""The artefact lifecycle: the versions issued of each artefact, every recorded change of an
artefact (its moves between states and tranches, its versions, the tracker's fields) and
which version implemented an Accepted comment's change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .artefacts import Artefact
from .base import ORIGINS, FieldChange, in_, utcnow


class ArtefactVersion(db.Model):
    """One version of an artefact as issued: v0.3 for review, v1.0 baselined, v1.1 ..."""

    __tablename__ = "artefact_version"
    __table_args__ = (
        UniqueConstraint("artefact_id", "label", name="uq_artefact_version_label"),
        Index("ix_artefact_version_artefact", "artefact_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artefact_id: Mapped[int] = mapped_column(ForeignKey("artefact.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))  # as the programme writes it: "0.3", "1.0"
    issued_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    artefact: Mapped[Artefact] = relationship()


class ArtefactEvent(FieldChange, db.Model):
    """One recorded change of one artefact: a move of its state ("state") or tranche
    ("tranche"), a version issued ("version"), or a tracker field edited ("action_with",
    "expected_dag_month", "responsible"). `effective_on` is the date the lead gives the change
    (the DAG's meeting, the issue date), `at` when it was recorded. The artefact's timeline."""

    __tablename__ = "artefact_event"
    __table_args__ = (
        CheckConstraint(in_("origin", ORIGINS), name="origin"),
        Index("ix_artefact_event_artefact", "artefact_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artefact_id: Mapped[int] = mapped_column(ForeignKey("artefact.id", ondelete="CASCADE"))
    effective_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    decision_ref: Mapped[str | None] = mapped_column(String(40))  # e.g. DAG-DEC-29
    source_file: Mapped[str | None] = mapped_column(String(300))  # the register imported


class CommentImplementation(db.Model):
    """An Accepted comment's change, implemented in a version of its artefact. A comment
    without a row here is still "to do"."""

    __tablename__ = "comment_implementation"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("artefact_version.id", ondelete="CASCADE"), index=True
    )
    marked_by: Mapped[str] = mapped_column(String(120))
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    version: Mapped[ArtefactVersion] = relationship()
