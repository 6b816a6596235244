"""Whose view a service call serves: the programme's staff, or one reviewer organisation.

Every service that reads comments (or anything hanging off them) takes a `Scope` argument;
it never looks at the signed-in user. A view passes `auth.viewer_scope()` (its signed-in
user's), the CLI passes `Scope.staff()`. So one call answers the same from a view, the CLI, a
job or a test, and a reviewer's confinement is applied by the service however the request was
made.

A comment query made without a scope is a programming error and fails closed: `require`
raises `UnscopedQuery` rather than answering with every organisation's comments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql import ColumnElement

from ..models import Comment

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


def require(scope: object) -> Scope:
    """`scope` if it is a Scope; else UnscopedQuery (never a default that sees everything)."""
    if not isinstance(scope, Scope):
        raise UnscopedQuery(
            "a comment query needs a scope: pass Scope.staff() or Scope.organisation(id) "
            f"(got {scope!r})"
        )
    return scope


__all__ = ["REVIEWER_HISTORY_FIELDS", "Scope", "UnscopedQuery", "require"]
