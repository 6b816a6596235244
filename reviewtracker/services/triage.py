"""Changes to a comment's decision taken in the browser: one function, always audited.

Duplicates: a comment marked as a duplicate of another (its original) takes the original's
disposition and response, and keeps following them: every save path that changes an
original's disposition or response calls `propagate_to_duplicates`, which copies the new
values to its duplicates with one audit event per duplicate and field. Duplicates are one
level deep: a duplicate always points at an original that is not itself a duplicate.

Action owners: an action owner and an action due date belong to a comment in Action. Setting
either on a comment that is not (or will not be) in Action is refused; a change of the
disposition away from Action clears both, audited like any change, on every path that changes
a disposition here (one comment, duplicates, bulk).

Nothing here commits: the caller's unit of work does (see unit_of_work.py). A refusal
(ServiceError, StaleComment) may leave written rows behind in the session; the unit of work
rolls them back with everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, Text, cast, insert, literal, or_, select, update
from sqlalchemy.orm import aliased

from importers.vocabulary import DISPOSITIONS, DRAFT

from ..extensions import db
from ..models import AuditEvent, Comment, utcnow
from . import ServiceError, resolution
from .published_view import as_seen_by, publication_history
from .scope import Scope, require

# The fields a triager may change: the comment's own, then its resolution's (assignee, working
# group, response state, implemented in: services/resolution.py). A change of a "decision"
# field is one that a re-import must never overwrite (it sets the field's origin to "browser").
COMMENT_FIELDS = ("disposition", "response", "action_owner", "action_due", "internal_note")
TRIAGE_FIELDS = (*COMMENT_FIELDS, *resolution.RESOLUTION_FIELDS)
DECISION_FIELDS = resolution.DECISION_FIELDS
# What a duplicate takes from its original, then and on every later change of the original.
FOLLOWED_FIELDS = DECISION_FIELDS
# The audit trail's name for a column, where it differs from the column's name.
AUDIT_NAMES = {
    "duplicate_of_id": "duplicate_of",
    "assignee_id": "assignee",
    "working_group_id": "working_group",
}
# Ids per IN (...) list, well under every backend's limit on bound parameters.
CHUNK = 500
# The fields only a comment in Action has (see the module's docstring).
ACTION = "action"
ACTION_FIELDS = ("action_owner", "action_due")
NOT_IN_ACTION = (
    "an action owner and a due date are only for comments in Action: set the disposition to "
    "Action, or leave them empty"
)


class StaleComment(ServiceError):
    """Somebody else saved the comment since this form was loaded."""

    def __init__(self, comment_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"comment {comment_id} was changed by someone else (version {current}, "
            f"your form had version {expected}); nothing was saved"
        )
        self.comment_id = comment_id
        self.current = current


@dataclass(slots=True)
class TriageResult:
    comment_id: int
    changed: dict[str, tuple[object, object]]  # field -> (before, after)
    version: int


def triage_comment(
    comment_id: int,
    changes: dict[str, object],
    *,
    actor: str,
    expected_version: int | None = None,
    may_approve: bool = False,
    origin: str = "browser",
    import_batch_id: int | None = None,
) -> TriageResult:
    """Apply a triager's changes to one comment, with one audit event per field changed.

    `expected_version` is the version the user's form was loaded with: if the comment has
    moved on since, nothing is saved and StaleComment says so. A change of the disposition or
    response is copied to the comment's duplicates (audited too), in the same transaction.
    `may_approve`: the user is a lead (may move a response to approved). `origin`: "browser",
    or "workbook" for a resolutions workbook imported (its batch `import_batch_id`).
    """
    unknown = set(changes) - set(TRIAGE_FIELDS)
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))} in triage")
    if "disposition" in changes and changes["disposition"] not in DISPOSITIONS:
        raise ServiceError(f"unknown disposition {changes['disposition']!r}")
    resolution.check_values(changes)
    result = _apply(
        comment_id,
        changes,
        actor=actor,
        expected_version=expected_version,
        may_approve=may_approve,
        origin=origin,
        import_batch_id=import_batch_id,
    )
    if set(result.changed) & set(FOLLOWED_FIELDS):
        propagate_to_duplicates([comment_id], actor)
    return result


def _apply(
    comment_id: int,
    changes: dict[str, object],
    *,
    actor: str,
    expected_version: int | None = None,
    may_approve: bool = False,
    origin: str = "browser",
    import_batch_id: int | None = None,
) -> TriageResult:
    """Write the fields of `changes` that differ from the stored ones, bump the version and
    audit each changed field. A changed decision takes a response past draft back to draft. A
    comment that ends up outside Action keeps no action owner or due date (cleared; refused if
    `changes` sets one)."""
    wanted = [name for name in changes if name not in resolution.RESOLUTION_FIELDS]
    own = list(dict.fromkeys([*wanted, "disposition", *ACTION_FIELDS]))
    current = db.session.execute(
        select(Comment.version, *(getattr(Comment, f) for f in own)).where(Comment.id == comment_id)
    ).one_or_none()
    if current is None:
        raise ServiceError(f"no comment {comment_id}")
    version = current.version
    if expected_version is not None and expected_version != version:
        raise StaleComment(comment_id, expected_version, version)
    stored = {name: getattr(current, name) for name in own} | resolution.current(comment_id)
    changes = _action_rule(changes, stored)
    diff = {name: (stored[name], value) for name, value in changes.items() if stored[name] != value}
    state = stored["response_state"]
    if "response_state" in diff:
        resolution.check_move(state, diff["response_state"][1], may_approve=may_approve)
    elif set(diff) & set(DECISION_FIELDS) and state != DRAFT:
        diff["response_state"] = (state, DRAFT)
    if not diff:
        return TriageResult(comment_id, {}, version)
    values: dict[str, object] = {
        name: after for name, (_, after) in diff.items() if name not in resolution.RESOLUTION_FIELDS
    }
    values.update({f"{name}_origin": "browser" for name in diff if name in DECISION_FIELDS})
    values.update(version=version + 1, updated_at=utcnow())
    # The version in the WHERE clause makes the check and the write one atomic step.
    result = db.session.execute(
        update(Comment).where(Comment.id == comment_id, Comment.version == version).values(values)
    )
    if result.rowcount != 1:
        raise StaleComment(comment_id, version, version + 1)
    kept = {n: after for n, (_, after) in diff.items() if n in resolution.RESOLUTION_FIELDS}
    if kept:
        resolution.write(comment_id, kept)
    now = utcnow()
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "comment_id": comment_id,
                "field": AUDIT_NAMES.get(name, name),
                "before": _audit_text(name, before),
                "after": _audit_text(name, after),
                "actor": actor,
                "at": now,
                "origin": origin,
                "import_batch_id": import_batch_id,
            }
            for name, (before, after) in diff.items()
        ],
    )
    return TriageResult(comment_id, diff, version + 1)


def _action_rule(changes: dict[str, object], stored: dict[str, object]) -> dict[str, object]:
    """`changes` under the action rule: outside Action, no owner or due date (refused if the
    changes set one, cleared if the comment has one)."""
    disposition = changes.get("disposition", stored["disposition"])
    if disposition == ACTION:
        return changes
    if any(changes.get(name) not in (None, "") for name in ACTION_FIELDS):
        raise ServiceError(NOT_IN_ACTION)
    return {**changes, **{name: None for name in ACTION_FIELDS if stored[name]}}


def as_text(value: object) -> str | None:
    return None if value is None else str(value)


def _audit_text(name: str, value: object) -> str | None:
    if name in resolution.RESOLUTION_FIELDS:
        return resolution.audit_text(name, value)
    return as_text(value)


def clear_actions_outside_action(
    comment_ids: Iterable[int], *, actor: str, origin: str, import_batch_id: int | None = None
) -> int:
    """The action rule for changes made in bulk elsewhere (an import that moves comments out
    of Action): clear the owner and due date of those of `comment_ids` no longer in Action,
    one audit event per comment and field. Returns how many comments it cleared."""
    ids = sorted(set(comment_ids))
    columns = ["comment_id", "field", "before", "after", "actor", "at", "origin"]
    columns.append("import_batch_id")
    now, cleared = utcnow(), 0
    for start in range(0, len(ids), CHUNK):
        outside = [Comment.id.in_(ids[start : start + CHUNK]), Comment.disposition != ACTION]
        held = or_(*(getattr(Comment, name).is_not(None) for name in ACTION_FIELDS))
        for name in ACTION_FIELDS:
            before = select(
                Comment.id,
                literal(name, String),
                cast(getattr(Comment, name), Text),
                literal(None, Text),
                literal(actor, String),
                literal(now, DateTime),
                literal(origin, String),
                literal(import_batch_id, Integer),
            ).where(*outside, getattr(Comment, name).is_not(None))
            db.session.execute(insert(AuditEvent).from_select(columns, before))
        cleared += db.session.execute(
            update(Comment)
            .where(*outside, held)
            .values(dict.fromkeys(ACTION_FIELDS))
            .execution_options(synchronize_session=False)
        ).rowcount
    return cleared


def history(comment_id: int, scope: Scope, *, newest_first: bool = False) -> list:
    """Every change of the comment (import and browser) that `scope` may see, oldest first
    unless asked. A reviewer's scope reads the published outcome only: its history is the
    changes of the published disposition and response, publication after publication
    (never the drafts, never who)."""
    scope = require(scope)
    if scope.reads_published:
        return publication_history(comment_id, newest_first=newest_first)
    order = (AuditEvent.at, AuditEvent.id)
    if newest_first:
        order = tuple(column.desc() for column in order)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.comment_id == comment_id).order_by(*order)
    )
    return scope.history(events)


def last_change(comment_id: int) -> AuditEvent | None:
    """The newest audit event of the comment: who changed it last, and when."""
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.comment_id == comment_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()


# --- duplicates ------------------------------------------------------------------------------


def duplicates_of(comment_id: int, scope: Scope) -> list:
    """The comments marked as duplicates of this one that `scope` may see, in id order (as
    `scope` reads them: a reviewer's as published)."""
    where = [Comment.duplicate_of_id == comment_id, *require(scope).comments()]
    found = list(db.session.scalars(select(Comment).where(*where).order_by(Comment.id)))
    return as_seen_by(found, scope)


def _get(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ServiceError(f"no comment {comment_id}")
    return comment


def _root(comment: Comment) -> Comment:
    """The original a comment stands for: itself, or the end of its duplicate_of chain."""
    seen = {comment.id}
    while comment.duplicate_of_id is not None and comment.duplicate_of_id not in seen:
        comment = _get(comment.duplicate_of_id)
        seen.add(comment.id)
    return comment


def mark_duplicate(
    comment_id: int,
    original_id: int,
    *,
    actor: str,
    expected_version: int | None = None,
) -> TriageResult:
    """Mark `comment_id` as a duplicate of `original_id`: it takes the original's disposition
    and response now (audited, origin browser) and follows their later changes.

    An original that is itself a duplicate is replaced by its own original (duplicates stay
    one level deep); so are the marked comment's own duplicates, which now follow that root.
    Refused: a duplicate of itself, of a comment on another artefact, or of its own duplicate.
    """
    if comment_id == original_id:
        raise ServiceError(f"comment {comment_id} cannot be a duplicate of itself")
    comment, original = _get(comment_id), _get(original_id)
    if comment.artefact_id != original.artefact_id:
        raise ServiceError(
            f"comment {comment_id} ({comment.artefact.reference}) cannot be a duplicate of "
            f"comment {original_id} on another artefact ({original.artefact.reference})"
        )
    root = _root(original)
    if root.id == comment_id:
        raise ServiceError(
            f"comment {original_id} is a duplicate of comment {comment_id}: unmark it first"
        )
    changes = {"duplicate_of_id": root.id} | {name: getattr(root, name) for name in FOLLOWED_FIELDS}
    followers = [c.id for c in duplicates_of(comment_id, Scope.staff())]
    result = _apply(comment_id, changes, actor=actor, expected_version=expected_version)
    for follower in followers:
        _apply(follower, {"duplicate_of_id": root.id}, actor=actor)
    propagate_to_duplicates([root.id], actor)
    return result


@dataclass(slots=True)
class DuplicateChanges:
    """What marking a comment as a duplicate would overwrite: (field, now, then) for each
    field that changes, and whether a response someone wrote would be replaced."""

    original_id: int  # the original it would follow (the root of the one named)
    changes: list[tuple[str, object, object]]
    replaces_response: bool


def duplicate_changes(comment_id: int, original_id: int) -> DuplicateChanges:
    """What mark_duplicate(comment_id, original_id) would change; changes nothing. The page
    asks before a response the comment has is replaced by another one."""
    comment, root = _get(comment_id), _root(_get(original_id))
    after = {name: getattr(root, name) for name in FOLLOWED_FIELDS}
    if after["disposition"] != ACTION:
        after |= dict.fromkeys(ACTION_FIELDS)
    changes = [
        (name, getattr(comment, name), value)
        for name, value in after.items()
        if getattr(comment, name) != value
    ]
    replaces = bool(comment.response) and comment.response != root.response
    return DuplicateChanges(root.id, changes, replaces)


def unmark_duplicate(
    comment_id: int,
    *,
    actor: str,
    expected_version: int | None = None,
) -> TriageResult:
    """The comment is no longer a duplicate: it keeps its disposition and response, and no
    longer follows the original's."""
    if _get(comment_id).duplicate_of_id is None:
        raise ServiceError(f"comment {comment_id} is not marked as a duplicate")
    changes: dict[str, object] = {"duplicate_of_id": None}
    return _apply(comment_id, changes, actor=actor, expected_version=expected_version)


def copy_response(
    from_id: int,
    to_id: int,
    *,
    actor: str,
    expected_version: int | None = None,
) -> TriageResult:
    """Copy one comment's response to another (audited like any triage change; the target's
    duplicates follow)."""
    if from_id == to_id:
        raise ServiceError("a comment's response cannot be copied onto itself")
    source = _get(from_id)
    if not source.response:
        raise ServiceError(f"comment {from_id} has no response to copy")
    return triage_comment(
        to_id,
        {"response": source.response},
        actor=actor,
        expected_version=expected_version,
    )


def propagate_to_duplicates(original_ids: Iterable[int], actor: str) -> int:
    """Copy the disposition and response of each original to its duplicates that differ,
    with one audit event per duplicate and changed field (origin "browser"). Call it in the
    transaction that changed the originals, after the change. Returns how many duplicates
    changed.

    Every save path that changes an original's disposition or response must call it:
    `triage_comment` and `mark_duplicate` do; bulk triage passes the ids it changed, and so
    does a re-import that changes imported decisions.
    """
    ids = sorted(set(original_ids))
    original = aliased(Comment)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(Comment.id, *(getattr(original, name) for name in FOLLOWED_FIELDS))
            .join(original, Comment.duplicate_of_id == original.id)
            .where(Comment.duplicate_of_id.in_(ids[start : start + CHUNK]))
            .order_by(Comment.id)
        ).all()
        for duplicate_id, *values in rows:
            follow = dict(zip(FOLLOWED_FIELDS, values, strict=True))
            changed += bool(_apply(duplicate_id, follow, actor=actor).changed)
    return changed
