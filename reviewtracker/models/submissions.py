"""Reviewers' own submissions to a review round: the drafts a reviewer types on the web form,
the submissions (each an import batch marked "submitted by" the reviewer, with a copy of what
was submitted), the extensions a lead grants an organisation past the closing date, and the
submission events (every upload, draft change and submission: the audit, and the throttle's
count)."""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from importers.vocabulary import SUBMISSION_KINDS

from ..extensions import db
from .base import in_, utcnow


class RoundExtension(db.Model):
    """A lead's extension of a round's window for one organisation: it may submit through
    `until`. Granted again, the row is updated (the events keep each grant)."""

    __tablename__ = "round_extension"
    __table_args__ = (UniqueConstraint("review_round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    until: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(120))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))


class Submission(db.Model):
    """One submission by a reviewer: the import batch it made, whether it came after the
    round's closing date (late), and the file as submitted (a log, or the drafts written out
    as one), for the reviewer's copy."""

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(in_("kind", SUBMISSION_KINDS.keys), name="kind"),
        Index("ix_submission_round_organisation", "review_round_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    file_name: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    comments: Mapped[int] = mapped_column(Integer, default=0)


class CommentDraft(db.Model):
    """A comment a reviewer is typing on an artefact of a round: theirs alone until they
    submit it, then locked (`submitted_at`) and linked to its submission."""

    __tablename__ = "comment_draft"
    __table_args__ = (Index("ix_comment_draft_author_round", "author_id", "review_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    artefact_id: Mapped[int] = mapped_column(ForeignKey("artefact.id", ondelete="CASCADE"))
    section: Mapped[str | None] = mapped_column(String(200))
    page: Mapped[str | None] = mapped_column(String(50))
    line: Mapped[str | None] = mapped_column(String(50))
    comment: Mapped[str] = mapped_column(Text)
    proposed_change: Mapped[str | None] = mapped_column(Text)
    comment_type: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )


class SubmissionEvent(db.Model):
    """What a reviewer (or a lead) did to a round's submissions: an upload checked, a draft
    saved or deleted, a submission made or refused, an extension granted. The audit trail,
    and what the per-user throttle counts."""

    __tablename__ = "submission_event"
    __table_args__ = (Index("ix_submission_event_user_action_at", "user_id", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    review_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_round.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[str | None] = mapped_column(String(1000))
