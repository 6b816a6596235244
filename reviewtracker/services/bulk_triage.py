"""Bulk triage: one disposition, response or action owner set on many comments at once, with
the plan the confirmation page shows first. Set-based (INSERT ... SELECT for the audit, one
UPDATE per chunk), audited per comment and field like triage.py's changes, under the same
rules: duplicates follow their originals, and an action owner belongs to a comment in Action.

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
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement

from importers.vocabulary import DISPOSITIONS, OPEN

from ..extensions import db
from ..models import Artefact, AuditEvent, Comment, Organisation, utcnow
from . import ServiceError
from .comment_filter import CommentFilter
from .comment_queries import conditions as filter_conditions
from .triage import (
    ACTION,
    ACTION_FIELDS,
    AUDIT_NAMES,
    DECISION_FIELDS,
    FOLLOWED_FIELDS,
    NOT_IN_ACTION,
    propagate_to_duplicates,
)

# What a triager may set on many comments at once.
BULK_FIELDS = ("disposition", "response", "action_owner")
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
    # field -> comments whose value (a decision, a response, an owner) it replaces or clears,
    # and the first OVERWRITE_EXAMPLES of those values per field.
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
    if changes.get("action_owner") and changes.get("disposition", ACTION) != ACTION:
        raise ServiceError(NOT_IN_ACTION)


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


def _differs(name: str, value: object) -> ColumnElement[bool]:
    """The comment's field is not `value` (NULL-safe: IS DISTINCT FROM)."""
    return getattr(Comment, name).is_distinct_from(value)


def _any_differs(changes: dict[str, object]) -> ColumnElement[bool]:
    return or_(*(_differs(name, value) for name, value in changes.items()))


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
    comment_ids: Iterable[int] | None, f: CommentFilter | None, changes: dict[str, object]
) -> BulkPlan:
    """How many comments are selected and how many (per field) the change would alter (the
    owners and due dates a new disposition clears included)."""
    _check_bulk(changes)
    changes = _bulk_changes(changes, comment_ids, f)
    names = list(changes)
    totals = [0] * (2 + 2 * len(names))
    for where in _selections(comment_ids, f):
        columns = [func.count(), func.sum(case((_any_differs(changes), 1), else_=0))]
        columns += [func.sum(case((_differs(n, changes[n]), 1), else_=0)) for n in names]
        columns += [func.sum(case((_replaced(n, changes[n]), 1), else_=0)) for n in names]
        row = db.session.execute(select(*columns).where(*where)).one()
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
    owner) that setting it to `value` replaces or clears."""
    column = getattr(Comment, name)
    held = column != OPEN if name == "disposition" else column.is_not(None)
    return and_(held, _differs(name, value))


def _examples(
    name: str, value: object, comment_ids: Iterable[int] | None, f: CommentFilter | None
) -> list[Overwrite]:
    """The first values of the field that the change replaces, with their comments."""
    found: list[Overwrite] = []
    for where in _selections(comment_ids, f):
        rows = db.session.execute(
            select(Comment.id, Artefact.reference, Organisation.name, getattr(Comment, name))
            .join(Artefact, Artefact.id == Comment.artefact_id)
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
) -> int:
    """Set the same disposition / response / action owner on many comments; returns how many
    comments changed.

    The comments are `comment_ids` (those also matching `f` if it is given), or else every
    comment matching `f`, taken once before any write (so a filter on a field being changed
    does not move under the update). Set-based, per chunk of ids: one INSERT ... SELECT per
    field writes an audit event for each comment whose value actually changes, then one
    UPDATE sets the values, marks changed decisions as the browser's and bumps the version.
    Comments already at the new values are left alone: no write, no audit event. Duplicates
    of the changed comments follow their new disposition and response.
    """
    _check_bulk(changes)
    changes = _bulk_changes(changes, comment_ids, f)
    ids: list[int] = []
    for where in _selections(comment_ids, f):
        ids.extend(db.session.scalars(select(Comment.id).where(*where).order_by(Comment.id)))
    followed = {name: value for name, value in changes.items() if name in FOLLOWED_FIELDS}
    now = utcnow()
    changed = 0
    for chunk in _bulk_chunks(ids):
        originals: list[int] = []
        if followed:
            originals = list(
                db.session.scalars(
                    select(Comment.id).where(Comment.id.in_(chunk), _any_differs(followed))
                )
            )
        changed += _bulk_chunk(chunk, changes, actor, now)
        if originals:
            propagate_to_duplicates(originals, actor)
    return changed


def _bulk_chunk(chunk: list[int], changes: dict[str, object], actor: str, now) -> int:
    """Audit, then update, the comments of one chunk that differ; returns how many changed."""
    in_chunk = Comment.id.in_(chunk)
    # Lock the chunk's rows first (PostgreSQL; SQLite has one writer anyway): the audit's
    # INSERT ... SELECT then reads them as a concurrent change committed them, not as they were
    # before it, so "before" is what this change really replaced.
    db.session.execute(select(Comment.id).where(in_chunk).with_for_update())
    columns = ["comment_id", "field", "before", "after", "actor", "at", "origin"]
    for name, value in changes.items():
        before = select(
            Comment.id,
            literal(AUDIT_NAMES.get(name, name), String),
            getattr(Comment, name),
            literal(None if value is None else str(value), Text),
            literal(actor, String),
            literal(now, DateTime),
            literal("browser", String),
        ).where(in_chunk, _differs(name, value))
        db.session.execute(insert(AuditEvent).from_select(columns, before))
    values: dict[str, object] = dict(changes)
    for name in changes:
        if name in DECISION_FIELDS:
            origin = getattr(Comment, f"{name}_origin")
            values[f"{name}_origin"] = case(
                (_differs(name, changes[name]), "browser"), else_=origin
            )
    values.update(version=Comment.version + 1, updated_at=now)
    result = db.session.execute(
        update(Comment)
        .where(in_chunk, _any_differs(changes))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
