"""The history of imports, and undoing one: remove the comments a batch added, if untouched.

An import batch stays in the history for good. Undoing it removes the comments it ADDED (and
their audit events, which only record the import), as long as nobody has triaged one of them
since; otherwise it refuses and names them. Updates a batch made to comments that were already
stored (a re-import) are not reverted: the history says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, and_, delete, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Artefact, AuditEvent, Comment, ImportBatch, Organisation, ReviewRound, utcnow
from . import ServiceError
from .paging import Page, page_bounds
from .people import Names, names_for
from .submission_records import submitted_batches

PER_PAGE = 50
MAX_NAMED = 20  # a refusal names this many comments, then says how many more there are


class NoSuchBatch(ServiceError):
    def __init__(self, batch_id: int) -> None:
        super().__init__(f"there is no import batch {batch_id}")
        self.batch_id = batch_id


@dataclass(slots=True)
class Blocker:
    """A comment the batch added that has moved on since: the reason undo can't remove it."""

    comment_id: int
    artefact: str
    log_comment_id: str | None
    source_key: str
    reason: str  # "triaged by ana@example.org on 2024-05-01 10:12", ...

    @property
    def label(self) -> str:
        return f"{self.artefact} comment {self.log_comment_id or self.source_key}"

    def __str__(self) -> str:
        return f"{self.label} (#{self.comment_id}): {self.reason}"


@dataclass(slots=True)
class UndoPlan:
    """What undoing a batch would do, or why it can't be done."""

    batch: ImportBatch
    removable: int = 0  # comments the batch added that are still stored
    blockers: list[Blocker] = field(default_factory=list)
    more_blockers: int = 0  # blocked comments beyond the ones named
    refusal: str | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


@dataclass(slots=True)
class UndoResult:
    batch_id: int
    file_name: str
    removed_comments: int
    removed_events: int
    removed_organisations: int = 0  # created for this batch only, unused once it is undone
    removed_rounds: int = 0
    updates_kept: int = 0  # comments the batch updated: those updates stay

    def __str__(self) -> str:
        text = (
            f"{self.file_name}: import undone, {_plural(self.removed_comments, 'comment')} "
            f"removed with their {_plural(self.removed_events, 'audit event')}"
        )
        if self.removed_organisations:
            text += f"; {_plural(self.removed_organisations, 'organisation')} only it used removed"
        if self.updates_kept:
            text += (
                f"; the updates it made to {_plural(self.updates_kept, 'existing comment')} stay"
            )
        return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(slots=True)
class History:
    """One page of the import history (its items are the batches, newest first)."""

    page: Page
    remaining: dict[int, int]  # batch id -> comments it added that are still stored
    blocked: dict[int, int] = field(default_factory=dict)  # ... of which changed since
    names: Names = field(default_factory=Names)  # who imported and undid them, by name
    # batch id -> its reviewer's submission (by, organisation, late, kind, id): marked as such
    submitted: dict[int, dict] = field(default_factory=dict)

    def undo_refusal(self, batch: ImportBatch) -> str | None:
        """Why the batch can't be undone, or None if it can (the history offers Undo only
        then). The same reasons as undo_plan's, counted for the whole page at once."""
        if batch.kind != "comments":
            return kind_refusal(batch.kind)
        if batch.undone_at is not None:
            return None  # the page says when and by whom instead
        remaining = self.remaining.get(batch.id, 0)
        if not remaining:
            return "its comments are no longer stored" if batch.added else "it added no comments"
        blocked = self.blocked.get(batch.id, 0)
        if blocked:
            some = "all" if blocked == remaining else f"{blocked} of the {remaining}"
            verb = "has" if blocked == 1 else "have"
            return f"{some} comments it added {verb} been triaged or changed since"
        return None


REGISTER_REFUSAL = (
    "a register import changes the artefacts in place; import a corrected register instead"
)
WORKBOOK_REFUSAL = (
    "a resolutions workbook changes comments in place, each change in the comment's history; "
    "change them back there, or import a corrected workbook"
)


def kind_refusal(kind: str) -> str:
    """Why a batch that is not a comment log's can't be undone."""
    return WORKBOOK_REFUSAL if kind == "resolutions" else REGISTER_REFUSAL


def import_history(page: int = 1, per_page: int = PER_PAGE) -> History:
    """The batches of one page, newest first, with how many of their comments are still there
    and how many of those have been changed since (which makes undo impossible)."""
    total = db.session.scalar(select(func.count()).select_from(ImportBatch)) or 0
    page, offset = page_bounds(page, per_page, total)
    batches = list(
        db.session.scalars(
            select(ImportBatch)
            .order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc())
            .limit(per_page)
            .offset(offset)
        )
    )
    ids = [batch.id for batch in batches if batch.kind == "comments" and batch.undone_at is None]
    counts = [func.count(), func.count().filter(_blocked_condition())]
    remaining, blocked = {}, {}
    for batch_id, stored, changed in db.session.execute(
        select(Comment.import_batch_id, *counts)
        .where(Comment.import_batch_id.in_(ids))
        .group_by(Comment.import_batch_id)
    ):
        remaining[batch_id], blocked[batch_id] = stored, changed
    names = names_for([name for b in batches for name in (b.imported_by, b.undone_by)])
    submitted = submitted_batches([batch.id for batch in batches])
    return History(Page(batches, page, per_page, total), remaining, blocked, names, submitted)


def undo_plan(batch_id: int) -> UndoPlan:
    """What undo_batch would remove, or why it refuses. Changes nothing."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise NoSuchBatch(batch_id)
    plan = UndoPlan(batch)
    if batch.kind != "comments":
        plan.refusal = kind_refusal(batch.kind)
        return plan
    if batch.undone_at is not None:
        plan.refusal = (
            f"this import was already undone on {batch.undone_at:%Y-%m-%d %H:%M} "
            f"by {names_for([batch.undone_by]).person(batch.undone_by)}"
        )
        return plan
    plan.removable = _count(Comment.import_batch_id == batch_id)
    if not plan.removable:
        plan.refusal = _nothing_to_remove(batch)
        return plan
    blocked = _blocked_condition()
    count = _count(and_(Comment.import_batch_id == batch_id, blocked))
    plan.blockers = _blockers(batch_id, blocked)
    plan.more_blockers = max(0, count - len(plan.blockers))
    if count:
        named = "; ".join(str(blocker) for blocker in plan.blockers)
        more = f"; and {plan.more_blockers} more" if plan.more_blockers else ""
        plan.refusal = (
            f"{count} of the {plan.removable} comments this import added "
            f"{'has' if count == 1 else 'have'} been changed since, so the import can't be "
            f"undone: {named}{more}"
        )
    return plan


def undo_batch(batch_id: int, actor: str) -> UndoResult:
    """Remove the comments the batch added and their audit events, and mark it undone.

    Refuses (ServiceError) if any of those comments has been triaged or updated since, naming
    them, and for a batch that added nothing; the caller's unit of work then rolls back
    whatever was already deleted.
    """
    plan = undo_plan(batch_id)
    if not plan.allowed:
        raise ServiceError(plan.refusal)
    batch = plan.batch
    result = _remove(batch, plan.removable)
    batch.undone_at = utcnow()
    batch.undone_by = actor
    db.session.flush()
    return result


def _nothing_to_remove(batch: ImportBatch) -> str:
    if batch.added:
        return "the comments this import added are no longer stored: there is nothing to remove"
    return (
        f"this import added no comments (it found {batch.unchanged} unchanged and updated "
        f"{batch.updated} that were already stored): there is nothing to remove, and updates to "
        "existing comments can't be undone"
    )


def _count(condition) -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(condition)) or 0


def _blocked_condition():
    """A comment that must stay when its batch is undone: triaged in the browser or changed by
    a resolutions workbook (any audit origin but an import), updated by a later import (its
    version moved on), or marked as the original of a comment outside its batch."""
    browser = exists().where(AuditEvent.comment_id == Comment.id, AuditEvent.origin != "import")
    other = aliased(Comment)
    duplicate = exists().where(
        other.duplicate_of_id == Comment.id,
        or_(other.import_batch_id.is_(None), other.import_batch_id != Comment.import_batch_id),
    )
    return or_(Comment.version != 1, browser, duplicate)


def _blockers(batch_id: int, blocked) -> list[Blocker]:
    rows = db.session.execute(
        select(
            Comment.id,
            Artefact.reference,
            Comment.log_comment_id,
            Comment.source_key,
            Comment.last_import_batch_id,
        )
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .where(Comment.import_batch_id == batch_id, blocked)
        .order_by(Comment.id)
        .limit(MAX_NAMED)
    ).all()
    ids = [row.id for row in rows]
    reasons = _browser_changes(ids)
    for comment_id, duplicate in _duplicates_outside(batch_id, ids):
        reasons.setdefault(comment_id, f"comment #{duplicate} is marked as a duplicate of it")
    later = _later_imports([row.last_import_batch_id for row in rows], batch_id)
    blockers = []
    for row in rows:
        reason = reasons.get(row.id) or later.get(row.last_import_batch_id) or "changed since"
        blockers.append(Blocker(row.id, row.reference, row.log_comment_id, row.source_key, reason))
    return blockers


def _browser_changes(ids: list[int]) -> dict[int, str]:
    """comment id -> who last changed it in the browser, and when."""
    events = db.session.execute(
        select(AuditEvent.comment_id, AuditEvent.actor, AuditEvent.at, AuditEvent.field)
        .where(AuditEvent.comment_id.in_(ids), AuditEvent.origin != "import")
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    names = names_for(event.actor for event in events)
    # The last event per comment wins.
    return {
        event.comment_id: f"{event.field} changed by {names.person(event.actor)} "
        f"on {event.at:%Y-%m-%d %H:%M}"
        for event in events
    }


def _duplicates_outside(batch_id: int, ids: list[int]) -> list[tuple[int, int]]:
    """(comment of the batch, comment outside it marked as its duplicate)."""
    return [
        (original, duplicate)
        for duplicate, original in db.session.execute(
            select(Comment.id, Comment.duplicate_of_id).where(
                Comment.duplicate_of_id.in_(ids),
                or_(Comment.import_batch_id.is_(None), Comment.import_batch_id != batch_id),
            )
        )
    ]


def _later_imports(batch_ids: list[int | None], own: int) -> dict[int, str]:
    wanted = {batch_id for batch_id in batch_ids if batch_id is not None and batch_id != own}
    rows = db.session.execute(
        select(ImportBatch.id, ImportBatch.imported_by, ImportBatch.imported_at).where(
            ImportBatch.id.in_(wanted)
        )
    ).all()
    names = names_for(row.imported_by for row in rows)
    return {
        row.id: f"updated by import batch {row.id} ({names.person(row.imported_by)}, "
        f"{row.imported_at:%Y-%m-%d %H:%M})"
        for row in rows
    }


def _remove(batch: ImportBatch, expected: int) -> UndoResult:
    """The set-based deletes. The comment delete repeats the checks, so a comment triaged
    between the plan and now is not removed, and the count no longer matching rolls back."""
    in_batch = Comment.import_batch_id == batch.id
    organisations = list(
        db.session.scalars(select(Comment.organisation_id).where(in_batch).distinct())
    )
    rounds = list(db.session.scalars(select(Comment.review_round_id).where(in_batch).distinct()))
    events = db.session.execute(
        delete(AuditEvent).where(
            AuditEvent.origin == "import",
            AuditEvent.comment_id.in_(select(Comment.id).where(in_batch)),
        )
    ).rowcount
    comments = db.session.execute(delete(Comment).where(in_batch, ~_blocked_condition())).rowcount
    if comments != expected:
        raise ServiceError(
            "some of this import's comments were changed while undoing it; nothing was changed, "
            "try again"
        )
    result = UndoResult(batch.id, batch.file_name, comments, events)
    result.removed_organisations = _delete_unused(Organisation.__table__.c.id, organisations)
    result.removed_rounds = _delete_unused(ReviewRound.__table__.c.id, rounds)
    result.updates_kept = batch.updated
    return result


def _delete_unused(key: Column, ids: list[int]) -> int:
    """Delete the rows (organisations, review rounds) the removed comments used that nothing
    refers to any more: every foreign key to them in the schema is checked."""
    if not ids:
        return 0
    table = key.table
    unused = [
        ~exists().where(foreign.parent == key)
        for other in db.metadata.tables.values()
        for foreign in other.foreign_keys
        if foreign.column is key
    ]
    return db.session.execute(delete(table).where(key.in_(set(ids)), *unused)).rowcount


__all__ = [
    "Blocker",
    "History",
    "NoSuchBatch",
    "UndoPlan",
    "UndoResult",
    "import_history",
    "undo_batch",
    "undo_plan",
]
