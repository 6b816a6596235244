"""Changes to a comment's decision taken in the browser: one function, always audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from importers.records import DISPOSITIONS

from ..extensions import db
from ..models import AuditEvent, Comment, utcnow
from . import ServiceError

# The fields a triager may change, and whether a change of each is a "decision" that a
# re-import must never overwrite (it sets the field's origin to "browser").
TRIAGE_FIELDS = ("disposition", "response", "action_owner", "action_due", "internal_note")
DECISION_FIELDS = ("disposition", "response")


class StaleComment(ServiceError):
    """Somebody else saved the comment since this form was loaded."""

    def __init__(self, comment_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"comment {comment_id} was changed by someone else (version {current}, "
            f"your form had version {expected}); nothing was saved"
        )
        self.comment_id = comment_id
        self.current = current


@dataclass(slots=True)
class TriageResult:
    comment_id: int
    changed: dict[str, tuple[object, object]]  # field -> (before, after)
    version: int


def triage_comment(
    comment_id: int,
    changes: dict[str, object],
    *,
    actor: str,
    expected_version: int | None = None,
    commit: bool = True,
) -> TriageResult:
    """Apply a triager's changes to one comment, with one audit event per field changed.

    `expected_version` is the version the user's form was loaded with: if the comment has
    moved on since, nothing is saved and StaleComment says so.
    """
    unknown = set(changes) - set(TRIAGE_FIELDS)
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))} in triage")
    if "disposition" in changes and changes["disposition"] not in DISPOSITIONS:
        raise ServiceError(f"unknown disposition {changes['disposition']!r}")
    current = db.session.execute(
        select(Comment.version, *(getattr(Comment, f) for f in TRIAGE_FIELDS)).where(
            Comment.id == comment_id
        )
    ).one_or_none()
    if current is None:
        raise ServiceError(f"no comment {comment_id}")
    version = current.version
    if expected_version is not None and expected_version != version:
        raise StaleComment(comment_id, expected_version, version)
    diff = {
        name: (getattr(current, name), value)
        for name, value in changes.items()
        if getattr(current, name) != value
    }
    if not diff:
        return TriageResult(comment_id, {}, version)
    values: dict[str, object] = {name: after for name, (_, after) in diff.items()}
    values.update({f"{name}_origin": "browser" for name in diff if name in DECISION_FIELDS})
    values.update(version=version + 1, updated_at=utcnow())
    # The version in the WHERE clause makes the check and the write one atomic step.
    result = db.session.execute(
        update(Comment).where(Comment.id == comment_id, Comment.version == version).values(values)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise StaleComment(comment_id, version, version + 1)
    now = utcnow()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "comment_id": comment_id,
                "field": name,
                "before": _text(before),
                "after": _text(after),
                "actor": actor,
                "at": now,
                "origin": "browser",
            }
            for name, (before, after) in diff.items()
        ],
    )
    if commit:
        db.session.commit()
    return TriageResult(comment_id, diff, version + 1)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def history(comment_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.comment_id == comment_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
