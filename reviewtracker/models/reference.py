"""Reference data: tranches, MHHS services, constituencies, and the organisations in them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import tranche_label


class Tranche(db.Model):
    __tablename__ = "tranche"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # "1".."4", "TBC"
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        return tranche_label(self.code)


class Service(db.Model):
    """An MHHS service (Registration Service, Load Shaping Service, ...)."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Constituency(db.Model):
    """Reference data: the constituencies of the DAG pack, in the pack's order."""

    __tablename__ = "constituency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded name: "Acme  Energy" and "ACME Energy" are one organisation.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"), index=True)

    constituency: Mapped[Constituency] = relationship()
