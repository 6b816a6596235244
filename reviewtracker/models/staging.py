"""Uploaded files waiting between the preview and the confirm, kept in the database so
that every app process serving the site sees them (see imports/staging.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class StagedUpload(db.Model):
    """One upload of one or more logs by one user: its options and its files."""

    __tablename__ = "staged_upload"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, in the URL
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # What its files are read as: comment logs, an artefact register, a resolutions workbook.
    kind: Mapped[str] = mapped_column(String(20), default="comments")
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # tranche, round, organisation...
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    files: Mapped[list[StagedFile]] = relationship(
        order_by="StagedFile.position", cascade="all, delete-orphan", passive_deletes=True
    )


class StagedFile(db.Model):
    """One uploaded file: its bytes, and the file as the reader read it (a ParsedLog as JSON)
    for the column choices it was read with, so that neither a reload of the preview nor the
    confirm reads the spreadsheet again."""

    __tablename__ = "staged_file"
    __table_args__ = (UniqueConstraint("upload_token", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_token: Mapped[str] = mapped_column(ForeignKey("staged_upload.token", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based, in the order uploaded
    name: Mapped[str] = mapped_column(String(200))  # as the user's computer named it: shown only
    size: Mapped[int] = mapped_column(Integer)
    overrides: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> header, or None
    # Loaded only when used: a preview reads the parse, not the file.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    parsed: Mapped[str | None] = mapped_column(Text, deferred=True)
