"""Compare a log's records with the comments stored under the same natural keys: what an
import adds, updates, leaves unchanged and keeps over the log (a browser decision). Reads
only, so a dry run and the import count alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from importers.records import CommentRecord

from ...extensions import db
from ...models import Comment
from .report import Conflict
from .resolve import Key

# The reviewer's own words: a re-import may update these.
REVIEWER_FIELDS = (
    "log_comment_id",
    "section",
    "page",
    "line",
    "text",
    "proposed_change",
    "comment_type",
    "reviewer",
    "raised_on",
)
# What a re-import reads back: id, the natural key, the decisions, then REVIEWER_FIELDS.
STORED_COLUMNS = (
    Comment.id,
    Comment.artefact_id,
    Comment.review_round_id,
    Comment.organisation_id,
    Comment.source_key,
    Comment.disposition,
    Comment.response,
    Comment.disposition_origin,
    Comment.response_origin,
    *(getattr(Comment, name) for name in REVIEWER_FIELDS),
)
DECISIONS = {"disposition": 5, "response": 6}  # field -> position in STORED_COLUMNS
FIRST_REVIEWER_FIELD = 9


@dataclass(slots=True)
class Update:
    """A stored comment the log changes."""

    comment_id: int
    values: dict[str, Any]  # REVIEWER_FIELDS, the decisions and their origins
    decisions: list[tuple[str, str | None, str | None]]  # field, before, after: each audited


@dataclass(slots=True)
class Comparison:
    added: int = 0  # new comments (each chunk's are handed on, not kept: 100,000 of them)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


def reviewer_values(record: CommentRecord) -> tuple:
    """The record's REVIEWER_FIELDS, in order (the log's "comment" is the stored "text")."""
    return (
        record.log_comment_id,
        record.section,
        record.page,
        record.line,
        record.comment,
        record.proposed_change,
        record.comment_type,
        record.reviewer,
        record.raised_on,
    )


class StoredComments:
    """The comments already stored under the keys asked for, with the fields a re-import
    compares: read per organisation and review round the first time one is asked for (a log
    has a few), as plain rows from the connection (no ORM identity work for 100,000). A key
    with a stand-in id (an organisation or round not created yet) has none."""

    def __init__(self) -> None:
        self.rows: dict[Key, Sequence] = {}
        self._read: set[tuple[int, int]] = set()

    def get(self, keys: Iterable[Key | None]) -> dict[Key, Sequence]:
        wanted = {
            (key[2], key[1]) for key in keys if key is not None and key[1] > 0 and key[2] > 0
        } - self._read
        for organisation_id, round_id in sorted(wanted):
            query = select(*STORED_COLUMNS).where(
                Comment.organisation_id == organisation_id,
                Comment.review_round_id == round_id,
            )
            for row in db.session.connection().execute(query):
                self.rows[tuple(row[1:5])] = row
            self._read.add((organisation_id, round_id))
        return self.rows


def compare(
    records: list[CommentRecord],
    keys: list[Key | None],
    stored: dict[Key, Sequence],
    result: Comparison,
) -> list[tuple[CommentRecord, Key]]:
    """Add to `result` what storing the records (those with a key) would do to the stored
    comments; returns the chunk's new ones (counted in result.added)."""
    new: list[tuple[CommentRecord, Key]] = []
    for record, key in zip(records, keys, strict=True):
        if key is None:
            continue
        before = stored.get(key)
        if before is None:
            new.append((record, key))
            continue
        update = _update(record, before, result.conflicts)
        if update is None:
            result.unchanged += 1
        else:
            result.updates.append(update)
    result.added += len(new)
    return new


def _update(record: CommentRecord, stored: Sequence, conflicts: list[Conflict]) -> Update | None:
    """The update for one stored comment, or None if the log says nothing new."""
    incoming = reviewer_values(record)
    dirty = incoming != tuple(stored[FIRST_REVIEWER_FIELD:])
    # A blank status in the log never undoes a decision already stored.
    offered = {
        "disposition": record.disposition if record.disposition != "open" else None,
        "response": record.response,
    }
    if not dirty and all(offered[name] in (None, stored[i]) for name, i in DECISIONS.items()):
        return None  # the common case of a re-import, decided without building the update
    decisions = {name: stored[i] for name, i in DECISIONS.items()}
    origins = {name: stored[i + 2] for name, i in DECISIONS.items()}
    changed: list[tuple[str, str | None, str | None]] = []
    for name, value in offered.items():
        if value is None or value == decisions[name]:
            continue
        if origins[name] == "browser":
            where = (record.sheet, record.row, record.artefact or "")
            conflicts.append(Conflict(*where, name, decisions[name], value))
            continue
        changed.append((name, decisions[name], value))
        decisions[name] = value
        origins[name] = "import"
    if not (dirty or changed):
        return None
    values = dict(zip(REVIEWER_FIELDS, incoming, strict=True)) | decisions
    values |= {f"{name}_origin": origin for name, origin in origins.items()}
    return Update(stored[0], values, changed)


__all__ = [
    "REVIEWER_FIELDS",
    "Comparison",
    "StoredComments",
    "Update",
    "compare",
    "reviewer_values",
]
