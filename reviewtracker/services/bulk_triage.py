"""Bulk triage: the same disposition, response, action owner, assignee, working group, due
date or response state on many comments at once (ticked ones, or every comment matching a
filter), with the plan the confirmation page shows first. Set-based (INSERT ... SELECT for the
audit, one UPDATE per table and chunk), audited per comment and field like a one-comment
change (services/triage.py), under the same rules: duplicates follow their originals, a
changed decision takes a response past draft back to draft, and an action owner and action
due date belong to a comment in Action.

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import (
    DateTime,
    String,
    Text,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement, Select

from importers.vocabulary import DISPOSITIONS, DRAFT, OPEN

from ..extensions import db
from ..models import Artefact, AuditEvent, Comment, CommentResolution, Organisation, utcnow
from . import ServiceError, resolution
from .comment_filter import CommentFilter
from .comment_queries import conditions as filter_conditions
from .triage import (
    ACTION,
    ACTION_FIELDS,
    AUDIT_NAMES,
    DECISION_FIELDS,
    NOT_IN_ACTION,
    as_text,
    propagate_to_duplicates,
)

# What a triager may set on many comments at once (assignee, working group, the assignment's
# due date and the response state live in comment_resolution). The action's due date is not
# set in bulk; a new disposition other than Action clears it with the owner.
BULK_FIELDS = (
    "disposition",
    "response",
    "action_owner",
    "assignee_id",
    "working_group_id",
    "due_on",
    "response_state",
)
BULK_CHUNK = 500  # ids per statement: well under every backend's limit on bound parameters
# The confirmation shows this many of the values a change replaces, per field.
OVERWRITE_EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class Overwrite:
    """A value someone set that a bulk change would replace (or clear)."""

    comment_id: int
    artefact: str
    organisation: str
    field: str
    value: object


@dataclass(slots=True)
class BulkPlan:
    """What a bulk change would do, for the confirmation page."""

    selected: int  # comments in the selection
    changing: int  # of those, the comments at least one field of which would change
    per_field: dict[str, int] = field(default_factory=dict)  # field -> comments it changes
    # field -> comments whose value (a decision, a response, an owner, an assignment) it
    # replaces or clears, and the first OVERWRITE_EXAMPLES of those values per field.
    overwritten: dict[str, int] = field(default_factory=dict)
    examples: list[Overwrite] = field(default_factory=list)


def _check_bulk(changes: dict[str, object]) -> None:
    if not changes:
        raise ServiceError("choose at least one thing to change")
    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))} in bulk")
    if "disposition" in changes and changes["disposition"] not in DISPOSITIONS:
        raise ServiceError(f"unknown disposition {changes['disposition']!r}")
    state = changes.get("response_state")
    if state is not None and state not in resolution.MOVES:
        raise ServiceError(f"unknown response state {state!r}")
    if changes.get("action_owner") and changes.get("disposition", ACTION) != ACTION:
        raise ServiceError(NOT_IN_ACTION)
    resolution.check_values(changes)


def _bulk_changes(
    changes: dict[str, object], comment_ids: Iterable[int] | None, f: CommentFilter | None
) -> dict[str, object]:
    """What a bulk change writes under the action rule: a new disposition other than Action
    clears the owner and due date; an owner alone is refused if any selected comment is not
    in Action."""
    disposition = changes.get("disposition")
    if disposition is not None and disposition != ACTION:
        return {**changes, **dict.fromkeys(ACTION_FIELDS)}
    if changes.get("action_owner") and disposition is None:
        outside = sum(
            db.session.scalar(select(func.count()).where(*where, Comment.disposition != ACTION))
            or 0
            for where in _selections(comment_ids, f)
        )
        if outside:
            raise ServiceError(
                f"{outside} of the selected comments {'is' if outside == 1 else 'are'} not in "
                f"Action: {NOT_IN_ACTION}"
            )
    return changes


def _differs(name: str, value: object, may_approve: bool = False) -> ColumnElement[bool]:
    """The comment's field is not `value` (NULL-safe: IS DISTINCT FROM); for the response
    state: the comment's may move to `value`. On the comment outer-joined to its resolution."""
    if name == "response_state":
        sources = resolution.sources_of(str(value), may_approve=may_approve)
        return resolution.value_of(name).in_(sources) if sources else false()
    if name in resolution.RESOLUTION_FIELDS:
        return resolution.value_of(name).is_distinct_from(value)
    return getattr(Comment, name).is_distinct_from(value)


def _any_differs(changes: dict[str, object], may_approve: bool = False) -> ColumnElement[bool]:
    return or_(*(_differs(name, value, may_approve) for name, value in changes.items()))


def _with_resolution(query: Select) -> Select:
    return query.select_from(Comment).outerjoin(
        CommentResolution, CommentResolution.comment_id == Comment.id
    )


def _bulk_chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BULK_CHUNK):
        yield ids[start : start + BULK_CHUNK]


def _selections(
    comment_ids: Iterable[int] | None, f: CommentFilter | None
) -> Iterator[list[ColumnElement[bool]]]:
    """WHERE clauses that together select the comments: the ids (in chunks; those also
    matching `f` if it is given), or else every comment matching `f`."""
    if comment_ids is None:
        if f is None:
            raise ServiceError("no comments selected")
        yield filter_conditions(f)
        return
    extra = filter_conditions(f) if f is not None else []
    for chunk in _bulk_chunks(sorted({int(i) for i in comment_ids})):
        yield [Comment.id.in_(chunk), *extra]


def bulk_plan(
    comment_ids: Iterable[int] | None,
    f: CommentFilter | None,
    changes: dict[str, object],
    *,
    may_approve: bool = False,
) -> BulkPlan:
    """How many comments are selected and how many (per field) the change would alter (the
    owners and due dates a new disposition clears included), and the values it replaces."""
    _check_bulk(changes)
    changes = _bulk_changes(changes, comment_ids, f)
    names = list(changes)
    totals = [0] * (2 + 2 * len(names))
    for where in _selections(comment_ids, f):
        differs = [_differs(n, changes[n], may_approve) for n in names]
        columns = [func.count(), func.sum(case((or_(*differs), 1), else_=0))]
        columns += [func.sum(case((condition, 1), else_=0)) for condition in differs]
        columns += [func.sum(case((_replaced(n, changes[n]), 1), else_=0)) for n in names]
        row = db.session.execute(_with_resolution(select(*columns)).where(*where)).one()
        totals = [total + int(value or 0) for total, value in zip(totals, row, strict=True)]
    per_field = dict(zip(names, totals[2 : 2 + len(names)], strict=True))
    overwritten = dict(zip(names, totals[2 + len(names) :], strict=True))
    plan = BulkPlan(totals[0], totals[1], per_field, overwritten)
    plan.examples = [
        example
        for name, count in overwritten.items()
        if count
        for example in _examples(name, changes[name], comment_ids, f)
    ]
    return plan


def _replaced(name: str, value: object) -> ColumnElement[bool]:
    """The comment holds a value of the field (a decision other than open, a response, an
    owner, an assignment) that setting it to `value` replaces or clears. A response state is
    a step of the workflow, not a value someone typed: never "replaced"."""
    if name == "response_state":
        return false()
    if name in resolution.RESOLUTION_FIELDS:
        column = resolution.value_of(name)
        return and_(column.is_not(None), _differs(name, value))
    column = getattr(Comment, name)
    held = column != OPEN if name == "disposition" else column.is_not(None)
    return and_(held, _differs(name, value))


def _shown_value(name: str) -> ColumnElement:
    """The field's value as the confirmation shows it (a person's email, a group's name)."""
    if name in resolution.RESOLUTION_FIELDS:
        return resolution.audit_text_sql(name, resolution.value_of(name))
    return getattr(Comment, name)


def _examples(
    name: str, value: object, comment_ids: Iterable[int] | None, f: CommentFilter | None
) -> list[Overwrite]:
    """The first values of the field that the change replaces, with their comments."""
    found: list[Overwrite] = []
    for where in _selections(comment_ids, f):
        query = _with_resolution(
            select(Comment.id, Artefact.reference, Organisation.name, _shown_value(name))
        )
        rows = db.session.execute(
            query.join(Artefact, Artefact.id == Comment.artefact_id)
            .join(Organisation, Organisation.id == Comment.organisation_id)
            .where(*where, _replaced(name, value))
            .order_by(Comment.id)
            .limit(OVERWRITE_EXAMPLES - len(found))
        )
        found += [Overwrite(row[0], row[1], row[2], name, row[3]) for row in rows]
        if len(found) >= OVERWRITE_EXAMPLES:
            break
    return found


def bulk_triage(
    comment_ids: Iterable[int] | None,
    f: CommentFilter | None,
    changes: dict[str, object],
    actor: str,
    *,
    may_approve: bool = False,
) -> int:
    """Set the same values on many comments; returns how many comments changed.

    The comments are `comment_ids` (those also matching `f` if it is given), or else every
    comment matching `f`, taken once before any write (so a filter on a field being changed
    does not move under the update). Set-based, per chunk of ids: one INSERT ... SELECT per
    field writes an audit event for each comment whose value actually changes, then one
    UPDATE per table sets the values, marks changed decisions as the browser's and bumps the
    version. Comments already at the new values are left alone: no write, no audit event. A
    response state moves only where the workflow allows it (approved: a lead, `may_approve`);
    a changed decision takes a response past draft back to draft; a disposition other than
    Action clears the action owner and due date. Duplicates of the changed comments follow
    their new disposition and response.
    """
    _check_bulk(changes)
    changes = _bulk_changes(changes, comment_ids, f)
    ids: list[int] = []
    for where in _selections(comment_ids, f):
        ids.extend(db.session.scalars(select(Comment.id).where(*where).order_by(Comment.id)))
    now = utcnow()
    changed = 0
    for chunk in _bulk_chunks(ids):
        count, originals = _bulk_chunk(chunk, changes, actor, now, may_approve)
        changed += count
        if originals:
            propagate_to_duplicates(originals, actor)
    return changed


def _audit_from(columns: tuple, where: list[ColumnElement[bool]]) -> None:
    """One audit event per row of SELECT comment_id, field, before, after, actor, at, origin."""
    names = ["comment_id", "field", "before", "after", "actor", "at", "origin"]
    db.session.execute(insert(AuditEvent).from_select(names, select(*columns).where(*where)))


def _event(name: str, before, after: str | None, actor: str, now) -> tuple:
    return (
        literal(AUDIT_NAMES.get(name, name), String),
        before,
        literal(after, Text),
        literal(actor, String),
        literal(now, DateTime),
        literal("browser", String),
    )


def _bulk_chunk(
    chunk: list[int], changes: dict[str, object], actor: str, now, may_approve: bool
) -> tuple[int, list[int]]:
    """Audit, then update, the comments of one chunk that differ. Returns how many changed and
    the ids whose disposition or response changed (their duplicates follow)."""
    # Lock the chunk's rows first (PostgreSQL; SQLite has one writer anyway): the audit's
    # INSERT ... SELECT then reads them as a concurrent change committed them, not as they were
    # before it, so "before" is what this change really replaced.
    db.session.execute(select(Comment.id).where(Comment.id.in_(chunk)).with_for_update())
    own = {n: v for n, v in changes.items() if n not in resolution.RESOLUTION_FIELDS}
    kept = {n: v for n, v in changes.items() if n in resolution.RESOLUTION_FIELDS}
    if kept:
        resolution.ensure_rows(chunk)
    base = _with_resolution(select(Comment.id)).where(Comment.id.in_(chunk))
    ids = list(db.session.scalars(base.where(_any_differs(changes, may_approve))))
    if not ids:
        return 0, []
    in_ids = Comment.id.in_(ids)
    decided = {n: v for n, v in own.items() if n in DECISION_FIELDS}
    originals = []
    if decided:
        originals = list(db.session.scalars(base.where(in_ids, _any_differs(decided))))
    for name, value in own.items():
        columns = (Comment.id, *_event(name, getattr(Comment, name), as_text(value), actor, now))
        _audit_from(columns, [in_ids, _differs(name, value)])
    values: dict[str, object] = dict(own)
    for name in decided:
        origin = getattr(Comment, f"{name}_origin")
        values[f"{name}_origin"] = case((_differs(name, own[name]), "browser"), else_=origin)
    values.update(version=Comment.version + 1, updated_at=now)
    db.session.execute(
        update(Comment).where(in_ids).values(values).execution_options(synchronize_session=False)
    )
    if originals:
        _back_to_draft(originals, actor, now)
    for name, value in kept.items():
        _bulk_resolution_field(ids, name, value, actor, now, may_approve)
    return len(ids), originals


def _back_to_draft(ids: list[int], actor: str, now) -> None:
    """Responses past draft whose decision just changed go back to draft (audited)."""
    past_draft = [CommentResolution.comment_id.in_(ids), CommentResolution.state != DRAFT]
    state = CommentResolution.state
    _audit_from(
        (CommentResolution.comment_id, *_event("response_state", state, DRAFT, actor, now)),
        past_draft,
    )
    db.session.execute(
        update(CommentResolution)
        .where(*past_draft)
        .values(state=DRAFT)
        .execution_options(synchronize_session=False)
    )


def _bulk_resolution_field(
    ids: list[int], name: str, value: object, actor: str, now, may_approve: bool
) -> None:
    """Audit and set one resolution field on the comments of `ids` where it changes."""
    where = [CommentResolution.comment_id.in_(ids), _differs(name, value, may_approve)]
    column = resolution.column(name)
    before = resolution.audit_text_sql(name, column)
    after = resolution.audit_text(name, value)
    query = select(CommentResolution.comment_id, *_event(name, before, after, actor, now))
    names = ["comment_id", "field", "before", "after", "actor", "at", "origin"]
    db.session.execute(insert(AuditEvent).from_select(names, query.where(*where)))
    db.session.execute(
        update(CommentResolution)
        .where(*where)
        .values({resolution.RESOLUTION_FIELDS[name]: value})
        .execution_options(synchronize_session=False)
    )


__all__ = ["BULK_FIELDS", "BulkPlan", "Overwrite", "bulk_plan", "bulk_triage"]
