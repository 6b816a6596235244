"""What a signed-in user may see of the comments: a reviewer only their own organisation's.

The comment queries (`comment_queries.conditions`, the list, its counts and neighbours, the
exports) and the comment page all ask here, so a reviewer's scope is applied by the service
layer whatever the URL says. Outside a request (the CLI, scripts) nobody is confined.
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from ..extensions import db
from ..models import AuditEvent, Comment

# A reviewer without an organisation (the schema forbids it) sees nothing: no organisation
# has this id.
NO_ORGANISATION = 0
# The audit trail's fields a reviewer sees: the outcome, never the design team's working
# fields (action owner and due date, internal note) or links to other comments.
REVIEWER_HISTORY_FIELDS = ("disposition", "response")


def reviewer_organisation_id() -> int | None:
    """The organisation the signed-in user is confined to (a reviewer's); None for every
    other user, and outside a request."""
    if not has_request_context():
        return None
    user = current_user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_reviewer", False):
        return None
    return user.organisation_id or NO_ORGANISATION


def is_reviewer() -> bool:
    return reviewer_organisation_id() is not None


def organisation_scope(organisation_id: int | None = None) -> list[ColumnElement[bool]]:
    """WHERE clauses confining comments to `organisation_id` (if given) and to the signed-in
    reviewer's organisation (if the user is one). Both apply: they can only narrow."""
    scopes = {organisation_id, reviewer_organisation_id()} - {None}
    return [Comment.organisation_id == scope for scope in sorted(scopes)]


def visible_comment(comment_id: int) -> Comment | None:
    """The comment if the signed-in user may see it (a reviewer: only their organisation's),
    else None, so that another organisation's comment is indistinguishable from none."""
    return db.session.scalar(select(Comment).where(Comment.id == comment_id, *organisation_scope()))


def may_see_comment(comment: Comment | None) -> bool:
    """True if the signed-in user may see `comment` (for comments reached through another:
    a duplicate's original, a similar comment)."""
    if comment is None:
        return False
    scope = reviewer_organisation_id()
    return scope is None or comment.organisation_id == scope


def may_see_organisation(organisation_id: int) -> bool:
    """True if the signed-in user may see this organisation's comments (its responses log)."""
    scope = reviewer_organisation_id()
    return scope is None or organisation_id == scope


def visible_history(events: list[AuditEvent]) -> list[AuditEvent]:
    """The audit events the signed-in user may see: a reviewer only the changes of the
    disposition and the response."""
    if not is_reviewer():
        return events
    return [event for event in events if event.field in REVIEWER_HISTORY_FIELDS]


__all__ = [
    "REVIEWER_HISTORY_FIELDS",
    "is_reviewer",
    "may_see_comment",
    "may_see_organisation",
    "organisation_scope",
    "reviewer_organisation_id",
    "visible_comment",
    "visible_history",
]
