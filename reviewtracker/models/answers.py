"""Reviewers answer back: each published disposition's answer (agree, can live with it,
disagree with a reason), follow-up comments linked to the original, and each review round's
answer window."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from importers.vocabulary import ANSWERS, DISAGREE

from ..extensions import db
from .base import in_, utcnow


class ReviewerAnswer(db.Model):
    """The reviewer organisation's answer to a comment's published disposition (one per
    comment: a later answer replaces it, each change audited)."""

    __tablename__ = "reviewer_answer"
    __table_args__ = (
        CheckConstraint(in_("answer", ANSWERS.keys), name="answer"),
        CheckConstraint(f"answer <> '{DISAGREE}' OR reason IS NOT NULL", name="disagree_reason"),
        Index("ix_reviewer_answer_answer", "answer"),
    )

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    # The published version answered (a republished response may be answered anew).
    published_id: Mapped[int] = mapped_column(ForeignKey("published_response.id"))
    answered_by: Mapped[str] = mapped_column(String(254))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FollowUp(db.Model):
    """A reviewer's follow-up comment, linked to the original comment."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_comment", "comment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(254))
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnswerWindow(db.Model):
    """When a review round's answer window closes (a table of its own beside review_round:
    without one, each comment's window closes ten working days after its publication)."""

    __tablename__ = "answer_window"

    review_round_id: Mapped[int] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE"), primary_key=True
    )
    closes_on: Mapped[date] = mapped_column(Date)
