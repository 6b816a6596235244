"""What reviewers submitted, and the extensions a lead grants: the submissions of a round
(the organisation's own, or every organisation's for the design team), a copy of one as
submitted, the import batches that are submissions (the import history marks them), the
organisations invited to a round and the extensions granted them (services/submissions.py
takes a submission). Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    ImportBatch,
    Organisation,
    ReviewRound,
    RoundExtension,
    RoundInvitation,
    Submission,
    User,
    utcnow,
)
from . import ServiceError
from .rounds import closing_date
from .scope import Scope, require
from .submission_audit import (
    EXTENSION,
    record_event,
)
from .submissions import (
    NoSuchRound,
)

# --- the submissions made ------------------------------------------------------------------


@dataclass(slots=True)
class SubmissionRow:
    id: int
    kind: str
    file_name: str
    submitted_at: datetime
    submitted_by: str
    late: bool
    comments: int
    batch_id: int | None
    added: int
    updated: int
    unchanged: int
    conflicts: int


def round_submissions(round_id: int, scope: Scope) -> list[SubmissionRow]:
    """The organisation's submissions to the round (the staff's: every organisation's), the
    latest first."""
    scope = require(scope)
    query = (
        select(
            Submission.id,
            Submission.kind,
            Submission.file_name,
            Submission.submitted_at,
            func.coalesce(User.name, User.email, "a removed user"),
            Submission.late,
            Submission.comments,
            Submission.import_batch_id,
            func.coalesce(ImportBatch.added, 0),
            func.coalesce(ImportBatch.updated, 0),
            func.coalesce(ImportBatch.unchanged, 0),
            func.coalesce(ImportBatch.conflicts, 0),
        )
        .outerjoin(User, User.id == Submission.user_id)
        .outerjoin(ImportBatch, ImportBatch.id == Submission.import_batch_id)
        .where(Submission.review_round_id == round_id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
    )
    if scope.organisation_id is not None:
        query = query.where(Submission.organisation_id == scope.organisation_id)
    return [SubmissionRow(*row) for row in db.session.execute(query)]


def submission_copy(submission_id: int, scope: Scope) -> tuple[str, bytes]:
    """(file name, bytes) of what was submitted; NoSuchRound outside the scope."""
    scope = require(scope)
    submission = db.session.get(Submission, submission_id)
    if submission is None or (
        scope.organisation_id is not None and submission.organisation_id != scope.organisation_id
    ):
        raise NoSuchRound("no such submission")
    return submission.file_name, submission.content


def submitted_batches(batch_ids: list[int]) -> dict[int, dict]:
    """batch id -> who submitted it (the reviewer's name or email, their organisation, late)
    for the batches that are reviewers' submissions: the import history marks them."""
    if not batch_ids:
        return {}
    rows = db.session.execute(
        select(
            Submission.import_batch_id,
            func.coalesce(User.name, User.email, "a removed user"),
            Organisation.name,
            Submission.late,
            Submission.kind,
            Submission.id,
        )
        .outerjoin(User, User.id == Submission.user_id)
        .join(Organisation, Organisation.id == Submission.organisation_id)
        .where(Submission.import_batch_id.in_(batch_ids))
    )
    return {
        batch_id: {"by": by, "organisation": organisation, "late": late, "kind": kind, "id": id_}
        for batch_id, by, organisation, late, kind, id_ in rows
    }


# --- extensions (a lead's) -----------------------------------------------------------------


@dataclass(slots=True)
class ExtensionRow:
    organisation_id: int
    organisation: str
    until: date
    granted_by: str
    granted_at: datetime
    note: str | None


def invited_organisations(round_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organisations invited to the round: who may get an extension."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Organisation.id, Organisation.name)
            .join(RoundInvitation, RoundInvitation.organisation_id == Organisation.id)
            .where(RoundInvitation.review_round_id == round_id)
            .order_by(Organisation.name_key)
        )
    ]


def round_extensions(round_id: int) -> list[ExtensionRow]:
    """The extensions granted in the round (the design team's view)."""
    rows = db.session.execute(
        select(
            RoundExtension.organisation_id,
            Organisation.name,
            RoundExtension.until,
            RoundExtension.granted_by,
            RoundExtension.granted_at,
            RoundExtension.note,
        )
        .join(Organisation, Organisation.id == RoundExtension.organisation_id)
        .where(RoundExtension.review_round_id == round_id)
        .order_by(Organisation.name_key)
    )
    return [ExtensionRow(*row) for row in rows]


def grant_extension(
    round_id: int,
    organisation_id: int,
    until: date,
    *,
    actor: str,
    user_id: int | None,
    note: str = "",
) -> RoundExtension:
    """Let one invited organisation submit through `until` (a later grant replaces it)."""
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None:
        raise NoSuchRound("no such review round")
    invited = db.session.scalar(
        select(RoundInvitation.organisation_id).where(
            RoundInvitation.review_round_id == round_id,
            RoundInvitation.organisation_id == organisation_id,
        )
    )
    if invited is None:
        raise ServiceError("only an organisation invited to the round can get an extension")
    closes = closing_date(review_round)
    if closes is not None and until <= closes:
        raise ServiceError(f"an extension ends after the closing date, {closes:%d %B %Y}")
    extension = db.session.scalar(
        select(RoundExtension).where(
            RoundExtension.review_round_id == round_id,
            RoundExtension.organisation_id == organisation_id,
        )
    )
    if extension is None:
        extension = RoundExtension(review_round_id=round_id, organisation_id=organisation_id)
        db.session.add(extension)
    extension.until, extension.granted_by, extension.granted_at = until, actor, utcnow()
    extension.note = note.strip()[:500] or None
    record_event(
        EXTENSION,
        actor=actor,
        user_id=user_id,
        organisation_id=organisation_id,
        round_id=round_id,
        detail=f"until {until.isoformat()}" + (f": {extension.note}" if extension.note else ""),
    )
    return extension


__all__ = [
    "ExtensionRow",
    "SubmissionRow",
    "grant_extension",
    "invited_organisations",
    "round_extensions",
    "round_submissions",
    "submission_copy",
    "submitted_batches",
]
