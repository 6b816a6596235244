"""Import a resolutions workbook back: compare its rows with the comments (a preview that only
reads), then apply the chosen fields of the changed rows, and of the conflicts the user chose,
in the caller's one transaction, audited as from the offline workbook (origin "workbook", the
import batch naming the file and who imported it).

A row is matched by its comment id. It is "changed" if a chosen field differs from the stored
value, "unchanged" if none does, and a "conflict" if it would change something while its
comment was changed in the browser after the export (its stamp, the comment's version then,
is not the version now): shown side by side, applied only if chosen. Ids that match no comment
are "unmatched"; values that cannot be read (an unknown disposition, a date that is none, an
unknown assignee or working group) are problems, and those fields are left as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from importers.records import Problem, ProblemReport, ReadResult
from importers.resolutions import EDITABLE, ResolutionRecord
from importers.vocabulary import DISPOSITIONS

from ..extensions import db
from ..models import REVIEWER, Comment, CommentResolution, ImportBatch, User, WorkingGroup
from . import ServiceError
from .triage import triage_comment

# The workbook's fields -> the triage fields they set.
TRIAGE_FIELD = {
    "disposition": "disposition",
    "response": "response",
    "assignee": "assignee_id",
    "working_group": "working_group_id",
    "due_date": "due_on",
    "implemented_in": "implemented_in",
}
LABELS = {
    "disposition": "Disposition",
    "response": "Response",
    "assignee": "Assignee",
    "working_group": "Working Group",
    "due_date": "Due Date",
    "implemented_in": "Implemented In",
}
CHUNK = 500
ORIGIN = "workbook"


@dataclass(slots=True)
class RowChange:
    """One row that changes something: per field (the workbook's name), the stored value
    ("theirs") and the workbook's ("yours"), as shown; and the triage values to set."""

    comment_id: int
    sheet: str
    row: int
    stale: bool
    fields: dict[str, tuple[str, str]]
    values: dict[str, Any]


@dataclass(slots=True)
class ResolutionsPlan(ProblemReport):
    file: str
    fields: list[str]
    changed: list[RowChange] = field(default_factory=list)
    conflicts: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    unmatched: list[tuple[str, int, int]] = field(default_factory=list)  # sheet, row, id
    problems: list[Problem] = field(default_factory=list)

    def as_json(self, applied_conflicts: int = 0) -> dict:
        """The CLI's --json: counts, then every problem located."""
        return {
            "changed": len(self.changed) + applied_conflicts,
            "unchanged": self.unchanged,
            "conflicts": len(self.conflicts) - applied_conflicts,
            "unmatched": len(self.unmatched),
            "problems": [
                {"sheet": p.sheet, "row": p.row, "column": p.column, "message": str(p)}
                for p in self.problems
            ],
        }


def check_fields(names: Iterable[str] | None, present: Collection[str]) -> list[str]:
    """The fields to update: those named (each one of EDITABLE), else every one the workbook
    has a column for."""
    if names is None:
        return [name for name in EDITABLE if name in present]
    chosen = [" ".join(n.split()).lower().replace(" ", "_") for n in names if n.strip()]
    unknown = [n for n in chosen if n not in EDITABLE]
    if unknown:
        raise ServiceError(
            f"unknown field {', '.join(unknown)}: choose among {', '.join(EDITABLE)}"
        )
    return [name for name in EDITABLE if name in chosen]


def plan_resolutions(read: ReadResult, fields: Iterable[str] | None = None) -> ResolutionsPlan:
    """Compare the workbook's rows with the stored comments (reads only)."""
    records: list[ResolutionRecord] = list(read.records)
    present = {name for record in records for name in record.values}
    plan = ResolutionsPlan(file=read.file, fields=check_fields(fields, present))
    plan.problems = list(read.problems)
    if records and all(record.stamp is None for record in records):
        plan.problems.append(
            Problem(
                read.file,
                "no Stamp column: changes made in the browser since the export cannot be told "
                "apart (export the workbook again to keep them)",
                severity="warning",
            )
        )
    stored = _stored([r.comment_id for r in records])
    people, groups = _people(), _groups()
    for record in records:
        current = stored.get(record.comment_id)
        if current is None:
            plan.unmatched.append((record.sheet, record.row, record.comment_id))
            continue
        wanted = _wanted(record, plan, people, groups)
        diff = {name: value for name, value in wanted.items() if current[name] != value}
        if not diff:
            plan.unchanged += 1
            continue
        stale = record.stamp is not None and record.stamp != current["version"]
        change = RowChange(
            comment_id=record.comment_id,
            sheet=record.sheet,
            row=record.row,
            stale=stale,
            fields={
                name: (
                    _shown(name, current[name], people, groups),
                    _shown(name, value, people, groups),
                )
                for name, value in diff.items()
            },
            values={TRIAGE_FIELD[name]: value for name, value in diff.items()},
        )
        (plan.conflicts if stale else plan.changed).append(change)
    return plan


def _wanted(
    record: ResolutionRecord,
    plan: ResolutionsPlan,
    people: dict[str, int],
    groups: dict[str, int],
) -> dict[str, Any]:
    """The record's values of the chosen fields, as stored (people and groups as ids)."""
    wanted: dict[str, Any] = {}
    for name in plan.fields:
        if name not in record.values:
            continue
        value = record.values[name]
        if name in ("assignee", "working_group") and value is not None:
            known = people if name == "assignee" else groups
            found = known.get(value.lower())
            if found is None:
                what = (
                    "no active team member with the email"
                    if name == "assignee"
                    else ("no working group called")
                )
                plan.problems.append(
                    Problem(
                        plan.file,
                        f"{what} {{value}}: left as it is",
                        sheet=record.sheet,
                        row=record.row,
                        column=LABELS[name],
                        value=value,
                    )
                )
                continue
            value = found
        wanted[name] = value
    return wanted


def _stored(ids: list[int]) -> dict[int, dict[str, Any]]:
    """comment id -> its version and the workbook's fields as stored."""
    found: dict[int, dict[str, Any]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        rows = db.session.execute(
            select(
                Comment.id,
                Comment.version,
                Comment.disposition,
                Comment.response,
                CommentResolution.assignee_id,
                CommentResolution.working_group_id,
                CommentResolution.due_on,
                CommentResolution.implemented_in,
            )
            .outerjoin(CommentResolution, CommentResolution.comment_id == Comment.id)
            .where(Comment.id.in_(unique[start : start + CHUNK]))
        )
        for row in rows:
            found[row[0]] = {
                "version": row[1],
                **dict(zip(EDITABLE, row[2:], strict=True)),
            }
    return found


def _people() -> dict[str, int]:
    rows = db.session.execute(
        select(func.lower(User.email), User.id).where(User.active.is_(True), User.role != REVIEWER)
    )
    return dict(rows.all())


def _groups() -> dict[str, int]:
    return dict(db.session.execute(select(func.lower(WorkingGroup.name), WorkingGroup.id)).all())


def _shown(name: str, value: Any, people: dict[str, int], groups: dict[str, int]) -> str:
    if value is None:
        return ""
    if name == "disposition":
        return DISPOSITIONS[value].label
    if name in ("assignee", "working_group"):
        known = people if name == "assignee" else groups
        return next((key for key, number in known.items() if number == value), f"#{value}")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(slots=True)
class AppliedResolutions:
    batch_id: int
    changed: int  # rows applied (conflicts chosen included)
    conflicts_applied: int
    conflicts_left: int


def apply_resolutions(
    plan: ResolutionsPlan,
    *,
    actor: str,
    data: bytes,
    take_conflicts: Collection[int] | None = None,
) -> AppliedResolutions:
    """Apply the plan's changed rows and the conflicts chosen (`take_conflicts`: comment ids,
    None for none), each audited as from the workbook; one import batch records the file and
    who. Values the plan could not read were left out of it (its problems say which). The
    caller's unit of work is the one transaction (make the plan in it too)."""
    chosen = set(take_conflicts or ())
    taken = [c for c in plan.conflicts if c.comment_id in chosen]
    batch = ImportBatch(
        kind="resolutions",
        file_name=plan.file[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        imported_by=actor,
        updated=len(plan.changed) + len(taken),
        unchanged=plan.unchanged,
        conflicts=len(plan.conflicts) - len(taken),
        column_mapping={"fields": plan.fields},
        problems=[str(p) for p in plan.problems],
    )
    db.session.add(batch)
    db.session.flush()
    for change in [*plan.changed, *taken]:
        triage_comment(
            change.comment_id,
            change.values,
            actor=actor,
            origin=ORIGIN,
            import_batch_id=batch.id,
        )
    return AppliedResolutions(
        batch.id, len(plan.changed) + len(taken), len(taken), len(plan.conflicts) - len(taken)
    )


__all__ = [
    "AppliedResolutions",
    "ResolutionsPlan",
    "RowChange",
    "apply_resolutions",
    "check_fields",
    "plan_resolutions",
]
