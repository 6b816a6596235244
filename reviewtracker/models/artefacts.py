"""Artefacts: the design documents under review, as the Design Artefact Tracker lists them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .reference import Service, Tranche


class Artefact(db.Model):
    """A design document under review, as the Design Artefact Tracker lists it."""

    __tablename__ = "artefact"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # canonical, e.g. BP004
    title: Mapped[str] = mapped_column(String(300), default="")
    document_type: Mapped[str] = mapped_column(String(80), default="")
    tranche_id: Mapped[int | None] = mapped_column(ForeignKey("tranche.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    version: Mapped[str | None] = mapped_column(String(20))
    review_state: Mapped[str | None] = mapped_column(String(80))
    action_with: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the register

    tranche: Mapped[Tranche | None] = relationship()
    service: Mapped[Service | None] = relationship()
