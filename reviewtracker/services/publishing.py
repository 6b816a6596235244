"""Publishing responses to reviewers, and what a reviewer's scope reads of a comment.

A lead publishes the approved responses of a selection (one comment, the ticked ones, or every
comment matching a filter: an artefact, a round, ...): each gets a new published version (a
row of `published_response`: disposition, response, who, when), its resolution points at it
and moves to "published", and the publication is audited. Editing a published response later
takes it back to draft (services/resolution.py) while reviewers keep reading the published
version until it is published again; every version stays.

What a reviewer reads of it is services/published_view.py's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, Text, case, func, insert, literal, select, update

from importers.vocabulary import OPEN, PUBLISHED

from ..extensions import db
from ..models import AuditEvent, Comment, CommentResolution, PublishedResponse, utcnow
from . import ServiceError
from .comment_filter import CommentFilter
from .comment_queries import conditions as filter_conditions
from .resolution import APPROVED, ensure_rows

CHUNK = 500  # ids per statement


# --- publishing --------------------------------------------------------------------------------


@dataclass(slots=True)
class PublishPlan:
    """What publishing a selection would do, for the confirmation page."""

    selected: int  # comments in the selection
    publishing: int  # approved, with a disposition: published now
    republishing: int  # ... of which were published before (a new version)
    waiting: int  # draft or ready for review: not published
    already: int  # published, unchanged since
    open: int  # approved but still open (no disposition to publish)


def _selections(comment_ids: Iterable[int] | None, f: CommentFilter | None) -> Iterator[list[Any]]:
    if comment_ids is None:
        if f is None:
            raise ServiceError("no comments selected")
        yield filter_conditions(f)
        return
    extra = filter_conditions(f) if f is not None else []
    ids = sorted({int(i) for i in comment_ids})
    for start in range(0, len(ids), CHUNK):
        yield [Comment.id.in_(ids[start : start + CHUNK]), *extra]


def _publishable():
    return (CommentResolution.state == APPROVED) & (Comment.disposition != OPEN)


def publish_plan(comment_ids: Iterable[int] | None, f: CommentFilter | None) -> PublishPlan:
    """How many comments of the selection would be published (counted in the database)."""
    state = func.coalesce(CommentResolution.state, "draft")
    columns = (
        func.count(),
        func.sum(case((_publishable(), 1), else_=0)),
        func.sum(case((_publishable() & CommentResolution.published_id.is_not(None), 1), else_=0)),
        func.sum(case((state.in_(("draft", "ready_for_review")), 1), else_=0)),
        func.sum(case((state == PUBLISHED, 1), else_=0)),
        func.sum(case(((state == APPROVED) & (Comment.disposition == OPEN), 1), else_=0)),
    )
    totals = [0] * len(columns)
    for where in _selections(comment_ids, f):
        query = (
            select(*columns)
            .select_from(Comment)
            .outerjoin(CommentResolution, CommentResolution.comment_id == Comment.id)
            .where(*where)
        )
        row = db.session.execute(query).one()
        totals = [total + int(value or 0) for total, value in zip(totals, row, strict=True)]
    return PublishPlan(*totals)


def publish(comment_ids: Iterable[int] | None, f: CommentFilter | None, actor: str) -> int:
    """Publish the approved responses of the selection (ticked ids, or every comment matching
    `f`): a new published version each, their state "published", audited (field "published":
    the disposition published; and the state's move). Returns how many were published.
    Set-based, per chunk; the rest of the selection is left as it is."""
    ids: list[int] = []
    for where in _selections(comment_ids, f):
        ids.extend(
            db.session.scalars(
                select(Comment.id)
                .join(CommentResolution, CommentResolution.comment_id == Comment.id)
                .where(*where, _publishable())
                .order_by(Comment.id)
            )
        )
    now = utcnow()
    for start in range(0, len(ids), CHUNK):
        _publish_chunk(ids[start : start + CHUNK], actor, now)
    return len(ids)


def publish_comment(comment_id: int, actor: str, expected_version: int | None = None) -> None:
    """Publish one comment's approved response (ServiceError if it is not approved)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ServiceError(f"no comment {comment_id}")
    if expected_version is not None and comment.version != expected_version:
        raise ServiceError(
            f"comment {comment_id} was changed by someone else since you opened it: reload it"
        )
    ensure_rows([comment_id])
    if publish([comment_id], None, actor) != 1:
        raise ServiceError(
            "only an approved response with a disposition can be published: approve it first"
        )


def _publish_chunk(ids: list[int], actor: str, now: datetime) -> None:
    in_ids = Comment.id.in_(ids)
    db.session.execute(select(Comment.id).where(in_ids).with_for_update())
    db.session.execute(
        insert(PublishedResponse).from_select(
            ["comment_id", "disposition", "response", "published_at", "published_by"],
            select(
                Comment.id,
                Comment.disposition,
                Comment.response,
                literal(now, DateTime),
                literal(actor, String),
            )
            .where(in_ids)
            .order_by(Comment.id),
        )
    )
    audit = ["comment_id", "field", "before", "after", "actor", "at", "origin"]
    common = (literal(actor, String), literal(now, DateTime), literal("browser", String))
    db.session.execute(
        insert(AuditEvent).from_select(
            audit,
            select(
                Comment.id,
                literal("published", String),
                literal(None, Text),
                Comment.disposition,
                *common,
            ).where(in_ids),
        )
    )
    db.session.execute(
        insert(AuditEvent).from_select(
            audit,
            select(
                CommentResolution.comment_id,
                literal("response_state", String),
                CommentResolution.state,
                literal(PUBLISHED, Text),
                *common,
            ).where(CommentResolution.comment_id.in_(ids)),
        )
    )
    newest = (
        select(func.max(PublishedResponse.id))
        .where(PublishedResponse.comment_id == CommentResolution.comment_id)
        .scalar_subquery()
    )
    db.session.execute(
        update(CommentResolution)
        .where(CommentResolution.comment_id.in_(ids))
        .values(state=PUBLISHED, published_id=newest)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Comment)
        .where(in_ids)
        .values(version=Comment.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )


__all__ = ["PublishPlan", "publish", "publish_comment", "publish_plan"]
