"""Whose view a service call serves: the programme's staff, or one reviewer organisation.

Every service that reads comments (or anything hanging off them) takes a `Scope` argument;
it never looks at the signed-in user. A view passes `auth.viewer_scope()` (its signed-in
user's), the CLI passes `Scope.staff()`. So one call answers the same from a view, the CLI, a
job or a test, and a reviewer's confinement is applied by the service however the request was
made.

A reviewer's scope also reads only what was published: the disposition and response of a
comment as last published to the reviewer (services/publishing.py), "under consideration"
before that, never the design team's working values. `disposition()`, `response()` and
`changed_at()` are those values' SQL for the scope; every service that serves a reviewer reads
the outcome through them (the list, its counts and sort, the comment page, the history, the
responses log, the register, the tranche tables).

A comment query made without a scope is a programming error and fails closed: `require`
raises `UnscopedQuery` rather than answering with every organisation's comments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from importers.vocabulary import UNDER_CONSIDERATION

from ..models import Comment, CommentResolution, PublishedResponse

# The audit trail's fields a reviewer sees: the outcome, never the design team's working
# fields (action owner and due date, internal note) or links to other comments.
REVIEWER_HISTORY_FIELDS = ("disposition", "response")


class UnscopedQuery(RuntimeError):
    """A service that reads comments was called without saying whose view it serves."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """`organisation_id` None: the programme's staff, who see every organisation. Else one
    reviewer organisation, which sees only its own comments. Build with `staff()` or
    `organisation(id)`."""

    organisation_id: int | None

    @classmethod
    def staff(cls) -> Scope:
        return cls(organisation_id=None)

    @classmethod
    def organisation(cls, organisation_id: int) -> Scope:
        if not isinstance(organisation_id, int) or isinstance(organisation_id, bool):
            raise UnscopedQuery(f"an organisation scope needs an id, not {organisation_id!r}")
        return cls(organisation_id=organisation_id)

    @property
    def is_reviewer(self) -> bool:
        """True for a reviewer organisation's view (confined), False for the staff's."""
        return self.organisation_id is not None

    def comments(self) -> list[ColumnElement[bool]]:
        """WHERE clauses confining a query on `comment` to what this scope may see."""
        if self.organisation_id is None:
            return []
        return [Comment.organisation_id == self.organisation_id]

    @property
    def reads_published(self) -> bool:
        """True if this scope reads the published outcome only (a reviewer's), False if it
        reads the design team's working values (the staff's)."""
        return self.is_reviewer

    def disposition(self) -> ColumnElement[str]:
        """The comment's disposition as this scope reads it: the staff's working value, or the
        published one (UNDER_CONSIDERATION's key before any publication)."""
        if not self.reads_published:
            return Comment.disposition
        return func.coalesce(published(PublishedResponse.disposition), UNDER_CONSIDERATION.key)

    def response(self) -> ColumnElement[str | None]:
        if not self.reads_published:
            return Comment.response
        return published(PublishedResponse.response)

    def changed_at(self) -> ColumnElement[Any]:
        """When the outcome this scope reads last changed: the comment's last change, or for a
        reviewer its last publication (its import before that)."""
        if not self.reads_published:
            return Comment.updated_at
        return func.coalesce(published(PublishedResponse.published_at), Comment.created_at)

    def may_see_organisation(self, organisation_id: int | None) -> bool:
        return self.organisation_id is None or organisation_id == self.organisation_id

    def may_see_comment(self, comment: Any) -> bool:
        """True if this scope may see `comment` (anything with an organisation_id), reached
        through another comment (a duplicate's original, a similar comment)."""
        return comment is not None and self.may_see_organisation(comment.organisation_id)

    def history(self, events: Iterable[Any]) -> list[Any]:
        """The audit events this scope may see: a reviewer only the changes of the outcome."""
        events = list(events)
        if not self.is_reviewer:
            return events
        return [event for event in events if event.field in REVIEWER_HISTORY_FIELDS]


def published(column: Any) -> ColumnElement[Any]:
    """`column` of PublishedResponse for the comment of the enclosing query, as published now
    (NULL if never published): a correlated subquery on the comment's resolution."""
    return (
        select(column)
        .select_from(CommentResolution)
        .join(PublishedResponse, PublishedResponse.id == CommentResolution.published_id)
        .where(CommentResolution.comment_id == Comment.id)
        .correlate(Comment)
        .scalar_subquery()
    )


def require(scope: object) -> Scope:
    """`scope` if it is a Scope; else UnscopedQuery (never a default that sees everything)."""
    if not isinstance(scope, Scope):
        raise UnscopedQuery(
            "a comment query needs a scope: pass Scope.staff() or Scope.organisation(id) "
            f"(got {scope!r})"
        )
    return scope


__all__ = ["REVIEWER_HISTORY_FIELDS", "Scope", "UnscopedQuery", "published", "require"]
