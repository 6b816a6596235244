"""What a reviewer's scope reads of a comment: its published outcome, never the working values.

`as_seen_by` turns comments into `PublishedComment`s for a reviewer's scope (the reviewer's
text and where it came from, with the outcome as last published: services/publishing.py), and
`publication_history` is the history a reviewer reads: the published outcome's changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from importers.vocabulary import UNDER_CONSIDERATION

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    CommentResolution,
    Organisation,
    PublishedResponse,
    ReviewRound,
)
from .scope import Scope, require

CHUNK = 500  # ids per statement


@dataclass(frozen=True, slots=True)
class PublishedComment:
    """A comment as a reviewer reads it: their own text and where it came from, and the
    outcome as published (UNDER_CONSIDERATION's key before any publication). None of the
    design team's working values: no draft disposition or response, action owner, internal
    note or assignee."""

    id: int
    artefact_id: int
    organisation_id: int
    artefact: Artefact
    review_round: ReviewRound
    organisation: Organisation
    log_comment_id: str | None
    section: str | None
    page: str | None
    line: str | None
    text: str
    proposed_change: str | None
    comment_type: str | None
    reviewer: str | None
    raised_on: date | None
    source_file: str | None
    source_sheet: str | None
    source_row: int | None
    duplicate_of_id: int | None
    disposition: str
    response: str | None
    published_at: datetime | None
    updated_at: datetime  # when its outcome was last published (its import before)
    action_owner: None = None
    action_due: None = None
    internal_note: None = None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


_OWN_FIELDS = (
    "id",
    "artefact_id",
    "organisation_id",
    "artefact",
    "review_round",
    "organisation",
    "log_comment_id",
    "section",
    "page",
    "line",
    "text",
    "proposed_change",
    "comment_type",
    "reviewer",
    "raised_on",
    "source_file",
    "source_sheet",
    "source_row",
    "duplicate_of_id",
)


def published_outcomes(comment_ids: Iterable[int]) -> dict[int, PublishedResponse]:
    """comment id -> its published version in force, for those that have one."""
    ids = sorted(set(comment_ids))
    found: dict[int, PublishedResponse] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(
            (row.comment_id, row)
            for row in db.session.scalars(
                select(PublishedResponse)
                .join(CommentResolution, CommentResolution.published_id == PublishedResponse.id)
                .where(CommentResolution.comment_id.in_(ids[start : start + CHUNK]))
            )
        )
    return found


def as_seen_by(comments: list[Comment], scope: Scope) -> list[Any]:
    """The comments as `scope` reads them: the staff the comments themselves, a reviewer
    their `PublishedComment`s."""
    if not require(scope).reads_published:
        return comments
    outcomes = published_outcomes(c.id for c in comments)
    return [_published_view(c, outcomes.get(c.id)) for c in comments]


def _published_view(comment: Comment, outcome: PublishedResponse | None) -> PublishedComment:
    own = {name: getattr(comment, name) for name in _OWN_FIELDS}
    if outcome is None:
        return PublishedComment(
            **own,
            disposition=UNDER_CONSIDERATION.key,
            response=None,
            published_at=None,
            updated_at=comment.created_at,
        )
    return PublishedComment(
        **own,
        disposition=outcome.disposition,
        response=outcome.response,
        published_at=outcome.published_at,
        updated_at=outcome.published_at,
    )


@dataclass(frozen=True, slots=True)
class PublicationEvent:
    """One change of the published outcome, as a reviewer's history shows it."""

    at: datetime
    field: str
    before: str | None
    after: str | None
    actor: None = None
    origin: None = None
    import_batch_id: None = None


def publication_history(comment_id: int, *, newest_first: bool = False) -> list[PublicationEvent]:
    """The changes of the comment's published disposition and response, one publication
    after another: what a reviewer's history shows (never who published, never drafts)."""
    versions = published_versions(comment_id)
    events: list[PublicationEvent] = []
    before: PublishedResponse | None = None
    for version in versions:
        for name in ("disposition", "response"):
            old = getattr(before, name) if before is not None else None
            if getattr(version, name) != old:
                events.append(
                    PublicationEvent(version.published_at, name, old, getattr(version, name))
                )
        before = version
    return list(reversed(events)) if newest_first else events


def published_versions(comment_id: int) -> list[PublishedResponse]:
    """Every version of the comment's response published, oldest first."""
    return list(
        db.session.scalars(
            select(PublishedResponse)
            .where(PublishedResponse.comment_id == comment_id)
            .order_by(PublishedResponse.id)
        )
    )


__all__ = [
    "PublicationEvent",
    "PublishedComment",
    "as_seen_by",
    "publication_history",
    "published_outcomes",
    "published_versions",
]
