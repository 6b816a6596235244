""" "My work": the comments assigned to a person or to one of their working groups, open first,
overdue marked, with their counts (counted in the database, one query)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from importers.vocabulary import RESPONSE_STATES

from ..extensions import db
from ..models import Comment, CommentResolution, WorkingGroupMember
from .comment_filter import CommentFilter
from .comment_queries import UNRESOLVED_STATES, comments_by_ids, today
from .paging import Page, page_bounds
from .scope import Scope, require

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class WorkCounts:
    total: int  # assigned to me or my groups
    mine: int  # to me in person
    groups: int  # to one of my groups
    open: int  # response in draft or ready for review
    overdue: int  # ... with its due date passed
    per_state: dict[str, int]


def _assigned(user_id: int):
    groups = select(WorkingGroupMember.working_group_id).where(
        WorkingGroupMember.user_id == user_id
    )
    return or_(
        CommentResolution.assignee_id == user_id, CommentResolution.working_group_id.in_(groups)
    )


def _unresolved():
    return CommentResolution.state.in_(UNRESOLVED_STATES)


def _overdue():
    return and_(_unresolved(), CommentResolution.due_on < today())


def work_counts(user_id: int, scope: Scope) -> WorkCounts:
    """The counts of "My work" for `user_id`, in one query."""
    require(scope)
    groups = select(WorkingGroupMember.working_group_id).where(
        WorkingGroupMember.user_id == user_id
    )
    columns = [
        func.count(),
        func.count().filter(CommentResolution.assignee_id == user_id),
        func.count().filter(CommentResolution.working_group_id.in_(groups)),
        func.count().filter(_unresolved()),
        func.count().filter(_overdue()),
        *(func.count().filter(CommentResolution.state == key) for key in RESPONSE_STATES.keys),
    ]
    row = db.session.execute(
        select(*columns)
        .select_from(Comment)
        .join(CommentResolution, CommentResolution.comment_id == Comment.id)
        .where(_assigned(user_id), *scope.comments())
    ).one()
    numbers = [int(n or 0) for n in row]
    return WorkCounts(
        *numbers[:5], per_state=dict(zip(RESPONSE_STATES.keys, numbers[5:], strict=True))
    )


def work_page(user_id: int, scope: Scope, page: int) -> Page:
    """A page of the user's work: open responses first (overdue first among them, then by
    due date, undated last), then the rest by state; the list's rows."""
    require(scope)
    order = (
        case((_unresolved(), 0), else_=1),
        case((_overdue(), 0), else_=1),
        CommentResolution.due_on.is_(None),
        CommentResolution.due_on,
        Comment.id,
    )
    total = work_counts(user_id, scope).total
    page, offset = page_bounds(page, PER_PAGE, total)
    ids = list(
        db.session.scalars(
            select(Comment.id)
            .join(CommentResolution, CommentResolution.comment_id == Comment.id)
            .where(_assigned(user_id), *scope.comments())
            .order_by(*order)
            .limit(PER_PAGE)
            .offset(offset)
        )
    )
    return Page(
        items=comments_by_ids(ids, scope), page=page, per_page=PER_PAGE, total=total, exact=True
    )


def work_filter(user_id: int, scope: Scope) -> CommentFilter:
    """The comment list's filter of the same comments (for "open in the list" and next/prev)."""
    return CommentFilter(work_of_id=user_id).for_scope(scope)


__all__ = ["WorkCounts", "work_counts", "work_filter", "work_page"]
