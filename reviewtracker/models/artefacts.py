"""Artefacts: the design documents under review, as the Design Artefact Tracker lists them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from importers.vocabulary import ARTEFACT_STATES

from ..extensions import db
from .base import in_
from .reference import Service, Tranche


class Artefact(db.Model):
    """A design document under review, as the Design Artefact Tracker lists it.

    Its lifecycle (models/lifecycle.py): `state` is a key of ARTEFACT_STATES (None: not set
    yet), changed only through services/lifecycle.py, which records every move; `version` is
    the label of its latest issued ArtefactVersion, kept by the same service."""

    __tablename__ = "artefact"
    __table_args__ = (
        CheckConstraint(f"state IS NULL OR {in_('state', ARTEFACT_STATES.keys)}", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # canonical, e.g. BP004
    title: Mapped[str] = mapped_column(String(300), default="")
    document_type: Mapped[str] = mapped_column(String(80), default="")
    tranche_id: Mapped[int | None] = mapped_column(ForeignKey("tranche.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    version: Mapped[str | None] = mapped_column(String(20))
    action_with: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the register
    state: Mapped[str | None] = mapped_column(String(24))
    expected_dag_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    responsible: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)  # its last recorded change

    tranche: Mapped[Tranche | None] = relationship()
    service: Mapped[Service | None] = relationship()
