"""The data model: reference data, artefacts, comments, import batches and the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_login import UserMixin
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
from werkzeug.security import check_password_hash, generate_password_hash

from importers.records import DISPOSITIONS

from .extensions import db

# Labels as the DAG pack writes them; the keys are what the database stores.
DISPOSITION_LABELS: dict[str, str] = {
    "accepted": "Accepted",
    "action": "Action",
    "rejected": "Rejected",
    "clarification": "Requires Further Clarification",
    "open": "Open",
}
ORIGINS = ("import", "browser")
# The list's "sort by disposition" order (DISPOSITIONS' order, not the names'), in SQL: the
# expression of the index ix_comment_disposition_rank and of the list's ORDER BY, word for word
# (an expression index serves only its own expression, on both databases). A change here needs
# a migration that re-creates the index.
DISPOSITION_RANK_SQL = (
    "CASE disposition "
    + " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(DISPOSITIONS))
    + " END"
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Tranche(db.Model):
    __tablename__ = "tranche"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # "1".."4", "TBC"
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        return "Tranche TBC" if self.code == "TBC" else f"Tranche {self.code}"


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


class ReviewRound(db.Model):
    """One review window of a tranche: 1st review, 2nd review after re-issue, ..."""

    __tablename__ = "review_round"
    __table_args__ = (UniqueConstraint("tranche_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranche.id"))
    number: Mapped[int] = mapped_column(Integer)

    tranche: Mapped[Tranche] = relationship()

    @property
    def label(self) -> str:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(self.number if self.number < 20 else 0, "th")
        return f"{self.number}{suffix} review"


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
        CheckConstraint(_in("disposition", DISPOSITIONS), name="disposition"),
        # The two DAG rollups read only these indexes (covering), never the table.
        Index("ix_comment_rollup_status", "review_round_id", "artefact_id", "disposition"),
        Index("ix_comment_rollup_constituency", "review_round_id", "organisation_id"),
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


class AuditEvent(db.Model):
    """One change of one field of one comment: who, when, before, after, and why."""

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        Index("ix_audit_event_comment", "comment_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(8))  # import | browser
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


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
        CheckConstraint(_in("role", ALL_ROLES), name="role"),
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


# --- the design dashboard (the pack's "MHHS Design Dashboard", month by month) ---------------

from importers.design_dashboard import RAGS  # noqa: E402  (kept beside the models that use it)


class DesignStatus(db.Model):
    """One tranche x service's status in one month: its RAG, the planned and expected DAG
    month as the pack writes them ("Apr", "June", "TBC" or YYYY-MM), the current status and
    issues, and the actions to resolve. "RAG last month" is the previous month's record."""

    __tablename__ = "design_status"
    __table_args__ = (
        UniqueConstraint("tranche_id", "service_id", "month", name="uq_design_status_key"),
        CheckConstraint(f"rag IS NULL OR {_in('rag', RAGS)}", name="rag"),
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
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


class DesignStatusEvent(db.Model):
    """One change of one field of a design dashboard record: who, when, before, after."""

    __tablename__ = "design_status_event"
    __table_args__ = (
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        Index("ix_design_status_event_status", "status_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("design_status.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(8))  # import | browser
    source_file: Mapped[str | None] = mapped_column(String(300))  # the imported file, if any


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
