"""The audit of reviewers' submissions, and the per-user throttle that counts it: every upload
(refused or not), draft saved or deleted, submission made or refused and extension granted is
a row of submission_event. Nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import SubmissionEvent, utcnow
from . import ServiceError

# What submission_event records (the audit trail); UPLOAD and SUBMITTED count for the throttle.
UPLOAD, SUBMITTED, REFUSED = "upload", "submitted", "refused"
DRAFT_SAVED, DRAFT_DELETED, EXTENSION = "draft saved", "draft deleted", "extension"
THROTTLED_ACTIONS = (UPLOAD, SUBMITTED)


class Throttled(ServiceError):
    """The reviewer made too many uploads and submissions lately."""


def check_throttle(user_id: int, now: datetime | None = None) -> None:
    """Throttled if the reviewer made SUBMISSION_MAX_PER_WINDOW uploads and submissions within
    SUBMISSION_WINDOW: each is a read of a spreadsheet, which costs the server."""
    config = current_app.config
    window: timedelta = config["SUBMISSION_WINDOW"]
    limit: int = config["SUBMISSION_MAX_PER_WINDOW"]
    now = now or utcnow()
    times = db.session.scalars(
        select(SubmissionEvent.at)
        .where(
            SubmissionEvent.user_id == user_id,
            SubmissionEvent.action.in_(THROTTLED_ACTIONS),
            SubmissionEvent.at > now - window,
        )
        .order_by(SubmissionEvent.at.desc())
        .limit(limit)
    ).all()
    if len(times) >= limit:
        wait = max(1, int((times[-1] + window - now).total_seconds() // 60) + 1)
        raise Throttled(
            f"You have uploaded or submitted {limit} times in the last "
            f"{int(window.total_seconds() // 60)} minutes: try again in {wait} minutes."
        )


def record_event(
    action: str,
    *,
    actor: str,
    user_id: int | None,
    organisation_id: int | None,
    round_id: int | None,
    detail: str = "",
) -> None:
    db.session.add(
        SubmissionEvent(
            action=action,
            actor=actor,
            user_id=user_id,
            organisation_id=organisation_id,
            review_round_id=round_id,
            detail=detail[:1000] or None,
        )
    )
    db.session.flush()


__all__ = [
    "DRAFT_DELETED",
    "DRAFT_SAVED",
    "EXTENSION",
    "REFUSED",
    "SUBMITTED",
    "THROTTLED_ACTIONS",
    "UPLOAD",
    "Throttled",
    "check_throttle",
    "record_event",
]
