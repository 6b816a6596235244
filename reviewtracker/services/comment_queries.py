"""The comment list's SQL: a filter's conditions, its page, its counts and its neighbours.

`CommentFilter` (comment_filter.py) says which comments; this module turns it into SQL, so the
list, the artefact pages, bulk triage, "Save and next" and the exports always agree on which
comments a filter means and in which order. Every query is confined to the filter's scope: a
filter without one raises `UnscopedQuery` (fails closed) rather than listing everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, literal_column, or_, select
from sqlalchemy.sql import ColumnElement, Select

from importers.vocabulary import DISPOSITIONS, DRAFT, OPEN, PUBLISHED_OUTCOMES

from ..extensions import db
from ..models import (
    DISPOSITION_RANK_SQL,
    Artefact,
    Comment,
    CommentResolution,
    Organisation,
    ReviewerAnswer,
    ReviewRound,
    Tranche,
    User,
    WorkingGroup,
    WorkingGroupMember,
    utcnow,
)
from . import search
from .comment_filter import NO_ANSWER, CommentFilter
from .paging import Page, page_bounds
from .published_view import as_seen_by
from .scope import Scope, require

# A response still being worked on: its due date counts ("overdue" once passed).
UNRESOLVED_STATES = (DRAFT, "ready_for_review")

PER_PAGE = 50
# A free-text search is counted exactly up to this many matches. A common word matches a
# fifth of a million comments: counting them by disposition costs a pass over all of them
# (about 250 ms each time on a 2-core machine), so beyond this the list says "more than".
SEARCH_COUNT_LIMIT = 10_000


# --- the SQL ---------------------------------------------------------------------------------


def text_search(q: str, *, narrowed: bool = False, filtered: bool = False) -> ColumnElement[bool]:
    """Free-text match over the comment, its proposed change and its response: every word of
    `q` must occur, the last one also as a prefix. The one place the list's search lives; the
    full-text index and its dialect-specific query are in `search` (`narrowed`: other
    conditions pick out few comments; `filtered`: there are other conditions; see
    `search.matches`)."""
    return search.matches(q, narrowed=narrowed, filtered=filtered)


def conditions(f: CommentFilter, *, keyset: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, all on the comment table's own columns (subqueries for
    the rest), so counting needs no joins. Always confined to the filter's organisation scope
    (a reviewer's organisation), however the filter was made; a filter without a scope
    raises UnscopedQuery.

    `keyset`: the query adds a condition of its own that picks out few rows (`neighbours`: the
    comments with one sort key), so a broad search is tested on those.
    """
    where: list[ColumnElement[bool]] = require(f.scope).comments()
    if f.tranche is not None or f.review_round is not None:
        rounds = select(ReviewRound.id)
        if f.tranche is not None:
            rounds = rounds.join(Tranche, Tranche.id == ReviewRound.tranche_id).where(
                Tranche.code == f.tranche
            )
        if f.review_round is not None:
            rounds = rounds.where(ReviewRound.number == f.review_round)
        where.append(Comment.review_round_id.in_(rounds))
    if f.artefact is not None:
        where.append(
            Comment.artefact_id.in_(select(Artefact.id).where(Artefact.reference == f.artefact))
        )
    if f.service_id is not None:
        where.append(
            Comment.artefact_id.in_(select(Artefact.id).where(Artefact.service_id == f.service_id))
        )
    if f.organisation_id is not None:
        where.append(Comment.organisation_id == f.organisation_id)
    if f.constituency_id is not None:
        where.append(
            Comment.organisation_id.in_(
                select(Organisation.id).where(Organisation.constituency_id == f.constituency_id)
            )
        )
    scope = require(f.scope)
    if f.disposition is not None:
        where.append(scope.disposition() == f.disposition)
    where.extend(_resolution_conditions(f))
    if f.q and scope.reads_published:
        # The index holds the working response: a reviewer's search reads the published one.
        where.append(search.matches_published(f.q, scope.response()))
    elif f.q:
        # An organisation's or an artefact's comments are few: test those against the search.
        narrowed = f.organisation_id is not None or f.artefact is not None
        where.append(text_search(f.q, narrowed=narrowed, filtered=keyset or bool(where)))
    return where


def _resolution(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    """The comment has a resolution row matching `where`."""
    return Comment.id.in_(select(CommentResolution.comment_id).where(*where))


def _resolution_conditions(f: CommentFilter) -> list[ColumnElement[bool]]:
    """Who resolves the comment, its due date and its response state (the staff's parts)."""
    where: list[ColumnElement[bool]] = []
    if f.assignee_id is not None:
        where.append(_resolution(CommentResolution.assignee_id == f.assignee_id))
    if f.working_group_id is not None:
        where.append(_resolution(CommentResolution.working_group_id == f.working_group_id))
    if f.work_of_id is not None:
        groups = select(WorkingGroupMember.working_group_id).where(
            WorkingGroupMember.user_id == f.work_of_id
        )
        where.append(
            _resolution(
                or_(
                    CommentResolution.assignee_id == f.work_of_id,
                    CommentResolution.working_group_id.in_(groups),
                )
            )
        )
    if f.unassigned:
        where.append(
            ~_resolution(
                or_(
                    CommentResolution.assignee_id.is_not(None),
                    CommentResolution.working_group_id.is_not(None),
                )
            )
        )
    if f.response_state is not None:
        if f.response_state == DRAFT:
            where.append(~_resolution(CommentResolution.state != DRAFT))
        else:
            where.append(_resolution(CommentResolution.state == f.response_state))
    if f.answer is not None:
        answered = select(ReviewerAnswer.comment_id)
        if f.answer == NO_ANSWER:
            where.append(_resolution(CommentResolution.published_id.is_not(None)))
            where.append(Comment.id.not_in(answered))
        else:
            where.append(Comment.id.in_(answered.where(ReviewerAnswer.answer == f.answer)))
    if f.overdue:
        where.append(
            _resolution(
                CommentResolution.due_on < today(),
                CommentResolution.state.in_(UNRESOLVED_STATES),
            )
        )
    return where


def today() -> date:
    """Today's date (UTC), what "overdue" is measured against."""
    return utcnow().date()


def _disposition_rank(scope: Scope) -> ColumnElement[int]:
    """The disposition's place in DISPOSITIONS, exactly as the index on it is written; for a
    reviewer the published outcome's place in PUBLISHED_OUTCOMES."""
    if scope.reads_published:
        outcome = scope.disposition()
        return case(
            *((outcome == key, PUBLISHED_OUTCOMES.rank(key)) for key in PUBLISHED_OUTCOMES.keys),
            else_=len(PUBLISHED_OUTCOMES),
        )
    return literal_column(DISPOSITION_RANK_SQL, Integer)


def _order(f: CommentFilter) -> str:
    """The sort the filter's queries use: its own, except that comments of one disposition
    sorted by disposition are in id order (the same order: their rank is one value), which
    does not walk the whole disposition index past the other dispositions to find them."""
    if f.sort == "disposition" and f.disposition is not None:
        return "id"
    return f.sort


def _sort_key(sort: str, scope: Scope) -> tuple[ColumnElement[Any], bool]:
    """(the sort key, descending?) for a sort name ("id": the tie-break alone), as `scope`
    reads the comments (a reviewer's disposition and last change are the published ones)."""
    if sort == "id":
        return Comment.id, False
    if sort == "organisation":
        return Organisation.name_key, False
    if sort == "disposition":
        return _disposition_rank(scope), False
    if sort == "changed":
        return scope.changed_at(), True
    return Artefact.reference, False


def _for_sort(query: Select, sort: str) -> Select:
    """`query` on the comment table with only the join its sort key needs (none for the
    disposition and the last change): the filter itself is on the comment's own columns."""
    query = query.select_from(Comment)
    if sort == "organisation":
        return query.join(Organisation, Organisation.id == Comment.organisation_id)
    if sort in ("disposition", "changed", "id"):
        return query
    return query.join(Artefact, Artefact.id == Comment.artefact_id)


def _joined(query: Select) -> Select:
    """The list's joins: every comment has an artefact and an organisation."""
    return (
        query.select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
    )


def _ordered(query: Select, sort: str, scope: Scope, *, reverse: bool = False) -> Select:
    key, descending = _sort_key(sort, scope)
    if sort == "id":
        return query.order_by(Comment.id.desc() if reverse else Comment.id.asc())
    if descending != reverse:
        return query.order_by(key.desc(), Comment.id.desc())
    return query.order_by(key.asc(), Comment.id.asc())


def filtered_ids(f: CommentFilter) -> Select:
    """select(Comment.id) of the filter's comments in its order (sort key, then id)."""
    order = _order(f)
    query = _for_sort(select(Comment.id), order).where(*conditions(f))
    return _ordered(query, order, require(f.scope))


def count_comments(f: CommentFilter, *, limit: int | None = None) -> int:
    """How many comments the filter lists; with `limit`, counting stops there (a query that
    stops early: the result is min(count, limit))."""
    if limit is None:
        return db.session.scalar(select(func.count(Comment.id)).where(*conditions(f))) or 0
    first = select(Comment.id).where(*conditions(f)).limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(first)) or 0


# --- the page --------------------------------------------------------------------------------


# The list's columns; a reviewer's scope reads the outcome's through `list_columns`.
LIST_COLUMNS = (
    Comment.id.label("id"),
    Artefact.reference.label("artefact"),
    Artefact.title.label("artefact_title"),
    Organisation.name.label("organisation"),
    Comment.section.label("section"),
    Comment.page.label("page"),
    Comment.line.label("line"),
    Comment.text.label("text"),
    Comment.proposed_change.label("proposed_change"),
    Comment.disposition.label("disposition"),
    Comment.response.label("response"),
    Comment.action_owner.label("action_owner"),
    Comment.reviewer.label("reviewer"),
    Comment.log_comment_id.label("log_comment_id"),
    Comment.updated_at.label("updated_at"),
    Comment.version.label("version"),
)
# The staff's list also says who resolves each comment, by when, and where its response stands.
RESOLUTION_COLUMNS = (
    CommentResolution.due_on.label("due_on"),
    User.email.label("assignee"),
    User.name.label("assignee_name"),
    WorkingGroup.name.label("working_group"),
    func.coalesce(CommentResolution.state, DRAFT).label("response_state"),
)


def _overdue() -> ColumnElement[bool]:
    """Due date passed and the response still being worked on."""
    unresolved = func.coalesce(CommentResolution.state, DRAFT).in_(UNRESOLVED_STATES)
    return case((and_(CommentResolution.due_on < today(), unresolved), True), else_=False)


# What a reviewer's row holds in place of the working values.
OUTCOME_COLUMNS = ("disposition", "response", "updated_at")
WORKING_COLUMNS = ("action_owner", "version")


def list_columns(scope: Scope) -> tuple[ColumnElement[Any], ...]:
    """The list's columns as `scope` reads them: the staff's working values, who resolves the
    comment and its state; a reviewer's published outcome, and no working values at all."""
    if not scope.reads_published:
        return (*LIST_COLUMNS, *RESOLUTION_COLUMNS, _overdue().label("overdue"))
    published = {
        "disposition": scope.disposition(),
        "response": scope.response(),
        "updated_at": scope.changed_at(),
    }
    columns = []
    for column in LIST_COLUMNS:
        if column.key in published:
            columns.append(published[column.key].label(column.key))
        elif column.key in WORKING_COLUMNS:
            columns.append(literal(None).label(column.key))
        else:
            columns.append(column)
    return tuple(columns)


def comment_page(
    f: CommentFilter, page: int, per_page: int = PER_PAGE, counts: ListCounts | None = None
) -> Page:
    """The `page`-th page (1-based, clamped to the pages there are) of the filter's comments.
    `counts`: the list's counts if the caller has them (the chips), so they are not made twice.
    """
    per_page = max(1, per_page)
    counts = counts if counts is not None else list_counts(f)
    page, offset = page_bounds(page, per_page, counts.total)
    # The page's ids first (no joins but the sort's), then their rows: the joins run for
    # fifty comments, not for every comment the sort passes over.
    ids = list(db.session.scalars(filtered_ids(f).limit(per_page).offset(offset)))
    return Page(
        items=comments_by_ids(ids, require(f.scope)),
        page=page,
        per_page=per_page,
        total=counts.total,
        exact=counts.exact,
    )


def comments_by_ids(ids: list[int], scope: Scope) -> list[Any]:
    """The list's rows for a few comments (a page, a selection) that `scope` may see, in the
    order of `ids`."""
    scope = require(scope)
    if not ids:
        return []
    query = _joined(select(*list_columns(scope)))
    if not scope.reads_published:
        query = (
            query.outerjoin(CommentResolution, CommentResolution.comment_id == Comment.id)
            .outerjoin(User, User.id == CommentResolution.assignee_id)
            .outerjoin(WorkingGroup, WorkingGroup.id == CommentResolution.working_group_id)
        )
    rows = db.session.execute(query.where(Comment.id.in_(ids), *scope.comments()))
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def disposition_counts(f: CommentFilter) -> dict[str, int]:
    """Comments per disposition for the filter without its disposition part (the chips):
    every disposition, zero included, and "total".

    One pass with a FILTERed count per disposition: GROUP BY would sort the rows by
    disposition first (a temporary B-tree on SQLite), three times the cost over 1M comments.
    """
    scope = require(f.scope)
    # A reviewer's chips count the published outcomes (under consideration included).
    keys = PUBLISHED_OUTCOMES.keys if scope.reads_published else DISPOSITIONS.keys
    disposition = scope.disposition()
    columns = [func.count().filter(disposition == name).label(name) for name in keys]
    row = db.session.execute(select(*columns).where(*conditions(f.without("disposition")))).one()
    counts = {name: int(getattr(row, name) or 0) for name in keys}
    counts["total"] = sum(counts.values())
    return counts


@dataclass(frozen=True)
class ListCounts:
    """The list's numbers: the chips (None when the search is too broad to count them) and
    the filter's total. `exact` is False when `total` only says "more than the limit"."""

    chips: dict[str, int] | None
    total: int
    exact: bool
    limit: int


def list_counts(f: CommentFilter, limit: int | None = None) -> ListCounts:
    """The chips and the total for the list page, in as few passes as they need.

    Without a free-text search they are exact (one pass; the total is a chip), and so they are
    within one organisation or artefact. Otherwise a search that matches more than `limit`
    comments (without the disposition part) is not counted further: its chips are left out
    and its total, if it too is over the limit, is "more than `limit`".
    `limit` defaults to SEARCH_COUNT_LIMIT.
    """
    limit = SEARCH_COUNT_LIMIT if limit is None else limit
    # An organisation's or an artefact's comments are counted whole without looking first.
    confined = require(f.scope).is_reviewer
    if f.q and f.organisation_id is None and f.artefact is None and not confined:
        broad = count_comments(f.without("disposition"), limit=limit + 1) > limit
        if broad:
            total = count_comments(f, limit=limit + 1) if f.disposition is not None else limit + 1
            return ListCounts(None, min(total, limit + 1), total <= limit, limit)
    chips = disposition_counts(f)
    total = chips[f.disposition] if f.disposition is not None else chips["total"]
    return ListCounts(chips, total, True, limit)


def neighbours(
    f: CommentFilter, comment_id: int, *, order: str | None = None
) -> tuple[int | None, int | None]:
    """(previous, next) comment ids around `comment_id` in the filter's order (or in `order`,
    another filter's: see next_open).

    Keyset queries on (sort key, id), each way first among the comments with the same key (by
    id), then beyond that key: two simple conditions the indexes serve, where one OR of both
    made the planner read the list from its start (0.5 s on PostgreSQL at 1,000,000
    comments). Works for a comment outside the filter too (its place in the order).
    """
    order = order or _order(f)
    scope = require(f.scope)
    key, descending = _sort_key(order, scope)
    current = db.session.execute(
        _for_sort(select(key.label("key")), order).where(Comment.id == comment_id)
    ).one_or_none()
    if current is None:
        return None, None
    value = current.key

    # Among the comments with the same key, the nearest id. An index on (key, id) serves that
    # (the last change's, the disposition rank's, and "id" order itself; an import stamps all
    # its comments with one time); the other keys' comments (an artefact's, an organisation's)
    # are few, so they are all read and the nearest taken: `id + 0` keeps PostgreSQL from
    # walking the primary key instead in the hope of meeting one soon (half a million rows
    # read when the comment is its artefact's last).
    tie = Comment.id if order in ("changed", "disposition", "id") else Comment.id + 0

    def step(forward: bool) -> int | None:
        later = forward != descending  # larger keys come later in an ascending order
        same_key = (
            _for_sort(select(Comment.id), order)
            .where(
                *conditions(f, keyset=True),
                key == value,
                tie > comment_id if later else tie < comment_id,
            )
            .order_by(tie.asc() if later else tie.desc())
        )
        # (Not `keyset` here: a condition "key beyond the value" picks out half the list.)
        beyond = _for_sort(select(Comment.id), order).where(
            *conditions(f), key > value if later else key < value
        )
        for query in (same_key, _ordered(beyond, order, scope, reverse=not forward)):
            found = db.session.scalar(query.limit(1))
            if found is not None:
                return found
        return None

    return step(False), step(True)


def next_open(f: CommentFilter, comment_id: int) -> int | None:
    """The next comment after `comment_id` in the filter's list that is still open: "Save and
    next open" skips those already decided. In the list's own order, whatever it is."""
    if f.disposition not in (None, OPEN):
        return None  # the list holds no open comment
    return neighbours(replace(f, disposition=OPEN), comment_id, order=_order(f))[1]


# The comment page says "3 of 35" for lists up to this long; counting a longer one on every
# page costs more than the number is worth (a whole pass over the list).
POSITION_LIMIT = 20_000


def position(f: CommentFilter, comment_id: int) -> tuple[int, int] | None:
    """(place, total): the comment is the place-th of the filter's `total` comments, in the
    list's order. None if it is not in the list, or the list is longer than POSITION_LIMIT."""
    order = _order(f)
    key, descending = _sort_key(order, require(f.scope))
    current = db.session.execute(
        _for_sort(select(key.label("key")), order).where(Comment.id == comment_id, *conditions(f))
    ).one_or_none()
    if current is None:
        return None
    total = count_comments(f, limit=POSITION_LIMIT + 1)
    if total > POSITION_LIMIT:
        return None
    value = current.key
    earlier_key = key > value if descending else key < value
    earlier_id = Comment.id > comment_id if descending else Comment.id < comment_id
    before = 0
    for earlier in (earlier_key, and_(key == value, earlier_id)):
        query = _for_sort(select(func.count(Comment.id)), order).where(*conditions(f), earlier)
        before += db.session.scalar(query) or 0
    return before + 1, total


def visible_comment(comment_id: int, scope: Scope) -> Any:
    """The comment if `scope` may see it, else None: to a reviewer another organisation's
    comment is indistinguishable from none. A reviewer's scope gets it as published (a
    `PublishedComment`: no working values)."""
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id, *require(scope).comments())
    )
    if comment is None:
        return None
    return as_seen_by([comment], scope)[0]


__all__ = [
    "LIST_COLUMNS",
    "RESOLUTION_COLUMNS",
    "UNRESOLVED_STATES",
    "ListCounts",
    "PER_PAGE",
    "POSITION_LIMIT",
    "SEARCH_COUNT_LIMIT",
    "comment_page",
    "comments_by_ids",
    "conditions",
    "count_comments",
    "disposition_counts",
    "filtered_ids",
    "list_columns",
    "list_counts",
    "neighbours",
    "next_open",
    "position",
    "text_search",
    "today",
    "visible_comment",
]
