"""The people who sign in, their roles, and the sign-in attempts the rate limit counts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import in_, utcnow
from .reference import Organisation

# Roles in increasing order of what they may do; each may do everything the ones before it may.
ROLES = ("viewer", "triager", "lead", "admin")
# An industry reviewer: outside that ladder, tied to one organisation, and let into only the
# views that say so (`role_required(..., reviewers=True)`); see the README, "Reviewers".
REVIEWER = "reviewer"
ALL_ROLES = (*ROLES, REVIEWER)


class User(UserMixin, db.Model):
    """A person who signs in. viewer: read-only; triager: triage and import; lead: also the
    dashboard status; admin: also manages users. reviewer: an industry reviewer who sees only
    their own organisation's comments (and the published tranche dashboards)."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(in_("role", ALL_ROLES), name="role"),
        CheckConstraint(
            f"role <> '{REVIEWER}' OR organisation_id IS NOT NULL", name="reviewer_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A reviewer's organisation (required for reviewers, None for everyone else).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    organisation: Mapped[Organisation | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        """True if this user's role is `role` or one above it. A reviewer is outside the
        ladder: has_role is False for every role but "reviewer" (and only a reviewer has that)."""
        if self.role == REVIEWER or role == REVIEWER:
            return self.role == role
        if self.role not in ROLES or role not in ROLES:
            return False
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def is_reviewer(self) -> bool:
        return self.role == REVIEWER

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def get_id(self) -> str:
        """What the session and remember-me cookies hold: the id and the sign-in's token
        (services/sessions.py sets `sign_in_token`), so that ending the sign-in in the
        database makes both cookies sign nobody in, however often they are replayed."""
        return f"{self.id}:{getattr(self, 'sign_in_token', None) or ''}"


class UserSession(db.Model):
    """One sign-in of a user (one browser): only a digest of its token is kept. Deleted at
    sign-out; all of a user's at a password change, a role change, a deactivation and "sign
    out everywhere"; refused once `expires_at` has passed (services/sessions.py)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class LoginAttempt(db.Model):
    """One sign-in attempt, for the sign-in rate limit (services/users.py). In the database so
    that every server thread and process sees the same counts; pruned after a day."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
        Index("ix_login_attempt_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # as typed, lower-cased
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(default=False)
