"""Review rounds as the programme runs them: the artefacts (and versions) under review, the
organisations invited, the comments carried forward into a later round, and the repeats linked
to an earlier comment. The round's own dates and scope are columns of ReviewRound
(models/comments.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .artefacts import Artefact
from .base import utcnow
from .lifecycle import ArtefactVersion
from .reference import Organisation


class RoundArtefact(db.Model):
    """An artefact under review in a round, and the version the round reviews."""

    __tablename__ = "round_artefact"

    review_round_id: Mapped[int] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE"), primary_key=True
    )
    artefact_id: Mapped[int] = mapped_column(
        ForeignKey("artefact.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    version_id: Mapped[int | None] = mapped_column(ForeignKey("artefact_version.id"))

    artefact: Mapped[Artefact] = relationship()
    version: Mapped[ArtefactVersion | None] = relationship()


class RoundInvitation(db.Model):
    """An organisation asked to review in a round (its constituency is the organisation's)."""

    __tablename__ = "round_invitation"

    review_round_id: Mapped[int] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class CommentCarry(db.Model):
    """An earlier round's comment carried forward into a later round, still unresolved when
    the later round started: one comment, shown in both rounds, never a copy."""

    __tablename__ = "comment_carry"
    __table_args__ = (Index("ix_comment_carry_round", "review_round_id", "comment_id"),)

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    review_round_id: Mapped[int] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE"), primary_key=True
    )
    carried_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CommentRepeat(db.Model):
    """A later round's comment linked as repeating an earlier comment of the same
    organisation on the same artefact ("repeats #N")."""

    __tablename__ = "comment_repeat"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    repeats_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float | None] = mapped_column(Float)  # the suggestion's, if it was one
    linked_by: Mapped[str] = mapped_column(String(120))
    linked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
