"""The dissensus log: entries where industry and the programme disagree (D-001, ...), opened
from a reviewer's disagreement or by hand, the constituencies' positions at a meeting with
their tally, the outcome, and every change (history).

A reviewer's scope sees the entries that concern its organisation's comments, without the
internal note; never another organisation's. Nothing here commits (the caller's unit of work
does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.sql import Select

from importers import normalise_artefact_ref
from importers.vocabulary import (
    DECIDED_BY_EMAIL,
    DISSENSUS_OUTCOMES,
    DISSENSUS_STATUSES,
    POSITIONS,
)

from ..extensions import db
from ..models import (
    Artefact,
    Comment,
    Constituency,
    DissensusArtefact,
    DissensusComment,
    DissensusEntry,
    DissensusEvent,
    DissensusPosition,
    Organisation,
    ReviewerAnswer,
    utcnow,
)
from . import ServiceError
from .published_view import published_outcomes
from .scope import Scope, require

OPEN, CLOSED = DISSENSUS_STATUSES.keys
EDITABLE = (
    "title",
    "issue",
    "programme_position",
    "internal_note",
    "status",
    "outcome",
    "outcome_note",
    "post_meeting_update",
    "decided_on",
)
REVIEWER_HIDDEN = frozenset({"internal_note"})
MAX_TEXT = 20_000


@dataclass(frozen=True, slots=True)
class EntryFilter:
    status: str | None = None
    artefact: str | None = None  # canonical reference
    constituency_id: int | None = None

    @classmethod
    def from_args(cls, args: Any) -> EntryFilter:
        from ..inputs import positive_int

        status = str(args.get("status") or "").strip().lower()
        artefact = args.get("artefact")
        return cls(
            status=status if status in DISSENSUS_STATUSES else None,
            artefact=normalise_artefact_ref(str(artefact)) if artefact else None,
            constituency_id=positive_int(args.get("constituency")),
        )

    def to_args(self) -> dict[str, str]:
        values = {"status": self.status, "artefact": self.artefact}
        values["constituency"] = str(self.constituency_id) if self.constituency_id else None
        return {key: value for key, value in values.items() if value}


def _concerns(scope: Scope) -> list:
    """Confines a query on dissensus_entry to what `scope` may see."""
    if not scope.is_reviewer:
        return []
    own = (
        select(DissensusComment.entry_id)
        .join(Comment, Comment.id == DissensusComment.comment_id)
        .where(*scope.comments())
    )
    return [DissensusEntry.id.in_(own)]


@dataclass(slots=True)
class EntryRow:
    """One entry of the log as a list shows it."""

    entry: DissensusEntry
    artefacts: list[str]
    comment_ids: list[int]
    internal_note: str | None  # None for a reviewer


def entries(f: EntryFilter, scope: Scope) -> list[EntryRow]:
    """The log's entries that `scope` may see and `f` selects, newest first."""
    scope = require(scope)
    where = _concerns(scope)
    if f.status:
        where.append(DissensusEntry.status == f.status)
    if f.artefact:
        where.append(
            DissensusEntry.id.in_(
                select(DissensusArtefact.entry_id)
                .join(Artefact, Artefact.id == DissensusArtefact.artefact_id)
                .where(Artefact.reference == f.artefact)
            )
        )
    if f.constituency_id:
        where.append(DissensusEntry.raised_by_constituency_id == f.constituency_id)
    found = list(
        db.session.scalars(select(DissensusEntry).where(*where).order_by(DissensusEntry.number))
    )
    return _rows(found, scope)


def _rows(found: list[DissensusEntry], scope: Scope) -> list[EntryRow]:
    ids = [entry.id for entry in found]
    artefacts: dict[int, list[str]] = {}
    for entry_id, reference in db.session.execute(
        select(DissensusArtefact.entry_id, Artefact.reference)
        .join(Artefact, Artefact.id == DissensusArtefact.artefact_id)
        .where(DissensusArtefact.entry_id.in_(ids))
        .order_by(Artefact.reference)
    ):
        artefacts.setdefault(entry_id, []).append(reference)
    comments: dict[int, list[int]] = {}
    query = (
        select(DissensusComment.entry_id, DissensusComment.comment_id)
        .join(Comment, Comment.id == DissensusComment.comment_id)
        .where(DissensusComment.entry_id.in_(ids), *scope.comments())
        .order_by(DissensusComment.comment_id)
    )
    for entry_id, comment_id in db.session.execute(query):
        comments.setdefault(entry_id, []).append(comment_id)
    return [
        EntryRow(
            entry,
            artefacts.get(entry.id, []),
            comments.get(entry.id, []),
            None if scope.is_reviewer else entry.internal_note,
        )
        for entry in found
    ]


def entry_for(entry_id: int, scope: Scope) -> EntryRow | None:
    """The entry if `scope` may see it (a reviewer: one concerning its comments), else None."""
    scope = require(scope)
    entry = db.session.scalar(
        select(DissensusEntry).where(DissensusEntry.id == entry_id, *_concerns(scope))
    )
    return _rows([entry], scope)[0] if entry is not None else None


def history(entry_id: int, scope: Scope) -> list[DissensusEvent]:
    """Every change of the entry, oldest first; a reviewer's without the internal note's and
    without who (the template leaves the actor out for them)."""
    if entry_for(entry_id, scope) is None:
        return []
    events = db.session.scalars(
        select(DissensusEvent)
        .where(DissensusEvent.entry_id == entry_id)
        .order_by(DissensusEvent.at, DissensusEvent.id)
    )
    return [e for e in events if not (scope.is_reviewer and e.field in REVIEWER_HIDDEN)]


def _audit(entry_id: int, changes: list[tuple[str, object, object]], actor: str) -> None:
    if not changes:
        return
    now = utcnow()
    db.session.execute(
        insert(DissensusEvent),
        [
            {
                "entry_id": entry_id,
                "field": name,
                "before": None if before is None else str(before),
                "after": None if after is None else str(after),
                "actor": actor,
                "at": now,
                "origin": "browser",
            }
            for name, before, after in changes
        ],
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[:MAX_TEXT] or None


def create_entry(
    *,
    title: str,
    actor: str,
    issue: str = "",
    programme_position: str = "",
    artefacts: Iterable[str] = (),
    comment_ids: Iterable[int] = (),
    organisation_id: int | None = None,
    constituency_id: int | None = None,
    raised_on: date | None = None,
    internal_note: str | None = None,
) -> DissensusEntry:
    """A new entry, numbered after the last (D-001, D-002, ...), audited as created."""
    title = " ".join((title or "").split())[:300]
    if not title:
        raise ServiceError("an entry needs a title")
    artefact_ids = _artefact_ids(artefacts)
    comment_ids = sorted(set(comment_ids))
    for comment_id in comment_ids:
        if db.session.get(Comment, comment_id) is None:
            raise ServiceError(f"no comment {comment_id}")
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise ServiceError(f"no organisation {organisation_id}")
        constituency_id = constituency_id or organisation.constituency_id
    if constituency_id is not None and db.session.get(Constituency, constituency_id) is None:
        raise ServiceError(f"no constituency {constituency_id}")
    number = (db.session.scalar(select(func.max(DissensusEntry.number))) or 0) + 1
    entry = DissensusEntry(
        number=number,
        title=title,
        issue=_text(issue) or "",
        programme_position=_text(programme_position) or "",
        internal_note=_text(internal_note),
        raised_by_organisation_id=organisation_id,
        raised_by_constituency_id=constituency_id,
        raised_on=raised_on or utcnow().date(),
        status=OPEN,
        created_by=actor,
        version=1,
    )
    db.session.add(entry)
    db.session.flush()
    for artefact_id in artefact_ids:
        db.session.add(DissensusArtefact(entry_id=entry.id, artefact_id=artefact_id))
    for comment_id in comment_ids:
        db.session.add(DissensusComment(entry_id=entry.id, comment_id=comment_id))
    _audit(entry.id, [("created", None, entry.reference)], actor)
    db.session.flush()
    return entry


def _artefact_ids(references: Iterable[str]) -> list[int]:
    ids = []
    for written in references:
        reference = normalise_artefact_ref(written)
        found = db.session.scalar(select(Artefact.id).where(Artefact.reference == reference))
        if found is None:
            raise ServiceError(f"no artefact {written!r} in the register")
        ids.append(found)
    return sorted(set(ids))


def open_from_comment(comment_id: int, actor: str) -> DissensusEntry:
    """An entry opened from a comment's disagreement, pre-filled: the comment's artefact and
    organisation, the reviewer's reason as the issue, the published response as the
    programme's position."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ServiceError(f"no comment {comment_id}")
    answer = db.session.get(ReviewerAnswer, comment_id)
    published = published_outcomes([comment_id]).get(comment_id)
    summary = " ".join(comment.text.split())
    issue = f"{comment.organisation.name} disagrees with the disposition of comment #{comment.id}"
    if answer is not None and answer.reason:
        issue += f": {answer.reason}"
    issue += f"\n\nThe comment: {comment.text}"
    return create_entry(
        title=f"{comment.artefact.reference}: {summary[:120]}",
        actor=actor,
        issue=issue,
        programme_position=(published.response or "") if published is not None else "",
        artefacts=[comment.artefact.reference],
        comment_ids=[comment_id],
        organisation_id=comment.organisation_id,
    )


def update_entry(
    entry_id: int, changes: dict[str, Any], *, actor: str, expected_version: int | None = None
) -> list[str]:
    """Change fields of an entry (each audited). Closing needs an outcome; a decision by
    email after the meeting needs its post-meeting update. Returns the fields changed."""
    entry = db.session.get(DissensusEntry, entry_id)
    if entry is None:
        raise ServiceError(f"no dissensus entry {entry_id}")
    if expected_version is not None and entry.version != expected_version:
        raise ServiceError(f"{entry.reference} was changed by someone else: reload it")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(f"cannot change {', '.join(sorted(unknown))}")
    values = {name: _clean(name, value) for name, value in changes.items()}
    after = {name: getattr(entry, name) for name in EDITABLE} | values
    _check(after)
    diff = [(n, getattr(entry, n), v) for n, v in values.items() if getattr(entry, n) != v]
    for name, _before, value in diff:
        setattr(entry, name, value)
    if diff:
        entry.version += 1
        _audit(entry.id, diff, actor)
        db.session.flush()
    return [name for name, _, _ in diff]


def _clean(name: str, value: Any) -> Any:
    if name == "decided_on":
        return value if isinstance(value, date) or value is None else None
    if name in ("status", "outcome"):
        return value or None
    if name == "title":
        return " ".join(str(value or "").split())[:300]
    if name in ("issue", "programme_position"):
        return _text(value) or ""
    return _text(value)


def _check(after: dict[str, Any]) -> None:
    if not after["title"]:
        raise ServiceError("an entry needs a title")
    if after["status"] not in DISSENSUS_STATUSES:
        raise ServiceError(f"unknown status {after['status']!r}")
    if after["outcome"] is not None and after["outcome"] not in DISSENSUS_OUTCOMES:
        raise ServiceError(f"unknown outcome {after['outcome']!r}")
    if after["status"] == CLOSED and after["outcome"] is None:
        raise ServiceError("an entry closes with an outcome: record it first")
    if after["outcome"] == DECIDED_BY_EMAIL and not after["post_meeting_update"]:
        raise ServiceError("a decision by email after the meeting needs its post-meeting update")


def record_positions(
    entry_id: int, meeting_on: date, positions: dict[int, str], *, actor: str
) -> int:
    """Record the constituencies' positions at a meeting (replacing that meeting's earlier
    ones, each change audited). Returns how many changed."""
    entry = db.session.get(DissensusEntry, entry_id)
    if entry is None:
        raise ServiceError(f"no dissensus entry {entry_id}")
    known = dict(db.session.execute(select(Constituency.id, Constituency.name)).all())
    for constituency_id, position in positions.items():
        if constituency_id not in known:
            raise ServiceError(f"no constituency {constituency_id}")
        if position not in POSITIONS:
            raise ServiceError(f"unknown position {position!r}")
    stored = {
        row.constituency_id: row
        for row in db.session.scalars(
            select(DissensusPosition).where(
                DissensusPosition.entry_id == entry_id,
                DissensusPosition.meeting_on == meeting_on,
            )
        )
    }
    changes = []
    for constituency_id, position in positions.items():
        row = stored.get(constituency_id)
        before = row.position if row is not None else None
        if before == position:
            continue
        if row is None:
            db.session.add(
                DissensusPosition(
                    entry_id=entry_id,
                    meeting_on=meeting_on,
                    constituency_id=constituency_id,
                    position=position,
                )
            )
        else:
            row.position = position
        where = f"{known[constituency_id]} at {meeting_on.isoformat()}"
        changes.append(
            ("position", f"{where}: {before}" if before else None, f"{where}: {position}")
        )
    if changes:
        entry.version += 1
        _audit(entry_id, changes, actor)
        db.session.flush()
    return len(changes)


@dataclass(slots=True)
class Meeting:
    """One meeting's positions on an entry: per constituency (all 13, in the pack's order;
    None where none was recorded) and the tally per position (counted in the database)."""

    meeting_on: date
    positions: list[tuple[str, str | None]]
    tally: dict[str, int] = field(default_factory=dict)

    def tally_text(self) -> str:
        return ", ".join(
            f"{POSITIONS[key].label} {count}" for key, count in self.tally.items() if count
        )


def meetings(entry_id: int) -> list[Meeting]:
    """The entry's meetings with their positions and tallies, latest first."""
    constituencies = db.session.execute(
        select(Constituency.id, Constituency.name).order_by(Constituency.position)
    ).all()
    recorded: dict[date, dict[int, str]] = {}
    for meeting_on, constituency_id, position in db.session.execute(
        select(
            DissensusPosition.meeting_on,
            DissensusPosition.constituency_id,
            DissensusPosition.position,
        ).where(DissensusPosition.entry_id == entry_id)
    ):
        recorded.setdefault(meeting_on, {})[constituency_id] = position
    tallies: dict[date, dict[str, int]] = {}
    for meeting_on, position, count in db.session.execute(
        select(DissensusPosition.meeting_on, DissensusPosition.position, func.count())
        .where(DissensusPosition.entry_id == entry_id)
        .group_by(DissensusPosition.meeting_on, DissensusPosition.position)
    ):
        tallies.setdefault(meeting_on, {})[position] = int(count)
    return [
        Meeting(
            meeting_on,
            [(name, recorded[meeting_on].get(cid)) for cid, name in constituencies],
            {key: tallies.get(meeting_on, {}).get(key, 0) for key in POSITIONS.keys},
        )
        for meeting_on in sorted(recorded, reverse=True)
    ]


def open_dissensus_counts(artefact_ids: Iterable[int]) -> dict[int, int]:
    """artefact id -> its open dissensus entries (counted in the database; artefacts without
    any are left out): among an artefact's outstanding issues."""
    ids = sorted(set(artefact_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(DissensusArtefact.artefact_id, func.count())
        .join(DissensusEntry, DissensusEntry.id == DissensusArtefact.entry_id)
        .where(DissensusArtefact.artefact_id.in_(ids), DissensusEntry.status == OPEN)
        .group_by(DissensusArtefact.artefact_id)
    )
    return {artefact_id: int(count) for artefact_id, count in rows}


def open_entries_per_artefact(artefact_ids: Select, scope: Scope) -> Select:
    """(artefact id, its open dissensus entries that `scope` may see) for `artefact_ids`: a
    part of the artefacts' outstanding issues (services/outstanding.py)."""
    return (
        select(DissensusArtefact.artefact_id, func.count())
        .join(DissensusEntry, DissensusEntry.id == DissensusArtefact.entry_id)
        .where(
            DissensusArtefact.artefact_id.in_(artefact_ids),
            DissensusEntry.status == OPEN,
            *_concerns(require(scope)),
        )
        .group_by(DissensusArtefact.artefact_id)
    )


def entries_for_artefact(artefact_id: int, scope: Scope) -> list[EntryRow]:
    """The entries concerning an artefact, open first (for the artefact page)."""
    reference = db.session.scalar(select(Artefact.reference).where(Artefact.id == artefact_id))
    if reference is None:
        return []
    found = entries(EntryFilter(artefact=reference), scope)
    return sorted(found, key=lambda row: (row.entry.status != OPEN, row.entry.number))


def entries_for_comment(comment_id: int, scope: Scope) -> list[EntryRow]:
    scope = require(scope)
    found = list(
        db.session.scalars(
            select(DissensusEntry)
            .join(DissensusComment, DissensusComment.entry_id == DissensusEntry.id)
            .where(DissensusComment.comment_id == comment_id, *_concerns(scope))
            .order_by(DissensusEntry.number)
        )
    )
    return _rows(found, scope)


def entry_id_by_reference(written: str) -> int | None:
    """The id of the entry a person names ("D-001", "d-1", "D001"), if there is one."""
    found = re.fullmatch(r"\s*D-?0*([0-9]{1,6})\s*", written or "", re.IGNORECASE)
    if found is None:
        return None
    number = int(found.group(1))
    return db.session.scalar(select(DissensusEntry.id).where(DissensusEntry.number == number))


def entry_labels(ids: list[int], scope: Scope) -> dict[int, tuple[str, None]]:
    """id -> ("D-001 Title", None) for the entries among `ids` that `scope` may see (an
    action's links name them so)."""
    scope = require(scope)
    rows = db.session.scalars(
        select(DissensusEntry).where(DissensusEntry.id.in_(ids), *_concerns(scope))
    )
    return {entry.id: (f"{entry.reference} {entry.title}", None) for entry in rows}


__all__ = [
    "EDITABLE",
    "EntryFilter",
    "EntryRow",
    "Meeting",
    "create_entry",
    "entries",
    "entries_for_artefact",
    "entries_for_comment",
    "entry_for",
    "entry_id_by_reference",
    "entry_labels",
    "history",
    "meetings",
    "open_dissensus_counts",
    "open_entries_per_artefact",
    "open_from_comment",
    "record_positions",
    "update_entry",
]
