"""The design dashboard: the pack's "MHHS Design Dashboard", month by month, and its audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from importers.vocabulary import RAG_STATUSES

from ..extensions import db
from .base import ORIGINS, FieldChange, in_, utcnow
from .reference import Service, Tranche


class DesignStatus(db.Model):
    """One tranche x service's status in one month: its RAG, the planned and expected DAG
    month as the pack writes them ("Apr", "June", "TBC" or YYYY-MM), the current status and
    issues, and the actions to resolve. "RAG last month" is the previous month's record."""

    __tablename__ = "design_status"
    __table_args__ = (
        UniqueConstraint("tranche_id", "service_id", "month", name="uq_design_status_key"),
        CheckConstraint(f"rag IS NULL OR {in_('rag', RAG_STATUSES.keys)}", name="rag"),
        CheckConstraint(in_("origin", ORIGINS), name="origin"),
        Index("ix_design_status_month", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranche.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    rag: Mapped[str | None] = mapped_column(String(16))
    planned_month: Mapped[str | None] = mapped_column(String(20))
    expected_month: Mapped[str | None] = mapped_column(String(20))
    status_and_issues: Mapped[str] = mapped_column(Text, default="")
    actions_to_resolve: Mapped[str] = mapped_column(Text, default="")
    # Who last changed it, and how: "browser" (a lead's form) or "import" (a dashboard file).
    # An import never overwrites a record last changed in the browser.
    origin: Mapped[str] = mapped_column(String(8), default="browser")
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking

    tranche: Mapped[Tranche] = relationship()
    service: Mapped[Service] = relationship()


class DesignStatusEvent(FieldChange, db.Model):
    """One change of one field of a design dashboard record: who, when, before, after."""

    __tablename__ = "design_status_event"
    __table_args__ = (
        CheckConstraint(in_("origin", ORIGINS), name="origin"),
        Index("ix_design_status_event_status", "status_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("design_status.id", ondelete="CASCADE"))
    source_file: Mapped[str | None] = mapped_column(String(300))  # the imported file, if any
