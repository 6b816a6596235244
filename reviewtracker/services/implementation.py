"""An Accepted comment's change is "to do" until it is marked implemented in a version of its
artefact: one comment, a selection, or every Accepted change of the artefact not yet
implemented (when a version is issued). Each marking is audited on the comment (field
"implemented_in"). The report lists the accepted changes not yet implemented, per artefact.

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update

from ..extensions import db
from ..models import (
    Artefact,
    ArtefactVersion,
    AuditEvent,
    Comment,
    CommentImplementation,
    Organisation,
    Tranche,
    utcnow,
)
from . import ServiceError
from .scope import Scope, require

ACCEPTED = "accepted"
CHUNK = 500


def _version(version_id: int) -> ArtefactVersion:
    version = db.session.get(ArtefactVersion, version_id)
    if version is None:
        raise ServiceError("no such version")
    return version


def mark_implemented(comment_ids: Iterable[int], version_id: int, *, actor: str) -> int:
    """Mark these comments' changes implemented in the version: each must be an Accepted
    comment on the version's artefact (else ServiceError naming it, nothing marked). A comment
    already marked in this version is left as it is. Returns how many were marked."""
    version = _version(version_id)
    wanted = sorted(set(comment_ids))
    if not wanted:
        raise ServiceError("choose the comments to mark")
    rows = []
    for start in range(0, len(wanted), CHUNK):
        rows += db.session.execute(
            select(
                Comment.id,
                Comment.artefact_id,
                Comment.disposition,
                CommentImplementation.version_id,
                ArtefactVersion.label,
            )
            .outerjoin(CommentImplementation, CommentImplementation.comment_id == Comment.id)
            .outerjoin(ArtefactVersion, ArtefactVersion.id == CommentImplementation.version_id)
            .where(Comment.id.in_(wanted[start : start + CHUNK]))
        ).all()
    if len(rows) != len(wanted):
        raise ServiceError("no such comment")
    wrong = [
        f"#{row.id}"
        for row in rows
        if row.disposition != ACCEPTED or row.artefact_id != version.artefact_id
    ]
    if wrong:
        raise ServiceError(
            f"only Accepted comments on this artefact can be implemented in v{version.label}: "
            f"not {', '.join(wrong[:20])}{' ...' if len(wrong) > 20 else ''}"
        )
    todo = [row for row in rows if row.version_id != version.id]
    now = utcnow()
    new = [row.id for row in todo if row.version_id is None]
    moved = [row.id for row in todo if row.version_id is not None]
    if new:
        db.session.execute(
            insert(CommentImplementation),
            [
                {"comment_id": i, "version_id": version.id, "marked_by": actor, "marked_at": now}
                for i in new
            ],
        )
    for start in range(0, len(moved), CHUNK):
        db.session.execute(
            update(CommentImplementation)
            .where(CommentImplementation.comment_id.in_(moved[start : start + CHUNK]))
            .values(version_id=version.id, marked_by=actor, marked_at=now)
        )
    if todo:
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "comment_id": row.id,
                    "field": "implemented_in",
                    "before": row.label,
                    "after": version.label,
                    "actor": actor,
                    "at": now,
                    "origin": "browser",
                }
                for row in todo
            ],
        )
    db.session.flush()
    return len(todo)


def mark_all_accepted(artefact_id: int, version_id: int, *, actor: str) -> int:
    """Every Accepted comment on the artefact not yet implemented, implemented in the version
    (a version issued with the changes it carries)."""
    version = _version(version_id)
    if version.artefact_id != artefact_id:
        raise ServiceError("that version is another artefact's")
    ids = db.session.scalars(
        select(Comment.id).where(*_not_implemented(), Comment.artefact_id == artefact_id)
    ).all()
    return mark_implemented(ids, version_id, actor=actor) if ids else 0


def _not_implemented() -> list:
    """The conditions of an Accepted comment whose change is not yet implemented."""
    done = select(CommentImplementation.comment_id)
    return [Comment.disposition == ACCEPTED, Comment.id.not_in(done)]


def not_implemented_counts(artefact_ids, scope: Scope) -> dict[int, int]:
    """Per artefact of `artefact_ids` (a SELECT of ids): Accepted comments not yet
    implemented in any version."""
    query = (
        select(Comment.artefact_id, func.count())
        .where(
            Comment.artefact_id.in_(artefact_ids),
            *_not_implemented(),
            *require(scope).comments(),
        )
        .group_by(Comment.artefact_id)
    )
    return {artefact_id: int(n) for artefact_id, n in db.session.execute(query)}


def implemented_in(comment_ids: Iterable[int], scope: Scope) -> dict[int, str]:
    """Comment id -> the version label its change was implemented in (marked ones only)."""
    wanted = list(set(comment_ids))
    if not wanted:
        return {}
    query = (
        select(Comment.id, ArtefactVersion.label)
        .join(CommentImplementation, CommentImplementation.comment_id == Comment.id)
        .join(ArtefactVersion, ArtefactVersion.id == CommentImplementation.version_id)
        .where(Comment.id.in_(wanted), *require(scope).comments())
    )
    return dict(db.session.execute(query).all())


@dataclass(slots=True)
class PendingChange:
    comment_id: int
    organisation: str
    section: str | None
    text: str


@dataclass(slots=True)
class ArtefactPending:
    artefact_id: int
    reference: str
    title: str
    tranche: str | None
    version: str | None
    versions: list[tuple[int, str]] = field(default_factory=list)  # (id, label), latest first
    comments: list[PendingChange] = field(default_factory=list)


def not_implemented_report(
    scope: Scope, *, tranche: str | None = None, limit_per_artefact: int = 200
) -> list[ArtefactPending]:
    """The accepted changes not yet implemented, per artefact in register order (artefacts
    with none left out), each with the versions it can be marked in."""
    query = (
        select(
            Artefact.id,
            Artefact.reference,
            Artefact.title,
            Tranche.code,
            Artefact.version,
            Comment.id,
            Organisation.name,
            Comment.section,
            Comment.text,
        )
        .select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Tranche, Tranche.id == Artefact.tranche_id)
        .where(*_not_implemented(), *require(scope).comments())
        .order_by(Artefact.position, Artefact.reference, Comment.id)
    )
    if tranche is not None:
        query = query.where(Tranche.code == tranche)
    report: dict[int, ArtefactPending] = {}
    for row in db.session.execute(query):
        artefact_id, reference, title, code, version, comment_id, organisation, section, text = row
        entry = report.get(artefact_id)
        if entry is None:
            entry = report[artefact_id] = ArtefactPending(
                artefact_id, reference, title or "", code, version
            )
        if len(entry.comments) < limit_per_artefact:
            entry.comments.append(PendingChange(comment_id, organisation, section, text))
    versions = db.session.execute(
        select(ArtefactVersion.artefact_id, ArtefactVersion.id, ArtefactVersion.label)
        .where(ArtefactVersion.artefact_id.in_(list(report)))
        .order_by(ArtefactVersion.id.desc())
    )
    for artefact_id, version_id, label in versions:
        report[artefact_id].versions.append((version_id, label))
    return list(report.values())


__all__ = [
    "ArtefactPending",
    "PendingChange",
    "implemented_in",
    "mark_all_accepted",
    "mark_implemented",
    "not_implemented_counts",
    "not_implemented_report",
]
