"""Review rounds, comments, the import batches they came from, and their audit trail."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from importers.vocabulary import DISPOSITIONS

from ..extensions import db
from .artefacts import Artefact
from .base import AUDIT_ORIGINS, FieldChange, in_, round_label, utcnow
from .reference import Organisation, Tranche

# The list's "sort by disposition" order (the vocabulary's order, not the labels'), in SQL: the
# expression of the index ix_comment_disposition_rank and of the list's ORDER BY, word for word
# (an expression index serves only its own expression, on both databases). A change of the
# vocabulary's order needs a migration that re-creates the index.
DISPOSITION_RANK_SQL = (
    "CASE disposition "
    + " ".join(f"WHEN '{key}' THEN {DISPOSITIONS.rank(key)}" for key in DISPOSITIONS.keys)
    + " END"
)


class ReviewRound(db.Model):
    """One review window of a tranche: 1st review, 2nd review after re-issue, ...

    Its window runs from `opens_on` to `closes_on` (inclusive); `closed_on` is set when a lead
    closes it early. Its state (planned, open, closed) follows from these and the day
    (services/rounds.py); a round created by an import, without dates, is open until a lead
    closes it. What it reviews, whom it invited and what it carries are in models/rounds.py."""

    __tablename__ = "review_round"
    __table_args__ = (UniqueConstraint("tranche_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranche.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(120))  # "2nd review", as the papers say
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # closed early by a lead
    scope_note: Mapped[str | None] = mapped_column(Text)  # "comments on the data items only"
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime | None] = mapped_column(DateTime)

    tranche: Mapped[Tranche] = relationship()

    @property
    def label(self) -> str:
        return round_label(self.number)

    @property
    def title(self) -> str:
        """Its name if it has one ("2nd review: data items"), else its label."""
        return self.name or self.label


class ImportBatch(db.Model):
    """One file imported: what it was, what it did, and how its columns were read."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="comments")  # comments | artefacts
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(120))
    added: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    # {sheet: {field: header as written}} and the warnings/conflicts, kept for the history page.
    column_mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    # Set when the comments this batch added were removed again (the batch stays, for history).
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(120))


class Comment(db.Model):
    """A reviewer's comment on an artefact in one review round, and its triage outcome."""

    __tablename__ = "comment"
    __table_args__ = (
        # The natural key: a re-import of the same log finds the same comment.
        UniqueConstraint(
            "artefact_id",
            "review_round_id",
            "organisation_id",
            "source_key",
            name="uq_comment_natural_key",
        ),
        CheckConstraint(in_("disposition", DISPOSITIONS.keys), name="disposition"),
        # The two DAG rollups read only these indexes (covering), never the table; so does a
        # round's engagement table (comments, late ones and the last import per organisation).
        Index("ix_comment_rollup_status", "review_round_id", "artefact_id", "disposition"),
        Index(
            "ix_comment_rollup_constituency",
            "review_round_id",
            "organisation_id",
            "created_at",
            "raised_on",
        ),
        # The list sorted by last change, and its "next" comment.
        Index("ix_comment_updated", "updated_at", "id"),
        # ... and sorted by disposition (its rank, not its name: see disposition_rank).
        Index("ix_comment_disposition_rank", text(f"({DISPOSITION_RANK_SQL})"), "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artefact_id: Mapped[int] = mapped_column(ForeignKey("artefact.id"))
    review_round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The log's own comment id if it has one, else "sheet!row".
    source_key: Mapped[str] = mapped_column(String(120))
    log_comment_id: Mapped[str | None] = mapped_column(String(120))

    section: Mapped[str | None] = mapped_column(String(300))
    page: Mapped[str | None] = mapped_column(String(60))
    line: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    proposed_change: Mapped[str | None] = mapped_column(Text)
    comment_type: Mapped[str | None] = mapped_column(String(60))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    raised_on: Mapped[date | None] = mapped_column(Date)

    disposition: Mapped[str] = mapped_column(String(16), default="open")
    response: Mapped[str | None] = mapped_column(Text)
    # Who last set the disposition / response: "import" or "browser". A browser decision is
    # never overwritten by a re-import.
    disposition_origin: Mapped[str | None] = mapped_column(String(8))
    response_origin: Mapped[str | None] = mapped_column(String(8))
    action_owner: Mapped[str | None] = mapped_column(String(200))
    action_due: Mapped[date | None] = mapped_column(Date)
    internal_note: Mapped[str | None] = mapped_column(Text)
    # Indexed: every save of an original looks up its duplicates, and so does the comment page
    # (a full scan of the comment table each time otherwise: 300 ms at 1,000,000 comments).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking

    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    last_import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    source_file: Mapped[str | None] = mapped_column(String(300))
    source_sheet: Mapped[str | None] = mapped_column(String(120))
    source_row: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    artefact: Mapped[Artefact] = relationship()
    review_round: Mapped[ReviewRound] = relationship()
    organisation: Mapped[Organisation] = relationship()


class AuditEvent(FieldChange, db.Model):
    """One change of one field of one comment: who, when, before, after, and why."""

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint(in_("origin", AUDIT_ORIGINS), name="origin"),
        Index("ix_audit_event_comment", "comment_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
