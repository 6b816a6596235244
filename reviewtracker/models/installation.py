"""What a database records about itself: today, that it holds the made-up demo data set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

# The fact `reviewtracker demo` records: every page then says it shows demo data.
DEMO = "demo"


class InstallationFact(db.Model):
    """One fact about this database, by key (see DEMO)."""

    __tablename__ = "installation_fact"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
