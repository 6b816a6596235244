"""Import the advisory group's action log from a paper's table (importers/governance_logs.py).

Idempotent by reference: a known action is updated (its status moved, a new update added), a
new one added; a re-import of the same file changes nothing. An action last changed in the
browser is kept as it is: the file's differences are listed, never written. The meetings the
actions belong to are created when new. Everything is checked before anything is written: a
file with any error writes nothing (the report lists every problem with its file, sheet, row
and column). The service flushes; the caller's unit of work is the file's one transaction
(the CLI discards it for a dry run or a refused file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from importers.governance import MEETING_REF_HINT, action_sort_key, normalise_meeting_ref
from importers.governance_logs import ActionRecord, GovernanceReadResult, read_action_log
from importers.records import Problem, ProblemReport, SheetReport

from ..extensions import db
from ..models import Action, ActionUpdate
from . import ServiceError
from .actions import LIMITS, move_allowed, record_update, refused_move
from .meetings import get_or_create_meeting, touch


@dataclass(slots=True)
class GovernanceImportReport(ProblemReport):
    """What importing one action or decision log did (or, refused, would have done)."""

    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    updates_added: int = 0  # dated updates written (actions)
    meetings_created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # browser changes kept, moves not made
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetReport] = field(default_factory=list)


class LogFile:
    """A read log and the problems the import adds to it, located as the reader's are."""

    def __init__(self, read: GovernanceReadResult, report: GovernanceImportReport) -> None:
        self.read, self.report = read, report
        self.mappings = {sheet.name: sheet.mapping for sheet in read.sheets}

    def problem(self, record, name: str | None, message: str, value: object = None) -> None:
        csv = self.read.encoding is not None
        column = self.mappings.get(record.sheet, {}).get(name) if name else None
        self.report.problems.append(
            Problem(
                self.report.file,
                message,
                None if csv else record.sheet,
                record.row,
                column,
                value=None if value is None else str(value),
            )
        )

    def meeting_of(self, record, given: str | None) -> str | None:
        """The meeting a record belongs to: --meeting, else its own (the Meeting column, or
        its reference), else the paper's meeting line."""
        meeting = given or record.meeting or self.read.meeting
        if meeting is None:
            self.problem(
                record,
                "reference",
                "no meeting for this row: its reference names none, the file has no Meeting "
                "column or 'Meeting Number' line; give --meeting",
                record.reference,
            )
        return meeting

    def meetings(self, references: set[str]) -> dict[str, int]:
        """Meeting reference -> id, creating the new ones (the paper's with its date)."""
        ids = {}
        for reference in sorted(references):
            held_on = self.read.meeting_date if reference == self.read.meeting else None
            meeting, created = get_or_create_meeting(reference, held_on)
            ids[reference] = meeting.id
            if created:
                self.report.meetings_created.append(reference)
        return ids


def given_meeting(meeting: str | None) -> str | None:
    if meeting is None:
        return None
    canonical = normalise_meeting_ref(meeting)
    if canonical is None:
        raise ServiceError(f"--meeting {meeting!r} is not a meeting reference ({MEETING_REF_HINT})")
    return canonical


def _check_lengths(log: LogFile, record: ActionRecord) -> bool:
    ok = True
    for name, value in (
        ("area", record.area),
        ("owner", record.owner),
        ("due", record.due_note),
        ("action", record.text),
    ):
        limit = LIMITS["due_note" if name == "due" else "text" if name == "action" else name]
        if value is not None and len(value) > limit:
            log.problem(record, name, f"longer than {limit} characters ({len(value)})")
            ok = False
    return ok


def import_action_log(
    path: str | Path,
    actor: str,
    *,
    meeting: str | None = None,
    public: bool | None = None,
    today: date,
    filename: str | None = None,
) -> GovernanceImportReport:
    """Import one action log. `meeting`: the meeting every action belongs to (else each its
    own). `public`: mark the actions public (True) or not (False); None: as the paper's
    'Classification' line says, else leave them as they are. Updates and closures are dated
    the paper's meeting date if it gives one, else `today`. Flushes; the caller commits."""
    given = given_meeting(meeting)
    path = Path(path)
    read = read_action_log(path.read_bytes(), filename=filename or path.name)
    report = GovernanceImportReport(
        file=read.file, problems=list(read.problems), sheets=read.sheets
    )
    log = LogFile(read, report)
    records: list[tuple[ActionRecord, str]] = []
    for record in read.records:
        owner_meeting = log.meeting_of(record, given)
        if _check_lengths(log, record) and owner_meeting is not None:
            records.append((record, owner_meeting))
    if not report.ok:
        return report
    meeting_ids = log.meetings({m for _, m in records})
    public = public if public is not None else read.public
    writer = _Writer(report, actor, public, read.meeting_date or today)
    writer.write(records, meeting_ids)
    return report


class _Writer:
    def __init__(
        self, report: GovernanceImportReport, actor: str, public: bool | None, dated: date
    ) -> None:
        self.report, self.actor, self.public, self.dated = report, actor, public, dated

    def write(self, records: list[tuple[ActionRecord, str]], meeting_ids: dict[str, int]) -> None:
        references = [record.reference for record, _ in records]
        known = {
            action.reference: action
            for action in db.session.scalars(select(Action).where(Action.reference.in_(references)))
        }
        said = self._updates_said([action.id for action in known.values()])
        new: list[tuple[Action, ActionRecord]] = []
        for record, meeting in records:
            action = known.get(record.reference)
            if action is None:
                new.append((self._new(record, meeting_ids[meeting]), record))
            else:
                self._existing(action, record, meeting_ids[meeting], said.get(action.id, set()))
        db.session.add_all([action for action, _ in new])
        db.session.flush()  # one INSERT for the new actions, then their first updates
        for action, record in new:
            self._first_update(action, record)
        self.report.added = len(new)

    @staticmethod
    def _updates_said(action_ids: list[int]) -> dict[int, set[str]]:
        said: dict[int, set[str]] = {}
        if action_ids:
            rows = db.session.execute(
                select(ActionUpdate.action_id, ActionUpdate.text).where(
                    ActionUpdate.action_id.in_(action_ids)
                )
            )
            for action_id, text in rows:
                said.setdefault(action_id, set()).add(text)
        return said

    def _fields(self, record: ActionRecord, meeting_id: int) -> dict[str, object]:
        values: dict[str, object] = {
            "meeting_id": meeting_id,
            "text": record.text,
            "owner": record.owner,
            "due": record.due,
            "due_note": record.due_note,
        }
        if record.area is not None:
            values["area"] = record.area
        if record.raised_on is not None:
            values["raised_on"] = record.raised_on
        if self.public is not None:
            values["public"] = self.public
        return values

    def _new(self, record: ActionRecord, meeting_id: int) -> Action:
        values = {"area": "", "public": False} | self._fields(record, meeting_id)
        return Action(
            reference=record.reference,
            sort_key=action_sort_key(record.reference),
            status="open",
            origin="import",
            **values,
        )

    def _first_update(self, action: Action, record: ActionRecord) -> None:
        if record.update or (record.status and record.status != "open"):
            self._update(action, record.update or "", record.status)

    def _update(self, action: Action, text: str, status: str | None) -> None:
        record_update(
            action,
            text,
            self.actor,
            dated=self.dated,
            to_status=status,
            origin="import",
            source_file=self.report.file,
        )
        self.report.updates_added += 1

    def _existing(
        self, action: Action, record: ActionRecord, meeting_id: int, said: set[str]
    ) -> None:
        changes = {
            name: value
            for name, value in self._fields(record, meeting_id).items()
            if getattr(action, name) != value
        }
        moves = record.status is not None and record.status != action.status
        new_text = record.update is not None and record.update not in said
        where = f"row {record.row}: {action.reference}"
        if action.origin == "browser" and (changes or moves):
            what = ", ".join([*changes, *(["status"] if moves else [])])
            self.report.kept.append(
                f"{where} was last changed in the browser; kept, the file's {what} not imported"
            )
            changes, moves = {}, False
        if moves and not move_allowed(action.status, record.status):
            self.report.kept.append(
                f"{where}: not moved: {refused_move(action.status, record.status)}"
            )
            moves = False
        for name, value in changes.items():
            setattr(action, name, value)
        if changes:
            action.origin = "import"
            touch(action)
        if moves or new_text:
            self._update(
                action, record.update if new_text else "", record.status if moves else None
            )
        if changes or moves or new_text:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


__all__ = ["GovernanceImportReport", "LogFile", "given_meeting", "import_action_log"]
